//! `compare` and a new campaign beside last year's: what moved, what is kept.

use super::*;
use crate::common::refused;

/// The 2022 reconstruction and a copy with three decisions changed: `compare` lists exactly
/// those three, and the tables of moves count them.
#[test]
fn compare_lists_exactly_the_changes_made() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let (old, new) = (tmp.path().join("2022"), tmp.path().join("2023"));
    let (old_s, new_s) = (old.to_str().unwrap(), new.to_str().unwrap());
    ok(run(&home, &["new", old_s, "--from", "chelyabinsk-2022"]));
    ok(run(&home, &["new", new_s, "--from", "chelyabinsk-2022"]));
    let o = run(&home, &["--campaign", new_s, "compare"]);
    refused(&o, "прошлогодняя кампания не названа");
    let o = run(
        &home,
        &[
            "--campaign",
            new_s,
            "campaign",
            "set",
            "previous",
            tmp.path().to_str().unwrap(),
        ],
    );
    refused(&o, "это не кампания sobes");
    let o = run(
        &home,
        &["--campaign", new_s, "campaign", "set", "previous", new_s],
    );
    assert_eq!(o.status.code(), Some(1), "not itself");
    ok(run(
        &home,
        &["--campaign", new_s, "campaign", "set", "previous", old_s],
    ));
    let unchanged = ok(run(&home, &["--campaign", new_s, "compare"]));
    assert!(
        unchanged.contains("Сменили кластер или уровень: 0"),
        "{unchanged}"
    );

    let before = ok(run(&home, &["--campaign", new_s, "status", "--tsv"]));
    let cluster_of = |tsv: &str, id: &str, col: usize| -> String {
        tsv.lines()
            .find(|l| l.starts_with(&format!("{id}\t")))
            .unwrap()
            .split('\t')
            .nth(col)
            .unwrap()
            .to_string()
    };
    // Three changes: two dimensions of one municipality, one of another.
    let changes = [
        ("nyazepetrovsky-mr", "Нязепетровский", "training", 5),
        ("nyazepetrovsky-mr", "Нязепетровский", "project_office", 6),
        ("kusinsky-mr", "Кусинский", "regional_active", 7),
    ];
    let mut expected = Vec::new();
    for (id, name, dim, col) in changes {
        let was: u8 = cluster_of(&before, id, col).parse().unwrap();
        let now = if was == 1 { 2 } else { 1 };
        ok(run(
            &home,
            &[
                "--campaign",
                new_s,
                "--as",
                "Тест",
                "decide",
                "--municipality",
                name,
                "--dimension",
                dim,
                "--cluster",
                &now.to_string(),
                "--reason",
                "за год изменилось",
            ],
        ));
        expected.push((id, dim, was, now));
    }
    let tsv = ok(run(&home, &["--campaign", new_s, "compare", "--tsv"]));
    let dims = ["training", "project_office", "regional_active"];
    let mut found = Vec::new();
    for line in tsv.lines().filter(|l| l.starts_with("муниципалитет\t")) {
        let cells: Vec<&str> = line.split('\t').collect();
        for (k, dim) in dims.iter().enumerate() {
            let (b, n) = (cells[2 + 2 * k], cells[3 + 2 * k]);
            if b != n {
                found.push((
                    cells[1].to_string(),
                    dim.to_string(),
                    b.to_string(),
                    n.to_string(),
                ));
            }
        }
    }
    let expected_rows: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(id, dim, was, now)| {
            (
                id.to_string(),
                dim.to_string(),
                was.to_string(),
                now.to_string(),
            )
        })
        .collect();
    found.sort();
    let mut expected_rows = expected_rows;
    expected_rows.sort();
    assert_eq!(found, expected_rows);
    // Kusinsky's move is counted once in its dimension's table.
    let (_, _, was, now) = expected[2];
    assert!(
        tsv.contains(&format!("переход\tregional_active\t{was}\t{now}\t1\n")),
        "{tsv}"
    );
    // The letter's lists of moves are computed: Нязепетровский left cluster 3 of training.
    let lists = ok(run(&home, &["--campaign", new_s, "lists", "--tsv"]));
    let left: Vec<&str> = lists
        .lines()
        .filter(|l| l.starts_with("left_consulting\t"))
        .collect();
    assert_eq!(
        left,
        ["left_consulting\tnyazepetrovsky-mr\tНязепетровский МР"],
        "{lists}"
    );
    let old_lists = ok(run(&home, &["--campaign", old_s, "lists", "--tsv"]));
    assert!(
        !old_lists.contains("left_consulting\t"),
        "no last year, nobody moved"
    );
    let text = ok(run(&home, &["--campaign", new_s, "compare"]));
    assert!(text.contains("Сменили кластер или уровень: 2"), "{text}");
    assert!(
        text.contains(&format!(
            "Нязепетровский МР: Обучение {}→{}; Пр.офис",
            expected[0].2, expected[0].3
        )),
        "{text}"
    );
}

