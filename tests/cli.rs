//! The command line as scripts use it: the real binary, a private SOBES_HOME per test.

use sobes::model::campaign::{Record, Value};
mod common;
use common::{Env, snapshot, stderr, stdout};

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
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!("{}:2:", bad.display())),
        "{}",
        stderr(&o)
    );
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
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("«Сколько человек выполняют работу методистов?» ждёт целое число"),
        "{}",
        stderr(&o)
    );
    assert!(env.set("Уйский", "methodists", "3").status.success());
    let o = env.set("Уйский", "part_timers", "4");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("больше, чем ответ на «Сколько человек"),
        "{}",
        stderr(&o)
    );
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
    let text = include_str!("../data/protocol.ron").replace(
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
fn contradictory_and_empty_choices_are_refused_and_a_given_reason_is_kept() {
    let env = Env::new();
    let o = env.set("Уйский", "shibc", "institutional,none");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("вариант «Нет» не сочетается с другими"),
        "{}",
        stderr(&o)
    );
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

#[test]
fn a_rule_error_points_at_the_rule() {
    let env = Env::new();
    let clusters = env.home().join("clusters.ron");
    let text = include_str!("../data/clusters.ron")
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

const PRIMORSKY: &str = r#"Registry(
    region: "Приморский край",
    kinds: ["ГО", "МР", "МО"],
    municipalities: [
        (id: "spassk-dalny-go", name: "ГО Спасск-Дальний", kind: "ГО", genitive: "ГО Спасск-Дальний", aliases: []),
        (id: "spassky-mr", name: "Спасский МР", kind: "МР", genitive: "Спасского МР", aliases: []),
        (id: "nadezhdinsky-mr", name: "Надеждинский МР", kind: "МР", genitive: "Надеждинского МР", aliases: []),
    ],
)
"#;

#[test]
fn a_campaign_of_another_region_keeps_its_registry_and_refuses_other_data() {
    let env = Env::new();
    let registry = env.home().join("primorsky.ron");
    std::fs::write(&registry, PRIMORSKY).unwrap();
    let dir = env.home().join("primorye");
    let o = env.bare(&[
        "new",
        dir.to_str().unwrap(),
        "--registry",
        registry.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        dir.join("registry.ron").is_file(),
        "the campaign keeps its registry"
    );
    // Reopened without flags, it uses its own registry.
    let set = |dir: &std::path::Path, name: &str| {
        env.bare(&[
            "--campaign",
            dir.to_str().unwrap(),
            "--as",
            "Т",
            "set",
            "--municipality",
            name,
            "--question",
            "methodists",
            "--value",
            "4",
        ])
    };
    let o = set(&dir, "Надеждинский МР");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = env.bare(&["--campaign", dir.to_str().unwrap(), "check"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));

    // Without its registry (an older campaign, from before campaigns kept their data files
    // and before the history, which would give it back), writers refuse and check says why.
    std::fs::remove_file(dir.join("registry.ron")).unwrap();
    sobes::storage::remove_tree(&dir.join(".git")).unwrap();
    let before = snapshot(&dir);
    let o = set(&dir, "Уйский МР");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o)
            .contains("кампания — «Приморский край», а загружен реестр «Челябинская область»"),
        "{}",
        stderr(&o)
    );
    assert_eq!(snapshot(&dir), before, "nothing written");
    let o = env.bare(&["--campaign", dir.to_str().unwrap(), "check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("Приморский край"), "{}", stdout(&o));
}

const STAFF_PROTOCOL: &str = r#"Protocol(
    id: "primorye-staff",
    version: 1,
    title: "Кадры ММС",
    sections: [
        (id: "staff", title: "Кадры", questions: [
            (id: "staff_count", text: "Сколько специалистов в службе?", kind: Number(min: 0, max: 100), required: true),
        ]),
    ],
)
"#;

const STAFF_CLUSTERS: &str = r#"Dimensions([
    (
        id: "staffing",
        title: "Укомплектованность",
        clusters: [
            (number: 1, short: "Недостаточно", meaning: "1–2 специалиста"),
            (number: 2, short: "Допустимо", meaning: "3–4 специалиста"),
            (number: 3, short: "Оптимально", meaning: "5 и более"),
        ],
        rules: [
            (cluster: 1, when: InRange("staff_count", 0, 2)),
            (cluster: 2, when: InRange("staff_count", 3, 4)),
            (cluster: 3, when: InRange("staff_count", 5, 100)),
        ],
    ),
])
"#;

