//! One way to change a record. A [`Change`] says what changes (an answer, a note, a
//! decision), in which municipality, from what to what, who made it, when and why; [`apply`]
//! checks it against the protocol and the dimensions and returns the new record. The TUI, the
//! command line and the merge of two laptops' records all go through it, so a rule such as
//! "an override needs a reason" lives here and nowhere else. What a change is lives here;
//! how it is checked and applied, in `change/apply.rs`.

mod apply;

use super::answer::Value;
use super::campaign::Record;
use super::clusters::Dimensions;
use super::conflict::Field;
use super::protocol::{MAX_TEXT_CHARS, Protocol, ValueError};
pub use apply::{apply, apply_all};
use serde::{Deserialize, Serialize};

/// Who made a change and when (UTC, RFC 3339).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub by: String,
    pub at: String,
}

/// The field a change touches, with its value before and after; `None` after is clearing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum What {
    Answer {
        question: String,
        before: Option<Value>,
        after: Option<Value>,
    },
    Note {
        question: String,
        before: Option<String>,
        after: Option<String>,
    },
    /// The final decision on a dimension: what the annex, the review and the status use.
    Decision {
        dimension: String,
        before: Option<u8>,
        after: Option<u8>,
    },
    /// The monitoring's points on an indicator.
    Score {
        indicator: String,
        before: Option<i64>,
        after: Option<i64>,
    },
    /// One reviewer's own cluster, when a campaign has several reviewers.
    Rating {
        dimension: String,
        reviewer: String,
        before: Option<u8>,
        after: Option<u8>,
    },
}

impl What {
    /// The field this change is about.
    pub fn field(&self) -> Field {
        match self {
            What::Answer { question, .. } => Field::Answer(question.clone()),
            What::Note { question, .. } => Field::Note(question.clone()),
            What::Decision { dimension, .. } => Field::Decision(dimension.clone()),
            What::Rating {
                dimension,
                reviewer,
                ..
            } => Field::Rating(dimension.clone(), reviewer.clone()),
            What::Score { indicator, .. } => Field::Score(indicator.clone()),
        }
    }

    /// The cluster a record holds now in the field a decision or a rating touches.
    pub fn cluster_in(&self, record: &Record) -> Option<u8> {
        match self {
            What::Decision { dimension, .. } => record.decisions.get(dimension),
            What::Rating {
                dimension,
                reviewer,
                ..
            } => record.ratings.get(dimension).and_then(|r| r.get(reviewer)),
            What::Answer { .. } | What::Note { .. } | What::Score { .. } => None,
        }
        .map(|d| d.cluster)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub municipality: String,
    pub what: What,
    /// Why: required for a cluster other than the suggested one.
    pub reason: Option<String>,
    pub by: String,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("изменение относится к «{change}», а запись — к «{record}»")]
    WrongRecord { record: String, change: String },
    #[error("не указано, кто вносит изменение")]
    NoAuthor,
    #[error("в протоколе нет вопроса «{0}»")]
    UnknownQuestion(String),
    #[error(transparent)]
    Value(#[from] ValueError),
    #[error("заметка слишком длинная: {chars} знаков, можно до {MAX_TEXT_CHARS}")]
    NoteTooLong { chars: usize },
    #[error("нет измерения «{dimension}»; есть: {known}")]
    UnknownDimension { dimension: String, known: String },
    #[error("в измерении «{dimension}» нет кластера {cluster}; есть: {known}")]
    UnknownCluster {
        dimension: String,
        cluster: u8,
        known: String,
    },
    #[error("{}", reason_needed(*.suggested, *.cluster))]
    ReasonNeeded { suggested: Option<u8>, cluster: u8 },
    #[error("балл не может быть меньше нуля: {0}")]
    NegativeScore(i64),
    #[error(
        "рецензенты разошлись ({choices}); для окончательного кластера {cluster} нужна причина"
    )]
    FinalNeedsReason { cluster: u8, choices: String },
    /// A name off the campaign's list of reviewers ([`super::campaign::Meta::reviewer_for_writing`]).
    #[error("{0}; оценку и решение записывает только рецензент из списка (sobes --as ИМЯ)")]
    NotAReviewer(String),
    #[error("«{field}» уже изменено: ожидалось «{expected}», а в записи «{found}»")]
    Stale {
        field: String,
        expected: String,
        found: String,
    },
}

/// Refuses ratings and decisions by a name off the campaign's list of reviewers (it would
/// become one more reviewer in the agreement), and a rating filed under such a name: the
/// one check for every writer (the CLI under the lock, the TUI before it saves).
pub fn check_writers(meta: &super::campaign::Meta, changes: &[Change]) -> Result<(), ChangeError> {
    for c in changes {
        let names: &[&str] = match &c.what {
            What::Rating { reviewer, .. } => &[&c.by, reviewer],
            What::Decision { .. } => &[&c.by],
            _ => &[],
        };
        for name in names {
            meta.reviewer_for_writing(name)
                .map_err(ChangeError::NotAReviewer)?;
        }
    }
    Ok(())
}

