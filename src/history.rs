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
//! Over 600 lines, kept whole: the commit path (trees patched in place, objects written in
//! one write, the branch swapped) and the reading of the history share the repository
//! handle and the tree cache; split, each half would reach into the other's internals.

mod devices;
mod heal;
mod repair;
pub use devices::{DeviceNames, NOBODY};
pub use heal::Restored;
pub use repair::{RepairReport, repair};

use crate::data::DataSet;
use crate::model::change::Change;
use crate::storage;
use git2::{IndexAddOption, Repository, Signature};
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

/// libgit2 refuses repositories owned by another user, which is every repository on a FAT or
/// exFAT stick or a network share; sobes's own repositories are opened regardless. Objects
/// read are not re-hashed (as git itself does not; zlib's checksum still catches a damaged
/// object), and trees up to a megabyte stay cached: the records' folder of a large
/// campaign is one tree of 100 KB that every commit, merge and history read goes through.
fn trust_owners() {
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

/// The spare file the branch's line is swapped with (see `History::move_branch`).
const SPARE_REF: &str = "sobes-branch.spare";

/// Loose objects above which a writer packs them.
const PACK_ABOVE: usize = 512;

/// Larger loose objects (the records' tree of a campaign of thousands) are left loose:
/// finding deltas between them is slow, and reading the history does not need them.
const PACK_UP_TO: u64 = 16 * 1024;

/// Files a campaign has that are not its history.
const EXCLUDE: &str = "sobes.lock\nsobes.lock.holder\n*.bak\n.*.tmp*\n.git-*\n";

/// The configuration of every campaign's repository, whatever was there: a `.git/config`
/// from elsewhere could make the history bare or run programs for whoever opens the folder
/// with git. sobes's files are never executable, so file modes are not compared.
pub const CONFIG: &str = "[core]\n\trepositoryformatversion = 0\n\tfilemode = false\n\tbare = false\n\tlogallrefupdates = true\n\tsymlinks = false\n\tautocrlf = false\n\teol = lf\n";

/// The one line of HEAD: the campaign's branch.
fn head_line() -> String {
    format!("ref: refs/heads/{BRANCH}\n")
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
        trust_owners();
        let git = dir.join(".git");
        repair::clear_half_made(dir);
        if !git.exists() {
            repair::create(dir)?;
        } else {
            remove_locks(&git);
            repair::normalize(&git);
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
        let history = History::over(repo, dir, device);
        if writer {
            history.pack_if_many()?;
        }
        Ok(history)
    }

    /// A handle on `repo`, the history of the campaign in `dir`, written from `device`.
    fn over(repo: Repository, dir: &Path, device: &str) -> History {
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

    /// Commits the files given (paths relative to the campaign) if they differ from the last
    /// commit. Returns whether a commit was made.
    pub fn commit(
        &self,
        files: &[PathBuf],
        by: &str,
        summary: &str,
        body: &str,
    ) -> Result<bool, HistoryError> {
        let err = Self::err(&self.dir);
        let mut blobs = Vec::with_capacity(files.len());
        for f in files {
            let blob = match std::fs::read(self.dir.join(f)) {
                Ok(bytes) => {
                    Some(write_loose(&self.repo, git2::ObjectType::Blob, &bytes).map_err(&err)?)
                }
                Err(_) => None,
            };
            blobs.push((f.clone(), blob));
        }
        self.commit_blobs(&blobs, by, summary, body)
    }

    /// Commits files with the text just written to them (no reading back), and the index
    /// learns them as written, so the next look for uncommitted files does not read and
    /// hash them again.
    pub fn commit_written(
        &self,
        files: &[(PathBuf, Vec<u8>)],
        by: &str,
        summary: &str,
    ) -> Result<bool, HistoryError> {
        let err = Self::err(&self.dir);
        let mut blobs = Vec::with_capacity(files.len());
        for (path, bytes) in files {
            let blob = write_loose(&self.repo, git2::ObjectType::Blob, bytes).map_err(&err)?;
            blobs.push((path.clone(), Some(blob)));
        }
        let made = self.commit_blobs(&blobs, by, summary, "")?;
        self.index_learns(&blobs)?;
        Ok(made)
    }

    /// Commits the last commit's tree with `blobs` at their paths (None: removed), if that
    /// differs from it. Built from the parent's tree, with no index to read or write, so a
    /// commit costs about the same with 43 municipalities or 2,500.
    fn commit_blobs(
        &self,
        blobs: &[(PathBuf, Option<git2::Oid>)],
        by: &str,
        summary: &str,
        body: &str,
    ) -> Result<bool, HistoryError> {
        let err = Self::err(&self.dir);
        let Some(head) = self.head() else {
            // The first commit of a campaign: everything as it is.
            return self.commit_pending(by);
        };
        let parent_tree = self.repo.find_tree(head.tree_id()).map_err(&err)?;
        let tree_id =
            replace_cached(&self.repo, &parent_tree, blobs, Some(&self.trees)).map_err(&err)?;
        if tree_id == head.tree_id() {
            return Ok(false);
        }
        let tree = self.repo.find_tree(tree_id).map_err(&err)?;
        let sig = self.signature(by)?;
        let computer = self.committer()?;
        let message = message(summary, body);
        let commit = self
            .repo
            .commit(None, &sig, &computer, &message, &tree, &[&head])
            .map_err(&err)?;
        // Objects before the branch: a power cut must not leave it naming what never
        // reached the disk.
        crate::storage::flush_all(self.repo.path())
            .map_err(|e| HistoryError::new(&self.dir, crate::storage::describe_io(&e)))?;
        self.move_branch(commit, head.id(), summary)?;
        // A TUI session may make hundreds of commits without opening the history again.
        self.commits.set(self.commits.get() + 1);
        if self.commits.get().is_multiple_of(256) {
            self.pack_if_many()?;
        }
        Ok(true)
    }

    /// Moves the campaign's branch from `from` to `to`. The branch is a one-line file; where
    /// the system swaps two names in one step, the new line goes into a spare file kept
    /// beside the repository and the two are swapped: no lock file made and no old file
    /// freed per commit (on a file system slow to make files, that was a third of a save).
    /// Otherwise, and whenever the branch is not a plain file at `from`, libgit2 moves it.
    fn move_branch(&self, to: git2::Oid, from: git2::Oid, why: &str) -> Result<(), HistoryError> {
        let err = Self::err(&self.dir);
        let git = self.repo.path();
        let branch = git.join("refs").join("heads").join(BRANCH);
        let current = std::fs::read_to_string(&branch).ok();
        let head_is_branch = std::fs::read_to_string(git.join("HEAD"))
            .is_ok_and(|h| h.trim() == format!("ref: refs/heads/{BRANCH}"));
        if head_is_branch
            && current.as_deref().map(str::trim) == Some(from.to_string().as_str())
            && crate::storage::swap_in(&branch, &git.join(SPARE_REF), format!("{to}\n").as_bytes())
                .unwrap_or(false)
        {
            return Ok(());
        }
        let mut head = self.repo.head().map_err(&err)?;
        head.set_target(to, why).map_err(&err)?;
        Ok(())
    }

    /// Packs the loose objects when there are many (estimated from four of the 256 object
    /// folders, as git's own `gc --auto` does from one): reading the history (`sobes log`, the
    /// history overlay) otherwise opens and inflates a file per commit.
    pub fn pack_if_many(&self) -> Result<bool, HistoryError> {
        let objects = self.repo.path().join("objects");
        let sample: usize = ["17", "5c", "a3", "e8"]
            .iter()
            .map(|d| {
                std::fs::read_dir(objects.join(d)).map_or(0, |d| {
                    d.flatten()
                        .filter(|e| e.metadata().is_ok_and(|m| m.len() <= PACK_UP_TO))
                        .count()
                })
            })
            .sum();
        if sample * 64 < PACK_ABOVE {
            return Ok(false);
        }
        self.pack_loose()
    }

    /// Puts the loose objects of up to 16 KB on disk (commits, records, small trees) into one pack,
    /// flushed to the disk, and only then removes their files. Larger ones (the records'
    /// folder of a campaign of thousands) stay loose: packing them is slow and reading the
    /// history does not need them.
    pub fn pack_loose(&self) -> Result<bool, HistoryError> {
        let err = Self::err(&self.dir);
        let io = |e: std::io::Error| HistoryError::Git {
            dir: self.dir.clone(),
            message: crate::storage::describe_io(&e),
        };
        let objects = self.repo.path().join("objects");
        let mut loose = Vec::new();
        for dir in std::fs::read_dir(&objects).map_err(io)?.flatten() {
            let prefix = dir.file_name().to_string_lossy().into_owned();
            if prefix.len() != 2 || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
                continue;
            }
            for file in std::fs::read_dir(dir.path()).map_err(io)?.flatten() {
                let rest = file.file_name().to_string_lossy().into_owned();
                let Ok(oid) = git2::Oid::from_str(&format!("{prefix}{rest}")) else {
                    continue;
                };
                if rest.len() == 38 && file.metadata().is_ok_and(|m| m.len() <= PACK_UP_TO) {
                    loose.push((oid, file.path()));
                }
            }
        }
        if loose.is_empty() {
            return Ok(false);
        }
        let mut builder = self.repo.packbuilder().map_err(&err)?;
        for (oid, _) in &loose {
            builder.insert_object(*oid, None).map_err(&err)?;
        }
        write_pack(&mut builder, &objects.join("pack")).map_err(&err)?;
        for (_, path) in &loose {
            let _ = storage::remove_file(path);
        }
        Ok(true)
    }

    /// Tells the index that `files` (relative to the campaign) are on disk as the blobs
    /// given (None: gone), with their stat as it is now, so the next scan for uncommitted
    /// files (`commit_pending`) need not read and hash them: commits made without the index
    /// leave its entries stale, and a stale entry costs a read and a hash per file.
    pub fn index_learns(&self, files: &[(PathBuf, Option<git2::Oid>)]) -> Result<(), HistoryError> {
        let err = Self::err(&self.dir);
        let mut index = self.repo.index().map_err(&err)?;
        for (path, blob) in files {
            let name = path.to_string_lossy().replace('\\', "/");
            match blob.and_then(|b| fresh_entry(&self.dir.join(path), &name, b)) {
                Some(entry) => index.add(&entry).map_err(&err)?,
                None => {
                    let _ = index.remove_path(Path::new(&name));
                }
            }
        }
        index.write().map_err(&err)
    }

    /// Commits a municipality's record after `changes` were written to it: the first line
    /// says the change in Russian, the body carries the changes in RON.
    pub fn commit_changes(
        &self,
        data: &DataSet,
        id: &str,
        changes: &[Change],
        files: &[PathBuf],
    ) -> Result<bool, HistoryError> {
        let name = data.registry.get(id).map_or(id, |m| m.name.as_str());
        let what: Vec<String> = changes
            .iter()
            .map(|c| c.describe(&data.protocol, &data.dimensions))
            .collect();
        let summary = format!("{name}: {}", what.join("; "));
        let by = changes.last().map_or("", |c| c.by.as_str());
        self.commit(files, by, &summary, &body(changes))
    }

    /// Commits whatever differs from the last commit (a change written by a process killed
    /// before its commit, a file edited by hand), naming the files. Returns whether there
    /// was anything.
    pub fn commit_pending(&self, by: &str) -> Result<bool, HistoryError> {
        let err = Self::err(&self.dir);
        let mut index = self.repo.index().map_err(&err)?;
        // Files whose time changed but not their text (a campaign copied or restored) are
        // hashed once here and the index learns their time; otherwise every look would
        // read and hash them again.
        let mut refresh = git2::DiffOptions::new();
        refresh.update_index(true);
        self.repo
            .diff_index_to_workdir(Some(&index), Some(&mut refresh))
            .map_err(&err)?;
        stage_campaign_files(&mut index).map_err(&err)?;
        let head_tree = self.head().and_then(|c| c.tree().ok());
        let mut tree_id = index.write_tree().map_err(&err)?;
        if let Some(head) = &head_tree
            && head.id() != tree_id
            && self.restore_lost(head, tree_id)?
        {
            stage_campaign_files(&mut index).map_err(&err)?;
            tree_id = index.write_tree().map_err(&err)?;
        }
        if head_tree.as_ref().is_some_and(|t| t.id() == tree_id) {
            index.write().map_err(&err)?;
            return Ok(false);
        }
        let tree = self.repo.find_tree(tree_id).map_err(&err)?;
        let diff = self
            .repo
            .diff_tree_to_tree(head_tree.as_ref(), Some(&tree), None)
            .map_err(&err)?;
        let files: Vec<String> = diff
            .deltas()
            .filter_map(|d| d.new_file().path().or(d.old_file().path()))
            .map(|p| p.display().to_string())
            .collect();
        let (summary, body) = match head_tree {
            None => (
                "Кампания поставлена под историю".to_string(),
                "Файлы кампании такими, какими они были до истории; кто и когда отвечал, записано в них.",
            ),
            Some(_) => (
                format!(
                    "Изменения без записи в истории: {}",
                    first_of(&files, 20, ", ")
                ),
                "Файлы записаны, но не внесены в историю: запись прервана или файл изменён вне sobes.",
            ),
        };
        self.finish(index, by, &summary, body)
    }

    /// The campaign files put back from the history since the last call, to be said once:
    /// «файл … пропал из папки кампании и восстановлен из истории».
    pub fn take_restored(&self) -> Vec<Restored> {
        std::mem::take(&mut *self.restored.borrow_mut())
    }

    /// Commits the campaign files as they are, whatever the last commit holds: the first
    /// commit of a rebuilt history.
    pub fn commit_all(&self, by: &str, summary: &str, body: &str) -> Result<(), HistoryError> {
        let err = Self::err(&self.dir);
        let mut index = self.repo.index().map_err(&err)?;
        stage_campaign_files(&mut index).map_err(&err)?;
        index.write().map_err(&err)?;
        let tree = self
            .repo
            .find_tree(index.write_tree().map_err(&err)?)
            .map_err(&err)?;
        let sig = self.signature(by)?;
        let computer = self.committer()?;
        let parent = self.head();
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        self.repo
            .commit(
                Some("HEAD"),
                &sig,
                &computer,
                &message(summary, body),
                &tree,
                &parents,
            )
            .map_err(&err)?;
        Ok(())
    }

    fn head(&self) -> Option<git2::Commit<'_>> {
        self.repo.head().ok().and_then(|h| h.peel_to_commit().ok())
    }

    fn finish(
        &self,
        mut index: git2::Index,
        by: &str,
        summary: &str,
        body: &str,
    ) -> Result<bool, HistoryError> {
        let err = Self::err(&self.dir);
        index.write().map_err(&err)?;
        let tree_id = index.write_tree().map_err(&err)?;
        let parent = self.head();
        if parent
            .as_ref()
            .and_then(|p| p.tree().ok())
            .is_some_and(|t| t.id() == tree_id)
        {
            return Ok(false);
        }
        let tree = self.repo.find_tree(tree_id).map_err(&err)?;
        let sig = self.signature(by)?;
        let computer = self.committer()?;
        let message = message(summary, body);
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        self.repo
            .commit(Some("HEAD"), &sig, &computer, &message, &tree, &parents)
            .map_err(&err)?;
        Ok(true)
    }
}

