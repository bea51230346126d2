//! The monitoring's points of every municipality as the campaign keeps them: one table beside
//! the records, not a part of each record file. A monitoring arrives as one spreadsheet for
//! the whole region, so an import writes (and commits) one file instead of rewriting every
//! record. In memory the points stay in [`Record::scores`]; the table is how they are stored.

use super::campaign::{FORMAT, Record, Score};
use super::conflict::{Conflict, Field};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every municipality's points, by municipality id; a municipality without points has no row.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct ScoreTable {
    pub format: u32,
    #[serde(default)]
    pub rows: BTreeMap<String, ScoreRow>,
}

/// One municipality's points, grouped by who recorded them and when (an import stamps a
/// whole row alike, so the row stays one short line), and the points two laptops changed
/// differently.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct ScoreRow {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<Points>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

/// Points recorded by one person at one moment, by indicator.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Points {
    pub by: String,
    pub at: String,
    pub values: BTreeMap<String, i64>,
}

impl ScoreRow {
    pub fn is_empty(&self) -> bool {
        self.points.is_empty() && self.conflicts.is_empty()
    }

    /// The row of a record: its points and its conflicts over points.
    pub fn of(record: &Record) -> ScoreRow {
        let mut groups: BTreeMap<(&str, &str), BTreeMap<String, i64>> = BTreeMap::new();
        for (indicator, s) in &record.scores {
            groups
                .entry((s.at.as_str(), s.by.as_str()))
                .or_default()
                .insert(indicator.clone(), s.value);
        }
        ScoreRow {
            points: groups
                .into_iter()
                .map(|((at, by), values)| Points {
                    by: by.to_string(),
                    at: at.to_string(),
                    values,
                })
                .collect(),
            conflicts: record
                .conflicts
                .iter()
                .filter(|c| is_score(c))
                .cloned()
                .collect(),
        }
    }

    /// The points by indicator, as a record holds them.
    pub fn scores(&self) -> BTreeMap<String, Score> {
        let mut out = BTreeMap::new();
        for p in &self.points {
            for (indicator, value) in &p.values {
                out.insert(
                    indicator.clone(),
                    Score {
                        value: *value,
                        by: p.by.clone(),
                        at: p.at.clone(),
                    },
                );
            }
        }
        out
    }
}

fn is_score(c: &Conflict) -> bool {
    matches!(c.field, Field::Score(_))
}

/// What the record's own file holds: everything but the points and their conflicts.
pub fn without_scores(record: &Record) -> Record {
    Record {
        scores: BTreeMap::new(),
        conflicts: record
            .conflicts
            .iter()
            .filter(|c| !is_score(c))
            .cloned()
            .collect(),
        ..record.clone()
    }
}

/// Puts a row into the record read from its file. Without a row the record keeps what its
/// file holds: a campaign written before the table kept the points in the record files, and
/// they stay until the record is next saved (and then go to the table).
pub fn join(record: &mut Record, row: Option<&ScoreRow>) {
    let Some(row) = row else {
        return;
    };
    record.scores = row.scores();
    record.conflicts.retain(|c| !is_score(c));
    record.conflicts.extend(row.conflicts.iter().cloned());
}

/// The record of a municipality that has no file of its own: its row only.
pub fn record_of(id: &str, row: Option<&ScoreRow>) -> Record {
    let mut record = Record::new(id);
    join(&mut record, row);
    record
}

impl ScoreTable {
    pub fn new() -> ScoreTable {
        ScoreTable {
            format: FORMAT,
            rows: BTreeMap::new(),
        }
    }

    /// The row of `id`, None for a municipality without points.
    pub fn row(&self, id: &str) -> Option<&ScoreRow> {
        self.rows.get(id)
    }

    /// Sets the row of `id`; an empty row is removed. Returns whether anything changed.
    pub fn set(&mut self, id: &str, row: ScoreRow) -> bool {
        if row.is_empty() {
            return self.rows.remove(id).is_some();
        }
        if self.rows.get(id) == Some(&row) {
            return false;
        }
        self.rows.insert(id.to_string(), row);
        true
    }

    /// Whether the table already holds `row` for `id` (a missing row holds nothing).
    pub fn holds(&self, id: &str, row: &ScoreRow) -> bool {
        match self.rows.get(id) {
            Some(r) => r == row,
            None => row.is_empty(),
        }
    }

    /// How many conflicts over points the table holds.
    pub fn conflicts(&self) -> usize {
        self.rows.values().map(|r| r.conflicts.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(value: i64, by: &str, at: &str) -> Score {
        Score {
            value,
            by: by.into(),
            at: at.into(),
        }
    }

    #[test]
    fn a_row_groups_points_by_stamp_and_gives_them_back() {
        let mut r = Record::new("a");
        r.scores
            .insert("1.1".into(), score(3, "Анна", "2026-05-01T10:00:00Z"));
        r.scores
            .insert("1.2".into(), score(4, "Анна", "2026-05-01T10:00:00Z"));
        r.scores
            .insert("2.1".into(), score(1, "Пётр", "2026-05-02T10:00:00Z"));
        let row = ScoreRow::of(&r);
        assert_eq!(row.points.len(), 2);
        assert_eq!(row.points[0].values.len(), 2);
        assert_eq!(row.scores(), r.scores);
        let mut back = without_scores(&r);
        assert!(back.scores.is_empty());
        join(&mut back, Some(&row));
        assert_eq!(back, r);
    }

    #[test]
    fn without_a_row_the_file_keeps_its_points_and_an_empty_row_is_removed() {
        let mut r = Record::new("a");
        r.scores
            .insert("1.1".into(), score(3, "Анна", "2026-05-01T10:00:00Z"));
        let before = r.clone();
        join(&mut r, None);
        assert_eq!(r, before);
        let mut t = ScoreTable::new();
        let row = ScoreRow::of(&r);
        assert!(!t.holds("a", &row));
        assert!(t.set("a", row.clone()));
        assert!(t.holds("a", &row));
        assert!(!t.set("a", row));
        assert!(t.set("a", ScoreRow::default()));
        assert!(t.rows.is_empty());
        assert!(t.holds("a", &ScoreRow::default()));
    }
}
