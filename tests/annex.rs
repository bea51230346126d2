//! The annex: lists from the campaign, the reconstruction of 2022 against the letter, the
//! outputs (Markdown, DOCX, CSV, XLSX) and the refusals of an export.

use sobes::annex::{self, ExportOptions, Format};
use sobes::data::{DataSet, Overrides};
use sobes::model::campaign::Campaign;
use sobes::model::change::{Change, apply};
use sobes::model::template::Template;
use sobes::storage;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

const RECON: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/campaigns/chelyabinsk-2022"
);

fn data() -> DataSet {
    DataSet::load(&Overrides::default(), None).expect("built-in data")
}

fn recon(data: &DataSet) -> Campaign {
    storage::load(Path::new(RECON), &data.registry).expect("the reconstruction loads")
}

/// The reconstruction as if it were this year's campaign: the letter's unassigned
/// municipalities are then gaps to fill before sending.
fn recon_as_draft(data: &DataSet) -> Campaign {
    let mut campaign = recon(data);
    assert!(campaign.meta.facts.remove(annex::AS_SENT).is_some());
    campaign
}

fn sobes(home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sobes"))
        .args(args)
        .env("SOBES_HOME", home)
        .output()
        .expect("sobes runs")
}

/// A fresh copy of the reconstruction made by `sobes new DIR --from chelyabinsk-2022`.
fn recon_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c2022");
    let out = sobes(
        tmp.path(),
        &["new", dir.to_str().unwrap(), "--from", "chelyabinsk-2022"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (tmp, dir)
}

/// Where `sobes lists` on the reconstruction may differ from the letter, and why. Each entry:
/// (list key, municipality, present in the letter, the reason). Anything else fails the test.
const ALLOWED: &[(&str, &str, bool, &str)] = &[
    (
        "train_2",
        "Еманжелинский МР",
        true,
        "в письме и в 1-м, и во 2-м кластере по обучению; принят 1-й",
    ),
    (
        "train_2",
        "Кусинский МР",
        true,
        "в письме и в 1-м, и во 2-м кластере по обучению; принят 1-й",
    ),
    (
        "train_2",
        "Аргаяшский МР",
        true,
        "в письме и во 2-м, и в 3-м кластере по обучению; принят 3-й",
    ),
    (
        "rec_II2",
        "Еманжелинский МР",
        true,
        "II.2 — это 2-й кластер по обучению; см. train_2",
    ),
    (
        "rec_II2",
        "Кусинский МР",
        true,
        "II.2 — это 2-й кластер по обучению; см. train_2",
    ),
    (
        "rec_II2",
        "Аргаяшский МР",
        true,
        "II.2 — это 2-й кластер по обучению; см. train_2",
    ),
    (
        "ra_1",
        "Кусинский МР",
        true,
        "в письме и в 1-м («Кусинский ГО»), и во 2-м кластере по активу; принят 2-й",
    ),
    (
        "plan_consulting",
        "Верхнеуфалейский ГО",
        false,
        "план 2 в письме — 3-й кластер без двух имён, причина не названа; здесь план следует за кластером",
    ),
    (
        "plan_consulting",
        "Чесменский МР",
        false,
        "план 2 в письме — 3-й кластер без двух имён, причина не названа; здесь план следует за кластером",
    ),
    (
        "shibc_institutional",
        "Уйский МР",
        false,
        "в письме «в 12 муниципалитетах», а имён 11; Уйский МР — двенадцатый (нет ни среди имеющих ШИБЦ, ни в I.3)",
    ),
    (
        "rec_I3_shibc",
        "Ашинский МР",
        true,
        "в письме и среди имеющих ШИБЦ, и в I.3 для тех, у кого их нет; принят первый список",
    ),
    (
        "rec_II3_shibc",
        "Ашинский МР",
        true,
        "II.3.4 повторяет список I.3; см. rec_I3_shibc",
    ),
];

#[test]
fn lists_match_the_letter_except_its_own_contradictions() {
    let (tmp, dir) = recon_copy();
    let out = sobes(
        tmp.path(),
        &["--campaign", dir.to_str().unwrap(), "lists", "--tsv"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tsv = String::from_utf8(out.stdout).unwrap();
    let mut ours: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in tsv.lines() {
        let cells: Vec<&str> = line.split('\t').collect();
        assert_eq!(cells.len(), 3, "{line}");
        ours.entry(cells[0].into())
            .or_default()
            .push(cells[2].into());
    }
    let letter: serde_json_lite::Lists =
        serde_json_lite::read(include_str!("data/letter-2022-lists.json"));
    assert_eq!(letter.len(), 31);
    let registry = data().registry;
    let mut unexplained = Vec::new();
    let mut used = BTreeSet::new();
    for (key, names) in &letter {
        let theirs: BTreeSet<&str> = names.iter().map(String::as_str).collect();
        let mine: Vec<&str> = ours
            .get(key)
            .map_or(vec![], |v| v.iter().map(String::as_str).collect());
        // Always in registry order, whatever order the letter used.
        let order: Vec<usize> = mine
            .iter()
            .map(|n| {
                registry
                    .municipalities
                    .iter()
                    .position(|m| &m.name == n)
                    .unwrap()
            })
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{key}: {mine:?}");
        let mine: BTreeSet<&str> = mine.into_iter().collect();
        for n in theirs.symmetric_difference(&mine) {
            let in_letter = theirs.contains(n);
            match ALLOWED
                .iter()
                .position(|(k, m, l, _)| k == key && m == n && *l == in_letter)
            {
                Some(i) => {
                    used.insert(i);
                }
                None => unexplained.push(format!(
                    "{key}: {n} {}",
                    if in_letter {
                        "есть в письме, у нас нет"
                    } else {
                        "есть у нас, в письме нет"
                    }
                )),
            }
        }
    }
    assert!(
        unexplained.is_empty(),
        "необъяснённые расхождения: {unexplained:#?}"
    );
    let unused: Vec<_> = (0..ALLOWED.len())
        .filter(|i| !used.contains(i))
        .map(|i| ALLOWED[i])
        .collect();
    assert!(
        unused.is_empty(),
        "разрешённые расхождения, которых нет: {unused:#?}"
    );
}

/// A tiny reader for the letter's JSON: keys and canonical names, enough for this test
/// (no JSON dependency in the project).
mod serde_json_lite {
    pub type Lists = Vec<(String, Vec<String>)>;

    fn strings_after<'a>(text: &'a str, field: &str) -> (&'a str, Vec<String>) {
        let start = text.find(&format!("\"{field}\"")).expect(field);
        let rest = &text[start..];
        let open = rest.find('[').unwrap();
        let close = rest.find(']').unwrap();
        let inner = &rest[open + 1..close];
        let items = inner
            .split('"')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, s)| s.to_string())
            .collect();
        (&rest[close..], items)
    }

    pub fn read(text: &str) -> Lists {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find("\"key\"") {
            let after = &rest[at + 5..];
            let q1 = after.find('"').unwrap();
            let q2 = after[q1 + 1..].find('"').unwrap();
            let key = after[q1 + 1..q1 + 1 + q2].to_string();
            let (tail, names) = strings_after(after, "canonical");
            out.push((key, names));
            rest = tail;
        }
        out
    }
}

