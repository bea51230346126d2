//! Every write of a session, under the campaign lock: the campaign read whole and healed
//! from its history first (what a killed writer left committed, lost files put back), the
//! file written, then committed. A history that cannot be opened or written never stops
//! the write; it is said once, after.

use super::{Failure, Session, damaged, empty_campaign, healable, new_meta, previous_folder};
use crate::history::{History, HistoryError};
use crate::model::campaign::{Campaign, Record, Renamed};
use crate::model::change::{Change, apply_all};
use crate::model::scores::ScoreRow;
use crate::storage::{self, Lock};
use std::path::PathBuf;

impl Session {
    /// The campaign's history for a writer holding the lock; a repair it needed is said once.
    pub fn history(&self) -> Result<History, Failure> {
        let device = self.device()?;
        let history = History::open(&self.campaign_dir, &device)?;
        if let Some(report) = &history.repaired {
            eprintln!("sobes: {report}");
        }
        Ok(history)
    }

    /// Under the campaign lock: reads the record, applies the changes `make` builds from
    /// it, one after another, and saves the result atomically. Returns the saved record.
    pub fn change(
        &self,
        id: &str,
        make: impl FnOnce(&Record) -> Vec<Change>,
    ) -> Result<Record, Failure> {
        self.ensure_campaign()?;
        let _lock = Lock::acquire(&self.campaign_dir)?;
        let (campaign, prepared) = self.for_writing()?;
        let mut record = campaign.record_or_empty(id).into_owned();
        let changes = make(&record);
        crate::model::change::check_writers(&campaign.meta, &changes)?;
        record = apply_all(
            &record,
            &changes,
            &self.data.protocol,
            &self.data.dimensions,
        )?;
        // Only a write that will happen makes the device id and the history; what a killed
        // writer left uncommitted goes in first, as what it is.
        let by = changes.first().map(|c| c.by.clone()).unwrap_or_default();
        self.saved(
            prepared,
            &by,
            || Ok(storage::save_record(&self.campaign_dir, &record)?),
            |history, files| history.commit_changes(&self.data, id, &changes, files),
        )?;
        Ok(record)
    }

    /// Under one lock and one commit: changes of the monitoring's points of many
    /// municipalities (an import), made by `make` from the points as they are under the
    /// lock. Only the table of points is read and written, so an import of thousands of rows
    /// is one file and one commit. Every change is checked first; if any is refused nothing
    /// is written. Returns how many municipalities changed and how many changes there were.
    pub fn change_scores(
        &self,
        make: impl FnOnce(&Campaign) -> Vec<(String, Vec<Change>)>,
        summary: impl FnOnce(usize) -> String,
    ) -> Result<(usize, usize), Failure> {
        self.ensure_campaign()?;
        let _lock = Lock::acquire(&self.campaign_dir)?;
        let (meta, _) = storage::open(&self.campaign_dir).map_err(|e| damaged(&e))?;
        self.fits(&meta)?;
        // Only the points are read, after a lost table came back.
        let prepared = self.begin();
        let table = storage::scores::table(&self.campaign_dir)?;
        let mut records = std::collections::BTreeMap::new();
        storage::scores::join_all(&mut records, &table, |_| true);
        let mut points = Campaign {
            meta,
            records,
            last_year: None,
        };
        points.add_missing(
            self.data
                .registry
                .municipalities
                .iter()
                .map(|m| m.id.as_str()),
        );
        let batch = make(&points);
        let count: usize = batch.iter().map(|(_, c)| c.len()).sum();
        let (protocol, dims) = (&self.data.protocol, &self.data.dimensions);
        let mut table = (*table).clone();
        let mut written = 0;
        for (id, changes) in batch.iter().filter(|(_, c)| !c.is_empty()) {
            if let Some(c) = changes.iter().find(|c| !c.touches_scores()) {
                return Err(Failure::new(format!(
                    "{id}: не балл мониторинга: {}",
                    c.describe(protocol, dims)
                )));
            }
            let record = apply_all(&points.record_or_empty(id), changes, protocol, dims)
                .map_err(|e| Failure::new(format!("{id}: {e}")))?;
            written += usize::from(table.set(id, ScoreRow::of(&record)));
        }
        if written == 0 {
            return Ok((0, count));
        }
        let by = batch
            .iter()
            .flat_map(|(_, c)| c.first())
            .map(|c| c.by.clone())
            .next()
            .unwrap_or_default();
        let summary = summary(count);
        self.saved(
            prepared,
            &by,
            || Ok(storage::scores::write(&self.campaign_dir, table)?),
            |history, text| {
                let file = PathBuf::from(storage::SCORES_FILE);
                history.commit_written(&[(file, text.clone())], &by, &summary)
            },
        )?;
        Ok((written, count))
    }

