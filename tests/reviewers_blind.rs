//! Several reviewers, issue 21: the blind rule holds in everything a reviewer can read
//! (agreement, its TSV, the CSV/XLSX matrix, the log), the coordinator sees everything only
//! with `--all`; names are people (case, spaces and ё/е do not make another reviewer, a
//! name off the list is refused), a reviewer can be renamed with their ratings, and ratings
//! of someone off the list are reported, never dropped.

mod common;
use common::{Env, stderr, stdout};
use sobes::model::campaign::{Campaign, Decision, Reader, Record};
use std::io::Read;
use std::process::Output;

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

fn decide(env: &Env, who: &str, m: &str, cluster: &str, more: &[&str]) -> Output {
    let mut args = vec![
        "--as",
        who,
        "decide",
        "--municipality",
        m,
        "--dimension",
        "training",
        "--cluster",
        cluster,
    ];
    args.extend(more);
    env.run(&args)
}

fn record(env: &Env, id: &str) -> Record {
    ron::from_str(&std::fs::read_to_string(env.record_file(id)).unwrap()).unwrap()
}

/// Иванова and Петрова have rated Уйский МР (training), each with a reason; Сидорова has not.
fn three_reviewers_two_rated() -> Env {
    let env = Env::new();
    ok(&env.run(&["campaign", "set", "reviewers", "Иванова; Петрова; Сидорова"]));
    ok(&env.set("Уйский", "host_bases", "yes"));
    ok(&decide(
        &env,
        "Иванова",
        "Уйский",
        "2",
        &["--reason", "площадки нет"],
    ));
    ok(&decide(
        &env,
        "Петрова",
        "Уйский",
        "3",
        &["--reason", "нужна дорожная карта"],
    ));
    env
}

/// The matrix's cells of one municipality by the header's column names.
fn csv_row(
    env: &Env,
    who: &[&str],
    id: &str,
) -> (std::collections::BTreeMap<String, String>, String) {
    let path = env.home().join(format!("m-{}.csv", who.join("-")));
    let mut args = who.to_vec();
    args.extend(["export", "-o", path.to_str().unwrap(), "--force"]);
    let o = env.run(&args);
    ok(&o);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<String> = lines.next().unwrap().split(';').map(String::from).collect();
    let row = lines.find(|l| l.starts_with(&format!("{id};"))).unwrap();
    (
        header
            .into_iter()
            .zip(row.split(';').map(String::from))
            .collect(),
        stderr(&o),
    )
}

fn xlsx_strings(env: &Env, who: &[&str]) -> (String, String) {
    let path = env.home().join(format!("m-{}.xlsx", who.join("-")));
    let mut args = who.to_vec();
    args.extend(["export", "-o", path.to_str().unwrap(), "--force"]);
    let o = env.run(&args);
    ok(&o);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut strings = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    (strings, stderr(&o))
}

