//! One way to change a record. A [`Change`] says what changes (an answer, a note, a
//! decision), in which municipality, from what to what, who made it, when and why; [`apply`]
//! checks it against the protocol and the dimensions and returns the new record. The TUI, the
//! command line and the merge of two laptops' records all go through it, so a rule such as
//! "an override needs a reason" lives here and nowhere else.

use super::answer::{Answer, Value};
use super::campaign::{Decision, Record};
use super::clusters::Dimensions;
use super::conflict::Field;
use super::protocol::{MAX_TEXT_CHARS, Protocol, ValueError};
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

/// Applies a change to a record: the new record, or why the change is refused. The value
/// `before` must be the one in the record, so a change made against an older version of a
/// record is refused rather than silently replacing what happened since.
pub fn apply(
    record: &Record,
    change: &Change,
    protocol: &Protocol,
    dims: &Dimensions,
) -> Result<Record, ChangeError> {
    let mut new = record.clone();
    apply_in_place(&mut new, change, protocol, dims)?;
    Ok(new)
}

/// Changes applied one after another, as [`apply`] each: the record is copied once, not
/// once per change (an import brings eighteen scores per municipality).
pub fn apply_all(
    record: &Record,
    changes: &[Change],
    protocol: &Protocol,
    dims: &Dimensions,
) -> Result<Record, ChangeError> {
    let mut new = record.clone();
    for change in changes {
        apply_in_place(&mut new, change, protocol, dims)?;
    }
    Ok(new)
}

/// Every check reads the record before anything in it is changed, so a refused change
/// leaves nothing half done in the field it names.
fn apply_in_place(
    record: &mut Record,
    change: &Change,
    protocol: &Protocol,
    dims: &Dimensions,
) -> Result<(), ChangeError> {
    if change.municipality != record.id {
        return Err(ChangeError::WrongRecord {
            record: record.id.clone(),
            change: change.municipality.clone(),
        });
    }
    if change.by.trim().is_empty() {
        return Err(ChangeError::NoAuthor);
    }
    let stamp = change.stamp();
    // A change to a field in conflict decides it.
    let field = change.what.field();
    match &change.what {
        What::Answer {
            question,
            before,
            after,
        } => {
            expect_before(question, before.as_ref(), record.answers.value(question))?;
            if let Some(value) = after {
                let q = protocol
                    .question(question)
                    .ok_or_else(|| ChangeError::UnknownQuestion(question.clone()))?;
                protocol.check_value(q, value)?;
                protocol.check_bounds(q, value, &protocol.live(&record.answers))?;
            }
            // A number another one may not exceed keeps above it.
            for (_, other) in protocol.questions() {
                if other.at_most.as_deref() == Some(question.as_str())
                    && let Some(v) = record.answers.value(&other.id)
                {
                    let mut after_answers = record.answers.clone();
                    if let Some(value) = after {
                        after_answers.0.entry(question.clone()).or_default().value =
                            Some(value.clone());
                    }
                    protocol.check_bounds(other, v, &protocol.live(&after_answers))?;
                }
            }
            let answer = record.answers.0.entry(question.clone()).or_default();
            answer.value = after.clone();
            touch(answer, &stamp);
            // Last year's value offered for this question has been answered one way or
            // another.
            record.carried.remove(question);
            if after.is_some() && record.interviewer.is_none() {
                record.interviewer = Some(stamp.by.clone());
                record.date = Some(stamp.at.chars().take(10).collect());
            }
            drop_if_empty(record, question);
        }
        What::Note {
            question,
            before,
            after,
        } => {
            expect_before(
                &format!("заметка к {question}"),
                before.as_ref(),
                record.answers.note(question).map(str::to_string).as_ref(),
            )?;
            let after = clean(after.as_deref());
            if let Some(text) = &after
                && text.chars().count() > MAX_TEXT_CHARS
            {
                return Err(ChangeError::NoteTooLong {
                    chars: text.chars().count(),
                });
            }
            let answer = record.answers.0.entry(question.clone()).or_default();
            answer.note = after;
            touch(answer, &stamp);
            drop_if_empty(record, question);
        }
        What::Decision {
            dimension,
            before,
            after,
        } => {
            let current = change.what.cluster_in(record);
            expect_before(dimension, before.as_ref(), current.as_ref())?;
            match after {
                None => {
                    record.decisions.remove(dimension);
                }
                Some(cluster) => {
                    let decision = finally(record, dimension, *cluster, change, protocol, dims)?;
                    record.decisions.insert(dimension.clone(), decision);
                }
            }
        }
        What::Score {
            indicator,
            before,
            after,
        } => {
            let current = record.scores.get(indicator).map(|s| s.value);
            expect_before(indicator, before.as_ref(), current.as_ref())?;
            match after {
                None => {
                    record.scores.remove(indicator);
                }
                Some(v) if *v < 0 => return Err(ChangeError::NegativeScore(*v)),
                Some(v) => {
                    record.scores.insert(
                        indicator.clone(),
                        super::campaign::Score {
                            value: *v,
                            by: stamp.by.clone(),
                            at: stamp.at.clone(),
                        },
                    );
                }
            }
        }
        What::Rating {
            dimension,
            reviewer,
            before,
            after,
        } => {
            if reviewer.trim().is_empty() {
                return Err(ChangeError::NoAuthor);
            }
            let current = change.what.cluster_in(record);
            expect_before(
                &format!("{dimension} ({reviewer})"),
                before.as_ref(),
                current.as_ref(),
            )?;
            match after {
                None => {
                    if let Some(r) = record.ratings.get_mut(dimension) {
                        r.remove(reviewer);
                        if r.is_empty() {
                            record.ratings.remove(dimension);
                        }
                    }
                }
                Some(cluster) => {
                    let rating = decide(record, dimension, *cluster, change, protocol, dims)?;
                    record
                        .ratings
                        .entry(dimension.clone())
                        .or_default()
                        .insert(reviewer.clone(), rating);
                }
            }
        }
    }
    record.conflicts.retain(|c| c.field != field);
    Ok(())
}