    /// Sets (or with an empty value, clears) a setting or a fact of the campaign's letter,
    /// under the lock, with its commit; the value as stored. Unknown keys are refused with
    /// the known ones.
    pub fn set_fact(&self, key: &str, value: &str) -> Result<String, Failure> {
        let mut probe = new_meta(&self.data, None);
        probe.set(key, value).map_err(Failure::new)?;
        let checked;
        let value = if key == crate::model::campaign::PREVIOUS && !value.trim().is_empty() {
            checked = previous_folder(&self.campaign_dir, value.trim())?;
            checked.as_str()
        } else {
            value
        };
        self.ensure_campaign()?;
        let _lock = Lock::acquire(&self.campaign_dir)?;
        let (mut campaign, prepared) = self.for_writing()?;
        let value = campaign.meta.set(key, value).map_err(Failure::new)?;
        let by = self.reviewer().unwrap_or_default();
        let file = self.campaign_dir.join(storage::META_FILE);
        let summary = format!("Кампания: {key} = «{value}»");
        self.saved(
            prepared,
            &by,
            || {
                Ok(storage::atomic_write(
                    &file,
                    storage::to_ron(&campaign.meta).as_bytes(),
                )?)
            },
            |history, ()| history.commit(&[PathBuf::from(storage::META_FILE)], &by, &summary, ""),
        )?;
        Ok(value)
    }

    /// Renames a reviewer in the list and carries their ratings in every record
    /// ([`Campaign::rename_reviewer`]), under the lock and in one commit. The records are
    /// written before the list: a rename cut short leaves the old name on the list with
    /// some ratings already moved, and running it again finishes it.
    pub fn rename_reviewer(&self, old: &str, new: &str) -> Result<Renamed, Failure> {
        self.ensure_campaign()?;
        let _lock = Lock::acquire(&self.campaign_dir)?;
        let (campaign, prepared) = self.for_writing()?;
        let name_of = |id: &str| {
            self.data
                .registry
                .get(id)
                .map_or(id.to_string(), |m| m.name.clone())
        };
        let renamed = campaign
            .rename_reviewer(old, new, &name_of)
            .map_err(Failure::new)?;
        let by = self.reviewer().unwrap_or_default();
        let summary = format!(
            "Рецензент «{}» переименован в «{}»; оценок перенесено: {}",
            renamed.from, renamed.to, renamed.moved
        );
        let meta_file = self.campaign_dir.join(storage::META_FILE);
        self.saved(
            prepared,
            &by,
            || {
                let mut files = Vec::new();
                for record in &renamed.records {
                    files.extend(storage::save_record(&self.campaign_dir, record)?);
                }
                storage::atomic_write(&meta_file, storage::to_ron(&renamed.meta).as_bytes())?;
                files.push(PathBuf::from(storage::META_FILE));
                Ok(files)
            },
            |history, files| history.commit(files, &by, &summary, ""),
        )?;
        Ok(renamed)
    }

    /// The campaign for a writer holding the lock, read whole, and its history ready
    /// ([`Session::begin`]); read again when files the folder had lost were put back, so
    /// the write sees every answer and erases none.
    fn for_writing(&self) -> Result<(Campaign, Prepared), Failure> {
        // campaign.ron itself lost from a folder with a history: nothing reads before it is
        // back.
        // A campaign file cut or emptied is healed from the history too: what does not read
        // is read again after `begin`, and only then refused.
        let has_history = self.campaign_dir.join(".git").is_dir();
        let meta_lost = !self.campaign_dir.join(storage::META_FILE).exists() && has_history;
        let campaign = match meta_lost {
            true => None,
            false => match self.load_or_heal()? {
                Some(c) => {
                    self.fits(&c.meta)?;
                    Some(c)
                }
                None => None,
            },
        };
        let prepared = self.begin();
        match campaign {
            Some(c) if !matches!(prepared, Prepared::Ready(_, true)) => Ok((c, prepared)),
            _ => Ok((self.writable_campaign()?, prepared)),
        }
    }