#[test]
fn a_reviewer_who_has_not_rated_sees_no_ones_cluster_outside_the_tui() {
    let env = three_reviewers_two_rated();
    for who in [&["--as", "Сидорова"][..], &[]] {
        // agreement: no queue line, no reason, the figures from what may be seen.
        let mut args = who.to_vec();
        args.push("agreement");
        let o = env.run(&args);
        let text = ok(&o);
        assert!(!text.contains("площадки нет"), "{who:?}: {text}");
        assert!(!text.contains("Иванова — 2"), "{who:?}: {text}");
        assert!(
            text.contains("Расхождения рецензентов: 0"),
            "{who:?}: {text}"
        );
        assert!(
            stderr(&o).contains("скрыто оценок других рецензентов: 2"),
            "{who:?}: {}",
            stderr(&o)
        );

        let mut args = who.to_vec();
        args.extend(["agreement", "--tsv"]);
        let tsv = ok(&env.run(&args));
        assert!(!tsv.contains("расхождение\t"), "{who:?}: {tsv}");
        assert!(
            tsv.contains("измерение\ttraining\t\t0\t0\t"),
            "{who:?}: {tsv}"
        );

        // The matrix: the reviewers' columns of Уйский МР are empty, stderr says why.
        let (row, err) = csv_row(&env, who, "uysky-mr");
        assert_eq!(row["Обучение: оценка Иванова"], "", "{who:?}: {row:?}");
        assert_eq!(row["Обучение: оценка Петрова"], "", "{who:?}: {row:?}");
        assert!(err.contains("скрыто оценок"), "{who:?}: {err}");
        let (strings, _) = xlsx_strings(&env, who);
        assert!(!strings.contains("Иванова — 2"), "{who:?}: {strings}");

        // The log: who rated and when, not what nor why.
        let mut args = who.to_vec();
        args.extend(["log", "--municipality", "Уйский"]);
        let log = ok(&env.run(&args));
        assert!(!log.contains("площадки нет"), "{who:?}: {log}");
        assert!(!log.contains("дорожная карта"), "{who:?}: {log}");
        assert!(
            log.lines()
                .any(|l| l.contains("Иванова") && l.contains("скрыто")),
            "{who:?}: {log}"
        );
        let mut args = who.to_vec();
        args.extend(["log", "--tsv"]);
        let log = ok(&env.run(&args));
        assert!(!log.contains("площадки нет"), "{who:?}: {log}");
    }

    // One who has rated sees the other's cluster and reason there.
    let text = ok(&env.run(&["--as", "Иванова", "agreement"]));
    assert!(
        text.contains("Петрова — 3 (нужна дорожная карта)"),
        "{text}"
    );
    let log = ok(&env.run(&["--as", "иванова", "log"]));
    assert!(log.contains("нужна дорожная карта"), "{log}");
    let (row, _) = csv_row(&env, &["--as", "Петрова"], "uysky-mr");
    assert_eq!(row["Обучение: оценка Иванова"], "2", "{row:?}");
}

#[test]
fn the_coordinator_sees_everything_with_all_and_is_told_so() {
    let env = three_reviewers_two_rated();
    let o = env.run(&["--as", "Сидорова", "agreement", "--all"]);
    let text = ok(&o);
    assert!(
        text.contains("Уйский МР, «Потребность в обучении»: Иванова — 2 (площадки нет); Петрова — 3 (нужна дорожная карта)"),
        "{text}"
    );
    assert!(
        stderr(&o).contains("показаны все оценки, включая скрытые"),
        "{}",
        stderr(&o)
    );
    let tsv = ok(&env.run(&["--all", "agreement", "--tsv"]));
    assert!(tsv.contains("расхождение\ttraining\tУйский МР"), "{tsv}");
    let (row, err) = csv_row(&env, &["--all"], "uysky-mr");
    assert_eq!(row["Обучение: оценка Иванова"], "2", "{row:?}");
    assert_eq!(row["Обучение: оценка Петрова"], "3", "{row:?}");
    assert!(err.contains("показаны все оценки"), "{err}");
    let (strings, _) = xlsx_strings(&env, &["--all"]);
    assert!(strings.contains("Иванова — 2; Петрова — 3"), "{strings}");
    let log = ok(&env.run(&["log", "--all"]));
    assert!(log.contains("площадки нет"), "{log}");

    // Once Сидорова has rated, she sees the others without --all.
    ok(&decide(&env, "Сидорова", "Уйский", "1", &[]));
    let o = env.run(&["--as", "Сидорова", "agreement"]);
    assert!(
        ok(&o).contains("Иванова — 2 (площадки нет)"),
        "{}",
        stdout(&o)
    );
    assert!(!stderr(&o).contains("скрыто"), "{}", stderr(&o));
    // With open review nothing is hidden from anyone.
    ok(&env.run(&["campaign", "set", "open_review", "да"]));
    let text = ok(&env.run(&["agreement"]));
    assert!(text.contains("Иванова — 2 (площадки нет)"), "{text}");
}

