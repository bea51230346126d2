//! Where a campaign's files are: a record's file by its id and back, the backup and the temp
//! file a write puts beside a file, and names every laptop's file system can hold.

use super::{RECORDS_DIR, StoreError};
use crate::model::registry::is_safe_id;
use std::path::{Path, PathBuf};

/// Where [`super::atomic_write`] keeps the previous version of `path`.
pub fn backup_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!("{name}.bak"))
}

/// The backup of `path`, if there is one.
pub fn backup_of(path: &Path) -> Option<PathBuf> {
    let bak = backup_path(path);
    bak.is_file().then_some(bak)
}

/// The directory a path is in; `Path::new("a.md").parent()` is `Some("")`, which is here.
pub fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The temp file a write of `path` by this process goes through.
pub(super) fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir_of(path).join(format!(".{name}.tmp{}", std::process::id()))
}

/// The process id in a temp file's name `.<name>.tmp<digits>`.
pub(super) fn temp_pid(name: &str) -> Option<&str> {
    let rest = name.strip_prefix('.')?;
    let (_, pid) = rest.rsplit_once(".tmp")?;
    (!pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit())).then_some(pid)
}

/// A name every laptop's file system can hold, made from a name a registry gives (a letter
/// is named after its municipality): the characters Windows refuses become «_», a trailing
/// dot or space goes, and a device name (`con`, `lpt1`) gets a «_» in front.
pub fn portable_file_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let kept = out.trim_end_matches([' ', '.']).len();
    out.truncate(kept);
    if out.is_empty() {
        out.push('_');
    }
    if crate::model::registry::is_reserved_on_windows(&out) {
        out.insert(0, '_');
    }
    out
}

pub fn record_path(dir: &Path, id: &str) -> Result<PathBuf, StoreError> {
    let path = dir.join(RECORDS_DIR).join(format!("{id}.ron"));
    if !is_safe_id(id) {
        return Err(StoreError::Unsafe {
            path,
            id: id.to_string(),
        });
    }
    Ok(path)
}

/// The id a record file is named after.
pub fn record_id(path: &Path) -> Option<String> {
    path.file_stem().map(|s| s.to_string_lossy().into_owned())
}
