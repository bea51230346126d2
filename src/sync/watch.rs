//! What a sync says before each step, and what may stop it while nothing of the campaign is
//! written yet: Esc on the screen, or the sync's deadline. Once the first branch is being
//! merged the sync goes to its end: a campaign half merged and never pushed is worse than a
//! sync that took longer than asked.

use super::{Step, SyncError};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The longest a sync may take before it stops on its own, nothing changed.
pub const DEADLINE: Duration = Duration::from_secs(5 * 60);

pub struct Watch<'a> {
    said: &'a mut dyn FnMut(&Step),
    cancel: Option<&'a AtomicBool>,
    deadline: Instant,
    limit: Duration,
}

impl<'a> Watch<'a> {
    /// Tells `said` each step; stops at [`DEADLINE`].
    pub fn new(said: &'a mut dyn FnMut(&Step)) -> Self {
        Watch {
            said,
            cancel: None,
            deadline: Instant::now() + DEADLINE,
            limit: DEADLINE,
        }
    }

    /// Stops too when `flag` is set (by another thread: the screen's Esc).
    pub fn cancelled_by(mut self, flag: &'a AtomicBool) -> Self {
        self.cancel = Some(flag);
        self
    }

    /// Stops once `limit` has passed from now instead of [`DEADLINE`].
    pub fn within(mut self, limit: Duration) -> Self {
        self.deadline = Instant::now() + limit;
        self.limit = limit;
        self
    }

    pub(super) fn step(&mut self, step: Step) {
        (self.said)(&step);
    }

    /// Whether the sync was asked to stop, or ran out of time.
    pub(super) fn stopped(&self) -> bool {
        self.cancel.is_some_and(|f| f.load(Ordering::Relaxed)) || Instant::now() >= self.deadline
    }

    /// An error when the sync must stop here; asked only where nothing is written yet.
    pub(super) fn go_on(&self, folder: &Path) -> Result<(), SyncError> {
        if !self.stopped() {
            return Ok(());
        }
        let why = if self.cancel.is_some_and(|f| f.load(Ordering::Relaxed)) {
            "синхронизация отменена".to_string()
        } else {
            format!(
                "синхронизация прервана: она шла дольше {} (узел слишком медленный или повреждён)",
                minutes(self.limit)
            )
        };
        Err(SyncError::Stopped {
            folder: folder.to_path_buf(),
            message: format!("{why}; кампания не изменена, на узел ничего не отправлено"),
        })
    }
}

/// «5 минут», «1 минуты»… in the genitive a deadline is said in («дольше 5 минут»).
fn minutes(limit: Duration) -> String {
    let secs = limit.as_secs();
    if secs < 60 {
        return format!("{secs} с");
    }
    let m = secs / 60;
    let word = if m % 10 == 1 && m % 100 != 11 {
        "минуты"
    } else {
        "минут"
    };
    format!("{m} {word}")
}

impl Step {
    /// Whether Esc still stops the sync with nothing changed at this step.
    pub fn cancellable(&self) -> bool {
        matches!(self, Step::Committing | Step::Fetching | Step::Checking)
    }
}