/// The final decision. Without reviewers' ratings it is [`decide`]; with them, a cluster
/// every reviewer chose needs no reason of its own (theirs go with it), and any other
/// choice needs one.
fn finally(
    record: &Record,
    dimension: &str,
    cluster: u8,
    change: &Change,
    protocol: &Protocol,
    dims: &Dimensions,
) -> Result<Decision, ChangeError> {
    if record.ratings_on(dimension).next().is_none() {
        return decide(record, dimension, cluster, change, protocol, dims);
    }
    let reason = clean(change.reason.as_deref());
    if record.unanimous(dimension) != Some(cluster) {
        if reason.is_none() {
            let choices: Vec<String> = record
                .ratings_on(dimension)
                .map(|(who, d)| format!("{who} — {}", d.cluster))
                .collect();
            return Err(ChangeError::FinalNeedsReason {
                cluster,
                choices: choices.join(", "),
            });
        }
        return decide(record, dimension, cluster, change, protocol, dims);
    }
    let theirs: Vec<String> = record
        .ratings_on(dimension)
        .filter_map(|(who, d)| d.reason.as_ref().map(|r| format!("{who}: {r}")))
        .collect();
    let agreed = Change {
        reason: reason.or_else(|| (!theirs.is_empty()).then(|| theirs.join("; "))),
        ..change.clone()
    };
    decide(record, dimension, cluster, &agreed, protocol, dims)
}

