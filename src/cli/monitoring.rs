//! The monitoring on the command line: levels per municipality and indicator, and the import
//! of the spreadsheet the monitoring arrives as (CSV here, a workbook in `monitoring/book.rs`).

mod book;

use super::out;
use crate::data::DataSet;
use crate::model::campaign::Campaign;
use crate::model::change::Change;
use crate::model::monitoring::{Indicator, Monitoring, Table, level_of, level_symbol, plan_import};
use crate::session::Failure;
use crate::session::Session;
use std::collections::BTreeMap;
use std::path::Path;

/// `sobes levels`.
pub fn cmd_levels(ctx: &Session, tsv: bool) -> Result<(), Failure> {
    let campaign = ctx.load_campaign()?;
    out(&levels_report(&ctx.data, &campaign, tsv))
}

/// Municipality × indicator levels, the overall level (with last year's when known is left
/// to `compare`), and the share of municipalities at each level per indicator.
pub fn levels_report(data: &DataSet, campaign: &Campaign, tsv: bool) -> String {
    if tsv {
        levels_tsv(data, campaign)
    } else {
        levels_text(data, campaign)
    }
}

/// A row per score (municipality, indicator, points, level) and per overall level.
fn levels_tsv(data: &DataSet, campaign: &Campaign) -> String {
    let m = &data.monitoring;
    let mut text = String::new();
    for mun in &data.registry.municipalities {
        let record = campaign.record_or_empty(&mun.id);
        for (_, ind) in m.indicators() {
            let Some(score) = record.scores.get(&ind.id) else {
                continue;
            };
            let level = level_of(&ind.levels, score.value).map_or("", |(_, l)| &l.name);
            text.push_str(&format!(
                "{}\t{}\t{}\t{level}\n",
                mun.id, ind.id, score.value
            ));
        }
        let scores = record.score_values();
        if let Some((_, level)) = m.overall_level(&scores) {
            let total: i64 = scores.values().sum();
            text.push_str(&format!("{}\tитог\t{total}\t{}\n", mun.id, level.name));
        }
    }
    text
}

/// The table for people: the levels' legend, a line per municipality with its cells and
/// overall level, then the shares per indicator.
fn levels_text(data: &DataSet, campaign: &Campaign) -> String {
    let m = &data.monitoring;
    let indicators: Vec<&Indicator> = m.indicators().map(|(_, i)| i).collect();
    let legend: Vec<String> = indicators
        .first()
        .map(|i| {
            i.levels
                .iter()
                .enumerate()
                .map(|(k, l)| format!("{} {}", level_symbol(k, i.levels.len()), l.name))
                .collect()
        })
        .unwrap_or_default();
    let mut text = format!(
        "Уровни по показателям: {}; · — балла нет\n\n",
        legend.join(", ")
    );
    let width = data
        .registry
        .municipalities
        .iter()
        .map(|m| m.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut header = format!("{:width$}", "Муниципалитет");
    for ind in &indicators {
        header.push_str(&format!(" {:>4}", ind.id));
    }
    header.push_str("  итог  уровень");
    text.push_str(header.trim_end());
    text.push('\n');
    let mut at_level: Vec<Vec<usize>> =
        indicators.iter().map(|i| vec![0; i.levels.len()]).collect();
    for mun in &data.registry.municipalities {
        let record = campaign.record_or_empty(&mun.id);
        let mut line = format!("{:width$}", mun.name);
        for (k, ind) in indicators.iter().enumerate() {
            let cell = match record.scores.get(&ind.id) {
                Some(s) => {
                    let (cell, level) = ind.cell(s.value);
                    if let Some(i) = level {
                        at_level[k][i] += 1;
                    }
                    cell
                }
                None => "·".into(),
            };
            line.push_str(&format!(" {cell:>4}"));
        }
        line.push_str(&overall_cells(m, &record.score_values()));
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str(&shares(&indicators, &at_level));
    text
}

/// The total and the overall level at a line's end, or that not every indicator is scored.
fn overall_cells(m: &Monitoring, scores: &BTreeMap<String, i64>) -> String {
    match m.overall_level(scores) {
        Some((_, level)) => {
            let total: i64 = scores.values().sum();
            format!("  {total:>4}  {}", level.name)
        }
        None => "     ·  не все показатели".into(),
    }
}

/// Per indicator, the share of the municipalities scored at each level.
fn shares(indicators: &[&Indicator], at_level: &[Vec<usize>]) -> String {
    let mut text = String::from("\nДоли муниципалитетов по уровням (от оценённых):\n");
    for (k, ind) in indicators.iter().enumerate() {
        let rated: usize = at_level[k].iter().sum();
        if rated == 0 {
            text.push_str(&format!("  {} — баллов нет\n", ind.id));
            continue;
        }
        let parts: Vec<String> = ind
            .levels
            .iter()
            .zip(&at_level[k])
            .map(|(l, n)| format!("{} {:.0} %", l.name, 100.0 * *n as f64 / rated as f64))
            .collect();
        text.push_str(&format!("  {} — {}\n", ind.id, parts.join(", ")));
    }
    text
}

/// The table to import and where it is, for the messages: the file, with the sheet when the
/// book has several.
fn read_table(
    path: &Path,
    sheet: Option<&str>,
    monitoring: &Monitoring,
) -> Result<(Table, String), Failure> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let fail = |why: String| Failure::new(format!("{}: {why}", path.display()));
    if ext == "csv" || ext == "tsv" || ext == "txt" {
        if sheet.is_some() {
            return Err(fail(
                "--sheet выбирает лист книги (XLSX, XLS, ODS), а это текстовая таблица без листов"
                    .into(),
            ));
        }
        let text = crate::storage::read_text(path)?;
        let rows = parse_csv(text.trim_start_matches('\u{feff}'));
        return Ok((Table::from_rows(rows), path.display().to_string()));
    }
    if !matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "ods") {
        return Err(fail("ожидалась таблица XLSX, XLS, ODS или CSV".into()));
    }
    book::read_book(path, &ext, sheet, monitoring)
}

