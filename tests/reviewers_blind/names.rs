//! Names are people: the list, spellings, renaming, ratings off the list, syncs.

use super::*;

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
