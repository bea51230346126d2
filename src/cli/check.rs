//! `sobes check`: everything sobes reads, every damaged file at once, then the campaign
//! against the data, gaps, dormant answers, the history, and leftover temp files.

use super::args::Cli;
use super::{out, overrides};
use crate::data::DataSet;
use crate::model::campaign::Campaign;
use crate::model::checks::check_campaign;
use crate::paths::{Config, Paths};
use crate::session::Failure;
use crate::storage::{self, StoreError};
use std::path::{Path, PathBuf};

/// Checks everything sobes reads: the user config, the keymap, the data files and every
/// file of the campaign. Damaged files are all listed (with their backups), not only the
/// first; then the campaign is checked against the data.
pub fn cmd_check(cli: &Cli) -> Result<(), Failure> {
    let Read {
        campaign_dir,
        data,
        campaign,
        mut damaged,
    } = read_everything(cli)?;
    let (Some(data), Some(campaign), true) = (&data, campaign, damaged.is_empty()) else {
        // The annex template too, so that every damaged file is in this one list.
        damaged.extend(template_damage(cli, &campaign_dir, data.as_ref()));
        return Err(Failure::new(format!(
            "{}\nповреждённых файлов и ошибок в данных: {}; sobes ничего в них не менял",
            damaged.join("\n"),
            damaged.len()
        )));
    };
    let mut problems = campaign_problems(cli, &campaign_dir, data, &campaign);
    for line in crate::annex::gap_report(data, &campaign) {
        outln!("{line}")?;
    }
    let dormant = crate::model::checks::dormant_report(&campaign, &data.registry, &data.protocol);
    for line in dormant {
        outln!("{line}")?;
    }
    problems.extend(history_problems(&campaign_dir)?);
    say_leftovers(&campaign_dir)?;
    if problems.is_empty() {
        outln!(
            "ошибок нет: данные и кампания {} в порядке",
            campaign_dir.display()
        )?;
        Ok(())
    } else {
        for p in &problems {
            outln!("{p}")?;
        }
        Err(Failure::new(format!("найдено проблем: {}", problems.len())))
    }
}

/// What `sobes check` has read: the campaign's folder, the data and the campaign when they
/// read, and every file that did not.
struct Read {
    campaign_dir: PathBuf,
    data: Option<DataSet>,
    campaign: Option<Campaign>,
    damaged: Vec<String>,
}

/// Reads the user config, the keymap, the data and the campaign, going on past a damaged
/// file to name them all.
fn read_everything(cli: &Cli) -> Result<Read, Failure> {
    let paths = Paths::from_env().map_err(Failure::new)?;
    let mut damaged: Vec<String> = Vec::new();
    let config = Config::load(&paths.config_file())
        .map_err(|e| damaged.push(e.with_backup()))
        .unwrap_or_default();
    let keymap = cli.keymap.clone().or_else(|| config.keymap.clone());
    if let Err(e) = crate::tui::keymap::Keymap::load(keymap.as_deref(), Some(&paths.user_keymap()))
    {
        damaged.push(e.to_string());
    }
    let campaign_dir = cli
        .campaign
        .clone()
        .unwrap_or_else(|| paths.default_campaign());
    let over = overrides(cli);
    let data = DataSet::load(&over, Some(&campaign_dir))
        .map_err(|e| damaged.extend(e.iter().map(|e| e.to_string())))
        .ok();
    let registry = data
        .as_ref()
        .map_or_else(crate::model::registry::Registry::builtin, |d| {
            d.registry.clone()
        });
    // The default campaign not made yet is checked as an empty one; nothing is created.
    let unmade_default = cli.campaign.is_none() && !campaign_dir.join(storage::META_FILE).exists();
    let campaign = match &data {
        Some(data) if unmade_default => Some(crate::session::empty_campaign(data)),
        None if unmade_default => None,
        _ => storage::load(&campaign_dir, &registry)
            .map_err(|errors| damaged.extend(errors.iter().map(StoreError::with_backup)))
            .ok(),
    };
    Ok(Read {
        campaign_dir,
        data,
        campaign,
        damaged,
    })
}

