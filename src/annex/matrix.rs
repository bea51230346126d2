//! The cluster matrix: one row per municipality (registry order) with id, name, kind,
//! status, and per dimension the suggested cluster, the decided cluster and the reason of an
//! override. As CSV (UTF-8 with BOM and «;», which Excel with Russian settings opens as
//! columns) and as XLSX.

use super::document::latest_change;
use crate::data::DataSet;
use crate::model::agreement::{Agreement, measure};
use crate::model::campaign::Campaign;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook,
};

/// The fill of a decision that departs from the suggestion (light orange).
const OVERRIDE_FILL: u32 = 0xFCE4D6;
/// The fill of a dimension with no decision yet (light yellow).
const GAP_FILL: u32 = 0xFFF2CC;

/// The header of a reviewer's column: «Потребность: оценка Иванова».
const RATING: &str = ": оценка ";

pub fn matrix_header(data: &DataSet, campaign: &Campaign) -> Vec<String> {
    let mut h: Vec<String> = ["id", "муниципалитет", "вид", "статус"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let reviewers = campaign.reviewers();
    for d in &data.dimensions.0 {
        let col = d.column();
        h.push(format!("{col}: подсказка"));
        for who in &reviewers {
            h.push(format!("{col}{RATING}{who}"));
        }
        h.push(format!("{col}: решение"));
        h.push(format!("{col}: причина"));
    }
    h
}

pub fn matrix_rows(data: &DataSet, campaign: &Campaign) -> Vec<Vec<String>> {
    let reviewers = campaign.reviewers();
    data.registry
        .municipalities
        .iter()
        .map(|m| {
            let r = campaign.record_or_empty(&m.id);
            let r = r.live(&data.protocol);
            let mut row = vec![
                m.id.clone(),
                m.name.clone(),
                m.kind.clone(),
                r.derive_status(&data.protocol, &data.dimensions)
                    .label()
                    .to_string(),
            ];
            for d in &data.dimensions.0 {
                let suggested = d.suggest(&r.answers, &data.protocol).map(|s| s.cluster);
                let decision = r.decisions.get(&d.id);
                row.push(suggested.map(|c| c.to_string()).unwrap_or_default());
                for who in &reviewers {
                    let rating = r.ratings.get(&d.id).and_then(|m| m.get(who));
                    row.push(rating.map(|d| d.cluster.to_string()).unwrap_or_default());
                }
                row.push(decision.map(|d| d.cluster.to_string()).unwrap_or_default());
                row.push(decision.and_then(|d| d.reason.clone()).unwrap_or_default());
            }
            row
        })
        .collect()
}

/// A cell as text Excel will not run: free text (reasons, notes) that starts like a formula
/// gets a leading apostrophe (OWASP's advice against CSV injection).
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn matrix_csv(data: &DataSet, campaign: &Campaign) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let rows = std::iter::once(matrix_header(data, campaign)).chain(matrix_rows(data, campaign));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&cells.join(";"));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// The font of every cell: the font of the letter it goes with.
const FONT: &str = "Times New Roman";

/// Points per line of text in a row.
const LINE: f64 = 15.0;

/// The formats of the matrix's cells: plain, a decision that departs from its suggestion, a
/// decision missing, the header.
struct Looks {
    plain: Format,
    overridden: Format,
    missing: Format,
    head: Format,
    bold: Format,
    unwrapped: Format,
}

impl Looks {
    fn new() -> Looks {
        let plain = Format::new()
            .set_font_name(FONT)
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin);
        Looks {
            overridden: plain
                .clone()
                .set_background_color(Color::RGB(OVERRIDE_FILL)),
            missing: plain.clone().set_background_color(Color::RGB(GAP_FILL)),
            head: plain.clone().set_bold(),
            bold: Format::new().set_font_name(FONT).set_bold(),
            unwrapped: Format::new()
                .set_font_name(FONT)
                .set_align(FormatAlign::Top)
                .set_border(FormatBorder::Thin),
            plain,
        }
    }
}

/// The matrix's columns on its sheet, as indexes into [`matrix_header`]: the municipality
/// first, then each dimension's suggestion, ratings and decision (what is printed), then
/// the reasons and the id (on screen, to filter; the reasons print on a sheet of their
/// own). Returns the order and how many columns print.
fn sheet_order(header: &[String]) -> (Vec<usize>, usize) {
    let reason = |c: &usize| header[*c].ends_with(": причина");
    let mut order: Vec<usize> = (1..header.len()).filter(|c| !reason(c)).collect();
    let printed = order.len();
    order.extend((1..header.len()).filter(reason));
    order.push(0);
    (order, printed)
}

/// Whether a column holds clusters (numbers on the sheet).
fn cluster_column(h: &str) -> bool {
    h.ends_with(": подсказка") || h.ends_with(": решение") || h.contains(RATING)
}

