//! The terminal UI: a thin IO layer around [`app::App`]. Keys go overlay → focused text
//! field → keymap → action → the screen's `update`; the effects it returns (save, export,
//! quit) run here. Screens are in `screens/` (listed once in `screen_table.rs`), overlays in
//! `overlays/`; starting and ending the TUI is in `start.rs`.

pub mod action;
pub mod app;
pub mod cmd;
pub mod ctx;
pub mod cursor;
pub mod export;
pub mod filter;
pub mod keymap;
pub mod keys;
pub mod overlays;
pub mod saving;
pub mod screen_table;
pub mod screens;
mod start;
pub mod syncing;
pub mod text;
pub mod view;
pub mod widgets;

use crate::paths::Config;
use crate::storage;
pub use start::{LOAD_IN_BACKGROUND_ABOVE, LoadingRx, load_for_tui, load_keymap, load_split, run};

use app::App;
use ctx::{Effect, ExportRequest};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use saving::Step;
use std::path::PathBuf;
use std::time::Duration;

/// Runs effects against the disk and tells the app how it went.
pub struct Io {
    pub campaign_dir: PathBuf,
    pub config_file: PathBuf,
    pub config: Config,
    /// The campaign's history; every save is committed to it. A sync under way holds it.
    pub history: Option<crate::history::History>,
    syncing: Option<syncing::Syncing>,
    /// How long a sync may take before it stops on its own.
    pub sync_limit: Duration,
}

impl Io {
    pub fn new(
        campaign_dir: PathBuf,
        config_file: PathBuf,
        config: Config,
        history: Option<crate::history::History>,
    ) -> Self {
        Io {
            campaign_dir,
            config_file,
            config,
            history,
            syncing: None,
            sync_limit: crate::sync::DEADLINE,
        }
    }
}

impl Io {
    /// Returns true when the app should quit.
    pub fn apply(&mut self, app: &mut App, effects: Vec<Effect>) -> bool {
        let mut quit = false;
        for effect in effects {
            match effect {
                Effect::Save(id) => {
                    // The file is read back first: a record changed on disk meanwhile is
                    // never overwritten blind.
                    match storage::read_record(&self.campaign_dir, &id) {
                        Err(e) => app.saved(&id, Err(e.to_string())),
                        Ok(disk) => match app.ctx.before_save(&id, disk) {
                            Step::Write(record) => {
                                let result = storage::save_record(&self.campaign_dir, &record)
                                    .map_err(|e| e.to_string());
                                if let Ok(files) = &result {
                                    self.commit(app, &id, files);
                                }
                                app.saved(&id, result.map(|_| ()));
                            }
                            Step::Ask(overlay) => app.overlays.push(overlay),
                            Step::Nothing => {}
                        },
                    }
                }
                Effect::SaveConfig => {
                    self.config.reviewer = app.ctx.reviewer.clone();
                    let result = self
                        .config
                        .save(&self.config_file)
                        .map_err(|e| e.to_string());
                    if let Err(e) = result {
                        app.ctx.error(format!("настройки не сохранены: {e}"));
                    }
                }
                Effect::Export(request) if request.letters.is_some() => {
                    let result = self.export_letters(app, &request);
                    app.exported(result);
                }
                Effect::Export(request) => {
                    // As the command line exports: the blind rule in the matrix.
                    let reader = crate::model::campaign::Reader::Reviewer(
                        app.ctx.reviewer.clone().unwrap_or_default(),
                    );
                    let (seen, _) =
                        crate::annex::seen_for_export(&app.ctx.campaign, request.format, &reader);
                    let result = crate::annex::export(
                        &app.ctx.data,
                        &seen,
                        app.ctx.template.as_ref(),
                        request.format,
                        &request.path,
                        crate::annex::ExportOptions {
                            force: request.force,
                            allow_incomplete: request.allow_incomplete,
                        },
                    );
                    // Without a template, why there is none says more than that there is none.
                    let result = match (&app.ctx.template, &app.ctx.template_error) {
                        (None, Some(why)) => result.map_err(|_| why.clone()),
                        _ => result,
                    };
                    app.exported(result);
                }
                Effect::Sync(hub, create) => self.sync(app, hub, create, |_| {}),
                Effect::StoreToken(hub, token) => self.store_token(app, &hub, &token),
                Effect::TrustHost(line) => {
                    if let Err(e) = crate::sync::credentials::trust_host(&line) {
                        app.ctx.error(format!("ключ сервера не запомнен: {e}"));
                    }
                }
                Effect::History(field) => self.history(app, &field),
                Effect::SaveMeta(key) => self.save_meta(app, &key),
                Effect::Quit => match app.ctx.unsaved_summary() {
                    Some(lost) if !app.ctx.quit_anyway => app.ask_to_quit(&lost),
                    _ => quit = true,
                },
            }
        }
        quit
    }
}

