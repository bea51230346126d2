//! Campaigns of another region or with their own protocol, and the letter's facts.

use super::*;
use crate::common::refused;

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
    refused(&o, "ожидалась дата ДД.ММ.ГГГГ");
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
