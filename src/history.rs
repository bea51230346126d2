//! The history of a campaign: its directory is a git working tree (a hidden `.git`, through
//! libgit2: no git program needed), and every saved change is a commit whose author is the
//! reviewer with the device, whose message says the change in Russian and carries the
//! `Change` values in RON. A change written but not committed (a process killed in between) is
//! committed the next time a writer opens the campaign; a campaign made by an older sobes is
//! put under history on first write, its files as they are.
//!
//! Only campaign files are history's business (see [`crate::boundary`]). A history that
//! cannot be read never stops an answer from being saved: the caller saves the file first,
//! and a writer that finds the history damaged rebuilds it (`repair`).
//!
//! This file holds the handle ([`History`]), its opening for a writer or a reader (each
//! checks first what it will read) and what sobes alone decides in a `.git`. Its files:
//! `objects` (trees and objects written by hand, packing), `commit` (commits, what is
//! pending, the branch moved), `log` (reading the history back), `repair` (rebuilding a
//! damaged history), `heal` (campaign files put back from it), `devices` (laptops by name).

mod commit;
mod devices;
mod heal;
mod log;
mod objects;
mod repair;
mod setup;
pub use commit::{body, changes_in, split_message};
pub use devices::{DeviceNames, NOBODY};
pub use heal::Restored;
pub use log::Entry;
pub use objects::{replace, write_pack};
pub use repair::{RepairReport, repair};
pub use setup::{foreign_settings, remove_locks};

use crate::storage;
use git2::{Repository, Signature};
use objects::TreeCache;
use std::path::{Path, PathBuf};
use std::sync::Once;

/// The branch a campaign's own history is on.
pub const BRANCH: &str = "sobes";

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("{}: история кампании: {message}", .dir.display())]
    Git { dir: PathBuf, message: String },
}

impl HistoryError {
    fn new(dir: &Path, message: impl Into<String>) -> HistoryError {
        HistoryError::Git {
            dir: dir.to_path_buf(),
            message: message.into(),
        }
    }

    /// A file of the history that could not be read or written, said in Russian.
    fn io(dir: &Path) -> impl Fn(std::io::Error) -> HistoryError + '_ {
        move |e| HistoryError::new(dir, storage::describe_io(&e))
    }
}

pub struct History {
    pub repo: Repository,
    dir: PathBuf,
    device: String,
    /// Commits made through this handle, to look at the loose objects now and then.
    commits: std::cell::Cell<u32>,
    /// The last large tree written through this handle.
    trees: TreeCache,
    /// What was found damaged and rebuilt when this handle opened the history, to be said
    /// once.
    pub repaired: Option<RepairReport>,
    /// Campaign files the folder had lost and [`History::commit_pending`] put back from the
    /// last commit, to be said once ([`History::take_restored`]).
    restored: std::cell::RefCell<Vec<Restored>>,
}

/// libgit2's process-wide settings, once, before any repository is opened. libgit2 refuses
/// repositories owned by another user, which is every repository on a FAT or exFAT stick or
/// a network share; sobes's own repositories are opened regardless. What libgit2 writes is
/// flushed before it is named (fsync). Objects
/// read are not re-hashed (as git itself does not; zlib's checksum still catches a damaged
/// object), and trees up to a megabyte stay cached: the records' folder of a large
/// campaign is one tree of 100 KB that every commit, merge and history read goes through.
fn configure_libgit2() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: called once, before any repository is opened by this process.
        unsafe {
            let _ = git2::opts::set_verify_owner_validation(false);
            let _ = git2::opts::set_cache_object_limit(git2::ObjectType::Tree, 1 << 20);
            // What libgit2 writes itself (merges, fetched packs, refs) is flushed before
            // it is named: a power cut leaves a history that opens.
            libgit2_sys::git_libgit2_opts(
                libgit2_sys::GIT_OPT_ENABLE_FSYNC_GITDIR as std::ffi::c_int,
                1 as std::ffi::c_int,
            );
        }
        git2::opts::strict_hash_verification(false);
    });
}

/// The first line of the commit a rebuilt history starts with; a sync knows it by it.
pub const REPAIRED: &str = "История восстановлена";

/// The file whose time says when the loose objects were last checked whole.
const VERIFIED: &str = "sobes-verified";

/// In `.git` after a repair: objects this history held were lost, so a commit it holds may
/// lack its past; the next fetch brings every branch of the hub whole instead of trusting
/// what is here (see `sync::fetch`), and removes the file.
pub const REFETCH: &str = "sobes-refetch";

