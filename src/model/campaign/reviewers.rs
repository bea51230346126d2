//! Who reviews: the list's spelling of a name, what a reviewer may see of the others'
//! clusters before rating (the blind rule), the campaign as a reader sees it, and renaming a
//! reviewer across every record.

use super::fields::{parse_reviewers, person_key, tidy_name};
use super::meta::Meta;
use super::{Campaign, Record};
use crate::model::conflict::Field;
use std::borrow::Cow;

impl Meta {
    /// Several reviewers rate each municipality before the final decision.
    pub fn several_reviewers(&self) -> bool {
        self.reviewers.len() > 1
    }

    /// Whether `reviewer` may see the other reviewers' clusters on a dimension of `record`:
    /// always with open review, otherwise once they have rated it themselves.
    pub fn may_see_others(&self, record: &Record, dimension: &str, reviewer: &str) -> bool {
        let me = person_key(reviewer);
        self.open_review
            || !self.several_reviewers()
            || record
                .ratings
                .get(dimension)
                .is_some_and(|r| r.keys().any(|k| !me.is_empty() && person_key(k) == me))
    }

    /// Whether a final decision on a dimension is kept from `reviewer` by the blind rule:
    /// one taken with no rating at all (before the list of reviewers was set) would show a
    /// reviewer who has not rated yet someone's cluster. A final taken after ratings is the
    /// panel's and shows to everyone.
    pub fn hides_decision(&self, record: &Record, dimension: &str, reviewer: &str) -> bool {
        record.decisions.contains_key(dimension)
            && record.ratings_on(dimension).next().is_none()
            && !self.may_see_others(record, dimension, reviewer)
    }

    /// The list's spelling of `name`, when the list names that person.
    pub fn listed_reviewer(&self, name: &str) -> Option<&str> {
        let key = person_key(name);
        if let Some(exact) = self.reviewers.iter().find(|r| person_key(r) == key) {
            return Some(exact);
        }
        // «петрова», «Петрова Б.Б.», «Петрова Б»: the surname and what initials were typed,
        // when only one person on the list fits them.
        let letters = |s: &str| -> Vec<String> {
            person_key(s)
                .split(|c: char| c.is_whitespace() || c == '.')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        };
        let typed = letters(name);
        let (surname, initials) = typed.split_first()?;
        let initials: String = initials.concat();
        let mut fits = self.reviewers.iter().filter(|r| {
            let theirs = letters(r);
            theirs.first() == Some(surname) && theirs[1..].concat().starts_with(&initials)
        });
        match (fits.next(), fits.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }

    /// How `name` is written beside a rating or a decision: the list's spelling. A campaign
    /// that names its reviewers takes no one else's clusters, or a typo would become one
    /// more reviewer in the agreement; one that names nobody takes any name, tidied.
    pub fn reviewer_for_writing(&self, name: &str) -> Result<String, String> {
        if self.reviewers.is_empty() {
            return Ok(tidy_name(name));
        }
        self.listed_reviewer(name)
            .map(str::to_string)
            .ok_or_else(|| {
                format!(
                    "«{}» нет в списке рецензентов кампании: {}",
                    tidy_name(name),
                    self.reviewers.join("; ")
                )
            })
    }
}

/// Whose eyes a reading command shows the reviewers' clusters to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reader {
    /// A reviewer (or someone unnamed, as the empty name): the blind rule applies.
    Reviewer(String),
    /// Asked for explicitly (the coordinator): every rating.
    All,
}

impl Reader {
    /// Whether this reader may see `rater`'s cluster on a dimension of `record`: their own
    /// always, the others' as [`Meta::may_see_others`] says.
    pub fn may_see(&self, meta: &Meta, record: &Record, dimension: &str, rater: &str) -> bool {
        match self {
            Reader::All => true,
            Reader::Reviewer(me) => {
                (!me.trim().is_empty() && person_key(me) == person_key(rater))
                    || meta.may_see_others(record, dimension, me)
            }
        }
    }
}

