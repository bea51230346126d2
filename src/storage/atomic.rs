//! Writes a crash leaves old or new: the new text staged beside the file (in its backup,
//! swapped in one step where the system can, else a temp file renamed over it), flushed
//! before it takes the file's name, the old text kept as `.bak`; many files with one flush;
//! private files and folders, and documents with the user's permissions.

use super::names::{backup_path, dir_of, temp_path};
use super::{StoreError, io_err};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// After a crash the file is either the old or the new version, and the old one is kept as
/// `.bak`. Where the system can swap two names in one step (Linux), the new text is written
/// over the previous backup and the two names are swapped: no file is made or freed, which
/// on a stick or a disk mounted with `discard` is most of the cost of a save. Otherwise a
/// temp file in the same directory is written, synced and renamed over the file.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    write_atomically(path, bytes, Kind::Private)
}

/// An export: a document to send. Written as atomically as a campaign file, but with the
/// user's usual permissions and no `.bak` beside it.
pub fn write_document(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    if fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_file()) {
        return Err(StoreError::NotAFile(path.to_path_buf()));
    }
    write_atomically(path, bytes, Kind::Document)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A campaign or config file: 0600, the previous version kept as `.bak`.
    Private,
    /// An export: the umask's permissions, no backup.
    Document,
}

/// Where the new text of a file waits before it takes the file's name.
enum Staged {
    /// In the file's `.bak`, to be swapped with the file.
    InBackup,
    /// In a temp file, to be renamed over the file.
    Temp(PathBuf),
}

/// Writes `bytes` where they wait for [`publish`]; with `sync`, flushed to the disk.
fn stage(path: &Path, bytes: &[u8], kind: Kind, sync: bool) -> io::Result<Staged> {
    if kind == Kind::Private && swap::stage_in_backup(path, bytes, sync)? {
        return Ok(Staged::InBackup);
    }
    stage_temp(path, bytes, kind, sync)
}

