//! A history's `.git` as sobes alone decides it: made whole or not at all, its
//! configuration, HEAD and exclusions put back by every writer, what a git operation or a
//! maker killed half way left removed, and what someone else changed there named.

use super::{BRANCH, HistoryError};
use crate::storage;
use std::path::Path;

/// Files a campaign has that are not its history.
const EXCLUDE: &str = "sobes.lock\nsobes.lock.holder\n*.bak\n.*.tmp*\n.git-*\n";

/// The configuration of every campaign's repository, whatever was there: a `.git/config`
/// from elsewhere could make the history bare or run programs for whoever opens the folder
/// with git. sobes's files are never executable, so file modes are not compared.
const CONFIG: &str = "[core]\n\trepositoryformatversion = 0\n\tfilemode = false\n\tbare = false\n\tlogallrefupdates = true\n\tsymlinks = false\n\tautocrlf = false\n\teol = lf\n";

/// The one line of HEAD: the campaign's branch.
fn head_line() -> String {
    format!("ref: refs/heads/{BRANCH}\n")
}

/// Folders a history being made leaves when its maker is killed.
const MAKING: &str = ".git-making-";

/// Removes what a maker of a history killed half way left (the lock is held).
pub fn clear_half_made(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(MAKING) {
            let _ = storage::remove_tree(&e.path());
        }
    }
}

pub(super) fn private_file(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// Makes an empty history: built in a folder of its own inside the campaign and renamed
/// into place, so a kill at any moment leaves either no `.git` or a whole one. Everything
/// in it is private (0700/0600), as the campaign's files are.
pub fn create(dir: &Path) -> Result<(), HistoryError> {
    let io = HistoryError::io(dir);
    let making = dir.join(format!("{MAKING}{}", std::process::id()));
    let _ = storage::remove_tree(&making);
    let result = (|| -> Result<(), HistoryError> {
        for sub in [
            "objects/info",
            "objects/pack",
            "refs/heads",
            "refs/tags",
            "info",
        ] {
            storage::create_private_dir(&making.join(sub))
                .map_err(|e| HistoryError::new(dir, e.to_string()))?;
        }
        private_file(&making.join("HEAD"), &head_line()).map_err(&io)?;
        private_file(&making.join("config"), CONFIG).map_err(&io)?;
        private_file(&making.join("info").join("exclude"), EXCLUDE).map_err(&io)?;
        std::fs::rename(&making, dir.join(".git")).map_err(&io)?;
        storage::sync_dir(dir).map_err(&io)
    })();
    if result.is_err() {
        let _ = storage::remove_tree(&making);
    }
    result
}

/// Puts back, without a word, what sobes alone decides in a history: its configuration,
/// HEAD on the campaign's branch, the exclusions, and private permissions on `.git`.
pub fn normalize(git: &Path) {
    let _ = std::fs::create_dir_all(git.join("info"));
    for name in differing(git) {
        match owned(name) {
            Some(text) => {
                let _ = private_file(&git.join(name), &text);
            }
            None => {
                let _ = std::fs::remove_file(git.join(name));
            }
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(git).is_ok_and(|m| m.permissions().mode() & 0o777 != 0o700) {
            let _ = std::fs::set_permissions(git, std::fs::Permissions::from_mode(0o700));
        }
    }
}

/// The files of a history whose whole text sobes alone decides: (name, text), None for a
/// file that must not be there (objects kept in another folder, which libgit2 would read
/// unchecked).
const OWNED: [&str; 4] = ["config", "HEAD", "info/exclude", "objects/info/alternates"];

fn owned(name: &str) -> Option<String> {
    match name {
        "config" => Some(CONFIG.to_string()),
        "HEAD" => Some(head_line()),
        "info/exclude" => Some(EXCLUDE.to_string()),
        _ => None,
    }
}

/// Which of those files differ from what sobes writes (or are there when they must not be).
fn differing(git: &Path) -> Vec<&'static str> {
    OWNED
        .into_iter()
        .filter(|name| {
            let now = std::fs::read(git.join(name)).ok();
            match owned(name) {
                Some(text) => now.as_deref() != Some(text.as_bytes()),
                None => now.is_some(),
            }
        })
        .collect()
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
    differing(&git)
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
