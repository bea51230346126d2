//! The campaign on disk: `campaign.ron`, `municipalities/<id>.ron` and the monitoring's
//! points in `scores.ron`, written atomically, guarded by a lock file that only one writer
//! holds.

pub mod scores;
pub use scores::SCORES_FILE;

use crate::model::campaign::{Campaign, FORMAT, Meta, Record};
use crate::model::registry::{Registry, is_safe_id};
use crate::model::scores::{ScoreRow, record_of, without_scores};
use crate::model::source::{Origin, SourceError, parse_ron};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

pub const META_FILE: &str = "campaign.ron";
pub const RECORDS_DIR: &str = "municipalities";
pub const LOCK_FILE: &str = "sobes.lock";
/// Who holds the lock, beside it: on Windows the locked file itself cannot be read.
pub const HOLDER_FILE: &str = "sobes.lock.holder";
/// Larger files are refused rather than read whole.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Debug)]
pub enum StoreError {
    Io {
        path: PathBuf,
        error: io::Error,
    },
    Parse(SourceError),
    NotEmpty(PathBuf),
    NotACampaign(PathBuf),
    Locked {
        path: PathBuf,
        holder: String,
    },
    Newer {
        path: PathBuf,
        format: u32,
    },
    Unsafe {
        path: PathBuf,
        id: String,
    },
    /// Something that is not a plain file where a document is to be written (a device, a
    /// folder, a link): replacing it would break the system or write elsewhere.
    NotAFile(PathBuf),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Io { path, error } => {
                write!(f, "{}: {}", path.display(), describe_io(error))
            }
            StoreError::Parse(e) => write!(f, "{e}"),
            StoreError::NotEmpty(p) => write!(
                f,
                "{}: каталог не пуст; новая кампания создаётся только в пустом каталоге",
                p.display()
            ),
            StoreError::NotACampaign(p) => write!(
                f,
                "{}: здесь нет {META_FILE}; это не кампания (создайте: sobes new КАТАЛОГ)",
                p.display()
            ),
            StoreError::Locked { path, holder } => write!(
                f,
                "{}: кампанию уже открыл другой sobes ({holder}); закройте его или работайте только на чтение",
                path.display()
            ),
            StoreError::Newer { path, format } => write!(
                f,
                "{}: файл записан более новой версией sobes: нужен sobes, читающий формат {format}, а эта версия ({}) читает формат до {FORMAT}; обновите sobes, файл не тронут",
                path.display(),
                env!("CARGO_PKG_VERSION")
            ),
            StoreError::Unsafe { path, id } => write!(
                f,
                "{}: id «{id}» не годится как имя файла; файл не записан",
                path.display()
            ),
            StoreError::NotAFile(path) => write!(
                f,
                "{}: это не обычный файл (устройство, папка или ссылка); выгрузка пишется только в обычный файл, ничего не записано",
                path.display()
            ),
        }
    }
}

impl std::error::Error for StoreError {}

/// An OS error in Russian: the common kinds get a sentence; the rest keep the system's text
/// after a Russian word.
pub fn describe_io(error: &io::Error) -> String {
    use io::ErrorKind as K;
    // ENOSPC and EROFS by number too: older kinds of error may not map them.
    let by_code = match error.raw_os_error() {
        Some(28) => Some("на диске нет места"),
        Some(30) => Some("файловая система только для чтения (флешка защищена от записи?)"),
        _ => None,
    };
    let text = by_code.or(match error.kind() {
        K::NotFound => Some("нет такого файла или каталога"),
        K::PermissionDenied => Some("нет прав на чтение или запись"),
        K::StorageFull => Some("на диске нет места"),
        K::ReadOnlyFilesystem => {
            Some("файловая система только для чтения (флешка защищена от записи?)")
        }
        K::AlreadyExists => Some("файл уже существует"),
        K::IsADirectory => Some("это каталог, а нужен файл"),
        K::NotADirectory => Some("часть пути — не каталог"),
        K::DirectoryNotEmpty => Some("каталог не пуст"),
        K::InvalidFilename => Some("недопустимое имя файла"),
        _ => None,
    });
    match text {
        Some(t) => t.to_string(),
        None => format!("ошибка ввода-вывода ({error})"),
    }
}

