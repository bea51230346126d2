//! The TUI driven by key scripts through the real `App::handle_key`, effects run by the real
//! IO layer against a campaign on disk, drawn on a TestBackend.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use sobes::data::{DataSet, Overrides};
use sobes::model::campaign::{Mark, Status, Value};
use sobes::model::protocol::Kind;
use sobes::storage;
use sobes::tui::app::App;
use sobes::tui::cmd::Screen;
use sobes::tui::keymap::Keymap;
use sobes::tui::overlays::Overlay;
use sobes::tui::{Io, step, view};
use std::path::Path;

fn clock() -> String {
    "2026-09-14T10:00:00Z".to_string()
}

struct Harness {
    app: App,
    io: Io,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// The same campaign opened again, as after files changed under it (a sync).
    fn reopened(self) -> Harness {
        let (app, io) = open(&self.io.campaign_dir, "default", Some("Тест"));
        Harness {
            app,
            io,
            _dir: self._dir,
        }
    }
}

fn data() -> DataSet {
    DataSet::load(&Overrides::default(), None).expect("built-in data")
}

fn open(dir: &Path, keymap: &str, reviewer: Option<&str>) -> (App, Io) {
    let data = data();
    let campaign = storage::load(dir, &data.registry).expect("campaign loads");
    let mut app = App::new(
        data,
        campaign,
        Keymap::builtin(keymap).unwrap(),
        reviewer.map(str::to_string),
        clock,
        dir.to_path_buf(),
    );
    // Times on screen in a zone of our choosing, whatever this machine's is: UTC+5.
    app.ctx.tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(5));
    let io = Io::new(
        dir.to_path_buf(),
        dir.join("config-test.ron"),
        Default::default(),
        None,
    );
    (app, io)
}

fn harness(keymap: &str, reviewer: Option<&str>) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let campaign_dir = dir.path().join("campaign");
    let mut meta = sobes::session::new_meta(&data(), Some("Тестовая кампания".into()));
    meta.start = Some("2026-09-14".into());
    storage::create(&campaign_dir, &meta).unwrap();
    let (app, io) = open(&campaign_dir, keymap, reviewer);
    Harness { app, io, _dir: dir }
}

impl Harness {
    fn key(&mut self, code: KeyCode) {
        self.key_mod(code, KeyModifiers::NONE);
    }

    fn key_mod(&mut self, code: KeyCode, m: KeyModifiers) {
        let quit = step(
            &mut self.app,
            &mut self.io,
            Event::Key(KeyEvent::new(code, m)),
        );
        assert!(!quit, "unexpected quit");
    }

    fn keys(&mut self, script: &str) {
        for c in script.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// In an open prompt: clears what it holds, types `text` and presses Enter.
    fn replace_prompt(&mut self, text: &str) {
        self.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
        self.keys(text);
        self.key(KeyCode::Enter);
    }

    fn screen(&mut self, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| view::draw(f, &mut self.app)).unwrap();
        let buf = t.backend().buffer();
        let mut out = String::new();
        for y in 0..h {
            let mut line = String::new();
            for x in 0..w {
                line.push_str(buf[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// Where the cursor is drawn at `w`×`h`, with the char shown there; None when hidden.
    fn cursor(&mut self, w: u16, h: u16) -> Option<((u16, u16), String)> {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| view::draw(f, &mut self.app)).unwrap();
        let backend = t.backend();
        if !backend.cursor_visible() {
            return None;
        }
        let at = backend.cursor_position();
        let symbol = backend.buffer()[(at.x, at.y)].symbol().to_string();
        Some(((at.x, at.y), symbol))
    }

    /// The status line (the last row) at `w`×`h`.
    fn status(&mut self, w: u16, h: u16) -> String {
        self.screen(w, h).lines().last().unwrap_or("").to_string()
    }

    /// Answers every visible question of the current municipality with keys only.
    fn answer_everything(&mut self) {
        for _ in 0..200 {
            let record = self.app.ctx.current_record();
            if self
                .app
                .ctx
                .data
                .protocol
                .progress(&record.answers)
                .complete()
            {
                return;
            }
            let q = self
                .app
                .screens
                .interview
                .current_question(&self.app.ctx)
                .clone();
            let answered = record.answers.value(&q.id).is_some();
            if !answered || !q.required {
                match q.kind {
                    Kind::YesNo | Kind::SingleChoice(_) => self.keys("1"),
                    Kind::MultipleChoice(_) => {
                        self.keys("12");
                        self.key(KeyCode::Right);
                    }
                    Kind::Number { .. } => {
                        self.key(KeyCode::Enter);
                        self.keys("2");
                        self.key(KeyCode::Enter);
                        self.key(KeyCode::Right);
                    }
                    Kind::Text => {
                        self.key(KeyCode::Enter);
                        self.keys("Ответ на «");
                        self.keys(&q.id);
                        self.keys("»");
                        self.key(KeyCode::Enter);
                        self.key(KeyCode::Right);
                    }
                }
            } else {
                self.key(KeyCode::Right);
            }
        }
        panic!("protocol not finished after 200 steps");
    }
}

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
fn help_follows_the_keymap() {
    let mut h = harness("vim", Some("Тест"));
    h.keys("?");
    assert!(matches!(h.app.overlay(), Some(Overlay::Help(_))));
    let s = h.screen(80, 24);
    assert!(s.contains("j / о, ↓"), "{s}");
    assert!(s.contains("Ctrl-c"), "{s}");
    insta::assert_snapshot!("help_list_vim_80x24", s);
    h.keys("x");
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Help(_))),
        "x is not a way out of help"
    );
    // The keymap's own keys scroll it: j in vim.
    h.keys("j");
    let after = h.screen(80, 24);
    assert!(
        s.contains("1–19 из 32") && after.contains("2–20 из 32"),
        "j scrolls by one line: {after}"
    );
    h.key(KeyCode::Esc);
    assert!(h.app.overlay().is_none());
    h.keys("l?");
    let s = h.screen(80, 24);
    assert!(s.contains("Вопросы"));
    assert!(s.contains("Написать заметку"), "{s}");
}

#[test]
fn clearing_asks_first_and_overrides_need_a_reason() {
    let mut h = harness("default", Some("Тест"));
    h.keys("/Кусинский");
    h.key(KeyCode::Enter);
    h.keys("1");
    assert!(
        h.app
            .ctx
            .current_record()
            .answers
            .value("org_form")
            .is_some()
    );
    h.key(KeyCode::Left);
    // «н» means «нет» (it sits on the key of «y»): the answer stays.
    h.key(KeyCode::Delete);
    assert!(matches!(h.app.overlay(), Some(Overlay::Confirm(_))));
    h.keys("н");
    assert!(h.app.overlay().is_none());
    assert!(
        h.app
            .ctx
            .current_record()
            .answers
            .value("org_form")
            .is_some(),
        "«н» kept the answer"
    );
    h.key(KeyCode::Delete);
    assert!(matches!(h.app.overlay(), Some(Overlay::Confirm(_))));
    h.keys("n");
    assert!(
        h.app
            .ctx
            .current_record()
            .answers
            .value("org_form")
            .is_some()
    );
    h.key(KeyCode::Delete);
    h.keys("y");
    assert!(
        h.app
            .ctx
            .current_record()
            .answers
            .value("org_form")
            .is_none()
    );
    let on_disk = storage::load(&h.io.campaign_dir, &h.app.ctx.data.registry).unwrap();
    assert!(
        on_disk.records["kusinsky-mr"]
            .answers
            .value("org_form")
            .is_none()
    );

    // Regional active: answer "remote", then choose 1 — a reason is required.
    h.keys("s");
    for _ in 0..10 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.screens.interview.current_question(&h.app.ctx).id,
        "active_changes"
    );
    h.key(KeyCode::Right);
    assert_eq!(
        h.app.screens.interview.current_question(&h.app.ctx).id,
        "ra_format"
    );
    h.keys("2");
    h.keys("c");
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.keys("1");
    assert!(matches!(h.app.overlay(), Some(Overlay::Prompt(_))));
    insta::assert_snapshot!("reason_prompt_80x24", h.screen(80, 24));
    h.key(KeyCode::Enter); // empty reason is not accepted
    assert!(matches!(h.app.overlay(), Some(Overlay::Prompt(_))));
    h.keys("руководитель передумал");
    h.key(KeyCode::Enter);
    let record = h.app.ctx.current_record();
    let d = &record.decisions["regional_active"];
    assert_eq!(d.cluster, 1);
    assert_eq!(d.suggested, Some(2));
    assert_eq!(d.reason.as_deref(), Some("руководитель передумал"));

