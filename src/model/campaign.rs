//! A campaign: one autumn's interviews. Per municipality a [`Record`]: answers with notes,
//! who and when, the cluster decisions, and the status that follows from them; last year's
//! outcome to compare with. Its files:
//!
//! - [`fields`]: the settings and facts a campaign has, and how dates, years, periods, names
//!   and the list of reviewers are typed and shown;
//! - [`meta`]: the campaign's settings and the facts of its letter ([`Meta`]);
//! - [`reviewers`]: who reviews, what each may see of the others' clusters, and renaming
//!   a reviewer.

mod fields;
mod meta;
mod reviewers;

pub use super::answer::{Answer, Answers, Value};
use super::clusters::{Dimension, Dimensions};
use super::conflict::Conflict;
pub use super::decision::Decision;
use super::protocol::Protocol;
pub use fields::{
    BLANK, FACTS, FactKind, PREVIOUS, SETTINGS, STANDING_FACTS, fact_kind, field_name, parse_date,
    parse_period, parse_reviewers, parse_year, person_key, show_date, show_stored_date, tidy_name,
};
pub use meta::{FieldConflict, FieldVersion, Meta};
pub use reviewers::{Reader, Renamed};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The version of the campaign file format this build reads and writes.
pub const FORMAT: u32 = 1;

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    #[default]
    NotStarted,
    InProgress,
    Interviewed,
    Reviewed,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::NotStarted => "не начато",
            Status::InProgress => "идёт",
            Status::Interviewed => "опрошен",
            Status::Reviewed => "распределён",
        }
    }

    pub const ALL: [Status; 4] = [
        Status::NotStarted,
        Status::InProgress,
        Status::Interviewed,
        Status::Reviewed,
    ];
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Record {
    pub format: u32,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interviewer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default)]
    pub answers: Answers,
    #[serde(default)]
    pub decisions: BTreeMap<String, Decision>,
    /// Each reviewer's own cluster per dimension (dimension → reviewer → decision), when a
    /// campaign has several reviewers; keyed by reviewer so two laptops never collide.
    /// `decisions` holds the final ones.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ratings: BTreeMap<String, BTreeMap<String, Decision>>,
    /// Last year's answers to questions that rarely change, offered to confirm; not answers
    /// until confirmed (they count for nothing).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub carried: BTreeMap<String, Value>,
    /// The monitoring's points per indicator («1.3»), as recorded or imported.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scores: BTreeMap<String, Score>,
    /// Fields two laptops changed differently, with every version, until someone decides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

/// A monitoring score with who recorded it and when.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Score {
    pub value: i64,
    pub by: String,
    pub at: String,
}

impl Record {
    pub fn new(id: &str) -> Record {
        Record {
            format: FORMAT,
            id: id.to_string(),
            ..Record::default()
        }
    }

    /// Whether anything has been answered or decided (a note alone does not count).
    pub fn is_started(&self) -> bool {
        self.answers.0.values().any(|a| a.value.is_some()) || !self.decisions.is_empty()
    }

    /// The status that follows from the answers and decisions.
    pub fn derive_status(&self, protocol: &Protocol, dims: &Dimensions) -> Status {
        if !self.is_started() {
            return Status::NotStarted;
        }
        if !protocol.progress(&self.answers).complete() {
            return Status::InProgress;
        }
        if dims.0.iter().all(|d| self.decisions.contains_key(&d.id)) {
            Status::Reviewed
        } else {
            Status::Interviewed
        }
    }

    /// The record as everything but the interview screen reads it: the answers to hidden
    /// questions left out ([`Protocol::live`]); borrowed when nothing is hidden.
    pub fn live(&self, protocol: &Protocol) -> Cow<'_, Record> {
        match protocol.live(&self.answers) {
            Cow::Borrowed(_) => Cow::Borrowed(self),
            Cow::Owned(answers) => Cow::Owned(Record {
                answers,
                ..self.clone()
            }),
        }
    }

    /// The scores' values by indicator.
    pub fn score_values(&self) -> BTreeMap<String, i64> {
        self.scores
            .iter()
            .map(|(k, s)| (k.clone(), s.value))
            .collect()
    }

    /// The reviewers' clusters on a dimension, by reviewer (empty with one reviewer).
    pub fn ratings_on(&self, dimension: &str) -> impl Iterator<Item = (&String, &Decision)> {
        self.ratings.get(dimension).into_iter().flatten()
    }

    /// The cluster every reviewer who rated a dimension chose, when they all chose the same.
    pub fn unanimous(&self, dimension: &str) -> Option<u8> {
        let mut clusters = self.ratings_on(dimension).map(|(_, d)| d.cluster);
        let first = clusters.next()?;
        clusters.all(|c| c == first).then_some(first)
    }

    /// Whether reviewers chose different clusters on a dimension.
    pub fn disagreement(&self, dimension: &str) -> bool {
        self.ratings_on(dimension).next().is_some() && self.unanimous(dimension).is_none()
    }

    /// The state of one dimension for this municipality; of a live record ([`Record::live`]).
    pub fn mark(&self, dim: &Dimension) -> Mark {
        let suggestion = dim.suggested_cluster(&self.answers);
        match (self.decisions.get(&dim.id), suggestion) {
            (Some(d), Some(s)) if s == d.cluster => Mark::Confirmed(d.cluster),
            (Some(d), _) if d.reason.is_some() => Mark::Overridden(d.cluster),
            (Some(d), _) => Mark::Stale(d.cluster),
            (None, Some(s)) => Mark::Suggested(s),
            (None, None) => Mark::Unassigned,
        }
    }
}

