//! Saving records. What is changed in memory but not yet on disk is kept with the record as
//! it was read, so a failed save is said and retried, never forgotten; and a record changed
//! on disk meanwhile (a colleague's file copied in) is never overwritten blind: the changes
//! made here are applied on top of it, and where both touched the same field the user
//! chooses.

use super::ctx::{Ctx, Effect};
use super::overlays::{Overlay, PickFor, Picker};
use crate::model::campaign::Record;
use crate::model::change::{self, Change, ChangeError, What};

/// What to do before writing a record.
#[derive(Debug)]
pub enum Step {
    Write(Record),
    Ask(Overlay),
    Nothing,
}

impl Ctx {
    /// Given the record as it is on disk now: write ours, or first bring in what changed
    /// there, or ask about a field changed in both places.
    pub fn before_save(&mut self, id: &str, disk: Option<Record>) -> Step {
        let Some(unsaved) = self.unsaved.get(id) else {
            return Step::Nothing;
        };
        if unsaved.outside.is_some() {
            return Step::Nothing;
        }
        let disk = disk.unwrap_or_else(|| Record::new(id));
        if disk == unsaved.base {
            return Step::Write(self.campaign.record_or_empty(id).into_owned());
        }
        self.rebase(id, disk)
    }

    /// Applies the changes made here on top of the disk version.
    fn rebase(&mut self, id: &str, disk: Record) -> Step {
        let Some(unsaved) = self.unsaved.get(id) else {
            return Step::Nothing;
        };
        let changes = unsaved.changes.clone();
        let mut record = disk.clone();
        let mut kept = Vec::new();
        let mut dropped = Vec::new();
        for (i, c) in changes.into_iter().enumerate() {
            match change::apply(&record, &c, &self.data.protocol, &self.data.dimensions) {
                Ok(r) => {
                    record = r;
                    kept.push(c);
                }
                Err(ChangeError::Stale { .. }) => {
                    let overlay = self.conflict_picker(id, i, &disk);
                    if let Some(u) = self.unsaved.get_mut(id) {
                        u.outside = Some(disk);
                    }
                    return Step::Ask(overlay);
                }
                // A change that no longer fits the record as it is now is dropped, and said.
                Err(e) => dropped.push(e.to_string()),
            }
        }
        let name = self.name_of(id);
        if dropped.is_empty() {
            self.say(format!(
                "{name}: запись изменили вне sobes; ваши изменения добавлены к новой версии"
            ));
        } else {
            self.error(format!(
                "{name}: запись изменили вне sobes; не перенесено: {}",
                dropped.join("; ")
            ));
        }
        if let Some(u) = self.unsaved.get_mut(id) {
            u.base = disk;
            u.changes = kept;
        }
        self.replace(id, record.clone());
        Step::Write(record)
    }

    /// The user's answer about the conflicting change `index`: keep the disk's value, or
    /// write this one over it.
    pub fn resolve(&mut self, id: &str, index: usize, keep_mine: bool) -> Step {
        let Some(unsaved) = self.unsaved.get_mut(id) else {
            return Step::Nothing;
        };
        let Some(disk) = unsaved.outside.take() else {
            return Step::Nothing;
        };
        if keep_mine {
            if let Some(c) = unsaved.changes.get_mut(index) {
                rebase_before(c, &disk);
            }
        } else if index < unsaved.changes.len() {
            unsaved.changes.remove(index);
        }
        self.rebase(id, disk)
    }

    fn replace(&mut self, id: &str, record: Record) {
        self.campaign.records.insert(id.to_string(), record);
        if let Some(i) = self.data.registry.index_of(id) {
            self.summaries[i] = Some(self.summarize(id));
        }
        self.generation += 1;
    }

    fn name_of(&self, id: &str) -> String {
        self.data
            .registry
            .get(id)
            .map_or_else(|| id.to_string(), |m| m.name.clone())
    }

