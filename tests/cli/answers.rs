//! Setting answers and decisions: what is validated, what needs a name or a reason.

use super::*;
use crate::common::refused;

#[test]
fn new_refuses_a_non_empty_directory() {
    let env = Env::with_default_campaign();
    let dir = env.home().join("c");
    let o = env.bare(&["new", dir.to_str().unwrap(), "--title", "Осень"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let meta = std::fs::read_to_string(dir.join("campaign.ron")).unwrap();
    assert!(meta.contains("title: \"Осень\""), "{meta}");
    assert!(meta.contains("region: \"Челябинская область\""));
    let o = env.bare(&["new", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("не пуст"), "{}", stderr(&o));
}

#[test]
fn resolve_exit_codes() {
    let env = Env::with_default_campaign();
    let o = env.bare(&["resolve", "Саткинском МР"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "Саткинский МР\n")
    );
    let o = env.bare(&["resolve", "Саткинский ГО"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "Саткинский МР\n");
    assert!(
        stderr(&o).contains("только «Саткинский МР»"),
        "{}",
        stderr(&o)
    );
    let o = env.bare(&["resolve", "xtkz"]);
    assert_eq!(stdout(&o), "Челябинский ГО\n");
    let o = env.bare(&["resolve", "Чебаркульский"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "Чебаркульский ГО\nЧебаркульский МР\n");
    // One extra letter where only one name is that close: corrected, and said.
    let o = env.bare(&["resolve", "Магнитогорсский"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "Магнитогорский ГО\n");
    assert!(stderr(&o).contains("опечатк"), "{}", stderr(&o));
    let o = env.bare(&["resolve", "Магнитагорсский"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).starts_with("Магнитогорский ГО\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn questions_tsv_lists_the_protocol() {
    let env = Env::with_default_campaign();
    let o = env.bare(&["questions"]);
    assert!(o.status.success());
    let out = stdout(&o);
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert!(rows.len() >= 30);
    assert!(rows.iter().all(|r| r.len() == 5));
    let org = rows.iter().find(|r| r[0] == "org_form").unwrap();
    assert_eq!(
        org[1..],
        [
            "org",
            "single_choice",
            "yes",
            "center|department|inspectors"
        ]
    );
    let kinds: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[2]).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "multiple_choice",
            "number",
            "single_choice",
            "text",
            "yes_no"
        ]
    );
}

#[test]
fn set_validates_and_bad_values_change_nothing() {
    let env = Env::with_default_campaign();
    let set = |m: &str, q: &str, v: &str| {
        env.bare(&[
            "set",
            "--municipality",
            m,
            "--question",
            q,
            "--value",
            v,
            "--as",
            "Иванова",
        ])
    };
    let o = set("Копейский", "org_form", "center");
    assert!(o.status.success(), "{}", stderr(&o));
    let before = snapshot(&env.dir);
    for (q, v, expect) in [
        (
            "org_form",
            "centre",
            "можно: center (Отдельный методический центр",
        ),
        ("methodists", "пять", "целое число от 0 до 500"),
        ("methodists", "501", "целое число от 0 до 500"),
        ("licence", "может быть", "да/нет"),
        ("shibc", "institutional,library", "нет варианта «library»"),
        ("nope", "1", "нет вопроса «nope»"),
    ] {
        let o = set("Копейский", q, v);
        assert_eq!(o.status.code(), Some(1), "{q}={v}");
        assert!(stderr(&o).contains(expect), "{q}={v}: {}", stderr(&o));
    }
    let o = set("Троицкий", "methodists", "3");
    assert_eq!(o.status.code(), Some(2), "ambiguous name is refused");
    assert_eq!(snapshot(&env.dir), before, "nothing changed on disk");

    let o = env.bare(&[
        "set",
        "--municipality",
        "копейского го",
        "--question",
        "shibc",
        "--value",
        "municipal,institutional",
        "--note",
        "в двух школах",
        "--as",
        "Иванова",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = set("Копейский ГО", "licence", "да");
    assert!(o.status.success());
    let text = std::fs::read_to_string(env.dir.join("municipalities/kopeysky-go.ron")).unwrap();
    let record: Record = ron::from_str(&text).unwrap();
    assert_eq!(
        record.answers.value("shibc"),
        Some(&Value::Choices(vec![
            "institutional".into(),
            "municipal".into()
        ])),
        "kept in protocol order"
    );
    assert_eq!(record.answers.note("shibc"), Some("в двух школах"));
    assert_eq!(record.answers.0["shibc"].by, "Иванова");
    assert_eq!(record.answers.value("licence"), Some(&Value::Bool(true)));
}

#[test]
fn set_needs_a_name() {
    let env = Env::with_default_campaign();
    let o = env.bare(&[
        "set",
        "--municipality",
        "Уйский",
        "--question",
        "licence",
        "--value",
        "yes",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--as"), "{}", stderr(&o));
    std::fs::create_dir_all(env.home().join("config")).unwrap();
    std::fs::write(
        env.home().join("config/config.ron"),
        "Config(reviewer: \"Сидоров\")",
    )
    .unwrap();
    let o = env.bare(&[
        "set",
        "--municipality",
        "Уйский",
        "--question",
        "licence",
        "--value",
        "yes",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(env.dir.join("municipalities/uysky-mr.ron")).unwrap();
    assert!(text.contains("by: \"Сидоров\""));
}

#[test]
fn decide_requires_a_reason_to_differ() {
    let env = Env::with_default_campaign();
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--as", "Петрова"]);
        env.bare(&all)
    };
    assert!(
        run(&[
            "set",
            "--municipality",
            "Уйский",
            "--question",
            "ra_format",
            "--value",
            "remote"
        ])
        .status
        .success()
    );
    let o = run(&[
        "decide",
        "--municipality",
        "Уйский",
        "--dimension",
        "regional_active",
        "--cluster",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("подсказан кластер 2"), "{}", stderr(&o));
    let o = run(&[
        "decide",
        "--municipality",
        "Уйский",
        "--dimension",
        "training",
        "--cluster",
        "2",
    ]);
    assert!(stderr(&o).contains("не подсказан"), "{}", stderr(&o));
    let o = run(&[
        "decide",
        "--municipality",
        "Уйский",
        "--dimension",
        "colour",
        "--cluster",
        "2",
    ]);
    assert!(
        stderr(&o).contains("нет измерения «colour»; есть: «Обучение» (training)"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "decide",
        "--municipality",
        "Уйский",
        "--dimension",
        "regional_active",
        "--cluster",
        "1",
        "--reason",
        "договорились на месте",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&[
        "decide",
        "--municipality",
        "Уйский",
        "--dimension",
        "project_office",
        "--cluster",
        "3",
        "--reason",
        "по справке",
    ]);
    assert!(o.status.success());

    let o = env.bare(&["status", "--tsv"]);
    let line = stdout(&o)
        .lines()
        .find(|l| l.starts_with("uysky-mr\t"))
        .unwrap()
        .to_string();
    let cols: Vec<&str> = line.split('\t').collect();
    assert_eq!(cols.len(), 9);
    assert_eq!(cols[..3], ["uysky-mr", "Уйский МР", "МР"]);
    assert_eq!(cols[3], "1", "one required answer given");
    assert_eq!(
        cols[5..8],
        ["", "3", "1"],
        "training, project_office, regional_active"
    );
    assert_eq!(cols[8], "идёт");
    // People read names: Russian headers, no ids (the TSV keeps them in their column).
    let o = env.bare(&["status"]);
    let human = stdout(&o);
    let header = human.lines().next().unwrap();
    assert!(
        header.contains("Обучение") && header.contains("Пр.офис") && header.contains("Актив"),
        "{header}"
    );
    assert!(
        !human.contains("training") && !human.contains("agapovsky-mr"),
        "{human}"
    );
    // Overrides with a reason are marked as the TUI marks them, and the marks are explained.
    let row = human.lines().find(|l| l.starts_with("Уйский МР")).unwrap();
    assert!(row.contains("3*") && row.contains("1*"), "{row}");
    assert!(human.contains("1* — решено вопреки подсказке"), "{human}");
    assert_eq!(stdout(&env.bare(&["status", "--tsv"])).lines().count(), 43);
}

#[test]
fn reading_commands_create_nothing() {
    // Opening a session has no side effects: only a write makes the default campaign.
    let env = Env::with_default_campaign();
    for args in [
        &["questions"][..],
        &["resolve", "Уйский"],
        &["status"],
        &["check"],
        &["lists"],
    ] {
        let o = env.bare(args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let made: Vec<_> = std::fs::read_dir(env.home()).unwrap().collect();
        assert!(made.is_empty(), "{args:?} made {made:?}");
    }
    let o = env.bare(&["status", "--tsv"]);
    assert_eq!(stdout(&o).lines().count(), 43);
    assert!(stdout(&o).contains("не начато"));
}

#[test]
fn contradictory_and_empty_choices_are_refused_and_a_given_reason_is_kept() {
    let env = Env::new();
    let o = env.set("Уйский", "shibc", "institutional,none");
    refused(&o, "вариант «Нет» не сочетается с другими");
    for empty in [",", " , ", ""] {
        let o = env.set("Уйский", "shibc", empty);
        assert_eq!(o.status.code(), Some(1), "«{empty}»");
        assert!(
            stderr(&o).contains("не выбрано ни одного варианта"),
            "{}",
            stderr(&o)
        );
    }
    assert!(!env.record_file("uysky-mr").exists(), "nothing written");
    assert!(env.set("Уйский", "shibc", "none").status.success());
    // A record that holds the contradiction (written by hand or an older sobes) is reported.
    let file = env.record_file("uysky-mr");
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "Choices([\"none\"])",
        "Choices([\"institutional\", \"none\"])",
    );
    std::fs::write(&file, text).unwrap();
    let o = env.run(&["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("uysky-mr.ron: answers.shibc"),
        "{}",
        stdout(&o)
    );

    // decide --reason with the suggested cluster keeps the reason.
    assert!(env.set("Ашинский", "ra_format", "remote").status.success());
    let o = env.run(&[
        "--as",
        "Т",
        "decide",
        "--municipality",
        "Ашинский",
        "--dimension",
        "regional_active",
        "--cluster",
        "2",
        "--reason",
        "подтвердили на встрече",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let d = env.load().records["ashinsky-mr"].decisions["regional_active"].clone();
    assert_eq!(d.reason.as_deref(), Some("подтвердили на встрече"));
}

/// A date typed in the right form that the calendar does not have says why, not that the
/// form was wrong.
#[test]
fn a_date_the_calendar_lacks_says_so() {
    let env = Env::new();
    let o = env.run(&["campaign", "set", "letter_date", "31.02.2027"]);
    refused(&o, "такой даты нет: в феврале 2027 года 28 дней");
    let o = env.run(&["campaign", "set", "letter_date", "12.13.2027"]);
    assert!(stderr(&o).contains("месяца 13 нет"), "{}", stderr(&o));
    let o = env.run(&["campaign", "set", "letter_date", "завтра"]);
    assert!(
        stderr(&o).contains("ожидалась дата ДД.ММ.ГГГГ"),
        "{}",
        stderr(&o)
    );
}
