//! Three-way merge of one municipality's record, field by field, for campaigns kept on
//! several laptops. Per answer value, note and decision: changed on one side only → taken;
//! changed to the same on both → taken; changed differently → a [`Conflict`], kept in the
//! record with every version (who, when, which device) until someone decides. The result does
//! not depend on which side is «mine»: two laptops merging each other's work end with the same
//! record.

use super::answer::Answer;
use super::campaign::Record;
use super::conflict::{Conflict, Field, Held, Version};
use std::collections::{BTreeMap, BTreeSet};

/// Every field of a record with its version; `device` names where the record comes from.
fn fields(r: &Record, device: &str) -> BTreeMap<Field, Version> {
    let mut out = BTreeMap::new();
    let version = |held: Held, by: &str, at: &str| Version {
        held,
        by: by.to_string(),
        at: at.to_string(),
        device: device.to_string(),
    };
    for (q, a) in &r.answers.0 {
        if a.value.is_some() {
            let v = version(Held::Value(a.value.clone()), &a.by, &a.at);
            out.insert(Field::Answer(q.clone()), v);
        }
        if a.note.is_some() {
            let v = version(Held::Note(a.note.clone()), &a.by, &a.at);
            out.insert(Field::Note(q.clone()), v);
        }
    }
    for (d, dec) in &r.decisions {
        let v = version(Held::Decision(Some(dec.clone())), &dec.by, &dec.at);
        out.insert(Field::Decision(d.clone()), v);
    }
    for (i, score) in &r.scores {
        let v = version(Held::Score(Some(score.value)), &score.by, &score.at);
        out.insert(Field::Score(i.clone()), v);
    }
    for (d, by_reviewer) in &r.ratings {
        for (who, dec) in by_reviewer {
            let v = version(Held::Decision(Some(dec.clone())), &dec.by, &dec.at);
            out.insert(Field::Rating(d.clone(), who.clone()), v);
        }
    }
    out
}

fn empty(field: &Field) -> Held {
    match field {
        Field::Answer(_) => Held::Value(None),
        Field::Note(_) => Held::Note(None),
        Field::Decision(_) | Field::Rating(..) => Held::Decision(None),
        Field::Score(_) => Held::Score(None),
    }
}

/// The order that decides between versions the same way on every device: later first.
fn order(v: &Version) -> (String, String, String) {
    (v.at.clone(), v.device.clone(), v.by.clone())
}

/// Merges `mine` and `theirs`, both descended from `base`.
pub fn merge(base: &Record, mine: (&Record, &str), theirs: (&Record, &str)) -> Record {
    let (b, m, t) = (
        fields(base, ""),
        fields(mine.0, mine.1),
        fields(theirs.0, theirs.1),
    );
    let keys: BTreeSet<&Field> = b.keys().chain(m.keys()).chain(t.keys()).collect();
    let held = |map: &BTreeMap<Field, Version>, f: &Field| {
        map.get(f).map_or_else(|| empty(f), |v| v.held.clone())
    };
    let mut chosen: BTreeMap<Field, Version> = BTreeMap::new();
    let mut conflicts: Vec<Conflict> = Vec::new();
    for f in keys {
        let (hb, hm, ht) = (held(&b, f), held(&m, f), held(&t, f));
        let (vm, vt) = (m.get(f), t.get(f));
        let pick = if hm == ht {
            // The same on both: the later stamp, so both sides pick the same.
            [vm, vt]
                .into_iter()
                .flatten()
                .max_by_key(|v| order(v))
                .cloned()
        } else if hm == hb {
            vt.cloned()
        } else if ht == hb {
            vm.cloned()
        } else {
            let mut versions: Vec<Version> = [(vm, mine.1), (vt, theirs.1)]
                .into_iter()
                .map(|(v, device)| v.cloned().unwrap_or_else(|| cleared(f, device)))
                .collect();
            versions.sort_by_key(order);
            let current = versions.last().cloned();
            conflicts.push(Conflict {
                field: f.clone(),
                versions,
                base: b.get(f).cloned(),
            });
            current.filter(|v| v.held != empty(f))
        };
        if let Some(v) = pick.filter(|v| v.held != empty(f)) {
            chosen.insert(f.clone(), v);
        }
    }
    let mut record = rebuild(base, mine.0, theirs.0, &chosen);
    // An offer of last year's value stays while neither side has answered it.
    record.carried = mine
        .0
        .carried
        .iter()
        .filter(|(q, v)| theirs.0.carried.get(*q) == Some(v))
        .filter(|(q, _)| record.answers.value(q).is_none())
        .map(|(q, v)| (q.clone(), v.clone()))
        .collect();
    record.conflicts = merge_conflicts(base, mine.0, theirs.0, conflicts);
    record
}

/// A side that cleared a field: its version is the absence, with no stamp of its own.
fn cleared(f: &Field, device: &str) -> Version {
    Version {
        held: empty(f),
        by: String::new(),
        at: String::new(),
        device: device.to_string(),
    }
}

/// Conflicts as a set, merged three-way: one that a side resolved (removed) while the other
/// left it as in the base is gone; the new ones are added; none is kept twice.
fn merge_conflicts(
    base: &Record,
    mine: &Record,
    theirs: &Record,
    new: Vec<Conflict>,
) -> Vec<Conflict> {
    let has = |r: &Record, c: &Conflict| r.conflicts.contains(c);
    let mut out: Vec<Conflict> = Vec::new();
    for c in mine.conflicts.iter().chain(&theirs.conflicts).chain(&new) {
        let keep = new.contains(c) || (has(mine, c) && has(theirs, c)) || !has(base, c);
        if keep && !out.contains(c) {
            out.push(c.clone());
        }
    }
    out.sort_by(|a, b| {
        a.field.cmp(&b.field).then_with(|| {
            let key = |c: &Conflict| c.versions.iter().map(order).collect::<Vec<_>>();
            key(a).cmp(&key(b))
        })
    });
    out
}

