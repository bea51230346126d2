//! A workbook (XLSX, XLS, ODS) read into the table an import plans from: its size bounded,
//! the sheet chosen (or found, when the first has no table), each cell as the sheet shows
//! it, header numbers as their format shows them, and formulas whose values the file does
//! not hold refused.

use crate::model::collate::escape_controls;
use crate::model::monitoring::{CellKind, Monitoring, Table, TableError, has_table};
use crate::session::Failure;
use crate::storage::describe_io;
use std::path::Path;

/// The table of a workbook and where it is, for the messages: the file, with the sheet when
/// the book has several.
pub(super) fn read_book(
    path: &Path,
    ext: &str,
    sheet: Option<&str>,
    monitoring: &Monitoring,
) -> Result<(Table, String), Failure> {
    use calamine::{Reader, open_workbook_auto_from_rs};
    let fail = |why: String| Failure::new(format!("{}: {why}", path.display()));
    let bytes = read_bounded(path).map_err(fail)?;
    let recalculated = if is_xlsx(ext) {
        recalculated_on_open(&bytes).map_err(|e| fail(damaged(ext, &e)))?
    } else {
        false
    };
    let mut wb = open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| fail(unreadable(ext, &e)))?;
    let names = wb.sheet_names();
    let listed = names
        .iter()
        .map(|n| format!("«{}»", escape_controls(n)))
        .collect::<Vec<_>>()
        .join(", ");
    let chosen = choose_sheet(&names, sheet, &listed).map_err(fail)?;
    let place = if names.len() > 1 {
        format!("{}, лист «{}»", path.display(), escape_controls(&chosen))
    } else {
        path.display().to_string()
    };
    let (mut table, range) = sheet_table(&mut wb, &chosen)
        .map_err(|e| Failure::new(format!("{place}: {}", unreadable(ext, &e))))?;
    if sheet.is_none() && names.len() > 1 && !has_table(&table, monitoring) {
        let choose = where_the_table_is(&mut wb, &names, monitoring);
        return Err(fail(format!(
            "на первом листе «{}» нет таблицы мониторинга (строки заголовков «Муниципалитет | 1.1 | 1.2 | …» и строк под ней); листы в книге: {listed}; {choose}",
            escape_controls(&chosen)
        )));
    }
    refuse_unsaved(&mut wb, &chosen, &range, recalculated, ext, &place)?;
    header_as_shown(&mut wb, &chosen, &range, &mut table);
    Ok((table, place))
}

fn is_xlsx(ext: &str) -> bool {
    matches!(ext, "xlsx" | "xlsm")
}

/// The book's bytes, read once and bounded: calamine reads the sheets from them, and the
/// check for values a program left out reads the workbook's own part from them too.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let len = std::fs::metadata(path).map_err(|e| describe_io(&e))?.len();
    if len > MAX_BOOK_BYTES {
        return Err(format!(
            "файл слишком большой ({len} байт, можно до {MAX_BOOK_BYTES}): это не таблица мониторинга"
        ));
    }
    std::fs::read(path).map_err(|e| describe_io(&e))
}

/// The sheet asked for (`listed`: the book's sheets, for the message when it is not there),
/// else the first.
fn choose_sheet(names: &[String], sheet: Option<&str>, listed: &str) -> Result<String, String> {
    match sheet {
        Some(want) => {
            // As typed, else ignoring case, spaces and ё/е, as names are compared everywhere.
            let folded = crate::model::collate::fold(want);
            names
                .iter()
                .find(|n| n.as_str() == want)
                .or_else(|| {
                    names
                        .iter()
                        .find(|n| crate::model::collate::fold(n) == folded)
                })
                .cloned()
                .ok_or_else(|| {
                    format!(
                        "листа «{}» в книге нет; листы: {listed}",
                        escape_controls(want)
                    )
                })
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| "в книге нет листов".into()),
    }
}

