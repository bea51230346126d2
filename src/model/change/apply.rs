//! Applying a [`Change`] to a record: whose it is, whether it was made against the record
//! as it is, the checks of the field it touches (the protocol's for an answer, the
//! dimensions' and the reason rule for a cluster), then the field set.

use super::{Change, ChangeError, Stamp, What, clean};
use crate::model::answer::{Answer, Value};
use crate::model::campaign::{Decision, Record, Score};
use crate::model::clusters::Dimensions;
use crate::model::protocol::{MAX_TEXT_CHARS, Protocol};

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
    check_whose(record, change)?;
    check_before(record, &change.what)?;
    let stamp = change.stamp();
    match &change.what {
        What::Answer {
            question, after, ..
        } => set_answer(record, question, after.as_ref(), protocol, &stamp)?,
        What::Note {
            question, after, ..
        } => set_note(record, question, after.as_deref(), &stamp)?,
        What::Decision {
            dimension, after, ..
        } => set_decision(record, dimension, *after, change, protocol, dims)?,
        What::Score {
            indicator, after, ..
        } => set_score(record, indicator, *after, &stamp)?,
        What::Rating {
            dimension,
            reviewer,
            after,
            ..
        } => set_rating(record, dimension, reviewer, *after, change, protocol, dims)?,
    }
    // A change to a field in conflict decides it.
    let field = change.what.field();
    record.conflicts.retain(|c| c.field != field);
    Ok(())
}

/// The change is to this record and says who makes it (and, for a rating, whose it is).
fn check_whose(record: &Record, change: &Change) -> Result<(), ChangeError> {
    if change.municipality != record.id {
        return Err(ChangeError::WrongRecord {
            record: record.id.clone(),
            change: change.municipality.clone(),
        });
    }
    let reviewer = match &change.what {
        What::Rating { reviewer, .. } => Some(reviewer),
        _ => None,
    };
    if change.by.trim().is_empty() || reviewer.is_some_and(|r| r.trim().is_empty()) {
        return Err(ChangeError::NoAuthor);
    }
    Ok(())
}

/// The value the change found before is the one the record holds now.
fn check_before(record: &Record, what: &What) -> Result<(), ChangeError> {
    match what {
        What::Answer {
            question, before, ..
        } => expect_before(question, before.as_ref(), record.answers.value(question)),
        What::Note {
            question, before, ..
        } => expect_before(
            &format!("заметка к {question}"),
            before.as_ref(),
            record.answers.note(question).map(str::to_string).as_ref(),
        ),
        What::Decision {
            dimension, before, ..
        } => expect_before(dimension, before.as_ref(), what.cluster_in(record).as_ref()),
        What::Score {
            indicator, before, ..
        } => expect_before(
            indicator,
            before.as_ref(),
            record.scores.get(indicator).map(|s| s.value).as_ref(),
        ),
        What::Rating {
            dimension,
            reviewer,
            before,
            ..
        } => expect_before(
            &format!("{dimension} ({reviewer})"),
            before.as_ref(),
            what.cluster_in(record).as_ref(),
        ),
    }
}

/// An answer the protocol allows, within the bounds of the answers around it.
fn set_answer(
    record: &mut Record,
    question: &str,
    after: Option<&Value>,
    protocol: &Protocol,
    stamp: &Stamp,
) -> Result<(), ChangeError> {
    if let Some(value) = after {
        let q = protocol
            .question(question)
            .ok_or_else(|| ChangeError::UnknownQuestion(question.to_string()))?;
        protocol.check_value(q, value)?;
        protocol.check_bounds(q, value, &protocol.live(&record.answers))?;
    }
    // A number another one may not exceed keeps above it.
    for (_, other) in protocol.questions() {
        if other.at_most.as_deref() == Some(question)
            && let Some(v) = record.answers.value(&other.id)
        {
            let mut after_answers = record.answers.clone();
            if let Some(value) = after {
                after_answers
                    .0
                    .entry(question.to_string())
                    .or_default()
                    .value = Some(value.clone());
            }
            protocol.check_bounds(other, v, &protocol.live(&after_answers))?;
        }
    }
    let answer = record.answers.0.entry(question.to_string()).or_default();
    answer.value = after.cloned();
    touch(answer, stamp);
    // Last year's value offered for this question has been answered one way or another.
    record.carried.remove(question);
    if after.is_some() && record.interviewer.is_none() {
        record.interviewer = Some(stamp.by.clone());
        record.date = Some(stamp.at.chars().take(10).collect());
    }
    drop_if_empty(record, question);
    Ok(())
}

fn set_note(
    record: &mut Record,
    question: &str,
    after: Option<&str>,
    stamp: &Stamp,
) -> Result<(), ChangeError> {
    let after = clean(after);
    if let Some(text) = &after
        && text.chars().count() > MAX_TEXT_CHARS
    {
        return Err(ChangeError::NoteTooLong {
            chars: text.chars().count(),
        });
    }
    let answer = record.answers.0.entry(question.to_string()).or_default();
    answer.note = after;
    touch(answer, stamp);
    drop_if_empty(record, question);
    Ok(())
}

fn set_decision(
    record: &mut Record,
    dimension: &str,
    after: Option<u8>,
    change: &Change,
    protocol: &Protocol,
    dims: &Dimensions,
) -> Result<(), ChangeError> {
    match after {
        None => {
            record.decisions.remove(dimension);
        }
        Some(cluster) => {
            let decision = final_decision(record, dimension, cluster, change, protocol, dims)?;
            record.decisions.insert(dimension.to_string(), decision);
        }
    }
    Ok(())
}

fn set_score(
    record: &mut Record,
    indicator: &str,
    after: Option<i64>,
    stamp: &Stamp,
) -> Result<(), ChangeError> {
    match after {
        None => {
            record.scores.remove(indicator);
        }
        Some(v) if v < 0 => return Err(ChangeError::NegativeScore(v)),
        Some(v) => {
            record.scores.insert(
                indicator.to_string(),
                Score {
                    value: v,
                    by: stamp.by.clone(),
                    at: stamp.at.clone(),
                },
            );
        }
    }
    Ok(())
}

fn set_rating(
    record: &mut Record,
    dimension: &str,
    reviewer: &str,
    after: Option<u8>,
    change: &Change,
    protocol: &Protocol,
    dims: &Dimensions,
) -> Result<(), ChangeError> {
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
            let rating = decide(record, dimension, cluster, change, protocol, dims)?;
            record
                .ratings
                .entry(dimension.to_string())
                .or_default()
                .insert(reviewer.to_string(), rating);
        }
    }
    Ok(())
}

/// The final decision. Without reviewers' ratings it is [`decide`]; with them, a cluster
/// every reviewer chose needs no reason of its own (theirs go with it), and any other
/// choice needs one.
fn final_decision(
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