/// `new --previous` names last year's campaign at once; a folder that is not a campaign is
/// refused and nothing is made.
#[test]
fn a_new_campaign_names_last_years() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    let o = run(
        &home,
        &[
            "new",
            new.to_str().unwrap(),
            "--previous",
            old.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(!new.exists(), "nothing made");
    ok(run(
        &home,
        &["new", old.to_str().unwrap(), "--from", "chelyabinsk-2022"],
    ));
    ok(run(
        &home,
        &[
            "new",
            new.to_str().unwrap(),
            "--previous",
            old.to_str().unwrap(),
        ],
    ));
    let meta = std::fs::read_to_string(new.join("campaign.ron")).unwrap();
    assert!(
        // RON escapes as Rust does: a Windows path's backslashes are doubled.
        meta.contains(&format!("previous: Some({:?})", old.display().to_string())),
        "{meta}"
    );
    let text = ok(run(
        &home,
        &["--campaign", new.to_str().unwrap(), "compare"],
    ));
    // Nothing decided this year yet: nobody has moved, everyone is in the «—» column.
    assert!(text.contains("Сменили кластер или уровень: 0"), "{text}");
}

/// The monitoring level last year and this year: `compare` says the move with its arrow
/// and counts it in the levels' table.
#[test]
fn compare_shows_the_monitoring_level_move() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, old, new) = two_years(tmp.path(), None);
    let (old_s, new_s) = (old.as_str(), new.as_str());
    let sheet = |dir: &str, value: &str| import_uniform(&home, tmp.path(), dir, value);
    sheet(old_s, "0");
    sheet(new_s, "2");
    let text = ok(run(&home, &["--campaign", new_s, "compare"]));
    assert!(text.contains("Сменили кластер или уровень: 1"), "{text}");
    assert!(
        text.contains("Нязепетровский МР: мониторинг: низкий → высокий ↑"),
        "{text}"
    );
    let tsv = ok(run(&home, &["--campaign", new_s, "compare", "--tsv"]));
    assert!(
        tsv.contains("nyazepetrovsky-mr\t\t\t\t\t\t\tнизкий\tвысокий\tпо баллам\tпо баллам\n"),
        "{tsv}"
    );
    assert!(tsv.contains("переход\tmonitoring\t0\t4\t1\n"), "{tsv}");
    let md = tmp.path().join("annex.md");
    ok(run(
        &home,
        &[
            "--campaign",
            new_s,
            "export",
            "--allow-incomplete",
            "-o",
            md.to_str().unwrap(),
        ],
    ));
    let annex = std::fs::read_to_string(&md).unwrap().replace('\u{a0}', " ");
    assert!(
        annex.contains(
            "повысили уровень по мониторингу 1 муниципальное образование: Нязепетровский МР."
        ),
        "{annex}"
    );
    assert!(!annex.contains("Понизили уровень"), "{annex}");
}

/// Where a municipality has no points, the interview's own `monitoring_level` is the level
/// compared, and the report says so.
#[test]
fn compare_falls_back_to_the_interviews_level() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, _, new) = two_years(tmp.path(), Some("chelyabinsk-2022"));
    let new_s = new.as_str();
    set(
        &home,
        new_s,
        "Нязепетровский",
        "monitoring_level",
        "above_average",
    );
    let text = ok(run(&home, &["--campaign", new_s, "compare"]));
    assert!(
        text.contains(
            "Нязепетровский МР: мониторинг: ниже среднего → выше среднего ↑ (по собеседованию)"
        ),
        "{text}"
    );
    let tsv = ok(run(&home, &["--campaign", new_s, "compare", "--tsv"]));
    assert!(
        tsv.lines()
            .any(|l| l.starts_with("муниципалитет\tnyazepetrovsky-mr")
                && l.ends_with("ниже среднего\tвыше среднего\tпо собеседованию\tпо собеседованию")),
        "{tsv}"
    );
}

/// Next year's campaign keeps the facts of the same people (the institute, the signer),
/// says which it took so they are confirmed, and never a fact of last year's letter (its
/// number, date, deadlines, years).
#[test]
fn next_year_keeps_the_signer_and_not_the_letter() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    let (old_s, new_s) = (old.to_str().unwrap(), new.to_str().unwrap());
    ok(run(&home, &["new", old_s]));
    for (k, v) in [
        ("signer_position", "Ректор"),
        ("signer_name", "А. А. Иванова"),
        ("letter_number", "10211"),
        ("letter_date", "18.10.2022"),
        ("deadline_roadmap", "до 01.12.2022"),
    ] {
        ok(run(&home, &["--campaign", old_s, "campaign", "set", k, v]));
    }
    let said = ok(run(&home, &["new", new_s, "--previous", old_s]));
    assert!(
        said.contains("signer_name = А. А. Иванова") && said.contains("проверьте"),
        "{said}"
    );
    let shown = ok(run(&home, &["--campaign", new_s, "campaign", "show"]));
    assert!(shown.contains("signer_position\tРектор\t"), "{shown}");
    for stale in ["10211", "18.10.2022", "01.12.2022"] {
        assert!(!shown.contains(stale), "{stale}: {shown}");
    }
}
