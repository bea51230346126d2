//! Removing files: the temp files of writers killed before their rename (in the campaign,
//! under its lock; beside an export, once their process is gone), and folders and files git
//! made read-only, which Windows refuses to delete.

use super::RECORDS_DIR;
use super::names::{dir_of, temp_pid};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Removes temp files of writes that died before their rename: `.<name>.tmp<pid>` in `dir`
/// whose process is not this one. Only the holder of the campaign lock writes the files these
/// belong to, so once we hold it, any other process's temp file is provably stale. Returns
/// the ones that could not be removed.
pub fn remove_stale_temps(dir: &Path) -> Vec<(PathBuf, io::Error)> {
    let mine = std::process::id().to_string();
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut failed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = temp_pid(&name) else {
            continue;
        };
        if pid != mine
            && let Err(e) = fs::remove_file(entry.path())
        {
            failed.push((entry.path(), e));
        }
    }
    failed
}

/// Before writing `path` outside the campaign (an export): removes its temp files whose
/// process is gone (`.<name>.tmp<pid>`). Exports take no lock, so only a dead process's temp
/// file is provably stale; where liveness cannot be seen (no /proc: Windows), one untouched
/// for ten minutes is taken for dead.
pub fn remove_dead_temps_of(path: &Path) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.tmp");
    let Ok(entries) = fs::read_dir(dir_of(path)) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file.strip_prefix(&prefix) else {
            continue;
        };
        if !pid.is_empty()
            && pid.chars().all(|c| c.is_ascii_digit())
            && pid != std::process::id().to_string()
            && !process_alive(pid).unwrap_or_else(|| !stale_by_age(&entry.path()))
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether a process runs, where the system shows it (/proc); None where it cannot be told.
fn process_alive(pid: &str) -> Option<bool> {
    let proc = Path::new("/proc");
    proc.join("self").exists().then(|| proc.join(pid).exists())
}

/// An export's temp file nobody has touched for this long belongs to a writer that died,
/// where the system cannot say whether its process runs (Windows): no export writes for
/// minutes.
const STALE_EXPORT_TEMP: std::time::Duration = std::time::Duration::from_secs(600);

fn stale_by_age(path: &Path) -> bool {
    fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > STALE_EXPORT_TEMP)
}

/// Temp files in the campaign that a killed writer left and nobody could remove.
pub fn leftover_temps(dir: &Path) -> Vec<PathBuf> {
    [dir.to_path_buf(), dir.join(RECORDS_DIR)]
        .iter()
        .filter_map(|d| fs::read_dir(d).ok())
        .flat_map(|entries| entries.flatten())
        .filter(|e| temp_pid(&e.file_name().to_string_lossy()).is_some())
        .map(|e| e.path())
        .collect()
}

/// Removes a folder and everything in it. Windows refuses to delete a read-only file, and
/// git makes its objects and packs read-only: where the first try fails, the read-only marks
/// are taken off and it is tried again.
pub fn remove_tree(path: &Path) -> io::Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            make_writable(path);
            fs::remove_dir_all(path)
        }
        _ => Ok(()),
    }
}

fn make_writable(path: &Path) {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return;
    };
    if meta.is_dir() {
        for e in fs::read_dir(path).into_iter().flatten().flatten() {
            make_writable(&e.path());
        }
    }
    if meta.is_file() {
        clear_read_only(path, &meta);
    }
}

/// Takes Windows' read-only mark off a file, so it can be deleted (a no-op elsewhere, where
/// the folder's permissions decide).
fn clear_read_only(path: &Path, meta: &fs::Metadata) {
    #[cfg(windows)]
    if meta.permissions().readonly() {
        let mut p = meta.permissions();
        p.set_readonly(false);
        let _ = fs::set_permissions(path, p);
    }
    #[cfg(not(windows))]
    let _ = (path, meta);
}

/// Removes a file, also one git made read-only (Windows refuses to delete those).
pub fn remove_file(path: &Path) -> io::Result<()> {
    if let Ok(meta) = fs::symlink_metadata(path) {
        clear_read_only(path, &meta);
    }
    fs::remove_file(path)
}