/// The same rule as a library call, for whoever renders a campaign for a reader.
#[test]
fn a_campaign_as_seen_by_a_reader_keeps_their_own_and_the_final_decision() {
    let mut campaign = sobes::session::empty_campaign(
        &sobes::data::DataSet::load(&Default::default(), None).unwrap(),
    );
    campaign.meta.reviewers = vec!["Иванова".into(), "Петрова".into()];
    let rating = |c| Decision {
        cluster: c,
        suggested: None,
        reason: Some("почему".into()),
        by: "x".into(),
        at: "2026-11-01T00:00:00Z".into(),
    };
    let r = campaign.record_mut("uysky-mr");
    let training = r.ratings.entry("training".into()).or_default();
    training.insert("Петрова".into(), rating(2));
    r.decisions.insert("training".into(), rating(2));
    let (seen, hidden) = campaign.seen_by(&Reader::Reviewer("Иванова".into()));
    assert_eq!(hidden, 1);
    assert!(seen.records["uysky-mr"].ratings.is_empty());
    assert_eq!(seen.records["uysky-mr"].decisions["training"].cluster, 2);
    let (seen, hidden) = campaign.seen_by(&Reader::Reviewer(" петрова ".into()));
    assert_eq!(hidden, 0);
    assert!(matches!(seen, std::borrow::Cow::Borrowed(_)));
    assert_eq!(campaign.seen_by(&Reader::All).1, 0);
}

#[test]
fn the_list_refuses_empty_names_and_one_person_twice() {
    let env = Env::new();
    for list in [
        "Семёнова; Семенова; семенова ; ;",
        "Семёнова; Семенова",
        "Анна; Борис, Анна",
        "Анна;  ; Борис",
        "Анна; Борис;",
    ] {
        let o = env.run(&["campaign", "set", "reviewers", list]);
        assert_eq!(o.status.code(), Some(1), "{list}: {}", stdout(&o));
        let err = stderr(&o);
        assert!(
            err.contains("одно имя") || err.contains("пустое имя"),
            "{list}: {err}"
        );
        assert!(env.load().meta.reviewers.is_empty(), "{list}");
    }
    let o = env.run(&["campaign", "set", "reviewers", "Семёнова; Семенова"]);
    assert!(
        stderr(&o).contains("«Семёнова» и «Семенова» — одно имя"),
        "{}",
        stderr(&o)
    );
    // Spaces inside a name are tidied, the letters kept as typed.
    let o = env.run(&["campaign", "set", "reviewers", "  Анна   Петровна ;Борис"]);
    assert_eq!(ok(&o).trim(), "reviewers = «Анна Петровна; Борис»");
    // An empty value still clears the list.
    ok(&env.run(&["campaign", "set", "reviewers", ""]));
    assert!(env.load().meta.reviewers.is_empty());
}

#[test]
fn a_name_is_a_person_on_the_list_or_refused() {
    let env = Env::new();
    ok(&env.run(&["campaign", "set", "reviewers", "Иванова; Петрова; Семёнова"]));
    ok(&env.set("Уйский", "host_bases", "yes"));

    for (who, more) in [("Кузнецова", &[][..]), ("Кузнецова", &["--final"][..])] {
        let o = decide(&env, who, "Уйский", "1", more);
        assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
        assert!(
            stderr(&o).contains(
                "«Кузнецова» нет в списке рецензентов кампании: Иванова; Петрова; Семёнова"
            ),
            "{}",
            stderr(&o)
        );
    }
    let r = record(&env, "uysky-mr");
    assert!(r.ratings.is_empty() && r.decisions.is_empty(), "{r:?}");

    // Case, spaces and ё/е: the list's spelling is what is written.
    ok(&decide(&env, "иванова", "Уйский", "1", &[]));
    let o = decide(
        &env,
        " Иванова  ",
        "Уйский",
        "2",
        &["--reason", "передумала"],
    );
    assert!(ok(&o).contains("оценка: Иванова;"), "{}", stdout(&o));
    ok(&decide(&env, "СЕМЕНОВА", "Уйский", "1", &[]));
    let r = record(&env, "uysky-mr");
    let raters: Vec<&String> = r.ratings["training"].keys().collect();
    assert_eq!(raters, ["Иванова", "Семёнова"]);
    assert_eq!(r.ratings["training"]["Иванова"].cluster, 2);

    let text = ok(&env.run(&["--all", "agreement"]));
    assert!(
        text.starts_with("Рецензенты: Иванова, Петрова, Семёнова\n"),
        "{text}"
    );
    let (row, _) = csv_row(&env, &["--all"], "uysky-mr");
    let columns: Vec<&String> = row
        .keys()
        .filter(|k| k.starts_with("Обучение: оценка"))
        .collect();
    assert_eq!(columns.len(), 3, "{columns:?}");
}

