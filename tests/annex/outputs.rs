//! The outputs: Markdown, DOCX, CSV and XLSX.

use super::*;

#[test]
fn golden_markdown_of_the_reconstruction() {
    let data = data();
    let campaign = recon(&data);
    insta::assert_snapshot!(annex::render_markdown(
        &data,
        &campaign,
        &Template::builtin()
    ));
}

#[test]
fn docx_is_a_package_with_every_list_and_same_bytes() {
    let data = data();
    let campaign = recon(&data);
    let t = Template::builtin();
    let bytes = annex::render_docx(&data, &campaign, &t).unwrap();
    let again = annex::render_docx(&data, &campaign, &t).unwrap();
    assert!(bytes == again, "тот же вход — те же байты");
    let parts = unzip(&bytes);
    for part in [
        "[Content_Types].xml",
        "word/document.xml",
        "word/styles.xml",
        "docProps/core.xml",
    ] {
        assert!(parts.contains_key(part), "{part}: {:?}", parts.keys());
    }
    let core = &parts["docProps/core.xml"];
    assert!(core.contains("2022-10-18T00:00:00Z"), "{core}");
    // A draft (the letter's own gaps) says so first, and its gaps start a page of their own.
    let xml = &parts["word/document.xml"];
    let draft = xml.find(">ПРОЕКТ<").expect("ПРОЕКТ");
    assert!(
        draft < xml.find("Приложение").unwrap(),
        "ПРОЕКТ before the corner"
    );
    let gaps = xml.find("Требует внимания").unwrap();
    let before = xml[..gaps]
        .rfind("<w:p>")
        .or_else(|| xml[..gaps].rfind("<w:p "))
        .unwrap();
    assert!(
        xml[before..gaps].contains("pageBreakBefore"),
        "{}",
        &xml[before..gaps]
    );
    let styles = &parts["word/styles.xml"];
    assert!(
        styles.contains("Times New Roman") && styles.contains("Heading1"),
        "{styles}"
    );
    let text = docx_text(&parts["word/document.xml"]);
    for (key, members) in annex::lists(&data, &campaign, &t) {
        if members.is_empty() {
            continue;
        }
        let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
        let genitive: Vec<&str> = members.iter().map(|m| m.genitive.as_str()).collect();
        // Every list the annex prints (the Markdown of the same document) is in the DOCX.
        let markdown = annex::render_markdown(&data, &campaign, &t).replace('\u{a0}', " ");
        let printed = |t: &str| t.contains(&names.join(", ")) || t.contains(&genitive.join(", "));
        if !printed(&markdown) {
            continue;
        }
        let text = text.replace('\u{a0}', " ");
        assert!(printed(&text), "в DOCX нет списка {key}");
    }
    assert!(text.contains("4.1. Разработать"), "явные номера пунктов");
    // The letter's own unassigned municipalities are not the draft's gaps.
    assert!(!text.contains("Не распределены по измерению"));
}

/// One CSV line with «;» and quoted fields.
fn csv_row(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ';' if !quoted => cells.push(String::new()),
            c => cells.last_mut().unwrap().push(c),
        }
    }
    cells
}

