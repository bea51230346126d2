//! Clusters, several reviewers, last year beside this one and the monitoring screen.

use super::*;

/// Several reviewers: each rates blind until they have rated; F makes the agreed cluster
/// final at once and asks for a cluster and a reason when they differ; the agreement screen
/// lists the disagreement and Enter opens it.
#[test]
fn several_reviewers_rate_blind_and_decide_finally() {
    let mut h = harness("default", Some("Анна"));
    h.app.ctx.campaign.meta.reviewers = vec!["Анна".into(), "Борис".into()];
    h.keys("c");
    assert_eq!(h.app.screen, Screen::Clusters);
    let id = h.app.ctx.current.clone();
    // Анна: cluster 2 on training, with a reason (no suggestion without answers).
    h.keys("2");
    assert!(matches!(h.app.overlay(), Some(Overlay::Prompt(_))));
    h.keys("площадок нет");
    h.key(KeyCode::Enter);
    let r = h.app.ctx.current_record();
    assert_eq!(r.ratings["training"]["Анна"].cluster, 2);
    assert!(r.decisions.is_empty(), "a rating is not the final decision");
    // One of two has rated: never «all chose».
    let alone = h.screen(120, 30);
    assert!(
        alone.contains("оценили 1 из 2") && !alone.contains("все рецензенты"),
        "{alone}"
    );
    // Борис does not see Анна's choice until he has made his own.
    h.app.ctx.reviewer = Some("Борис".into());
    h.key(KeyCode::Up);
    let blind = h.screen(100, 30);
    assert!(blind.contains("Оценки других (1) скрыты"), "{blind}");
    assert!(
        !blind.contains("Анна") && !blind.contains("площадок"),
        "{blind}"
    );
    h.keys("3");
    h.keys("нужен консалтинг");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Up);
    let open = h.screen(100, 30);
    assert!(open.contains("Анна: 2 «Хотят учиться»"), "{open}");
    assert!(open.contains("оценки расходятся"), "{open}");
    assert!(open.contains("F окончательно"), "{open}");
    // They differ: F asks which cluster, then why; an empty reason is not taken.
    h.keys("F");
    assert!(matches!(h.app.overlay(), Some(Overlay::Picker(_))));
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.overlay(), Some(Overlay::Prompt(_))));
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.overlay(), Some(Overlay::Prompt(_))));
    h.keys("решили вместе");
    h.key(KeyCode::Enter);
    let r = h.app.ctx.current_record();
    assert_eq!(r.decisions["training"].cluster, 2);
    assert_eq!(
        r.decisions["training"].reason.as_deref(),
        Some("решили вместе")
    );
    let text = std::fs::read_to_string(h.io.campaign_dir.join(format!("municipalities/{id}.ron")))
        .unwrap();
    assert!(
        text.contains("ratings") && text.contains("решили вместе"),
        "{text}"
    );
    // They agree on the project office: F makes it final with no question.
    h.key(KeyCode::Down);
    h.keys("1");
    h.keys("сами ведут");
    h.key(KeyCode::Enter);
    h.app.ctx.reviewer = Some("Анна".into());
    h.keys("1");
    h.keys("и правда ведут");
    h.key(KeyCode::Enter);
    h.keys("F");
    assert!(h.app.overlay().is_none());
    let r = h.app.ctx.current_record();
    let fin = &r.decisions["project_office"];
    assert_eq!(fin.cluster, 1);
    assert_eq!(
        fin.reason.as_deref(),
        Some("Анна: и правда ведут; Борис: сами ведут")
    );
    // The agreement screen lists the one disagreement; Enter opens it.
    h.key(KeyCode::Esc);
    h.keys("A");
    assert_eq!(h.app.screen, Screen::Agreement);
    let screen = h.screen(120, 40);
    assert!(screen.contains("Расхождения рецензентов: 1"), "{screen}");
    assert!(
        screen.contains("Анна — 2 (площадок нет); Борис — 3 (нужен консалтинг)"),
        "{screen}"
    );
    h.key(KeyCode::Esc);
    h.key(KeyCode::Down);
    h.keys("A");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::Clusters);
    assert_eq!(h.app.ctx.current, id);
    assert_eq!(h.app.screens.clusters.dim, 0);
}