    // Clearing the decision asks first (the cursor stays on the last dimension).
    assert_eq!(h.app.screens.clusters.dim, 2);
    h.key(KeyCode::Delete);
    h.key(KeyCode::Esc);
    assert!(
        h.app
            .ctx
            .current_record()
            .decisions
            .contains_key("regional_active")
    );
    h.key(KeyCode::Delete);
    h.key(KeyCode::Enter);
    assert!(
        !h.app
            .ctx
            .current_record()
            .decisions
            .contains_key("regional_active")
    );
}

#[test]
fn filter_keeps_selection_and_hidden_questions_stay_hidden() {
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.keys("/а");
    // Typing selects the best match, so Enter opens what was typed.
    let first = h.app.screens.list.visible[0].0;
    let first = h.app.ctx.data.registry.municipalities[first].id.clone();
    assert_eq!(h.app.ctx.current, first, "the best match is selected");
    h.key(KeyCode::Down);
    let selected = h.app.ctx.current.clone();
    h.key(KeyCode::Esc);
    assert_eq!(h.app.ctx.current, selected, "still shown, still selected");
    assert_eq!(h.app.screens.list.visible.len(), 43);
    let shown = |h: &Harness| -> Vec<String> {
        h.app
            .screens
            .list
            .visible
            .iter()
            .map(|(i, _)| h.app.ctx.data.registry.municipalities[*i].name.clone())
            .collect()
    };
    h.keys("/Тро");
    let names = shown(&h);
    assert_eq!(
        names,
        [
            "Троицкий ГО",       // starts so
            "Троицкий МР",       // starts so
            "Нязепетровский МР", // has it whole
            "Магнитогорский ГО", // scattered, alphabetical
            "Трёхгорный ГО",
        ]
    );
    h.key(KeyCode::Esc);
    h.keys("/трех");
    assert_eq!(shown(&h), ["Трёхгорный ГО"], "ё matches е");
    h.key(KeyCode::Enter);
    // org_form = department hides licence and own courses.
    h.keys("2");
    assert_eq!(
        h.app.screens.interview.current_question(&h.app.ctx).id,
        "methodists"
    );
    h.key(KeyCode::Left);
    assert_eq!(
        h.app.screens.interview.current_question(&h.app.ctx).id,
        "org_form"
    );
    let p = h
        .app
        .ctx
        .data
        .protocol
        .progress(&h.app.ctx.current_record().answers);
    h.keys("1");
    assert_eq!(
        h.app.screens.interview.current_question(&h.app.ctx).id,
        "licence"
    );
    let p2 = h
        .app
        .ctx
        .data
        .protocol
        .progress(&h.app.ctx.current_record().answers);
    assert_eq!(p2.required, p.required + 1, "licence is shown for a centre");
    h.keys("1");
    assert_eq!(
        h.app.screens.interview.current_question(&h.app.ctx).id,
        "own_courses"
    );
    let p3 = h
        .app
        .ctx
        .data
        .protocol
        .progress(&h.app.ctx.current_record().answers);
    assert_eq!(
        p3.required,
        p.required + 2,
        "own courses are asked with a licence"
    );
}

#[test]
fn notes_and_text_fields_with_cursor() {
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Enter);
    h.keys("m");
    h.keys("Мисс");
    h.key(KeyCode::Left);
    h.key(KeyCode::Left);
    h.key(KeyCode::Backspace);
    h.keys("а");
    let s = h.screen(80, 24);
    assert!(s.contains("> Масс"), "{s}");
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.ctx.current_record().answers.note("org_form"),
        Some("Масс")
    );
    // A note alone does not count as an answer.
    assert!(
        h.app
            .ctx
            .current_record()
            .answers
            .value("org_form")
            .is_none()
    );
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

