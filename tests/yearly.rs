//! Year after year (issue 11): last year's campaign beside this year's.

mod common;
use common::{ok, sobes as run, stderr};
use std::path::Path;

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

/// Gives Нязепетровский МР the same points on every built-in indicator, through a sheet.
fn import_uniform(home: &Path, tmp: &Path, dir: &str, value: &str) {
    let ids: Vec<String> = sobes::model::monitoring::Monitoring::builtin()
        .indicators()
        .map(|(_, i)| i.id.clone())
        .collect();
    let csv = tmp.join(format!("{value}.csv"));
    let header = format!("Муниципалитет;{}\n", ids.join(";"));
    let row = format!("Нязепетровский МР;{}\n", vec![value; ids.len()].join(";"));
    std::fs::write(&csv, header + &row).unwrap();
    let args = [
        "--campaign",
        dir,
        "--as",
        "Тест",
        "import-monitoring",
        csv.to_str().unwrap(),
    ];
    ok(run(home, &args));
}

/// `sobes set` as «Тест» in the campaign `dir`; its output.
fn set(home: &Path, dir: &str, municipality: &str, question: &str, value: &str) -> String {
    let args = common::set_args(municipality, question, value);
    ok(run(home, &[&["--campaign", dir][..], &args].concat()))
}

fn campaign(tmp: &Path) -> (std::path::PathBuf, String) {
    let home = tmp.join("home");
    let dir = tmp.join("c");
    ok(run(&home, &["new", dir.to_str().unwrap()]));
    (home, dir.to_str().unwrap().to_string())
}

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
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("показатель 1.3: 5 — вне шкалы, ожидалось от 0 до 2 баллов"),
        "{}",
        stderr(&o)
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

/// The monitoring level last year and this year: `compare` says the move with its arrow
/// and counts it in the levels' table.
#[test]
fn compare_shows_the_monitoring_level_move() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    let (old_s, new_s) = (old.to_str().unwrap(), new.to_str().unwrap());
    ok(run(&home, &["new", old_s]));
    ok(run(&home, &["new", new_s, "--previous", old_s]));
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
    let home = tmp.path().join("home");
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    let (old_s, new_s) = (old.to_str().unwrap(), new.to_str().unwrap());
    ok(run(&home, &["new", old_s, "--from", "chelyabinsk-2022"]));
    ok(run(&home, &["new", new_s, "--previous", old_s]));
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

/// The letter to one municipality: its level this year and last, and per indicator the
/// advice for the level it sits at; letters to all go one file each, never over a file.
#[test]
fn a_letter_per_municipality() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    let (old_s, new_s) = (old.to_str().unwrap(), new.to_str().unwrap());
    ok(run(&home, &["new", old_s]));
    ok(run(&home, &["new", new_s, "--previous", old_s]));
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
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("выгружается в md или docx"),
        "{}",
        stderr(&o)
    );
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

/// `import-monitoring` as «Тест» in the campaign `dir` with `args` after it.
fn import(home: &Path, dir: &str, args: &[&str]) -> std::process::Output {
    let head = ["--campaign", dir, "--as", "Тест", "import-monitoring"];
    run(home, &[&head[..], args].concat())
}

/// A refused import: exit 1, nothing in the campaign changed; its standard error.
fn refused(home: &Path, dir: &str, args: &[&str]) -> String {
    let before = common::snapshot(Path::new(dir));
    let o = import(home, dir, args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(before, common::snapshot(Path::new(dir)), "nothing written");
    stderr(&o)
}

/// One cell of a test sheet: text, a number in General format, or a number in a format.
enum Cell<'a> {
    T(&'a str),
    N(f64),
    F(f64, &'a str),
}

fn write_cells(ws: &mut rust_xlsxwriter::Worksheet, rows: &[Vec<Cell>]) {
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                Cell::T(t) => ws.write_string(r, c, *t).map(|_| ()),
                Cell::N(n) => ws.write_number(r, c, *n).map(|_| ()),
                Cell::F(n, f) => {
                    let format = rust_xlsxwriter::Format::new().set_num_format(*f);
                    ws.write_number_with_format(r, c, *n, &format).map(|_| ())
                }
            }
            .unwrap();
        }
    }
}