/// What to do when the first sheet holds no table: the table is on another sheet more
/// often than it is missing, so the sheet that has it is named.
fn where_the_table_is(wb: &mut Book, names: &[String], monitoring: &Monitoring) -> String {
    let with_table: Vec<String> = names
        .iter()
        .skip(1)
        .filter(|n| sheet_table(wb, n).is_ok_and(|(t, _)| has_table(&t, monitoring)))
        .cloned()
        .collect();
    match with_table.as_slice() {
        [one] => format!(
            "таблица мониторинга — на листе «{0}»: добавьте --sheet \"{0}\"",
            escape_controls(one)
        ),
        _ => "выберите лист с таблицей: --sheet ИМЯ".into(),
    }
}

/// Refuses a sheet with formulas whose values the file does not hold, the first few named
/// at their `place`.
fn refuse_unsaved(
    wb: &mut Book,
    name: &str,
    range: &calamine::Range<calamine::Data>,
    recalculated: bool,
    ext: &str,
    place: &str,
) -> Result<(), Failure> {
    let unsaved = match unsaved_formulas(wb, name, range, recalculated) {
        Ok(found) => found,
        Err(e) if is_xlsx(ext) => {
            return Err(Failure::new(format!(
                "{place}: {}",
                damaged(ext, &e.to_string())
            )));
        }
        // XLS and ODS hold their formulas' values; the formulas are only looked at to be sure.
        Err(_) => Vec::new(),
    };
    if unsaved.is_empty() {
        return Ok(());
    }
    const SHOWN: usize = 5;
    let mut listed: Vec<String> = unsaved
        .iter()
        .take(SHOWN)
        .map(|e| format!("  {place}: {}", e.shown()))
        .collect();
    if unsaved.len() > SHOWN {
        listed.push(format!("  … и ещё {}", unsaved.len() - SHOWN));
    }
    Err(Failure::new(format!(
        "ничего не записано: в таблице формулы, значения которых не сохранены в файле ({}), и баллы из них не прочитать\n{}\nоткройте файл в Excel или LibreOffice и сохраните его: значения формул будут вычислены и записаны",
        unsaved.len(),
        listed.join("\n")
    )))
}

/// «файл повреждён…» with calamine's own words after it, for whoever has to look deeper.
fn unreadable(ext: &str, error: &calamine::Error) -> String {
    use calamine::{Error, XlsxError};
    match error {
        Error::Io(e) => format!("не удалось открыть: {}", describe_io(e)),
        Error::Xlsx(XlsxError::Password) => {
            "книга защищена паролем: снимите пароль в Excel и сохраните книгу".into()
        }
        Error::Xlsx(XlsxError::Io(e)) => {
            format!("не удалось прочитать: {}", describe_io(e))
        }
        e => damaged(ext, &e.to_string()),
    }
}

fn damaged(ext: &str, technical: &str) -> String {
    format!(
        "файл повреждён или это не книга {} (техническая причина: {technical})",
        ext.to_uppercase()
    )
}

type Book = calamine::Sheets<std::io::Cursor<Vec<u8>>>;

/// A monitoring workbook of thousands of rows is a few megabytes; anything far larger is
/// refused before it is read.
const MAX_BOOK_BYTES: u64 = 64 * 1024 * 1024;

