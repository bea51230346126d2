//! The regional monitoring: criteria and their indicators, each scored in points, with
//! levels that follow from thresholds on the score and recommendations per level; and the
//! municipality's overall level from the sum of its scores. Another region brings its own
//! file (`data/monitoring.ron` is Chelyabinsk's).

use super::source::{Origin, Source, SourceError, parse_ron};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A level: reached from `from` points up; recommendations for those who sit at it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Level {
    pub name: String,
    pub from: i64,
    #[serde(default)]
    pub advice: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Indicator {
    pub id: String,
    pub title: String,
    /// The most points the indicator gives.
    pub max: i64,
    pub levels: Vec<Level>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Criterion {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Monitoring {
    /// The municipality's level by the sum of its scores.
    pub overall: Vec<Level>,
    pub criteria: Vec<Criterion>,
}

/// The level a score reaches: the last whose threshold it meets, with its index.
pub fn level_of(levels: &[Level], score: i64) -> Option<(usize, &Level)> {
    levels
        .iter()
        .enumerate()
        .take_while(|(_, l)| l.from <= score)
        .last()
}

/// A level's symbol, readable without colour: «−» the lowest, «+» the highest, «±» between.
pub fn level_symbol(index: usize, of: usize) -> &'static str {
    match (index, of) {
        (0, _) => "−",
        (i, n) if i + 1 == n => "+",
        _ => "±",
    }
}

impl Indicator {
    /// A score as a table shows it («2+»), with the index of its level.
    pub fn cell(&self, value: i64) -> (String, Option<usize>) {
        match level_of(&self.levels, value) {
            Some((i, _)) => (
                format!("{value}{}", level_symbol(i, self.levels.len())),
                Some(i),
            ),
            None => (value.to_string(), None),
        }
    }
}

/// «↑» when the level `now` is above last year's, «↓» when below, «» otherwise or unknown.
pub fn arrow(before: Option<usize>, now: usize) -> &'static str {
    match before {
        Some(b) if now > b => " ↑",
        Some(b) if now < b => " ↓",
        _ => "",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("нет показателя «{id}»; есть: {known}")]
    UnknownIndicator { id: String, known: String },
    #[error("показатель {id}: {value} — вне шкалы, ожидалось от 0 до {max} баллов")]
    OutOfRange { id: String, value: i64, max: i64 },
}

impl Monitoring {
    /// Parses and checks the file: thresholds from 0 up, strictly increasing, within the
    /// indicator's points; ids unique; at least three levels per indicator.
    pub fn parse(text: &str, origin: &Origin) -> Result<Monitoring, Vec<SourceError>> {
        let m: Monitoring = parse_ron(text, origin).map_err(|e| vec![e])?;
        let src = Source {
            origin: origin.clone(),
            text: text.to_string(),
        };
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        let thresholds = |levels: &[Level], max: Option<i64>| -> Option<String> {
            if levels.first().is_none_or(|l| l.from != 0) {
                return Some("первый уровень должен начинаться с 0".into());
            }
            if levels.windows(2).any(|w| w[0].from >= w[1].from) {
                return Some("пороги уровней должны возрастать".into());
            }
            match (max, levels.last()) {
                (Some(max), Some(l)) if l.from > max => Some(format!(
                    "порог «{}» ({}) больше максимума {max}",
                    l.name, l.from
                )),
                _ => None,
            }
        };
        if let Some(why) = thresholds(&m.overall, Some(m.max_total())) {
            let at = text.find("overall").unwrap_or(0);
            let line = text[..at].matches('\n').count() + 1;
            let col = text[..at]
                .rsplit('\n')
                .next()
                .map_or(0, |l| l.chars().count())
                + 1;
            problems.push(SourceError::new(
                origin.clone(),
                line,
                col,
                format!("общие уровни: {why}"),
            ));
        }
        for (_, ind) in m.indicators() {
            if !seen.insert(ind.id.clone()) {
                problems.push(src.at_def(
                    &ind.id,
                    1,
                    format!("показатель {} описан дважды", ind.id),
                ));
            }
            if ind.levels.len() < 3 {
                problems.push(src.at_def(
                    &ind.id,
                    0,
                    format!("у показателя {} меньше трёх уровней", ind.id),
                ));
            }
            if ind.max <= 0 {
                problems.push(src.at_def(
                    &ind.id,
                    0,
                    format!("у показателя {}: max должен быть больше 0", ind.id),
                ));
            }
            if let Some(why) = thresholds(&ind.levels, Some(ind.max)) {
                problems.push(src.at_def(&ind.id, 0, format!("показатель {}: {why}", ind.id)));
            }
        }
        if problems.is_empty() {
            Ok(m)
        } else {
            Err(problems)
        }
    }

    pub fn builtin() -> Monitoring {
        Monitoring::parse(
            include_str!("../../data/monitoring.ron"),
            &Origin::Builtin("data/monitoring.ron"),
        )
        .expect("the built-in monitoring is valid")
    }

    pub fn indicators(&self) -> impl Iterator<Item = (&Criterion, &Indicator)> {
        self.criteria
            .iter()
            .flat_map(|c| c.indicators.iter().map(move |i| (c, i)))
    }

    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators().map(|(_, i)| i).find(|i| i.id == id)
    }

    pub fn max_total(&self) -> i64 {
        self.indicators().map(|(_, i)| i.max).sum()
    }

    /// The indicator a score is for, checked against its scale.
    pub fn check_score(&self, id: &str, value: i64) -> Result<&Indicator, ScoreError> {
        let ind = self
            .indicator(id)
            .ok_or_else(|| ScoreError::UnknownIndicator {
                id: id.to_string(),
                known: self
                    .indicators()
                    .map(|(_, i)| i.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        if !(0..=ind.max).contains(&value) {
            return Err(ScoreError::OutOfRange {
                id: id.to_string(),
                value,
                max: ind.max,
            });
        }
        Ok(ind)
    }

    /// A score as typed (a whole number; «-» or nothing clears it), checked against the
    /// indicator's scale.
    pub fn parse_score(&self, id: &str, typed: &str) -> Result<Option<i64>, String> {
        let value = match typed.trim() {
            "" | "-" | "—" => None,
            t => Some(
                t.parse::<i64>()
                    .map_err(|_| format!("балл — целое число, а не «{t}»"))?,
            ),
        };
        match value {
            Some(v) => self.check_score(id, v).map_err(|e| e.to_string())?,
            None => self
                .indicator(id)
                .ok_or_else(|| format!("нет показателя «{id}»"))?,
        };
        Ok(value)
    }

    /// The overall level of a municipality's scores; None until every indicator is scored.
    pub fn overall_level(&self, scores: &BTreeMap<String, i64>) -> Option<(usize, &Level)> {
        let mut total = 0;
        for (_, ind) in self.indicators() {
            total += scores.get(&ind.id)?;
        }
        level_of(&self.overall, total)
    }
}

/// A problem with one cell or row of an imported table; rows and columns from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableError {
    pub row: usize,
    /// None when the whole row is wrong (an unknown municipality, say).
    pub col: Option<usize>,
    pub message: String,
}

impl TableError {
    /// «строка 5, столбец C: …».
    pub fn shown(&self) -> String {
        match self.col {
            Some(c) => format!(
                "строка {}, столбец {}: {}",
                self.row,
                column_name(c),
                self.message
            ),
            None => format!("строка {}: {}", self.row, self.message),
        }
    }
}

/// A spreadsheet column's letters: 1 → A, 27 → AA.
pub fn column_name(mut col: usize) -> String {
    let mut out = Vec::new();
    while col > 0 {
        let d = (col - 1) % 26;
        out.push(char::from(b'A' + d as u8));
        col = (col - 1) / 26;
    }
    out.iter().rev().collect()
}

/// What an import will write: per municipality id, the scores by indicator.
pub type Planned = Vec<(String, Vec<(String, i64)>)>;

/// What a cell held when it was not text, where that changes what the import says of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    /// A number, shown as its cell's format shows it: without a format that keeps it, Excel
    /// drops the zero of a typed «1.10», so two headers can come out «1.1».
    Number,
    /// A number in a format sobes cannot show as the spreadsheet does (percent, fraction…).
    OddNumber,
    /// A date: Excel turns a typed «1.4» into the 1st of April.
    Date,
}

/// A table as read from a file: the cell texts as the sheet shows them, each row and column
/// at its own place in the sheet (so the numbers and letters named are the sheet's).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub rows: Vec<Vec<String>>,
    /// Cells that were not text, by (row, column) from 0; a CSV has none.
    pub kinds: HashMap<(usize, usize), CellKind>,
}

