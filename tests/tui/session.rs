//! A whole session: first start, the walk end to end, quitting, loading, what keys act.

use super::*;

#[test]
fn walk_chelyabinsk_end_to_end_and_restart() {
    let mut h = harness("default", None);
    // First start asks for the reviewer's name.
    assert!(matches!(h.app.overlay(), Some(Overlay::Prompt(_))));
    insta::assert_snapshot!("first_start_80x24", h.screen(80, 24));
    h.keys("Мария Петрова");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.ctx.reviewer.as_deref(), Some("Мария Петрова"));
    let config = std::fs::read_to_string(&h.io.config_file).unwrap();
    assert!(config.contains("Мария Петрова"));

    // Search in the Latin layout.
    h.keys("/xtkz");
    assert_eq!(h.app.screens.list.visible.len(), 1);
    insta::assert_snapshot!("list_search_80x24", h.screen(80, 24));
    // Enter opens what was typed.
    h.key(KeyCode::Enter);
    assert_eq!(h.app.ctx.current, "chelyabinsky-go");
    assert_eq!(h.app.screen, Screen::Interview);
    insta::assert_snapshot!("interview_first_80x24", h.screen(80, 24));

    h.answer_everything();
    insta::assert_snapshot!("interview_done_80x24", h.screen(80, 24));
    let record = h.app.ctx.current_record();
    assert_eq!(
        record.derive_status(&h.app.ctx.data.protocol, &h.app.ctx.data.dimensions),
        Status::Interviewed
    );
    assert_eq!(record.interviewer.as_deref(), Some("Мария Петрова"));

    // Clusters: accept the three suggestions with one key each; the selection stays on
    // what was accepted, ↓ goes to the next.
    h.keys("c");
    assert_eq!(h.app.screen, Screen::Clusters);
    insta::assert_snapshot!("clusters_suggested_80x24", h.screen(80, 24));
    for n in 0..3 {
        h.key(KeyCode::Enter);
        let clusters = h.app.screens.clusters.dim;
        assert_eq!(clusters, n, "the selection did not move by itself");
        h.key(KeyCode::Down);
    }
    let record = h.app.ctx.current_record();
    assert_eq!(
        record.derive_status(&h.app.ctx.data.protocol, &h.app.ctx.data.dimensions),
        Status::Reviewed
    );
    for d in &h.app.ctx.data.dimensions.0 {
        assert!(matches!(record.mark(d), Mark::Confirmed(_)));
    }
    insta::assert_snapshot!("clusters_accepted_80x24", h.screen(80, 24));

    // Review shows it under the decided clusters.
    h.keys("r");
    assert_eq!(h.app.screen, Screen::Review);
    let rows = h.app.screens.review.rows(&h.app.ctx);
    let member_rows = rows
        .iter()
        .filter(|r| r.municipality.as_deref() == Some("chelyabinsky-go"))
        .count();
    assert_eq!(
        member_rows, 3,
        "one row per dimension, not in the incomplete list"
    );
    insta::assert_snapshot!("review_80x24", h.screen(80, 24));
    insta::assert_snapshot!("review_60x16", h.screen(60, 16));
    h.keys("p");
    insta::assert_snapshot!("preview_60x16", h.screen(60, 16));
    // Esc goes back the way we came: preview → review → clusters → list.
    h.key(KeyCode::Esc);
    assert_eq!(h.app.screen, Screen::Review);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.screen, Screen::Clusters);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.screen, Screen::List);
    insta::assert_snapshot!("list_60x16", h.screen(60, 16));
    h.keys("c");
    insta::assert_snapshot!("clusters_60x16", h.screen(60, 16));
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    let s = h.screen(60, 16);
    assert!(
        s.contains("▶ Формат работы"),
        "the selected dimension scrolls into view: {s}"
    );
    h.key(KeyCode::Esc);

    // Restart from disk: the same state.
    let dir = h.io.campaign_dir.clone();
    let reloaded = storage::load(&dir, &h.app.ctx.data.registry).unwrap();
    assert_eq!(reloaded, h.app.ctx.campaign);
    let (app2, _) = open(&dir, "default", Some("Мария Петрова"));
    assert_eq!(app2.ctx.campaign, h.app.ctx.campaign);
    let status = sobes::cli::status_table(&app2.ctx.data, &app2.ctx.campaign, true);
    let line = status
        .lines()
        .find(|l| l.starts_with("chelyabinsky-go\t"))
        .unwrap();
    assert!(line.ends_with("\tраспределён"), "{line}");
}

