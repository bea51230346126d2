//! Documents a ministry signs: every number is the next one, no heading stands alone, counts
//! speak Russian, the DOCX is laid out as an official document (ГОСТ Р 7.0.97-2016 page
//! numbers, no-break spaces and hyphens), and its properties are valid XML whatever the
//! campaign's title holds.

use sobes::annex::{self, Format};
use sobes::data::{DataSet, Overrides};
use sobes::model::campaign::Campaign;
use sobes::model::change::{Change, Stamp, apply};
use sobes::model::template::Template;
use sobes::storage;
use std::io::Read;
use std::path::Path;

const RECON: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/campaigns/chelyabinsk-2022"
);

fn data() -> DataSet {
    DataSet::load(&Overrides::default(), None).expect("built-in data")
}

/// The 2022 campaign with only one municipality's record kept: one panel's first day.
fn one_interviewed(data: &DataSet, id: &str) -> Campaign {
    let mut c = storage::load(Path::new(RECON), &data.registry).unwrap();
    for (other, r) in c.records.iter_mut() {
        if other != id {
            *r = sobes::model::campaign::Record::new(other);
        }
    }
    c
}

fn recon(data: &DataSet) -> Campaign {
    storage::load(Path::new(RECON), &data.registry).unwrap()
}

/// The number a line starts with, as printed: «1.», «4.1.», «2)», «II.»; and its level.
fn number_of(line: &str) -> Option<(usize, String)> {
    let line = line.trim_start_matches('#').trim();
    let token = line.split_whitespace().next()?;
    let level = match token {
        t if t.ends_with(')') && t[..t.len() - 1].bytes().all(|b| b.is_ascii_digit()) => 0,
        t if t.ends_with('.')
            && t[..t.len() - 1].split('.').all(|p| {
                !p.is_empty()
                    && (p.bytes().all(|b| b.is_ascii_digit())
                        || p.bytes().all(|b| b"IVX".contains(&b)))
            }) =>
        {
            t.matches('.').count()
        }
        _ => return None,
    };
    Some((level, token.to_string()))
}

/// Every numbered run of the Markdown goes 1, 2, 3… without a hole: headings among
/// headings, items within their group, sub-items under their item.
fn assert_numbering(md: &str) {
    let mut headings = 0;
    let mut subheadings = 0;
    let mut groups = 0;
    let mut items = 0;
    let mut sub = 0;
    let mut last_item = 0;
    let roman = ["I", "II", "III", "IV", "V", "VI"];
    for line in md.lines() {
        if line.starts_with("## ") {
            (subheadings, groups, items, sub) = (0, 0, 0, 0);
            if let Some((_, n)) = number_of(line) {
                headings += 1;
                assert_eq!(
                    n,
                    format!("{headings}."),
                    "heading after {headings}: {line}\n{md}"
                );
            }
            continue;
        }
        if line.starts_with("### ") {
            (groups, items, sub) = (0, 0, 0);
            if let Some((_, n)) = number_of(line) {
                subheadings += 1;
                assert_eq!(n, format!("{}.", roman[subheadings - 1]), "{line}");
            }
            continue;
        }
        match number_of(line) {
            Some((0, n)) => {
                groups += 1;
                (items, sub) = (0, 0);
                assert_eq!(n, format!("{groups})"), "{line}\n{md}");
            }
            Some((1, n)) => {
                items += 1;
                sub = 0;
                last_item = items;
                assert_eq!(n, format!("{items}."), "{line}\n{md}");
            }
            Some((2, n)) => {
                sub += 1;
                assert_eq!(n, format!("{last_item}.{sub}."), "{line}\n{md}");
            }
            _ => {}
        }
    }
}