#[test]
fn a_campaign_with_its_own_protocol_exports_its_matrix_and_says_what_its_letter_needs() {
    let env = Env::new();
    let files = [
        ("registry", "r.ron", PRIMORSKY),
        ("protocol", "p.ron", STAFF_PROTOCOL),
        ("clusters", "c.ron", STAFF_CLUSTERS),
    ];
    let mut args = vec![
        "new".to_string(),
        env.home().join("own").display().to_string(),
    ];
    for (flag, name, text) in files {
        let path = env.home().join(name);
        std::fs::write(&path, text).unwrap();
        args.push(format!("--{flag}"));
        args.push(path.display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = env.bare(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = env.home().join("own");
    let c = ["--campaign", dir.to_str().unwrap()];
    let o = env.bare(
        &[
            &c[..],
            &[
                "--as",
                "Т",
                "set",
                "--municipality",
                "Спасский МР",
                "--question",
                "staff_count",
                "--value",
                "4",
            ],
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = env.home().join("m.csv");
    let o = env.bare(
        &[
            &c[..],
            &["export", "--allow-incomplete", "-o", csv.to_str().unwrap()],
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.contains("Спасский МР") && text.contains("Укомплектованность"),
        "{text}"
    );
    for cmd in [
        &["lists"][..],
        &["export", "--allow-incomplete", "-o", "x.md"],
    ] {
        let o = env.bare(&[&c[..], cmd].concat());
        assert_eq!(o.status.code(), Some(1), "{cmd:?}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "said once: {err}");
        assert!(
            err.contains("не подходит к протоколу «primorye-staff»")
                && err.contains(&dir.join("annex.ron").display().to_string()),
            "{err}"
        );
    }
}

#[test]
fn export_to_a_bare_file_name_writes_a_document_to_send() {
    let env = Env::new();
    let out = env.home().join("out");
    std::fs::create_dir(&out).unwrap();
    let export = |force: bool| {
        let mut c = env.command();
        c.current_dir(&out).arg("--campaign").arg(&env.dir);
        c.args([
            "export",
            "--format",
            "md",
            "-o",
            "annex.md",
            "--allow-incomplete",
        ]);
        if force {
            c.arg("--force");
        }
        c.output().unwrap()
    };
    let o = export(false);
    assert!(o.status.success(), "{}", stderr(&o));
    let file = out.join("annex.md");
    assert!(
        stdout(&o).contains(&file.display().to_string()),
        "the full path: {}",
        stdout(&o)
    );
    let o = export(true);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !out.join("annex.md.bak").exists(),
        "no backup beside a document"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_ne!(mode, 0o600, "the user's usual permissions, not private");
        assert_eq!(
            mode & 0o044,
            0o044 & !umask(),
            "readable as the umask allows"
        );
    }
}

/// The process umask, read back by setting it (tests in this binary do not race on it:
/// they only create files, and set it back at once).
#[cfg(unix)]
fn umask() -> u32 {
    let out = std::process::Command::new("sh")
        .args(["-c", "umask"])
        .output()
        .unwrap();
    u32::from_str_radix(String::from_utf8_lossy(&out.stdout).trim(), 8).unwrap_or(0o022)
}

#[test]
fn temp_files_of_killed_writers_are_removed_by_the_next_writer() {
    let env = Env::new();
    assert!(env.set("Уйский", "methodists", "3").status.success());
    let records = env.dir.join("municipalities");
    let stale = [
        records.join(".uysky-mr.ron.tmp999999"),
        env.dir.join(".campaign.ron.tmp999998"),
    ];
    let kept = [records.join("notes.txt"), records.join(".x.ron.tmpabc")];
    for f in stale.iter().chain(&kept) {
        std::fs::write(f, b"half a record").unwrap();
    }
    let o = env.run(&["check"]);
    assert!(
        stdout(&o).contains(".uysky-mr.ron.tmp999999"),
        "check lists them: {}",
        stdout(&o)
    );
    assert!(env.set("Уйский", "methodists", "4").status.success());
    for f in &stale {
        assert!(!f.exists(), "{} removed", f.display());
    }
    for f in &kept {
        assert!(f.exists(), "{} kept", f.display());
    }
}

#[test]
fn spreadsheet_cells_never_become_formulas() {
    let env = Env::new();
    let reasons = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@SUM(A1)"];
    let dims = ["training", "project_office", "regional_active"];
    for (i, reason) in reasons.iter().take(3).enumerate() {
        let o = env.run(&[
            "--as",
            "Т",
            "decide",
            "--municipality",
            "Уйский",
            "--dimension",
            dims[i],
            "--cluster",
            "1",
            "--reason",
            reason,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = env.run(&[
        "--as",
        "Т",
        "decide",
        "--municipality",
        "Ашинский",
        "--dimension",
        "training",
        "--cluster",
        "1",
        "--reason",
        reasons[3],
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = env.home().join("m.csv");
    let o = env.run(&["export", "--allow-incomplete", "-o", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&csv).unwrap();
    for cell in [
        "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
        ";'+1",
        ";'-2",
        ";'@SUM(A1)",
    ] {
        assert!(text.contains(cell), "{cell} in {text}");
    }
    let xlsx = env.home().join("m.xlsx");
    let o = env.run(&["export", "--allow-incomplete", "-o", xlsx.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&xlsx).unwrap()).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    assert!(
        !sheet.contains("<f>") && !sheet.contains("<f "),
        "no formula cells"
    );
    let mut strings = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/sharedStrings.xml").unwrap(),
        &mut strings,
    )
    .unwrap();
    assert!(strings.contains("=HYPERLINK"), "the text is kept as text");
}

#[test]
fn os_errors_are_said_in_russian_naming_the_path() {
    let env = Env::new();
    let missing = env.home().join("нет-такой-папки").join("x.md");
    let o = env.run(&[
        "export",
        "--allow-incomplete",
        "-o",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("нет такого файла или каталога"), "{err}");
    assert!(
        !err.contains("No such file") && !err.contains("os error"),
        "{err}"
    );
}

/// Where the system shows which processes run (/proc); elsewhere a temp file is judged by its
/// age (`tests/portable.rs`).
#[cfg(target_os = "linux")]
#[test]
fn an_export_removes_temp_files_of_dead_exports() {
    let env = Env::new();
    let out = env.home().join("a.md");
    let dead = env.home().join(".a.md.tmp999999");
    let alive = env.home().join(format!(".a.md.tmp{}", std::process::id()));
    std::fs::write(&dead, b"half").unwrap();
    std::fs::write(&alive, b"being written").unwrap();
    let o = env.run(&["export", "--allow-incomplete", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!dead.exists(), "a dead export's temp file goes");
    assert!(alive.exists(), "a living process's stays");
}

#[test]
fn control_characters_are_shown_escaped() {
    let env = Env::new();
    let evil = "Ответ\u{1b}]0;чужой заголовок\u{7}\u{1b}[2J";
    let o = env.set("Уйский", "reserves_detail", evil);
    assert!(o.status.success(), "{}", stderr(&o));
    let shown = stdout(&o);
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
        "{shown:?}"
    );
    assert!(shown.contains("\\u{1b}]0;чужой заголовок"), "{shown}");
    let o = env.bare(&["resolve", "Уйс\u{1b}[2Jкий\u{7}q"]);
    assert!(
        !stderr(&o).contains('\u{1b}') && !stdout(&o).contains('\u{1b}'),
        "{:?}",
        stderr(&o)
    );
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let env = Env::new();
    for _ in 0..3 {
        let mut child = env
            .command()
            .args(["--campaign", env.dir.to_str().unwrap(), "questions"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before sobes writes: `sobes questions | head -0`.
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        assert_ne!(o.status.code(), Some(101), "{}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
}

#[test]
fn command_line_mistakes_are_said_in_russian_and_hyphen_values_reach_the_validator() {
    let env = Env::new();
    let o = env.set("Уйский", "methodists", "-1");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("ждёт целое число от 0 до 500, а не «-1»"),
        "{}",
        stderr(&o)
    );
    let o = env.bare(&["status", "--tvs"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("непонятный аргумент «--tvs»"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("unexpected"), "{}", stderr(&o));
    let o = env.bare(&["statsu"]);
    assert!(
        stderr(&o).contains("нет такой команды «statsu»"),
        "{}",
        stderr(&o)
    );
    let o = env.bare(&["set", "--question", "x"]);
    assert!(
        stderr(&o).contains("не хватает обязательного"),
        "{}",
        stderr(&o)
    );
    let o = env.bare(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("Usage") || stdout(&o).contains("sobes"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn an_annex_error_points_at_its_own_list() {
    let env = Env::new();
    let annex = env.home().join("annex.ron");
    // «training» is named by earlier lists too; the error is in train_3's own line.
    let text = include_str!("../data/annex.ron").replace(
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

/// This year's letter, not 2022's: a new campaign's annex leaves blanks to fill where the
/// letter's number, date and deadlines go; `campaign set` writes them; the 2022
/// reconstruction keeps its own facts.
#[test]
fn the_letters_facts_are_the_campaigns() {
    let env = Env::new();
    let md = env.home().join("a.md");
    let export = |env: &Env| {
        let o = env.run(&[
            "export",
            "--allow-incomplete",
            "--force",
            "-o",
            md.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read_to_string(&md)
            .unwrap()
            .replace('\u{a0}', " ")
            .replace("\\_", "_")
    };
    let text = export(&env);
    assert!(text.contains("от ____ № ____"), "{text}");
    assert!(
        !text.contains("10211") && !text.contains("8717") && !text.contains("25.11.2022"),
        "nothing stale"
    );
    let set = |k: &str, v: &str| env.run(&["campaign", "set", k, v]);
    // The region's names are facts too: another region's letter says its own.
    for (k, v) in [
        ("region_genitive", "Приморского края"),
        ("ministry", "Министерства образования Приморского края"),
        (
            "institute",
            "ГАУ ДПО «Приморский краевой институт развития образования»",
        ),
        ("institute_short", "ГАУ ДПО ПК ИРО"),
        ("start", "15.09.2026"),
        ("end", "2026-10-09"),
    ] {
        let o = set(k, v);
        assert!(o.status.success(), "{k}: {}", stderr(&o));
    }
    let other = export(&env);
    assert!(
        !other.contains("Челябинской области") && !other.contains("ЧИППКРО"),
        "{other}"
    );
    assert!(
        other.contains("к письму Министерства образования  \nПриморского края")
            && !other.contains("и науки")
            && other.contains("ГАУ ДПО ПК ИРО"),
        "{other}"
    );
    let shown = stdout(&env.run(&["campaign", "show"]));
    assert!(
        shown.contains("start\t15.09.2026") && shown.contains("end\t09.10.2026"),
        "dates are shown as they are typed: {shown}"
    );
    // Facts are checked where they are typed, the message names the field in Russian and
    // nothing is written.
    for (k, v, why) in [
        ("end", "01.09.2026", "раньше, чем начались"),
        ("start", "12.10.2026", "раньше, чем начались"),
        ("plan_year", "от 01.09.2026 № 03/555", "ожидался год"),
        ("plan_period", "2026", "годы через тире"),
        ("plan_period", "2027–2026", "должен быть позже"),
        ("letter_date", "32.10.2026", "такой даты нет"),
        ("title", "Кампания\u{b}2026", "управляющий символ"),
        ("letter_number", "12\u{7}3", "управляющий символ"),
    ] {
        let before = std::fs::read(env.dir.join("campaign.ron")).unwrap();
        let o = set(k, v);
        assert_eq!(o.status.code(), Some(1), "{k} = {v:?}");
        assert!(stderr(&o).contains(why), "{k}: {}", stderr(&o));
        assert!(
            !stderr(&o).contains(&format!("{k}:")),
            "the Russian name, not the key: {}",
            stderr(&o)
        );
        assert_eq!(std::fs::read(env.dir.join("campaign.ron")).unwrap(), before);
    }
    assert!(set("plan_period", "2026-2027").status.success());
    // Setting one interview date leaves the other as it is stored, even written by hand
    // as it is typed.
    let meta = env.dir.join("campaign.ron");
    let text = std::fs::read_to_string(&meta).unwrap();
    let text = text.replace("end: Some(\"2026-10-09\")", "end: Some(\"10.10.2026\")");
    assert!(text.contains("10.10.2026"), "{text}");
    std::fs::write(&meta, text).unwrap();
    assert!(set("start", "16.09.2026").status.success());
    assert!(
        std::fs::read_to_string(&meta)
            .unwrap()
            .contains("end: Some(\"10.10.2026\")"),
        "the end was erased"
    );
    assert!(stdout(&env.run(&["campaign", "show"])).contains("plan_period\t2026–2027"));
    // Facts that contradict each other are named by check.
    assert!(set("plan_year", "2031").status.success());
    let check = stdout(&env.run(&["check"]));
    assert!(
        check.contains("год планов (2031) не входит в период планов"),
        "{check}"
    );
    assert!(set("plan_year", "").status.success());
    let o = set("start", "15 сентября");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("ожидалась дата ДД.ММ.ГГГГ"),
        "{}",
        stderr(&o)
    );
    assert!(set("letter_number", "12345").status.success());
    assert!(set("letter_date", "20.10.2026").status.success());
    assert!(
        set("deadline_active_regulation", "до 01.12.2026")
            .status
            .success()
    );
    let text = export(&env);
    assert!(text.contains("от 20.10.2026 № 12345"), "{text}");
    assert!(text.contains("(до 01.12.2026)"), "{text}");
    let o = set("letter_numbr", "1");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("нет такой настройки или факта письма «letter_numbr»")
            && stderr(&o).contains("letter_number —"),
        "{}",
        stderr(&o)
    );
    let shown = stdout(&env.run(&["campaign", "show"]));
    assert!(
        shown.contains("letter_number\t12345") && shown.contains("program_letter\t____"),
        "{shown}"
    );
}

/// clap's own words are said in Russian: help of every command, and a command line that is
/// not UTF-8.
#[test]
fn help_and_command_line_errors_are_russian() {
    let env = Env::new();
    for cmd in [
        &[][..],
        &["set"],
        &["decide"],
        &["sync"],
        &["campaign", "set"],
        &["new"],
        &["resolve"],
        &["export"],
        &["log"],
    ] {
        let o = env.bare(&[cmd, &["--help"]].concat());
        assert!(o.status.success());
        let help = stdout(&o);
        assert!(
            help.contains("Использование:") && help.contains("Показать справку"),
            "{help}"
        );
        for english in [
            "Usage:",
            "Options:",
            "Commands:",
            "Arguments:",
            "Print help",
            "[OPTIONS]",
            "<NAME>",
            "<FILE>",
            "<DIR>",
            "<VALUE>",
        ] {
            assert!(!help.contains(english), "«{english}» in {cmd:?}: {help}");
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let o = env
            .command()
            .arg("resolve")
            .arg(std::ffi::OsStr::from_bytes(b"\xff\xfe"))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains("не в кодировке UTF-8"),
            "{}",
            stderr(&o)
        );
    }
}

/// An export replaces only a plain file: a link or a FIFO in its place (as a device node
/// would be) is refused and left as it was.
#[cfg(unix)]
#[test]
fn an_export_writes_only_plain_files() {
    let env = Env::new();
    let target = env.home().join("чужой.txt");
    std::fs::write(&target, "не трогать").unwrap();
    let link = env.home().join("приложение.md");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let fifo = env.home().join("труба.md");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    for path in [&link, &fifo] {
        let o = env.run(&[
            "export",
            "-o",
            path.to_str().unwrap(),
            "--force",
            "--allow-incomplete",
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("это не обычный файл"), "{}", stderr(&o));
        assert!(
            !std::fs::symlink_metadata(path)
                .unwrap()
                .file_type()
                .is_file()
        );
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "не трогать");
}

/// The human log names municipalities and fields in words; the TSV keeps the ids in their
/// columns and adds the names after them. A document saved in the campaign folder is none of
/// the history's business: `check` does not warn about it.
#[test]
fn the_log_speaks_russian_and_check_ignores_stray_documents() {
    let env = Env::new();
    assert!(env.set("Агаповский", "host_bases", "yes").status.success());
    let log = stdout(&env.run(&["log"]));
    assert!(
        log.contains("Агаповский МР · ответ «")
            && !log.contains("agapovsky-mr")
            && !log.contains("host_bases"),
        "{log}"
    );
    let tsv = stdout(&env.run(&["log", "--tsv"]));
    let row: Vec<&str> = tsv.lines().last().unwrap().split('\t').collect();
    assert_eq!((row[3], row[4]), ("agapovsky-mr", "host_bases"), "{tsv}");
    assert_eq!(row[8], "Агаповский МР", "{tsv}");
    std::fs::write(env.dir.join("приложение.docx"), b"PK").unwrap();
    let check = stdout(&env.run(&["check"]));
    assert!(!check.contains("приложение.docx"), "{check}");
}

/// A date typed in the right form that the calendar does not have says why, not that the
/// form was wrong.
#[test]
fn a_date_the_calendar_lacks_says_so() {
    let env = Env::new();
    let o = env.run(&["campaign", "set", "letter_date", "31.02.2027"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("такой даты нет: в феврале 2027 года 28 дней"),
        "{}",
        stderr(&o)
    );
    let o = env.run(&["campaign", "set", "letter_date", "12.13.2027"]);
    assert!(stderr(&o).contains("месяца 13 нет"), "{}", stderr(&o));
    let o = env.run(&["campaign", "set", "letter_date", "завтра"]);
    assert!(
        stderr(&o).contains("ожидалась дата ДД.ММ.ГГГГ"),
        "{}",
        stderr(&o)
    );
}
