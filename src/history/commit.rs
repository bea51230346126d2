//! Commits: the files a save wrote put into a commit on the last one's tree (no index read
//! or written), what differs from the last commit committed as pending, the first commit of
//! a campaign and of a rebuilt history, and the branch moved to a new commit.

use super::objects::{replace_cached, write_loose};
use super::{BRANCH, History, HistoryError, Restored, first_and_more};
use crate::data::DataSet;
use crate::model::change::Change;
use git2::IndexAddOption;
use std::path::{Path, PathBuf};

/// The spare file the branch's line is swapped with (see `History::move_branch`).
pub(super) const SPARE_REF: &str = "sobes-branch.spare";

impl History {
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
        crate::storage::flush_all(self.repo.path()).map_err(HistoryError::io(&self.dir))?;
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
    /// Either way the move is in the reflogs, as `.git/config` asks (`logallrefupdates`).
    /// No `.lock` file is made: the campaign's own lock keeps every other writer out.
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
            self.log_move(from, to, why);
            return Ok(());
        }
        let mut head = self.repo.head().map_err(&err)?;
        head.set_target(to, why).map_err(&err)?;
        Ok(())
    }

    /// The line libgit2 would have added to the branch's reflog and HEAD's for a move it
    /// made. A reflog that cannot be written loses nothing: sobes never reads them.
    fn log_move(&self, from: git2::Oid, to: git2::Oid, why: &str) {
        use std::io::Write;
        let Ok(who) = self.committer() else { return };
        let when = who.when();
        let offset = when.offset_minutes();
        let sign = if offset < 0 { '-' } else { '+' };
        let line = format!(
            "{from} {to} {} <{}> {} {sign}{:02}{:02}\t{}\n",
            who.name().unwrap_or(""),
            who.email().unwrap_or(""),
            when.seconds(),
            offset.abs() / 60,
            offset.abs() % 60,
            why.replace('\n', " ")
        );
        let logs = self.repo.path().join("logs");
        for log in [
            logs.join("refs").join("heads").join(BRANCH),
            logs.join("HEAD"),
        ] {
            let appended = log
                .parent()
                .map(std::fs::create_dir_all)
                .is_some_and(|r| r.is_ok())
                && std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&log)
                    .and_then(|mut f| f.write_all(line.as_bytes()))
                    .is_ok();
            if !appended {
                return;
            }
        }
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
                    first_and_more(&files, 20, ", ")
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

/// A commit's message: the summary line, and the body after an empty line.
fn message(summary: &str, body: &str) -> String {
    if body.is_empty() {
        summary.to_string()
    } else {
        format!("{summary}\n\n{body}")
    }
}

/// A commit's message read back as [`message`] writes it: the summary, and the body.
pub fn split_message(message: &str) -> (&str, &str) {
    message.split_once("\n\n").unwrap_or((message, ""))
}

/// The changes a commit's body carries, as [`body`] writes them; none where it holds
/// something else (a merge, files committed as they were, or a body from elsewhere).
pub fn changes_in(body: &str) -> Vec<Change> {
    ron::from_str(body.trim()).unwrap_or_default()
}

/// The body of a commit: the changes in RON, so the history reads without diffing.
pub fn body(changes: &[Change]) -> String {
    let config = ron::ser::PrettyConfig::new()
        .new_line("\n".to_string())
        .depth_limit(1);
    ron::ser::to_string_pretty(&changes, config).unwrap_or_default()
}