fn decide(
    record: &Record,
    dimension: &str,
    cluster: u8,
    change: &Change,
    protocol: &Protocol,
    dims: &Dimensions,
) -> Result<Decision, ChangeError> {
    let dim = dims
        .get(dimension)
        .ok_or_else(|| ChangeError::UnknownDimension {
            dimension: dimension.to_string(),
            known: dims
                .0
                .iter()
                .map(|d| d.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    if dim.cluster(cluster).is_none() {
        return Err(ChangeError::UnknownCluster {
            dimension: dim.id.clone(),
            cluster,
            known: dim
                .clusters
                .iter()
                .map(|c| c.number.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let suggested = dim.suggest(&record.answers, protocol).map(|s| s.cluster);
    let reason = clean(change.reason.as_deref());
    if suggested != Some(cluster) && reason.is_none() {
        return Err(ChangeError::ReasonNeeded { suggested, cluster });
    }
    Ok(Decision {
        cluster,
        suggested,
        reason,
        by: change.by.clone(),
        at: change.at.clone(),
    })
}

fn expect_before<T: PartialEq + std::fmt::Debug>(
    field: &str,
    expected: Option<&T>,
    found: Option<&T>,
) -> Result<(), ChangeError> {
    if expected == found {
        return Ok(());
    }
    let show = |v: Option<&T>| v.map_or_else(|| "—".to_string(), |v| format!("{v:?}"));
    Err(ChangeError::Stale {
        field: field.to_string(),
        expected: show(expected),
        found: show(found),
    })
}

fn touch(answer: &mut Answer, stamp: &Stamp) {
    answer.by = stamp.by.clone();
    answer.at = stamp.at.clone();
}

fn drop_if_empty(record: &mut Record, question: &str) {
    if record
        .answers
        .0
        .get(question)
        .is_some_and(|a| a.value.is_none() && a.note.is_none())
    {
        record.answers.0.remove(question);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::campaign::Mark;

    fn stamp() -> Stamp {
        Stamp {
            by: "Тест".into(),
            at: "2026-11-23T10:00:00Z".into(),
        }
    }

    fn run(r: &Record, c: Change) -> Result<Record, ChangeError> {
        apply(r, &c, &Protocol::builtin(), &Dimensions::builtin())
    }

    #[test]
    fn override_needs_reason_and_is_marked() {
        let d = Dimensions::builtin();
        let dim = d.get("regional_active").unwrap();
        let r = Record::new("x");
        let remote = Some(Value::Choice("remote".into()));
        let r = run(&r, Change::answer(&r, "ra_format", remote, &stamp())).unwrap();
        assert_eq!(r.mark(dim), Mark::Suggested(2));
        let dec = |r: &Record, c, why| Change::decision(r, "regional_active", c, why, &stamp());
        assert_eq!(
            run(&r, dec(&r, Some(1), None)),
            Err(ChangeError::ReasonNeeded {
                suggested: Some(2),
                cluster: 1
            })
        );
        assert!(run(&r, dec(&r, Some(1), Some("  "))).is_err());
        assert!(matches!(
            run(&r, dec(&r, Some(4), Some("x"))),
            Err(ChangeError::UnknownCluster { cluster: 4, .. })
        ));
        let r = run(&r, dec(&r, Some(2), Some("так и сказали"))).unwrap();
        let kept = r.decisions["regional_active"].reason.as_deref();
        assert_eq!(kept, Some("так и сказали"), "a reason given is kept");
        assert_eq!(r.mark(dim), Mark::Confirmed(2));
        let r = run(&r, dec(&r, Some(1), Some("на встрече передумали"))).unwrap();
        assert_eq!(r.mark(dim), Mark::Overridden(1));
        let r = run(&r, dec(&r, None, None)).unwrap();
        assert!(r.decisions.is_empty());
        let r = run(&r, dec(&r, Some(2), None)).unwrap();
        let in_person = Some(Value::Choice("in_person".into()));
        let r = run(&r, Change::answer(&r, "ra_format", in_person, &stamp())).unwrap();
        assert_eq!(r.mark(dim), Mark::Stale(2));
    }

    #[test]
    fn note_survives_clearing_the_value() {
        let r = Record::new("x");
        let r = run(
            &r,
            Change::answer(&r, "methodists", Some(Value::Number(3)), &stamp()),
        )
        .unwrap();
        let r = run(
            &r,
            Change::note(&r, "methodists", " двое на полставки ", &stamp()),
        )
        .unwrap();
        let r = run(&r, Change::answer(&r, "methodists", None, &stamp())).unwrap();
        assert_eq!(r.answers.note("methodists"), Some("двое на полставки"));
        let r = run(&r, Change::note(&r, "methodists", "", &stamp())).unwrap();
        assert!(r.answers.0.is_empty());
        assert_eq!(r.interviewer.as_deref(), Some("Тест"));
        assert_eq!(r.date.as_deref(), Some("2026-11-23"));
    }

    #[test]
    fn a_change_made_against_another_version_is_refused() {
        let r = Record::new("x");
        let first = Change::answer(&r, "methodists", Some(Value::Number(3)), &stamp());
        let late = Change::answer(&r, "methodists", Some(Value::Number(5)), &stamp());
        let r = run(&r, first).unwrap();
        assert!(matches!(run(&r, late), Err(ChangeError::Stale { .. })));
        let other = Record::new("y");
        let wrong = Change::answer(&other, "methodists", None, &stamp());
        assert!(matches!(
            run(&r, wrong),
            Err(ChangeError::WrongRecord { .. })
        ));
    }

    #[test]
    fn values_are_checked_against_the_protocol() {
        let r = Record::new("x");
        let bad = Change::answer(
            &r,
            "methodists",
            Some(Value::Text("много".into())),
            &stamp(),
        );
        assert!(matches!(run(&r, bad), Err(ChangeError::Value(_))));
        let unknown = Change::answer(&r, "no_such_question", Some(Value::Bool(true)), &stamp());
        assert!(matches!(
            run(&r, unknown),
            Err(ChangeError::UnknownQuestion(_))
        ));
        let long = "ы".repeat(MAX_TEXT_CHARS + 1);
        assert!(matches!(
            run(&r, Change::note(&r, "methodists", &long, &stamp())),
            Err(ChangeError::NoteTooLong { .. })
        ));
        let nobody = Stamp {
            by: " ".into(),
            at: "2026-11-23T10:00:00Z".into(),
        };
        let anon = Change::answer(&r, "methodists", Some(Value::Number(3)), &nobody);
        assert_eq!(run(&r, anon), Err(ChangeError::NoAuthor));
    }

    #[test]
    fn an_answer_to_a_removed_question_can_still_be_cleared() {
        let mut r = Record::new("x");
        r.answers.0.insert(
            "old_question".into(),
            Answer {
                value: Some(Value::Bool(true)),
                note: None,
                by: "А".into(),
                at: "2022-09-14T10:00:00Z".into(),
            },
        );
        let r = run(&r, Change::answer(&r, "old_question", None, &stamp())).unwrap();
        assert!(r.answers.0.is_empty());
    }
}
