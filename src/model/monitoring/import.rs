//! A monitoring table brought in from a spreadsheet: the header row read for the indicators
//! its columns hold, each row's municipality resolved, every score checked against its
//! indicator's scale; every bad cell and row named by the sheet's own row and column, and a
//! table whose shape is wrong (its header, its first column) told apart from bad rows.

use super::{Indicator, Monitoring};
use std::collections::{BTreeMap, HashMap};

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
    match layout(table, monitoring, &mut import) {
        Ok(layout) => {
            let mut seen = BTreeMap::new();
            for (r, row) in layout.rows {
                read_row(
                    r + 1,
                    row,
                    &layout.columns,
                    &resolve,
                    &mut seen,
                    &mut import,
                );
            }
        }
        Err(shape) => {
            import.errors.push(shape);
            import.shape_wrong = true;
        }
    }
    import
}

/// A table whose shape is right: what its columns and rows hold.
struct Layout<'t, 'm> {
    /// Each column's indicator (none for the municipality column and a bad header cell).
    columns: Vec<Option<&'m Indicator>>,
    /// The rows under the header with anything in them, by index from 0.
    rows: Vec<(usize, &'t Vec<String>)>,
}

/// The table's [`Layout`]; or the one error that says its shape is wrong. The header's own
/// errors go to `import`.
fn layout<'t, 'm>(
    table: &'t Table,
    monitoring: &'m Monitoring,
    import: &mut Import,
) -> Result<Layout<'t, 'm>, TableError> {
    let h = header_row(table, monitoring)?;
    let mut header_errors = Vec::new();
    let columns = read_header(table, h, monitoring, &mut header_errors);
    if columns.iter().all(Option::is_none) {
        // A header with no indicator at all is not the monitoring's table (a title, another
        // sheet's list): one error says so better than one per cell.
        return Err(TableError {
            row: h + 1,
            col: None,
            message: "в строке заголовков нет номеров показателей: ожидалась строка «Муниципалитет | 1.1 | 1.2 | …»".into(),
        });
    }
    import.shape_wrong = !header_errors.is_empty();
    import.errors.extend(header_errors);
    let rows: Vec<(usize, &Vec<String>)> = table
        .rows
        .iter()
        .enumerate()
        .skip(h + 1)
        .filter(|(_, row)| row.iter().any(|c| !c.trim().is_empty()))
        .collect();
    first_column(table, h, &rows)?;
    Ok(Layout { columns, rows })
}

/// The header's row, when there is one and its first column is not an indicator.
fn header_row(table: &Table, monitoring: &Monitoring) -> Result<usize, TableError> {
    let Some(h) = table.header_row() else {
        return Err(TableError {
            row: 1,
            col: None,
            message: "таблица пуста: ожидалась строка заголовков (муниципалитет, 1.1, 1.2, …)"
                .into(),
        });
    };
    let first = first_cell(&table.rows[h]);
    if table.kinds.contains_key(&(h, 0))
        || (!first.is_empty() && monitoring.indicator(header_id(first)).is_some())
    {
        return Err(TableError {
            row: h + 1,
            col: Some(1),
            message: format!(
                "в заголовке «{first}», а первый столбец должен содержать муниципалитеты: добавьте слева столбец «Муниципалитет» с их названиями"
            ),
        });
    }
    Ok(h)
}

/// Rows under the header (`h`), with municipalities in the first column, not numbers.
fn first_column(table: &Table, h: usize, data: &[(usize, &Vec<String>)]) -> Result<(), TableError> {
    let shape = |col: Option<usize>, message: String| TableError {
        row: h + 1,
        col,
        message,
    };
    if data.is_empty() {
        return Err(shape(
            None,
            "под строкой заголовков нет ни одной строки с муниципалитетом".into(),
        ));
    }
    let number = |s: &str| s.trim().replace(',', ".").parse::<f64>().is_ok();
    if !data
        .iter()
        .all(|(_, row)| row.first().is_some_and(|c| number(c)))
    {
        return Ok(());
    }
    // Numbers where names should be: a «№» column, or no municipality column at all.
    let examples: Vec<String> = data
        .iter()
        .take(3)
        .filter_map(|(_, row)| row.first().map(|c| format!("«{}»", c.trim())))
        .collect();
    let first = first_cell(&table.rows[h]);
    let under = if first.is_empty() {
        "под пустым заголовком".to_string()
    } else {
        format!("под заголовком «{first}»")
    };
    Err(shape(
        Some(1),
        format!(
            "первый столбец должен содержать муниципалитеты, а в нём {under} числа ({}, …): поставьте столбец с названиями муниципалитетов первым",
            examples.join(", ")
        ),
    ))
}

/// A row's first cell, where the municipality is, trimmed.
fn first_cell(row: &[String]) -> &str {
    row.first().map_or("", |c| c.trim())
}

/// One row (`row_no`, from 1): its municipality, once in the table, and its scores, planned
/// when every one of them is right.
fn read_row(
    row_no: usize,
    row: &[String],
    columns: &[Option<&Indicator>],
    resolve: &impl Fn(&str) -> Resolved,
    seen: &mut BTreeMap<String, usize>,
    import: &mut Import,
) {
    let at_name = |message| TableError {
        row: row_no,
        col: Some(1),
        message,
    };
    let name = first_cell(row);
    let id = match resolve(name) {
        Ok((id, warning)) => {
            import.warnings.extend(warning.map(at_name));
            id
        }
        Err(why) => {
            import.errors.push(at_name(why));
            return;
        }
    };
    if let Some(first) = seen.insert(id.clone(), row_no) {
        import
            .errors
            .push(at_name(format!("«{name}» уже был в строке {first}")));
        return;
    }
    if let Some(scores) = row_scores(row_no, row, columns, &mut import.errors) {
        import.planned.push((id, scores));
    }
}

/// A row's scores by indicator, empty cells left out; None when a cell is not a whole
/// number of points on its indicator's scale (each such cell named in `errors`).
fn row_scores(
    row_no: usize,
    row: &[String],
    columns: &[Option<&Indicator>],
    errors: &mut Vec<TableError>,
) -> Option<Vec<(String, i64)>> {
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
                errors.push(TableError {
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
    (!bad).then_some(scores)
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample;
    use super::*;
    use crate::model::source::Origin;

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
}