#[test]
fn counts_genitives_and_order_in_the_annex() {
    let data = data();
    let campaign = recon_as_draft(&data);
    let t = Template::builtin();
    // Non-breaking spaces keep names with their ГО/МР; compare words as words.
    let md = annex::render_markdown(&data, &campaign, &t).replace('\u{a0}', " ");
    // Counts are computed: eleven centres (the letter says «ten»), twelve with ШИБЦ.
    assert!(
        md.contains("как самостоятельные организации действуют в 11 муниципальных образованиях:"),
        "{md}"
    );
    assert!(
        md.contains("созданы в 12 муниципальных образованиях"),
        "{md}"
    );
    assert!(md.contains("ШИБЦ как муниципальный ресурс создан в 2 муниципальных образованиях: Златоустовский ГО, Чебаркульский МР."), "{md}");
    assert!(md.contains(
        "имеют 4 муниципальных образования: Златоустовский ГО, Магнитогорский ГО, Саткинский МР, Челябинский ГО."
    ), "{md}");
    // An abbreviation is spelled out where it is first used; the title's last word keeps
    // to the one before it.
    let raw = annex::render_markdown(&data, &campaign, &t);
    let first = md.find("ЦНППМ").expect("ЦНППМ");
    assert_eq!(
        first,
        md.find("(далее — ЦНППМ)").unwrap() + "(далее — ".len()
    );
    assert!(raw.contains("методических\u{a0}служб"), "{raw}");
    // One municipality: the verb agrees with it.
    let mut one = campaign.clone();
    for id in ["zlatoustovsky-go", "magnitogorsky-go", "satkinsky-mr"] {
        one.records
            .get_mut(id)
            .unwrap()
            .answers
            .0
            .remove("monitoring_level");
    }
    let md_one = annex::render_markdown(&data, &one, &t).replace('\u{a0}', " ");
    assert!(
        md_one.contains(
            "по результатам мониторинга имеет 1 муниципальное образование: Челябинский ГО."
        ),
        "{md_one}"
    );
    // Genitive forms from the registry, alphabetical.
    assert!(md.contains("на базе образовательных организаций Ашинского МР, Карталинского МР, Магнитогорского ГО, Саткинского МР, Снежинского ГО, Челябинского ГО;"), "{md}");
    assert!(
        md.contains("методические центры Магнитогорского ГО, Челябинского ГО."),
        "{md}"
    );
    // Ё sorts with Е: Трёхгорный before Троицкий.
    assert!(md.contains("Трёхгорный ГО, Троицкий ГО"));
    // Gaps of the letter stay gaps, visibly, in the block at the end.
    let (_, end) = md
        .split_once("## Требует внимания перед отправкой")
        .expect("the block");
    assert!(end.contains("Не распределены по измерению «Потребность в обучении» (2): Снежинский ГО, Южноуральский ГО."));
    assert!(end.contains(
        "Не распределены по измерению «Формат работы с региональным активом» (1): Октябрьский МР."
    ));
    assert!(!md.contains('{'), "незаполненная подстановка: {md}");
}

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

fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip package");
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.is_dir() {
            continue;
        }
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        out.insert(f.name().unwrap().to_string(), s);
    }
    out
}

/// The visible text of a WordprocessingML part: the contents of every <w:t>.
fn docx_text(xml: &str) -> String {
    // A paragraph a line: its runs' texts joined, Word's no-break hyphen read as a hyphen.
    let mut out = String::new();
    let mut rest = xml;
    loop {
        let next = ["<w:t", "<w:noBreakHyphen", "</w:p>"]
            .iter()
            .filter_map(|tag| rest.find(tag).map(|at| (at, *tag)))
            .min();
        let Some((at, tag)) = next else { break };
        let tail = &rest[at..];
        match tag {
            "</w:p>" => {
                out.push('\n');
                rest = &tail[tag.len()..];
            }
            "<w:noBreakHyphen" => {
                out.push('-');
                rest = &tail[tag.len()..];
            }
            _ => {
                let open_end = tail.find('>').unwrap();
                if tail[..open_end].ends_with('/')
                    || !(tail.as_bytes()[4] == b'>' || tail.as_bytes()[4] == b' ')
                {
                    rest = &tail[open_end + 1..];
                    continue;
                }
                let body = &tail[open_end + 1..];
                let close = body.find("</w:t>").unwrap();
                out.push_str(&body[..close]);
                rest = &body[close..];
            }
        }
    }
    out.replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
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

#[test]
fn export_refuses_gaps_and_existing_files() {
    let data = data();
    let campaign = recon_as_draft(&data);
    let t = Template::builtin();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("annex.md");
    let err = annex::export(
        &data,
        &campaign,
        Some(&t),
        Format::Markdown,
        &path,
        ExportOptions::default(),
    )
    .unwrap_err();
    assert!(err.contains("экспорт остановлен"), "{err}");
    assert!(
        err.contains("«Потребность в обучении» (2): Снежинский ГО, Южноуральский ГО"),
        "{err}"
    );
    assert!(err.contains("Октябрьский МР"), "{err}");
    assert!(err.contains("--allow-incomplete"), "{err}");
    assert!(!path.exists(), "при отказе файл не пишется");
    let opts = ExportOptions {
        force: false,
        allow_incomplete: true,
    };
    let written = annex::export(&data, &campaign, Some(&t), Format::Markdown, &path, opts).unwrap();
    assert!(written.is_absolute());
    std::fs::write(&path, "чужой файл").unwrap();
    let err = annex::export(&data, &campaign, Some(&t), Format::Docx, &path, opts).unwrap_err();
    assert!(err.contains("уже есть") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "чужой файл");
    let opts = ExportOptions {
        force: true,
        allow_incomplete: true,
    };
    annex::export(&data, &campaign, Some(&t), Format::Markdown, &path, opts).unwrap();
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("Не распределены")
    );
}

