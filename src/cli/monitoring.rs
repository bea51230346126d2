//! The monitoring on the command line: levels per municipality and indicator, and the import
//! of the spreadsheet the monitoring arrives as (XLSX or CSV).

use super::out;
use crate::data::DataSet;
use crate::model::campaign::Campaign;
use crate::model::change::Change;
use crate::model::monitoring::{level_of, level_symbol, plan_import};
use crate::model::names::{Resolution, resolve};
use crate::session::Failure;
use crate::session::{Session, names};
use std::path::Path;

/// Municipality × indicator levels, the overall level (with last year's when known is left
/// to `compare`), and the share of municipalities at each level per indicator.
pub fn levels_report(data: &DataSet, campaign: &Campaign, tsv: bool) -> String {
    let m = &data.monitoring;
    let indicators: Vec<_> = m.indicators().map(|(_, i)| i).collect();
    let mut text = String::new();
    if tsv {
        for mun in &data.registry.municipalities {
            let record = campaign.record_or_empty(&mun.id);
            for ind in &indicators {
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
        return text;
    }
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
    text.push_str(&format!(
        "Уровни по показателям: {}; · — балла нет\n\n",
        legend.join(", ")
    ));
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
        let scores = record.score_values();
        match m.overall_level(&scores) {
            Some((_, level)) => {
                let total: i64 = scores.values().sum();
                line.push_str(&format!("  {total:>4}  {}", level.name));
            }
            None => line.push_str("     ·  не все показатели"),
        }
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str("\nДоли муниципалитетов по уровням (от оценённых):\n");
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

/// A spreadsheet's first sheet, or a CSV file, as rows of cell texts.
fn read_table(path: &Path) -> Result<Vec<Vec<String>>, Failure> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let fail = |why: String| Failure::new(format!("{}: {why}", path.display()));
    if ext == "csv" || ext == "tsv" || ext == "txt" {
        let text = crate::storage::read_text(path)?;
        return Ok(parse_csv(text.trim_start_matches('\u{feff}')));
    }
    if !matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "ods") {
        return Err(fail("ожидалась таблица XLSX, XLS, ODS или CSV".into()));
    }
    use calamine::{Data, Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(path)
        .map_err(|e| fail(format!("не удалось прочитать как таблицу ({e})")))?;
    let Some(sheet) = wb.sheet_names().first().cloned() else {
        return Err(fail("в книге нет листов".into()));
    };
    let range = wb
        .worksheet_range(&sheet)
        .map_err(|e| fail(format!("лист «{sheet}»: {e}")))?;
    // Rows and columns before the used range are empty, so positions stay the sheet's own.
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); top as usize];
    for row in range.rows() {
        let mut cells = vec![String::new(); left as usize];
        cells.extend(row.iter().map(|c| match c {
            Data::Empty => String::new(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) => f.to_string(),
            Data::String(s) => s.clone(),
            Data::Bool(b) => b.to_string(),
            other => other.to_string(),
        }));
        rows.push(cells);
    }
    Ok(rows)
}

/// CSV as Excel writes it: «;», «,» or tab between cells (whichever the first line has most
/// of), quotes around cells that need them, doubled quotes inside.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let first = text.lines().next().unwrap_or("");
    let sep = [';', '\t', ',']
        .into_iter()
        .max_by_key(|s| first.matches(*s).count())
        .unwrap_or(';');
    let mut rows = Vec::new();
    let (mut row, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => row.push(std::mem::take(&mut cell)),
            '\r' if !quoted => {}
            '\n' if !quoted => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            c => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

/// Imports the monitoring's scores: nothing is written unless every row is right, or with
/// `skip_bad` the good rows are and the bad ones are listed.
pub fn cmd_import(ctx: &Session, path: &Path, skip_bad: bool) -> Result<(), Failure> {
    let rows = read_table(path)?;
    let registry = &ctx.data.registry;
    let (planned, errors) = plan_import(&rows, &ctx.data.monitoring, |name| {
        match resolve(registry, name) {
            Resolution::Found { municipality, .. } => Ok(municipality.id.clone()),
            Resolution::Ambiguous(list) => Err(format!(
                "«{name}» подходит к нескольким муниципалитетам: {}",
                names(&list)
            )),
            Resolution::Unknown { .. } if name.is_empty() => {
                Err("нет названия муниципалитета".into())
            }
            Resolution::Unknown { closest } => Err(format!(
                "муниципалитет «{name}» не найден; ближайшие: {}",
                names(&closest)
            )),
        }
    });
    let listed: Vec<String> = errors
        .iter()
        .map(|e| format!("  {}: {}", path.display(), e.shown()))
        .collect();
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
        eprintln!("sobes: пропущены строки с ошибками ({}):", errors.len());
        for l in &listed {
            eprintln!("{l}");
        }
    }
    outln!(
        "загружено баллов: {count}, изменено муниципалитетов: {written}, строк с данными: {}",
        planned.len()
    )?;
    Ok(())
}
