//! Campaigns shipped inside the binary (`data/campaigns/<name>/`), for
//! `sobes new DIR --from NAME`: the 2022 interview as far as the letter of 18.10.2022
//! No 10211 tells it.

use crate::model::registry::Registry;
use crate::storage::{self, META_FILE, RECORDS_DIR, StoreError};
use std::fs;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/campaigns.rs"));

/// The names of the shipped campaigns.
pub fn names() -> Vec<&'static str> {
    CAMPAIGNS.iter().map(|(n, _)| *n).collect()
}

/// The files of a shipped campaign: (path relative to the campaign directory, text).
pub fn files(name: &str) -> Option<&'static [(&'static str, &'static str)]> {
    CAMPAIGNS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// Writes the shipped campaign `name` into `dir`, which must be missing or empty, and checks
/// that it loads against `registry`.
pub fn create_from(dir: &Path, name: &str, registry: &Registry) -> Result<(), String> {
    let files = files(name).ok_or_else(|| {
        format!(
            "нет встроенной кампании «{name}»; есть: {}",
            names().join(", ")
        )
    })?;
    if dir.exists() {
        let mut entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        if entries.next().is_some() {
            return Err(StoreError::NotEmpty(dir.to_path_buf()).to_string());
        }
    }
    storage::create_private_dir(&dir.join(RECORDS_DIR)).map_err(|e| e.to_string())?;
    for (path, text) in files {
        debug_assert!(*path == META_FILE || path.starts_with(RECORDS_DIR));
        storage::atomic_write(&dir.join(path), text.as_bytes()).map_err(|e| e.to_string())?;
    }
    storage::load(dir, registry).map_err(|errors| {
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok(())
}