impl Table {
    pub fn from_rows(rows: Vec<Vec<String>>) -> Table {
        Table {
            rows,
            kinds: HashMap::new(),
        }
    }

    /// The header's index: the first row with anything in it.
    pub fn header_row(&self) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| r.iter().any(|c| !c.trim().is_empty()))
    }
}

/// What `plan_import` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Import {
    pub planned: Planned,
    pub errors: Vec<TableError>,
    /// Names the resolver understood only with a guess, with its warning.
    pub warnings: Vec<TableError>,
    /// Some error is in the table's shape (its header, its first column, no rows at all), so
    /// skipping bad rows cannot help: every row would be read wrong.
    pub shape_wrong: bool,
}

/// A name's municipality id with the resolver's warning when it guessed; or why not.
pub type Resolved = Result<(String, Option<String>), String>;

/// The indicator id in a header cell: «Показатель 1.1» → «1.1».
fn header_id(text: &str) -> &str {
    text.trim()
        .trim_start_matches(|ch: char| !ch.is_ascii_digit())
        .trim_end_matches(|ch: char| !ch.is_ascii_digit())
}

/// A header holds a table when it names an indicator after the municipality column and some
/// row follows it: what the first sheet of a workbook is checked for before it is read.
pub fn has_table(table: &Table, monitoring: &Monitoring) -> bool {
    let Some(h) = table.header_row() else {
        return false;
    };
    let indicators = table.rows[h]
        .iter()
        .skip(1)
        .any(|c| monitoring.indicator(header_id(c)).is_some());
    let rows = table.rows[h + 1..]
        .iter()
        .any(|r| r.iter().any(|c| !c.trim().is_empty()));
    indicators && rows
}