#[test]
fn csv_and_xlsx_hold_the_cluster_matrix() {
    let data = data();
    let campaign = recon(&data);
    let csv = String::from_utf8(annex::matrix_csv(&data, &campaign)).unwrap();
    assert!(csv.starts_with('\u{feff}'), "BOM для Excel");
    let rows: Vec<Vec<String>> = csv
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(csv_row)
        .collect();
    assert_eq!(rows.len(), 44);
    assert_eq!(
        rows[0],
        [
            "id",
            "муниципалитет",
            "вид",
            "статус",
            "Обучение: подсказка",
            "Обучение: решение",
            "Обучение: причина",
            "Пр.офис: подсказка",
            "Пр.офис: решение",
            "Пр.офис: причина",
            "Актив: подсказка",
            "Актив: решение",
            "Актив: причина",
        ]
    );
    let row = |id: &str| rows.iter().find(|r| r[0] == id).unwrap().clone();
    assert!(
        rows.iter().all(|r| r.len() == 13),
        "в каждой строке 13 столбцов"
    );
    let kus = row("kusinsky-mr");
    assert_eq!(&kus[1..4], ["Кусинский МР", "МР", "идёт"]);
    assert_eq!(&kus[4..7], ["1", "1", ""]);
    assert_eq!(&kus[10..13], ["2", "2", ""]);
    let snezh = row("snezhinsky-go");
    assert_eq!(&snezh[4..6], ["", ""], "пробел письма остаётся пробелом");
    let varn = row("varnensky-mr");
    assert_eq!(
        varn[7], "",
        "во 2-м кластере проектного офиса ответ не записан"
    );
    assert_eq!(varn[8], "2");
    assert!(varn[9].contains("что именно — не сказано"), "{varn:?}");
    assert_eq!(rows[1][0], "agapovsky-mr", "порядок реестра");

    let xlsx = annex::matrix_xlsx(&data, &campaign).unwrap();
    assert!(
        xlsx == annex::matrix_xlsx(&data, &campaign).unwrap(),
        "тот же вход — те же байты"
    );
    let parts = unzip(&xlsx);
    let shared = &parts["xl/sharedStrings.xml"];
    for h in [
        "муниципалитет",
        "Обучение: решение",
        "Актив: причина",
        "Кусинский МР",
    ] {
        assert!(shared.contains(h), "{h}");
    }
    let sheet = &parts["xl/worksheets/sheet1.xml"];
    let styles = &parts["xl/styles.xml"];
    // 43 rows under the header, then a legend two rows below the table.
    assert!(
        sheet.contains("<dimension ref=\"A1:M48\"/>"),
        "{}",
        &sheet[..300.min(sheet.len())]
    );
    assert!(parts["docProps/core.xml"].contains("2022-10-18"));
    // A table to print and filter: landscape A4, one page wide, the header row on every
    // page, a filter, widths fitted, the municipality first, clusters as numbers, rows as
    // high as their text, Times New Roman, overrides and gaps filled, with a legend; the
    // decisions print (not the reasons and ids, which are there to filter on screen), and
    // the reasons print on a sheet of their own.
    assert!(sheet.contains("orientation=\"landscape\""), "landscape");
    assert!(sheet.contains("fitToHeight=\"0\""), "one page wide");
    assert!(sheet.contains("<autoFilter ref=\"A1:M44\"/>"), "a filter");
    assert!(
        sheet.contains("<cols>") && sheet.contains("customWidth=\"1\""),
        "widths"
    );
    assert!(
        parts["xl/workbook.xml"].contains("_xlnm.Print_Titles"),
        "the header row repeats"
    );
    let numbers = sheet
        .split("<c ")
        .skip(1)
        .filter(|c| c.contains("<v>") && !c.contains("t=\"s\""))
        .count();
    // Six cluster columns, 43 rows, less the letter's gaps and answers it did not record.
    assert!(numbers > 200, "clusters are numbers: {numbers}");
    assert!(sheet.contains("customHeight=\"1\""), "row heights");
    assert!(styles.contains("Times New Roman"), "{styles}");
    let workbook = &parts["xl/workbook.xml"];
    assert!(
        workbook.contains("_xlnm.Print_Area") && workbook.contains("Кластеры!$A$1:$I$"),
        "{workbook}"
    );
    assert!(workbook.contains("name=\"Причины\""), "{workbook}");
    let reasons = &parts["xl/worksheets/sheet2.xml"];
    assert!(reasons.contains("customHeight=\"1\""), "{reasons}");
    assert!(
        shared.contains("что именно — не сказано"),
        "the reasons are in the book"
    );
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx.clone())).unwrap();
    let range = book.worksheet_range("Кластеры").unwrap();
    let cell = |r: u32, c: u32| range.get_value((r, c)).map(|v| v.to_string());
    assert_eq!(cell(0, 0).as_deref(), Some("муниципалитет"));
    assert_eq!(cell(1, 0).as_deref(), Some("Агаповский МР"), "names first");
    assert_eq!(cell(0, 12).as_deref(), Some("id"), "the id last");
    assert!(shared.contains("Обозначения:") && shared.contains("решение расходится с подсказкой"));
    assert!(
        styles.contains("FCE4D6") && styles.contains("FFF2CC"),
        "{styles}"
    );
    // A matrix of an unfinished campaign exports: it is a working table, gaps marked.
    let tmp = tempfile::tempdir().unwrap();
    let mut unfinished = campaign.clone();
    unfinished.records.remove("uysky-mr");
    unfinished.add_missing(["uysky-mr"]);
    let written = annex::export(
        &data,
        &unfinished,
        None,
        Format::Xlsx,
        &tmp.path().join("m.xlsx"),
        ExportOptions::default(),
    );
    assert!(written.is_ok(), "{written:?}");
}

/// The DOCX reads as Russian to Word and LibreOffice: language, hyphenation, non-breaking
/// spaces where Russian typesetting wants them, and properties that say who issued it.
#[test]
fn the_docx_is_typeset_in_russian_and_says_who_issued_it() {
    let data = data();
    let campaign = recon(&data);
    let bytes = annex::render(&data, &campaign, Some(&Template::builtin()), Format::Docx).unwrap();
    let parts = unzip(&bytes);
    assert!(parts["word/settings.xml"].contains("<w:autoHyphenation w:val=\"true\" />"));
    assert!(parts["word/styles.xml"].contains("<w:lang w:val=\"ru-RU\""));
    let core = &parts["docProps/core.xml"];
    assert!(!core.contains("unknown"), "{core}");
    assert!(
        core.contains("<dc:creator>ГБУ ДПО «Челябинский институт"),
        "{core}"
    );
    assert!(core.contains("<dc:title>Итоги собеседования"), "{core}");
    assert!(
        core.contains(&format!("<dc:subject>{}</dc:subject>", campaign.meta.title)),
        "{core}"
    );
    assert!(core.contains("<dc:language>ru-RU</dc:language>"), "{core}");
    let text = docx_text(&parts["word/document.xml"]);
    assert!(
        text.contains("Челябинский\u{a0}ГО"),
        "a name keeps its kind"
    );
    assert!(text.contains("№\u{a0}10211"), "№ keeps its number");
    assert!(
        text.contains("\u{a0}— "),
        "a dash keeps to the word before it"
    );
    assert!(
        !text.contains("Челябинский ГО"),
        "no breakable space inside a name"
    );
    // The same campaign gives the same bytes.
    let again = annex::render(&data, &campaign, Some(&Template::builtin()), Format::Docx).unwrap();
    assert_eq!(bytes, again);
}