impl History {
    fn err(dir: &Path) -> impl Fn(git2::Error) -> HistoryError + '_ {
        move |e| HistoryError::new(dir, crate::boundary::describe_git(&e))
    }

    /// Opens the campaign's history for a writer holding the campaign lock, making it when
    /// the campaign has none yet (whole or not at all). Lock files of a git operation killed
    /// half way are removed: only the holder of the campaign lock works on this repository.
    /// A history found damaged is rebuilt (see [`repair`]) and `repaired` says what was done.
    pub fn open(dir: &Path, device: &str) -> Result<History, HistoryError> {
        configure_libgit2();
        let git = dir.join(".git");
        setup::clear_half_made(dir);
        if !git.exists() {
            setup::create(dir)?;
        } else {
            remove_locks(&git);
            setup::normalize(&git);
        }
        match Self::checked(dir, device, true) {
            Ok(history) => Ok(history),
            Err(problem) => {
                let report = repair(dir, device, &problem)?;
                let mut history = Self::checked(dir, device, true)?;
                history.repaired = Some(report);
                Ok(history)
            }
        }
    }

    /// Opens a campaign's history to read it, without making one. A damaged history is
    /// said, not repaired (a reader holds no lock): a writer or `sobes repair` rebuilds it.
    pub fn read(dir: &Path) -> Result<Option<History>, HistoryError> {
        configure_libgit2();
        if !dir.join(".git").exists() {
            return Ok(None);
        }
        Self::checked(dir, "", false)
            .map(Some)
            .map_err(|HistoryError::Git { dir, message }| HistoryError::Git {
                dir,
                message: format!(
                    "{message}; ответы в файлах кампании целы, история восстановится при следующей записи или командой sobes repair"
                ),
            })
    }

    /// The history opened after the objects that may be damaged (changed since the last
    /// check) are checked whole, and what a save reads (HEAD, its commit and trees, the
    /// index) is read once: a problem is said, never a hang.
    fn checked(dir: &Path, device: &str, writer: bool) -> Result<History, HistoryError> {
        let git = dir.join(".git");
        let started = std::time::SystemTime::now();
        let since = std::fs::metadata(git.join(VERIFIED))
            .and_then(|m| m.modified())
            .ok()
            .map(|t| t - std::time::Duration::from_secs(2));
        let damaged = crate::boundary::damaged_objects(&git.join("objects"), since);
        if let Some((path, why)) = damaged.first() {
            return Err(HistoryError::new(
                dir,
                format!(
                    "повреждён объект {}: {why}{}",
                    path.display(),
                    if damaged.len() > 1 {
                        format!(" (и ещё {})", damaged.len() - 1)
                    } else {
                        String::new()
                    }
                ),
            ));
        }
        // Objects kept in another folder would be read by libgit2 unchecked (a writer's
        // `normalize` has removed the link already; a reader only says so).
        if git.join("objects/info/alternates").exists() {
            return Err(HistoryError::new(
                dir,
                "история ссылается на объекты в чужой папке (objects/info/alternates)",
            ));
        }
        if let Ok(text) = std::fs::read(git.join("packed-refs"))
            && let (_, Some(line)) = repair::packed_lines(&String::from_utf8_lossy(&text))
        {
            return Err(HistoryError::new(
                dir,
                format!("повреждён файл packed-refs: строка {line} не читается"),
            ));
        }
        let err = Self::err(dir);
        let repo = Repository::open(dir).map_err(&err)?;
        if repo.is_bare() || repo.workdir().is_none() {
            return Err(HistoryError::new(
                dir,
                "репозиторий истории без рабочей папки",
            ));
        }
        match repo.head() {
            Ok(head) => {
                let commit = head.peel_to_commit().map_err(&err)?;
                let tree = commit.tree().map_err(&err)?;
                if let Some(e) = tree.get_name(crate::storage::RECORDS_DIR) {
                    repo.find_tree(e.id()).map_err(&err)?;
                }
            }
            // A history with no commit yet: its branch is not there at all.
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => {}
            Err(e) => return Err(err(e)),
        }
        repo.index().map_err(&err)?;
        let touch = std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(git.join(VERIFIED));
        if let Ok(f) = touch {
            let _ = f.set_modified(started);
        }
        let history = History::from_repo(repo, dir, device);
        if writer {
            history.pack_if_many()?;
        }
        Ok(history)
    }

    /// A handle on `repo`, the history of the campaign in `dir`, written from `device`.
    fn from_repo(repo: Repository, dir: &Path, device: &str) -> History {
        History {
            repo,
            dir: dir.to_path_buf(),
            device: device.to_string(),
            commits: std::cell::Cell::new(0),
            trees: TreeCache::default(),
            repaired: None,
            restored: Default::default(),
        }
    }

    /// Every loose object checked whole and every commit of the branch read with its
    /// trees: what `sobes repair` looks at when opening found nothing.
    pub fn verify_all(&self) -> Result<(), HistoryError> {
        let objects = self.repo.path().join("objects");
        if let Some((path, why)) = crate::boundary::damaged_objects(&objects, None).first() {
            return Err(HistoryError::new(
                &self.dir,
                format!("повреждён объект {}: {why}", path.display()),
            ));
        }
        if let Some(head) = self.head()
            && !repair::whole(&self.repo, head.id())
        {
            return Err(HistoryError::new(
                &self.dir,
                "часть прежних записей истории не читается",
            ));
        }
        Ok(())
    }

    /// The device this history is written from.
    pub fn device(&self) -> &str {
        &self.device
    }

    fn signature(&self, by: &str) -> Result<Signature<'static>, HistoryError> {
        let name = if by.trim().is_empty() { NOBODY } else { by };
        Signature::now(name, &format!("{}@sobes", self.device)).map_err(Self::err(&self.dir))
    }

    /// The committer of this device's commits: the computer, so the laptop has a name
    /// ([`DeviceNames`]).
    fn committer(&self) -> Result<Signature<'static>, HistoryError> {
        computer_signature(&self.device).map_err(Self::err(&self.dir))
    }

    fn head(&self) -> Option<git2::Commit<'_>> {
        self.repo.head().ok().and_then(|h| h.peel_to_commit().ok())
    }
}

/// The first `shown` items and how many more: a summary line of a commit or a sync that
/// touched thousands of records stays readable.
pub fn first_and_more(items: &[String], shown: usize, separator: &str) -> String {
    if items.len() <= shown {
        return items.join(separator);
    }
    format!(
        "{} и ещё {}",
        items[..shown].join(separator),
        items.len() - shown
    )
}

/// A commit's committer on this computer: its name, with the device's address.
pub fn computer_signature(device: &str) -> Result<Signature<'static>, git2::Error> {
    Signature::now(&storage::host_name(), &format!("{device}@sobes"))
}