/// A reviewer renamed ([`Campaign::rename_reviewer`]): the campaign's settings and the
/// records to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Renamed {
    pub meta: Meta,
    pub records: Vec<Record>,
    pub from: String,
    pub to: String,
    /// Ratings that moved to the new name.
    pub moved: usize,
}

impl Campaign {
    /// The named reviewers, then anyone else who has rated, in first-seen order.
    pub fn reviewers(&self) -> Vec<String> {
        let mut out = self.meta.reviewers.clone();
        let named = out.len();
        // A handful of reviewers over thousands of records: a short list beats a set.
        for who in self
            .records
            .values()
            .flat_map(|r| r.ratings.values().flat_map(|m| m.keys()))
        {
            if !out.contains(who) {
                out.push(who.clone());
            }
        }
        out[named..].sort();
        out
    }

    /// The campaign as `reader` may read it: the ratings the blind rule hides from them left
    /// out (final decisions stay), and how many were left out. Borrowed when none is.
    pub fn seen_by(&self, reader: &Reader) -> (Cow<'_, Campaign>, usize) {
        let hidden = |r: &Record| {
            r.ratings
                .iter()
                .flat_map(|(d, by)| by.keys().map(move |who| (d, who)))
                .filter(|(d, who)| !reader.may_see(&self.meta, r, d, who))
                .count()
        };
        let count: usize = self.records.values().map(hidden).sum();
        if count == 0 {
            return (Cow::Borrowed(self), 0);
        }
        let mut seen = self.clone();
        for (id, record) in seen.records.iter_mut() {
            let Some(original) = self.records.get(id) else {
                continue;
            };
            for (d, by) in record.ratings.iter_mut() {
                by.retain(|who, _| reader.may_see(&self.meta, original, d, who));
            }
            record.ratings.retain(|_, by| !by.is_empty());
        }
        (Cow::Owned(seen), count)
    }

    /// Renames a reviewer: `old` on the list (or a name someone rated under that is not on
    /// it) becomes `new`, and every rating under any spelling of `old` moves to `new` with
    /// its cluster, reason and time. A rename is a relabel of the whole campaign, not a
    /// change of clusters: no rating is re-decided, so an override's reason and time stay
    /// as given. Refused, with nothing changed, when it would join two people's ratings of
    /// one municipality (named with `name_of`). Records returned are only those that change.
    pub fn rename_reviewer(
        &self,
        old: &str,
        new: &str,
        name_of: &dyn Fn(&str) -> String,
    ) -> Result<Renamed, String> {
        if self.meta.reviewers.is_empty() {
            return Err("в кампании нет списка рецензентов: задайте его (sobes campaign set reviewers \"Иванова; Петрова\")".into());
        }
        let (from, to, reviewers) = self.renaming(old, &one_name(new)?)?;
        let old_key = person_key(old);
        let mut records = Vec::new();
        let mut collisions = Vec::new();
        let mut moved = 0;
        for (id, record) in &self.records {
            let (changed, n, clashes) = relabeled(record, &old_key, &to);
            moved += n;
            collisions.extend(clashes.iter().map(|d| format!("{} ({d})", name_of(id))));
            if changed != *record {
                records.push(changed);
            }
        }
        if !collisions.is_empty() {
            return Err(format!(
                "у «{to}» уже есть своя оценка там же, где у «{from}»: {}; сначала уберите одну из них",
                collisions.join(", ")
            ));
        }
        if reviewers == self.meta.reviewers && records.is_empty() {
            return Err(format!(
                "«{from}» уже записан как «{to}»: переименовывать нечего"
            ));
        }
        let mut meta = self.meta.clone();
        meta.reviewers = reviewers;
        Ok(Renamed {
            meta,
            records,
            from,
            to,
            moved,
        })
    }