#[test]
fn export_of_a_complete_campaign_has_no_gap_lines() {
    // A campaign where every municipality is interviewed and decided: no refusal, no notice.
    let data = data();
    let mut campaign = recon(&data);
    let stamp = sobes::model::change::Stamp {
        by: "т".into(),
        at: "2022-10-18T00:00:00Z".into(),
    };
    for m in &data.registry.municipalities {
        let r = campaign.record_mut(&m.id);
        r.answers.0.clear();
        r.decisions.clear();
        for (_, q) in data.protocol.questions() {
            if !q.required {
                continue;
            }
            let raw = match &q.kind {
                sobes::model::protocol::Kind::YesNo => "no".to_string(),
                sobes::model::protocol::Kind::Number { .. } => "3".into(),
                sobes::model::protocol::Kind::Text => "текст".into(),
                k => k.choices().last().unwrap().id.clone(),
            };
            let v = data.protocol.parse_value(q, &raw).unwrap();
            let c = Change::answer(r, &q.id, Some(v), &stamp);
            *r = apply(r, &c, &data.protocol, &data.dimensions).unwrap();
        }
        for d in &data.dimensions.0 {
            let c = Change::decision(r, &d.id, Some(3), Some("тест"), &stamp);
            *r = apply(r, &c, &data.protocol, &data.dimensions).unwrap();
        }
    }
    assert!(
        annex::gaps(&data, &campaign).is_empty(),
        "{:?}",
        annex::gaps(&data, &campaign).lines()
    );
    let t = Template::builtin();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("m.csv");
    annex::export(
        &data,
        &campaign,
        Some(&t),
        Format::Csv,
        &path,
        ExportOptions::default(),
    )
    .unwrap();
    let md = annex::render_markdown(&data, &campaign, &t).replace('\u{a0}', " ");
    assert!(!md.contains("Не распределены"), "{md}");
    assert!(!md.contains("Требует внимания"), "{md}");
    assert!(
        !md.contains("ПРОЕКТ"),
        "a finished annex is not a draft: {md}"
    );
    let docx = annex::render_docx(&data, &campaign, &t).unwrap();
    let xml = &unzip(&docx)["word/document.xml"];
    assert!(
        !xml.contains("ПРОЕКТ") && !xml.contains("pageBreakBefore"),
        "{xml}"
    );
    assert!(
        md.contains("Третий кластер — формат взаимодействия не определён (43)"),
        "{md}"
    );
}