/// Two columns for one indicator are refused naming both letters, in CSV and in XLSX where
/// «1.10» typed as a number reads 1.1; a number format that keeps the zero is read as shown.
#[test]
fn two_columns_for_one_indicator_are_refused() {
    use Cell::{F, N, T};
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let csv = tmp.path().join("дубль.csv");
    std::fs::write(&csv, "Муниципалитет;1.1;1.1\nУйский МР;1;2\n").unwrap();
    let err = refused(&home, &dir, &[csv.to_str().unwrap()]);
    assert!(
        err.contains("дубль.csv: строка 1, столбец C: показатель 1.1 уже в столбце B: один показатель в двух столбцах (B и C)"),
        "{err}"
    );
    // Not a bad row to skip: which column is 1.1 cannot be known.
    let err = refused(&home, &dir, &["--skip-bad-rows", csv.to_str().unwrap()]);
    assert!(err.contains("(B и C)"), "{err}");

    let xlsx = tmp.path().join("числа.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    write_cells(
        wb.add_worksheet(),
        &[
            vec![T("Муниципалитет"), N(1.1), N(1.10)],
            vec![T("Уйский МР"), N(1.0), N(2.0)],
        ],
    );
    wb.save(&xlsx).unwrap();
    let err = refused(&home, &dir, &[xlsx.to_str().unwrap()]);
    assert!(
        err.contains("числа.xlsx: строка 1, столбец C: показатель 1.1 уже в столбце B"),
        "{err}"
    );
    assert!(
        err.contains("введите номера показателей как текст"),
        "{err}"
    );

    // «1.10» in the format «0.00» shows as 1.10, and is indicator 1.10.
    let mut wb = rust_xlsxwriter::Workbook::new();
    write_cells(
        wb.add_worksheet(),
        &[
            vec![T("Муниципалитет"), N(1.1), F(1.10, "0.00")],
            vec![T("Уйский МР"), N(1.0), N(2.0)],
        ],
    );
    wb.save(&xlsx).unwrap();
    ok(import(&home, &dir, &[xlsx.to_str().unwrap()]));
    let tsv = ok(run(&home, &["--campaign", &dir, "levels", "--tsv"]));
    assert!(tsv.contains("uysky-mr\t1.1\t1\t"), "{tsv}");
    assert!(tsv.contains("uysky-mr\t1.10\t2\t"), "{tsv}");
}

/// Formulas whose values the file does not hold (a program wrote them and left the
/// placeholder 0, or nothing) are refused naming the cell; computed ones are read.
#[test]
fn formulas_without_saved_values_are_refused() {
    use rust_xlsxwriter::{CalculationMode, Formula, Workbook};
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let xlsx = tmp.path().join("формулы.xlsx");
    let book = |default: Option<&str>, mode: CalculationMode, result: &str| {
        let mut wb = Workbook::new();
        wb.set_calculation_mode(mode);
        let ws = wb.add_worksheet();
        if let Some(d) = default {
            ws.set_formula_result_default(d);
        }
        ws.write_string(0, 0, "Муниципалитет").unwrap();
        ws.write_string(0, 1, "1.1").unwrap();
        ws.write_string(1, 0, "Уйский МР").unwrap();
        let formula = Formula::new("=1+1");
        let formula = if result.is_empty() {
            formula
        } else {
            formula.set_result(result)
        };
        ws.write_formula(1, 1, formula).unwrap();
        wb.save(&xlsx).unwrap();
    };
    // Asked to be recalculated on opening (Automatic), or holding no value at all (Manual,
    // an empty result): either way the values are not in the file.
    for (default, mode) in [
        (None, CalculationMode::Automatic),
        (Some(""), CalculationMode::Automatic),
        (Some(""), CalculationMode::Manual),
    ] {
        book(default, mode, "");
        let err = refused(&home, &dir, &[xlsx.to_str().unwrap()]);
        assert!(
            err.contains(
                "формулы.xlsx: строка 2, столбец B: формула «=1+1» без сохранённого значения"
            ),
            "{err}"
        );
        assert!(
            err.contains("откройте файл в Excel или LibreOffice и сохраните его"),
            "{err}"
        );
    }
    // A book that holds its formulas' values, as Excel saves it, is read.
    book(None, CalculationMode::Manual, "2");
    ok(import(&home, &dir, &[xlsx.to_str().unwrap()]));
    let tsv = ok(run(&home, &["--campaign", &dir, "levels", "--tsv"]));
    assert!(tsv.contains("uysky-mr\t1.1\t2\t"), "{tsv}");
}