    /// Who becomes whom, as the list spells them, and the list after: `old` on the list is
    /// renamed `to` there; ratings under a name off the list go to someone on it. Refused
    /// when it would join two listed people, or names no one there is.
    fn renaming(&self, old: &str, to: &str) -> Result<(String, String, Vec<String>), String> {
        let list = self.meta.reviewers.join("; ");
        let old_key = person_key(old);
        let listed_old = self.meta.listed_reviewer(old).map(str::to_string);
        let listed_new = self.meta.listed_reviewer(to).map(str::to_string);
        let rated_as_old = self
            .records
            .values()
            .flat_map(|r| r.ratings.values().flat_map(|by| by.keys()))
            .any(|k| person_key(k) == old_key);
        match (&listed_old, &listed_new) {
            (Some(from), Some(other)) if person_key(from) != person_key(other) => Err(format!(
                "«{other}» уже в списке рецензентов ({list}): переименование соединило бы оценки двух людей"
            )),
            (Some(from), _) => {
                let reviewers: Vec<String> = self
                    .meta
                    .reviewers
                    .iter()
                    .map(|r| if r == from { to.to_string() } else { r.clone() })
                    .collect();
                Ok((from.clone(), to.to_string(), reviewers))
            }
            // Ratings under a name that is not on the list go to someone who is.
            (None, Some(listed)) if rated_as_old => {
                Ok((tidy_name(old), listed.clone(), self.meta.reviewers.clone()))
            }
            (None, None) if rated_as_old => Err(format!(
                "«{to}» нет в списке рецензентов ({list}): оценки «{}» можно перенести только рецензенту из списка",
                tidy_name(old)
            )),
            (None, _) => Err(format!(
                "«{}» нет в списке рецензентов кампании: {list}",
                tidy_name(old)
            )),
        }
    }

    /// Who has rated without being on the campaign's list (left it, or a name typed another
    /// way before names were checked), with where: (name, municipality id, dimension).
    /// They still count in the agreement, each as a reviewer of their own.
    pub fn unlisted_ratings(&self) -> Vec<(String, String, String)> {
        if self.meta.reviewers.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (id, record) in &self.records {
            for (d, by) in &record.ratings {
                for who in by.keys() {
                    if !self.meta.reviewers.contains(who) {
                        out.push((who.clone(), id.clone(), d.clone()));
                    }
                }
            }
        }
        out
    }
}

/// The new name of a reviewer: one name, as an entry of the list would be («Вера, Галина»
/// is two people).
fn one_name(new: &str) -> Result<String, String> {
    match parse_reviewers(new) {
        Ok(names) if names.len() == 1 => Ok(names[0].clone()),
        Ok(names) if names.is_empty() => Err("новое имя рецензента пустое".into()),
        Ok(_) => Err(format!(
            "новое имя рецензента «{}» — это несколько имён (через «;» или «,»); укажите одно",
            new.trim()
        )),
        Err(e) => Err(format!("новое имя рецензента: {e}")),
    }
}

/// The record with the ratings under any spelling of a name (`old_key`) moved to `to`, with
/// the conflicts over them; how many moved; and the dimensions where none could, since `to`
/// has a rating of their own there or the name rated twice (two people's clusters would
/// become one).
fn relabeled(record: &Record, old_key: &str, to: &str) -> (Record, usize, Vec<String>) {
    let mut changed = record.clone();
    let mut moved = 0;
    let mut collisions = Vec::new();
    for (d, by) in changed.ratings.iter_mut() {
        let sources: Vec<String> = by
            .keys()
            .filter(|k| person_key(k) == old_key)
            .cloned()
            .collect();
        if sources.is_empty() || sources == [to] {
            continue;
        }
        let taken = by.contains_key(to) && !sources.iter().any(|s| s == to);
        if taken || sources.len() > 1 {
            collisions.push(d.clone());
            continue;
        }
        for k in sources {
            if let Some(rating) = by.remove(&k) {
                by.insert(to.to_string(), rating);
                moved += 1;
            }
        }
    }
    for c in changed.conflicts.iter_mut() {
        if let Field::Rating(_, who) = &mut c.field
            && person_key(who) == old_key
        {
            *who = to.to_string();
        }
    }
    (changed, moved, collisions)
}