#[test]
fn preview_and_export_from_the_tui() {
    let mut h = harness("default", Some("Тест"));
    h.keys("p");
    assert_eq!(h.app.screen, Screen::Preview);
    assert!(h.app.screens.preview.lines.len() > 20);
    assert!(
        h.app
            .screens
            .preview
            .lines
            .iter()
            .any(|l| l.to_string().contains("Не распределены"))
    );
    let shown = h.screen(80, 24);
    assert!(
        !shown.contains('#') && !shown.contains("**"),
        "text, not Markdown: {shown}"
    );
    insta::assert_snapshot!("preview_80x24", shown);
    h.key(KeyCode::PageDown);
    assert!(h.app.screens.preview.scroll > 0);

    let target = h.io.campaign_dir.parent().unwrap().join("письмо.docx");
    let export = |h: &mut Harness| {
        h.keys("e");
        assert!(matches!(h.app.overlay(), Some(Overlay::Picker(_))));
        h.key(KeyCode::Enter); // Word is first
        h.replace_prompt(target.to_str().unwrap());
    };
    export(&mut h);
    // The campaign is empty: exporting asks whether to mark the gaps.
    match &h.app.overlay() {
        Some(Overlay::Confirm(sobes::tui::overlays::Confirm { question, .. })) => {
            assert!(question.contains("не завершена"))
        }
        other => panic!("{other:?}"),
    }
    h.keys("y");
    let (message, error) = h.app.ctx.message.clone().unwrap();
    assert!(!error && message.contains("записано"), "{message}");
    let first = std::fs::read(&target).unwrap();
    assert!(first.starts_with(b"PK"), "a zip package");

    // Again: the existing file is replaced only after a confirmation.
    std::fs::write(&target, b"old").unwrap();
    export(&mut h);
    match &h.app.overlay() {
        Some(Overlay::Confirm(sobes::tui::overlays::Confirm { question, .. })) => {
            assert!(question.contains("уже есть"))
        }
        other => panic!("{other:?}"),
    }
    h.keys("n");
    assert_eq!(std::fs::read(&target).unwrap(), b"old");
    export(&mut h);
    h.keys("y");
    h.keys("y");
    assert_eq!(
        std::fs::read(&target).unwrap(),
        first,
        "same input, same bytes"
    );
    h.key(KeyCode::Esc);
    assert_eq!(h.app.screen, Screen::List);
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

/// The TUI suggests a full path in the export folder (the documents folder in real use);
/// Enter on the suggestion writes there and says where, and a bare name typed instead goes
/// to the same folder, never to the directory sobes was started from.
#[test]
fn export_with_the_suggested_name_goes_to_the_export_folder() {
    let mut h = harness("default", Some("Тест"));
    let docs = h.io.campaign_dir.parent().unwrap().join("Документы");
    std::fs::create_dir(&docs).unwrap();
    h.app.ctx.export_dir = docs.clone();
    h.keys("e");
    h.key(KeyCode::Down); // Markdown
    h.key(KeyCode::Enter);
    match h.app.overlay() {
        Some(Overlay::Prompt(p)) => {
            // Named with the campaign's year: next year's never suggests this file.
            assert_eq!(
                p.field.text(),
                docs.join("приложение 2026.md").display().to_string()
            )
        }
        other => panic!("{other:?}"),
    }
    let shown = h.screen(100, 24);
    let sep = std::path::MAIN_SEPARATOR;
    assert!(
        shown.contains(&format!("Документы{sep}приложение 2026.md")),
        "{shown}"
    );
    h.key(KeyCode::Enter);
    h.keys("y"); // with the gaps marked
    let (message, error) = h.app.ctx.message.clone().unwrap();
    let written = docs.join("приложение 2026.md");
    assert!(!error, "{message}");
    assert!(
        message.contains(&written.display().to_string()),
        "{message}"
    );
    assert!(written.is_file());

    h.keys("e");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    h.replace_prompt("второе.md");
    h.keys("y");
    assert!(docs.join("второе.md").is_file());
    assert!(!Path::new("второе.md").exists());
    h.key(KeyCode::Esc);
    h.app.ctx.campaign.meta.start = Some("2027-09-13".into());
    h.keys("e");
    h.key(KeyCode::Enter);
    match h.app.overlay() {
        Some(Overlay::Prompt(p)) => assert!(p.field.text().ends_with("приложение 2027.docx")),
        other => panic!("{other:?}"),
    }
}

/// Staff type answers in Cyrillic, so the Russian layout is usually on: a Cyrillic letter
/// without a binding of its own acts as the Latin key in the same place, in both built-in
/// keymaps; text fields still take Cyrillic as text; help shows both keys.
#[test]
fn commands_work_in_the_russian_layout() {
    for keymap in ["default", "vim"] {
        let mut h = harness(keymap, Some("Тест"));
        // «.» is «/» of the Latin layout: search, then the search field takes Cyrillic.
        h.keys(".уйск");
        assert_eq!(h.app.screens.list.search.text(), "уйск", "{keymap}");
        h.key(KeyCode::Enter);
        assert_eq!(h.app.ctx.current, "uysky-mr", "{keymap}");
        h.keys("с"); // c
        assert_eq!(h.app.screen, Screen::Clusters, "{keymap}");
        h.keys("ш"); // i
        assert_eq!(h.app.screen, Screen::Interview, "{keymap}");
        h.keys("ь"); // m: a note
        h.keys("мнение");
        h.key(KeyCode::Enter);
        let q = h
            .app
            .screens
            .interview
            .current_question(&h.app.ctx)
            .id
            .clone();
        assert_eq!(
            h.app.ctx.current_record().answers.note(&q),
            Some("мнение"),
            "{keymap}"
        );
        h.keys(","); // ?: help
        assert!(
            matches!(h.app.overlay(), Some(Overlay::Help(_))),
            "{keymap}"
        );
        let help = h.screen(100, 40);
        assert!(help.contains("m / ь"), "{keymap}: {help}");
        h.key(KeyCode::Esc);
        h.key(KeyCode::Esc);
        assert_eq!(h.app.screen, Screen::List, "{keymap}");
        let key = Event::Key(KeyEvent::new(KeyCode::Char('й'), KeyModifiers::NONE));
        assert!(step(&mut h.app, &mut h.io, key), "{keymap}: й is q, quit");
    }
}

/// Typing a municipality's stem selects it first, whatever was selected before; a stem two
/// municipalities share selects one of the two, and the full name the right one.
#[test]
fn every_stem_typed_in_the_search_selects_its_municipality() {
    let mut h = harness("default", Some("Тест"));
    let registry = h.app.ctx.data.registry.municipalities.clone();
    for m in &registry {
        let stem = m.name.rsplit_once(' ').map_or(m.name.as_str(), |(s, _)| s);
        let twins: Vec<&str> = registry
            .iter()
            .filter(|o| o.name.starts_with(&format!("{stem} ")))
            .map(|o| o.id.as_str())
            .collect();
        for typed in [stem.to_lowercase(), m.name.clone()] {
            h.keys("/");
            h.keys(&typed);
            let got = h.app.ctx.current.clone();
            if typed == m.name || twins.len() == 1 {
                assert_eq!(got, m.id, "«{typed}»");
            } else {
                assert!(twins.contains(&got.as_str()), "«{typed}» → {got}");
            }
            h.key(KeyCode::Enter); // opens what was typed
            assert_eq!(h.app.screen, Screen::Interview, "«{typed}»");
            h.key(KeyCode::Esc);
            h.key(KeyCode::Esc); // search and filter reset
        }
    }
}

/// A choice moves on to the next question still without an answer, never onto an answered
/// one; replacing an answer with one key says what it was and one key takes it back.
#[test]
fn a_choice_moves_to_an_open_question_and_a_replaced_answer_can_be_taken_back() {
    let mut h = harness("default", Some("Тест"));
    h.keys("/уйский");
    h.key(KeyCode::Enter);
    let q = |h: &Harness| {
        h.app
            .screens
            .interview
            .current_question(&h.app.ctx)
            .id
            .clone()
    };
    assert_eq!(q(&h), "org_form");
    h.keys("1"); // centre → licence is asked
    assert_eq!(q(&h), "licence");
    h.keys("2"); // no licence → own_courses stays hidden
    let after_licence = q(&h);
    assert_ne!(after_licence, "own_courses");
    // Back to the first question and answer it again with the same key: nothing replaced,
    // and the cursor goes past the answered licence question.
    h.key(KeyCode::Left);
    h.key(KeyCode::Left);
    assert_eq!(q(&h), "org_form");
    h.keys("1");
    assert_eq!(q(&h), after_licence, "answered questions are skipped");
    // Replace it: the old value is said, u brings it back.
    h.key(KeyCode::Left);
    h.key(KeyCode::Left);
    h.keys("2");
    let (message, _) = h.app.ctx.message.clone().unwrap();
    assert!(
        message.contains("было «Отдельный методический центр"),
        "{message}"
    );
    assert!(message.contains("u — вернуть"), "{message}");
    let value = |h: &Harness| {
        h.app
            .ctx
            .current_record()
            .answers
            .value("org_form")
            .cloned()
    };
    assert_eq!(value(&h), Some(Value::Choice("department".into())));
    h.keys("u");
    assert_eq!(value(&h), Some(Value::Choice("center".into())));
    assert_eq!(q(&h), "org_form");
    let on_disk = storage::load(&h.io.campaign_dir, &h.app.ctx.data.registry).unwrap();
    assert_eq!(
        on_disk.records["uysky-mr"].answers.value("org_form"),
        Some(&Value::Choice("center".into()))
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
    while h.app.screens.interview.current_question(&h.app.ctx).id != "methodists" {
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

/// The export's gap dialog names a few municipalities and how many more, so its question
/// and answer keys stay in view even on a small window.
#[test]
fn the_gap_dialog_keeps_its_keys_in_view() {
    let mut h = harness("default", Some("Тест"));
    h.keys("e");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    for (w, hgt) in [(80, 24), (60, 16)] {
        let s = h.screen(w, hgt);
        assert!(s.contains("д / y / Enter — да"), "{w}×{hgt}:\n{s}");
        assert!(s.contains("Кампания не завершена"), "{w}×{hgt}:\n{s}");
    }
    let s = h.screen(100, 30);
    assert!(s.contains("и ещё 40"), "{s}");
    insta::assert_snapshot!("export_gaps_80x24", h.screen(80, 24));
}

/// Esc goes back where the municipality was opened from; the review names override reasons;
/// the question list marks notes.
#[test]
fn back_returns_to_the_review_and_the_review_shows_reasons() {
    let mut h = harness("default", Some("Тест"));
    h.keys("/уйский");
    h.key(KeyCode::Enter);
    h.keys("m");
    h.keys("со слов руководителя");
    h.key(KeyCode::Enter);
    let s = h.screen(100, 30);
    assert!(s.contains("•✎1. "), "{s}");
    h.keys("c");
    h.keys("3");
    h.keys("нет подсказки, решили на комиссии");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
    h.keys("r");
    let rows: Vec<String> = h
        .app
        .screens
        .review
        .rows(&h.app.ctx)
        .iter()
        .map(|r| r.text.clone())
        .collect();
    assert!(
        rows.iter().any(|r| r.contains("Уйский МР  (изменено вручную: нет подсказки, решили на комиссии)")),
        "{rows:?}"
    );
    // Too long for the window, the reason ends in «…» where it is cut.
    let narrow = h.screen(60, 30);
    let line = narrow
        .lines()
        .find(|l| l.contains("Уйский МР"))
        .expect(&narrow);
    assert!(line.trim_end().ends_with('…'), "{line}");
    // Open an unfinished interview from the review; Esc comes back to the review.
    while h.app.screen == Screen::Review {
        h.key(KeyCode::Down);
        h.key(KeyCode::Enter);
        if h.app.screen == Screen::Review {
            continue;
        }
        if h.app.screen == Screen::Clusters {
            h.key(KeyCode::Esc);
            assert_eq!(h.app.screen, Screen::Review);
            h.key(KeyCode::End);
            h.key(KeyCode::Enter);
        }
    }
    assert_eq!(h.app.screen, Screen::Interview);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.screen, Screen::Review);
}

/// In the TUI too, «Нет» cannot be ticked beside another option: it is refused in words and
/// the answer stays as it was.
#[test]
fn an_exclusive_option_is_refused_beside_others() {
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Enter);
    while h.app.screens.interview.current_question(&h.app.ctx).id != "shibc" {
        h.key(KeyCode::Right);
    }
    h.keys("1");
    h.keys("3");
    let (message, error) = h.app.ctx.message.clone().unwrap();
    assert!(error && message.contains("не сочетается"), "{message}");
    assert_eq!(
        h.app.ctx.current_record().answers.value("shibc"),
        Some(&Value::Choices(vec!["institutional".into()]))
    );
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

/// A record replaced on disk while the TUI is open (a colleague's file copied in) is not
/// overwritten: a change to another field is added on top of it; the same field changed in
/// both places is shown with both values and the user chooses.
#[test]
fn a_record_changed_on_disk_is_never_overwritten_blind() {
    let mut h = harness("default", Some("Тест"));
    let data = h.app.ctx.data.clone();
    let outside = |h: &Harness, question: &str, value: Value| {
        let dir = &h.io.campaign_dir;
        let mut r = storage::load(dir, &data.registry).unwrap().records["agapovsky-mr"].clone();
        let stamp = sobes::model::change::Stamp {
            by: "Коллега".into(),
            at: clock(),
        };
        let c = sobes::model::change::Change::answer(&r, question, Some(value), &stamp);
        r = sobes::model::change::apply(&r, &c, &data.protocol, &data.dimensions).unwrap();
        storage::save_record(dir, &r).unwrap();
    };
    h.key(KeyCode::Enter);
    h.keys("1"); // org_form = centre, saved; now on licence
    outside(&h, "methodists", Value::Number(7));
    h.keys("1"); // licence = yes: another field, added on top
    let dir = h.io.campaign_dir.clone();
    let disk = || storage::load(&dir, &data.registry).unwrap().records["agapovsky-mr"].clone();
    let r = disk();
    assert_eq!(
        r.answers.value("methodists"),
        Some(&Value::Number(7)),
        "the colleague's answer stays"
    );
    assert_eq!(r.answers.value("licence"), Some(&Value::Bool(true)));
    assert_eq!(h.app.ctx.current_record(), r, "memory follows the disk");

    // The same field on both sides: asked, with both values.
    outside(&h, "own_courses", Value::Bool(false));
    assert_eq!(
        h.app.screens.interview.current_question(&h.app.ctx).id,
        "own_courses"
    );
    h.keys("1"); // own_courses = yes here, no on disk
    match h.app.overlay() {
        Some(Overlay::Picker(p)) => {
            assert!(
                p.items[0].contains("нет") && p.items[1].contains("да"),
                "{:?}",
                p.items
            )
        }
        other => panic!("{other:?}"),
    }
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter); // keep mine
    let r = disk();
    assert_eq!(r.answers.value("own_courses"), Some(&Value::Bool(true)));
    assert_eq!(r.answers.value("methodists"), Some(&Value::Number(7)));
    assert_eq!(h.app.ctx.current_record(), r);
    assert!(h.app.ctx.unsaved.is_empty());
}

/// One key syncs: the hub is asked for once, then remembered; what came in is in the list,
/// and a municipality with an open conflict says so in its row.
#[test]
fn one_key_syncs_and_conflicts_show_in_the_list() {
    let mut h = harness("default", Some("Тест"));
    let dir = h.io.campaign_dir.clone();
    h.io.history = Some(sobes::history::History::open(&dir, "ноутбук-1").unwrap());
    h.io.config_file = dir.parent().unwrap().join("config.ron");
    let hub = dir.parent().unwrap().join("узел");
    h.keys("s");
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Prompt(_))),
        "the hub is asked for"
    );
    step(
        &mut h.app,
        &mut h.io,
        Event::Paste(hub.display().to_string()),
    );
    h.key(KeyCode::Enter);
    assert!(!hub.exists(), "no hub is made before the user says so");
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Confirm(_))),
        "a folder with no hub: asked whether to make one"
    );
    h.keys("y");
    let (message, error) = h.app.ctx.message.clone().unwrap();
    assert!(
        !error && message.contains("создан новый узел синхронизации"),
        "{message}"
    );
    assert!(hub.join("HEAD").exists(), "a bare repository in the folder");
    h.keys("s");
    assert!(
        h.app.overlay().is_none(),
        "remembered: no question the second time"
    );
    let (message, _) = h.app.ctx.message.clone().unwrap();
    assert!(message.contains("пришло: ничего нового"), "{message}");
    // Each step is on the status line, and drawn, before it starts.
    let mut seen = Vec::new();
    h.io.sync(&mut h.app, hub.clone(), false, |app| {
        seen.push(app.ctx.message.clone().unwrap().0)
    });
    let steps = [
        "синхронизация с ",
        "получение с узла",
        "отправка на узел",
        "подсчёт открытых конфликтов",
    ];
    let at: Vec<Option<usize>> = steps
        .iter()
        .map(|s| seen.iter().position(|m| m.contains(s)))
        .collect();
    assert!(
        at.iter().all(Option::is_some) && at.windows(2).all(|w| w[0] < w[1]),
        "{seen:?}"
    );
    let (message, _) = h.app.ctx.message.clone().unwrap();
    assert!(message.contains("открытых конфликтов: 0"), "{message}");
    let config = std::fs::read_to_string(&h.io.config_file).unwrap();
    assert!(config.contains("узел"), "{config}");

    // The stick pulled out: `s` says the hub is unavailable and makes nothing.
    std::fs::rename(&hub, dir.parent().unwrap().join("вынута")).unwrap();
    h.keys("s");
    let (message, error) = h.app.ctx.message.clone().unwrap();
    assert!(error && message.contains("недоступен"), "{message}");
    assert!(
        h.app.overlay().is_none(),
        "a remembered hub is not offered to be made"
    );
    assert!(!hub.exists(), "nothing made on the laptop's disk");

    // A record with an open conflict (as a sync leaves it) is marked in the list.
    let file = dir.join("municipalities/agapovsky-mr.ron");
    std::fs::write(
        &file,
        "Record(format: 1, id: \"agapovsky-mr\", answers: {\"methodists\": Answer(value: Some(Number(4)), by: \"А\", at: \"2026-09-14T10:00:00Z\")}, conflicts: [(field: Answer(\"methodists\"), versions: [(held: Value(Some(Number(4))), by: \"А\", at: \"2026-09-14T10:00:00Z\", device: \"a\"), (held: Value(Some(Number(6))), by: \"Б\", at: \"2026-09-14T10:01:00Z\", device: \"b\")])])",
    )
    .unwrap();
    let (mut app, _) = open(&dir, "default", Some("Тест"));
    let mut t = Terminal::new(TestBackend::new(100, 20)).unwrap();
    t.draw(|f| view::draw(f, &mut app)).unwrap();
    let screen: String = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("конфликт 1"), "{screen}");
}

