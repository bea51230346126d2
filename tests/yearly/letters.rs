//! A letter per municipality and last year's answers offered, not taken.

use super::*;
use crate::common::refused;

/// The letter to one municipality: its level this year and last, and per indicator the
/// advice for the level it sits at; letters to all go one file each, never over a file.
#[test]
fn a_letter_per_municipality() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, old, new) = two_years(tmp.path(), None);
    let (old_s, new_s) = (old.as_str(), new.as_str());
    let m = sobes::model::monitoring::Monitoring::builtin();
    let ids: Vec<String> = m.indicators().map(|(_, i)| i.id.clone()).collect();
    let sheet = |dir: &str, value: &str| import_uniform(&home, tmp.path(), dir, value);
    sheet(old_s, "0");
    sheet(new_s, "1");
    let md = tmp.path().join("нязепетровский.md");
    ok(run(
        &home,
        &[
            "--campaign",
            new_s,
            "export",
            "--municipality",
            "Нязепетровский",
            "--allow-incomplete",
            "-o",
            md.to_str().unwrap(),
        ],
    ));
    let text = std::fs::read_to_string(&md).unwrap().replace('\u{a0}', " ");
    let one = m.indicator("1.1").unwrap();
    let (_, level) = sobes::model::monitoring::level_of(&one.levels, 1).unwrap();
    let now = m
        .overall_level(&ids.iter().map(|i| (i.clone(), 1)).collect())
        .unwrap()
        .1
        .name
        .clone();
    assert!(
        text.contains("Нязепетровского муниципального района"),
        "{text}"
    );
    // The monitoring as a letter says it: the points of the maximum, this year's level and
    // last year's.
    let max: i64 = m.indicators().map(|(_, i)| i.max).sum();
    assert!(
        text.contains(&format!("набрало {} из {max} баллов", ids.len())),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "уровень методической работы — «{now}» (в прошлом году — «низкий»)"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Показатель 1.1. {} — 1 из {}, уровень «{}»",
            one.title, one.max, level.name
        )),
        "{text}"
    );
    for advice in &level.advice {
        assert!(text.contains(advice.as_str()), "{advice}\n{text}");
    }
    // Every municipality, a file each; a second run does not replace them without --force.
    let folder = tmp.path().join("письма");
    let out = ok(run(
        &home,
        &[
            "--campaign",
            new_s,
            "export",
            "--per-municipality",
            "--allow-incomplete",
            "-o",
            folder.to_str().unwrap(),
            "--format",
            "docx",
        ],
    ));
    assert_eq!(out.lines().count(), 43, "{out}");
    let docx = std::fs::File::open(folder.join("Нязепетровский МР.docx")).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip::ZipArchive::new(docx)
            .unwrap()
            .by_name("word/document.xml")
            .unwrap(),
        &mut xml,
    )
    .unwrap();
    // A letter: sender, number and date (blanks to fill while unset), addressee, the
    // signature block with its position and name at the right margin.
    assert!(
        xml.contains("О рекомендациях по итогам собеседования и мониторинга"),
        "{xml}"
    );
    assert!(
        xml.contains("LetterSender") && xml.contains("____ № ____") && xml.contains("ПРОЕКТ"),
        "{xml}"
    );
    assert!(xml.contains("Руководителю муниципальной"), "{xml}");
    assert!(
        xml.contains("<w:tab w:val=\"right\"") && xml.contains("</w:t><w:tab /><w:t"),
        "a signature line: {xml}"
    );
    assert!(
        xml.replace('\u{a0}', " ")
            .contains("в прошлом году — «низкий»"),
        "{xml}"
    );
    let o = run(
        &home,
        &[
            "--campaign",
            new_s,
            "export",
            "--per-municipality",
            "--allow-incomplete",
            "-o",
            folder.to_str().unwrap(),
            "--format",
            "docx",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("файлы уже есть"), "{}", stderr(&o));
    let o = run(
        &home,
        &[
            "--campaign",
            new_s,
            "export",
            "--municipality",
            "Кусинский",
            "-o",
            tmp.path().join("k.csv").to_str().unwrap(),
        ],
    );
    refused(&o, "выгружается в md или docx");
}

/// `new --previous OLD --carry` offers last year's answers to the questions that rarely
/// change: kept beside the answers, counting for nothing until confirmed.
#[test]
fn carried_answers_are_offers_not_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let (old, new) = (tmp.path().join("2022"), tmp.path().join("2023"));
    let (old_s, new_s) = (old.to_str().unwrap(), new.to_str().unwrap());
    ok(run(&home, &["new", old_s, "--from", "chelyabinsk-2022"]));
    let o = run(&home, &["new", new_s, "--carry"]);
    assert_eq!(o.status.code(), Some(2), "--carry needs --previous");
    let out = ok(run(&home, &["new", new_s, "--previous", old_s, "--carry"]));
    assert!(
        out.contains("предложено подтвердить прошлогодних ответов: "),
        "{out}"
    );
    let offered: usize = out
        .lines()
        .find(|l| l.starts_with("предложено"))
        .and_then(|l| l.rsplit(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(offered > 0, "{out}");
    let status = ok(run(&home, &["--campaign", new_s, "status", "--tsv"]));
    assert!(
        status.lines().all(|l| l.split('\t').nth(3) == Some("0")),
        "{status}"
    );
    let file = std::fs::read_dir(new.join("municipalities"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "ron"))
        .expect("a record with offers");
    let record: sobes::model::campaign::Record =
        ron::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(record.answers.0.is_empty());
    assert!(record.carried.contains_key("org_form"), "{record:?}");
    // Answering the question takes the offer away.
    let registry = sobes::model::registry::Registry::builtin();
    let id = registry.get(&record.id).unwrap().name.clone();
    set(&home, new_s, &id, "org_form", "department");
    let record: sobes::model::campaign::Record =
        ron::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(!record.carried.contains_key("org_form"), "{record:?}");
}
