//! `sobes check`: everything sobes reads, every damaged file at once, then the campaign
//! against the data, gaps, dormant answers and leftover temp files.

use super::{Cli, out, overrides};
use crate::data::DataSet;
use crate::model::checks::check_campaign;
use crate::paths::{Config, Paths};
use crate::session::Failure;
use crate::storage::{self, StoreError};

/// Checks everything sobes reads: the user config, the keymap, the data files and every
/// file of the campaign. Damaged files are all listed (with their backups), not only the
/// first; then the campaign is checked against the data.
pub fn cmd_check(cli: &Cli) -> Result<(), Failure> {
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
    let (Some(data), Some(campaign), true) = (&data, campaign, damaged.is_empty()) else {
        // The annex template too, so that every damaged file is in this one list; without
        // the data it can only be parsed, not checked against them.
        match &data {
            Some(data) => {
                if let Err(errors) =
                    crate::annex::load_template(cli.annex.as_deref(), Some(&campaign_dir), data)
                {
                    damaged.extend(errors.iter().map(|e| e.to_string()));
                }
            }
            None => {
                let path = cli
                    .annex
                    .clone()
                    .unwrap_or_else(|| campaign_dir.join(crate::annex::ANNEX_FILE));
                if path.exists() {
                    let parsed = storage::read_text(&path).and_then(|text| {
                        crate::model::template::Template::parse(&text, &path.as_path().into())
                            .map_err(StoreError::Parse)
                    });
                    if let Err(e) = parsed {
                        damaged.push(e.to_string());
                    }
                }
            }
        }
        return Err(Failure::new(format!(
            "{}\nповреждённых файлов и ошибок в данных: {}; sobes ничего в них не менял",
            damaged.join("\n"),
            damaged.len()
        )));
    };
    let mut problems = check_campaign(&campaign, &data.registry, &data.protocol, &data.dimensions);
    problems.extend(
        campaign
            .meta
            .contradictions()
            .into_iter()
            .map(|c| format!("факты письма противоречат друг другу: {c}")),
    );
    problems.extend(crate::model::checks::unlisted_report(
        &campaign,
        &data.registry,
        &data.dimensions,
    ));
    for p in problems.iter_mut() {
        *p = format!("{}: {p}", campaign_dir.display());
    }
    if let Err(errors) =
        crate::annex::load_template(cli.annex.as_deref(), Some(&campaign_dir), data)
    {
        problems.extend(errors.iter().map(|e| e.to_string()));
    }
    for line in crate::annex::gap_report(data, &campaign) {
        outln!("{line}")?;
    }
    let dormant = crate::model::checks::dormant_report(&campaign, &data.registry, &data.protocol);

    for line in dormant {
        outln!("{line}")?;
    }
    // The history must tell what the files hold; what it does not is named.
    problems.extend(
        crate::history::foreign_settings(&campaign_dir)
            .into_iter()
            .map(|p| format!("{}: история кампании: {p}", campaign_dir.display())),
    );
    match crate::history::History::read(&campaign_dir) {
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
    for r in crate::sync::refused(&campaign_dir) {
        outln!("узел: {r}; пока её не исправят, синхронизация её пропускает")?;
    }
    for temp in storage::leftover_temps(&campaign_dir) {
        outln!(
            "временный файл: {}: остался от прерванной записи; его уберёт следующий sobes, который откроет кампанию на запись",
            temp.display()
        )?;
    }

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