fn stage_temp(path: &Path, bytes: &[u8], kind: Kind, sync: bool) -> io::Result<Staged> {
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = new_file(&tmp, kind)?;
        f.write_all(bytes)?;
        if sync {
            f.sync_all()?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(Staged::Temp(tmp)),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Gives the staged text the file's name in one step, keeping the old text as `.bak`.
fn publish(path: &Path, staged: &Staged, bytes: &[u8], kind: Kind, sync: bool) -> io::Result<()> {
    match staged {
        Staged::InBackup => match swap::exchange(&backup_path(path), path) {
            Ok(()) => Ok(()),
            // The file system cannot swap after all: the ordinary way, the backup rewritten.
            Err(_) => {
                let staged = stage_temp(path, bytes, kind, sync)?;
                publish(path, &staged, bytes, kind, sync)
            }
        },
        Staged::Temp(tmp) => {
            let result = (|| {
                if kind == Kind::Private && path.exists() {
                    let bak = backup_path(path);
                    let _ = fs::remove_file(&bak);
                    fs::hard_link(path, &bak).or_else(|_| fs::copy(path, &bak).map(|_| ()))?;
                }
                replace(tmp, path)
            })();
            if result.is_err() {
                let _ = fs::remove_file(tmp);
            }
            result
        }
    }
}

fn write_atomically(path: &Path, bytes: &[u8], kind: Kind) -> Result<(), StoreError> {
    (|| {
        let staged = stage(path, bytes, kind, true)?;
        publish(path, &staged, bytes, kind, true)?;
        sync_dir(dir_of(path))
    })()
    .map_err(io_err(path))
}

/// Writes many campaign files (an import, a sync) given relative to `dir`, each as
/// [`atomic_write`] does, but with one flush to the disk for all of them where the system
/// has one (Linux's `syncfs`) rather than one per file. After a crash each file is its old
/// or its new version.
pub fn write_many(dir: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<(), StoreError> {
    let one_flush = swap::AVAILABLE && files.len() > 1;
    let paths: Vec<PathBuf> = files.iter().map(|(name, _)| dir.join(name)).collect();
    let mut staged = Vec::with_capacity(files.len());
    for (path, (_, bytes)) in paths.iter().zip(files) {
        match stage(path, bytes, Kind::Private, !one_flush) {
            Ok(s) => staged.push(s),
            Err(e) => {
                discard(&staged);
                return Err(io_err(path)(e));
            }
        }
    }
    if one_flush && let Err(e) = swap::flush_all(dir) {
        discard(&staged);
        return Err(io_err(dir)(e));
    }
    let mut dirs = std::collections::BTreeSet::new();
    for ((path, (_, bytes)), s) in paths.iter().zip(files).zip(&staged) {
        publish(path, s, bytes, Kind::Private, true).map_err(io_err(path))?;
        dirs.insert(dir_of(path).to_path_buf());
    }
    for dir in dirs {
        sync_dir(&dir).map_err(io_err(&dir))?;
    }
    Ok(())
}

/// Gives `tmp` the name `path` in one step, replacing what was there. On Windows the move is
/// written through to the disk before it returns (`MoveFileExW` with
/// `MOVEFILE_WRITE_THROUGH`, by the atomicwrites crate), which is how a rename is made
/// durable there; it is tried again for a moment while another program (an antivirus, an
/// indexer, a sync client) holds the file open without sharing.
pub fn replace(tmp: &Path, path: &Path) -> io::Result<()> {
    #[cfg(windows)]
    {
        let mut tries = 0;
        loop {
            match atomicwrites::replace_atomic(tmp, path) {
                // ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
                Err(e) if matches!(e.raw_os_error(), Some(5 | 32 | 33)) && tries < 20 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                other => return other,
            }
        }
    }
    #[cfg(not(windows))]
    fs::rename(tmp, path)
}

/// Makes the names in `dir` (a rename, a new file) durable. Unix flushes the directory
/// itself; Windows has no handle on a directory for that, and its renames were written
/// through already ([`replace`]), files by their own handles.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Whether [`flush_all`] flushes (Linux's `syncfs`); elsewhere each file is flushed itself.
pub const CAN_FLUSH_ALL: bool = swap::AVAILABLE;

/// Flushes everything written to the file system `dir` is on, where the system can.
pub fn flush_all(dir: &Path) -> io::Result<()> {
    swap::flush_all(dir)
}

/// Gives `path` the text `bytes` by way of `spare`: the text goes into the spare file and
/// the two names are swapped in one step, so no file is made or freed (the spare is made
/// once). Returns false where the system cannot swap or the files are not plain single
/// files: the caller then writes its own way. Nothing is flushed: for files whose loss in a
/// crash is repaired anyway (a git branch, recommitted from the files).
pub fn swap_in(path: &Path, spare: &Path, bytes: &[u8]) -> io::Result<bool> {
    if !swap::AVAILABLE {
        return Ok(false);
    }
    if !spare.exists() {
        new_file(spare, Kind::Private)?;
    }
    if !swap::overwrite_single(spare, path, bytes)? {
        return Ok(false);
    }
    Ok(swap::exchange(spare, path).is_ok())
}

/// Temp files of a batch that will not be published; text staged in backups stays there
/// (the files themselves are untouched).
fn discard(staged: &[Staged]) {
    for s in staged {
        if let Staged::Temp(tmp) = s {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// Swapping a file with its backup in one step, and one flush for a whole batch: Linux only;
/// elsewhere the ordinary temp file and a flush per file.
#[cfg(target_os = "linux")]
mod swap {
    use super::backup_path;
    use std::ffi::CString;
    use std::fs::{self, OpenOptions};
    use std::io::{self, Write};
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Cleared when a file system refuses to swap (some sticks), so later writes do not try.
    static SWAPS: AtomicBool = AtomicBool::new(true);

    /// Writes the new text over the file's backup when both are plain files with one name
    /// each (a backup still linked to the file, from a write killed half way, is not
    /// touched). Returns whether it did.
    pub fn stage_in_backup(path: &Path, bytes: &[u8], sync: bool) -> io::Result<bool> {
        let bak = backup_path(path);
        let result = write_over(&bak, path, bytes, sync);
        if result.is_err() {
            // Half written, it is no backup of anything.
            let _ = fs::remove_file(&bak);
        }
        result
    }

    /// Writes `bytes` over `spare`, unflushed, when it and `path` are plain single files.
    pub fn overwrite_single(spare: &Path, path: &Path, bytes: &[u8]) -> io::Result<bool> {
        write_over(spare, path, bytes, false)
    }

    fn write_over(over: &Path, path: &Path, bytes: &[u8], sync: bool) -> io::Result<bool> {
        if !SWAPS.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let single = |p: &Path| {
            fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_file() && m.nlink() == 1)
        };
        if !single(path) || !single(over) {
            return Ok(false);
        }
        let mut f = OpenOptions::new().write(true).open(over)?;
        f.write_all(bytes)?;
        f.set_len(bytes.len() as u64)?;
        if sync {
            f.sync_data()?;
        }
        Ok(true)
    }

    pub fn exchange(a: &Path, b: &Path) -> io::Result<()> {
        let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(io::Error::other);
        let (a, b) = (c(a)?, c(b)?);
        // SAFETY: two valid NUL-terminated paths; renameat2 only reads them.
        let r = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                a.as_ptr(),
                libc::AT_FDCWD,
                b.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if matches!(
            e.raw_os_error(),
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
        ) {
            SWAPS.store(false, Ordering::Relaxed);
        }
        Err(e)
    }

    /// Swapping names and flushing a whole file system are there.
    pub const AVAILABLE: bool = true;

    /// Flushes everything written to the file system `dir` is on.
    pub fn flush_all(dir: &Path) -> io::Result<()> {
        let d = fs::File::open(dir)?;
        // SAFETY: a valid open descriptor.
        if unsafe { libc::syncfs(std::os::fd::AsRawFd::as_raw_fd(&d)) } == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod swap {
    use std::io;
    use std::path::Path;

    pub fn stage_in_backup(_: &Path, _: &[u8], _: bool) -> io::Result<bool> {
        Ok(false)
    }

    pub fn overwrite_single(_: &Path, _: &Path, _: &[u8]) -> io::Result<bool> {
        Ok(false)
    }

    pub fn exchange(_: &Path, _: &Path) -> io::Result<()> {
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }

    pub const AVAILABLE: bool = false;

    pub fn flush_all(_: &Path) -> io::Result<()> {
        Ok(())
    }
}

fn new_file(path: &Path, kind: Kind) -> io::Result<File> {
    #[cfg(not(unix))]
    let _ = kind;
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(match kind {
            Kind::Private => 0o600,
            Kind::Document => 0o666,
        });
    }
    let file = o.open(path)?;
    #[cfg(target_os = "linux")]
    if kind == Kind::Document {
        use std::os::unix::fs::PermissionsExt;
        let umask = USER_UMASK.load(std::sync::atomic::Ordering::Relaxed);
        if umask != u32::MAX {
            file.set_permissions(fs::Permissions::from_mode(0o666 & !umask))?;
        }
    }
    Ok(file)
}

/// The user's umask from before [`private_umask`]: documents get the permissions they would
/// have had (u32::MAX: not changed).
#[cfg(target_os = "linux")]
static USER_UMASK: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(u32::MAX);

/// Makes everything this process creates private unless said otherwise: libgit2 writes
/// `.git`'s files (index, refs, packs) with the umask's permissions, and the history holds
/// the same names and notes as the campaign's 0600 files. Exports keep the user's umask.
pub fn private_umask() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: umask only sets the process's file creation mask.
        let before = unsafe { libc::umask(0o077) };
        USER_UMASK.store(before as u32, std::sync::atomic::Ordering::Relaxed);
    }
}

pub fn create_private_dir(path: &Path) -> Result<(), StoreError> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(path).map_err(io_err(path))
}
