//! The campaign loaded (every file, every damaged one reported) and made, a record saved and
//! read back, the open conflicts counted.

use super::atomic::{atomic_write, create_private_dir};
use super::names::record_path;
use super::{
    META_FILE, RECORDS_DIR, SCORES_FILE, StoreError, io_err, parse_versioned, read_text, scores,
    to_ron,
};
use crate::model::campaign::{Campaign, Meta, Record};
use crate::model::registry::{Registry, is_safe_id};
use crate::model::scores::{ScoreRow, record_of, without_scores};
use crate::model::source::{Origin, SourceError};
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

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