/// A sheet as a table of the texts its cells show, at their own rows and columns; the kinds
/// of the header's cells that were not text.
fn sheet_table(
    wb: &mut Book,
    name: &str,
) -> Result<(Table, calamine::Range<calamine::Data>), calamine::Error> {
    use calamine::{Data, Reader};
    let range = wb.worksheet_range(name)?;
    // Rows and columns before the used range are empty, so positions stay the sheet's own.
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut table = Table::from_rows(vec![Vec::new(); top as usize]);
    let mut header_seen = false;
    for row in range.rows() {
        let mut cells = vec![String::new(); left as usize];
        let mut kinds = Vec::new();
        for (c, cell) in row.iter().enumerate() {
            let (text, kind) = match cell {
                Data::Empty => (String::new(), None),
                Data::String(s) => (s.clone(), None),
                Data::Int(i) => (i.to_string(), Some(CellKind::Number)),
                Data::Float(f) => (f.to_string(), Some(CellKind::Number)),
                Data::DateTime(d) if d.is_datetime() => {
                    let (y, m, day, h, min, _, _) = d.to_ymd_hms_milli();
                    let date = format!("{day:02}.{m:02}.{y}");
                    match (h, min) {
                        (0, 0) => (date, Some(CellKind::Date)),
                        _ => (format!("{date} {h:02}:{min:02}"), Some(CellKind::Date)),
                    }
                }
                Data::DateTime(d) => (d.as_f64().to_string(), Some(CellKind::OddNumber)),
                Data::Bool(true) => ("ИСТИНА".into(), None),
                Data::Bool(false) => ("ЛОЖЬ".into(), None),
                other => (other.to_string(), None),
            };
            if let Some(kind) = kind {
                kinds.push((left as usize + c, kind));
            }
            cells.push(text);
        }
        // Only the header's kinds matter (`plan_import` words its errors by them); keeping
        // the rest would cost a map entry per score.
        if !header_seen && cells.iter().any(|c| !c.trim().is_empty()) {
            header_seen = true;
            let at = table.rows.len();
            table
                .kinds
                .extend(kinds.into_iter().map(|(c, kind)| ((at, c), kind)));
        }
        table.rows.push(cells);
    }
    Ok((table, range))
}

/// A number as a cell format shows it, from the format's first section (the one for positive
/// numbers): as many decimals as it has «0», up to as many more as it has «#» or «?». None for
/// a format sobes does not repeat (percent, fraction, exponent).
fn shown_number(value: f64, code: &str) -> Option<String> {
    let mut section = String::new();
    let (mut chars, mut quoted) = (code.chars(), false);
    while let Some(ch) = chars.next() {
        match ch {
            '"' => quoted = !quoted,
            _ if quoted => {}
            // An escaped character, a space as wide as one, a fill: none is a digit.
            '\\' | '_' | '*' => {
                chars.next();
            }
            // Colours, conditions, locales.
            '[' => {
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                }
            }
            ';' => break,
            c => section.push(c),
        }
    }
    let section = section.trim();
    if section.is_empty() || section.eq_ignore_ascii_case("general") || section == "@" {
        return Some(value.to_string());
    }
    if section.contains(['%', '/', 'E', 'e']) || !section.contains(['0', '#', '?']) {
        return None;
    }
    let decimals = section.split_once('.').map_or("", |(_, d)| d);
    let least = decimals.chars().filter(|c| *c == '0').count();
    let most = least + decimals.chars().filter(|c| matches!(c, '#' | '?')).count();
    let mut text = format!("{value:.most$}");
    if let Some(point) = text.find('.') {
        while text.len() - point - 1 > least && text.ends_with('0') {
            text.pop();
        }
        if text.ends_with('.') {
            text.pop();
        }
    }
    Some(text)
}

/// Numbers in the header as their cells' formats show them: «1.10» in the format «0.00»
/// stays «1.10», where the stored number alone says «1.1».
fn header_as_shown(
    wb: &mut Book,
    name: &str,
    range: &calamine::Range<calamine::Data>,
    table: &mut Table,
) {
    use calamine::{Data, Reader};
    let numbers: Vec<(usize, usize)> = table
        .kinds
        .iter()
        .filter(|(_, k)| **k == CellKind::Number)
        .map(|(at, _)| *at)
        .collect();
    if numbers.is_empty() {
        return;
    }
    // Without the styles the stored number stands: a zero lost that way shows as two
    // columns for one indicator, which is refused with a hint anyway.
    let Ok(styles) = wb.worksheet_style(name) else {
        return;
    };
    for (r, c) in numbers {
        let at = (r as u32, c as u32);
        let value = match range.get_value(at) {
            Some(Data::Float(f)) => *f,
            Some(Data::Int(i)) => *i as f64,
            _ => continue,
        };
        let code = styles
            .get(at)
            .and_then(|s| s.number_format.as_ref())
            .map(|f| f.format_code.as_str());
        match code.map(|code| shown_number(value, code)) {
            Some(Some(text)) => table.rows[r][c] = text,
            Some(None) => {
                table.kinds.insert((r, c), CellKind::OddNumber);
            }
            None => {}
        }
    }
}