/// Lines a cell takes at a column `width` characters wide.
fn lines(cell: &str, width: usize) -> usize {
    cell.split('\n')
        .map(|l| l.chars().count().div_ceil(width.max(1)).max(1))
        .sum()
}

pub fn matrix_xlsx(data: &DataSet, campaign: &Campaign) -> Result<Vec<u8>, String> {
    let err = |e: rust_xlsxwriter::XlsxError| format!("не удалось собрать XLSX: {e}");
    let mut wb = Workbook::new();
    // The document date is the latest change in the campaign, so the bytes follow the input.
    let date = latest_change(campaign).unwrap_or_else(|| "2000-01-01T00:00:00Z".into());
    let when = ExcelDateTime::parse_from_str(&date)
        .or_else(|_| ExcelDateTime::parse_from_str("2000-01-01T00:00:00Z"))
        .map_err(err)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(&campaign.meta.title)
            .set_creation_datetime(&when),
    );
    let looks = Looks::new();
    clusters_sheet(wb.add_worksheet(), data, campaign, &looks).map_err(err)?;
    reasons_sheet(wb.add_worksheet(), data, campaign, &looks).map_err(err)?;
    if !campaign.reviewers().is_empty() {
        agreement_sheet(wb.add_worksheet(), data, campaign, &looks).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

/// The matrix to filter on screen and to print: overrides and gaps filled, with a legend;
/// rows as high as their wrapped text; the decisions print on A4 landscape at a readable
/// scale, the reasons on their own sheet.
fn clusters_sheet(
    ws: &mut rust_xlsxwriter::Worksheet,
    data: &DataSet,
    campaign: &Campaign,
    looks: &Looks,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    ws.set_name("Кластеры")?;
    let header = matrix_header(data, campaign);
    let rows = matrix_rows(data, campaign);
    let (order, printed) = sheet_order(&header);
    let raters = campaign.reviewers().len();
    let width = |c: usize| -> usize {
        if header[c].ends_with(": причина") {
            return 40;
        }
        let longest = rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0);
        longest.max(header[c].chars().count().min(12)).clamp(6, 28)
    };
    let widths: Vec<usize> = order.iter().map(|&c| width(c)).collect();
    let table = std::iter::once(&header).chain(rows.iter());
    for (r, row) in table.enumerate() {
        let mut tallest = 1;
        for (at, &c) in order.iter().enumerate() {
            let cell = &row[c];
            let decision = header[c].ends_with(": решение");
            let look = match r {
                0 => &looks.head,
                _ if decision && cell.is_empty() => &looks.missing,
                _ if decision
                    && !row[c - 1 - raters].is_empty()
                    && *cell != row[c - 1 - raters] =>
                {
                    &looks.overridden
                }
                _ => &looks.plain,
            };
            let (r32, col) = (r as u32, at as u16);
            if r > 0 && cluster_column(&header[c]) {
                let centred = look.clone().set_align(FormatAlign::Center);
                match cell.parse::<u8>() {
                    Ok(n) => ws.write_number_with_format(r32, col, n, &centred)?,
                    Err(_) => ws.write_string_with_format(r32, col, cell, &centred)?,
                };
            } else if r > 0 && at >= printed {
                // Not printed (the reasons have their own sheet): one line each on screen,
                // so the printed rows keep the height of what they show.
                ws.write_string_with_format(r32, col, cell, &looks.unwrapped)?;
                continue;
            } else {
                ws.write_string_with_format(r32, col, cell, look)?;
            }
            tallest = tallest.max(lines(cell, widths[at]));
        }
        ws.set_row_height(r as u32, LINE * tallest as f64)?;
    }
    for (at, w) in widths.iter().enumerate() {
        ws.set_column_width(at as u16, *w as f64)?;
    }
    ws.set_freeze_panes(1, 1)?;
    let last_row = rows.len() as u32;
    ws.autofilter(0, 0, last_row, order.len() as u16 - 1)?;
    let legend = last_row + 2;
    ws.write_string_with_format(legend, 0, "Обозначения:", &looks.bold)?;
    ws.write_string_with_format(
        legend + 1,
        0,
        "решение расходится с подсказкой",
        &looks.overridden,
    )?;
    ws.write_string_with_format(legend + 2, 0, "решения ещё нет", &looks.missing)?;
    ws.set_print_area(0, 0, legend + 2, printed as u16 - 1)?;
    print_setup(ws, "Кластеры муниципальных образований")
}

/// A4 landscape, one page wide, the header row on every page, page numbers.
fn print_setup(
    ws: &mut rust_xlsxwriter::Worksheet,
    title: &str,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    ws.set_header(format!("&C&\"{FONT}\"&12{title}"));
    ws.set_footer(format!("&C&\"{FONT}\"страница &P из &N"));
    Ok(())
}

