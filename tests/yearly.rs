//! Year after year (issue 11): last year's campaign beside this year's.

mod common;
use common::{BIN, stderr, stdout};
use std::path::Path;
use std::process::{Command, Output};

fn run(home: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .env("SOBES_HOME", home)
        .args(args)
        .output()
        .unwrap()
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    stdout(&o)
}

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
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("прошлогодняя кампания не названа"),
        "{}",
        stderr(&o)
    );
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
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("это не кампания sobes"),
        "{}",
        stderr(&o)
    );
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
    assert!(unchanged.contains("Сменили кластер: 0"), "{unchanged}");

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
    let text = ok(run(&home, &["--campaign", new_s, "compare"]));
    assert!(text.contains("Сменили кластер: 2"), "{text}");
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
        meta.contains(&format!("previous: Some(\"{}\")", old.display())),
        "{meta}"
    );
    let text = ok(run(
        &home,
        &["--campaign", new.to_str().unwrap(), "compare"],
    ));
    // Nothing decided this year yet: nobody has moved, everyone is in the «—» column.
    assert!(text.contains("Сменили кластер: 0"), "{text}");
}