/// CSV as Excel writes it: «;», «,» or tab between cells (whichever the first line has most
/// of outside quotes: «"Копейский ГО, город"» holds no separator), read by the `csv` crate
/// (quotes around cells that need them, doubled quotes inside, a quote inside a bare cell
/// kept as it is).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let first = text.lines().next().unwrap_or("");
    let unquoted = |sep: char| {
        let mut quoted = false;
        first
            .chars()
            .filter(|c| {
                quoted ^= *c == '"';
                *c == sep && !quoted
            })
            .count()
    };
    let sep = [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|s| unquoted(char::from(*s)))
        .unwrap_or(b';');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    // The text is already UTF-8, so reading a record fails on nothing: a failure ends the rows.
    while reader.read_record(&mut record).unwrap_or(false) {
        rows.push(record.iter().map(str::to_string).collect());
    }
    rows
}

/// Imports the monitoring's scores: nothing is written unless every row is right, or with
/// `skip_bad` the good rows are and the bad ones are listed; a table whose shape is wrong
/// (its header, its first column) is never written.
pub fn cmd_import(
    ctx: &Session,
    path: &Path,
    sheet: Option<&str>,
    skip_bad: bool,
) -> Result<(), Failure> {
    let (table, place) = read_table(path, sheet, &ctx.data.monitoring)?;
    let import = plan_import(&table, &ctx.data.monitoring, |name| {
        ctx.resolve_name(name)
            .map(|(m, warning)| (m.id.clone(), warning))
            .map_err(|f| f.message)
    });
    // Guessed names are told whatever happens next, so a refused table is fixed in one go.
    for w in &import.warnings {
        crate::session::warn(&format!("{place}: {}", w.shown()));
    }
    let (planned, errors) = (import.planned, import.errors);
    let listed: Vec<String> = errors
        .iter()
        .map(|e| format!("  {place}: {}", e.shown()))
        .collect();
    if import.shape_wrong {
        return Err(Failure::new(format!(
            "ничего не записано: таблица устроена не так, как нужно:\n{}\n--skip-bad-rows здесь не поможет: он пропускает только строки с данными",
            listed.join("\n")
        )));
    }
    if !errors.is_empty() && !skip_bad {
        return Err(Failure::new(format!(
            "ничего не записано: в таблице ошибки ({})\n{}\nисправьте их или добавьте --skip-bad-rows, чтобы записать остальные строки",
            errors.len(),
            listed.join("\n")
        )));
    }
    let stamp = ctx.stamp()?;
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    let (written, count) = ctx.change_scores(
        |campaign| {
            planned
                .iter()
                .map(|(id, scores)| {
                    // Each change touches its own indicator, so all are made against one record.
                    let record = campaign.record_or_empty(id);
                    let changes = scores
                        .iter()
                        .filter(|(ind, v)| record.scores.get(ind).map(|s| s.value) != Some(*v))
                        .map(|(ind, v)| Change::score(&record, ind, Some(*v), &stamp))
                        .collect();
                    (id.clone(), changes)
                })
                .collect()
        },
        |count| format!("Мониторинг: баллов из «{file}»: {count}"),
    )?;
    if !listed.is_empty() {
        crate::session::warn(&format!(
            "пропущены строки с ошибками ({}):\n{}",
            errors.len(),
            listed.join("\n")
        ));
    }
    outln!(
        "загружено баллов: {count}, изменено муниципалитетов: {written}, строк с данными: {}",
        planned.len()
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_csv;

    #[test]
    fn the_separator_is_counted_outside_quotes() {
        let rows = parse_csv("\"Муниципалитет, название, вид\";I1;I2\nУйский МР;1;2\n");
        assert_eq!(rows[0], ["Муниципалитет, название, вид", "I1", "I2"]);
        assert_eq!(rows[1], ["Уйский МР", "1", "2"]);
        let rows = parse_csv("a,b;c,d\n");
        assert_eq!(rows[0], ["a", "b;c", "d"]);
        // A quote inside a bare cell is the cell's own; a quoted cell may hold a line break.
        let rows = parse_csv("Уйский МР;15\"5;\"два\nряда\"\r\nАшинский МР;;\"\"\"\"\n");
        assert_eq!(rows[0], ["Уйский МР", "15\"5", "два\nряда"]);
        assert_eq!(rows[1], ["Ашинский МР", "", "\""]);
    }
}
