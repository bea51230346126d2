//! Monitoring scores: checked against their scale, imported whole or not at all.

use super::*;
use crate::common::refused;

/// Scores on their scale through `score`; the levels follow from the thresholds.
#[test]
fn scores_are_checked_and_levels_follow() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let score = |m: &str, i: &str, v: &str| {
        run(
            &home,
            &[
                "--campaign",
                &dir,
                "--as",
                "Тест",
                "score",
                "--municipality",
                m,
                "--indicator",
                i,
                "--value",
                v,
            ],
        )
    };
    let o = score("Ашинский", "1.3", "5");
    refused(
        &o,
        "показатель 1.3: 5 — вне шкалы, ожидалось от 0 до 2 баллов",
    );
    let o = score("Ашинский", "7.7", "1");
    assert!(
        stderr(&o).contains("нет показателя «7.7»"),
        "{}",
        stderr(&o)
    );
    ok(score("Ашинский", "1.3", "1"));
    ok(score("Ашинский", "2.2", "2"));
    let tsv = ok(run(&home, &["--campaign", &dir, "levels", "--tsv"]));
    assert_eq!(
        tsv,
        "ashinsky-mr\t1.3\t1\tдопустимый\nashinsky-mr\t2.2\t2\tдопустимый\n"
    );
}

/// A spreadsheet with bad rows changes nothing and names each bad cell; with
/// --skip-bad-rows the good rows are written and the bad ones listed. XLSX and CSV alike.
#[test]
fn an_imported_sheet_with_bad_rows_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let xlsx = tmp.path().join("мониторинг.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let rows: [[&str; 4]; 4] = [
        ["Муниципалитет", "Показатель 1.1", "1.2", "2.2"],
        ["Ашинский муниципальный район", "2", "1", "3"],
        ["Кусинский МР", "1", "три", "0"],
        ["Троицкий", "1", "1", "1"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell.parse::<f64>() {
                Ok(n) => ws.write_number(r as u32, c as u16, n).map(|_| ()),
                Err(_) => ws.write_string(r as u32, c as u16, *cell).map(|_| ()),
            }
            .unwrap();
        }
    }
    wb.save(&xlsx).unwrap();
    let before = common::snapshot(Path::new(&dir));
    let o = run(
        &home,
        &[
            "--campaign",
            &dir,
            "--as",
            "Тест",
            "import-monitoring",
            xlsx.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("ничего не записано: в таблице ошибки (2)"),
        "{err}"
    );
    assert!(err.contains("мониторинг.xlsx: строка 3, столбец C: показатель 1.2: ожидался целый балл от 0 до 2, а не «три»"), "{err}");
    assert!(
        err.contains(
            "мониторинг.xlsx: строка 4, столбец A: «Троицкий» подходит к нескольким муниципалитетам"
        ),
        "{err}"
    );
    assert_eq!(before, common::snapshot(Path::new(&dir)), "nothing written");
    let o = run(
        &home,
        &[
            "--campaign",
            &dir,
            "--as",
            "Тест",
            "import-monitoring",
            "--skip-bad-rows",
            xlsx.to_str().unwrap(),
        ],
    );
    let out = ok(o);
    assert!(
        out.contains("загружено баллов: 3, изменено муниципалитетов: 1"),
        "{out}"
    );
    let tsv = ok(run(&home, &["--campaign", &dir, "levels", "--tsv"]));
    assert_eq!(
        tsv,
        "ashinsky-mr\t1.1\t2\tоптимальный\nashinsky-mr\t1.2\t1\tдопустимый\nashinsky-mr\t2.2\t3\tоптимальный\n"
    );
    // The same table as CSV (with «;» and a BOM, as Excel saves it) reads the same.
    let csv = tmp.path().join("m.csv");
    std::fs::write(&csv, "\u{feff}Муниципалитет;1.1\r\nКусинский МР;1\r\n").unwrap();
    let out = ok(run(
        &home,
        &[
            "--campaign",
            &dir,
            "--as",
            "Тест",
            "import-monitoring",
            csv.to_str().unwrap(),
        ],
    ));
    assert!(out.contains("загружено баллов: 1"), "{out}");
}

/// An import writes the campaign's table of points and nothing else: the record files stay
/// as they were, and the commit holds the one file.
#[test]
fn an_import_writes_only_the_table_of_points() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    set(&home, &dir, "Нязепетровский", "methodists", "3");
    let records = |d: &str| common::snapshot(&Path::new(d).join("municipalities"));
    let before = records(&dir);
    import_uniform(&home, tmp.path(), &dir, "1");
    assert_eq!(records(&dir), before, "no record file rewritten");
    let table = std::fs::read_to_string(Path::new(&dir).join("scores.ron")).unwrap();
    assert!(
        table.contains("\"nyazepetrovsky-mr\"") && table.contains("\"1.1\": 1"),
        "{table}"
    );
    let repo = git2::Repository::open(&dir).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    let parent = head.parent(0).unwrap();
    let diff = repo
        .diff_tree_to_tree(
            Some(&parent.tree().unwrap()),
            Some(&head.tree().unwrap()),
            None,
        )
        .unwrap();
    let files: Vec<String> = diff
        .deltas()
        .map(|d| d.new_file().path().unwrap().display().to_string())
        .collect();
    assert_eq!(files, ["scores.ron"]);
    let tsv = ok(run(&home, &["--campaign", &dir, "levels", "--tsv"]));
    assert!(tsv.contains("nyazepetrovsky-mr\t1.1\t1\t"), "{tsv}");
}

/// A campaign written before the table kept points in the record files: they still count,
/// and the next save of the record moves them into the table, none lost.
#[test]
fn points_in_an_older_record_file_count_and_move_to_the_table() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let file = Path::new(&dir).join("municipalities/ashinsky-mr.ron");
    std::fs::write(
        &file,
        "Record(format: 1, id: \"ashinsky-mr\", scores: {\"1.3\": (value: 2, by: \"Анна\", at: \"2025-05-01T10:00:00Z\")})\n",
    )
    .unwrap();
    let levels = || ok(run(&home, &["--campaign", &dir, "levels", "--tsv"]));
    assert_eq!(levels(), "ashinsky-mr\t1.3\t2\tоптимальный\n");
    set(&home, &dir, "Ашинский", "methodists", "3");
    assert_eq!(levels(), "ashinsky-mr\t1.3\t2\tоптимальный\n");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("scores"), "{text}");
    let table = std::fs::read_to_string(Path::new(&dir).join("scores.ron")).unwrap();
    assert!(
        table.contains("\"ashinsky-mr\"")
            && table.contains("by: \"Анна\"")
            && table.contains("\"1.3\": 2"),
        "{table}"
    );
}
