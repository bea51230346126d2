//! Campaigns shipped inside the binary (`data/campaigns/<name>/`), for
//! `sobes new DIR --from NAME`: the 2022 interview as far as the letter of 18.10.2022
//! No 10211 tells it, and an empty campaign of another region (Приморский край) with its own
//! registry and monitoring.

use crate::data::DataSet;
use crate::model::campaign::{Record, Value};
use crate::model::change::{Change, Stamp, apply};
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
pub fn create_from(dir: &Path, name: &str, data: &DataSet) -> Result<(), String> {
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
        storage::atomic_write(&dir.join(path), text.as_bytes()).map_err(|e| e.to_string())?;
    }
    // A campaign that brings its own data files (another region's registry …) runs on them.
    let own;
    let data = if files
        .iter()
        .any(|(p, _)| !(*p == META_FILE || p.starts_with(RECORDS_DIR)))
    {
        own = DataSet::load(&crate::data::Overrides::default(), Some(dir))
            .map_err(|errors| crate::model::source::join_errors(&errors))?;
        &own
    } else {
        data
    };
    let campaign = storage::load(dir, &data.registry)
        .map_err(|errors| crate::model::source::join_errors(&errors))?;
    // What the letter does not tell is marked so, not left as a gap that is not real; only
    // in the records the campaign ships (an empty campaign stays empty).
    let shipped = |id: &str| {
        files
            .iter()
            .any(|(p, _)| *p == format!("{RECORDS_DIR}/{id}.ron"))
    };
    for record in campaign.records.values().filter(|r| shipped(&r.id)) {
        let marked = mark_unstated(record, data);
        if &marked != record {
            storage::save_record(dir, &marked).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// The note of an answer the source does not give.
pub const UNSTATED: &str = "не указано в письме";

/// Gives every required question still open on the record's path the answer «нет сведений»
/// with the note «не указано в письме», through the one function that changes records.
pub fn mark_unstated(record: &Record, data: &DataSet) -> Record {
    let stamp = Stamp {
        by: "реконструкция по письму".into(),
        at: record.date.as_deref().map_or_else(
            || "2022-10-18T00:00:00Z".into(),
            |d| format!("{d}T00:00:00Z"),
        ),
    };
    let protocol = &data.protocol;
    let mut record = record.clone();
    // Each round answers the first open question; what it opens is looked at next round.
    loop {
        let live = protocol.live(&record.answers).into_owned();
        let open = protocol
            .questions()
            .map(|(_, q)| q)
            .find(|q| q.required && protocol.is_visible(q, &live) && live.value(&q.id).is_none());
        let Some(q) = open else {
            return record;
        };
        let changes = [
            Change::answer(&record, &q.id, Some(Value::Unknown), &stamp),
            Change::note(&record, &q.id, UNSTATED, &stamp),
        ];
        for c in &changes {
            match apply(&record, c, protocol, &data.dimensions) {
                Ok(r) => record = r,
                Err(_) => return record,
            }
        }
    }
}