/// The sync runs off the drawing thread: while it runs no key but Esc acts, Esc stops it
/// (or comes too late and says so), and the loop takes its end when it comes; past its
/// deadline it stops on its own with nothing changed.
#[test]
fn a_sync_runs_beside_the_screen_and_esc_stops_it() {
    let mut h = harness("default", Some("Тест"));
    let dir = h.io.campaign_dir.clone();
    h.io.history = Some(sobes::history::History::open(&dir, "ноутбук-1").unwrap());
    h.io.config_file = dir.parent().unwrap().join("config.ron");
    let hub = dir.parent().unwrap().join("узел");
    h.io.sync(&mut h.app, hub.clone(), true, |_| {});
    assert!(hub.join("HEAD").exists());
    let first = h.app.ctx.current.clone();
    // The screen as drawn last before the loop was told to quit.
    let key = |code| Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
    let run = |h: &mut Harness, script: Vec<Event>| -> String {
        let mut t = Terminal::new(TestBackend::new(400, 24)).unwrap();
        let mut script = script.into_iter();
        let started = std::time::Instant::now();
        sobes::tui::run_loop(&mut t, &mut h.app, &mut h.io, |timeout| {
            assert!(started.elapsed().as_secs() < 30, "the sync never ended");
            if let Some(e) = script.next() {
                return Ok(Some(e));
            }
            // Busy (the sync runs) the loop waits with a timeout; idle, it is told to quit.
            Ok(match timeout {
                Some(_) => {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    None
                }
                None => Some(Event::Key(KeyEvent::new(
                    KeyCode::Char('q'),
                    KeyModifiers::NONE,
                ))),
            })
        })
        .unwrap();
        let cells = t.backend().buffer().content().iter();
        cells.map(|c| c.symbol()).collect()
    };
    let message = run(
        &mut h,
        vec![
            key(KeyCode::Char('s')),
            key(KeyCode::Down),
            key(KeyCode::Esc),
        ],
    );
    assert_eq!(h.app.ctx.current, first, "↓ during the sync did nothing");
    assert!(
        message.contains("синхронизация отменена") || message.contains("остановить не успели"),
        "{message}"
    );
    assert!(
        h.io.history.is_some(),
        "the history came back from the sync"
    );
    h.io.sync_limit = std::time::Duration::ZERO;
    let refs = common_snapshot(&hub.join("refs"));
    // No Esc this time: the deadline alone stops it.
    let message = run(&mut h, vec![key(KeyCode::Char('s'))]);
    let words = message.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(message.contains("шла дольше"), "{words}");
    assert_eq!(common_snapshot(&hub.join("refs")), refs);
}

