//! `scores.ron`: the monitoring's points of the whole campaign in one file (see
//! [`crate::model::scores`]). A save of one answer asks whether the record's points are
//! already in the table; at thousands of municipalities parsing the table for that would
//! cost more than the save, so the parsed table is kept while the file on disk is the same.

use super::atomic::atomic_write;
use super::{StoreError, parse_versioned, read_text, to_ron};
use crate::model::campaign::Record;
use crate::model::registry::is_safe_id;
use crate::model::scores::ScoreTable;
use crate::model::source::{Origin, SourceError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub const SCORES_FILE: &str = "scores.ron";

/// What tells one version of a file from another without reading it.
#[derive(Clone, PartialEq, Eq, Debug)]
struct Stamp(Vec<i128>);

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(Stamp(vec![
            m.dev() as i128,
            m.ino() as i128,
            m.size() as i128,
            m.mtime() as i128,
            m.mtime_nsec() as i128,
            m.ctime() as i128,
            m.ctime_nsec() as i128,
        ]))
    }
    #[cfg(not(unix))]
    {
        let modified = m
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos() as i128;
        Some(Stamp(vec![m.len() as i128, modified]))
    }
}

static KEPT: Mutex<Option<(PathBuf, Stamp, Arc<ScoreTable>)>> = Mutex::new(None);

/// The campaign's table as on disk now; an empty one when it has none.
pub fn table(dir: &Path) -> Result<Arc<ScoreTable>, StoreError> {
    let path = dir.join(SCORES_FILE);
    let Some(now) = stamp(&path) else {
        if path.exists() {
            // Seen but not stat-able: let the read say why.
            read_text(&path)?;
        }
        return Ok(Arc::new(ScoreTable::new()));
    };
    if let Some((p, s, t)) = KEPT.lock().unwrap_or_else(|e| e.into_inner()).as_ref()
        && *p == path
        && *s == now
    {
        return Ok(t.clone());
    }
    let table = Arc::new(parse_table(&path, &read_text(&path)?)?);
    *KEPT.lock().unwrap_or_else(|e| e.into_inner()) = Some((path, now, table.clone()));
    Ok(table)
}

/// The table's text parsed and checked: its format, and ids that are plain names.
pub fn parse_table(path: &Path, text: &str) -> Result<ScoreTable, StoreError> {
    let table: ScoreTable = parse_versioned(path, text, |t: &ScoreTable| t.format)?;
    // A row names its municipality as a record file does: the same ids are refused.
    if let Some(id) = table.rows.keys().find(|id| !is_safe_id(id)) {
        let line = text[..text.find(&format!("{id:?}")).unwrap_or(0)]
            .matches('\n')
            .count()
            + 1;
        return Err(StoreError::Parse(SourceError::new(
            Origin::from(path),
            line,
            1,
            format!(
                "муниципалитет «{}»: id не годится как имя (ожидались латинские буквы, цифры и «-»)",
                id.escape_debug()
            ),
        )));
    }
    Ok(table)
}

/// The table's text as written to disk.
pub fn text(table: &ScoreTable) -> Vec<u8> {
    to_ron(table).into_bytes()
}

/// Writes the table atomically and keeps it as the parsed version of the file. Returns the
/// text written, for the commit.
pub fn write(dir: &Path, table: ScoreTable) -> Result<Vec<u8>, StoreError> {
    let path = dir.join(SCORES_FILE);
    let text = text(&table);
    atomic_write(&path, &text)?;
    if let Some(now) = stamp(&path) {
        *KEPT.lock().unwrap_or_else(|e| e.into_inner()) = Some((path, now, Arc::new(table)));
    }
    Ok(text)
}

/// Puts the table's rows of the municipalities `wanted` into records read from their files;
/// a row of a municipality without a record file makes its record.
pub fn join_all(
    records: &mut BTreeMap<String, Record>,
    table: &ScoreTable,
    wanted: impl Fn(&str) -> bool,
) {
    for (id, row) in table.rows.iter().filter(|(id, _)| wanted(id)) {
        let record = records.entry(id.clone()).or_insert_with(|| Record::new(id));
        crate::model::scores::join(record, Some(row));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_whose_id_is_not_a_plain_name_is_refused_with_its_line() {
        let tmp = tempfile::tempdir().unwrap();
        let good = "ScoreTable(format: 1, rows: {\n  \"ok-mr\": ScoreRow(),\n";
        std::fs::write(
            tmp.path().join(SCORES_FILE),
            format!("{good}  \"../evil\": ScoreRow(),\n}})\n"),
        )
        .unwrap();
        let e = table(tmp.path()).unwrap_err().to_string();
        assert!(
            e.contains("scores.ron:3:1: муниципалитет «../evil»: id не годится как имя"),
            "{e}"
        );
        std::fs::write(tmp.path().join(SCORES_FILE), format!("{good}}})\n")).unwrap();
        assert_eq!(table(tmp.path()).unwrap().rows.len(), 1);
    }
}