/// The reasons of decisions that have one, a row each, to read on paper.
fn reasons_sheet(
    ws: &mut rust_xlsxwriter::Worksheet,
    data: &DataSet,
    campaign: &Campaign,
    looks: &Looks,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    ws.set_name("Причины")?;
    let header = [
        "муниципалитет",
        "измерение",
        "подсказка",
        "решение",
        "причина",
    ];
    let widths = [26usize, 30, 11, 9, 70];
    let mut rows: Vec<[String; 5]> = Vec::new();
    for m in &data.registry.municipalities {
        let r = campaign.record_or_empty(&m.id);
        let r = r.live(&data.protocol);
        for d in &data.dimensions.0 {
            let Some(decision) = r.decisions.get(&d.id) else {
                continue;
            };
            let Some(reason) = decision.reason.clone().filter(|t| !t.trim().is_empty()) else {
                continue;
            };
            let suggested = d.suggest(&r.answers, &data.protocol).map(|s| s.cluster);
            rows.push([
                m.name.clone(),
                d.title.clone(),
                suggested.map(|c| c.to_string()).unwrap_or_default(),
                decision.cluster.to_string(),
                reason,
            ]);
        }
    }
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &looks.head)?;
        ws.set_column_width(c as u16, widths[c] as f64)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r32 = r as u32 + 1;
        let mut tallest = 1;
        for (c, cell) in row.iter().enumerate() {
            match cell.parse::<u8>() {
                Ok(n) if c == 2 || c == 3 => {
                    let centred = looks.plain.clone().set_align(FormatAlign::Center);
                    ws.write_number_with_format(r32, c as u16, n, &centred)?
                }
                _ => ws.write_string_with_format(r32, c as u16, cell, &looks.plain)?,
            };
            tallest = tallest.max(lines(cell, widths[c]));
        }
        ws.set_row_height(r32, LINE * tallest as f64)?;
    }
    ws.set_row_height(0, LINE)?;
    print_setup(ws, "Причины решений по кластерам")
}

/// The reviewers' agreement, as [`agreement_rows`] gives it.
fn agreement_sheet(
    ws: &mut rust_xlsxwriter::Worksheet,
    data: &DataSet,
    campaign: &Campaign,
    looks: &Looks,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let ids = data.registry.ids();
    let agreement = measure(campaign, &ids, &data.dimensions, &data.protocol);
    ws.set_name("Согласие")?;
    for (r, row) in agreement_rows(data, &agreement).iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(n) if c > 1 => ws
                    .write_number_with_format(r, c, n, &looks.plain)
                    .map(|_| ()),
                _ if cell.is_empty() => Ok(()),
                _ if r == 0 => ws
                    .write_string_with_format(r, c, cell, &looks.head)
                    .map(|_| ()),
                _ => ws
                    .write_string_with_format(r, c, cell, &looks.plain)
                    .map(|_| ()),
            }?;
        }
    }
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 18)?;
    ws.set_column_width(2, 26)?;
    Ok(())
}

/// The agreement as a table: a header, then a row per dimension, per pair of reviewers, per
/// rule that suggested, and per disagreement; the first cell says which. Numbers with a dot.
pub fn agreement_rows(data: &DataSet, a: &Agreement) -> Vec<Vec<String>> {
    let mut rows = vec![
        [
            "вид строки",
            "измерение",
            "кто / правило / муниципалитет",
            "оценены ≥2 / оба оценили / решено",
            "единогласно / — / расходится",
            "% / каппа / кластер",
            "альфа / — / окончательно",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for d in &a.dimensions {
        rows.push(vec![
            "измерение".into(),
            d.dimension.clone(),
            String::new(),
            d.rated_by_several.to_string(),
            d.unanimous.to_string(),
            d.percent().cell(),
            d.alpha.cell(),
        ]);
        for p in &d.pairs {
            rows.push(vec![
                "пара".into(),
                d.dimension.clone(),
                format!("{} / {}", p.first, p.second),
                p.both.to_string(),
                String::new(),
                p.kappa.cell(),
                String::new(),
            ]);
        }
        for r in &d.rules {
            rows.push(vec![
                "правило".into(),
                d.dimension.clone(),
                r.rule
                    .map_or_else(|| "без подсказки".into(), |i| (i + 1).to_string()),
                r.decided.to_string(),
                r.departed.to_string(),
                r.cluster.map_or_else(String::new, |c| c.to_string()),
                String::new(),
            ]);
        }
    }
    for q in &a.queue {
        let name = data
            .registry
            .get(&q.municipality)
            .map_or(q.municipality.clone(), |m| m.name.clone());
        rows.push(vec![
            "расхождение".into(),
            q.dimension.clone(),
            name,
            String::new(),
            String::new(),
            q.choices_text(false),
            q.final_cluster.map_or_else(String::new, |c| c.to_string()),
        ]);
    }
    rows
}