#[test]
fn renaming_a_reviewer_carries_their_ratings() {
    let env = Env::new();
    ok(&env.run(&["campaign", "set", "reviewers", "Иванова; Петрова"]));
    ok(&env.set("Уйский", "host_bases", "yes"));
    ok(&env.set("Кусинский", "host_bases", "yes"));
    ok(&decide(
        &env,
        "Иванова",
        "Уйский",
        "2",
        &["--reason", "площадки нет"],
    ));
    ok(&decide(&env, "Иванова", "Кусинский", "1", &[]));
    ok(&decide(&env, "Петрова", "Уйский", "1", &[]));
    let before = record(&env, "uysky-mr").ratings["training"]["Иванова"].clone();

    let o = env.run(&[
        "--as",
        "Петрова",
        "campaign",
        "rename-reviewer",
        "иванова",
        "Смирнова",
    ]);
    assert_eq!(
        ok(&o).trim(),
        "рецензент «Иванова» теперь «Смирнова»; оценок перенесено: 2; рецензенты: Смирнова; Петрова"
    );
    let r = record(&env, "uysky-mr");
    assert_eq!(r.ratings["training"]["Смирнова"], before);
    assert!(!r.ratings["training"].contains_key("Иванова"));
    assert!(record(&env, "kusinsky-mr").ratings["training"].contains_key("Смирнова"));
    assert_eq!(env.load().meta.reviewers, ["Смирнова", "Петрова"]);
    // One commit in the history, and nothing left uncommitted.
    let log = ok(&env.run(&["log"]));
    assert!(
        log.contains("Рецензент «Иванова» переименован в «Смирнова»; оценок перенесено: 2"),
        "{log}"
    );
    let check = stdout(&env.run(&["check"]));
    assert!(!check.contains("отличается от последней записи"), "{check}");
    assert!(!check.contains("нет в списке рецензентов"), "{check}");
    // The old name is no longer a reviewer; the new one sees as the old one did.
    let o = decide(&env, "Иванова", "Уйский", "1", &[]);
    assert!(
        stderr(&o).contains("нет в списке рецензентов"),
        "{}",
        stderr(&o)
    );
    let text = ok(&env.run(&["--as", "Смирнова", "agreement"]));
    assert!(
        text.contains("Смирнова — 2 (площадки нет); Петрова — 1"),
        "{text}"
    );

    // Two people are not joined, and an unknown name is said with the list.
    for (old, new, says) in [
        ("Смирнова", "петрова", "уже в списке рецензентов"),
        (
            "Кузнецова",
            "Сидорова",
            "«Кузнецова» нет в списке рецензентов кампании: Смирнова; Петрова",
        ),
        ("Смирнова", " ", "пустое"),
        // One name, as an entry of the list: two would be split into two people later.
        ("Смирнова", "Вера, Галина", "несколько имён"),
        ("Смирнова", "Смирнова", "переименовывать нечего"),
    ] {
        let o = env.run(&["campaign", "rename-reviewer", old, new]);
        assert_eq!(o.status.code(), Some(1), "{old} → {new}");
        assert!(stderr(&o).contains(says), "{old} → {new}: {}", stderr(&o));
    }
    assert_eq!(env.load().meta.reviewers, ["Смирнова", "Петрова"]);
}

