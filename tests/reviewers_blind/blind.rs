//! The blind rule outside the TUI: agreement, its TSV, the matrix, the log, conflicts.

use super::*;

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