/// At 80×24 the figures of three dimensions fill the screen: the disagreement selected is
/// scrolled into view, so Enter never opens an item nobody can see.
#[test]
fn the_disagreement_queue_is_reached_at_80x24() {
    let mut h = harness("default", Some("Анна"));
    h.app.ctx.campaign.meta.reviewers = vec!["Анна".into(), "Борис".into()];
    let mut names = Vec::new();
    for (k, who) in [
        (0, "Анна"),
        (0, "Борис"),
        (1, "Анна"),
        (1, "Борис"),
        (2, "Анна"),
        (2, "Борис"),
    ] {
        h.app.ctx.reviewer = Some(who.into());
        h.key(KeyCode::Home);
        for _ in 0..k {
            h.key(KeyCode::Down);
        }
        h.keys("c");
        h.keys(if who == "Анна" { "2" } else { "3" });
        h.keys("так решили");
        h.key(KeyCode::Enter);
        let name = h.app.ctx.current_name().to_string();
        if !names.contains(&name) {
            names.push(name);
        }
        h.key(KeyCode::Esc);
    }
    h.keys("A");
    assert_eq!(h.app.screen, Screen::Agreement);
    for (k, name) in names.iter().enumerate() {
        let screen = h.screen(80, 24);
        assert!(screen.contains("Расхождения рецензентов: 3"), "{screen}");
        let line = screen
            .lines()
            .find(|l| l.contains(&format!("{name}, «")))
            .unwrap_or_else(|| panic!("{k}: {name} not shown:\n{screen}"));
        assert!(line.contains("Анна — 2"), "{line}");
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::Clusters);
    assert_eq!(h.app.ctx.current_name(), names.last().unwrap());
}

/// A decision taken before the list of reviewers was set is someone's choice: a reviewer who
/// has not rated the dimension yet sees that it exists, not its cluster, on the clusters
/// screen and in the list; rating shows it.
#[test]
fn a_decision_from_before_the_list_is_hidden_from_a_blind_reviewer() {
    let mut h = harness("default", Some("Анна"));
    h.keys("c2");
    h.keys("решили на комиссии");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.ctx.current_record().decisions["training"].cluster, 2);
    h.app.ctx.campaign.meta.reviewers = vec!["Анна".into(), "Борис".into()];
    h.app.ctx.set_reviewer("Борис");
    let screen = h.screen(100, 30);
    assert!(
        screen.contains("принято до списка рецензентов (Анна); скрыто"),
        "{screen}"
    );
    assert!(!screen.contains("решили на комиссии"), "{screen}");
    h.key(KeyCode::Esc);
    let list = h.screen(100, 30);
    let row = list.lines().find(|l| l.contains("Агаповский")).unwrap();
    assert!(!row.contains("2*") && row.contains("—"), "{row}");
    h.keys("c3");
    h.keys("сам так думаю");
    h.key(KeyCode::Enter);
    let screen = h.screen(100, 30);
    assert!(screen.contains("решили на комиссии"), "{screen}");
}

/// With one reviewer F has nothing to do: the decision was final already.
#[test]
fn with_one_reviewer_f_changes_nothing() {
    let mut h = harness("default", Some("Анна"));
    h.keys("c2");
    h.keys("причина");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Up);
    h.keys("F");
    let r = h.app.ctx.current_record();
    assert_eq!(r.decisions["training"].cluster, 2);
    assert!(r.ratings.is_empty());
    let screen = h.screen(100, 30);
    assert!(screen.contains("рецензент один"), "{screen}");
    assert!(!screen.contains("F окончательно"), "{screen}");
}

/// Last year's campaign beside this one: the list shows «2→1» where the final cluster moved,
/// the Changes screen lists who moved, and Enter opens them.
#[test]
fn last_years_clusters_show_beside_this_years() {
    let mut h = harness("default", Some("Тест"));
    h.keys("c");
    let id = h.app.ctx.current.clone();
    h.keys("1");
    h.keys("сами учат");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.screen, Screen::List);
    // Last year the same municipality was in cluster 2; another one in 3 is not decided now.
    let mut last = h.app.ctx.campaign.clone();
    last.meta.title = "Собеседование 2025".into();
    let record = last.record_mut(&id);
    record.decisions.get_mut("training").unwrap().cluster = 2;
    h.app.ctx.campaign.last_year = Some(sobes::model::campaign::LastYear::of(
        &last,
        &h.app.ctx.data.monitoring,
        &h.app.ctx.data.protocol,
    ));
    let list = h.screen(100, 20);
    assert!(list.contains("2→1*"), "{list}");
    h.keys("C");
    assert_eq!(h.app.screen, Screen::Changes);
    let screen = h.screen(100, 40);
    assert!(
        screen.contains("Прошлый год: «Собеседование 2025». Сменили кластер или уровень: 1"),
        "{screen}"
    );
    assert!(screen.contains("Обучение 2→1"), "{screen}");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::Clusters);
    assert_eq!(h.app.ctx.current, id);
}