/// How a municipality stands on one dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Unassigned,
    /// A rule suggests this cluster; nobody has confirmed it.
    Suggested(u8),
    Confirmed(u8),
    /// Decided against the suggestion, with a reason.
    Overridden(u8),
    /// Decided without a reason, but the answers now suggest something else.
    Stale(u8),
}

impl Mark {
    pub fn decided(self) -> Option<u8> {
        match self {
            Mark::Confirmed(n) | Mark::Overridden(n) | Mark::Stale(n) => Some(n),
            Mark::Unassigned | Mark::Suggested(_) => None,
        }
    }

    /// A short cell for tables: «2», «2?» suggested, «2*» overridden, «2!» stale, «—».
    pub fn cell(self) -> String {
        match self {
            Mark::Unassigned => "—".into(),
            Mark::Suggested(n) => format!("{n}?"),
            Mark::Confirmed(n) => n.to_string(),
            Mark::Overridden(n) => format!("{n}*"),
            Mark::Stale(n) => format!("{n}!"),
        }
    }
}

/// A campaign in memory: a record for every municipality of the registry, in registry order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Campaign {
    pub meta: Meta,
    pub records: BTreeMap<String, Record>,
    /// Last year's outcome, attached when the campaign names last year's campaign, so the
    /// letter can say who moved.
    pub last_year: Option<LastYear>,
}

impl Campaign {
    pub fn record(&self, id: &str) -> Option<&Record> {
        self.records.get(id)
    }

    /// The record, borrowed, or an empty one for a municipality nobody has started.
    pub fn record_or_empty(&self, id: &str) -> Cow<'_, Record> {
        match self.records.get(id) {
            Some(r) => Cow::Borrowed(r),
            None => Cow::Owned(Record::new(id)),
        }
    }

    /// Gives every listed municipality without a file an empty record.
    pub fn add_missing<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) {
        for id in ids {
            if !self.records.contains_key(id) {
                self.records.insert(id.to_string(), Record::new(id));
            }
        }
    }

    pub fn record_mut(&mut self, id: &str) -> &mut Record {
        self.records
            .entry(id.to_string())
            .or_insert_with(|| Record::new(id))
    }
}

/// Last year's final clusters and monitoring levels, by municipality; read from last year's
/// campaign by [`LastYear::of`] (in [`crate::model::compare`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LastYear {
    /// Last year's campaign's title.
    pub title: String,
    /// Municipality → dimension → cluster.
    pub clusters: BTreeMap<String, BTreeMap<String, u8>>,
    /// Municipality → the overall monitoring level's index (from the lowest).
    pub levels: BTreeMap<String, usize>,
    /// Municipality → where its level came from (points, or the interview's answer).
    pub sources: BTreeMap<String, LevelSource>,
}

impl LastYear {
    /// Last year's final cluster of a municipality on a dimension.
    pub fn cluster(&self, id: &str, dim: &str) -> Option<u8> {
        self.clusters.get(id)?.get(dim).copied()
    }

    /// Last year's overall monitoring level (its index) of a municipality.
    pub fn level(&self, id: &str) -> Option<usize> {
        self.levels.get(id).copied()
    }
}

/// Where a municipality's monitoring level comes from: the points imported, or, where it
/// has none, the interview's own answer (`monitoring_level`), the level staff know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LevelSource {
    Scores,
    Interview,
}

impl LevelSource {
    /// The source in words, for a report.
    pub fn words(self) -> &'static str {
        match self {
            LevelSource::Scores => "по баллам",
            LevelSource::Interview => "по собеседованию",
        }
    }
}