/// No heading is followed directly by another heading (a section with nothing in it).
fn assert_no_bare_heading(md: &str) {
    let lines: Vec<&str> = md.lines().filter(|l| !l.trim().is_empty()).collect();
    for w in lines.windows(2) {
        let heading = |l: &str| l.starts_with("## ") || l.starts_with("### ");
        // A heading followed by a subheading is a section opening its first part.
        let sub_under_heading = w[0].starts_with("## ") && w[1].starts_with("### ");
        assert!(
            !(heading(w[0]) && heading(w[1])) || sub_under_heading,
            "a section with nothing in it: «{}» then «{}»",
            w[0],
            w[1]
        );
    }
    if let Some(last) = lines.last() {
        assert!(
            !last.starts_with('#'),
            "the document ends with a heading: {last}"
        );
    }
}

#[test]
fn numbers_have_no_holes_and_no_section_is_empty() {
    let data = data();
    let t = Template::builtin();
    for (what, campaign) in [
        ("2022", recon(&data)),
        ("one municipality", one_interviewed(&data, "satkinsky-mr")),
        ("another one", one_interviewed(&data, "uysky-mr")),
        ("nobody", sobes::session::empty_campaign(&data)),
    ] {
        let md = annex::render_markdown(&data, &campaign, &t).replace('\u{a0}', " ");
        assert_numbering(&md);
        assert_no_bare_heading(&md);
        assert!(
            !(md.contains("Большинство") && md.contains("(1 из 1)")),
            "{what}: {md}"
        );
        assert!(!md.contains("из 1)"), "{what}: a majority of one: {md}");
    }
}

/// The section of priorities says nothing in 2022 (no answer feeds it): it is left out and
/// the sections after it are numbered on; items left out by the data take no number.
#[test]
fn left_out_items_and_sections_take_no_number() {
    let data = data();
    let md = annex::render_markdown(
        &data,
        &one_interviewed(&data, "satkinsky-mr"),
        &Template::builtin(),
    )
    .replace('\u{a0}', " ");
    assert!(
        !md.contains("Приоритетные направления работы с педагогами"),
        "{md}"
    );
    let recon =
        annex::render_markdown(&data, &recon(&data), &Template::builtin()).replace('\u{a0}', " ");
    assert!(recon.contains("## 4. Проектное управление"), "{recon}");
    assert!(recon.contains("## 10. Рекомендации"), "{recon}");
}

/// One municipality is named, never «большинство (1 из 1)» nor «все 1».
#[test]
fn counts_speak_russian_for_one_and_for_all() {
    let data = data();
    let t = Template::builtin();
    let mut campaign = sobes::session::empty_campaign(&data);
    let stamp = Stamp {
        by: "т".into(),
        at: "2026-09-14T10:00:00Z".into(),
    };
    let answer = |c: &mut Campaign, id: &str, q: &str, v: &str| {
        let question = data.protocol.question(q).unwrap();
        let value = data.protocol.parse_value(question, v).unwrap();
        let r = c.record_mut(id);
        let ch = Change::answer(r, q, Some(value), &stamp);
        *r = apply(r, &ch, &data.protocol, &data.dimensions).unwrap();
    };
    answer(&mut campaign, "uysky-mr", "innovation_centres", "inside");
    let md = annex::render_markdown(&data, &campaign, &t).replace('\u{a0}', " ");
    assert!(!md.contains("Большинство"), "{md}");
    assert!(
        md.contains("рассматривают руководители ММС Уйского МР"),
        "one is named: {md}"
    );
    answer(&mut campaign, "ashinsky-mr", "innovation_centres", "inside");
    let md = annex::render_markdown(&data, &campaign, &t).replace('\u{a0}', " ");
    assert!(
        md.contains("Все руководители ММС, участвовавшие в собеседовании, рассматривают"),
        "{md}"
    );
    assert!(!md.contains("Большинство"), "{md}");
}

fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut text = String::new();
        if f.read_to_string(&mut text).is_ok() {
            out.insert(f.name().unwrap().to_string(), text);
        }
    }
    out
}

