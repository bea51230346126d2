//! The cluster matrix: one row per municipality (registry order) with id, name, kind,
//! status, and per dimension the suggested cluster, the decided cluster and the reason of an
//! override. As CSV (UTF-8 with BOM and «;», which Excel with Russian settings opens as
//! columns) and as XLSX.

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

pub fn matrix_xlsx(data: &DataSet, campaign: &Campaign) -> Result<Vec<u8>, String> {
    let err = |e: rust_xlsxwriter::XlsxError| format!("не удалось собрать XLSX: {e}");
    let mut wb = Workbook::new();
    // The document date is the latest change in the campaign, so the bytes follow the input.
    let date = super::latest_change(campaign).unwrap_or_else(|| "2000-01-01T00:00:00Z".into());
    let when = ExcelDateTime::parse_from_str(&date)
        .or_else(|_| ExcelDateTime::parse_from_str("2000-01-01T00:00:00Z"))
        .map_err(err)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(&campaign.meta.title)
            .set_creation_datetime(&when),
    );
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("Кластеры").map_err(err)?;
    let header = matrix_header(data, campaign);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &head)
            .map_err(err)?;
    }
    // Overrides and gaps are seen at once on paper: a fill each, and a legend below.
    let plain = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let overridden = plain
        .clone()
        .set_background_color(Color::RGB(OVERRIDE_FILL));
    let missing = plain.clone().set_background_color(Color::RGB(GAP_FILL));
    let rows = matrix_rows(data, campaign);
    let decision_of = |c: usize| header[c].ends_with(": решение");
    let raters = campaign.reviewers().len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count().min(16)).collect();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let suggested = &row[c.saturating_sub(1 + raters)];
            let format = if decision_of(c) && cell.is_empty() {
                &missing
            } else if decision_of(c) && !suggested.is_empty() && cell != suggested {
                &overridden
            } else {
                &plain
            };
            // Always a text cell (clusters too, as the README says), never a formula.
            ws.write_string_with_format(r as u32 + 1, c as u16, cell, format)
                .map_err(err)?;
            widths[c] = widths[c].max(cell.chars().count());
        }
    }
    // Reasons wrap at a readable width; short columns fit their contents.
    for (c, w) in widths.iter().enumerate() {
        let width = if header[c].ends_with(": причина") {
            40
        } else {
            (*w).clamp(6, 28)
        };
        ws.set_column_width(c as u16, width as f64).map_err(err)?;
    }
    ws.set_freeze_panes(1, 2).map_err(err)?;
    let last_row = rows.len() as u32;
    ws.autofilter(0, 0, last_row, header.len() as u16 - 1)
        .map_err(err)?;
    let legend = last_row + 2;
    ws.write_string_with_format(legend, 1, "Обозначения:", &bold)
        .map_err(err)?;
    ws.write_string_with_format(
        legend + 1,
        1,
        "решение расходится с подсказкой",
        &overridden,
    )
    .map_err(err)?;
    ws.write_string_with_format(legend + 2, 1, "решения ещё нет", &missing)
        .map_err(err)?;
    // A4 landscape, one page wide, the header on every page.
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0).map_err(err)?;
    ws.set_header("&C&\"Times New Roman\"&12Кластеры муниципальных образований");
    ws.set_footer("&Cстраница &P из &N");
    if !campaign.reviewers().is_empty() {
        let ids = data.registry.ids();
        let agreement = measure(campaign, &ids, &data.dimensions, &data.protocol);
        let ws = wb.add_worksheet();
        ws.set_name("Согласие").map_err(err)?;
        for (r, row) in agreement_rows(data, &agreement).iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell.parse::<f64>() {
                    Ok(n) if c > 1 => ws.write_number(r, c, n).map(|_| ()),
                    _ if cell.is_empty() => Ok(()),
                    _ if r == 0 => ws.write_string_with_format(r, c, cell, &bold).map(|_| ()),
                    _ => ws.write_string(r, c, cell).map(|_| ()),
                }
                .map_err(err)?;
            }
        }
        ws.set_column_width(0, 14).map_err(err)?;
        ws.set_column_width(1, 18).map_err(err)?;
        ws.set_column_width(2, 26).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
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