/// The monitoring screen: a score typed into the selected cell is checked against the
/// indicator's scale, stored, and shown with its level's symbol.
#[test]
fn scores_are_typed_on_the_monitoring_screen() {
    let mut h = harness("default", Some("Тест"));
    let id = h.app.ctx.data.registry.municipalities[0].id.clone();
    h.keys("M");
    assert_eq!(h.app.screen, Screen::Levels);
    h.key(KeyCode::Right);
    h.key(KeyCode::Right);
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.overlay(), Some(Overlay::Prompt(_))));
    h.keys("9");
    h.key(KeyCode::Enter);
    let screen = h.screen(120, 30);
    assert!(screen.contains("показатель 1.3: 9 — вне шкалы"), "{screen}");
    assert!(h.app.ctx.campaign.record_or_empty(&id).scores.is_empty());
    h.key(KeyCode::Enter);
    h.keys("2");
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.ctx.campaign.record_or_empty(&id).scores["1.3"].value,
        2
    );
    let screen = h.screen(120, 30);
    assert!(screen.contains("2+"), "{screen}");
    assert!(screen.contains("1.3 «"), "{screen}");
    // The points are kept in the campaign's table, not in the record's file.
    let table = std::fs::read_to_string(h.io.campaign_dir.join("scores.ron")).unwrap();
    assert!(
        table.contains(&format!("\"{id}\"")) && table.contains("\"1.3\": 2"),
        "{table}"
    );
    let record = h.io.campaign_dir.join(format!("municipalities/{id}.ron"));
    assert!(!record.exists(), "points alone make no record file");
}

/// Once scores are recorded the list shows each municipality's monitoring level, with ↑
/// where it rose since last year.
#[test]
fn the_list_shows_the_monitoring_level_and_its_move() {
    let mut h = harness("default", Some("Тест"));
    let data = data();
    let id = data.registry.municipalities[0].id.clone();
    let plain = h.screen(120, 20);
    assert!(!plain.contains("Мониторинг"), "{plain}");
    let record = h.app.ctx.campaign.record_mut(&id);
    for (_, ind) in data.monitoring.indicators() {
        record.scores.insert(
            ind.id.clone(),
            sobes::model::campaign::Score {
                value: ind.max,
                by: "Тест".into(),
                at: "2026-05-01T00:00:00Z".into(),
            },
        );
    }
    let mut last = sobes::model::campaign::LastYear::default();
    last.levels.insert(id.clone(), 0);
    h.app.ctx.campaign.last_year = Some(last);
    h.app.ctx.summarize_all();
    assert!(
        h.app
            .ctx
            .campaign
            .records
            .values()
            .any(|r| !r.scores.is_empty())
    );
    let list = h.screen(120, 20);
    assert!(list.contains("Мониторинг"), "{list}");
    assert!(list.contains("высокий ↑"), "{list}");
}

/// On a narrow screen the monitoring table scrolls sideways to keep the selected indicator
/// in view.
#[test]
fn the_selected_indicator_stays_in_view() {
    let mut h = harness("default", Some("Тест"));
    h.keys("M");
    for _ in 0..17 {
        h.key(KeyCode::Right);
    }
    let screen = h.screen(80, 24);
    assert!(screen.contains(" 3.4"), "{screen}");
    assert!(!screen.contains(" 1.1 "), "{screen}");
    assert!(screen.contains("3.4 «"), "{screen}");
}

#[test]
fn the_override_prompt_names_the_dimension_and_the_clusters() {
    let mut h = harness("default", Some("Тест"));
    h.keys("/Кусинский");
    h.key(KeyCode::Enter);
    while h.question() != "ra_format" {
        h.key(KeyCode::Right);
    }
    h.keys("2");
    h.keys("c");
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.keys("1");
    let Some(Overlay::Prompt(p)) = h.app.overlay() else {
        panic!("a reason is asked");
    };
    let title = p.title.clone();
    for said in [
        "Формат работы с региональным активом",
        "1 «Очно»",
        "Предпочитают очные встречи",
        "2 «Дистанционно»",
        "Вебинары, семинары, конференции на расстоянии",
    ] {
        assert!(title.contains(said), "«{said}» in «{title}»");
    }
    for (w, ht) in [(80, 24), (60, 20)] {
        let s = h.screen(w, ht);
        assert!(s.contains("Предпочитают очные"), "{s}");
        assert!(s.contains("на расстоянии"), "{s}");
    }
    insta::assert_snapshot!("reason_prompt_60x20", h.screen(60, 20));
}

/// The clusters screen opens on the first dimension for each municipality, never on the
/// one last used for another.
#[test]
fn the_clusters_screen_opens_on_the_first_dimension_for_another_municipality() {
    let mut h = harness("default", Some("Тест"));
    h.keys("c");
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    assert_eq!(h.app.screens.clusters.dim, 2);
    h.key(KeyCode::Esc);
    h.keys("c");
    assert_eq!(
        h.app.screens.clusters.dim, 2,
        "the same municipality: where it was"
    );
    h.key(KeyCode::Esc);
    h.key(KeyCode::Down);
    h.keys("c");
    assert_eq!(h.app.screen, Screen::Clusters);
    assert_eq!(h.app.screens.clusters.dim, 0);
}
