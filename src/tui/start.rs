//! Starting and ending the TUI: the campaign read (the rest of a large one in the
//! background), its history opened and what it repaired or restored said, the app made, the
//! terminal set up, given back as the shell expects it, and a crash report on a panic.

use super::app::App;
use super::keymap::Keymap;
use super::{Io, open_history, run_loop};
use crate::history::{History, HistoryError};
use crate::model::campaign::{Campaign, Meta};
use crate::model::registry::Registry;
use crate::session::{Failure, Session, damaged};
use crate::storage::{self, Lock};
use ratatui::crossterm::event::{self, Event};
use ratatui::crossterm::execute;
use std::path::{Path, PathBuf};

/// Campaigns with more record files than this show the first page before the rest is
/// parsed; smaller ones are read whole, damaged files included, before the screen changes.
pub const LOAD_IN_BACKGROUND_ABOVE: usize = 300;

/// Loads the campaign for the TUI: whole when small; when large, the records of the first
/// screenful now and the rest on a background thread whose result the app takes when it
/// arrives (or waits for, before anything that needs every record).
pub fn load_for_tui(
    dir: &Path,
    registry: &Registry,
) -> Result<(Campaign, Option<LoadingRx>), Vec<storage::StoreError>> {
    load_split(dir, registry, LOAD_IN_BACKGROUND_ABOVE, 200)
}

/// [`load_for_tui`] with its thresholds: above `above` record files, the first `first`
/// municipalities of the registry are read now and the rest in the background.
pub fn load_split(
    dir: &Path,
    registry: &Registry,
    above: usize,
    first: usize,
) -> Result<(Campaign, Option<LoadingRx>), Vec<storage::StoreError>> {
    let (meta, files) = storage::open(dir)?;
    let table = storage::scores::table(dir).map_err(|e| vec![e])?;
    if files.len() <= above {
        let mut records = storage::parse_records(&files)?;
        storage::scores::join_all(&mut records, &table, |_| true);
        let mut campaign = Campaign {
            meta,
            records,
            last_year: None,
        };
        campaign.add_missing(registry.municipalities.iter().map(|m| m.id.as_str()));
        return Ok((campaign, None));
    }
    let first: std::collections::HashSet<&str> = registry
        .municipalities
        .iter()
        .take(first)
        .map(|m| m.id.as_str())
        .collect();
    let (now, later): (Vec<PathBuf>, Vec<PathBuf>) = files
        .into_iter()
        .partition(|f| storage::record_id(f).is_some_and(|id| first.contains(id.as_str())));
    let mut records = storage::parse_records(&now)?;
    storage::scores::join_all(&mut records, &table, |id| first.contains(id));
    let mut campaign = Campaign {
        meta,
        records,
        last_year: None,
    };
    campaign.add_missing(first.iter().copied());
    let first: std::collections::HashSet<String> = first.into_iter().map(String::from).collect();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let result = storage::parse_records(&later).map(|mut records| {
            storage::scores::join_all(&mut records, &table, |id| !first.contains(id));
            records
        });
        let result = result.map_err(|errors| {
            let lines: Vec<String> = errors.iter().map(|e| e.with_backup()).collect();
            format!(
                "{}\nsobes закрыт, ничего не записано в эти файлы",
                lines.join("\n")
            )
        });
        let _ = tx.send(result);
    });
    Ok((campaign, Some(rx)))
}

pub type LoadingRx = std::sync::mpsc::Receiver<
    Result<std::collections::BTreeMap<String, crate::model::campaign::Record>, String>,
>;

pub fn load_keymap(ctx: &Session) -> Result<Keymap, Failure> {
    let choice = ctx
        .options
        .keymap
        .clone()
        .or_else(|| ctx.config.keymap.clone());
    Keymap::load(choice.as_deref(), Some(&ctx.paths.user_keymap()))
        .map_err(|e| Failure::new(e.to_string()))
}

/// The TUI on the session's campaign, from the lock to the terminal given back.
pub fn run(ctx: Session) -> Result<(), Failure> {
    let keymap = load_keymap(&ctx)?;
    ctx.ensure_campaign()?;
    let _lock = Lock::acquire(&ctx.campaign_dir)?;
    let opened = open_campaign(&ctx)?;
    let mut app = App::new(
        ctx.data.clone(),
        opened.campaign,
        keymap,
        opened.reviewer,
        crate::clock::now,
        ctx.paths.export_dir(&ctx.campaign_dir),
    );
    prepare(&ctx, &mut app, opened.loading);
    let history = said_history(&ctx, &mut app, opened.history, &opened.restored);
    let mut io = Io::new(
        ctx.campaign_dir.clone(),
        ctx.paths.config_file(),
        crate::paths::Config {
            device: Some(opened.device),
            ..ctx.config.clone()
        },
        history,
    );
    install_crash_report(ctx.paths.state_dir.clone());
    let mut terminal = ratatui::init();
    let _ = execute!(std::io::stdout(), event::EnableBracketedPaste);
    let result = run_loop(&mut terminal, &mut app, &mut io, |timeout| match timeout {
        Some(t) if !event::poll(t)? => Ok(None),
        _ => read_event().map(Some),
    });
    restore_terminal();
    result.map_err(Failure::new)
}