/// The index as the campaign files are on disk: each added or updated, a removed one gone;
/// what an older sobes put under history that is not a campaign file (an export saved in the
/// folder …) leaves the history, not the disk, so no other laptop takes it.
fn stage_campaign_files(index: &mut git2::Index) -> Result<(), git2::Error> {
    let specs = crate::boundary::pathspecs();
    index.add_all(specs.iter(), IndexAddOption::DEFAULT, None)?;
    index.update_all(specs.iter(), None)?;
    let strays: Vec<PathBuf> = index
        .iter()
        .map(|e| String::from_utf8_lossy(&e.path).into_owned())
        .filter(|p| crate::boundary::place(p).is_none())
        .map(PathBuf::from)
        .collect();
    for stray in &strays {
        index.remove_path(stray)?;
    }
    Ok(())
}

/// The index entry libgit2 would make for the file at `path` holding `blob`, from the file's
/// stat now. None where the stat is not what libgit2 compares (not Unix): the entry is then
/// dropped and the file read again at the next scan, slower but the same result.
#[cfg(unix)]
fn fresh_entry(path: &Path, name: &str, blob: git2::Oid) -> Option<git2::IndexEntry> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::symlink_metadata(path).ok()?;
    if !m.file_type().is_file() {
        return None;
    }
    let time = |s: i64, ns: i64| git2::IndexTime::new(s as i32, ns as u32);
    Some(git2::IndexEntry {
        ctime: time(m.ctime(), m.ctime_nsec()),
        mtime: time(m.mtime(), m.mtime_nsec()),
        dev: m.rdev() as u32,
        ino: m.ino() as u32,
        // The configuration compares no modes: every campaign file is an ordinary one.
        mode: 0o100644,
        uid: m.uid(),
        gid: m.gid(),
        file_size: m.size() as u32,
        id: blob,
        flags: 0,
        flags_extended: 0,
        path: name.as_bytes().to_vec(),
    })
}

