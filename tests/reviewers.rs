//! Several reviewers (issue 10): each one's own cluster, the final decision, agreement
//! figures through the command line, the export's refusal and the matrix's columns. The
//! one-reviewer case stays as it was.

use crate::common;
use crate::common::refused;
use common::{Env, stderr, stdout};
use sobes::model::agreement::{Stat, measure};
use sobes::model::campaign::{Campaign, Decision, Meta, Record};
use sobes::model::clusters::Dimensions;
use sobes::model::protocol::Protocol;
use std::io::Read;
use std::process::Output;

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

fn decide(env: &Env, who: &str, m: &str, dim: &str, cluster: &str, more: &[&str]) -> Output {
    let mut args = vec![
        "--as",
        who,
        "decide",
        "--municipality",
        m,
        "--dimension",
        dim,
        "--cluster",
        cluster,
    ];
    args.extend(more);
    env.run(&args)
}

fn record(env: &Env, id: &str) -> Record {
    ron::from_str(&std::fs::read_to_string(env.record_file(id)).unwrap()).unwrap()
}

#[test]
fn with_one_reviewer_a_decision_is_final_at_once() {
    let env = Env::new();
    env.set("Уйский", "host_bases", "yes");
    let o = decide(&env, "Анна", "Уйский", "training", "1", &[]);
    assert_eq!(
        ok(&o).trim(),
        "Уйский МР: «Потребность в обучении» — кластер 1"
    );
    // The dimension named as people name it: its short name, its title, any case.
    for word in ["Обучение", "потребность в обучении", "ПОТРЕБН"]
    {
        let o = decide(&env, "Анна", "Уйский", word, "1", &[]);
        assert!(
            ok(&o).contains("«Потребность в обучении» — кластер 1"),
            "{word}"
        );
    }
    let o = decide(&env, "Анна", "Уйский", "1", "1", &[]);
    assert!(
        stderr(&o).contains("«Обучение» (training)"),
        "{}",
        stderr(&o)
    );
    let r = record(&env, "uysky-mr");
    assert_eq!(r.decisions["training"].cluster, 1);
    assert!(r.ratings.is_empty());
    let text = std::fs::read_to_string(env.record_file("uysky-mr")).unwrap();
    assert!(!text.contains("ratings"), "{text}");
    // Agreement with nobody to compare says so in words.
    let o = ok(&env.run(&["agreement"]));
    assert!(o.contains("нет муниципалитетов, оценённых двумя"), "{o}");
    assert!(!o.to_lowercase().contains("nan"), "{o}");
}

