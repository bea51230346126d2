//! Another region end to end (issue 11): the shipped Primorsky campaign, with its own
//! registry and monitoring, runs the whole chain — interview, clusters, levels, the annex and
//! a letter per municipality — and nothing in its output names Chelyabinsk.

use crate::common;
use common::{ok, sobes};
use std::path::Path;
use std::process::Output;

fn run(home: &Path, dir: &str, args: &[&str]) -> Output {
    let mut all = vec!["--campaign", dir, "--as", "Тест"];
    all.extend(args);
    sobes(home, &all)
}

#[test]
fn primorsky_runs_the_whole_chain_without_a_chelyabinsk_word() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("primorye");
    let d = dir.to_str().unwrap();
    ok(sobes(&home, &["new", d, "--from", "primorsky-2023"]));
    // Before any answer: no section announces a list it does not give, and the annex
    // never speaks in the tool's voice.
    let empty = tmp.path().join("пустое.md");
    ok(run(
        &home,
        d,
        &[
            "export",
            "--allow-incomplete",
            "-o",
            empty.to_str().unwrap(),
        ],
    ));
    let text = std::fs::read_to_string(&empty).unwrap();
    for said in ["распределены по трём", "не записаны", "в кампании"]
    {
        assert!(!text.contains(said), "{said}:\n{text}");
    }
    // Its own registry: 34 municipalities, names through its resolver.
    let status = ok(run(&home, d, &["status", "--tsv"]));
    assert_eq!(status.lines().count(), 34);
    assert_eq!(
        ok(run(&home, d, &["resolve", "Спасск-Дальний"])).trim(),
        "ГО Спасск-Дальний"
    );
    // The interview of one municipality, every question in protocol order.
    let questions = ok(run(&home, d, &["questions"]));
    for line in questions.lines() {
        let cells: Vec<&str> = line.split('\t').collect();
        let value = match cells[2] {
            "yes_no" => "да".to_string(),
            "number" => "3".to_string(),
            "text" => "ответ".to_string(),
            _ => cells[4].split('|').next().unwrap().to_string(),
        };
        // A question hidden by an earlier answer is refused; that is fine here.
        let _ = run(
            &home,
            d,
            &[
                "set",
                "--municipality",
                "Хасанский",
                "--question",
                cells[0],
                "--value",
                &value,
            ],
        );
    }
    let status = ok(run(&home, d, &["status", "--tsv"]));
    let row = status
        .lines()
        .find(|l| l.starts_with("khasansky-mr\t"))
        .unwrap();
    assert!(row.ends_with("опрошен"), "{row}");
    for dim in ["training", "project_office", "regional_active"] {
        ok(run(
            &home,
            d,
            &[
                "decide",
                "--municipality",
                "Хасанский",
                "--dimension",
                dim,
                "--cluster",
                "2",
                "--reason",
                "по итогам беседы",
            ],
        ));
    }
    // Its own monitoring: every indicator scored from a sheet, levels follow.
    let monitoring = sobes::model::monitoring::Monitoring::parse(
        &std::fs::read_to_string(dir.join("monitoring.ron")).unwrap(),
        &sobes::model::source::Origin::Builtin("monitoring.ron"),
    )
    .unwrap();
    let ids: Vec<String> = monitoring.indicators().map(|(_, i)| i.id.clone()).collect();
    let csv = tmp.path().join("мониторинг.csv");
    let row: Vec<String> = monitoring
        .indicators()
        .map(|(_, i)| i.max.to_string())
        .collect();
    std::fs::write(
        &csv,
        format!(
            "Муниципалитет;{}\nХасанский;{}\n",
            ids.join(";"),
            row.join(";")
        ),
    )
    .unwrap();
    ok(run(&home, d, &["import-monitoring", csv.to_str().unwrap()]));
    let levels = ok(run(&home, d, &["levels", "--tsv"]));
    assert!(levels.contains("khasansky-mr\tитог\t"), "{levels}");
    assert!(levels.contains("\tвысокий\n"), "{levels}");
    // The annex and the municipality's letter.
    let annex = tmp.path().join("приложение.md");
    ok(run(
        &home,
        d,
        &[
            "export",
            "--allow-incomplete",
            "-o",
            annex.to_str().unwrap(),
        ],
    ));
    // The Word files too, their properties included.
    let docx = tmp.path().join("приложение.docx");
    ok(run(
        &home,
        d,
        &["export", "--allow-incomplete", "-o", docx.to_str().unwrap()],
    ));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&docx).unwrap()).unwrap();
    for part in ["word/document.xml", "docProps/core.xml"] {
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(part).unwrap(), &mut xml).unwrap();
        assert!(
            !xml.contains("Челяб") && !xml.contains("ЧИППКРО"),
            "{part}: {xml}"
        );
    }
    let letter = tmp.path().join("хасанский.md");
    ok(run(
        &home,
        d,
        &[
            "export",
            "--municipality",
            "Хасанский",
            "--allow-incomplete",
            "-o",
            letter.to_str().unwrap(),
        ],
    ));
    for file in [&annex, &letter] {
        let text = std::fs::read_to_string(file)
            .unwrap()
            .replace('\u{a0}', " ");
        for word in [
            "Челяб",
            "ЧИППКРО",
            "Миасс",
            "Магнитогорск",
            "01/249",
            "и науки",
        ] {
            assert!(
                !text.contains(word),
                "{word} in {}:\n{text}",
                file.display()
            );
        }
    }
    let annex = std::fs::read_to_string(&annex)
        .unwrap()
        .replace('\u{a0}', " ");
    assert!(annex.contains("Приморского края"), "{annex}");
    assert!(annex.contains("Хасанский МР"), "{annex}");
    let letter = std::fs::read_to_string(&letter)
        .unwrap()
        .replace('\u{a0}', " ");
    assert!(
        letter.contains("Хасанского муниципального района"),
        "{letter}"
    );
    assert!(
        letter.contains("уровень методической работы — «высокий»"),
        "{letter}"
    );
}