/// Whether the book asks to be recalculated when opened (`fullCalcOnLoad`): programs that
/// write formulas without computing them say so, and the values they store are placeholders.
fn recalculated_on_open(book: &[u8]) -> Result<bool, String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book)).map_err(|e| e.to_string())?;
    let mut text = String::new();
    match zip.by_name("xl/workbook.xml") {
        Ok(mut part) => part.read_to_string(&mut text).map_err(|e| e.to_string())?,
        // calamine found the workbook part by the package's relations: a book laid out
        // unlike Excel's, and not one written by the programs that leave values out.
        Err(_) => return Ok(false),
    };
    let calc = text
        .find("calcPr")
        .and_then(|at| text[at..].split('>').next())
        .unwrap_or("");
    // XML quotes an attribute either way.
    let calc = calc.replace('\'', "\"");
    Ok(calc.contains("fullCalcOnLoad=\"1\"") || calc.contains("fullCalcOnLoad=\"true\""))
}

/// Formulas whose values the file does not hold: read as nothing (or as the 0 a program put
/// there), they would load as missing or zero points.
fn unsaved_formulas(
    wb: &mut Book,
    name: &str,
    range: &calamine::Range<calamine::Data>,
    recalculated: bool,
) -> Result<Vec<TableError>, calamine::Error> {
    use calamine::{Data, Reader};
    let formulas = wb.worksheet_formula(name)?;
    let Some((top, left)) = formulas.start() else {
        return Ok(Vec::new());
    };
    let mut unsaved = Vec::new();
    for (r, row) in formulas.rows().enumerate() {
        for (c, formula) in row.iter().enumerate() {
            if formula.is_empty() {
                continue;
            }
            let at = (top + r as u32, left + c as u32);
            // An empty text is what a program writing no value leaves, too.
            let no_value = match range.get_value(at) {
                None | Some(Data::Empty) => true,
                Some(Data::String(s)) => s.is_empty(),
                _ => false,
            };
            if recalculated || no_value {
                unsaved.push(TableError {
                    row: at.0 as usize + 1,
                    col: Some(at.1 as usize + 1),
                    message: format!("формула «={formula}» без сохранённого значения"),
                });
            }
        }
    }
    Ok(unsaved)
}

#[cfg(test)]
mod tests {
    use super::shown_number;

    #[test]
    fn header_numbers_are_shown_as_their_format_shows_them() {
        assert_eq!(shown_number(1.1, "General").as_deref(), Some("1.1"));
        assert_eq!(shown_number(1.1, "0.00").as_deref(), Some("1.10"));
        assert_eq!(shown_number(1.1, "0.0#").as_deref(), Some("1.1"));
        assert_eq!(shown_number(1.25, "0.0#").as_deref(), Some("1.25"));
        assert_eq!(shown_number(2.0, "0").as_deref(), Some("2"));
        assert_eq!(
            shown_number(1.1, "\"Показатель \"0.00;[Red]-0.00").as_deref(),
            Some("1.10")
        );
        assert_eq!(shown_number(1.1, "#,##0.00_)").as_deref(), Some("1.10"));
        assert_eq!(shown_number(0.011, "0.0%"), None);
        assert_eq!(shown_number(1.1, "# ?/?"), None);
    }
}