/// The record holding the chosen versions; interviewer and date the earliest known.
fn rebuild(
    base: &Record,
    mine: &Record,
    theirs: &Record,
    chosen: &BTreeMap<Field, Version>,
) -> Record {
    let mut r = Record::new(&base.id);
    r.format = base.format.max(mine.format).max(theirs.format);
    let earliest = |f: fn(&Record) -> &Option<String>| {
        [f(mine), f(theirs)].into_iter().flatten().min().cloned()
    };
    // The first interviewer: the earliest date, then the name, whichever side is «mine».
    r.interviewer = [mine, theirs]
        .into_iter()
        .filter_map(|x| x.interviewer.as_ref().map(|i| (x.date.clone(), i.clone())))
        .min()
        .map(|(_, i)| i);
    r.date = earliest(|r| &r.date);
    for (f, v) in chosen {
        match (&v.held, f) {
            (Held::Value(value), Field::Answer(q)) => {
                let a = r.answers.0.entry(q.clone()).or_default();
                a.value = value.clone();
                stamp(a, v);
            }
            (Held::Note(note), Field::Note(q)) => {
                let a = r.answers.0.entry(q.clone()).or_default();
                a.note = note.clone();
                stamp(a, v);
            }
            (Held::Decision(Some(d)), Field::Decision(dim)) => {
                r.decisions.insert(dim.clone(), d.clone());
            }
            (Held::Score(Some(value)), Field::Score(i)) => {
                let score = crate::model::campaign::Score {
                    value: *value,
                    by: v.by.clone(),
                    at: v.at.clone(),
                };
                r.scores.insert(i.clone(), score);
            }
            (Held::Decision(Some(d)), Field::Rating(dim, who)) => {
                let ratings = r.ratings.entry(dim.clone()).or_default();
                ratings.insert(who.clone(), d.clone());
            }
            _ => {}
        }
    }
    r
}

/// An answer's stamp is the later of its value's and its note's.
fn stamp(a: &mut Answer, v: &Version) {
    if (v.at.as_str(), v.by.as_str()) > (a.at.as_str(), a.by.as_str()) {
        a.at = v.at.clone();
        a.by = v.by.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::answer::Value;
    use crate::model::change::{Change, Stamp, apply};
    use crate::model::clusters::Dimensions;
    use crate::model::protocol::Protocol;

    fn set(r: &Record, q: &str, v: Value, by: &str, at: &str) -> Record {
        let stamp = Stamp {
            by: by.into(),
            at: at.into(),
        };
        let c = Change::answer(r, q, Some(v), &stamp);
        apply(r, &c, &Protocol::builtin(), &Dimensions::builtin()).unwrap()
    }

    #[test]
    fn different_answers_merge_and_the_same_answer_differently_conflicts() {
        let base = Record::new("x");
        let a = set(
            &base,
            "methodists",
            Value::Number(3),
            "Анна",
            "2026-09-14T10:00:00Z",
        );
        let b = set(
            &base,
            "licence",
            Value::Bool(true),
            "Борис",
            "2026-09-14T10:05:00Z",
        );
        let m = merge(&base, (&a, "A"), (&b, "B"));
        assert_eq!(m.answers.value("methodists"), Some(&Value::Number(3)));
        assert_eq!(m.answers.value("licence"), Some(&Value::Bool(true)));
        assert!(m.conflicts.is_empty());
        assert_eq!(m, merge(&base, (&b, "B"), (&a, "A")), "either side first");

        let a2 = set(
            &m,
            "methodists",
            Value::Number(4),
            "Анна",
            "2026-09-14T11:00:00Z",
        );
        let b2 = set(
            &m,
            "methodists",
            Value::Number(5),
            "Борис",
            "2026-09-14T11:01:00Z",
        );
        let c = merge(&m, (&a2, "A"), (&b2, "B"));
        assert_eq!(c.conflicts.len(), 1);
        let versions = &c.conflicts[0].versions;
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].held, Held::Value(Some(Value::Number(4))));
        assert_eq!(versions[0].device, "A");
        assert_eq!(versions[1].held, Held::Value(Some(Value::Number(5))));
        assert_eq!(c, merge(&m, (&b2, "B"), (&a2, "A")), "either side first");
        // The same change on both sides is no conflict.
        let same = merge(&m, (&a2, "A"), (&a2, "B"));
        assert!(same.conflicts.is_empty());
        assert_eq!(same.answers.value("methodists"), Some(&Value::Number(4)));
    }

    #[test]
    fn a_resolved_conflict_stays_resolved() {
        let base = Record::new("x");
        let a = set(
            &base,
            "methodists",
            Value::Number(4),
            "Анна",
            "2026-09-14T11:00:00Z",
        );
        let b = set(
            &base,
            "methodists",
            Value::Number(5),
            "Борис",
            "2026-09-14T11:01:00Z",
        );
        let c = merge(&base, (&a, "A"), (&b, "B"));
        assert_eq!(c.conflicts.len(), 1);
        let resolved = set(
            &c,
            "methodists",
            Value::Number(5),
            "Анна",
            "2026-09-14T12:00:00Z",
        );
        assert!(
            resolved.conflicts.is_empty(),
            "a change to the field resolves it"
        );
        let m = merge(&c, (&resolved, "A"), (&c, "B"));
        assert!(m.conflicts.is_empty());
        assert_eq!(m.answers.value("methodists"), Some(&Value::Number(5)));
    }
}