fn common_snapshot(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                todo.push(e.path());
            } else {
                out.push((e.path(), std::fs::read(e.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The conflicts screen shows each version with who and which device; a digit keeps one,
/// after a reason, and the conflict is gone from the record on disk.
#[test]
fn a_conflict_is_resolved_on_its_screen_with_a_reason() {
    let h = harness("default", Some("Тест"));
    let dir = h.io.campaign_dir.clone();
    std::fs::write(
        dir.join("municipalities/agapovsky-mr.ron"),
        "Record(format: 1, id: \"agapovsky-mr\", answers: {\"methodists\": Answer(value: Some(Number(4)), by: \"Анна\", at: \"2026-09-14T10:00:00Z\")}, conflicts: [(field: Answer(\"methodists\"), versions: [(held: Value(Some(Number(4))), by: \"Анна\", at: \"2026-09-14T10:00:00Z\", device: \"ноутбук-1\"), (held: Value(Some(Number(6))), by: \"Борис\", at: \"2026-09-14T10:01:00Z\", device: \"ноутбук-2\")])])",
    )
    .unwrap();
    let mut h = h.reopened();
    h.keys("K");
    assert_eq!(h.app.screen, Screen::Conflicts);
    let s = h.screen(100, 20);
    assert!(s.contains("Агаповский МР: ответ «Сколько человек"), "{s}");
    assert!(
        s.contains("1 «4» — Анна") && s.contains("2 «6» — Борис") && s.contains("ноутбук-2"),
        "{s}"
    );
    h.keys("2");
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Prompt(_))),
        "a reason is asked"
    );
    h.keys("так в протоколе заседания");
    h.key(KeyCode::Enter);
    let on_disk = storage::load(&dir, &h.app.ctx.data.registry).unwrap();
    let r = &on_disk.records["agapovsky-mr"];
    assert_eq!(r.answers.value("methodists"), Some(&Value::Number(6)));
    assert!(r.conflicts.is_empty());
    assert!(h.screen(100, 20).contains("Открытых конфликтов нет"));
}

/// A campaign field two laptops changed differently is on the conflicts screen too, with
/// both versions and where to decide it; setting the field on the letter screen decides it.
#[test]
fn a_campaign_field_in_conflict_is_shown_and_decided_on_the_letter_screen() {
    let h = harness("default", Some("Тест"));
    let dir = h.io.campaign_dir.clone();
    let file = dir.join("campaign.ron");
    let mut meta: sobes::model::campaign::Meta =
        ron::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    meta.conflicts
        .push(field_conflict("start", "2026-09-14", "2026-09-15"));
    std::fs::write(&file, storage::to_ron(&meta)).unwrap();
    let mut h = h.reopened();
    h.keys("K");
    let s = h.screen(100, 20);
    assert!(
        s.contains("Кампания: поле «start»")
            && s.contains("2 «2026-09-15» — ноутбук ноутбук-2")
            && !s.contains("Открытых конфликтов нет"),
        "{s}"
    );
    let mut decided = h.app.ctx.campaign.meta.clone();
    decided.set("start", "16.09.2026").unwrap();
    assert!(decided.conflicts.is_empty(), "setting the field decides it");
    // On the letter screen the row says so, and setting it there decides it on disk.
    h.key(KeyCode::Esc);
    h.keys("L");
    let s = h.screen(110, 30);
    assert!(
        s.contains("⚠ конфликт: «2026-09-14» или «2026-09-15»"),
        "{s}"
    );
    h.key(KeyCode::Enter);
    h.replace_prompt("16.09.2026");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("2026-09-16") && !text.contains("conflicts"),
        "{text}"
    );
    assert!(!h.screen(110, 30).contains("⚠ конфликт"));
    // The last row (the campaign's title) comes into view on a small terminal.
    h.key(KeyCode::End);
    let s = h.screen(60, 16);
    assert!(s.contains("название кампании"), "{s}");
}

/// A campaign field two laptops set differently: `a` on «ноутбук-1», `b` on «ноутбук-2».
fn field_conflict(field: &str, a: &str, b: &str) -> sobes::model::campaign::FieldConflict {
    sobes::model::campaign::FieldConflict {
        field: field.into(),
        versions: [(a, "ноутбук-1"), (b, "ноутбук-2")]
            .into_iter()
            .map(|(value, device)| sobes::model::campaign::FieldVersion {
                value: value.into(),
                device: device.into(),
            })
            .collect(),
    }
}

/// A campaign field in conflict is decided on the conflicts screen itself: a digit keeps that
/// version, `e` types a new one (checked as on the letter screen); either is written.
#[test]
fn a_campaign_field_in_conflict_is_decided_on_the_conflicts_screen() {
    let h = harness("default", Some("Тест"));
    let file = h.io.campaign_dir.join("campaign.ron");
    let mut meta: sobes::model::campaign::Meta =
        ron::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    meta.start = Some("2026-09-14".into());
    meta.end = Some("2026-09-28".into());
    meta.conflicts
        .push(field_conflict("start", "2026-09-14", "2026-09-15"));
    meta.conflicts
        .push(field_conflict("end", "2026-09-28", "2026-09-29"));
    std::fs::write(&file, storage::to_ron(&meta)).unwrap();
    let mut h = h.reopened();
    h.keys("K");
    h.keys("2");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("start: Some(\"2026-09-15\")") && !text.contains("field: \"start\""),
        "the second version kept: {text}"
    );
    assert_eq!(h.app.ctx.campaign.meta.conflicts.len(), 1);
    // The other one: a new value, checked as a date.
    h.keys("e");
    h.replace_prompt("32.09.2026");
    assert_eq!(
        h.app.ctx.campaign.meta.conflicts.len(),
        1,
        "a bad date decides nothing"
    );
    h.keys("e");
    h.replace_prompt("30.09.2026");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("end: Some(\"2026-09-30\")") && !text.contains("conflicts"),
        "{text}"
    );
    assert!(h.screen(100, 20).contains("Открытых конфликтов нет"));
}

/// On the conflicts screen a new value can be typed instead of either version; it is checked
/// as any answer is, and a reason is asked.
#[test]
fn a_conflict_can_be_resolved_with_a_new_value() {
    let h = harness("default", Some("Тест"));
    let dir = h.io.campaign_dir.clone();
    std::fs::write(
        dir.join("municipalities/agapovsky-mr.ron"),
        "Record(format: 1, id: \"agapovsky-mr\", answers: {\"methodists\": Answer(value: Some(Number(4)), by: \"Анна\", at: \"2026-09-14T10:00:00Z\")}, conflicts: [(field: Answer(\"methodists\"), versions: [(held: Value(Some(Number(4))), by: \"Анна\", at: \"2026-09-14T10:00:00Z\", device: \"a\"), (held: Value(Some(Number(6))), by: \"Борис\", at: \"2026-09-14T10:01:00Z\", device: \"b\")])])",
    )
    .unwrap();
    let mut h = h.reopened();
    h.keys("K");
    h.keys("e");
    h.keys("много");
    h.key(KeyCode::Enter);
    h.keys("так");
    h.key(KeyCode::Enter);
    let (message, error) = h.app.ctx.message.clone().unwrap();
    assert!(error && message.contains("ждёт целое число"), "{message}");
    h.keys("e");
    h.keys("5");
    h.key(KeyCode::Enter);
    h.keys("пересчитали на заседании");
    h.key(KeyCode::Enter);
    let on_disk = storage::load(&dir, &h.app.ctx.data.registry).unwrap();
    let r = &on_disk.records["agapovsky-mr"];
    assert_eq!(r.answers.value("methodists"), Some(&Value::Number(5)));
    assert!(r.conflicts.is_empty());
}

/// `h` on a question shows its history: the question in words, then who, when, what it was
/// and became (not the device's id, which says nothing to a person).
#[test]
fn the_history_of_a_question_is_one_key_away() {
    let mut h = harness("default", Some("Мария"));
    let dir = h.io.campaign_dir.clone();
    let history = sobes::history::History::open(&dir, "ноутбук-1").unwrap();
    history.commit_pending("Мария").unwrap();
    h.io.history = Some(history);
    h.key(KeyCode::Enter);
    while h.app.screens.interview.current_question(&h.app.ctx).id != "methodists" {
        h.key(KeyCode::Right);
    }
    for v in ["3", "4"] {
        // A number typed moves on to the next question without an answer: back to it.
        for _ in 0..60 {
            if h.app.screens.interview.current_question(&h.app.ctx).id == "methodists" {
                break;
            }
            h.key(KeyCode::Left);
        }
        h.keys("e");
        h.replace_prompt(v);
    }
    while h.app.screens.interview.current_question(&h.app.ctx).id != "methodists" {
        h.key(KeyCode::Left);
    }
    h.keys("h");
    match h.app.overlay() {
        Some(Overlay::Text(t)) => {
            assert_eq!(t.lines.len(), 3, "{:?}", t.lines);
            assert!(
                t.lines[0].contains("Сколько человек выполняют работу методистов"),
                "{:?}",
                t.lines
            );
            assert!(t.lines[1].contains("Мария: — → 3"), "{:?}", t.lines);
            assert!(!t.lines.concat().contains("ноутбук-1"), "{:?}", t.lines);
            assert!(t.lines[2].contains(": 3 → 4"), "{:?}", t.lines);
        }
        other => panic!("{other:?}"),
    }
}