#[test]
fn cli_export_lists_and_check_on_the_reconstruction() {
    let (tmp, dir) = recon_copy();
    let d = dir.to_str().unwrap();
    let check = sobes(tmp.path(), &["--campaign", d, "check"]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // The letter left three municipalities out of the lists: the reconstruction says so,
    // as the letter's, not as its own gaps, and exports as the letter was.
    assert!(stdout.contains("как в документе «письмо Министерства от 18.10.2022 № 10211», ни к одному кластеру по измерению «Потребность в обучении» не отнесены (2): Снежинский ГО, Южноуральский ГО"), "{stdout}");
    assert!(!stdout.contains("пробел:"), "{stdout}");
    let out = tmp.path().join("a.docx");
    let o = out.to_str().unwrap();
    let sent = sobes(tmp.path(), &["--campaign", d, "export", "-o", o]);
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    assert!(String::from_utf8_lossy(&sent.stdout).contains("не отнесены (1): Октябрьский МР"));
    let xml = &unzip(&std::fs::read(&out).unwrap())["word/document.xml"];
    assert!(!xml.contains("ПРОЕКТ") && !xml.contains("не для отправки"));
    std::fs::remove_file(&out).unwrap();
    // A campaign of this year with the same gaps is stopped: it has no letter to follow.
    let meta = dir.join("campaign.ron");
    let text = std::fs::read_to_string(&meta).unwrap();
    let text: String = text
        .lines()
        .filter(|l| !l.contains("\"as_sent\""))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&meta, text).unwrap();
    let refused = sobes(tmp.path(), &["--campaign", d, "export", "-o", o]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("экспорт остановлен"));
    assert!(!out.exists());
    let ok = sobes(
        tmp.path(),
        &[
            "--campaign",
            d,
            "export",
            "--format",
            "docx",
            "-o",
            o,
            "--allow-incomplete",
        ],
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("записано:"));
    let first = std::fs::read(&out).unwrap();
    let again = sobes(
        tmp.path(),
        &["--campaign", d, "export", "-o", o, "--allow-incomplete"],
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let forced = sobes(
        tmp.path(),
        &[
            "--campaign",
            d,
            "export",
            "-o",
            o,
            "--allow-incomplete",
            "--force",
        ],
    );
    assert!(forced.status.success());
    assert_eq!(
        std::fs::read(&out).unwrap(),
        first,
        "другой процесс — те же байты"
    );
    let unknown = sobes(
        tmp.path(),
        &[
            "--campaign",
            d,
            "export",
            "-o",
            tmp.path().join("a.pdf").to_str().unwrap(),
        ],
    );
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--format"));
    // `new --from` refuses a non-empty directory and an unknown name.
    let again = sobes(tmp.path(), &["new", d, "--from", "chelyabinsk-2022"]);
    assert!(!again.status.success());
    let nothing = sobes(
        tmp.path(),
        &[
            "new",
            tmp.path().join("x").to_str().unwrap(),
            "--from",
            "tula-1999",
        ],
    );
    assert!(String::from_utf8_lossy(&nothing.stderr).contains("chelyabinsk-2022"));
}

#[test]
fn check_flags_a_bad_template_with_its_position() {
    let (tmp, dir) = recon_copy();
    let bad = Template::builtin();
    let _ = bad;
    let text = sobes::model::template::BUILTIN
        .replace(
            "Cluster(\"project_office\", 3)",
            "Cluster(\"project_offise\", 3)",
        )
        .replace(
            "Equals(\"org_form\", \"inspectors\")",
            "Equals(\"org_form\", \"wizards\")",
        )
        .replace("{names:po_1}", "{names:po_one}");
    std::fs::write(dir.join("annex.ron"), &text).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let out = sobes(tmp.path(), &["--campaign", dir.to_str().unwrap(), "check"]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let annex_file = dir.join("annex.ron").display().to_string();
    for (needle, what) in [
        ("project_offise", "нет измерения «project_offise»"),
        ("wizards", "нет варианта «wizards»"),
        ("{names:po_one}", "нет списка «po_one»"),
    ] {
        let want = format!("{annex_file}:{}:", line_of(needle));
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&want) && l.contains(what)),
            "{want} {what}\n{stdout}"
        );
    }
    let lists = sobes(tmp.path(), &["--campaign", dir.to_str().unwrap(), "lists"]);
    assert!(!lists.status.success());
}

fn empty_campaign(data: &DataSet) -> Campaign {
    sobes::session::empty_campaign(data)
}