#[cfg(not(unix))]
fn fresh_entry(_: &Path, _: &str, _: git2::Oid) -> Option<git2::IndexEntry> {
    None
}

/// What in the campaign's `.git` sobes did not write there (a configuration or HEAD from
/// elsewhere): the next writer puts sobes's own back.
pub fn foreign_settings(dir: &Path) -> Vec<String> {
    let git = dir.join(".git");
    if std::fs::symlink_metadata(&git).is_err() {
        return Vec::new();
    }
    if !git.is_dir() || git.is_symlink() {
        return vec![
            ".git — не папка истории sobes; её заменит следующая запись или sobes repair".into(),
        ];
    }
    repair::differing(&git)
        .into_iter()
        .filter_map(|name| match name {
            "config" => Some(".git/config изменён не sobes (git выполнил бы то, что в нём написано); sobes заменит его своим при следующей записи или sobes repair".to_string()),
            "HEAD" => Some(".git/HEAD изменён не sobes; sobes поправит его при следующей записи или sobes repair".to_string()),
            "objects/info/alternates" => Some(".git ссылается на объекты в чужой папке (objects/info/alternates); sobes уберёт ссылку при следующей записи или sobes repair".to_string()),
            // An older sobes wrote fewer exclusions: nothing to report.
            _ => None,
        })
        .collect()
}