/// ГОСТ Р 7.0.97-2016: the page number at the top, centred, none on the first page; names
/// with a hyphen never break at it; a number keeps to its word; headings are not hyphenated;
/// the properties are valid XML even for a title with control characters.
#[test]
fn the_docx_is_laid_out_as_an_official_document() {
    let data = data();
    let mut campaign = recon(&data);
    campaign.meta.title = "Кампания\u{b}2022\u{1}".into();
    let t = Template::builtin();
    let bytes = annex::render(&data, &campaign, Some(&t), Format::Docx).unwrap();
    let parts = unzip(&bytes);
    let document = &parts["word/document.xml"];
    assert!(document.contains("<w:titlePg"), "no number on page 1");
    let header = parts
        .iter()
        .find(|(name, xml)| name.starts_with("word/header") && xml.contains("PAGE"))
        .map(|(n, _)| n.clone());
    assert!(
        header.is_some(),
        "the page number is in a header: {:?}",
        parts.keys()
    );
    assert!(
        !parts
            .iter()
            .any(|(n, x)| n.starts_with("word/footer") && x.contains("PAGE")),
        "no page number at the foot"
    );
    assert!(
        document.contains("<w:noBreakHyphen"),
        "Усть‑Катавский keeps together"
    );
    assert!(
        document.contains("43\u{a0}муниципальных"),
        "a number keeps to its word"
    );
    let styles = &parts["word/styles.xml"];
    let heading = &styles[styles.find("w:styleId=\"Heading1\"").unwrap()..];
    let heading = &heading[..heading.find("</w:style>").unwrap()];
    assert!(heading.contains("suppressAutoHyphens"), "{heading}");
    let core = &parts["docProps/core.xml"];
    assert!(
        !core
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t'),
        "{core:?}"
    );
    assert!(core.contains("Кампания2022"), "{core}");
}