/// Answers `question` with `value` for the first `n` municipalities of the registry.
fn answer_first(data: &DataSet, campaign: &mut Campaign, n: usize, question: &str, value: &str) {
    let stamp = sobes::model::change::Stamp {
        by: "т".into(),
        at: "2026-09-14T10:00:00Z".into(),
    };
    let q = data.protocol.question(question).unwrap();
    for m in data.registry.municipalities.iter().take(n) {
        let v = data.protocol.parse_value(q, value).unwrap();
        let r = campaign.record_mut(&m.id);
        let c = Change::answer(r, question, Some(v), &stamp);
        *r = apply(r, &c, &data.protocol, &data.dimensions).unwrap();
    }
}

/// An empty campaign's annex names nobody and claims nothing about anyone: every sentence
/// about municipalities stands under a condition on the answers.
#[test]
fn an_empty_campaign_makes_no_claim() {
    let data = data();
    let campaign = empty_campaign(&data);
    let md = annex::render_markdown(&data, &campaign, &Template::builtin()).replace('\u{a0}', " ");
    let (text, _) = md.split_once("## Требует внимания").unwrap_or((&md, ""));
    for m in &data.registry.municipalities {
        assert!(
            !text.contains(&m.name) && !text.contains(&m.genitive),
            "{}: {text}",
            m.name
        );
    }
    for claim in [
        "Большинство",
        "назвали",
        "действуют в",
        "приняли участие",
        "(в скобках",
        "поддержали",
        "заявили",
        "просят",
        "Первый кластер —",
    ] {
        assert!(
            !text.contains(claim),
            "«{claim}» in an empty campaign: {text}"
        );
    }
}

/// «Большинство» only for more than half of those interviewed; reasons and priorities in
/// order of how many named them, with counts, and only those named.
#[test]
fn majorities_and_rankings_follow_the_answers() {
    let data = data();
    let t = Template::builtin();
    let mut campaign = empty_campaign(&data);
    answer_first(&data, &mut campaign, 3, "innovation_centres", "inside");
    answer_first(&data, &mut campaign, 4, "methodists", "3");
    let md = |c: &Campaign| annex::render_markdown(&data, c, &t).replace('\u{a0}', " ");
    // Four took part; three say «inside»: a majority.
    let text = md(&campaign);
    assert!(
        text.contains("Большинство руководителей ММС (3 из 4) рассматривают"),
        "{text}"
    );
    answer_first(&data, &mut campaign, 8, "methodists", "3");
    assert!(
        !md(&campaign).contains("Большинство руководителей ММС (3 из"),
        "3 of 8 is no majority"
    );

    answer_first(&data, &mut campaign, 5, "shortfall_reasons", "part_time");
    answer_first(
        &data,
        &mut campaign,
        2,
        "shortfall_reasons",
        "low_pay,part_time",
    );
    let text = md(&campaign);
    assert!(
        text.contains("назвали (в скобках — число муниципальных образований): выполнение методической работы совместителями (5); недостаточное материальное стимулирование (2)."),
        "{text}"
    );
    assert!(
        !text.contains("выполнение поручений"),
        "a reason nobody named is not named"
    );
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

/// Gaps are one marked block at the end, not red lines in the text; a decision the answers
/// no longer support is one of them.
#[test]
fn gaps_are_one_block_at_the_end_and_include_stale_decisions() {
    let data = data();
    let mut campaign = recon(&data);
    let stamp = sobes::model::change::Stamp {
        by: "т".into(),
        at: "2026-09-14T10:00:00Z".into(),
    };
    // Ашинский МР: decided 1 (in person); the answer now says remote.
    let r = campaign.record_mut("ashinsky-mr");
    let c = Change::answer(
        r,
        "ra_format",
        Some(sobes::model::campaign::Value::Choice("remote".into())),
        &stamp,
    );
    *r = apply(r, &c, &data.protocol, &data.dimensions).unwrap();
    let md = annex::render_markdown(&data, &campaign, &Template::builtin()).replace('\u{a0}', " ");
    let (text, end) = md
        .split_once("## Требует внимания перед отправкой")
        .expect("the block");
    assert!(!text.contains("> **"), "no notices inside the text");
    assert!(end.contains("Расходится с ответами: Ашинский МР"), "{end}");
    assert!(!annex::gaps(&data, &campaign).stale.is_empty());
}