/// Removes the lock files a git operation killed half way leaves (`index.lock`, `HEAD.lock`,
/// `refs/**/*.lock`, `FETCH_HEAD.lock`, …). Only for a repository nobody else works on: the
/// campaign's own, under the campaign lock.
pub fn remove_locks(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "objects") {
                remove_locks(&path);
            }
        } else if path.extension().is_some_and(|x| x == "lock") {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// The first `shown` items and how many more: a summary line of a commit or a sync that
/// touched thousands of records stays readable.
pub fn first_of(items: &[String], shown: usize, separator: &str) -> String {
    if items.len() <= shown {
        return items.join(separator);
    }
    format!(
        "{} и ещё {}",
        items[..shown].join(separator),
        items.len() - shown
    )
}

/// A commit's message: the summary line, and the body after an empty line.
fn message(summary: &str, body: &str) -> String {
    if body.is_empty() {
        summary.to_string()
    } else {
        format!("{summary}\n\n{body}")
    }
}

/// The body of a commit: the changes in RON, so the history reads without diffing.
pub fn body(changes: &[Change]) -> String {
    let config = ron::ser::PrettyConfig::new()
        .new_line("\n".to_string())
        .depth_limit(1);
    ron::ser::to_string_pretty(&changes, config).unwrap_or_default()
}

/// One commit of the history as sobes reads it.
#[derive(Debug)]
pub struct Entry {
    /// The commit's time, UTC (RFC 3339).
    pub at: String,
    pub by: String,
    pub device: String,
    /// The first line of the message.
    pub summary: String,
    /// The changes the commit carries (none for merges and commits of files as they were).
    pub changes: Vec<Change>,
    pub merge: bool,
}

impl History {
    /// Opens a campaign's history to read it, without making one. A damaged history is
    /// said, not repaired (a reader holds no lock): a writer or `sobes repair` rebuilds it.
    pub fn read(dir: &Path) -> Result<Option<History>, HistoryError> {
        trust_owners();
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

    /// Files that differ from the last commit (edited outside sobes, or written by a process
    /// killed before its commit): they go into the history with the next write.
    pub fn uncommitted(&self) -> Result<Vec<String>, HistoryError> {
        let err = Self::err(&self.dir);
        let tree = self.head().and_then(|c| c.tree().ok());
        let mut opts = git2::DiffOptions::new();
        opts.include_untracked(true).recurse_untracked_dirs(true);
        for spec in crate::boundary::pathspecs() {
            opts.pathspec(spec);
        }
        // Against the last commit itself: the index is not kept for every commit.
        let diff = self
            .repo
            .diff_tree_to_workdir(tree.as_ref(), Some(&mut opts))
            .map_err(&err)?;
        Ok(diff
            .deltas()
            .filter_map(|d| d.new_file().path().or(d.old_file().path()))
            .map(|p| p.display().to_string())
            .collect())
    }

    /// Every commit reachable from HEAD, oldest first.
    pub fn entries(&self) -> Result<Vec<Entry>, HistoryError> {
        self.entries_about(None)
    }

    /// Every commit reachable from HEAD, oldest first; with a municipality, the changes of
    /// commits that do not name it are not read (they are most of a long history). Each
    /// commit is read once: parents before children, and otherwise by time.
    pub fn entries_about(&self, municipality: Option<&str>) -> Result<Vec<Entry>, HistoryError> {
        let err = Self::err(&self.dir);
        let Some(head) = self.head() else {
            return Ok(Vec::new());
        };
        let quoted = municipality.map(|id| format!("\"{id}\""));
        // Every commit with its children counted, then released oldest first once its
        // parents are out: git's topological order with time between branches.
        let mut commits: std::collections::HashMap<git2::Oid, git2::Commit> =
            std::collections::HashMap::new();
        let mut waiting: std::collections::HashMap<git2::Oid, usize> =
            std::collections::HashMap::new();
        let mut stack = vec![head];
        while let Some(c) = stack.pop() {
            if commits.contains_key(&c.id()) {
                continue;
            }
            waiting.insert(c.id(), c.parent_count());
            for p in c.parents() {
                if !commits.contains_key(&p.id()) {
                    stack.push(p);
                }
            }
            commits.insert(c.id(), c);
        }
        let mut children: std::collections::HashMap<git2::Oid, Vec<git2::Oid>> =
            std::collections::HashMap::new();
        for c in commits.values() {
            for p in c.parent_ids() {
                children.entry(p).or_default().push(c.id());
            }
        }
        let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<(i64, git2::Oid)>> = waiting
            .iter()
            .filter(|(_, n)| **n == 0)
            .map(|(id, _)| std::cmp::Reverse((commits[id].time().seconds(), *id)))
            .collect();
        let mut out = Vec::with_capacity(commits.len());
        while let Some(std::cmp::Reverse((_, id))) = ready.pop() {
            for child in children.get(&id).into_iter().flatten() {
                let n = waiting.get_mut(child).expect("every child was walked");
                *n -= 1;
                if *n == 0 {
                    ready.push(std::cmp::Reverse((commits[child].time().seconds(), *child)));
                }
            }
            let c = &commits[&id];
            let author = c.author();
            let message = String::from_utf8_lossy(c.message_bytes()).into_owned();
            let (summary, body) = message.split_once("\n\n").unwrap_or((&message, ""));
            let named = quoted.as_ref().is_none_or(|q| body.contains(q.as_str()));
            let changes: Vec<Change> = if named {
                ron::from_str(body.trim()).unwrap_or_default()
            } else {
                Vec::new()
            };
            out.push(Entry {
                at: crate::clock::format_utc(c.time().seconds()),
                by: author.name().unwrap_or("").to_string(),
                device: author
                    .email()
                    .unwrap_or("")
                    .trim_end_matches("@sobes")
                    .to_string(),
                summary: summary.trim().to_string(),
                changes,
                merge: c.parent_count() > 1,
            });
        }
        if out.len() != commits.len() {
            return Err(err(git2::Error::from_str(
                "история повреждена: цикл в родителях",
            )));
        }
        Ok(out)
    }
}

/// The id of `tree` with each file at its path set to its blob (or removed), subtrees
/// rebuilt once each; new trees are written, not read back.
pub fn replace(
    repo: &git2::Repository,
    tree: &git2::Tree,
    files: &[(PathBuf, Option<git2::Oid>)],
) -> Result<git2::Oid, git2::Error> {
    replace_cached(repo, tree, files, None)
}

fn replace_cached(
    repo: &git2::Repository,
    tree: &git2::Tree,
    files: &[(PathBuf, Option<git2::Oid>)],
    cache: Option<&TreeCache>,
) -> Result<git2::Oid, git2::Error> {
    // Name → new entry (None: removed); files here, and files deeper by subfolder.
    let mut here: std::collections::BTreeMap<Vec<u8>, Option<(git2::Oid, i32)>> =
        std::collections::BTreeMap::new();
    let mut deeper: std::collections::BTreeMap<String, Vec<(PathBuf, Option<git2::Oid>)>> =
        std::collections::BTreeMap::new();
    for (path, blob) in files {
        let mut parts = path.components();
        let first = parts
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        let rest: PathBuf = parts.collect();
        if rest.as_os_str().is_empty() {
            here.insert(first.into_bytes(), blob.map(|oid| (oid, 0o100644)));
        } else {
            deeper.entry(first).or_default().push((rest, *blob));
        }
    }
    for (name, files) in deeper {
        let new_sub = match tree.get_name(&name) {
            Some(e) => replace_cached(repo, &repo.find_tree(e.id())?, &files, cache)?,
            None => {
                let empty = repo.find_tree(write_tree(repo, Vec::new(), None)?)?;
                replace_cached(repo, &empty, &files, cache)?
            }
        };
        here.insert(name.into_bytes(), Some((new_sub, 0o040000)));
    }
    // Saving a record changes one id in the records' folder: 20 bytes of the tree written
    // last, not its 2,500 entries read, sorted and written out again.
    if let Some(cache) = cache
        && let Some(bytes) = cache.patched(tree.id(), &here)
    {
        let id = write_loose(repo, git2::ObjectType::Tree, &bytes)?;
        cache.moved(id, bytes);
        return Ok(id);
    }
    let mut entries: Vec<(Vec<u8>, git2::Oid, i32)> = tree
        .iter()
        .filter(|e| !here.contains_key(e.name_bytes()))
        .map(|e| (e.name_bytes().to_vec(), e.id(), e.filemode()))
        .collect();
    entries.extend(
        here.into_iter()
            .filter_map(|(name, entry)| entry.map(|(oid, mode)| (name, oid, mode))),
    );
    write_tree(repo, entries, cache)
}

/// The bytes of the last large tree written, with where each entry's id sits in them.
#[derive(Default)]
pub struct TreeCache(std::cell::RefCell<Option<CachedTree>>);

struct CachedTree {
    id: git2::Oid,
    bytes: Vec<u8>,
    /// Name → (offset of its id in `bytes`, mode).
    at: std::collections::HashMap<Vec<u8>, (usize, i32)>,
}

/// Trees smaller than this are rewritten whole (cheap, not worth a copy kept) and
/// compressed.
const LARGE_TREE: usize = 16 * 1024;

impl TreeCache {
    /// The bytes of tree `id` with `changes` made, when it is the tree kept and every change
    /// gives an existing entry a new id of the same mode (the common case: a record saved).
    fn patched(
        &self,
        id: git2::Oid,
        changes: &std::collections::BTreeMap<Vec<u8>, Option<(git2::Oid, i32)>>,
    ) -> Option<Vec<u8>> {
        let kept = self.0.borrow();
        let kept = kept.as_ref().filter(|k| k.id == id)?;
        let mut bytes = kept.bytes.clone();
        for (name, change) in changes {
            let (oid, mode) = (*change)?;
            let &(at, was) = kept.at.get(name)?;
            if was != mode {
                return None;
            }
            bytes[at..at + 20].copy_from_slice(oid.as_bytes());
        }
        Some(bytes)
    }

    /// The kept tree is now `id` with these bytes (entries at the same places).
    fn moved(&self, id: git2::Oid, bytes: Vec<u8>) {
        if let Some(kept) = self.0.borrow_mut().as_mut() {
            kept.id = id;
            kept.bytes = bytes;
        }
    }

    fn keep(&self, id: git2::Oid, bytes: Vec<u8>) {
        let mut at = std::collections::HashMap::new();
        let mut i = 0;
        while let Some(space) = bytes[i..].iter().position(|b| *b == b' ') {
            let mode = std::str::from_utf8(&bytes[i..i + space])
                .ok()
                .and_then(|m| i32::from_str_radix(m, 8).ok());
            let name_start = i + space + 1;
            let Some(nul) = bytes[name_start..].iter().position(|b| *b == 0) else {
                break;
            };
            let oid_at = name_start + nul + 1;
            if oid_at + 20 > bytes.len() {
                break;
            }
            if let Some(mode) = mode {
                at.insert(bytes[name_start..name_start + nul].to_vec(), (oid_at, mode));
            }
            i = oid_at + 20;
        }
        *self.0.borrow_mut() = Some(CachedTree { id, bytes, at });
    }
}

/// Writes a tree object of `entries` (name, id, mode) as one loose object. A campaign's
/// records' folder is one tree of 100 KB at 2,500 municipalities; libgit2 writes such an
/// object in 8 KB pieces, a system call each, which on a slow disk was most of a commit.
fn write_tree(
    repo: &git2::Repository,
    mut entries: Vec<(Vec<u8>, git2::Oid, i32)>,
    cache: Option<&TreeCache>,
) -> Result<git2::Oid, git2::Error> {
    // Git's order: by name, a folder's name as if it ended in '/'. The entries come mostly
    // sorted (from the tree they replace), which the sort takes in one pass.
    let end = |name: &[u8], i: usize, mode: i32| match name.get(i) {
        Some(b) => *b,
        None if mode == 0o040000 => b'/',
        None => 0,
    };
    entries.sort_by(|(a, _, ma), (b, _, mb)| {
        let common = a.len().min(b.len());
        a[..common]
            .cmp(&b[..common])
            .then_with(|| end(a, common, *ma).cmp(&end(b, common, *mb)))
            .then_with(|| a.len().cmp(&b.len()))
    });
    let mut bytes = Vec::with_capacity(entries.len() * 48);
    for (name, oid, mode) in &entries {
        match mode {
            0o100644 => bytes.extend_from_slice(b"100644 "),
            0o040000 => bytes.extend_from_slice(b"40000 "),
            other => bytes.extend_from_slice(format!("{other:o} ").as_bytes()),
        }
        bytes.extend_from_slice(name);
        bytes.push(0);
        bytes.extend_from_slice(oid.as_bytes());
    }
    let id = write_loose(repo, git2::ObjectType::Tree, &bytes)?;
    if let Some(cache) = cache
        && bytes.len() > LARGE_TREE
    {
        cache.keep(id, bytes);
    }
    Ok(id)
}

/// Writes an object as a loose file in one write, as libgit2 would name and compress it.
fn write_loose(
    repo: &git2::Repository,
    kind: git2::ObjectType,
    bytes: &[u8],
) -> Result<git2::Oid, git2::Error> {
    use std::io::Write;
    let oid = git2::Oid::hash_object(kind, bytes)?;
    let odb = repo.odb()?;
    if odb.exists(oid) {
        return Ok(oid);
    }
    let io = |e: std::io::Error| git2::Error::from_str(&crate::storage::describe_io(&e));
    let hex = oid.to_string();
    let objects = repo.path().join("objects");
    let dir = objects.join(&hex[..2]);
    if !dir.is_dir() {
        crate::storage::create_private_dir(&dir)
            .map_err(|e| git2::Error::from_str(&e.to_string()))?;
    }
    // A large tree is mostly object ids, which do not compress: zlib saves a third of it
    // and costs 2 ms per 100 KB (the records' folder of 2,500), more than the rest of a
    // save; it is stored as it is.
    let level = if kind == git2::ObjectType::Tree && bytes.len() > LARGE_TREE {
        flate2::Compression::none()
    } else {
        flate2::Compression::fast()
    };
    let mut z = flate2::write::ZlibEncoder::new(Vec::with_capacity(bytes.len() + 64), level);
    let header = format!("{} {}\0", kind.str(), bytes.len());
    z.write_all(header.as_bytes()).map_err(io)?;
    z.write_all(bytes).map_err(io)?;
    let data = z.finish().map_err(io)?;
    let tmp = objects.join(format!("tmp_object_sobes_{}", std::process::id()));
    let result = (|| {
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o400);
        }
        let mut f = o.open(&tmp)?;
        f.write_all(&data)?;
        // Where the whole file system cannot be flushed at once before the branch moves
        // (see `History::move_branch`), each object is.
        if !crate::storage::CAN_FLUSH_ALL {
            f.sync_all()?;
        }
        crate::storage::replace(&tmp, &dir.join(&hex[2..]))
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(oid)
}

/// Writes the pack `builder` holds into `packs` (a repository's `objects/pack`): built in a
/// folder of its own and moved in pack first, index last (a reader finds a pack by its
/// index), each move written through; a pack of the same name already there holds the same
/// objects and stays. libgit2 would write over it, and Windows refuses to replace a pack
/// that a reader has mapped. libgit2 flushes what it writes (GIT_OPT_ENABLE_FSYNC_GITDIR).
pub fn write_pack(builder: &mut git2::PackBuilder, packs: &Path) -> Result<(), git2::Error> {
    let io = |e: std::io::Error| git2::Error::from_str(&crate::storage::describe_io(&e));
    let making = packs.join(format!("sobes-making-{}", std::process::id()));
    let _ = crate::storage::remove_tree(&making);
    std::fs::create_dir_all(&making).map_err(io)?;
    let result = (|| {
        builder.write(&making, 0o444)?;
        let name = builder.name()?.unwrap_or_default().to_string();
        for ext in ["pack", "idx"] {
            let file = format!("pack-{name}.{ext}");
            let to = packs.join(&file);
            if std::fs::symlink_metadata(&to).is_err() {
                crate::storage::replace(&making.join(&file), &to).map_err(io)?;
            }
        }
        crate::storage::sync_dir(packs).map_err(io)
    })();
    let _ = crate::storage::remove_tree(&making);
    result
}

/// A commit's committer on this computer: its name, with the device's address.
pub fn computer_signature(device: &str) -> Result<Signature<'static>, git2::Error> {
    Signature::now(&storage::host_name(), &format!("{device}@sobes"))
}
