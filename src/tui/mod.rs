//! The terminal UI: a thin IO layer around [`app::App`]. Keys go overlay → focused text
//! field → keymap → action → `App::update`; the effects it returns (save, quit) run here.

pub mod action;
pub mod app;
pub mod keymap;
pub mod keys;
pub mod text;
pub mod view;

use crate::cli::{Context, Failure};
use crate::paths::Config;
use crate::storage::{self, Lock};
use app::{App, Effect};
use keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::crossterm::execute;
use std::path::PathBuf;

/// Runs effects against the disk and tells the app how it went.
pub struct Io {
    pub campaign_dir: PathBuf,
    pub config_file: PathBuf,
    pub config: Config,
}

impl Io {
    /// Returns true when the app should quit.
    pub fn apply(&mut self, app: &mut App, effects: Vec<Effect>) -> bool {
        let mut quit = false;
        for effect in effects {
            match effect {
                Effect::Save(id) => {
                    let result = match app.campaign.record(&id) {
                        Some(record) => storage::save_record(&self.campaign_dir, record)
                            .map_err(|e| e.to_string()),
                        None => Ok(()),
                    };
                    app.saved(result);
                }
                Effect::SaveConfig => {
                    self.config.reviewer = app.reviewer.clone();
                    let result = self
                        .config
                        .save(&self.config_file)
                        .map_err(|e| e.to_string());
                    if let Err(e) = result {
                        app.message = Some((format!("настройки не сохранены: {e}"), true));
                    }
                }
                Effect::Export(request) => {
                    let result = match &app.template {
                        Some(t) => crate::annex::export(
                            &app.data,
                            &app.campaign,
                            t,
                            request.format,
                            &request.path,
                            crate::annex::ExportOptions {
                                force: request.force,
                                allow_incomplete: request.allow_incomplete,
                            },
                        ),
                        None => Err("шаблон приложения не загружен".into()),
                    };
                    app.exported(result);
                }
                Effect::Quit => quit = true,
            }
        }
        quit
    }
}

/// One event: handled, effects run. Returns true to quit.
pub fn step(app: &mut App, io: &mut Io, event: Event) -> bool {
    let effects = match event {
        Event::Key(k) if k.kind != KeyEventKind::Release => app.handle_key(k),
        Event::Paste(text) => {
            app.handle_paste(&text);
            vec![]
        }
        _ => vec![],
    };
    io.apply(app, effects)
}

/// The main loop, generic over the backend so tests drive it on a TestBackend.
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    io: &mut Io,
    mut next_event: impl FnMut() -> std::io::Result<Event>,
) -> Result<(), String> {
    loop {
        terminal
            .draw(|f| view::draw(f, app))
            .map_err(|e| format!("не удалось нарисовать экран: {e:?}"))?;
        let event = next_event().map_err(|e| format!("терминал: {e}"))?;
        if step(app, io, event) {
            return Ok(());
        }
    }
}

pub fn load_keymap(ctx: &Context) -> Result<Keymap, Failure> {
    let choice = ctx.keymap.clone().or_else(|| ctx.config.keymap.clone());
    Keymap::load(choice.as_deref(), Some(&ctx.paths.user_keymap()))
        .map_err(|e| Failure::new(e.to_string()))
}

pub fn run(ctx: Context) -> Result<(), Failure> {
    let keymap = load_keymap(&ctx)?;
    let _lock = Lock::acquire(&ctx.campaign_dir)?;
    let campaign = ctx.load_campaign()?;
    let reviewer = ctx.reviewer();
    let template =
        crate::annex::load_template(ctx.annex.as_deref(), Some(&ctx.campaign_dir), &ctx.data)
            .map_err(|e| {
                Failure::new(
                    e.iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
            })?;
    let mut app = App::new(
        ctx.data.clone(),
        campaign,
        keymap,
        reviewer,
        crate::clock::now,
    );
    app.template = Some(template.template);
    let mut io = Io {
        campaign_dir: ctx.campaign_dir.clone(),
        config_file: ctx.paths.config_file(),
        config: ctx.config.clone(),
    };
    install_crash_report(ctx.paths.state_dir.clone());
    let mut terminal = ratatui::init();
    let _ = execute!(std::io::stdout(), event::EnableBracketedPaste);
    let result = run_loop(&mut terminal, &mut app, &mut io, read_event);
    restore_terminal();
    result.map_err(Failure::new)
}

/// Leaves the terminal as the shell expects it: no raw mode, the normal screen, the cursor
/// shown, no paste or mouse reporting.
fn restore_terminal() {
    let _ = execute!(
        std::io::stdout(),
        event::DisableBracketedPaste,
        event::DisableMouseCapture,
        ratatui::crossterm::cursor::Show
    );
    ratatui::restore();
}

/// The next terminal event. In debug builds only (the binary `cargo test` runs), F12 panics
/// when `SOBES_TEST_PANIC` is set, so tests can check what a crash leaves behind.
fn read_event() -> std::io::Result<Event> {
    let e = event::read()?;
    #[cfg(debug_assertions)]
    if std::env::var_os("SOBES_TEST_PANIC").is_some()
        && matches!(&e, Event::Key(k) if k.code == event::KeyCode::F(12))
    {
        panic!("SOBES_TEST_PANIC: паника по F12 для проверки");
    }
    Ok(e)
}

/// On a panic: restore the terminal (ratatui's hook does raw mode and the screen; paste mode
/// is ours), write the report to the state directory and say where it is.
fn install_crash_report(state_dir: PathBuf) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        let report = format!(
            "sobes {} упал {}\n{info}\n{}",
            env!("CARGO_PKG_VERSION"),
            crate::clock::now(),
            std::backtrace::Backtrace::force_capture()
        );
        let path = state_dir.join(format!(
            "crash-{}.txt",
            crate::clock::now().replace(':', "-")
        ));
        let written = storage::create_private_dir(&state_dir)
            .and_then(|_| storage::atomic_write(&path, report.as_bytes()));
        previous(info);
        match written {
            Ok(()) => eprintln!(
                "sobes: внутренняя ошибка. Все ответы до неё сохранены. Отчёт: {}",
                path.display()
            ),
            Err(e) => eprintln!("sobes: внутренняя ошибка; отчёт не записан: {e}"),
        }
    }));
}