#[test]
fn ratings_of_someone_off_the_list_are_reported_and_still_count() {
    let env = three_reviewers_two_rated();
    ok(&decide(
        &env,
        "Сидорова",
        "Уйский",
        "2",
        &["--reason", "так"],
    ));
    let o = env.run(&["campaign", "set", "reviewers", "Иванова; Петрова"]);
    ok(&o);
    assert!(
        stderr(&o).contains("оценки рецензента «Сидорова», которого нет в списке рецензентов"),
        "{}",
        stderr(&o)
    );
    let o = env.run(&["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("оценки рецензента «Сидорова», которого нет в списке рецензентов (Иванова; Петрова): Уйский МР — «Потребность в обучении»; в согласии они учитываются"),
        "{}",
        stdout(&o)
    );
    // Still in α and κ: three values for Уйский, a pair with Сидорова.
    let tsv = ok(&env.run(&["--all", "agreement", "--tsv"]));
    assert!(
        tsv.contains("пара\ttraining\tИванова / Сидорова\t1\t"),
        "{tsv}"
    );
    assert!(
        tsv.contains("Иванова — 2; Петрова — 3; Сидорова — 2"),
        "{tsv}"
    );
}

/// A rating written under another spelling before names were checked: reported with the
/// list's spelling, and renamed onto it.
#[test]
fn a_rating_under_another_spelling_is_reported_and_renamed_onto_the_list() {
    let mut campaign: Campaign = sobes::session::empty_campaign(
        &sobes::data::DataSet::load(&Default::default(), None).unwrap(),
    );
    campaign.meta.reviewers = vec!["Иванова".into(), "Петрова".into()];
    let rating = Decision {
        cluster: 2,
        suggested: Some(1),
        reason: Some("площадки нет".into()),
        by: "иванова ".into(),
        at: "2026-11-01T00:00:00Z".into(),
    };
    campaign
        .record_mut("uysky-mr")
        .ratings
        .entry("training".into())
        .or_default()
        .insert("иванова ".into(), rating.clone());
    let registry = sobes::model::registry::Registry::builtin();
    let dims = sobes::model::clusters::Dimensions::builtin();
    let report = sobes::model::checks::unlisted_report(&campaign, &registry, &dims);
    assert_eq!(report.len(), 1);
    assert!(
        report[0].contains("имя записано не так, как в списке («Иванова»)"),
        "{report:?}"
    );
    let name = |id: &str| id.to_string();
    let renamed = campaign
        .rename_reviewer("иванова", "Иванова", &name)
        .unwrap();
    assert_eq!(renamed.moved, 1);
    assert_eq!(renamed.records[0].ratings["training"]["Иванова"], rating);
    // Both spellings on one municipality are two ratings: which to keep is not guessed.
    campaign
        .record_mut("uysky-mr")
        .ratings
        .get_mut("training")
        .unwrap()
        .insert("Иванова".into(), rating);
    let err = campaign
        .rename_reviewer("Иванова", "Иванова", &name)
        .unwrap_err();
    assert!(err.contains("уже есть своя оценка там же"), "{err}");
}

/// The TUI: Иванова and Петрова have rated Уйский МР (they differ) and Кусинский МР (they
/// agree); the app is opened as `reader`.
fn tui_with_two_ratings(
    dir: &std::path::Path,
    reader: &str,
) -> (sobes::tui::app::App, sobes::tui::Io) {
    use sobes::model::change::{Change, Stamp};
    let data = sobes::data::DataSet::load(&Default::default(), None).unwrap();
    let mut meta = sobes::session::new_meta(&data, None);
    meta.reviewers = vec!["Иванова".into(), "Петрова".into(), "Сидорова".into()];
    sobes::storage::create(dir, &meta).unwrap();
    let mut campaign = sobes::storage::load(dir, &data.registry).unwrap();
    for (id, clusters) in [("uysky-mr", [2, 3]), ("kusinsky-mr", [1, 1])] {
        for (who, c) in ["Иванова", "Петрова"].into_iter().zip(clusters) {
            let stamp = Stamp {
                by: who.into(),
                at: "2026-11-01T00:00:00Z".into(),
            };
            let r = campaign.record_or_empty(id).into_owned();
            let change = Change::rating(&r, "training", who, Some(c), Some("площадки нет"), &stamp);
            let r =
                sobes::model::change::apply(&r, &change, &data.protocol, &data.dimensions).unwrap();
            campaign.records.insert(id.into(), r);
        }
    }
    let app = sobes::tui::app::App::new(
        data,
        campaign,
        sobes::tui::keymap::Keymap::builtin("default").unwrap(),
        Some(reader.into()),
        || "2026-11-02T00:00:00Z".to_string(),
        dir.to_path_buf(),
    );
    let io = sobes::tui::Io::new(
        dir.to_path_buf(),
        dir.join("config-test.ron"),
        Default::default(),
        None,
    );
    (app, io)
}

#[test]
fn the_tui_agreement_screen_and_matrix_keep_the_blind_rule() {
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let home = tempfile::tempdir().unwrap();
    let (mut app, mut io) = tui_with_two_ratings(&home.path().join("c"), "сидорова");
    let key = |c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    sobes::tui::step(&mut app, &mut io, key('A'));
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    t.draw(|f| sobes::tui::view::draw(f, &mut app)).unwrap();
    let screen: String = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("Расхождения рецензентов: 0"), "{screen}");
    assert!(!screen.contains("единогласно"), "{screen}");

    let csv = home.path().join("m.csv");
    io.apply(
        &mut app,
        vec![sobes::tui::ctx::Effect::Export(
            sobes::tui::ctx::ExportRequest {
                format: sobes::annex::Format::Csv,
                path: csv.clone(),
                force: false,
                allow_incomplete: true,
                letters: None,
            },
        )],
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let row = text.lines().find(|l| l.starts_with("uysky-mr;")).unwrap();
    assert!(!row.contains(";2;3;"), "{row}");
}

#[test]
fn the_tui_writes_the_lists_spelling_and_refuses_a_name_off_it() {
    use sobes::model::change::Change;
    let home = tempfile::tempdir().unwrap();
    let (mut app, _io) = tui_with_two_ratings(&home.path().join("c"), " сидорова ");
    app.ctx.current = "uysky-mr".into();
    let stamp = app.ctx.stamp();
    assert_eq!(stamp.by, "Сидорова");
    let change = Change::rating(
        &app.ctx.current_record(),
        "training",
        &stamp.by,
        Some(2),
        Some("так"),
        &stamp,
    );
    app.ctx.apply(&[change]).unwrap();
    let raters: Vec<String> = app.ctx.current_record().ratings["training"]
        .keys()
        .cloned()
        .collect();
    assert_eq!(raters, ["Иванова", "Петрова", "Сидорова"]);

    app.ctx.reviewer = Some("Кузнецова".into());
    let stamp = app.ctx.stamp();
    for change in [
        Change::rating(
            &app.ctx.current_record(),
            "training",
            &stamp.by,
            Some(2),
            Some("так"),
            &stamp,
        ),
        Change::decision(
            &app.ctx.current_record(),
            "training",
            Some(2),
            Some("так"),
            &stamp,
        ),
    ] {
        let err = app.ctx.apply(&[change]).unwrap_err().to_string();
        assert!(
            err.contains(
                "«Кузнецова» нет в списке рецензентов кампании: Иванова; Петрова; Сидорова"
            ),
            "{err}"
        );
    }
}

/// Two laptops name one reviewer with ё and with е: after a sync the list has one of them.
#[test]
fn a_sync_joins_one_person_written_two_ways() {
    use common::sobes;
    let tmp = tempfile::tempdir().unwrap();
    let (home_a, home_b) = (tmp.path().join("a"), tmp.path().join("b"));
    let (dir_a, dir_b) = (tmp.path().join("ca"), tmp.path().join("cb"));
    std::fs::create_dir(tmp.path().join("флешка")).unwrap();
    let hub = tmp.path().join("флешка").join("hub");
    let (a, b, hub) = (
        dir_a.to_str().unwrap(),
        dir_b.to_str().unwrap(),
        hub.to_str().unwrap(),
    );
    ok(&sobes(&home_a, &["new", a]));
    ok(&sobes(
        &home_a,
        &["--campaign", a, "--as", "Иванова", "sync", hub, "--new-hub"],
    ));
    ok(&sobes(
        &home_b,
        &["--as", "Семенова", "new", b, "--from-hub", hub],
    ));
    ok(&sobes(
        &home_a,
        &[
            "--campaign",
            a,
            "campaign",
            "set",
            "reviewers",
            "Иванова; Семёнова",
        ],
    ));
    ok(&sobes(
        &home_b,
        &[
            "--campaign",
            b,
            "campaign",
            "set",
            "reviewers",
            "Иванова; Семенова",
        ],
    ));
    for (home, dir) in [(&home_a, a), (&home_b, b), (&home_a, a)] {
        ok(&sobes(
            home,
            &["--campaign", dir, "--as", "Иванова", "sync", hub],
        ));
    }
    for (home, dir) in [(&home_a, a), (&home_b, b)] {
        let list = ok(&sobes(home, &["--campaign", dir, "campaign", "show"]));
        let line = list.lines().find(|l| l.starts_with("reviewers\t")).unwrap();
        assert!(line.starts_with("reviewers\tИванова; Семенова\t"), "{line}");
    }
}

/// A reviewer's own rating changed differently on two laptops is a conflict; another
/// reviewer who has not rated reads it as «скрыто» in `sobes conflicts`, the coordinator with
/// `--all` reads both clusters.
#[test]
fn a_rating_in_conflict_is_hidden_from_who_has_not_rated() {
    use sobes::model::conflict::{Conflict, Field, Held, Version};
    let env = three_reviewers_two_rated();
    let mut r = record(&env, "uysky-mr");
    let version = |cluster: u8, device: &str| Version {
        held: Held::Decision(Some(Decision {
            cluster,
            suggested: Some(1),
            reason: Some(format!("причина {cluster}")),
            by: "Иванова".into(),
            at: "2026-09-14T10:00:00Z".into(),
        })),
        by: "Иванова".into(),
        at: "2026-09-14T10:00:00Z".into(),
        device: device.into(),
    };
    r.conflicts.push(Conflict {
        field: Field::Rating("training".into(), "Иванова".into()),
        versions: vec![version(2, "ноутбук-1"), version(3, "ноутбук-2")],
        base: None,
    });
    std::fs::write(env.record_file("uysky-mr"), sobes::storage::to_ron(&r)).unwrap();
    let blind = env.run(&["--as", "Сидорова", "conflicts"]);
    let text = stdout(&blind);
    assert!(
        text.contains("скрыто") && !text.contains("кластер 2"),
        "{text}"
    );
    assert!(
        stderr(&blind).contains("скрыто оценок"),
        "{}",
        stderr(&blind)
    );
    let all = stdout(&env.run(&["--as", "Сидорова", "--all", "conflicts"]));
    assert!(
        all.contains("кластер 2") && all.contains("кластер 3"),
        "{all}"
    );
    let own = stdout(&env.run(&["--as", "Иванова", "conflicts"]));
    assert!(own.contains("кластер 2"), "{own}");
}