/// Why a header cell that is not an indicator is not one, in the words of what it holds.
fn not_an_indicator(text: &str, kind: Option<CellKind>) -> String {
    const AS_TEXT: &str = "введите номера показателей как текст, с апострофом в начале";
    match kind {
        Some(CellKind::Date) => {
            // A date shown «01.04.2026» was most likely typed «1.4».
            let typed: Vec<String> = text
                .split('.')
                .take(2)
                .filter_map(|p| p.parse::<u32>().ok())
                .map(|n| n.to_string())
                .collect();
            let typed = match typed.as_slice() {
                [d, m] => format!("{d}.{m}"),
                _ => "1.4".into(),
            };
            format!(
                "заголовок — дата «{text}», а не номер показателя: Excel превращает набранное «{typed}» в дату; {AS_TEXT} ('{typed})"
            )
        }
        Some(CellKind::OddNumber) => format!(
            "заголовок — число «{text}» в формате ячейки, который sobes не повторяет, и номер показателя по нему не понять; {AS_TEXT} ('1.10)"
        ),
        _ => format!("«{text}» — не номер показателя мониторинга (ожидалось, например, 1.3)"),
    }
}

/// Which indicator each column holds (the first, the municipality column, holds none); every
/// header cell that is not an indicator, or repeats one, is an error.
fn read_header<'a>(
    table: &Table,
    h: usize,
    monitoring: &'a Monitoring,
    errors: &mut Vec<TableError>,
) -> Vec<Option<&'a Indicator>> {
    let mut columns: Vec<Option<&Indicator>> = vec![None];
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (c, cell) in table.rows[h].iter().enumerate().skip(1) {
        let text = cell.trim();
        let kind = table.kinds.get(&(h, c)).copied();
        let at = |message| TableError {
            row: h + 1,
            col: Some(c + 1),
            message,
        };
        let found = match kind {
            Some(CellKind::Date | CellKind::OddNumber) => None,
            _ => monitoring.indicator(header_id(text)),
        };
        match found {
            _ if text.is_empty() => columns.push(None),
            Some(ind) => match seen.get(ind.id.as_str()) {
                Some(&first) => {
                    let numbers = [first, c]
                        .iter()
                        .any(|&k| table.kinds.get(&(h, k)) == Some(&CellKind::Number));
                    let hint = if numbers {
                        "; число 1.10 Excel показывает как 1.1, если формат ячейки не держит нулей: введите номера показателей как текст, с апострофом в начале ('1.10)"
                    } else {
                        ""
                    };
                    errors.push(at(format!(
                        "показатель {} уже в столбце {}: один показатель в двух столбцах ({} и {}), какой из них верен — не понять{hint}",
                        ind.id,
                        column_name(first + 1),
                        column_name(first + 1),
                        column_name(c + 1),
                    )));
                    columns.push(None);
                }
                None => {
                    seen.insert(&ind.id, c);
                    columns.push(Some(ind));
                }
            },
            None => {
                errors.push(at(not_an_indicator(text, kind)));
                columns.push(None);
            }
        }
    }
    columns
}