/// A letter to a municipality with no points (the 2022 campaign has none) still says what
/// the interview says: its clusters and the recommendations addressed to its groups; and it
/// is a letter: sender, number and date from the campaign's facts, addressee, signature.
#[test]
fn a_letter_without_points_is_a_letter_of_what_the_interview_says() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_sobes"))
            .env("SOBES_HOME", tmp.path())
            .args(args)
            .output()
            .unwrap()
    };
    let d = dir.to_str().unwrap();
    assert!(
        run(&["new", d, "--from", "chelyabinsk-2022"])
            .status
            .success()
    );
    let out = tmp.path().join("letter.md");
    let export = |more: &[&str]| {
        let mut args = vec![
            "--campaign",
            d,
            "export",
            "--municipality",
            "Саткинский",
            "-o",
            out.to_str().unwrap(),
            "--format",
            "md",
        ];
        args.extend(more);
        run(&args)
    };
    // Without its letterhead, number, signer and executor a letter is not sent: the export
    // names what to fill; asked for, a draft comes out marked so.
    let o = export(&[]);
    let said = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(!o.status.success() && !out.exists(), "{said}");
    for key in [
        "outgoing_number",
        "signer_name",
        "executor",
        "institute_address",
    ] {
        assert!(said.contains(key), "{key}: {said}");
    }
    let o = export(&["--allow-incomplete"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("ПРОЕКТ"));
    for (k, v) in [
        ("outgoing_number", "01-12/345"),
        ("outgoing_date", "25.10.2022"),
        (
            "institute_address",
            "ул. Красноармейская, 88, г. Челябинск, 454091",
        ),
        (
            "institute_contacts",
            "тел. (351) 263-88-81, e-mail: ipk@ipk74.ru",
        ),
        ("executor", "Петрова Б. Б., тел. (351) 000-00-00"),
        ("signer_position", "Ректор"),
        ("signer_name", "И. И. Иванов"),
    ] {
        let o = run(&["--campaign", d, "campaign", "set", k, v]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let o = export(&["--force"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out)
        .unwrap()
        .replace('\u{a0}', " ");
    for part in [
        "ГБУ ДПО «Челябинский институт",
        "ул. Красноармейская, 88",
        "25.10.2022 № 01-12/345",
        "Руководителю муниципальной",
        "Саткинского муниципального района",
        "Уважаемый коллега!",
        "Исп. Петрова Б. Б., тел.",
        "по потребности команды ММС в обучении и в сопровождении развития службы — к первому кластеру (команды, готовые организовать стажировочные площадки",
        "Муниципальной методической службе:",
        "Рекомендации по итогам собеседования",
        "1. Обеспечить повышение качества методического сопровождения",
        "Ректор",
        "И. И. Иванов",
    ] {
        assert!(text.contains(part), "«{part}» missing: {text}");
    }
    assert!(!text.contains("Нет баллов по показателям"), "{text}");
    // The institute's own number, not the ministry's; no draft mark, no tool's voice.
    assert!(
        !text.contains("10211") && !text.contains("ПРОЕКТ"),
        "{text}"
    );
    assert!(!text.contains("в кампании"), "{text}");
    assert!(
        text.contains(
            "проведённого в период с 14.09.2022 по 29.09.2022, ГБУ ДПО ЧИППКРО направляет"
        ),
        "{text}"
    );
    // No points: the level the interview recorded; no one else's name.
    assert!(
        text.contains("По данным собеседования уровень методической работы по последнему мониторингу — «высокий»"),
        "{text}"
    );
    // A letter to one does not end its items with that one's name.
    assert!(
        text.contains("информационно-библиотечных центров."),
        "{text}"
    );
    assert!(!text.contains(": Саткинский МР"), "{text}");
    assert!(!text.contains("Магнитогорский"), "{text}");
    // Items for the education authority stand under its name, apart from the service's;
    // a list that repeats another («то же, что I.3») does not say ШИБЦ a second time; the
    // institute has one name throughout.
    let o = run(&[
        "--campaign",
        d,
        "export",
        "--municipality",
        "Нязепетровский",
        "-o",
        out.to_str().unwrap(),
        "--format",
        "md",
        "--force",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out)
        .unwrap()
        .replace('\u{a0}', " ");
    let authority = text
        .find("Органу местного самоуправления, осуществляющему управление в сфере образования")
        .expect(&text);
    let service = text
        .find("Муниципальной методической службе:")
        .expect(&text);
    let shibc = text
        .find("Концепции развития школьных информационно-библиотечных центров")
        .expect(&text);
    assert!(authority < shibc && shibc < service, "{text}");
    assert_eq!(text.matches("№ 2331").count(), 1, "{text}");
    assert_eq!(
        text.matches("ЧИППКРО").count(),
        text.matches("ГБУ ДПО ЧИППКРО").count(),
        "{text}"
    );
    assert!(
        text.contains("ко второму кластеру (дистанционный формат"),
        "{text}"
    );
    assert!(text.contains("Уважаемый коллега!"), "no head known: {text}");
    // ШИБЦ is introduced where the letter first means it, then used.
    assert!(
        text.contains("школьных информационно-библиотечных центров (далее — ШИБЦ)")
            && text.contains("Концепция развития ШИБЦ"),
        "{text}"
    );
    assert_eq!(text.matches("далее — ШИБЦ").count(), 1, "{text}");
    // Where the registry knows the head, the letter is addressed to her by name.
    let registry = tmp.path().join("registry.ron");
    let builtin = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/municipalities.ron"
    ))
    .unwrap();
    let with_head: String = builtin
        .lines()
        .map(|l| match l.contains("\"Нязепетровский МР\"") {
            true => {
                l.replace(
                    "aliases:",
                    "head: Some(\"Иванова Анна Петровна\"), aliases:",
                ) + "\n"
            }
            false => format!("{l}\n"),
        })
        .collect();
    assert_ne!(with_head, builtin);
    std::fs::write(&registry, with_head).unwrap();
    let o = run(&[
        "--campaign",
        d,
        "--registry",
        registry.to_str().unwrap(),
        "export",
        "--municipality",
        "Нязепетровский",
        "-o",
        out.to_str().unwrap(),
        "--format",
        "md",
        "--force",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out)
        .unwrap()
        .replace('\u{a0}', " ");
    // The person on a line of their own under the place, the kind's words kept together.
    assert!(
        text.contains("Нязепетровского  \nмуниципального района  \nА. П. Ивановой"),
        "{text}"
    );
    assert!(text.contains("Уважаемая Анна Петровна!"), "{text}");
}