#[test]
fn too_small_and_resizes() {
    let mut h = harness("default", Some("Тест"));
    insta::assert_snapshot!("too_small_40x10", h.screen(40, 10));
    h.key(KeyCode::Enter);
    for (w, hgt) in [(1, 1), (59, 30), (60, 16), (200, 60), (80, 24), (61, 17)] {
        let s = h.screen(w, hgt);
        if w < 60 || hgt < 16 {
            assert!(s.contains("слишком") || w < 10, "{w}x{hgt}: {s}");
        } else {
            assert!(s.contains("sobes"), "{w}x{hgt}");
        }
    }
    insta::assert_snapshot!("interview_60x16", h.screen(60, 16));
}

#[test]
fn ctrl_c_always_quits() {
    let mut h = harness("default", None);
    let quit = step(
        &mut h.app,
        &mut h.io,
        Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(quit, "even with the first-start prompt open");
    let mut h = harness("default", Some("Тест"));
    let quit = step(
        &mut h.app,
        &mut h.io,
        Event::Key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE)),
    );
    assert!(quit, "q quits from the list");
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Enter);
    h.keys("q");
    // Inside a screen q goes back, as on the review and the preview: never quits, never
    // does nothing.
    assert_eq!(
        h.app.screen,
        Screen::List,
        "q inside the interview goes back to the list"
    );
    h.key(KeyCode::Enter);
    h.keys("c");
    assert_eq!(h.app.screen, Screen::Clusters);
    h.keys("й");
    assert_ne!(h.app.screen, Screen::Clusters, "й (q's key) goes back too");
}

/// A large campaign shows its first page at once and takes the rest when it arrives; nothing
/// that needs every record runs before it has arrived.
#[test]
fn a_large_campaign_loads_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let data = data();
    storage::create(dir.path(), &sobes::session::new_meta(&data, None)).unwrap();
    let env_dir = dir.path();
    for m in &data.registry.municipalities {
        let r = sobes::model::campaign::Record::new(&m.id);
        let stamp = sobes::model::change::Stamp {
            by: "Тест".into(),
            at: clock(),
        };
        let remote = Some(sobes::model::campaign::Value::Choice("remote".into()));
        let change = sobes::model::change::Change::answer(&r, "ra_format", remote, &stamp);
        let mut r =
            sobes::model::change::apply(&r, &change, &data.protocol, &data.dimensions).unwrap();
        // Points (kept in the campaign's table) for one municipality read first and one read
        // in the background.
        if [0, 40].contains(&data.registry.index_of(&m.id).unwrap()) {
            let c = sobes::model::change::Change::score(&r, "1.1", Some(1), &stamp);
            r = sobes::model::change::apply(&r, &c, &data.protocol, &data.dimensions).unwrap();
        }
        storage::save_record(env_dir, &r).unwrap();
    }
    let whole = storage::load(env_dir, &data.registry).unwrap();
    let scored: Vec<&str> = whole
        .records
        .values()
        .filter(|r| !r.scores.is_empty())
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(scored.len(), 2, "{scored:?}");
    let (campaign, rx) = sobes::tui::load_split(env_dir, &data.registry, 0, 10).unwrap();
    assert_eq!(campaign.records.len(), 10);
    let mut app = App::new(
        data.clone(),
        campaign,
        Keymap::builtin("default").unwrap(),
        Some("Тест".into()),
        clock,
        env_dir.to_path_buf(),
    );
    app.start_loading(rx.expect("loads in the background"));
    assert!(app.ctx.summaries[..10].iter().all(Option::is_some));
    assert!(app.ctx.summaries[10..].iter().all(Option::is_none));
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| view::draw(f, &mut app)).unwrap();
    // The review needs every record: it waits for them.
    app.update(sobes::tui::action::Action::Review);
    assert!(!app.is_loading());
    assert_eq!(app.ctx.campaign, whole);
    assert!(app.ctx.summaries.iter().all(Option::is_some));
    let rows = app.screens.review.rows(&app.ctx);
    assert!(rows.iter().any(|r| r.text.contains("Не распределены — 43")));

    // A damaged file among the rest stops the TUI with its name; it is not written.
    let damaged = env_dir.join("municipalities/yuzhnouralsky-go.ron");
    std::fs::write(&damaged, "Record(format: 1, id: ").unwrap();
    let (campaign, rx) = sobes::tui::load_split(env_dir, &data.registry, 0, 10).unwrap();
    let mut app = App::new(
        data,
        campaign,
        Keymap::builtin("default").unwrap(),
        Some("Тест".into()),
        clock,
        env_dir.to_path_buf(),
    );
    app.start_loading(rx.unwrap());
    app.finish_loading();
    let fatal = app.ctx.fatal.clone().expect("the damage is reported");
    assert!(fatal.contains("yuzhnouralsky-go.ron"), "{fatal}");
    assert_eq!(
        std::fs::read_to_string(&damaged).unwrap(),
        "Record(format: 1, id: "
    );
}