/// A table on the second sheet: without --sheet the first sheet's lack of a table is said
/// with the sheets there are; --sheet chooses one, and names it in the messages.
#[test]
fn the_sheet_is_chosen_by_name() {
    use Cell::{N, T};
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let xlsx = tmp.path().join("листы.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    write_cells(
        wb.add_worksheet().set_name("Инструкция").unwrap(),
        &[vec![T("Заполните лист «Данные»")]],
    );
    write_cells(
        wb.add_worksheet().set_name("Данные").unwrap(),
        &[
            vec![T("Муниципалитет"), T("1.1"), T("1.2")],
            vec![T("Уйский МР"), N(1.0), N(2.0)],
            vec![T("Ашинский МР"), N(7.0), N(0.0)],
        ],
    );
    wb.save(&xlsx).unwrap();
    let path = xlsx.to_str().unwrap();
    let err = refused(&home, &dir, &[path]);
    assert!(
        err.contains("листы.xlsx: на первом листе «Инструкция» нет таблицы мониторинга"),
        "{err}"
    );
    assert!(
        err.contains("листы в книге: «Инструкция», «Данные»"),
        "{err}"
    );
    assert!(err.contains("--sheet \"Данные\""), "{err}");
    let err = refused(&home, &dir, &["--sheet", "Итоги", path]);
    assert!(
        err.contains("листы.xlsx: листа «Итоги» в книге нет; листы: «Инструкция», «Данные»"),
        "{err}"
    );
    let err = refused(&home, &dir, &["--sheet", "Данные", path]);
    assert!(
        err.contains("листы.xlsx, лист «Данные»: строка 3, столбец B: показатель 1.1: ожидался целый балл от 0 до 2, а не «7»"),
        "{err}"
    );
    let out = ok(import(
        &home,
        &dir,
        &["--sheet", "Данные", "--skip-bad-rows", path],
    ));
    assert!(out.contains("загружено баллов: 2"), "{out}");
    // A CSV has no sheets to choose.
    let csv = tmp.path().join("m.csv");
    std::fs::write(&csv, "Муниципалитет;1.1\nУйский МР;1\n").unwrap();
    let err = refused(&home, &dir, &["--sheet", "Данные", csv.to_str().unwrap()]);
    assert!(err.contains("m.csv: --sheet выбирает лист книги"), "{err}");
}

/// A misspelt name is matched as the resolver matches it, with its warning per row.
#[test]
fn a_misspelt_name_is_warned_of_per_row() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let csv = tmp.path().join("опечатка.csv");
    std::fs::write(&csv, "Муниципалитет;1.1\nАшинский МР;1\nУйскй МР;2\n").unwrap();
    let o = import(&home, &dir, &[csv.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(
            "опечатка.csv: строка 3, столбец A: «Уйскй МР» → «Уйский МР»: похоже на опечатку"
        ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let tsv = ok(run(&home, &["--campaign", &dir, "levels", "--tsv"]));
    assert!(tsv.contains("uysky-mr\t1.1\t2\t"), "{tsv}");
    // A cell's text is quoted in what is said, never sent to the terminal as it is: an
    // escape sequence in a skipped row arrives escaped.
    std::fs::write(
        &csv,
        "Муниципалитет;1.1\nАшинский МР;1\n\u{1b}[2JНетакой;2\n",
    )
    .unwrap();
    let o = import(&home, &dir, &[csv.to_str().unwrap(), "--skip-bad-rows"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains('\u{1b}'), "{:?}", stderr(&o));
}

/// Without a municipality column the header cell is named: the first column holds
/// municipalities.
#[test]
fn the_first_column_must_hold_municipalities() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let csv = tmp.path().join("без.csv");
    std::fs::write(&csv, "1.1;1.2\n1;2\n2;0\n").unwrap();
    let err = refused(&home, &dir, &[csv.to_str().unwrap()]);
    assert!(
        err.contains("без.csv: строка 1, столбец A: в заголовке «1.1», а первый столбец должен содержать муниципалитеты"),
        "{err}"
    );
    assert!(!err.contains("не найден"), "{err}");
    std::fs::write(&csv, "№;1.1\n1;2\n2;0\n").unwrap();
    let err = refused(&home, &dir, &[csv.to_str().unwrap()]);
    assert!(
        err.contains("без.csv: строка 1, столбец A: первый столбец должен содержать муниципалитеты, а в нём под заголовком «№» числа («1», «2», …)"),
        "{err}"
    );
    assert!(!err.contains("не найден"), "{err}");
}

/// A header Excel turned into a date is said to be a date, shown as a date.
#[test]
fn a_date_header_is_named_as_a_date() {
    use Cell::{F, N, T};
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let xlsx = tmp.path().join("дата.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    write_cells(
        wb.add_worksheet(),
        &[
            vec![T("Муниципалитет"), T("1.1"), F(46113.0, "d.mmm")],
            vec![T("Уйский МР"), N(1.0), N(2.0)],
        ],
    );
    wb.save(&xlsx).unwrap();
    let err = refused(&home, &dir, &[xlsx.to_str().unwrap()]);
    assert!(
        err.contains(
            "дата.xlsx: строка 1, столбец C: заголовок — дата «01.04.2026», а не номер показателя"
        ),
        "{err}"
    );
    assert!(err.contains("('1.4)"), "{err}");
    assert!(!err.contains("46113"), "{err}");
}

/// A damaged XLSX is named so in Russian, with the library's words only after it.
#[test]
fn a_damaged_book_is_named_in_russian() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let xlsx = tmp.path().join("битый.xlsx");
    std::fs::write(&xlsx, b"PK\x03\x04 not a zip at all").unwrap();
    let err = refused(&home, &dir, &[xlsx.to_str().unwrap()]);
    assert!(
        err.contains("битый.xlsx: файл повреждён или это не книга XLSX (техническая причина: "),
        "{err}"
    );
    let russian = err.split("техническая причина").next().unwrap_or("");
    assert!(!russian.contains("error"), "{err}");
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