impl StoreError {
    /// The file the error is about, if it is about one file.
    pub fn path(&self) -> Option<&Path> {
        match self {
            StoreError::Io { path, .. }
            | StoreError::Locked { path, .. }
            | StoreError::Newer { path, .. }
            | StoreError::Unsafe { path, .. } => Some(path),
            StoreError::Parse(e) => match &e.origin {
                Origin::File(p) => Some(p),
                Origin::Builtin(_) => None,
            },
            StoreError::NotAFile(path) => Some(path),
            StoreError::NotEmpty(_) | StoreError::NotACampaign(_) => None,
        }
    }

    /// The message, and where the backup of the file is when there is one.
    pub fn with_backup(&self) -> String {
        match self.path().and_then(backup_of) {
            Some(bak) => format!(
                "{self}\n    резервная копия предыдущей версии: {}",
                bak.display()
            ),
            None => self.to_string(),
        }
    }
}

/// Where [`atomic_write`] keeps the previous version of `path`.
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

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |error| StoreError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// Reads a text file, refusing what is too large or not UTF-8.
pub fn read_text(path: &Path) -> Result<String, StoreError> {
    // A FIFO or a device in a file's place would make the open or the read wait for ever.
    let meta = fs::metadata(path).map_err(io_err(path))?;
    if !meta.is_file() {
        return Err(StoreError::Parse(SourceError::whole(
            Origin::from(path),
            "не обычный файл (папка, канал или устройство), а ожидался файл с текстом".to_string(),
        )));
    }
    let file = File::open(path).map_err(io_err(path))?;
    let len = file.metadata().map_err(io_err(path))?.len();
    if len > MAX_FILE_BYTES {
        return Err(StoreError::Parse(SourceError::whole(
            Origin::from(path),
            format!("файл слишком большой ({len} байт, можно до {MAX_FILE_BYTES})"),
        )));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err(path))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let text = String::from_utf8_lossy(valid);
        let line = text.matches('\n').count() + 1;
        let col = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        StoreError::Parse(SourceError::new(
            Origin::from(path),
            line,
            col,
            "файл не в кодировке UTF-8 (повреждён или сохранён в другой кодировке)",
        ))
    })
}

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

/// The directory a path is in; `Path::new("a.md").parent()` is `Some("")`, which is here.
pub fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The temp file a write of `path` by this process goes through.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir_of(path).join(format!(".{name}.tmp{}", std::process::id()))
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

/// The process id in a temp file's name `.<name>.tmp<digits>`.
fn temp_pid(name: &str) -> Option<&str> {
    let rest = name.strip_prefix('.')?;
    let (_, pid) = rest.rsplit_once(".tmp")?;
    (!pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit())).then_some(pid)
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

pub fn to_ron<T: Serialize>(value: &T) -> String {
    // One line per answer and per decision: diffs stay readable, files stay small and
    // quick to parse (indentation was most of the parse time of a large campaign).
    // «\n» whatever the platform: ron would follow Windows with CRLF, and two laptops would
    // write different bytes for the same answers.
    let config = ron::ser::PrettyConfig::new()
        .new_line("\n".to_string())
        .indentor("    ".to_string())
        .depth_limit(2)
        .struct_names(true);
    let mut s = ron::ser::to_string_pretty(value, config).expect("campaign data serialises");
    s.push('\n');
    s
}

/// The lock on a campaign, held while this process may write. Released on drop.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Takes the lock or says who holds it. The OS drops the lock with its process, so a
    /// lock file left by a dead process does not block.
    pub fn acquire(dir: &Path) -> Result<Lock, StoreError> {
        let path = dir.join(LOCK_FILE);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&path).map_err(io_err(&path))?;
        match file.try_lock() {
            Ok(()) => {
                let host = host_name();
                let me = format!(
                    "процесс {} на {host} с {}",
                    std::process::id(),
                    crate::clock::local(&crate::clock::now())
                );
                file.set_len(0).map_err(io_err(&path))?;
                file.write_all(me.as_bytes()).map_err(io_err(&path))?;
                // Windows' lock is mandatory: nobody else can read the locked file, so the
                // name goes beside it too.
                let _ = fs::write(dir.join(HOLDER_FILE), me.as_bytes());
                // Leftovers of writers killed before their rename; what cannot be removed
                // here, `check` lists.
                remove_stale_temps(dir);
                remove_stale_temps(&dir.join(RECORDS_DIR));
                Ok(Lock { _file: file })
            }
            Err(fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                if file.read_to_string(&mut holder).is_err() || holder.trim().is_empty() {
                    holder = read_text(&dir.join(HOLDER_FILE)).unwrap_or_default();
                }
                Err(StoreError::Locked {
                    path,
                    holder: if holder.trim().is_empty() {
                        "неизвестно кто".into()
                    } else {
                        holder.trim().to_string()
                    },
                })
            }
            Err(fs::TryLockError::Error(e)) => Err(io_err(&path)(e)),
        }
    }
}