#[test]
fn several_reviewers_rate_then_decide_finally() {
    let env = Env::new();
    // One person twice is refused (issue 21: it would count as two reviewers).
    let o = env.run(&[
        "--as",
        "Анна",
        "campaign",
        "set",
        "reviewers",
        "Анна; Борис, Анна",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("одно имя"), "{}", stderr(&o));
    let o = env.run(&[
        "--as",
        "Анна",
        "campaign",
        "set",
        "reviewers",
        "Анна; Борис,",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("пустое имя"), "{}", stderr(&o));
    let o = env.run(&[
        "--as",
        "Анна",
        "campaign",
        "set",
        "reviewers",
        "Анна; Борис",
    ]);
    assert_eq!(ok(&o).trim(), "reviewers = «Анна; Борис»");
    let o = env.run(&["campaign", "set", "open_review", "может быть"]);
    refused(&o, "ожидалось «да» или «нет»");
    env.set("Уйский", "host_bases", "yes");
    env.set("Кусинский", "host_bases", "yes");

    // Agreed: the final decision takes one command and no reason.
    ok(&decide(&env, "Анна", "Уйский", "training", "1", &[]));
    ok(&decide(&env, "Борис", "Уйский", "training", "1", &[]));
    let r = record(&env, "uysky-mr");
    assert_eq!(r.ratings["training"].len(), 2);
    assert!(
        !r.decisions.contains_key("training"),
        "a rating is not final"
    );
    let o = ok(&decide(
        &env,
        "Борис",
        "Уйский",
        "training",
        "1",
        &["--final"],
    ));
    assert!(o.contains("окончательно"), "{o}");
    assert_eq!(record(&env, "uysky-mr").decisions["training"].cluster, 1);

    // Disagreed: a rating against the suggestion needs a reason, and so does the final.
    let o = decide(&env, "Анна", "Кусинский", "training", "2", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("нужна причина"), "{}", stderr(&o));
    ok(&decide(
        &env,
        "Анна",
        "Кусинский",
        "training",
        "2",
        &["--reason", "площадки нет"],
    ));
    ok(&decide(&env, "Борис", "Кусинский", "training", "1", &[]));

    // The export names the municipality rated but not decided, and stops.
    let out = env.home().join("annex.md");
    let o = env.run(&["export", "-o", out.to_str().unwrap()]);
    refused(
        &o,
        "Оценены рецензентами, но без окончательного решения по измерению «Потребность в обучении» (1): Кусинский МР.",
    );
    assert!(!out.exists());

    // The queue and the figures: one of two municipalities unanimous.
    let tsv = ok(&env.run(&["--as", "Анна", "agreement", "--tsv"]));
    assert!(
        tsv.contains("измерение\ttraining\t\t2\t1\t50.000\t"),
        "{tsv}"
    );
    assert!(
        tsv.contains("расхождение\ttraining\tКусинский МР\t\t\tАнна — 2; Борис — 1\t\n"),
        "{tsv}"
    );
    let text = ok(&env.run(&["--as", "Анна", "agreement"]));
    assert!(text.contains("Кусинский МР, «Потребность в обучении»: Анна — 2 (площадки нет); Борис — 1; окончательного нет"), "{text}");

    let o = decide(&env, "Анна", "Кусинский", "training", "2", &["--final"]);
    refused(&o, "рецензенты разошлись (Анна — 2, Борис — 1)");
    ok(&decide(
        &env,
        "Анна",
        "Кусинский",
        "training",
        "2",
        &["--final", "--reason", "договорились на совещании"],
    ));
    let r = record(&env, "kusinsky-mr");
    assert_eq!(r.decisions["training"].cluster, 2);
    assert_eq!(
        r.decisions["training"].reason.as_deref(),
        Some("договорились на совещании")
    );

    // One final decision departs from rule 1's suggestion out of two.
    let tsv = ok(&env.run(&["--as", "Анна", "agreement", "--tsv"]));
    assert!(tsv.contains("правило\ttraining\t1\t2\t1\t1\t\n"), "{tsv}");
    let text = ok(&env.run(&["--as", "Анна", "agreement"]));
    assert!(
        text.contains("против подсказки правил: 1 из 2 (правило 1 (кластер 1): 1 из 2)"),
        "{text}"
    );

    // The matrix carries each reviewer's cluster beside the final one.
    let csv = env.home().join("m.csv");
    // Anna has rated both, so she sees Boris's clusters (issue 21: the blind rule).
    ok(&env.run(&[
        "--as",
        "Анна",
        "export",
        "-o",
        csv.to_str().unwrap(),
        "--allow-incomplete",
    ]));
    let csv = std::fs::read_to_string(&csv).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.contains(
            "Обучение: подсказка;Обучение: оценка Анна;Обучение: оценка Борис;Обучение: решение"
        ),
        "{header}"
    );
    let row = csv.lines().find(|l| l.starts_with("kusinsky-mr;")).unwrap();
    assert!(row.contains(";1;2;1;2;договорились на совещании;"), "{row}");

    // And the workbook has an agreement sheet.
    let xlsx = env.home().join("m.xlsx");
    ok(&env.run(&[
        "--as",
        "Анна",
        "export",
        "-o",
        xlsx.to_str().unwrap(),
        "--allow-incomplete",
    ]));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&xlsx).unwrap()).unwrap();
    let mut workbook = String::new();
    zip.by_name("xl/workbook.xml")
        .unwrap()
        .read_to_string(&mut workbook)
        .unwrap();
    assert!(workbook.contains("name=\"Согласие\""), "{workbook}");
}