fn reason_needed(suggested: Option<u8>, cluster: u8) -> String {
    match suggested {
        Some(s) => {
            format!("по ответам подсказан кластер {s}; чтобы выбрать {cluster}, нужна причина")
        }
        None => format!("по ответам кластер не подсказан; чтобы выбрать {cluster}, нужна причина"),
    }
}

fn clean(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

impl Change {
    /// Whether the change is to the monitoring's points (kept apart from the record's file).
    pub fn touches_scores(&self) -> bool {
        matches!(self.what, What::Score { .. })
    }

    /// Sets (or with `None`, clears) the value of an answer; the note stays.
    pub fn answer(record: &Record, question: &str, after: Option<Value>, stamp: &Stamp) -> Change {
        Change::new(
            record,
            What::Answer {
                question: question.to_string(),
                before: record.answers.value(question).cloned(),
                after,
            },
            None,
            stamp,
        )
    }

    /// Sets the note of an answer; an empty text clears it.
    pub fn note(record: &Record, question: &str, text: &str, stamp: &Stamp) -> Change {
        Change::new(
            record,
            What::Note {
                question: question.to_string(),
                before: record.answers.note(question).map(str::to_string),
                after: clean(Some(text)),
            },
            None,
            stamp,
        )
    }

    /// Decides (or with `None`, clears the decision on) a dimension.
    pub fn decision(
        record: &Record,
        dimension: &str,
        after: Option<u8>,
        reason: Option<&str>,
        stamp: &Stamp,
    ) -> Change {
        Change::new(
            record,
            What::Decision {
                dimension: dimension.to_string(),
                before: record.decisions.get(dimension).map(|d| d.cluster),
                after,
            },
            clean(reason),
            stamp,
        )
    }

    /// Records (or with `None`, clears) the points of a monitoring indicator; the scale is
    /// checked by [`super::monitoring::Monitoring::check_score`] before.
    pub fn score(record: &Record, indicator: &str, after: Option<i64>, stamp: &Stamp) -> Change {
        Change::new(
            record,
            What::Score {
                indicator: indicator.to_string(),
                before: record.scores.get(indicator).map(|s| s.value),
                after,
            },
            None,
            stamp,
        )
    }

    /// Records (or with `None`, clears) one reviewer's own cluster on a dimension.
    pub fn rating(
        record: &Record,
        dimension: &str,
        reviewer: &str,
        after: Option<u8>,
        reason: Option<&str>,
        stamp: &Stamp,
    ) -> Change {
        Change::new(
            record,
            What::Rating {
                dimension: dimension.to_string(),
                reviewer: reviewer.to_string(),
                before: record
                    .ratings
                    .get(dimension)
                    .and_then(|r| r.get(reviewer))
                    .map(|d| d.cluster),
                after,
            },
            clean(reason),
            stamp,
        )
    }

    fn new(record: &Record, what: What, reason: Option<String>, stamp: &Stamp) -> Change {
        Change {
            municipality: record.id.clone(),
            what,
            reason,
            by: stamp.by.clone(),
            at: stamp.at.clone(),
        }
    }

    /// The change in a line of Russian, for the history: ««Сколько методистов?» = 3».
    pub fn describe(&self, protocol: &Protocol, dims: &Dimensions) -> String {
        let question = |q: &str| {
            protocol
                .question(q)
                .map_or(q.to_string(), |q| q.text.clone())
        };
        match &self.what {
            What::Answer {
                question: q, after, ..
            } => match (protocol.question(q), after) {
                (Some(qq), Some(v)) => format!("«{}» = {}", qq.text, protocol.show_value(qq, v)),
                (None, Some(v)) => format!("«{q}» = {v:?}"),
                (_, None) => format!("«{}»: ответ стёрт", question(q)),
            },
            What::Note {
                question: q, after, ..
            } => match after {
                Some(n) => format!("заметка к «{}»: {n}", question(q)),
                None => format!("заметка к «{}» стёрта", question(q)),
            },
            What::Score {
                indicator, after, ..
            } => match after {
                Some(v) => format!("мониторинг, показатель {indicator}: {v}"),
                None => format!("мониторинг, показатель {indicator}: балл стёрт"),
            },
            What::Decision {
                dimension, after, ..
            }
            | What::Rating {
                dimension, after, ..
            } => {
                let title = dims
                    .get(dimension)
                    .map_or(dimension.as_str(), |d| d.title.as_str());
                let (whose, gone) = match &self.what {
                    What::Rating { reviewer, .. } => (
                        format!("{reviewer} — "),
                        format!("оценка {reviewer} стёрта"),
                    ),
                    _ => (String::new(), "решение стёрто".to_string()),
                };
                match (after, &self.reason) {
                    (Some(c), Some(r)) => format!("«{title}»: {whose}кластер {c} ({r})"),
                    (Some(c), None) => format!("«{title}»: {whose}кластер {c}"),
                    (None, _) => format!("«{title}»: {gone}"),
                }
            }
        }
    }

    fn stamp(&self) -> Stamp {
        Stamp {
            by: self.by.clone(),
            at: self.at.clone(),
        }
    }
}