/// The letter's facts are edited on their own screen (`L`), written to campaign.ron, and the
/// preview prints them; a fact not set is a visible blank.
#[test]
fn the_letters_facts_are_edited_in_the_tui() {
    let mut h = harness("default", Some("Тест"));
    h.keys("p");
    let preview = h.screen(100, 30).replace('\u{a0}', " ");
    assert!(preview.contains("от ____ № ____"), "{preview}");
    h.key(KeyCode::Esc);
    h.keys("L");
    assert_eq!(h.app.screen, Screen::Letter);
    assert!(
        h.screen(100, 30)
            .contains("номер письма Министерства: ____")
    );
    // The interview dates come first, checked as dates.
    h.key(KeyCode::Enter);
    h.replace_prompt("15 сентября");
    // Refused: the prompt stays open with the text as typed and the reason, in the field's
    // Russian name.
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Prompt(p)) if p.field.text() == "15 сентября"),
        "the typed text is kept"
    );
    let s = h.screen(100, 30);
    assert!(
        s.contains("ожидалась дата ДД.ММ.ГГГГ") && s.contains("первый день собеседований:"),
        "{s}"
    );
    h.replace_prompt("15.09.2026");
    assert_eq!(h.app.ctx.campaign.meta.start.as_deref(), Some("2026-09-15"));
    let (said, _) = h.app.ctx.message.clone().unwrap();
    assert_eq!(said, "записано: первый день собеседований");
    assert!(
        h.screen(100, 30)
            .contains("первый день собеседований (ДД.ММ.ГГГГ): 15.09.2026"),
        "shown as typed"
    );
    // The end before the start is refused where it is typed.
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    h.replace_prompt("01.09.2026");
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Prompt(p)) if p.error.as_deref().is_some_and(|e| e.contains("раньше, чем начались"))),
        "{:?}",
        h.app.overlay()
    );
    assert_eq!(h.app.ctx.campaign.meta.end, None);
    h.key(KeyCode::Esc);
    h.key(KeyCode::Up);
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.overlay(), Some(Overlay::Prompt(_))));
    h.keys("777");
    h.key(KeyCode::Enter);
    let text = std::fs::read_to_string(h.io.campaign_dir.join("campaign.ron")).unwrap();
    assert!(text.contains("\"letter_number\": \"777\""), "{text}");
    assert_eq!(
        h.app
            .ctx
            .campaign
            .meta
            .facts
            .get("letter_number")
            .map(String::as_str),
        Some("777")
    );
    h.key(KeyCode::Esc);
    h.keys("p");
    let shown = h.screen(100, 30).replace('\u{a0}', " ");
    assert!(shown.contains("от ____ № 777"), "{shown}");
}

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

/// Last year's answer offered to confirm: the interview says so and puts the cursor on it;
/// Enter makes it this year's answer.
#[test]
fn a_carried_answer_is_confirmed_with_enter() {
    let mut h = harness("default", Some("Тест"));
    let id = h.app.ctx.data.registry.municipalities[0].id.clone();
    let mut record = sobes::model::campaign::Record::new(&id);
    record
        .carried
        .insert("org_form".into(), Value::Choice("department".into()));
    storage::save_record(&h.io.campaign_dir, &record).unwrap();
    h.app.ctx.campaign.records.insert(id.clone(), record);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::Interview);
    let screen = h.screen(100, 30);
    assert!(screen.contains("В прошлом году: «"), "{screen}");
    assert!(
        h.app
            .ctx
            .current_record()
            .answers
            .value("org_form")
            .is_none()
    );
    h.key(KeyCode::Enter);
    let r = h.app.ctx.current_record();
    assert_eq!(
        r.answers.value("org_form"),
        Some(&Value::Choice("department".into()))
    );
    assert!(r.carried.is_empty());
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

// ---- issue 21: the TUI ------------------------------------------------------------------

/// Scrolls the open help to its end, one page at a time; returns every page seen.
fn help_pages(h: &mut Harness, w: u16, ht: u16) -> String {
    let mut seen = h.screen(w, ht);
    for _ in 0..20 {
        h.key(KeyCode::PageDown);
        assert!(
            matches!(h.app.overlay(), Some(Overlay::Help(_))),
            "PgDn keeps help open"
        );
        seen.push_str(&h.screen(w, ht));
    }
    seen
}

#[test]
fn help_scrolls_and_shows_every_key() {
    let mut h = harness("default", Some("Тест"));
    h.keys("?");
    insta::assert_snapshot!("help_list_80x24", h.screen(80, 24));
    // Keys that are not a way out leave it open.
    h.keys("x");
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.overlay(), Some(Overlay::Help(_))));
    let all = help_pages(&mut h, 80, 24);
    for shown in [
        "K / Л",
        "Конфликты синхронизации",
        "L / Д",
        "Факты письма",
        "A / Ф",
        "Согласие рецензентов",
        "C / С",
        "Изменения с прошлого года",
        "M / Ь",
        "Мониторинг",
        "F1",
        "Показать или скрыть эту справку",
    ] {
        assert!(
            all.contains(shown),
            "{shown} is in the help at 80×24: {all}"
        );
    }
    insta::assert_snapshot!("help_list_end_80x24", h.screen(80, 24));
    h.key(KeyCode::Up);
    h.key(KeyCode::Home);
    assert!(h.screen(80, 24).contains("Список муниципалитетов"));
    // Esc, q and ? close it; q does not quit from under it.
    for close in [KeyCode::Esc, KeyCode::Char('q'), KeyCode::Char('?')] {
        if h.app.overlay().is_none() {
            h.keys("?");
        }
        h.key(close);
        assert!(h.app.overlay().is_none(), "{close:?} closes help");
    }
    assert_eq!(h.app.screen, Screen::List);

    // The interview's help at 60×20 goes on to its end.
    h.key(KeyCode::Enter);
    h.keys("?");
    insta::assert_snapshot!("help_interview_60x20", h.screen(60, 20));
    let all = help_pages(&mut h, 60, 20);
    for shown in [
        "Написать заметку",
        "История этого вопроса",
        "Вернуть ответ",
        "Перейти к кластерам",
        "Показать или скрыть эту справку",
    ] {
        assert!(all.contains(shown), "{shown} at 60×20: {all}");
    }
    insta::assert_snapshot!("help_interview_end_60x20", h.screen(60, 20));
    h.key(KeyCode::Esc);
    assert!(h.app.overlay().is_none());
    assert_eq!(h.app.screen, Screen::Interview, "Esc closes help, no more");
}

#[test]
fn the_hint_line_shows_what_fits_and_ends_with_help() {
    let mut h = harness("default", Some("Тест"));
    let check = |h: &mut Harness, what: &str| {
        for (w, ht) in [(60, 20), (80, 24), (120, 40)] {
            let status = h.status(w, ht);
            assert!(status.ends_with("? помощь"), "{what} {w}×{ht}: «{status}»");
            assert!(
                !status.replace("1…", "").contains('…'),
                "{what} {w}×{ht}: nothing cut: «{status}»"
            );
        }
    };
    check(&mut h, "list");
    let list = h.status(80, 24);
    assert!(list.contains("Enter открыть · / поиск"), "{list}");
    insta::assert_snapshot!("list_80x24", h.screen(80, 24));
    h.key(KeyCode::Enter);
    check(&mut h, "interview");
    h.keys("c");
    check(&mut h, "clusters");
    h.keys("r");
    check(&mut h, "review");
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    h.keys("M");
    check(&mut h, "monitoring");
}