/// The annex template's problems: checked against the data, or without them only parsed.
fn template_damage(cli: &Cli, campaign_dir: &Path, data: Option<&DataSet>) -> Vec<String> {
    if let Some(data) = data {
        return match crate::annex::load_template(cli.annex.as_deref(), Some(campaign_dir), data) {
            Err(errors) => errors.iter().map(|e| e.to_string()).collect(),
            Ok(_) => Vec::new(),
        };
    }
    let path = cli
        .annex
        .clone()
        .unwrap_or_else(|| campaign_dir.join(crate::annex::ANNEX_FILE));
    if !path.exists() {
        return Vec::new();
    }
    let parsed = storage::read_text(&path).and_then(|text| {
        crate::model::template::Template::parse(&text, &path.as_path().into())
            .map_err(StoreError::Parse)
    });
    parsed.err().map(|e| e.to_string()).into_iter().collect()
}

/// The campaign against the data, its letter's facts against each other and ratings by
/// someone off the list, each with the campaign's folder; then the annex template's.
fn campaign_problems(
    cli: &Cli,
    campaign_dir: &Path,
    data: &DataSet,
    campaign: &Campaign,
) -> Vec<String> {
    let mut problems = check_campaign(campaign, &data.registry, &data.protocol, &data.dimensions);
    problems.extend(
        campaign
            .meta
            .contradictions()
            .into_iter()
            .map(|c| format!("факты письма противоречат друг другу: {c}")),
    );
    problems.extend(crate::model::checks::unlisted_report(
        campaign,
        &data.registry,
        &data.dimensions,
    ));
    for p in problems.iter_mut() {
        *p = format!("{}: {p}", campaign_dir.display());
    }
    if let Err(errors) = crate::annex::load_template(cli.annex.as_deref(), Some(campaign_dir), data)
    {
        problems.extend(errors.iter().map(|e| e.to_string()));
    }
    problems
}

/// The history must tell what the files hold: what it does not, and damage a sync would
/// trip on, are problems; a history restored and files it does not hold yet are said.
fn history_problems(campaign_dir: &Path) -> Result<Vec<String>, Failure> {
    let mut problems: Vec<String> = crate::history::foreign_settings(campaign_dir)
        .into_iter()
        .map(|p| format!("{}: история кампании: {p}", campaign_dir.display()))
        .collect();
    match crate::history::History::read(campaign_dir) {
        Ok(Some(history)) => {
            // What a sync would trip on: a damaged object or pack, a past that does not read.
            if let Err(e) = history.verify_all() {
                problems.push(format!(
                    "{e}; ответы в файлах кампании целы: sobes repair восстановит историю, недостающее вернётся с узла при следующей синхронизации"
                ));
            }
            if campaign_dir
                .join(".git")
                .join(crate::history::REFETCH)
                .exists()
            {
                outln!(
                    "история: восстановлена после повреждения; прежние записи вернутся с узла при следующей синхронизации"
                )?;
            }
            for file in history.uncommitted().unwrap_or_default() {
                outln!(
                    "история: {file} отличается от последней записи в истории (изменён вне sobes или запись прервана); его внесёт следующая запись"
                )?;
            }
        }
        Ok(None) => {}
        Err(e) => problems.push(e.to_string()),
    }
    Ok(problems)
}

/// What is left over, said but no problem: changes the hub refused, temp files of a write
/// that was interrupted.
fn say_leftovers(campaign_dir: &Path) -> Result<(), Failure> {
    for r in crate::sync::refused(campaign_dir) {
        outln!("узел: {r}; пока её не исправят, синхронизация её пропускает")?;
    }
    for temp in storage::leftover_temps(campaign_dir) {
        outln!(
            "временный файл: {}: остался от прерванной записи; его уберёт следующий sobes, который откроет кампанию на запись",
            temp.display()
        )?;
    }
    Ok(())
}
