//! What a command and the TUI share: where things are, the user config, the data set, the
//! campaign directory and who is writing. Opening a session changes nothing on disk; only
//! the commands that write create the default campaign, and only when they need it.

use crate::data::{DataSet, Overrides};
use crate::history::{History, HistoryError};
use crate::model::campaign::{Campaign, FORMAT, Meta, Reader, Record, Renamed};
use crate::model::change::{Change, Stamp, apply_all};
use crate::model::names::{Resolution, resolve};
use crate::model::registry::Municipality;
use crate::model::scores::ScoreRow;
use crate::model::source::join_errors;
use crate::paths::{Config, Paths};
use crate::storage::{self, Lock, StoreError};
use std::path::{Path, PathBuf};

/// An error for the user and the exit code it carries.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code: 1,
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::new(e.to_string())
    }
}

impl From<HistoryError> for Failure {
    fn from(e: HistoryError) -> Self {
        Failure::new(e.to_string())
    }
}

impl From<crate::model::change::ChangeError> for Failure {
    fn from(e: crate::model::change::ChangeError) -> Self {
        Failure::new(e.to_string())
    }
}

/// A warning on stderr; what it quotes (a name typed, a cell of a table, a name in a record)
/// cannot drive the terminal.
pub fn warn(message: &str) {
    eprintln!("sobes: {}", crate::model::collate::escape_controls(message));
}

/// Damaged campaign files, each with its backup when there is one.
pub fn damaged(errors: &[StoreError]) -> Failure {
    let mut lines: Vec<String> = errors.iter().map(StoreError::with_backup).collect();
    if errors
        .iter()
        .any(|e| e.path().is_some_and(heals_from_history))
    {
        lines.push(
            "последнее сохранённое есть в истории кампании: sobes repair (или любая запись ответа) вернёт файл оттуда, а повреждённый сохранит рядом".into(),
        );
    }
    Failure::new(lines.join("\n"))
}

/// Whether every error is a campaign file's text that does not read, in a campaign with a
/// history: the damage a write heals from the history. A file sobes cannot open or one from
/// a newer sobes is refused instead, nothing written.
pub fn healable(errors: &[StoreError]) -> bool {
    errors
        .iter()
        .all(|e| matches!(e, StoreError::Parse(_)) && e.path().is_some_and(heals_from_history))
}

/// Whether `file` is a campaign's own file (campaign.ron, the points, a record) in a
/// campaign with a history, which a write heals from it.
fn heals_from_history(file: &Path) -> bool {
    let Some(parent) = file.parent() else {
        return false;
    };
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let dir = if name == storage::META_FILE || name == storage::SCORES_FILE {
        parent
    } else if parent.file_name().and_then(|n| n.to_str()) == Some(storage::RECORDS_DIR)
        && name.ends_with(".ron")
    {
        parent.parent().unwrap_or(parent)
    } else {
        return false;
    };
    dir.join(".git").is_dir()
}

/// What the session was asked for on the command line.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub campaign: Option<PathBuf>,
    pub data: Overrides,
    pub keymap: Option<String>,
    pub as_name: Option<String>,
    pub annex: Option<PathBuf>,
}

pub struct Session {
    pub paths: Paths,
    pub config: Config,
    pub campaign_dir: PathBuf,
    /// Whether the campaign is the user's default one (created when first written).
    pub default_campaign: bool,
    pub data: DataSet,
    pub options: Options,
}

impl Session {
    pub fn open(options: Options) -> Result<Session, Failure> {
        let paths = Paths::from_env().map_err(Failure::new)?;
        let config =
            Config::load(&paths.config_file()).map_err(|e| Failure::new(e.with_backup()))?;
        let (campaign_dir, default_campaign) = match &options.campaign {
            Some(dir) => (dir.clone(), false),
            None => (paths.default_campaign(), true),
        };
        let data = DataSet::load(&options.data, Some(&campaign_dir))
            .map_err(|e| Failure::new(join_errors(&e)))?;
        Ok(Session {
            paths,
            config,
            campaign_dir,
            default_campaign,
            data,
            options,
        })
    }