/// Ctrl-C while typing keeps the draft: a note being typed is saved before quitting; a draft
/// that cannot be saved is asked about (n stays, a second Ctrl-C quits).
#[test]
fn ctrl_c_while_typing_saves_the_draft_or_asks() {
    let ctrl_c = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Enter);
    h.keys("m");
    h.keys("черновик заметки");
    assert!(step(&mut h.app, &mut h.io, ctrl_c.clone()), "quits");
    let on_disk = storage::load(&h.io.campaign_dir, &h.app.ctx.data.registry).unwrap();
    assert_eq!(
        on_disk.records["agapovsky-mr"].answers.note("org_form"),
        Some("черновик заметки")
    );

    let mut h = harness("default", Some("Тест"));
    h.keys("/кусинский");
    h.key(KeyCode::Enter);
    h.keys("1");
    h.keys("1");
    // The number of methodists, typed wrong.
    while h.question() != "methodists" {
        h.key(KeyCode::Right);
    }
    h.keys("e");
    h.keys("много");
    assert!(!step(&mut h.app, &mut h.io, ctrl_c.clone()), "asks first");
    match h.app.overlay() {
        Some(Overlay::Confirm(c)) => assert!(c.question.contains("Черновик не сохранён")),
        other => panic!("{other:?}"),
    }
    h.keys("n");
    assert!(h.app.screens.interview.editing.is_some(), "still typing");
    assert!(!step(&mut h.app, &mut h.io, ctrl_c.clone()));
    assert!(step(&mut h.app, &mut h.io, ctrl_c), "asked twice, it quits");
}

/// A change that could not be written keeps saying so, is retried with every key, and
/// quitting asks, naming what would be lost; once the disk takes it, all is well.
#[test]
fn an_unsaved_change_is_never_forgotten() {
    let mut h = harness("default", Some("Тест"));
    let records = h.io.campaign_dir.join("municipalities");
    let away = h.io.campaign_dir.join("municipalities.away");
    h.key(KeyCode::Enter); // Агаповский МР
    h.keys("1");
    // The records folder becomes unwritable (a file in its place: root ignores modes).
    std::fs::rename(&records, &away).unwrap();
    std::fs::write(&records, b"").unwrap();
    h.keys("1");
    // The status line: a message too long for one row goes on over the rows above it.
    let status = |h: &mut Harness| {
        let s = h.screen(120, 24);
        let rows: Vec<&str> = s.lines().collect();
        rows[rows.len() - 3..].join(" ")
    };
    assert!(
        status(&mut h).contains("НЕ СОХРАНЕНО: Агаповский МР"),
        "{}",
        status(&mut h)
    );
    h.key(KeyCode::Esc);
    assert!(
        status(&mut h).contains("НЕ СОХРАНЕНО"),
        "still said after Esc"
    );
    h.keys("q");
    match h.app.overlay() {
        Some(Overlay::Confirm(c)) => {
            assert!(c.question.contains("Агаповский МР"), "{}", c.question)
        }
        other => panic!("quitting must ask: {other:?}"),
    }
    h.keys("n");
    // The disk is back: the next key saves, and quitting no longer asks.
    std::fs::remove_file(&records).unwrap();
    std::fs::rename(&away, &records).unwrap();
    h.key(KeyCode::Down);
    assert!(
        !status(&mut h).contains("НЕ СОХРАНЕНО"),
        "{}",
        status(&mut h)
    );
    let on_disk = storage::load(&h.io.campaign_dir, &h.app.ctx.data.registry).unwrap();
    assert_eq!(on_disk, h.app.ctx.campaign);
    let q = Event::Key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE));
    assert!(step(&mut h.app, &mut h.io, q));
}

