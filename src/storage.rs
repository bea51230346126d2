//! The campaign on disk: `campaign.ron`, `municipalities/<id>.ron` and the monitoring's
//! points in `scores.ron`, written atomically, guarded by a lock file that only one writer
//! holds.
//!
//! This file holds what every file of a campaign shares: the errors and their words, reading
//! a file's text, RON as sobes writes it, and the format a file declares. Its files: `names`
//! (where each file is, and what a write leaves beside it), `atomic` (writes that a crash
//! leaves old or new, and flushing them), `remove` (removing what killed writers left, and
//! files git made read-only), `lock` (the one writer), `scores` (the table of points),
//! `records` (the campaign loaded, a record saved).

mod atomic;
mod lock;
mod names;
mod records;
mod remove;
pub mod scores;
pub use atomic::{
    CAN_FLUSH_ALL, atomic_write, create_private_dir, flush_all, private_umask, replace, swap_in,
    sync_dir, write_document, write_many,
};
pub use lock::{HOLDER_FILE, LOCK_FILE, Lock, host_name};
pub use names::{backup_of, backup_path, dir_of, portable_file_name, record_id, record_path};
pub use records::{
    count_conflicts, create, load, open, parse_meta, parse_record, parse_records, read_record,
    record_text, save_record,
};
pub use remove::{
    leftover_temps, remove_dead_temps_of, remove_file, remove_stale_temps, remove_tree,
};
pub use scores::SCORES_FILE;

use crate::model::campaign::FORMAT;
use crate::model::source::{Origin, SourceError, parse_ron};
use serde::Serialize;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

pub const META_FILE: &str = "campaign.ron";
pub const RECORDS_DIR: &str = "municipalities";

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
