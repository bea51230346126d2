//! What every screen and overlay shares: the data, the campaign, the keymap, who is writing,
//! the selected municipality, the status line, and the per-municipality summaries kept
//! current as records change. Changes to a record go through [`Ctx::apply`] alone, which
//! keeps them as [`Unsaved`] until they are on disk (`saving.rs` writes them).

use super::keymap::Keymap;
use crate::data::DataSet;
use crate::model::campaign::{Answers, Campaign, Mark, Record, Status};
use crate::model::change::{self, Change, ChangeError, Stamp};
use crate::model::protocol::Progress;
use crate::model::template::Template;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError};

/// Records parsed in the background, or the message of a damaged file.
pub type Loading = Receiver<Result<BTreeMap<String, Record>, String>>;

/// What the list and the review show of one municipality, kept up to date as records
/// change so that no key recomputes it for every municipality.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub progress: Progress,
    pub status: Status,
    /// Open conflicts from a sync.
    pub conflicts: usize,
    /// One mark per dimension, in the order of the dimensions.
    pub marks: Vec<Mark>,
}

/// Work for the IO layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Save(String),
    SaveConfig,
    /// Sync with the hub in this folder (and remember it for this campaign); with true,
    /// the hub is made there when the folder is missing or empty (the user confirmed it).
    Sync(PathBuf, bool),
    /// Store the token typed for the server hub at this address (for this user).
    StoreToken(PathBuf, String),
    /// Add this line to the user's known_hosts: an ssh server the user chose to trust.
    TrustHost(String),
    /// Write the campaign's own file (`campaign.ron`): a fact of the letter changed.
    SaveMeta(String),
    /// Show the history of a field of the selected municipality.
    History(crate::model::conflict::Field),
    Export(ExportRequest),
    Quit,
}

/// An export as asked for, with what the user has already agreed to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportRequest {
    pub format: crate::annex::Format,
    pub path: PathBuf,
    pub force: bool,
    pub allow_incomplete: bool,
    /// Letters to municipalities instead of the annex or the matrix.
    pub letters: Option<crate::annex::Letters>,
}

/// Changes made here since the record was last read or written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsaved {
    /// The record as it was on disk before these changes.
    pub base: Record,
    pub changes: Vec<Change>,
    /// The disk version found changed by someone else, while a conflict awaits an answer.
    pub outside: Option<Record>,
}

pub struct Ctx {
    pub data: DataSet,
    pub campaign: Campaign,
    pub keymap: Keymap,
    pub reviewer: Option<String>,
    pub clock: fn() -> String,
    /// The selected or open municipality.
    pub current: String,
    /// The status line's message, and whether it is an error.
    pub message: Option<(String, bool)>,
    pub last_saved: Option<String>,
    /// Rows that fit on a page of the current screen, set when drawing.
    pub page: usize,
    /// Per registry index; None while the municipality's record is still being loaded.
    pub summaries: Vec<Option<Summary>>,
    /// Counts changes, so screens know when what they built from the records is stale.
    pub generation: u64,
    /// The rest of a large campaign, parsed in the background after the first frame.
    pub loading: Option<Loading>,
    /// A damaged file found by the background loading: the TUI stops with this message.
    pub fatal: Option<String>,
    /// The annex template: set by the IO layer at start, else the built-in one, loaded when
    /// the annex is first needed.
    pub template: Option<Template>,
    /// Why there is no template, when it could not be loaded.
    pub template_error: Option<String>,
    /// The zone times are shown in (stored in UTC).
    pub tz: jiff::tz::TimeZone,
    /// The hub this campaign last synced with, if any.
    pub hub: Option<PathBuf>,
    /// The laptops by name (from the history), for where a device would show as an id.
    pub devices: crate::history::DeviceNames,
    /// Where exports go unless the user types another folder.
    pub export_dir: PathBuf,
    /// Per municipality id: changes made here that are not on disk yet.
    pub unsaved: BTreeMap<String, Unsaved>,
    /// Why the last save failed, while anything is unsaved.
    pub save_error: Option<String>,
    /// The user agreed to quit with unsaved changes.
    pub quit_anyway: bool,
}

impl Ctx {
    pub fn current_record(&self) -> Record {
        self.campaign.record_or_empty(&self.current).into_owned()
    }

    /// The answers of the selected municipality that count now (hidden ones left out).
    pub fn live_answers(&self) -> Answers {
        let record = self.campaign.record_or_empty(&self.current);
        self.data.protocol.live(&record.answers).into_owned()
    }

    pub fn current_name(&self) -> &str {
        self.data
            .registry
            .get(&self.current)
            .map_or("", |m| m.name.as_str())
    }

    /// Who writes from now on, tidied and as the campaign's list spells the name
    /// («иванова» typed at the first start rates as the listed Иванова).
    pub fn set_reviewer(&mut self, name: &str) {
        let name = crate::model::campaign::tidy_name(name);
        let listed = self
            .campaign
            .meta
            .listed_reviewer(&name)
            .map(str::to_string);
        self.reviewer = Some(listed.unwrap_or(name)).filter(|n| !n.is_empty());
        // What the blind rule hides depends on who reads.
        self.summarize_all();
    }

    /// Who and when.
    pub fn stamp(&self) -> Stamp {
        Stamp {
            by: self.me().unwrap_or_default(),
            at: (self.clock)(),
        }
    }

