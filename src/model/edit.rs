//! Changes to a municipality's record, shared by the command line and the TUI.

use super::campaign::{Answer, Decision, Record, Value, check_decision};
use super::clusters::{Dimension, Dimensions};
use super::protocol::Protocol;

/// Who made a change and when.
#[derive(Clone, Debug)]
pub struct Stamp {
    pub by: String,
    pub at: String,
}

/// Records (or with `None`, clears) the value of an answer, keeping its note.
pub fn set_value(record: &mut Record, question: &str, value: Option<Value>, stamp: &Stamp) {
    let answer = record.answers.0.entry(question.to_string()).or_default();
    answer.value = value;
    touch(answer, stamp);
    if record.interviewer.is_none() {
        record.interviewer = Some(stamp.by.clone());
        record.date = Some(stamp.at.chars().take(10).collect());
    }
    drop_if_empty(record, question);
}

/// Sets (or with an empty text, clears) the note of an answer.
pub fn set_note(record: &mut Record, question: &str, note: &str, stamp: &Stamp) {
    let answer = record.answers.0.entry(question.to_string()).or_default();
    let note = note.trim();
    answer.note = (!note.is_empty()).then(|| note.to_string());
    touch(answer, stamp);
    drop_if_empty(record, question);
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

/// Records a decision; a cluster other than the suggested one needs a reason.
pub fn decide(
    record: &mut Record,
    dim: &Dimension,
    protocol: &Protocol,
    cluster: u8,
    reason: Option<&str>,
    stamp: &Stamp,
) -> Result<(), String> {
    if dim.cluster(cluster).is_none() {
        let known: Vec<String> = dim.clusters.iter().map(|c| c.number.to_string()).collect();
        return Err(format!(
            "в измерении «{}» нет кластера {cluster}; есть: {}",
            dim.id,
            known.join(", ")
        ));
    }
    let suggestion = dim.suggest(&record.answers, protocol);
    check_decision(suggestion.as_ref(), cluster, reason)?;
    let reason = reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .filter(|_| suggestion.as_ref().is_none_or(|s| s.cluster != cluster))
        .map(str::to_string);
    record.decisions.insert(
        dim.id.clone(),
        Decision {
            cluster,
            suggested: suggestion.map(|s| s.cluster),
            reason,
            by: stamp.by.clone(),
            at: stamp.at.clone(),
        },
    );
    Ok(())
}

pub fn clear_decision(record: &mut Record, dim: &str) {
    record.decisions.remove(dim);
}

/// Brings the stored status in line with the answers and decisions.
pub fn refresh(record: &mut Record, protocol: &Protocol, dims: &Dimensions) {
    record.status = record.derive_status(protocol, dims);
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

    #[test]
    fn override_needs_reason_and_is_marked() {
        let p = Protocol::builtin();
        let d = Dimensions::builtin();
        let dim = d.get("regional_active").unwrap();
        let mut r = Record::new("x");
        set_value(
            &mut r,
            "ra_format",
            Some(Value::Choice("remote".into())),
            &stamp(),
        );
        assert_eq!(r.mark(dim), Mark::Suggested(2));
        assert!(decide(&mut r, dim, &p, 1, None, &stamp()).is_err());
        assert!(decide(&mut r, dim, &p, 1, Some("  "), &stamp()).is_err());
        assert!(decide(&mut r, dim, &p, 4, Some("x"), &stamp()).is_err());
        decide(&mut r, dim, &p, 2, Some("лишнее"), &stamp()).unwrap();
        assert_eq!(r.decisions["regional_active"].reason, None);
        assert_eq!(r.mark(dim), Mark::Confirmed(2));
        decide(&mut r, dim, &p, 1, Some("на встрече передумали"), &stamp()).unwrap();
        assert_eq!(r.mark(dim), Mark::Overridden(1));
        clear_decision(&mut r, "regional_active");
        decide(&mut r, dim, &p, 2, None, &stamp()).unwrap();
        set_value(
            &mut r,
            "ra_format",
            Some(Value::Choice("in_person".into())),
            &stamp(),
        );
        assert_eq!(r.mark(dim), Mark::Stale(2));
    }

    #[test]
    fn note_survives_clearing_the_value() {
        let mut r = Record::new("x");
        set_value(&mut r, "methodists", Some(Value::Number(3)), &stamp());
        set_note(&mut r, "methodists", "двое на полставки", &stamp());
        set_value(&mut r, "methodists", None, &stamp());
        assert_eq!(r.answers.note("methodists"), Some("двое на полставки"));
        set_note(&mut r, "methodists", "", &stamp());
        assert!(r.answers.0.is_empty());
        assert_eq!(r.interviewer.as_deref(), Some("Тест"));
        assert_eq!(r.date.as_deref(), Some("2026-11-23"));
    }
}