/// Reads a monitoring table: a header row (the first with anything in it) with the
/// municipality column first and then indicator ids («1.1», «Показатель 1.1»…), then a row
/// per municipality. Names go through `resolve`; empty cells are left as they are; every bad
/// cell and row is reported, and every name understood with a guess.
pub fn plan_import(
    table: &Table,
    monitoring: &Monitoring,
    resolve: impl Fn(&str) -> Resolved,
) -> Import {
    let mut import = Import::default();
    let Some(h) = table.header_row() else {
        import.errors.push(TableError {
            row: 1,
            col: None,
            message: "таблица пуста: ожидалась строка заголовков (муниципалитет, 1.1, 1.2, …)"
                .into(),
        });
        import.shape_wrong = true;
        return import;
    };
    let header = &table.rows[h];
    let first = header.first().map_or("", |c| c.trim());
    let shape = |col: Option<usize>, message: String| TableError {
        row: h + 1,
        col,
        message,
    };
    if table.kinds.contains_key(&(h, 0))
        || (!first.is_empty() && monitoring.indicator(header_id(first)).is_some())
    {
        import.errors.push(shape(
            Some(1),
            format!(
                "в заголовке «{first}», а первый столбец должен содержать муниципалитеты: добавьте слева столбец «Муниципалитет» с их названиями"
            ),
        ));
        import.shape_wrong = true;
        return import;
    }
    let mut header_errors = Vec::new();
    let columns = read_header(table, h, monitoring, &mut header_errors);
    if columns.iter().all(Option::is_none) {
        // A header with no indicator at all is not the monitoring's table (a title, another
        // sheet's list): one error says so better than one per cell.
        import.errors.push(shape(
            None,
            "в строке заголовков нет номеров показателей: ожидалась строка «Муниципалитет | 1.1 | 1.2 | …»".into(),
        ));
        import.shape_wrong = true;
        return import;
    }
    import.shape_wrong = !header_errors.is_empty();
    import.errors.extend(header_errors);
    let data: Vec<(usize, &Vec<String>)> = table
        .rows
        .iter()
        .enumerate()
        .skip(h + 1)
        .filter(|(_, row)| row.iter().any(|c| !c.trim().is_empty()))
        .collect();
    if data.is_empty() {
        import.errors.push(shape(
            None,
            "под строкой заголовков нет ни одной строки с муниципалитетом".into(),
        ));
        import.shape_wrong = true;
        return import;
    }
    let number = |s: &str| s.trim().replace(',', ".").parse::<f64>().is_ok();
    if data
        .iter()
        .all(|(_, row)| row.first().is_some_and(|c| number(c)))
    {
        // Numbers where names should be: a «№» column, or no municipality column at all.
        let examples: Vec<String> = data
            .iter()
            .take(3)
            .filter_map(|(_, row)| row.first().map(|c| format!("«{}»", c.trim())))
            .collect();
        let under = if first.is_empty() {
            "под пустым заголовком".to_string()
        } else {
            format!("под заголовком «{first}»")
        };
        import.errors.push(shape(
            Some(1),
            format!(
                "первый столбец должен содержать муниципалитеты, а в нём {under} числа ({}, …): поставьте столбец с названиями муниципалитетов первым",
                examples.join(", ")
            ),
        ));
        import.shape_wrong = true;
        return import;
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (r, row) in data {
        let row_no = r + 1;
        let name = row.first().map_or("", |s| s.trim());
        let id = match resolve(name) {
            Ok((id, warning)) => {
                if let Some(message) = warning {
                    import.warnings.push(TableError {
                        row: row_no,
                        col: Some(1),
                        message,
                    });
                }
                id
            }
            Err(why) => {
                import.errors.push(TableError {
                    row: row_no,
                    col: Some(1),
                    message: why,
                });
                continue;
            }
        };
        if let Some(first) = seen.insert(id.clone(), row_no) {
            import.errors.push(TableError {
                row: row_no,
                col: Some(1),
                message: format!("«{name}» уже был в строке {first}"),
            });
            continue;
        }
        let mut scores = Vec::new();
        let mut bad = false;
        for (c, cell) in row.iter().enumerate().skip(1) {
            let (Some(Some(ind)), text) = (columns.get(c), cell.trim()) else {
                continue;
            };
            if text.is_empty() {
                continue;
            }
            let value = text
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|v| v.fract() == 0.0);
            match value.map(|v| v as i64) {
                Some(v) if (0..=ind.max).contains(&v) => scores.push((ind.id.clone(), v)),
                _ => {
                    bad = true;
                    import.errors.push(TableError {
                        row: row_no,
                        col: Some(c + 1),
                        message: format!(
                            "показатель {}: ожидался целый балл от 0 до {}, а не «{text}»",
                            ind.id, ind.max
                        ),
                    });
                }
            }
        }
        if !bad {
            import.planned.push((id, scores));
        }
    }
    import
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> &'static str {
        r#"Monitoring(
    overall: [(name: "низкий", from: 0), (name: "средний", from: 2), (name: "высокий", from: 4)],
    criteria: [(id: "1", title: "К", indicators: [
        (id: "1.1", title: "А", max: 2, levels: [
            (name: "недостаточный", from: 0, advice: ["Сделать."]),
            (name: "допустимый", from: 1),
            (name: "оптимальный", from: 2),
        ]),
        (id: "1.2", title: "Б", max: 3, levels: [
            (name: "недостаточный", from: 0),
            (name: "допустимый", from: 2),
            (name: "оптимальный", from: 3),
        ]),
    ])],
)"#
    }

    #[test]
    fn levels_at_every_threshold_boundary() {
        let m = Monitoring::parse(sample(), &Origin::Builtin("t")).unwrap();
        let b = m.indicator("1.2").unwrap();
        let name = |s| level_of(&b.levels, s).unwrap().1.name.clone();
        assert_eq!(name(0), "недостаточный");
        assert_eq!(name(1), "недостаточный");
        assert_eq!(name(2), "допустимый");
        assert_eq!(name(3), "оптимальный");
        let scores = |a, b| BTreeMap::from([("1.1".to_string(), a), ("1.2".to_string(), b)]);
        assert_eq!(m.overall_level(&scores(0, 1)).unwrap().1.name, "низкий");
        assert_eq!(m.overall_level(&scores(1, 1)).unwrap().1.name, "средний");
        assert_eq!(m.overall_level(&scores(1, 2)).unwrap().1.name, "средний");
        assert_eq!(m.overall_level(&scores(2, 2)).unwrap().1.name, "высокий");
        assert!(
            m.overall_level(&BTreeMap::from([("1.1".into(), 2)]))
                .is_none()
        );
        assert_eq!(
            m.check_score("1.1", 3).unwrap_err().to_string(),
            "показатель 1.1: 3 — вне шкалы, ожидалось от 0 до 2 баллов"
        );
        assert!(m.check_score("9.9", 1).is_err());
    }

    #[test]
    fn a_table_is_read_with_every_bad_cell_named() {
        let m = Monitoring::parse(sample(), &Origin::Builtin("t")).unwrap();
        let rows: Vec<Vec<String>> = [
            vec!["Муниципалитет", "Показатель 1.1", "1.2"],
            vec!["Альфа", "2", "3"],
            vec!["Бета", "5", ""],
            vec!["Гамма", "1", "1,5"],
            vec!["Альфа", "1", "1"],
            vec!["", "", ""],
        ]
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
        let resolve = |n: &str| match n {
            "Альфа" => Ok(("a".to_string(), None)),
            "Бета" => Ok(("b".to_string(), None)),
            other => Err(format!("муниципалитет «{other}» не найден")),
        };
        let Import {
            planned, errors, ..
        } = plan_import(&Table::from_rows(rows), &m, resolve);
        assert_eq!(
            planned,
            vec![(
                "a".to_string(),
                vec![("1.1".to_string(), 2), ("1.2".to_string(), 3)]
            )]
        );
        let shown: Vec<String> = errors.iter().map(TableError::shown).collect();
        assert_eq!(
            shown,
            vec![
                "строка 3, столбец B: показатель 1.1: ожидался целый балл от 0 до 2, а не «5»",
                "строка 4, столбец A: муниципалитет «Гамма» не найден",
                "строка 5, столбец A: «Альфа» уже был в строке 2",
            ]
        );
        assert_eq!(column_name(27), "AA");
    }

    #[test]
    fn bad_thresholds_are_named_with_their_place() {
        let bad = sample().replace(
            "(name: \"допустимый\", from: 2)",
            "(name: \"допустимый\", from: 0)",
        );
        let e = Monitoring::parse(&bad, &Origin::Builtin("t")).unwrap_err();
        assert!(
            e[0].message
                .contains("1.2: пороги уровней должны возрастать"),
            "{e:?}"
        );
        assert!(e[0].line > 1, "{e:?}");
    }

    #[test]
    fn the_builtin_monitoring_has_the_regions_18_indicators() {
        let m = Monitoring::builtin();
        let ids: Vec<&str> = m.indicators().map(|(_, i)| i.id.as_str()).collect();
        assert_eq!(ids.len(), 18);
        assert_eq!(ids[0], "1.1");
        assert_eq!(ids[10], "1.11");
        assert_eq!(ids[17], "3.4");
        assert_eq!(m.criteria.len(), 4);
        assert_eq!(m.overall.len(), 5);
    }
}