/// The campaign as the TUI starts on it, with its history and who writes.
struct Opened {
    campaign: Campaign,
    loading: Option<LoadingRx>,
    history: Result<History, HistoryError>,
    restored: Vec<crate::history::Restored>,
    device: String,
    reviewer: Option<String>,
}

/// Reads the campaign and opens its history. A campaign without a history gets none while
/// a file of it does not read; files the folder had lost, or that no longer read, come back
/// from the history, and the campaign is read again with them.
fn open_campaign(ctx: &Session) -> Result<Opened, Failure> {
    let first = load_for_tui(&ctx.campaign_dir, &ctx.data.registry);
    match &first {
        Err(e) if !crate::session::healable(e) => return Err(damaged(e)),
        Ok((c, _)) => {
            ctx.fits(&c.meta)?;
            named_reviewer(ctx, &c.meta)?;
        }
        Err(_) => {}
    }
    let device = ctx.device()?;
    let history = open_history(
        &ctx.campaign_dir,
        &device,
        ctx.reviewer().as_deref().unwrap_or(""),
    );
    let restored = history
        .as_ref()
        .map(|h| h.take_restored())
        .unwrap_or_default();
    let (campaign, loading) = match first {
        Ok(loaded) if restored.is_empty() => loaded,
        _ => load_for_tui(&ctx.campaign_dir, &ctx.data.registry).map_err(|e| damaged(&e))?,
    };
    ctx.fits(&campaign.meta)?;
    let reviewer = named_reviewer(ctx, &campaign.meta)?;
    Ok(Opened {
        campaign,
        loading,
        history,
        restored,
        device,
        reviewer,
    })
}

/// What the app needs beside the campaign: the annex template, last year, the hub, the
/// records still loading. A template that does not fit the protocol does not stop the
/// interview (the preview and the annex export say why; the matrix exports without it), nor
/// does a last year that cannot be read (the status line says why).
fn prepare(ctx: &Session, app: &mut App, loading: Option<LoadingRx>) {
    let template =
        crate::annex::load_template(ctx.annex_flag(), Some(&ctx.campaign_dir), &ctx.data)
            .map_err(|e| crate::model::source::join_errors(&e));
    match template {
        Ok(t) => app.ctx.template = Some(t.template),
        Err(why) => app.ctx.template_error = Some(why),
    }
    match ctx.last_year(&app.ctx.campaign.meta) {
        Ok(last_year) => app.ctx.campaign.last_year = last_year,
        Err(e) => app.ctx.error(e.message),
    }
    app.ctx.hub = ctx.config.hub(&ctx.campaign_dir);
    if let Some(rx) = loading {
        app.start_loading(rx);
    }
}

/// The history for the session, what was repaired or restored said on the screen. A
/// history that cannot be opened does not stop the interview: answers are saved to their
/// files and the status line says why they are not in the history.
fn said_history(
    ctx: &Session,
    app: &mut App,
    history: Result<History, HistoryError>,
    restored: &[crate::history::Restored],
) -> Option<History> {
    match history {
        Ok(h) => {
            if let Some(report) = &h.repaired {
                app.ctx.error(report.to_string());
            }
            if !restored.is_empty() {
                let said: Vec<String> =
                    restored.iter().map(|r| r.said(&ctx.campaign_dir)).collect();
                app.ctx.error(said.join("\n"));
            }
            app.ctx.devices = h.device_names();
            Some(h)
        }
        Err(e) => {
            app.ctx.error(crate::session::history_trouble(&e));
            None
        }
    }
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

/// Who the TUI writes ratings as. A name given with `--as` that is not on the campaign's list
/// of reviewers is refused before the screen opens, with the list, not at the first rating;
/// one that is on it is written with the list's spelling («петрова» is «Петрова Б. Б.»).
fn named_reviewer(ctx: &Session, meta: &Meta) -> Result<Option<String>, Failure> {
    let Some(typed) = ctx.options.as_name.as_deref() else {
        return Ok(ctx.reviewer());
    };
    meta.reviewer_for_writing(typed)
        .map(|name| Some(name).filter(|n| !n.is_empty()))
        .map_err(|why| {
            Failure::new(format!(
                "{why}\nзапустите sobes --as «Фамилия И. О.» с именем из списка"
            ))
        })
}
