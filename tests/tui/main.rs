//! The TUI driven by key scripts through the real `App::handle_key`, effects run by the real
//! IO layer against a campaign on disk, drawn on a TestBackend.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use sobes::data::{DataSet, Overrides};
use sobes::model::campaign::{Mark, Status, Value};
use sobes::model::protocol::{Kind, Progress};
use sobes::storage;
use sobes::tui::app::App;
use sobes::tui::cmd::Screen;
use sobes::tui::keymap::Keymap;
use sobes::tui::overlays::Overlay;
use sobes::tui::{Io, step, view};
use std::path::Path;

mod export;
mod history_saves;
mod interview;
mod layout;
mod reviewers;
mod session;
mod sync_conflicts;

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
    /// The id of the question the interview stands on.
    fn question(&self) -> String {
        self.app
            .screens
            .interview
            .current_question(&self.app.ctx)
            .id
            .clone()
    }

    /// How far the current municipality's interview is.
    fn progress(&self) -> Progress {
        let answers = &self.app.ctx.current_record().answers;
        self.app.ctx.data.protocol.progress(answers)
    }

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
