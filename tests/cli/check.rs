//! `check` and the data errors it names: file, line, rule, stale answers and decisions.

use super::*;
use crate::common::refused;

#[test]
fn check_names_file_and_line_of_bad_data() {
    let env = Env::with_default_campaign();
    let o = env.bare(&["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bad = env.home().join("clusters.ron");
    std::fs::write(
        &bad,
        "Dimensions([\n  (id: \"training\", title: \"T\", clusters: [(number: 1, short: \"a\", meaning: \"b\")],\n   rules: [(cluster: 1, when: Equals(\"no_such_question\", \"yes\"))]),\n  (id: \"x\", title: \"X\", clusters: [], rules: []),\n])",
    )
    .unwrap();
    let o = env.bare(&["check", "--clusters", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}:3:", bad.display()))
            && err.contains("нет вопроса «no_such_question»"),
        "{err}"
    );
    assert!(
        err.contains(":4:") && err.contains("у измерения «x» нет правил"),
        "{err}"
    );

    let bad = env.home().join("protocol.ron");
    std::fs::write(&bad, "Protocol(id: \"p\", version: 1,\n  title: 7)").unwrap();
    let o = env.bare(&["questions", "--protocol", bad.to_str().unwrap()]);
    refused(&o, &format!("{}:2:", bad.display()));
    assert!(stderr(&o).contains("ожидалась строка"), "{}", stderr(&o));
}

#[test]
fn check_reports_answers_the_protocol_no_longer_has() {
    let env = Env::with_default_campaign();
    // The first write makes the default campaign.
    let set = ["set", "--as", "Т", "--municipality", "Уйский МР"];
    let o = env.bare(&[&set[..], &["--question", "methodists", "--value", "3"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let file = env.dir.join("municipalities/uysky-mr.ron");
    std::fs::write(
        &file,
        "Record(format: 1, id: \"uysky-mr\", answers: {\"old_question\": Answer(value: Some(Bool(true)), by: \"A\", at: \"2025-09-01T00:00:00Z\")})",
    )
    .unwrap();
    let o = env.bare(&["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("uysky-mr.ron: answers.old_question"),
        "{}",
        stdout(&o)
    );
    // Another answer keeps the old one in the file.
    let o = env.bare(&[
        "set",
        "--municipality",
        "Уйский",
        "--question",
        "licence",
        "--value",
        "no",
        "--as",
        "A",
    ]);
    assert!(o.status.success());
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("old_question")
    );
}

#[test]
fn answers_to_hidden_questions_are_kept_but_count_for_nothing() {
    let env = Env::new();
    for (q, v) in [
        ("org_form", "center"),
        ("licence", "да"),
        ("own_courses", "да"),
    ] {
        assert!(env.set("Ашинский МР", q, v).status.success());
    }
    let lists = |env: &Env| stdout(&env.run(&["lists", "--tsv"]));
    assert!(lists(&env).contains("licensed\tashinsky-mr"));
    assert!(
        env.set("Ашинский МР", "org_form", "inspectors")
            .status
            .success()
    );
    let after = lists(&env);
    assert!(!after.contains("licensed\tashinsky-mr"), "{after}");
    assert!(!after.contains("mms_centers\tashinsky-mr"), "{after}");
    // Kept on disk, listed by check, and back when the condition holds again.
    let record = env.load().records["ashinsky-mr"].clone();
    assert!(record.answers.value("licence").is_some());
    let check = stdout(&env.run(&["check"]));
    assert!(
        check.contains("скрыто: Ашинский МР: «Есть ли у центра лицензия")
            && check.contains("«Проводит ли центр курсы"),
        "{check}"
    );
    assert!(
        env.set("Ашинский МР", "org_form", "center")
            .status
            .success()
    );
    assert!(lists(&env).contains("licensed\tashinsky-mr"));
}

#[test]
fn numbers_are_named_by_their_question_and_part_timers_stay_within_methodists() {
    let env = Env::new();
    let o = env.set("Уйский", "methodists", "много");
    refused(
        &o,
        "«Сколько человек выполняют работу методистов?» ждёт целое число",
    );
    assert!(env.set("Уйский", "methodists", "3").status.success());
    let o = env.set("Уйский", "part_timers", "4");
    refused(&o, "больше, чем ответ на «Сколько человек");
    assert!(env.set("Уйский", "part_timers", "3").status.success());
    // Nor can the methodists drop below the part-timers already recorded.
    let o = env.set("Уйский", "methodists", "2");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let record = env.load().records["uysky-mr"].clone();
    assert_eq!(
        record.answers.value("methodists"),
        Some(&sobes::model::campaign::Value::Number(3))
    );
}

#[test]
fn an_other_option_without_a_follow_up_question_is_reported() {
    let env = Env::new();
    let protocol = env.home().join("protocol.ron");
    let text = include_str!("../../data/protocol.ron").replace(
        "show_if: Some(Contains(\"priorities\", \"other\")),",
        "show_if: Some(Contains(\"priorities\", \"fgos\")),",
    );
    std::fs::write(&protocol, text).unwrap();
    let o = env.bare(&["check", "--protocol", protocol.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}:", protocol.display()))
            && err.contains("у варианта «Другое» вопроса «priorities» нет вопроса-уточнения"),
        "{err}"
    );
}

#[test]
fn check_flags_decisions_the_answers_no_longer_support() {
    let env = Env::new();
    assert!(env.set("Уйский", "ra_format", "remote").status.success());
    let decide = [
        "--as",
        "Т",
        "decide",
        "--municipality",
        "Уйский",
        "--dimension",
    ];
    let o = env.run(&[&decide[..], &["regional_active", "--cluster", "2"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&env.run(&["check"])).contains("асходится с ответами"));
    assert!(env.set("Уйский", "ra_format", "in_person").status.success());
    let check = stdout(&env.run(&["check"]));
    assert!(
        check.contains("пробел: Расходится с ответами: Уйский МР, «Формат работы с региональным активом»: решён кластер 2, по ответам теперь 1"),
        "{check}"
    );
}

#[test]
fn a_rule_error_points_at_the_rule() {
    let env = Env::new();
    let clusters = env.home().join("clusters.ron");
    let text = include_str!("../../data/clusters.ron")
        .replace(
            "(cluster: 3, when: Equals(\"ra_format\", \"undecided\")),",
            "(cluster: 3, when: Equals(\"ra_format\", \"maybe\")),",
        )
        .replace(
            "(cluster: 3, when: Equals(\"project_office\", \"not_used\")),",
            "(cluster: 4, when: Equals(\"project_office\", \"not_used\")),",
        );
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let (bad_option, bad_cluster) = (line_of("\"maybe\""), line_of("(cluster: 4"));
    std::fs::write(&clusters, &text).unwrap();
    let o = env.bare(&["check", "--clusters", clusters.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}:{bad_option}:", clusters.display())) && err.contains("maybe"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}:{bad_cluster}:14: правило 3 измерения «project_office»: кластера 4",
            clusters.display()
        )),
        "{err}"
    );
}

#[test]
fn an_annex_error_points_at_its_own_list() {
    let env = Env::new();
    let annex = env.home().join("annex.ron");
    // «training» is named by earlier lists too; the error is in train_3's own line.
    let text = include_str!("../../data/annex.ron").replace(
        "select: Cluster(\"training\", 3)",
        "select: Cluster(\"training\", 7)",
    );
    let line = text
        .lines()
        .position(|l| l.contains("Cluster(\"training\", 7)"))
        .unwrap()
        + 1;
    std::fs::write(&annex, &text).unwrap();
    let o = env.run(&["check", "--annex", annex.to_str().unwrap()]);
    let out = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        out.contains(&format!("{}:{line}:", annex.display())) && out.contains("нет кластера 7"),
        "line {line}: {out}"
    );
}