impl Io {
    /// Writes the letters asked for: the one to a municipality into its file, or all of them
    /// into a folder, a file each. Returns where.
    fn export_letters(&self, app: &App, request: &ExportRequest) -> Result<PathBuf, String> {
        let ctx = &app.ctx;
        let template = ctx
            .template
            .clone()
            .unwrap_or_else(crate::model::template::Template::builtin);
        let targets = match &request.letters {
            Some(crate::annex::Letters::One(id)) => {
                let m = ctx
                    .data
                    .registry
                    .get(id)
                    .ok_or("нет такого муниципалитета")?;
                vec![(m, request.path.clone())]
            }
            _ => {
                // A folder of documents to send: the user's usual permissions.
                std::fs::create_dir_all(&request.path).map_err(|e| {
                    format!("{}: {}", request.path.display(), storage::describe_io(&e))
                })?;
                crate::annex::letter_targets(&ctx.data.registry, &request.path, "docx")
            }
        };
        crate::annex::export_letters(
            &ctx.data,
            &ctx.campaign,
            &template,
            &targets,
            request.format,
            crate::annex::ExportOptions {
                force: request.force,
                allow_incomplete: request.allow_incomplete,
            },
        )?;
        Ok(request.path.clone())
    }

    /// Writes `campaign.ron` after a fact of the letter changed, and commits it.
    fn save_meta(&self, app: &mut App, key: &str) {
        app.ctx.campaign.meta.facts.retain(|_, v| !v.is_empty());
        let file = self.campaign_dir.join(storage::META_FILE);
        let text = storage::to_ron(&app.ctx.campaign.meta);
        if let Err(e) = storage::atomic_write(&file, text.as_bytes()) {
            return app.ctx.error(format!("НЕ СОХРАНЕНО: {e}"));
        }
        app.written();
        if let Some(history) = &self.history {
            let meta = &app.ctx.campaign.meta;
            let value = meta
                .facts
                .get(key)
                .cloned()
                .unwrap_or_else(|| meta.setting(key));
            let by = app.ctx.reviewer.clone().unwrap_or_default();
            let summary = format!(
                "Письмо: {} = «{value}»",
                crate::model::campaign::field_name(key)
            );
            let meta = PathBuf::from(storage::META_FILE);
            if let Err(e) = history.commit(&[meta], &by, &summary, "") {
                app.ctx
                    .error(format!("записано, но не внесено в историю: {e}"));
                return;
            }
        }
        app.ctx.say(format!(
            "записано: {}",
            crate::model::campaign::field_name(key)
        ));
    }

    /// The history of one field of the selected municipality, oldest first.
    fn history(&self, app: &mut App, field: &crate::model::conflict::Field) {
        use crate::model::change::What;
        use crate::model::conflict::Field;
        let id = app.ctx.current.clone();
        let entries = match crate::history::History::read(&self.campaign_dir) {
            Ok(Some(h)) => h.entries_about(Some(&id)).unwrap_or_default(),
            Ok(None) => Vec::new(),
            Err(e) => return app.ctx.error(e.to_string()),
        };
        let protocol = &app.ctx.data.protocol;
        let show =
            |q: &str, v: &Option<crate::model::campaign::Value>| match (protocol.question(q), v) {
                (Some(qq), Some(v)) => protocol.show_value(qq, v),
                _ => "—".to_string(),
            };
        let mut lines = Vec::new();
        for e in &entries {
            for c in e.changes.iter().filter(|c| c.municipality == id) {
                let (old, new) = match (&c.what, field) {
                    (
                        What::Answer {
                            question,
                            before,
                            after,
                        },
                        Field::Answer(q),
                    ) if question == q => (show(q, before), show(q, after)),
                    (
                        What::Decision {
                            dimension,
                            before,
                            after,
                        },
                        Field::Decision(d),
                    ) if dimension == d => {
                        let n = |c: &Option<u8>| c.map_or("—".to_string(), |c| c.to_string());
                        (n(before), n(after))
                    }
                    _ => continue,
                };
                let reason = c
                    .reason
                    .as_ref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default();
                lines.push(format!(
                    "{} · {}: {old} → {new}{reason}",
                    app.ctx.shown_time(&c.at),
                    if c.by.is_empty() { "?" } else { &c.by },
                ));
            }
        }
        if lines.is_empty() {
            lines.push("изменений этого поля в истории нет".into());
        }
        // The question (or dimension) the history is of, in words; who changed it, not
        // which device.
        let what = field.words(&app.ctx.data.protocol, &app.ctx.data.dimensions);
        lines.insert(0, what);
        let title = format!("История · {}", app.ctx.current_name());
        app.overlays
            .push(overlays::Overlay::Text(overlays::Text { title, lines }));
    }

