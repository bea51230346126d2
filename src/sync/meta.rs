//! The campaign's own fields (`campaign.ron`: its title, dates, settings, the letter's facts,
//! the reviewers) merged three-way. Where both sides changed a field differently, this
//! side's value stays in the field and the conflict, with both versions, is kept in the
//! campaign (and named) until someone sets the field.

use crate::model::campaign::{FieldConflict, FieldVersion, Meta};
use std::collections::{BTreeMap, BTreeSet};

/// The campaign's fields merged; with the names of those both sides changed differently.
pub(super) fn merge_meta(
    base: &Meta,
    (ours, me): (&Meta, &str),
    (theirs, device): (&Meta, &str),
) -> (Meta, Vec<String>) {
    let mut picks = Picks {
        base,
        ours: (ours, me),
        theirs: (theirs, device),
        both: Vec::new(),
        found: Vec::new(),
    };
    let meta = Meta {
        format: ours.format.max(theirs.format),
        // The same on both sides once a sync let them meet (see `check_identity`); a side
        // made before ids takes the other's.
        id: ours.id.clone().or_else(|| theirs.id.clone()),
        title: picks.text("title", |m| m.title.clone()),
        region: picks.text("region", |m| m.region.clone()),
        start: picks.optional("start", |m| &m.start),
        end: picks.optional("end", |m| &m.end),
        protocol_id: picks.text("protocol_id", |m| m.protocol_id.clone()),
        protocol_version: ours.protocol_version.max(theirs.protocol_version),
        facts: BTreeMap::new(),
        reviewers: merge_list(&base.reviewers, &ours.reviewers, &theirs.reviewers),
        open_review: picks.text("open_review", |m| m.open_review.to_string()) == "true",
        previous: picks.optional("previous", |m| &m.previous),
        conflicts: Vec::new(),
    };
    let facts = picks.facts();
    let conflicts = pooled_conflicts(base, ours, theirs, &picks.found);
    (
        Meta {
            facts,
            conflicts,
            ..meta
        },
        picks.both,
    )
}

/// The fields of the three sides picked one by one, as text.
struct Picks<'a> {
    base: &'a Meta,
    ours: (&'a Meta, &'a str),
    theirs: (&'a Meta, &'a str),
    /// The fields both sides changed differently, by name.
    both: Vec<String>,
    /// Their conflicts, this side's version first.
    found: Vec<FieldConflict>,
}

impl Picks<'_> {
    /// The side that changed the field wins; where both did, differently, this side's
    /// value stays and the field is a conflict.
    fn text(&mut self, name: &str, field: impl Fn(&Meta) -> String) -> String {
        let (b, o, t) = (field(self.base), field(self.ours.0), field(self.theirs.0));
        if o == t || t == b {
            o
        } else if o == b {
            t
        } else {
            self.both.push(name.to_string());
            self.found.push(FieldConflict {
                field: name.to_string(),
                versions: vec![
                    FieldVersion {
                        value: o.clone(),
                        device: self.ours.1.to_string(),
                    },
                    FieldVersion {
                        value: t,
                        device: self.theirs.1.to_string(),
                    },
                ],
            });
            o
        }
    }

    /// [`Picks::text`] for a field that may be unset, which reads as empty.
    fn optional(&mut self, name: &str, field: impl Fn(&Meta) -> &Option<String>) -> Option<String> {
        let v = self.text(name, |m| field(m).clone().unwrap_or_default());
        (!v.is_empty()).then_some(v)
    }

    /// The letter's facts, each picked as a field of its own; one left empty is dropped.
    fn facts(&mut self) -> BTreeMap<String, String> {
        let (base, ours, theirs) = (self.base, self.ours.0, self.theirs.0);
        let keys: BTreeSet<&String> = base
            .facts
            .keys()
            .chain(ours.facts.keys())
            .chain(theirs.facts.keys())
            .collect();
        let mut facts = BTreeMap::new();
        for k in keys {
            let v = self.text(k, |m| m.facts.get(k).cloned().unwrap_or_default());
            if !v.is_empty() {
                facts.insert(k.clone(), v);
            }
        }
        facts
    }
}

/// Conflicts already open: either side's stay unless the other side decided one the base
/// had; the versions of one field are pooled, with those `found` by this merge.
fn pooled_conflicts(
    base: &Meta,
    ours: &Meta,
    theirs: &Meta,
    found: &[FieldConflict],
) -> Vec<FieldConflict> {
    let decided = |side: &Meta, c: &FieldConflict| {
        base.conflicts.iter().any(|b| b.field == c.field)
            && !side.conflicts.iter().any(|s| s.field == c.field)
    };
    let mut conflicts: Vec<FieldConflict> = Vec::new();
    for c in ours.conflicts.iter().chain(&theirs.conflicts).chain(found) {
        let fresh = found.iter().any(|f| f.field == c.field);
        if !fresh && (decided(ours, c) || decided(theirs, c)) {
            continue;
        }
        match conflicts.iter_mut().find(|x| x.field == c.field) {
            Some(x) => {
                for v in &c.versions {
                    if !x.versions.iter().any(|y| y.value == v.value) {
                        x.versions.push(v.clone());
                    }
                }
            }
            None => conflicts.push(c.clone()),
        }
    }
    conflicts
}

/// A list merged as a set: what either side added is in, what either side removed is out;
/// this side's order first.
fn merge_list(base: &[String], ours: &[String], theirs: &[String]) -> Vec<String> {
    let removed = |side: &[String], x: &String| base.contains(x) && !side.contains(x);
    // Names are people: «Семёнова» added on one laptop and «Семенова» on the other is one.
    let key = crate::model::campaign::person_key;
    let mut out: Vec<String> = Vec::new();
    for x in ours.iter().chain(theirs) {
        if !removed(ours, x) && !removed(theirs, x) && !out.iter().any(|o| key(o) == key(x)) {
            out.push(x.clone());
        }
    }
    out
}