    /// The whole campaign, or None when what does not read is only campaign files damaged
    /// (cut, emptied, zeroed) that its history can put back at the next write.
    fn load_or_heal(&self) -> Result<Option<Campaign>, Failure> {
        if self.default_campaign && !self.campaign_dir.join(storage::META_FILE).exists() {
            return Ok(Some(empty_campaign(&self.data)));
        }
        match storage::load(&self.campaign_dir, &self.data.registry) {
            Ok(c) => Ok(Some(c)),
            Err(e) if healable(&e) => Ok(None),
            Err(e) => Err(damaged(&e)),
        }
    }

    /// After the campaign read whole, before a write (under the lock): what a killed writer
    /// left uncommitted goes into the history, and a campaign file the folder lost comes
    /// back from it, said once. Only a campaign that has a history yet: a new one gets it at
    /// its first write.
    fn begin(&self) -> Prepared {
        if !self.campaign_dir.join(".git").exists() {
            return Prepared::NotYet;
        }
        let by = self.reviewer().unwrap_or_default();
        let history = self.history().map_err(|e| e.message).and_then(|h| {
            h.commit_pending(&by).map_err(|e| e.to_string())?;
            Ok(h)
        });
        match history {
            Ok(h) => {
                let restored = h.take_restored();
                for r in &restored {
                    eprintln!("sobes: {}", r.said(&self.campaign_dir));
                }
                Prepared::Ready(Box::new(h), !restored.is_empty())
            }
            Err(e) => Prepared::Failed(history_trouble(&e)),
        }
    }

    /// Writes with `write`, then commits what it wrote with `commit`. The file is the
    /// truth: a history that cannot be opened or written never stops the write, and says so
    /// once.
    fn saved<T>(
        &self,
        prepared: Prepared,
        by: &str,
        write: impl FnOnce() -> Result<T, Failure>,
        commit: impl FnOnce(&History, &T) -> Result<bool, HistoryError>,
    ) -> Result<T, Failure> {
        // What went wrong with the history is said after the write, and only if the write
        // worked: «ответ сохранён» never comes before a write that then fails.
        let mut trouble = None;
        let history = match prepared {
            Prepared::Ready(h, _) => Some(*h),
            Prepared::Failed(said) => {
                trouble = Some(said);
                None
            }
            Prepared::NotYet => match self.history() {
                Ok(h) => match h.commit_pending(by) {
                    Ok(_) => Some(h),
                    Err(e) => {
                        trouble = Some(history_trouble(&e));
                        None
                    }
                },
                Err(e) => {
                    trouble = Some(history_trouble(&e.message));
                    None
                }
            },
        };
        let written = write()?;
        if let Some(h) = history
            && let Err(e) = commit(&h, &written)
        {
            trouble = Some(history_trouble(&e));
        }
        if let Some(said) = trouble {
            eprintln!("sobes: {said}");
        }
        Ok(written)
    }
}

/// The history of a writer, as [`Session::begin`] left it.
enum Prepared {
    /// The campaign has no history yet: the first write makes it.
    NotYet,
    /// Opened, what was pending committed; true when lost files were put back (the campaign
    /// is to be read again).
    Ready(Box<History>, bool),
    /// It could not be opened or written (why, to be said once the write is done): the
    /// write goes on without it.
    Failed(String),
}

/// The one sentence for a save whose history could not be written.
pub fn history_trouble(e: &dyn std::fmt::Display) -> String {
    let e = e.to_string();
    // A full disk is not damage: nothing to repair, room to make.
    if e.contains("нет места") {
        return format!(
            "ответ сохранён в файл, но не внесён в историю кампании: на диске нет места ({e}); освободите место — следующая запись внесёт его в историю"
        );
    }
    format!(
        "история кампании повреждена: {e}; ответ сохранён (история восстановится при следующей записи или командой sobes repair)"
    )
}
