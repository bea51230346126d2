//! An error for the user with the exit code it carries, warnings, and damaged campaign files
//! said with their backups and whether the history heals them.

use crate::history::HistoryError;
use crate::storage::{self, StoreError};
use std::path::Path;

/// An error for the user and the exit code it carries.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code: 1,
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::new(e.to_string())
    }
}

impl From<HistoryError> for Failure {
    fn from(e: HistoryError) -> Self {
        Failure::new(e.to_string())
    }
}

impl From<crate::model::change::ChangeError> for Failure {
    fn from(e: crate::model::change::ChangeError) -> Self {
        Failure::new(e.to_string())
    }
}

/// A warning on stderr; what it quotes (a name typed, a cell of a table, a name in a record)
/// cannot drive the terminal.
pub fn warn(message: &str) {
    eprintln!("sobes: {}", crate::model::collate::escape_controls(message));
}

/// Damaged campaign files, each with its backup when there is one.
pub fn damaged(errors: &[StoreError]) -> Failure {
    let mut lines: Vec<String> = errors.iter().map(StoreError::with_backup).collect();
    if errors
        .iter()
        .any(|e| e.path().is_some_and(heals_from_history))
    {
        lines.push(
            "последнее сохранённое есть в истории кампании: sobes repair (или любая запись ответа) вернёт файл оттуда, а повреждённый сохранит рядом".into(),
        );
    }
    Failure::new(lines.join("\n"))
}

/// Whether every error is a campaign file's text that does not read, in a campaign with a
/// history: the damage a write heals from the history. A file sobes cannot open or one from
/// a newer sobes is refused instead, nothing written.
pub fn healable(errors: &[StoreError]) -> bool {
    errors
        .iter()
        .all(|e| matches!(e, StoreError::Parse(_)) && e.path().is_some_and(heals_from_history))
}

/// Whether `file` is a campaign's own file (campaign.ron, the points, a record) in a
/// campaign with a history, which a write heals from it.
fn heals_from_history(file: &Path) -> bool {
    let Some(parent) = file.parent() else {
        return false;
    };
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let dir = if name == storage::META_FILE || name == storage::SCORES_FILE {
        parent
    } else if parent.file_name().and_then(|n| n.to_str()) == Some(storage::RECORDS_DIR)
        && name.ends_with(".ron")
    {
        parent.parent().unwrap_or(parent)
    } else {
        return false;
    };
    dir.join(".git").is_dir()
}
