//! The sync, run off the drawing thread: the screen keeps drawing and says each step, Esc
//! stops the sync while nothing of the campaign is written yet, and the sync's deadline
//! ends a hub that takes too long. The history goes to the sync's thread and comes back with
//! its result; until then no key but Esc acts.

use super::Io;
use super::app::App;
use crate::history::History;
use crate::storage;
use crate::sync::{Report, Step, SyncError, Watch};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

/// A sync under way.
pub struct Syncing {
    hub: PathBuf,
    cancel: Arc<AtomicBool>,
    news: Receiver<News>,
}

enum News {
    Step(Step),
    Done(Box<History>, Result<Report, SyncError>),
}

impl Io {
    /// Syncs with a hub and waits for the end, drawing with `shown` after each step is said
    /// on the status line (the command's `s` when the screen is driven key by key).
    pub fn sync(
        &mut self,
        app: &mut App,
        hub: PathBuf,
        create: bool,
        mut shown: impl FnMut(&mut App),
    ) {
        self.start_sync(app, hub, create);
        shown(app);
        while self.syncing.is_some() {
            self.poll_sync(app, Some(Duration::from_secs(3600)));
            shown(app);
        }
    }

    /// Starts a sync on its own thread; [`Io::poll_sync`] takes its news.
    pub fn start_sync(&mut self, app: &mut App, hub: PathBuf, create: bool) {
        if let Some(lost) = app.ctx.unsaved_summary() {
            return app.ctx.error(format!(
                "синхронизация отложена: не записаны изменения ({lost})"
            ));
        }
        let Some(history) = self.history.take() else {
            return app
                .ctx
                .error("у кампании нет истории: синхронизация невозможна");
        };
        app.ctx.say(format!(
            "синхронизация с {}… (Esc — отменить)",
            crate::sync::shown(&hub)
        ));
        let (tx, news) = std::sync::mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let (flag, dir, data, folder) = (
            cancel.clone(),
            self.campaign_dir.clone(),
            app.ctx.data.clone(),
            hub.clone(),
        );
        let limit = self.sync_limit;
        std::thread::spawn(move || {
            let steps = tx.clone();
            let mut said = |s: &Step| {
                let _ = steps.send(News::Step(s.clone()));
            };
            let mut watch = Watch::new(&mut said).cancelled_by(&flag).within(limit);
            let target = crate::sync::Hub {
                folder: &folder,
                create,
            };
            let result = crate::sync::sync_with(&history, &dir, &target, &data, &mut watch);
            let _ = tx.send(News::Done(Box::new(history), result));
        });
        self.syncing = Some(Syncing { hub, cancel, news });
    }

    /// Whether a sync is under way.
    pub fn is_syncing(&self) -> bool {
        self.syncing.is_some()
    }

    /// Asks the sync to stop; it stops at once while it has written nothing, or goes to its
    /// end when it is already merging.
    pub fn cancel_sync(&mut self, app: &mut App) {
        if let Some(s) = &self.syncing {
            s.cancel.store(true, Ordering::Relaxed);
            app.ctx.say("синхронизация останавливается…");
        }
    }

    /// Takes what the sync has said within `wait`: its steps onto the status line, its end
    /// into the app.
    pub fn poll_sync(&mut self, app: &mut App, wait: Option<Duration>) {
        let Some(syncing) = &self.syncing else {
            return;
        };
        let news = match wait {
            Some(w) => syncing.news.recv_timeout(w),
            None => syncing.news.try_recv().map_err(|e| match e {
                std::sync::mpsc::TryRecvError::Empty => RecvTimeoutError::Timeout,
                std::sync::mpsc::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
            }),
        };
        let cancelled = syncing.cancel.load(Ordering::Relaxed);
        match news {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(News::Step(step)) if !cancelled => {
                let esc = if step.cancellable() {
                    " (Esc — отменить)"
                } else {
                    ""
                };
                app.ctx.say(format!("{step}{esc}"));
            }
            Ok(News::Step(_)) => {}
            Ok(News::Done(history, result)) => {
                let hub = self.syncing.take().map(|s| s.hub).unwrap_or_default();
                // The hub's branches may name laptops not known before.
                app.ctx.devices = history.device_names();
                self.history = Some(*history);
                self.synced(app, hub, result, cancelled);
            }
            Err(RecvTimeoutError::Disconnected) => {
                // The sync's thread ended without its history: opened again from the disk.
                self.syncing = None;
                app.ctx
                    .error("синхронизация прервалась внутренней ошибкой; кампания на диске цела");
                self.reopen_history(app);
            }
        }
    }

    /// Stores the token typed for a server hub, as `sobes hub login` does.
    pub(super) fn store_token(&mut self, app: &mut App, hub: &std::path::Path, token: &str) {
        let Some(address) = crate::sync::address::Address::of(hub) else {
            return;
        };
        let dir = crate::storage::dir_of(&self.config_file).to_path_buf();
        if let Err(e) = crate::sync::tokens::Tokens::store(&dir, &address.url, token) {
            app.ctx.error(format!("токен не сохранён: {e}"));
        }
    }

    /// What a sync's end means for the screen: the campaign read again, the hub remembered.
    fn synced(
        &mut self,
        app: &mut App,
        hub: PathBuf,
        result: Result<Report, SyncError>,
        cancelled: bool,
    ) {
        // A folder typed now that holds no hub is made one only when the user confirms; a
        // remembered hub that is gone is a stick not plugged in, never a new hub.
        let remembered = app.ctx.hub.as_ref() == Some(&hub);
        let report = match result {
            Ok(r) => r,
            Err(SyncError::NoHub { makeable: true, .. }) if !remembered && !cancelled => {
                app.ctx.message = None;
                return app.ask_new_hub(hub);
            }
            Err(e @ SyncError::Stopped { .. }) => return app.ctx.error(e.to_string()),
            // An ssh server not known yet: trusted only when the user says so.
            Err(SyncError::UnknownHost {
                message,
                known_hosts_line,
                ..
            }) if !cancelled => {
                app.ctx.message = None;
                return app.ask_trust(hub, &message, known_hosts_line);
            }
            // A token to give (https), or a key's passphrase (ssh).
            Err(SyncError::Login { message, .. }) if !cancelled => {
                app.ctx.message = None;
                return app.ask_token(hub, &message);
            }
            Err(e) => return app.ctx.error(format!("синхронизация не удалась: {e}")),
        };
        let data = &app.ctx.data;
        let mut said = report
            .describe(&data.registry, &hub)
            .trim_end()
            .replace('\n', "; ");
        if cancelled {
            said = format!("остановить не успели: синхронизация уже завершилась; {said}");
        }
        match storage::load(&self.campaign_dir, &data.registry) {
            Ok(campaign) => app.synced(campaign, said),
            Err(e) => app.ctx.fatal = Some(crate::session::damaged(&e).message),
        }
        self.config
            .remember_hub(&self.campaign_dir, crate::sync::remembered(&hub));
        app.ctx.hub = Some(hub);
        if let Err(e) = self.config.save(&self.config_file) {
            app.ctx.error(format!("узел не запомнен: {e}"));
        }
    }
}