/// Home, then → `k` times, in an open text field: the cell under the cursor shows the char
/// that typing would go before, at every size.
fn cursor_on(h: &mut Harness, typed: &[char], k: usize) {
    h.key(KeyCode::Home);
    for _ in 0..k {
        h.key(KeyCode::Right);
    }
    for (w, ht) in [(120, 40), (80, 24), (60, 20)] {
        let Some((at, under)) = h.cursor(w, ht) else {
            panic!("{w}×{ht}: the cursor is shown while typing");
        };
        let expected = typed.get(k).map_or(" ".to_string(), |c| c.to_string());
        assert_eq!(
            under,
            expected,
            "{w}×{ht}, cursor before char {k} at {at:?}:\n{}",
            h.screen(w, ht)
        );
    }
}

#[test]
fn the_cursor_is_drawn_where_typing_goes_in_a_wrapped_answer_or_note() {
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Enter);
    // 150 chars of words, each a different one, so every place reads differently.
    let words: Vec<String> = (0..30).map(|i| format!("с{i:02}в")).collect();
    let text = words.join(" ");
    let typed: Vec<char> = text.chars().collect();
    assert_eq!(typed.len(), 149);
    // A note on a choice question.
    h.keys("m");
    h.keys(&text);
    for k in [0, 1, 40, 75, 76, 77, 100, 130, 149] {
        cursor_on(&mut h, &typed, k);
    }
    // Typing goes where the cursor is shown.
    cursor_on(&mut h, &typed, 100);
    h.keys("Ж");
    let (_, under) = h.cursor(120, 40).unwrap();
    assert_eq!(under, typed[100].to_string());
    let mut now = typed.clone();
    now.insert(100, 'Ж');
    assert_eq!(
        h.app
            .screens
            .interview
            .editing
            .as_ref()
            .map(|e| e.field.text()),
        Some(now.iter().collect::<String>())
    );
    insta::assert_snapshot!("note_typed_60x20", h.screen(60, 20));
    h.key(KeyCode::Esc);

    // A typed answer to a text question.
    h.keys("s");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    while h.app.screens.interview.current_question(&h.app.ctx).id != "shortfall_reasons" {
        h.key(KeyCode::Right);
    }
    h.keys("5"); // «Другое» asks which
    h.key(KeyCode::Right);
    assert_eq!(
        h.app.screens.interview.current_question(&h.app.ctx).id,
        "shortfall_other"
    );
    h.key(KeyCode::Enter);
    assert!(
        h.app.screens.interview.editing.is_some(),
        "{}",
        h.screen(80, 24)
    );
    h.keys(&text);
    for k in [0, 50, 76, 100, 149] {
        cursor_on(&mut h, &typed, k);
    }
    insta::assert_snapshot!("answer_typed_80x24", h.screen(80, 24));
}

/// The rows of the screen's main area (between the title and the status line).
fn body(screen: &str) -> Vec<&str> {
    let rows: Vec<&str> = screen.lines().collect();
    rows[1..rows.len() - 1].to_vec()
}

/// Кусинский МР with every question answered, the regional active's format «remote»: its
/// reason reads long on the clusters screen.
fn kusinsky_answered() -> Harness {
    let mut h = harness("default", Some("Тест"));
    h.keys("/Кусинский");
    h.key(KeyCode::Enter);
    h.answer_everything();
    for _ in 0..60 {
        if h.app.screens.interview.current_question(&h.app.ctx).id != "ra_format" {
            h.key(KeyCode::Left);
        }
    }
    assert_eq!(
        h.app.screens.interview.current_question(&h.app.ctx).id,
        "ra_format"
    );
    h.keys("2");
    h
}

#[test]
fn a_long_note_goes_on_under_itself() {
    let mut h = kusinsky_answered();
    // A long note, shown (not typed) under its label.
    h.keys("m");
    h.keys("руководитель службы просит присылать приглашения на вебинары заранее, за две недели");
    h.key(KeyCode::Enter);
    for (w, ht) in [(60, 20), (80, 24)] {
        let s = h.screen(w, ht);
        let rows = body(&s);
        let at = rows
            .iter()
            .position(|r| r.contains("Заметка: руководитель"))
            .unwrap_or_else(|| panic!("{s}"));
        let byte = rows[at].find("Заметка: ").unwrap();
        let column = rows[at][..byte].chars().count() + "Заметка: ".chars().count();
        let next: Vec<char> = rows[at + 1].chars().collect();
        assert!(
            next.len() > column
                && next[column - 9..column].iter().all(|c| *c == ' ')
                && next[column] != ' ',
            "{w}×{ht}: the note goes on under itself:\n{s}"
        );
    }
}

#[test]
fn the_clusters_answers_go_on_under_their_text() {
    let mut h = kusinsky_answered();
    // The clusters' answers and decisions: no row of the screen starts at column 0.
    h.keys("c");
    for (w, ht) in [(60, 20), (80, 24)] {
        for _ in 0..3 {
            let s = h.screen(w, ht);
            for row in body(&s) {
                assert!(
                    row.is_empty() || row.starts_with(' ') || row.starts_with('▶'),
                    "{w}×{ht}: «{row}» starts at column 0:\n{s}"
                );
            }
            h.key(KeyCode::Down);
        }
        h.key(KeyCode::Up);
        h.key(KeyCode::Up);
    }
    insta::assert_snapshot!("clusters_wrapped_80x24", h.screen(80, 24));
}

#[test]
fn an_error_under_a_typed_answer_goes_on_under_itself() {
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Enter);
    h.keys("s");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.keys("очень много");
    h.key(KeyCode::Enter);
    let error = h
        .app
        .screens
        .interview
        .editing
        .as_ref()
        .and_then(|e| e.error.clone())
        .expect("a word is not a number");
    let s = h.screen(60, 20);
    let first_word = error.split_whitespace().next().unwrap();
    let rows = body(&s);
    let at = rows
        .iter()
        .position(|r| {
            r.split('│')
                .nth(1)
                .is_some_and(|p| p.trim_start().starts_with(first_word))
        })
        .unwrap_or_else(|| panic!("{error}: {s}"));
    for row in &rows[at + 1..] {
        let pane = row.split('│').nth(1).unwrap_or("");
        assert!(
            pane.is_empty() || pane.starts_with("  "),
            "the error goes on under itself: «{row}»\n{s}"
        );
    }
    insta::assert_snapshot!("answer_error_60x20", s);
}

#[test]
fn at_60x20_the_title_keeps_the_municipality() {
    let mut h = harness("default", Some("Тест"));
    // The default campaign's title, as a new user has it.
    h.app.ctx.campaign.meta.title = "Собеседование с руководителями ММС, 2026".into();
    h.keys("/Верхнеуральский");
    h.key(KeyCode::Enter);
    let s = h.screen(60, 20);
    let title = s.lines().next().unwrap();
    assert!(title.contains("Вопросы · Верхнеуральский МР"), "{s}");
    assert!(
        title.contains("Собесед") && title.contains("вы: Тест"),
        "the campaign, shortened, and who is at the keyboard: {s}"
    );
    h.keys("c");
    let s = h.screen(60, 20);
    let title = s.lines().next().unwrap();
    assert!(title.contains("Кластеры · Верхнеуральский МР"), "{s}");
}

#[test]
fn at_60x20_the_last_dimension_comes_with_the_rows_before_it() {
    let mut h = harness("default", Some("Тест"));
    h.app.ctx.campaign.meta.title = "Собеседование с руководителями ММС, 2026".into();
    h.keys("/Верхнеуральский");
    h.key(KeyCode::Enter);
    h.answer_everything();
    h.keys("c");
    for _ in 0..2 {
        h.key(KeyCode::Down);
    }
    let s = h.screen(60, 20);
    assert!(s.contains("▶ Формат работы"), "{s}");
    let blank = body(&s).iter().filter(|r| r.trim().is_empty()).count();
    assert!(blank <= 3, "the screen is filled, not left blank: {s}");
    insta::assert_snapshot!("clusters_last_60x20", s);
}

#[test]
fn the_section_picker_says_its_own_keys() {
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Enter);
    h.keys("s");
    assert!(matches!(h.app.overlay(), Some(Overlay::Picker(_))));
    // After a save, the time takes room on the left.
    h.app.ctx.last_saved = Some("15:00:00".into());
    for (w, ht) in [(60, 20), (80, 24)] {
        let status = h.status(w, ht);
        assert!(
            !status.contains("следующий") && !status.contains("заметка"),
            "the interview's keys are not offered under the picker: «{status}»"
        );
        assert!(
            status.contains("Enter") && status.contains("Esc"),
            "«{status}»"
        );
    }
    insta::assert_snapshot!("section_picker_60x20", h.screen(60, 20));
}