/// This computer's name, for the lock file; portable (not only Linux's /etc/hostname).
pub fn host_name() -> String {
    let host = gethostname::gethostname()
        .to_string_lossy()
        .trim()
        .to_string();
    if host.is_empty() { "?".into() } else { host }
}

/// Creates an empty campaign in `dir`, which must be missing or empty.
pub fn create(dir: &Path, meta: &Meta) -> Result<(), StoreError> {
    if dir.exists() {
        let mut entries = fs::read_dir(dir).map_err(io_err(dir))?;
        if entries.next().is_some() {
            return Err(StoreError::NotEmpty(dir.to_path_buf()));
        }
    }
    create_private_dir(&dir.join(RECORDS_DIR))?;
    atomic_write(&dir.join(META_FILE), to_ron(meta).as_bytes())
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

/// Saves a record: its file, and the table of points when its points changed. Returns the
/// files written, relative to `dir`, for the commit.
pub fn save_record(dir: &Path, record: &Record) -> Result<Vec<PathBuf>, StoreError> {
    let path = record_path(dir, &record.id)?;
    let table = scores::table(dir)?;
    let row = ScoreRow::of(record);
    let mut written = Vec::new();
    let text = record_text(record);
    if !table.holds(&record.id, &row) {
        let mut table = (*table).clone();
        table.set(&record.id, row);
        scores::write(dir, table)?;
        written.push(PathBuf::from(SCORES_FILE));
        // A change of points alone leaves the record's file as it is (or, for a municipality
        // with points only, without one).
        let on_disk = fs::read_to_string(&path).ok();
        let bare = to_ron(&Record::new(&record.id));
        if on_disk.as_ref().unwrap_or(&bare) == &text {
            return Ok(written);
        }
    }
    // Git keeps no empty folders: a campaign joined before anyone answered has none.
    let records = dir.join(RECORDS_DIR);
    if !records.is_dir() {
        create_private_dir(&records)?;
    }
    atomic_write(&path, text.as_bytes())?;
    written.push(PathBuf::from(RECORDS_DIR).join(format!("{}.ron", record.id)));
    Ok(written)
}

/// A record's file as written: without its points, which the table holds.
pub fn record_text(record: &Record) -> String {
    to_ron(&without_scores(record))
}

fn check_format(path: &Path, format: u32) -> Result<(), StoreError> {
    if format > FORMAT {
        return Err(StoreError::Newer {
            path: path.to_path_buf(),
            format,
        });
    }
    Ok(())
}

/// The `format: N` a file declares, found in the text even when the rest does not parse: a
/// file from a newer sobes may use fields this version does not know.
fn declared_format(text: &str) -> Option<u32> {
    text.match_indices("format").find_map(|(at, word)| {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            return None;
        }
        let rest = text[at + word.len()..].trim_start().strip_prefix(':')?;
        let rest = rest.trim_start();
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

/// Parses a campaign file; a file from a newer sobes is refused as such, whether or not
/// this version can parse it.
pub fn parse_versioned<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    format_of: fn(&T) -> u32,
) -> Result<T, StoreError> {
    match parse_ron::<T>(text, &Origin::from(path)) {
        Ok(value) => {
            check_format(path, format_of(&value))?;
            Ok(value)
        }
        Err(e) => match declared_format(text) {
            Some(format) if format > FORMAT => Err(StoreError::Newer {
                path: path.to_path_buf(),
                format,
            }),
            _ => Err(StoreError::Parse(e)),
        },
    }
}

/// Loads the campaign, every file, and reports every damaged file (not only the first).
/// Municipalities without a file get an empty record.
pub fn load(dir: &Path, registry: &Registry) -> Result<Campaign, Vec<StoreError>> {
    let (meta, files) = open(dir)?;
    let records = parse_records(&files);
    let table = scores::table(dir);
    let (mut records, table) = match (records, table) {
        (Ok(r), Ok(t)) => (r, t),
        (r, t) => {
            let mut errors = r.err().unwrap_or_default();
            errors.extend(t.err());
            return Err(errors);
        }
    };
    scores::join_all(&mut records, &table, |_| true);
    let mut campaign = Campaign {
        meta,
        records,
        last_year: None,
    };
    campaign.add_missing(registry.municipalities.iter().map(|m| m.id.as_str()));
    Ok(campaign)
}

/// `campaign.ron`'s text parsed, refused when a newer sobes wrote it.
pub fn parse_meta(path: &Path, text: &str) -> Result<Meta, StoreError> {
    parse_versioned(path, text, |m: &Meta| m.format)
}

/// The campaign's `campaign.ron` and the list of its record files (sorted), not yet parsed.
pub fn open(dir: &Path) -> Result<(Meta, Vec<PathBuf>), Vec<StoreError>> {
    let meta_path = dir.join(META_FILE);
    if !meta_path.exists() {
        return Err(vec![StoreError::NotACampaign(dir.to_path_buf())]);
    }
    let mut errors = Vec::new();
    let meta: Option<Meta> = read_text(&meta_path)
        .and_then(|t| parse_meta(&meta_path, &t))
        .map_err(|e| errors.push(e))
        .ok();
    let records_dir = dir.join(RECORDS_DIR);
    let mut files: Vec<PathBuf> = match fs::read_dir(&records_dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "ron"))
            .collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            errors.push(io_err(&records_dir)(e));
            Vec::new()
        }
    };
    files.sort();
    match meta {
        Some(meta) if errors.is_empty() => Ok((meta, files)),
        _ => {
            // Damaged records are reported together with a damaged campaign.ron.
            if let Err(more) = parse_records(&files) {
                errors.extend(more);
            }
            Err(errors)
        }
    }
}

