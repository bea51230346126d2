//! The campaign folder healed from its history: a campaign file the last commit holds that
//! the folder lost (deleted by hand, by a cleanup tool, by a restore of an old copy) or that
//! no longer reads (cut by a power cut, emptied, zeroed by a bad stick) is written back from
//! the commit — never taken for an erasure, never committed damaged. A damaged file is kept
//! beside, under a name sobes does not read, in case it held something the history lacks.

use super::{History, HistoryError};
use crate::boundary::{Place, place};
use crate::storage;
use std::path::{Path, PathBuf};

/// A campaign file put back from the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restored {
    /// Its path in the campaign, `/`-separated.
    pub path: String,
    /// Where the damaged file it replaced was kept (None: the file had gone).
    pub kept: Option<PathBuf>,
}

impl Restored {
    /// The message said once: which file, what had happened to it, that it is back.
    pub fn said(&self, dir: &Path) -> String {
        let file = dir.join(&self.path);
        match &self.kept {
            None => format!(
                "{}: файл пропал из папки кампании (удалён вне sobes?) и восстановлен из истории; ответы в нём целы",
                file.display()
            ),
            Some(kept) => format!(
                "{}: файл повреждён (обрезан или испорчен вне sobes) и восстановлен из истории по последнему сохранению; повреждённый сохранён как {}",
                file.display(),
                kept.display()
            ),
        }
    }
}

impl History {
    /// Writes back from `head` the campaign files the folder lost or that no longer read,
    /// as the staged tree `staged` shows them, and names them for
    /// [`History::take_restored`]. Returns whether anything was.
    pub(super) fn restore_lost(
        &self,
        head: &git2::Tree,
        staged: git2::Oid,
    ) -> Result<bool, HistoryError> {
        let err = Self::err(&self.dir);
        let staged = self.repo.find_tree(staged).map_err(&err)?;
        let diff = self
            .repo
            .diff_tree_to_tree(Some(head), Some(&staged), None)
            .map_err(&err)?;
        let mut writes = Vec::new();
        let mut cut = Vec::new();
        for d in diff.deltas() {
            let Some(path) = d
                .old_file()
                .path()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
            else {
                continue;
            };
            let Some(at) = place(&path) else { continue };
            let on_disk = self.dir.join(&path);
            let lost = match d.status() {
                git2::Delta::Deleted => !on_disk.exists(),
                git2::Delta::Modified => damaged(&at, &on_disk),
                _ => false,
            };
            if !lost {
                continue;
            }
            let blob = self.repo.find_blob(d.old_file().id()).map_err(&err)?;
            // A commit whose copy does not read either is no better than the file.
            if d.status() == git2::Delta::Modified && !whole(&at, &on_disk, blob.content()) {
                continue;
            }
            if d.status() == git2::Delta::Modified {
                cut.push(path.clone());
            }
            writes.push((PathBuf::from(&path), blob.content().to_vec()));
        }
        if writes.is_empty() {
            return Ok(false);
        }
        let io = |e: storage::StoreError| HistoryError::new(&self.dir, e.to_string());
        let mut kept = Vec::new();
        for path in &cut {
            kept.push((path.clone(), keep_aside(&self.dir.join(path)).map_err(io)?));
        }
        if writes
            .iter()
            .any(|(p, _)| p.starts_with(storage::RECORDS_DIR))
        {
            storage::create_private_dir(&self.dir.join(storage::RECORDS_DIR)).map_err(io)?;
        }
        storage::write_many(&self.dir, &writes).map_err(io)?;
        self.restored
            .borrow_mut()
            .extend(writes.iter().map(|(p, _)| {
                let path = p.to_string_lossy().replace('\\', "/");
                let kept = kept
                    .iter()
                    .find(|(k, _)| *k == path)
                    .map(|(_, at)| at.clone());
                Restored { path, kept }
            }));
        Ok(true)
    }
}

/// Whether the campaign file at `file` is damaged: its text does not read as what `at` says
/// it is. A file sobes cannot open (held by another program, no permission) or one written
/// by a newer sobes is not damaged: it is refused where it is read, never replaced. Data
/// files (the registry, protocol, rules the campaign carries) are the user's own to mend.
fn damaged(at: &Place, file: &Path) -> bool {
    match storage::read_text(file) {
        Ok(text) => matches!(parsed(at, file, &text), Err(storage::StoreError::Parse(_))),
        Err(e) => matches!(e, storage::StoreError::Parse(_)),
    }
}

/// Whether the history's copy reads whole.
fn whole(at: &Place, file: &Path, bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|text| parsed(at, file, text).is_ok())
}

fn parsed(at: &Place, file: &Path, text: &str) -> Result<(), storage::StoreError> {
    match at {
        Place::Meta => storage::parse_meta(file, text).map(|_| ()),
        Place::Scores => storage::scores::parse_table(file, text).map(|_| ()),
        Place::Record(_) => storage::parse_record(file, text).map(|_| ()),
        Place::Data => Ok(()),
    }
}

/// Moves a damaged file to `NAME.damaged-STAMP` beside it (a name sobes reads as nothing)
/// and returns where.
fn keep_aside(file: &Path) -> Result<PathBuf, storage::StoreError> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let to =
        super::repair::stamped_free(|stamp| file.with_file_name(format!("{name}.damaged-{stamp}")));
    storage::replace(file, &to).map_err(|error| storage::StoreError::Io {
        path: file.to_path_buf(),
        error,
    })?;
    Ok(to)
}