/// The agreement of a whole campaign: Krippendorff's worked example (12 units, 4 observers,
/// missing values) laid out as municipalities and reviewers gives his published 0.743.
#[test]
fn a_campaign_reproduces_krippendorffs_example() {
    let rows: [[Option<u8>; 12]; 4] = [
        [
            Some(1),
            Some(2),
            Some(3),
            Some(3),
            Some(2),
            Some(1),
            Some(4),
            Some(1),
            Some(2),
            None,
            None,
            None,
        ],
        [
            Some(1),
            Some(2),
            Some(3),
            Some(3),
            Some(2),
            Some(2),
            Some(4),
            Some(1),
            Some(2),
            Some(5),
            None,
            Some(3),
        ],
        [
            None,
            Some(3),
            Some(3),
            Some(3),
            Some(2),
            Some(3),
            Some(4),
            Some(2),
            Some(2),
            Some(5),
            Some(1),
            None,
        ],
        [
            Some(1),
            Some(2),
            Some(3),
            Some(3),
            Some(2),
            Some(4),
            Some(4),
            Some(1),
            Some(2),
            Some(5),
            Some(1),
            None,
        ],
    ];
    let reviewers = ["A", "B", "C", "D"];
    let ids: Vec<String> = (0..12).map(|u| format!("m{u:02}")).collect();
    let mut campaign = Campaign {
        meta: Meta {
            reviewers: reviewers.iter().map(|r| r.to_string()).collect(),
            ..sobes::session::new_meta(
                &sobes::data::DataSet::load(&Default::default(), None).unwrap(),
                None,
            )
        },
        records: Default::default(),
        last_year: None,
    };
    for (u, id) in ids.iter().enumerate() {
        let mut r = Record::new(id);
        for (k, who) in reviewers.iter().enumerate() {
            if let Some(c) = rows[k][u] {
                r.ratings.entry("training".into()).or_default().insert(
                    who.to_string(),
                    Decision {
                        cluster: c,
                        suggested: None,
                        reason: None,
                        by: who.to_string(),
                        at: "2026-11-01T00:00:00Z".into(),
                    },
                );
            }
        }
        campaign.records.insert(id.clone(), r);
    }
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let a = measure(
        &campaign,
        &ids,
        &Dimensions::builtin(),
        &Protocol::builtin(),
    );
    let training = &a.dimensions[0];
    assert_eq!(training.dimension, "training");
    // Unit 12 has one value only; 11 units are pairable, 8 of them unanimous.
    assert_eq!(training.rated_by_several, 11);
    assert_eq!(training.unanimous, 8);
    assert_eq!(training.alpha.shown(), "0,743");
    assert_eq!(training.pairs.len(), 6);
    let ab = &training.pairs[0];
    assert_eq!(
        (ab.first.as_str(), ab.second.as_str(), ab.both),
        ("A", "B", 9)
    );
    assert!(
        matches!(ab.kappa, Stat::Value(k) if k > 0.8 && k < 0.9),
        "{:?}",
        ab.kappa
    );
    assert_eq!(a.queue.len(), 3);
    assert!(a.dimensions[1].alpha.value().is_none());
}

/// A reviewer names herself as people do: «петрова», «Петрова Б.Б.», «ПЕТРОВА Б»; the
/// rating is hers under the list's spelling. A surname two reviewers share needs initials.
#[test]
fn a_reviewer_is_known_by_her_surname() {
    let env = Env::new();
    let o = env.run(&[
        "campaign",
        "set",
        "reviewers",
        "Иванова А. А.; Петрова Б. Б.; Петрова В. В.",
    ]);
    ok(&o);
    env.set("Уйский", "host_bases", "yes");
    let o = decide(&env, "Иванова", "Уйский", "training", "1", &[]);
    assert!(ok(&o).contains("оценка: Иванова А. А."), "{}", stdout(&o));
    let o = decide(&env, "петрова б.б.", "Уйский", "training", "1", &[]);
    assert!(ok(&o).contains("оценка: Петрова Б. Б."), "{}", stdout(&o));
    let o = decide(&env, "Петрова", "Уйский", "training", "1", &[]);
    assert_eq!(o.status.code(), Some(1), "two Петровы: {}", stdout(&o));
    assert!(
        stderr(&o).contains("Петрова Б. Б.; Петрова В. В."),
        "{}",
        stderr(&o)
    );
    let r = record(&env, "uysky-mr");
    let who: Vec<&String> = r.ratings["training"].keys().collect();
    assert_eq!(who, ["Иванова А. А.", "Петрова Б. Б."]);
    // The TUI refuses a name off the list before its screen opens, naming the list, so
    // nothing typed next is taken for commands.
    let o = env.run(&["--as", "Кузнецова"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("«Кузнецова» нет в списке рецензентов кампании: Иванова А. А.; Петрова Б. Б.; Петрова В. В."),
        "{}",
        stderr(&o)
    );
}