thread_local! {
    static TICK: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A clock a second later at every reading.
fn ticking() -> String {
    let s = TICK.with(|t| {
        t.set(t.get() + 1);
        t.get()
    });
    format!("2026-09-14T10:{:02}:{:02}Z", s / 60, s % 60)
}

#[test]
fn the_time_of_the_last_save_follows_every_save() {
    let mut h = harness("default", Some("Тест"));
    h.app.ctx.clock = ticking;
    h.key(KeyCode::Enter);
    h.keys("1");
    h.key(KeyCode::Esc);
    let first = h.status(80, 24);
    assert!(first.starts_with("сохранено 15:"), "{first}");
    // A fact of the letter is a save too.
    for _ in 0..5 {
        ticking();
    }
    h.keys("L");
    h.key(KeyCode::Enter);
    h.replace_prompt("15.09.2026");
    h.key(KeyCode::Esc);
    let later = h.status(80, 24);
    assert!(later.starts_with("сохранено 15:"), "{later}");
    let time = |s: &str| s.split_whitespace().nth(1).unwrap_or("").to_string();
    assert_ne!(time(&later), time(&first), "the later save's time: {later}");
}

#[test]
fn a_long_message_is_read_whole() {
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Enter);
    while h.app.screens.interview.current_question(&h.app.ctx).id != "shibc" {
        h.key(KeyCode::Right);
    }
    h.keys("1");
    h.keys("3");
    let (message, _) = h.app.ctx.message.clone().unwrap();
    for (w, ht) in [(120, 40), (80, 24), (60, 20)] {
        let s = h.screen(w, ht);
        let rows: Vec<&str> = s.lines().collect();
        let tail = rows[rows.len() - 4..].join(" ");
        let words: Vec<&str> = message.split_whitespace().collect();
        let shown: Vec<&str> = tail.split_whitespace().collect();
        assert!(
            shown.windows(words.len()).any(|w| w == words.as_slice()),
            "{w}×{ht}: «{message}» whole at the bottom:\n{s}"
        );
        assert!(s.lines().last().unwrap().ends_with("? помощь"), "{s}");
    }
    insta::assert_snapshot!("long_message_80x24", h.screen(80, 24));
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

#[test]
fn the_override_prompt_names_the_dimension_and_the_clusters() {
    let mut h = harness("default", Some("Тест"));
    h.keys("/Кусинский");
    h.key(KeyCode::Enter);
    while h.app.screens.interview.current_question(&h.app.ctx).id != "ra_format" {
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

/// A long entry of the history overlay goes on under its own text, not at the box's edge.
#[test]
fn the_history_box_wraps_under_its_text() {
    let text = sobes::tui::overlays::Text {
        title: "История".into(),
        lines: vec![
            "02.12.2026 11:08 · Анна: нет сведений → один или два специалиста, работающие по совместительству".into(),
        ],
    };
    let mut t = Terminal::new(TestBackend::new(44, 14)).unwrap();
    t.draw(|f| text.draw(f, f.area())).unwrap();
    let buf = t.backend().buffer();
    let rows: Vec<String> = (0..14)
        .map(|y| (0..44).map(|x| buf[(x, y)].symbol()).collect())
        .collect();
    let first = rows
        .iter()
        .position(|r| r.contains("02.12.2026"))
        .expect("the entry is drawn");
    let inside = |r: &str| r.split('│').nth(1).unwrap_or("").to_string();
    assert!(
        inside(&rows[first + 1]).starts_with("  ") && inside(&rows[first + 1]).trim().len() > 3,
        "{rows:#?}"
    );
}

/// An existing empty folder typed as the hub is not made a hub without a yes either; «n»
/// leaves it empty.
#[test]
fn an_empty_folder_typed_as_the_hub_asks_first() {
    let mut h = harness("default", Some("Тест"));
    let dir = h.io.campaign_dir.clone();
    h.io.history = Some(sobes::history::History::open(&dir, "ноутбук-1").unwrap());
    h.io.config_file = dir.parent().unwrap().join("config.ron");
    let hub = dir.parent().unwrap().join("пустая");
    std::fs::create_dir(&hub).unwrap();
    h.keys("s");
    step(
        &mut h.app,
        &mut h.io,
        Event::Paste(hub.display().to_string()),
    );
    h.key(KeyCode::Enter);
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Confirm(_))),
        "{:?}",
        h.app.ctx.message
    );
    h.keys("n");
    assert_eq!(std::fs::read_dir(&hub).unwrap().count(), 0, "nothing made");
}

/// A history damaged while the TUI runs (HEAD gone): the answer is saved all the same, the
/// history is put right, and the status line says both.
#[test]
fn a_history_damaged_mid_session_never_loses_an_answer() {
    let mut h = harness("default", Some("Мария"));
    let dir = h.io.campaign_dir.clone();
    let history = sobes::history::History::open(&dir, "ноутбук-1").unwrap();
    history.commit_pending("Мария").unwrap();
    h.io.history = Some(history);
    std::fs::remove_file(dir.join(".git/HEAD")).unwrap();
    h.key(KeyCode::Enter);
    h.keys("1");
    let (message, _) = h.app.ctx.message.clone().unwrap();
    assert!(
        message.contains("ответ сохранён") && message.contains("история"),
        "{message}"
    );
    let text = std::fs::read_to_string(dir.join("municipalities/agapovsky-mr.ron")).unwrap();
    assert!(text.contains("center"), "{text}");
    let log = sobes::history::History::read(&dir).unwrap().unwrap();
    assert!(
        log.entries().unwrap().iter().any(|e| e.summary.contains("Агаповский")
            || e.summary.contains("Изменения без записи")),
        "the answer reached the history"
    );
}

/// A question taller than the window is cut with «…», never the answer keys under it.
#[test]
fn a_long_question_keeps_its_answer_keys() {
    use sobes::tui::overlays::{Confirm, Pending};
    let c = Confirm::new("очень длинный вопрос ".repeat(40), Pending::Quit);
    let mut t = Terminal::new(TestBackend::new(40, 10)).unwrap();
    t.draw(|f| c.draw(f, f.area())).unwrap();
    let buf = t.backend().buffer();
    let screen: String = (0..10)
        .map(|y| (0..40).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect();
    assert!(
        screen.contains("y / Enter") && screen.contains('…'),
        "{screen}"
    );
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

/// Letters to municipalities go out from the TUI too: the one to the selected
/// municipality, or all of them into a folder; missing facts of the letter are named and a
/// draft is made only when confirmed.
#[test]
fn letters_are_exported_from_the_tui() {
    let mut h = harness("default", Some("Тест"));
    let docs = h.io.campaign_dir.parent().unwrap().join("Документы");
    std::fs::create_dir(&docs).unwrap();
    h.app.ctx.export_dir = docs.clone();
    h.keys("e");
    for _ in 0..4 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    let one = docs.join("Агаповский МР 2026.docx");
    match h.app.overlay() {
        Some(Overlay::Prompt(p)) => assert_eq!(p.field.text(), one.display().to_string()),
        other => panic!("{other:?}"),
    }
    h.key(KeyCode::Enter);
    match h.app.overlay() {
        Some(Overlay::Confirm(c)) => {
            let q = format!("{c:?}");
            assert!(q.contains("исходящий номер") && q.contains("ПРОЕКТ"), "{q}");
        }
        other => panic!("{other:?}"),
    }
    h.keys("y");
    assert!(one.is_file(), "{:?}", h.app.ctx.message);
    h.keys("e");
    for _ in 0..5 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.keys("y");
    let folder = docs.join("письма 2026");
    let files = std::fs::read_dir(&folder).unwrap().count();
    assert_eq!(files, 43, "{:?}", h.app.ctx.message);
}

/// A number question takes a digit at once: it starts the number, Enter takes it and moves
/// on to the next question without an answer, as a choice does.
#[test]
fn a_digit_on_a_number_question_starts_the_number() {
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Enter);
    while h.app.screens.interview.current_question(&h.app.ctx).id != "methodists" {
        h.key(KeyCode::Right);
    }
    let status = h.screen(80, 24);
    let last = status.lines().last().unwrap_or_default();
    assert!(last.contains("ввести"), "{last}");
    assert!(!last.contains("выбрать"), "{last}");
    h.keys("4");
    h.keys("2");
    h.key(KeyCode::Enter);
    let r = h.app.ctx.current_record();
    assert_eq!(r.answers.value("methodists"), Some(&Value::Number(42)));
    assert_ne!(
        h.app.screens.interview.current_question(&h.app.ctx).id,
        "methodists",
        "moved on"
    );
}