/// Parses record files: all of them, or every problem found.
pub fn parse_records(files: &[PathBuf]) -> Result<BTreeMap<String, Record>, Vec<StoreError>> {
    let mut records = BTreeMap::new();
    let mut errors = Vec::new();
    for result in load_records(files) {
        match result {
            Ok(r) => {
                records.insert(r.id.clone(), r);
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(errors)
    }
}

/// How many open conflicts the campaign and its records hold. Only the files that mention
/// conflicts are parsed: a sync counts them over thousands of files.
pub fn count_conflicts(dir: &Path) -> Result<usize, Vec<StoreError>> {
    let (meta, files) = open(dir)?;
    let mut errors = Vec::new();
    let table = scores::table(dir).unwrap_or_else(|e| {
        errors.push(e);
        Default::default()
    });
    let counts = crate::model::parallel::map(&files, 64, |p| -> Result<usize, StoreError> {
        let text = read_text(p)?;
        if !text.contains("conflicts") {
            return Ok(0);
        }
        let record: Record = parse_versioned(p, &text, |r: &Record| r.format)?;
        // Conflicts over points are the table's (counted there) once it has the row, as
        // loading the campaign puts them.
        Ok(match table.row(&record.id) {
            Some(_) => without_scores(&record).conflicts.len(),
            None => record.conflicts.len(),
        })
    });
    let mut total = meta.conflicts.len() + table.conflicts();
    for c in counts {
        match c {
            Ok(n) => total += n,
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(total)
    } else {
        Err(errors)
    }
}

/// The id a record file is named after.
pub fn record_id(path: &Path) -> Option<String> {
    path.file_stem().map(|s| s.to_string_lossy().into_owned())
}

/// Parses the record files on every core; results keep the order of `files`.
fn load_records(files: &[PathBuf]) -> Vec<Result<Record, StoreError>> {
    crate::model::parallel::map(files, 64, |p| load_record(p))
}

fn load_record(path: &Path) -> Result<Record, StoreError> {
    parse_record(path, &read_text(path)?)
}

/// A record file's text parsed and checked: its format, and an id that is its file's name.
pub fn parse_record(path: &Path, text: &str) -> Result<Record, StoreError> {
    let record: Record = parse_versioned(path, text, |r: &Record| r.format)?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    if stem.as_deref() != Some(record.id.as_str()) || !is_safe_id(&record.id) {
        return Err(StoreError::Parse(SourceError::whole(
            Origin::from(path),
            format!(
                "id «{}» внутри файла не совпадает с именем файла или не годится как имя",
                record.id
            ),
        )));
    }
    Ok(record)
}

/// The record of `id` as it is on disk now; None when it has no file.
pub fn read_record(dir: &Path, id: &str) -> Result<Option<Record>, StoreError> {
    let path = record_path(dir, id)?;
    let table = scores::table(dir)?;
    if !path.exists() {
        return Ok(table.row(id).map(|row| record_of(id, Some(row))));
    }
    let mut record = load_record(&path)?;
    crate::model::scores::join(&mut record, table.row(id));
    Ok(Some(record))
}