    /// Who is at the keyboard, as the campaign's list of reviewers spells them («петрова»
    /// typed at the start is Петрова Б. Б. when she alone fits).
    pub fn me(&self) -> Option<String> {
        let typed = self.reviewer.as_deref()?;
        Some(
            self.campaign
                .meta
                .listed_reviewer(typed)
                .unwrap_or(typed)
                .to_string(),
        )
    }

    /// A stored UTC time as people read it here: «24.11.2026 08:49».
    pub fn shown_time(&self, at: &str) -> String {
        crate::clock::local_in(at, &self.tz)
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some((text.into(), true));
    }

    pub fn say(&mut self, text: impl Into<String>) {
        self.message = Some((text.into(), false));
    }

    /// Applies changes to the current record, all or none, and asks for it to be saved.
    pub fn apply(&mut self, changes: &[Change]) -> Result<Effect, ChangeError> {
        change::check_writers(&self.campaign.meta, changes)?;
        let id = self.current.clone();
        let before = self.current_record();
        let mut record = before.clone();
        for c in changes {
            record = change::apply(&record, c, &self.data.protocol, &self.data.dimensions)?;
        }
        self.remember(&before, changes);
        self.campaign.records.insert(id.clone(), record);
        if let Some(i) = self.data.registry.index_of(&id) {
            self.summaries[i] = Some(self.summarize(&id));
        }
        self.generation += 1;
        Ok(Effect::Save(id))
    }

    /// Notes changes just applied in memory, until they are on disk.
    pub fn remember(&mut self, before: &Record, changes: &[Change]) {
        let unsaved = self
            .unsaved
            .entry(before.id.clone())
            .or_insert_with(|| Unsaved {
                base: before.clone(),
                changes: Vec::new(),
                outside: None,
            });
        unsaved.changes.extend(changes.iter().cloned());
    }

    pub fn summarize(&self, id: &str) -> Summary {
        let protocol = &self.data.protocol;
        let record = self.campaign.record_or_empty(id);
        let record = record.live(protocol);
        Summary {
            progress: protocol.progress(&record.answers),
            status: record.derive_status(protocol, &self.data.dimensions),
            conflicts: record.conflicts.len(),
            marks: self
                .data
                .dimensions
                .0
                .iter()
                .map(|d| {
                    // A decision the blind rule keeps from this reviewer reads as undecided.
                    let me = self.reviewer.as_deref().unwrap_or_default();
                    match self.campaign.meta.hides_decision(&record, &d.id, me) {
                        true => Mark::Unassigned,
                        false => record.mark(d),
                    }
                })
                .collect(),
        }
    }

    pub fn summarize_all(&mut self) {
        self.summaries = self
            .data
            .registry
            .municipalities
            .iter()
            .map(|m| Some(self.summarize(&m.id)))
            .collect();
    }

    /// Hands the rest of a large campaign over: `campaign` holds only the records loaded so
    /// far; the others arrive on `rx`.
    pub fn start_loading(&mut self, rx: Loading) {
        for (i, m) in self.data.registry.municipalities.iter().enumerate() {
            if !self.campaign.records.contains_key(&m.id) {
                self.summaries[i] = None;
            }
        }
        self.loading = Some(rx);
        self.generation += 1;
    }

    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Takes the background records if they have arrived; true when they did.
    pub fn poll_loading(&mut self) -> bool {
        let Some(rx) = &self.loading else {
            return false;
        };
        match rx.try_recv() {
            Ok(result) => {
                self.loading = None;
                self.merge_loaded(result);
                true
            }
            Err(TryRecvError::Empty) => false,
            Err(TryRecvError::Disconnected) => {
                self.loading = None;
                self.fatal = Some("загрузка кампании прервалась".into());
                false
            }
        }
    }

    /// Waits for the background records; true when there were any to wait for.
    pub fn finish_loading(&mut self) -> bool {
        let Some(rx) = self.loading.take() else {
            return false;
        };
        let result = rx
            .recv()
            .unwrap_or_else(|_| Err("загрузка кампании прервалась".into()));
        self.merge_loaded(result);
        true
    }

    /// Records loaded in the background never replace one already in memory: only loaded
    /// records can be changed, and those are newer.
    fn merge_loaded(&mut self, result: Result<BTreeMap<String, Record>, String>) {
        match result {
            Ok(records) => {
                for (id, r) in records {
                    self.campaign.records.entry(id).or_insert(r);
                }
                let registry = &self.data.registry.municipalities;
                self.campaign
                    .add_missing(registry.iter().map(|m| m.id.as_str()));
                for (i, m) in self.data.registry.municipalities.iter().enumerate() {
                    if self.summaries[i].is_none() {
                        self.summaries[i] = Some(self.summarize(&m.id));
                    }
                }
                self.generation += 1;
            }
            Err(e) => self.fatal = Some(e),
        }
    }

    /// The annex template, loaded when first needed.
    pub fn ensure_template(&mut self) {
        if self.template.is_none() && self.template_error.is_none() {
            match crate::annex::load_template(None, None, &self.data) {
                Ok(t) => self.template = Some(t.template),
                Err(e) => self.template_error = Some(crate::model::source::join_errors(&e)),
            }
        }
    }
}