    fn conflict_picker(&self, id: &str, index: usize, disk: &Record) -> Overlay {
        let change = &self.unsaved[id].changes[index];
        let (field, theirs, mine) = self.describe(change, disk);
        Overlay::Picker(Picker {
            title: format!(
                "{}: «{field}» изменено и здесь, и в файле на диске",
                self.name_of(id)
            ),
            items: vec![
                format!("Оставить из файла: {theirs}"),
                format!("Записать своё: {mine}"),
            ],
            cursor: 0,
            purpose: PickFor::Conflict {
                id: id.to_string(),
                index,
            },
        })
    }

    /// The field a change touches, its value on disk and the value here, in words.
    fn describe(&self, change: &Change, disk: &Record) -> (String, String, String) {
        let protocol = &self.data.protocol;
        let none = || "(пусто)".to_string();
        match &change.what {
            What::Answer {
                question, after, ..
            } => {
                let show = |v: Option<&crate::model::campaign::Value>| match (
                    protocol.question(question),
                    v,
                ) {
                    (Some(q), Some(v)) => protocol.show_value(q, v),
                    (None, Some(v)) => format!("{v:?}"),
                    (_, None) => none(),
                };
                let text = protocol
                    .question(question)
                    .map_or(question.clone(), |q| q.text.clone());
                (
                    text,
                    show(disk.answers.value(question)),
                    show(after.as_ref()),
                )
            }
            What::Note {
                question, after, ..
            } => (
                format!("заметка к {question}"),
                disk.answers
                    .note(question)
                    .map_or_else(none, str::to_string),
                after.clone().unwrap_or_else(none),
            ),
            What::Score {
                indicator, after, ..
            } => {
                let shown = |v: Option<i64>| v.map_or_else(none, |v| v.to_string());
                (
                    format!("мониторинг, показатель {indicator}"),
                    shown(disk.scores.get(indicator).map(|s| s.value)),
                    shown(*after),
                )
            }
            What::Decision {
                dimension, after, ..
            }
            | What::Rating {
                dimension, after, ..
            } => {
                let cluster = |c: Option<u8>| c.map_or_else(none, |c| format!("кластер {c}"));
                let mut title = self
                    .data
                    .dimensions
                    .get(dimension)
                    .map_or(dimension.clone(), |d| d.title.clone());
                if let What::Rating { reviewer, .. } = &change.what {
                    title = format!("{title} ({reviewer})");
                }
                (
                    title,
                    cluster(change.what.cluster_in(disk)),
                    cluster(*after),
                )
            }
        }
    }

    /// Saves to retry: every record whose changes are not on disk yet.
    pub fn retries(&self) -> Vec<Effect> {
        self.unsaved
            .iter()
            .filter(|(_, u)| u.outside.is_none())
            .map(|(id, _)| Effect::Save(id.clone()))
            .collect()
    }

    /// What would be lost by quitting now, in words; None when everything is on disk.
    pub fn unsaved_summary(&self) -> Option<String> {
        if self.unsaved.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .unsaved
            .iter()
            .map(|(id, u)| format!("{} ({} изм.)", self.name_of(id), u.changes.len()))
            .collect();
        Some(parts.join(", "))
    }
}

/// Makes a change apply to the disk version: its `before` becomes what the disk holds.
fn rebase_before(change: &mut Change, disk: &Record) {
    match &mut change.what {
        What::Answer {
            question, before, ..
        } => *before = disk.answers.value(question).cloned(),
        What::Note {
            question, before, ..
        } => *before = disk.answers.note(question).map(str::to_string),
        What::Score {
            indicator, before, ..
        } => *before = disk.scores.get(indicator).map(|s| s.value),
        What::Decision { .. } | What::Rating { .. } => {
            let now = change.what.cluster_in(disk);
            if let What::Decision { before, .. } | What::Rating { before, .. } = &mut change.what {
                *before = now;
            }
        }
    }
}
