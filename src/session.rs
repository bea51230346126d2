//! What a command and the TUI share: where things are, the user config, the data set, the
//! campaign directory and who is writing. Opening a session changes nothing on disk; only
//! the commands that write create the default campaign, and only when they need it.
//!
//! This file holds the session and what it reads: the campaign, who is at the keyboard,
//! municipalities by name, last year's campaign. Its files: `failure` (an error for the user
//! and its exit code), `write` (every write: under the lock, healed from the history first,
//! committed after).

mod failure;
mod write;
pub use failure::{Failure, damaged, healable, warn};
pub use write::history_trouble;

use crate::data::{DataSet, Overrides};
use crate::model::campaign::{Campaign, FORMAT, Meta, Reader};
use crate::model::change::Stamp;
use crate::model::names::{Resolution, resolve};
use crate::model::registry::Municipality;
use crate::model::source::join_errors;
use crate::paths::{Config, Paths};
use crate::storage;
use std::path::{Path, PathBuf};

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