    /// Commits a record just written; the file is on disk whatever happens here, and what
    /// is not committed now is committed at the next start.
    fn commit(&mut self, app: &mut App, id: &str, files: &[PathBuf]) {
        let Some(history) = &self.history else {
            return;
        };
        let changes = app
            .ctx
            .unsaved
            .get(id)
            .map(|u| u.changes.clone())
            .unwrap_or_default();
        if let Err(e) = history.commit_changes(&app.ctx.data, id, &changes, files) {
            self.history_failed(app, &e);
        }
    }

    /// A commit that failed: the answer is on disk; the history is opened again, which
    /// rebuilds it when damaged, and the screen says once what happened.
    fn history_failed(&mut self, app: &mut App, e: &crate::history::HistoryError) {
        // Opened again whole (what sobes alone decides in `.git` was put back): the answer
        // is in the history after all.
        let whole = format!(
            "история кампании была повреждена ({e}); исправлена, ответ сохранён и внесён в историю"
        );
        self.reopen_history(app);
        if self.history.as_ref().is_some_and(|h| h.repaired.is_none()) {
            app.ctx.error(whole);
        }
    }

    /// Opens the history again, which rebuilds it when damaged; the screen says what was
    /// repaired, or why there is no history.
    fn reopen_history(&mut self, app: &mut App) {
        self.history = None;
        let device = self.config.device.clone().unwrap_or_default();
        match open_history(&self.campaign_dir, &device, "sobes") {
            Ok(h) => {
                if let Some(report) = &h.repaired {
                    app.ctx.error(report.to_string());
                }
                self.history = Some(h);
            }
            Err(again) => app.ctx.error(crate::session::history_trouble(&again)),
        }
    }
}

/// The campaign's history for this session, what a killed writer left uncommitted put in
/// by `by`; rebuilt when damaged (`repaired` says so).
pub(crate) fn open_history(
    dir: &std::path::Path,
    device: &str,
    by: &str,
) -> Result<crate::history::History, crate::history::HistoryError> {
    let history = crate::history::History::open(dir, device)?;
    history.commit_pending(by)?;
    Ok(history)
}

/// One event: handled, effects run. Returns true to quit.
pub fn step(app: &mut App, io: &mut Io, event: Event) -> bool {
    let effects = effects_of(app, event);
    io.apply(app, effects)
}

fn effects_of(app: &mut App, event: Event) -> Vec<Effect> {
    match event {
        // The Windows console reports a key's release too (and a terminal with the kitty
        // protocol its repeats): only the press acts, or every key would act twice.
        Event::Key(k) if k.kind == KeyEventKind::Press => app.handle_key(k),
        Event::Paste(text) => {
            app.handle_paste(&text);
            vec![]
        }
        _ => vec![],
    }
}

/// The main loop, generic over the backend so tests drive it on a TestBackend.
/// `next_event(Some(timeout))` may return None when nothing happened in time: while a large
/// campaign loads in the background the loop wakes up to show the records as they arrive.
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    io: &mut Io,
    mut next_event: impl FnMut(Option<Duration>) -> std::io::Result<Option<Event>>,
) -> Result<(), String> {
    loop {
        terminal
            .draw(|f| view::draw(f, app))
            .map_err(|e| format!("не удалось нарисовать экран: {e:?}"))?;
        let busy = app.is_loading() || io.is_syncing();
        let timeout = busy.then_some(Duration::from_millis(40));
        let event = next_event(timeout).map_err(|e| format!("терминал: {e}"))?;
        let quit = match event {
            // While a sync runs only Esc acts: it stops the sync.
            Some(Event::Key(k)) if io.is_syncing() => {
                if k.kind == KeyEventKind::Press && k.code == event::KeyCode::Esc {
                    io.cancel_sync(app);
                }
                false
            }
            Some(_) if io.is_syncing() => false,
            Some(event) => {
                let (syncs, effects): (Vec<Effect>, Vec<Effect>) = effects_of(app, event)
                    .into_iter()
                    .partition(|e| matches!(e, Effect::Sync(..)));
                let quit = io.apply(app, effects);
                for sync in syncs {
                    if let Effect::Sync(hub, create) = sync {
                        io.start_sync(app, hub, create);
                    }
                }
                quit
            }
            None => {
                app.poll_loading();
                io.poll_sync(app, None);
                false
            }
        };
        if let Some(fatal) = app.ctx.fatal.take() {
            return Err(fatal);
        }
        if quit {
            return Ok(());
        }
    }
}