    /// The default campaign is made when something is first written to it.
    pub fn ensure_campaign(&self) -> Result<(), Failure> {
        // A default campaign whose campaign.ron went is put back from its history, not made
        // anew over it.
        if self.default_campaign
            && !self.campaign_dir.join(storage::META_FILE).exists()
            && !self.campaign_dir.join(".git").exists()
        {
            storage::create(&self.campaign_dir, &new_meta(&self.data, None))?;
        }
        Ok(())
    }

    /// Refuses a campaign made for another region or protocol than the data loaded now.
    pub fn fits(&self, meta: &Meta) -> Result<(), Failure> {
        let problems =
            crate::model::checks::fit_problems(meta, &self.data.registry, &self.data.protocol);
        if problems.is_empty() {
            return Ok(());
        }
        Err(Failure::new(format!(
            "{}: {}\nничего не записано",
            self.campaign_dir.display(),
            problems.join("\n")
        )))
    }

    /// The campaign, for writing (see [`Session::fits`]).
    pub fn writable_campaign(&self) -> Result<Campaign, Failure> {
        let campaign = self.load_campaign()?;
        self.fits(&campaign.meta)?;
        Ok(campaign)
    }

    /// The whole campaign; the default campaign not yet made reads as empty.
    pub fn load_campaign(&self) -> Result<Campaign, Failure> {
        if self.default_campaign && !self.campaign_dir.join(storage::META_FILE).exists() {
            return Ok(empty_campaign(&self.data));
        }
        storage::load(&self.campaign_dir, &self.data.registry).map_err(|e| damaged(&e))
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

    /// Who is at the keyboard: `--as`, else the name in the user config; spaces tidied so
    /// «Иванова » is Иванова.
    pub fn reviewer(&self) -> Option<String> {
        self.options
            .as_name
            .as_deref()
            .or(self.config.reviewer.as_deref())
            .map(crate::model::campaign::tidy_name)
            .filter(|n| !n.is_empty())
    }

    /// Whose eyes a reading command shows the ratings to: with `all` every rating (and
    /// stderr says that the blind rule is off), else this reviewer, by the list's spelling;
    /// someone unnamed reads as a reviewer who has rated nothing.
    pub fn reader(&self, meta: &Meta, all: bool) -> Reader {
        if all {
            if meta.several_reviewers() && !meta.open_review {
                eprintln!(
                    "sobes: показаны все оценки, включая скрытые от рецензентов, ещё не оценивших муниципалитет (--all)"
                );
            }
            return Reader::All;
        }
        let me = self.reviewer().unwrap_or_default();
        Reader::Reviewer(meta.listed_reviewer(&me).map_or(me, str::to_string))
    }

    /// Says on stderr how many ratings the blind rule left out of what was shown.
    pub fn say_hidden(&self, hidden: usize) {
        if hidden > 0 {
            eprintln!(
                "sobes: скрыто оценок других рецензентов: {hidden} — там, где вы ещё не поставили свою (sobes decide); все оценки — с --all (для координатора)"
            );
        }
    }

    pub fn stamp(&self) -> Result<Stamp, Failure> {
        let by = self.reviewer().ok_or_else(|| {
            Failure::new(
                "не знаю, кто записывает: укажите --as ИМЯ или один раз откройте sobes без команды и введите имя",
            )
        })?;
        Ok(Stamp {
            by,
            at: crate::clock::now(),
        })
    }

    pub fn annex_flag(&self) -> Option<&Path> {
        self.options.annex.as_deref()
    }

    pub fn municipality(&self, name: &str) -> Result<&Municipality, Failure> {
        let (m, warning) = self.resolve_name(name)?;
        if let Some(w) = warning {
            warn(&w);
        }
        Ok(m)
    }

    /// What was typed or found in a table, as a municipality of the registry, with the
    /// warning to say when it was a guess («Уйскй МР» → «Уйский МР»); an ambiguous name is
    /// code 2 (the user must say more).
    pub fn resolve_name(&self, name: &str) -> Result<(&Municipality, Option<String>), Failure> {
        match resolve(&self.data.registry, name) {
            Resolution::Found {
                municipality,
                warning,
            } => Ok((
                municipality,
                warning.map(|w| format!("«{name}» → «{}»: {w}", municipality.name)),
            )),
            Resolution::Ambiguous(list) => Err(Failure {
                message: format!(
                    "«{name}» подходит к нескольким муниципалитетам, уточните: {}",
                    names(&list)
                ),
                code: 2,
            }),
            Resolution::Unknown { .. } if name.trim().is_empty() => {
                Err(Failure::new("нет названия муниципалитета"))
            }
            Resolution::Unknown { closest } => Err(Failure::new(format!(
                "муниципалитет «{name}» не найден; ближайшие: {}",
                names(&closest)
            ))),
        }
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

    /// The campaign's history for a writer holding the lock; a repair it needed is said once.
    pub fn history(&self) -> Result<History, Failure> {
        let device = self.device()?;
        let history = History::open(&self.campaign_dir, &device)?;
        if let Some(report) = &history.repaired {
            eprintln!("sobes: {report}");
        }
        Ok(history)
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

impl Session {
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

    /// Last year's campaign named in `meta`, with the data it was made with; None when the
    /// campaign names none.
    fn previous_campaign(
        &self,
        meta: &crate::model::campaign::Meta,
    ) -> Result<Option<Campaign>, Failure> {
        let Some(folder) = &meta.previous else {
            return Ok(None);
        };
        let dir = self.campaign_dir.join(folder);
        let what =
            |e: String| Failure::new(format!("прошлогодняя кампания {}: {e}", dir.display()));
        if !dir.join(storage::META_FILE).exists() {
            return Err(what(format!(
                "в папке нет {}; укажите её заново: sobes campaign set previous ПАПКА",
                storage::META_FILE
            )));
        }
        let data = DataSet::load(&crate::data::Overrides::default(), Some(&dir))
            .map_err(|e| what(join_errors(&e)))?;
        let campaign = storage::load(&dir, &data.registry).map_err(|e| damaged(&e))?;
        Ok(Some(campaign))
    }

    /// Last year's outcome for the letter's lists of moves, when the campaign names last
    /// year's campaign.
    pub fn last_year(
        &self,
        meta: &crate::model::campaign::Meta,
    ) -> Result<Option<crate::model::campaign::LastYear>, Failure> {
        Ok(self.previous_campaign(meta)?.map(|p| {
            crate::model::campaign::LastYear::of(&p, &self.data.monitoring, &self.data.protocol)
        }))
    }

    /// This computer's device id (made on the first write, kept in the user config).
    pub fn device(&self) -> Result<String, Failure> {
        Config::device(&self.paths.config_file()).map_err(|e| Failure::new(e.with_backup()))
    }
}

/// Last year's campaign folder as it is kept: absolute, checked to hold a campaign that is
/// not this one.
pub fn previous_folder(campaign_dir: &Path, folder: &str) -> Result<String, Failure> {
    let dir = std::path::absolute(campaign_dir.join(folder))
        .map_err(|e| Failure::new(format!("{folder}: {e}")))?;
    if !dir.join(storage::META_FILE).exists() {
        return Err(Failure::new(format!(
            "{}: это не кампания sobes (нет {})",
            dir.display(),
            storage::META_FILE
        )));
    }
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same(&dir, campaign_dir) {
        return Err(Failure::new(
            "прошлогодняя кампания не может быть этой же кампанией",
        ));
    }
    Ok(dir.display().to_string())
}

pub fn names(list: &[&Municipality]) -> String {
    list.iter()
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn new_meta(data: &DataSet, title: Option<String>) -> Meta {
    let year = &crate::clock::today()[..4];
    Meta {
        format: FORMAT,
        id: Some(new_campaign_id()),
        title: title.unwrap_or_else(|| format!("Собеседование с руководителями ММС, {year}")),
        region: data.registry.region.clone(),
        start: None,
        end: None,
        protocol_id: data.protocol.id.clone(),
        protocol_version: data.protocol.version,
        facts: Default::default(),
        reviewers: Vec::new(),
        open_review: false,
        previous: None,
        conflicts: Vec::new(),
    }
}

/// A campaign's id: the time and this computer, hashed; unlike anything another campaign
/// made anywhere gets.
pub fn new_campaign_id() -> String {
    format!("c{}", crate::paths::new_device_id())
}

/// A campaign nobody has written yet, as it reads before its directory exists.
pub fn empty_campaign(data: &DataSet) -> Campaign {
    let mut campaign = Campaign {
        meta: new_meta(data, None),
        records: Default::default(),
        last_year: None,
    };
    campaign.add_missing(data.registry.municipalities.iter().map(|m| m.id.as_str()));
    campaign
}