#[test]
fn the_first_name_prompt_says_how_to_quit_and_esc_quits() {
    let mut h = harness("default", None);
    for (w, ht) in [(80, 24), (60, 20)] {
        let s = h.screen(w, ht);
        assert!(s.contains("Esc — выйти из sobes"), "{s}");
    }
    let quit = step(
        &mut h.app,
        &mut h.io,
        Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    assert!(quit, "Esc at the name prompt quits");
    assert!(h.app.ctx.reviewer.is_none());
    assert!(!h.io.config_file.exists(), "nothing written");
}

/// The Windows console sends every key twice, pressed and released, and a terminal with the
/// kitty protocol sends repeats: only the press acts. Resizes, focus and mouse events change
/// nothing but the drawing.
#[test]
fn only_a_key_press_acts_whatever_else_the_console_sends() {
    use ratatui::crossterm::event::{KeyEventKind, KeyEventState, MouseEvent, MouseEventKind};
    let mut h = harness("default", Some("Тест"));
    let both = |h: &mut Harness, code: KeyCode| {
        for kind in [KeyEventKind::Press, KeyEventKind::Release] {
            let k = KeyEvent::new_with_kind_and_state(
                code,
                KeyModifiers::NONE,
                kind,
                KeyEventState::NONE,
            );
            assert!(
                !step(&mut h.app, &mut h.io, Event::Key(k)),
                "{code:?} {kind:?}"
            );
        }
    };
    // «.» is «/» of the Latin layout: the search opens once, and the letters come once each.
    for c in ".уйск".chars() {
        both(&mut h, KeyCode::Char(c));
    }
    assert_eq!(h.app.screens.list.search.text(), "уйск");
    let repeat = KeyEvent::new_with_kind_and_state(
        KeyCode::Char('а'),
        KeyModifiers::NONE,
        KeyEventKind::Repeat,
        KeyEventState::NONE,
    );
    assert!(!step(&mut h.app, &mut h.io, Event::Key(repeat)));
    assert_eq!(
        h.app.screens.list.search.text(),
        "уйск",
        "a repeat adds nothing"
    );
    for other in [
        Event::Resize(60, 20),
        Event::FocusGained,
        Event::FocusLost,
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollDown,
            column: 3,
            row: 4,
            modifiers: KeyModifiers::NONE,
        }),
    ] {
        assert!(!step(&mut h.app, &mut h.io, other));
    }
    assert_eq!(h.app.screens.list.search.text(), "уйск");
    both(&mut h, KeyCode::Enter);
    assert_eq!(h.app.ctx.current, "uysky-mr");
    assert_eq!(
        h.app.screen,
        Screen::Interview,
        "Enter opened what was typed"
    );
    both(&mut h, KeyCode::Esc);
    assert_eq!(h.app.screen, Screen::List);
    // «й» is «q»: released, it would quit a second time; pressed, it quits.
    let release = KeyEvent::new_with_kind_and_state(
        KeyCode::Char('й'),
        KeyModifiers::NONE,
        KeyEventKind::Release,
        KeyEventState::NONE,
    );
    assert!(
        !step(&mut h.app, &mut h.io, Event::Key(release)),
        "a release does not quit"
    );
    let press = KeyEvent::new(KeyCode::Char('й'), KeyModifiers::NONE);
    assert!(
        step(&mut h.app, &mut h.io, Event::Key(press)),
        "the press quits"
    );
}
