//! The commands that make a campaign or write into one: `new`, `set`, `decide`, `score`,
//! `campaign` (the letter's facts, the reviewers), and `resolve`, which finds the
//! municipality those commands name.

use super::args::CampaignAction;
use super::export::load_annex;
use super::{Cli, out, overrides};
use crate::data::{DataSet, Overrides};
use crate::model::campaign::{BLANK, FACTS, Meta, Record, SETTINGS, STANDING_FACTS, Value};
use crate::model::change::Change;
use crate::model::names::{Resolution, resolve};
use crate::model::source::join_errors;
use crate::session::{Failure, Session, new_meta};
use crate::storage;
use std::path::Path;

/// `sobes new DIR --from NAME`: a campaign built into sobes.
pub fn new_from(cli: &Cli, dir: &Path, name: &str) -> Result<(), Failure> {
    let data = data_set(&overrides(cli), None)?;
    crate::campaigns::create_from(dir, name, &data).map_err(Failure::new)?;
    outln!("создана кампания {} из «{name}»", dir.display())
}

/// `sobes new DIR`: an empty campaign; with `previous`, last year's named in it, its
/// standing facts taken and, with `carry`, its answers offered to confirm.
pub fn new_campaign(
    cli: &Cli,
    dir: &Path,
    title: Option<String>,
    previous: Option<&Path>,
    carry: bool,
) -> Result<(), Failure> {
    let data = data_set(&overrides(cli), None)?;
    let mut meta = new_meta(&data, title);
    let carried = match previous {
        Some(old) => follow_previous(dir, old, &mut meta)?,
        None => Vec::new(),
    };
    storage::create(dir, &meta)?;
    if !carried.is_empty() {
        outln!(
            "из прошлогодней кампании взяты факты письма, которые не меняются с годом (проверьте; изменить: sobes campaign set КЛЮЧ ЗНАЧЕНИЕ):\n{}",
            carried.join("\n")
        )?;
    }
    if carry {
        let offered = carry_over(dir, &meta, &data)?;
        outln!("предложено подтвердить прошлогодних ответов: {offered}")?;
    }
    keep_own_data(cli, dir)?;
    outln!("создана кампания {}", dir.display())
}

/// The data sets `over` names, or the campaign's in `dir`, or the built-in ones.
fn data_set(over: &Overrides, dir: Option<&Path>) -> Result<DataSet, Failure> {
    DataSet::load(over, dir).map_err(|e| Failure::new(join_errors(&e)))
}

/// Names last year's campaign (`old`) in `meta` and takes its standing facts; the facts
/// taken, as lines to show.
fn follow_previous(dir: &Path, old: &Path, meta: &mut Meta) -> Result<Vec<String>, Failure> {
    let old = std::path::absolute(old).unwrap_or_else(|_| old.to_path_buf());
    let folder = crate::session::previous_folder(dir, &old.display().to_string())?;
    // The same institute and the same signer next year: their facts come along.
    let (last, _) = storage::open(Path::new(&folder)).map_err(|e| crate::session::damaged(&e))?;
    let mut carried = Vec::new();
    for key in STANDING_FACTS {
        if let Some(value) = last.facts.get(*key) {
            meta.facts.insert(key.to_string(), value.clone());
            carried.push(format!("  {key} = {value}"));
        }
    }
    meta.previous = Some(folder);
    Ok(carried)
}

/// The campaign keeps the data it was made with, so it reopens with them.
fn keep_own_data(cli: &Cli, dir: &Path) -> Result<(), Failure> {
    let own = [
        (&cli.registry, crate::data::REGISTRY_FILE),
        (&cli.protocol, crate::data::PROTOCOL_FILE),
        (&cli.clusters, crate::data::CLUSTERS_FILE),
    ];
    for (flag, file) in own {
        if let Some(path) = flag {
            let text = storage::read_text(path)?;
            storage::atomic_write(&dir.join(file), text.as_bytes())?;
        }
    }
    Ok(())
}

/// Last year's answers to the questions marked `carry` become offers in the new campaign's
/// records (never answers): the interview shows each to confirm.
fn carry_over(dir: &Path, meta: &Meta, data: &DataSet) -> Result<usize, Failure> {
    let Some(old) = &meta.previous else {
        return Ok(0);
    };
    let old = Path::new(old);
    let old_data = data_set(&Overrides::default(), Some(old))?;
    let before = storage::load(old, &old_data.registry).map_err(|e| crate::session::damaged(&e))?;
    let mut offered = 0;
    for m in &data.registry.municipalities {
        let Some(last) = before.record(&m.id) else {
            continue;
        };
        let live = old_data.protocol.live(&last.answers);
        let mut record = Record::new(&m.id);
        for (_, q) in data.protocol.questions().filter(|(_, q)| q.carry) {
            if let Some(v) = live.value(&q.id).filter(|v| **v != Value::Unknown) {
                record.carried.insert(q.id.clone(), v.clone());
            }
        }
        if !record.carried.is_empty() {
            offered += record.carried.len();
            storage::save_record(dir, &record)?;
        }
    }
    Ok(offered)
}

/// `sobes campaign`: show the settings and facts, set one, or rename a reviewer.
pub fn cmd_campaign(ctx: &Session, action: CampaignAction) -> Result<(), Failure> {
    match action {
        CampaignAction::Set { key, value } => {
            let stored = ctx.set_fact(&key, &value)?;
            outln!("{key} = «{stored}»")?;
            // Ratings of someone the new list leaves out still count; said now, not at the
            // next check.
            if key == "reviewers" {
                let campaign = ctx.load_campaign()?;
                let unlisted = crate::model::checks::unlisted_report(
                    &campaign,
                    &ctx.data.registry,
                    &ctx.data.dimensions,
                );
                for line in unlisted {
                    crate::session::warn(&line);
                }
            }
            Ok(())
        }
        CampaignAction::RenameReviewer { old, new } => {
            let renamed = ctx.rename_reviewer(&old, &new)?;
            outln!(
                "рецензент «{}» теперь «{}»; оценок перенесено: {}; рецензенты: {}",
                renamed.from,
                renamed.to,
                renamed.moved,
                renamed.meta.reviewers.join("; ")
            )
        }
        CampaignAction::Show => show_campaign(ctx),
    }
}

/// Every setting, then every fact with where its value comes from: the campaign, the
/// region, the template, or nowhere (a blank in the letter).
fn show_campaign(ctx: &Session) -> Result<(), Failure> {
    let campaign = ctx.load_campaign()?;
    let mut text = String::new();
    for (key, what) in SETTINGS {
        let value = campaign.meta.setting(key);
        text.push_str(&format!("{key}\t{value}\t{what}\n"));
    }
    let template = load_annex(ctx, None).ok();
    for (key, what) in FACTS {
        let region = ctx.data.registry.facts.get(*key);
        let default = template.as_ref().and_then(|t| t.template.facts.get(*key));
        let value = match (campaign.meta.facts.get(*key), region, default) {
            (Some(v), _, _) => v.clone(),
            (None, Some(d), _) => format!("{d} (из реестра региона)"),
            (None, None, Some(d)) => format!("{d} (из шаблона приложения)"),
            (None, None, None) => {
                format!("{BLANK} (не записано: в письме будет место для заполнения)")
            }
        };
        text.push_str(&format!("{key}\t{value}\t{what}\n"));
    }
    out(&text)
}

pub fn cmd_resolve(ctx: &Session, name: &str) -> Result<(), Failure> {
    match resolve(&ctx.data.registry, name) {
        Resolution::Found {
            municipality,
            warning,
        } => {
            outln!("{}", municipality.name)?;
            if let Some(w) = warning {
                crate::session::warn(&w);
            }
            Ok(())
        }
        Resolution::Ambiguous(list) => {
            for m in &list {
                outln!("{}", m.name)?;
            }
            Err(Failure {
                message: String::new(),
                code: 2,
            })
        }
        Resolution::Unknown { closest } => {
            for m in &closest {
                outln!("{}", m.name)?;
            }
            Err(Failure {
                message: format!("«{name}» не найден; выше — ближайшие имена"),
                code: 1,
            })
        }
    }
}

pub fn cmd_set(
    ctx: &Session,
    name: &str,
    question: &str,
    raw: &str,
    note: Option<&str>,
) -> Result<(), Failure> {
    let m = ctx.municipality(name)?;
    let protocol = &ctx.data.protocol;
    let q = protocol.question(question).ok_or_else(|| {
        let ids: Vec<&str> = protocol.questions().map(|(_, q)| q.id.as_str()).collect();
        Failure::new(format!(
            "в протоколе нет вопроса «{question}»; есть: {}",
            ids.join(", ")
        ))
    })?;
    let value = protocol
        .parse_value(q, raw)
        .map_err(|e| Failure::new(e.to_string()))?;
    let stamp = ctx.stamp()?;
    ctx.change(&m.id, |record| {
        if !ctx
            .data
            .protocol
            .is_visible(q, &ctx.data.protocol.live(&record.answers))
        {
            eprintln!(
                "sobes: вопрос «{}» сейчас скрыт условием; ответ всё равно записан",
                q.id
            );
        }
        let mut changes = vec![Change::answer(record, &q.id, Some(value), &stamp)];
        if let Some(n) = note {
            changes.push(Change::note(record, &q.id, n, &stamp));
        }
        changes
    })?;
    outln!("{}: {} = {}", m.name, q.id, raw.trim())?;
    Ok(())
}

pub fn cmd_score(ctx: &Session, name: &str, indicator: &str, raw: &str) -> Result<(), Failure> {
    let m = ctx.municipality(name)?;
    let value = ctx
        .data
        .monitoring
        .parse_score(indicator, raw)
        .map_err(Failure::new)?;
    let stamp = ctx.stamp()?;
    ctx.change(&m.id, |record| {
        vec![Change::score(record, indicator, value, &stamp)]
    })
    .map_err(|f| Failure::new(format!("{}: {}", m.name, f.message)))?;
    outln!("{}: {indicator} = {}", m.name, raw.trim())?;
    Ok(())
}

pub fn cmd_decide(
    ctx: &Session,
    name: &str,
    dimension: &str,
    cluster: u8,
    reason: Option<&str>,
    final_: bool,
) -> Result<(), Failure> {
    let m = ctx.municipality(name)?;
    let meta = ctx.load_campaign()?.meta;
    let several = meta.several_reviewers();
    let rating = several && !final_;
    let dims = &ctx.data.dimensions;
    let dim = dims.named(dimension).ok_or_else(|| {
        let names: Vec<String> = dims
            .0
            .iter()
            .map(|d| format!("«{}» ({})", d.column(), d.id))
            .collect();
        Failure::new(format!(
            "нет измерения «{dimension}»; есть: {}",
            names.join(", ")
        ))
    })?;
    // The list's spelling («иванова» rates as Иванова); a name off the list is refused under
    // the lock, with the change (`change::check_writers`).
    let mut stamp = ctx.stamp()?;
    if let Some(listed) = meta.listed_reviewer(&stamp.by) {
        stamp.by = listed.to_string();
    }
    ctx.change(&m.id, |record| {
        vec![if rating {
            Change::rating(record, &dim.id, &stamp.by, Some(cluster), reason, &stamp)
        } else {
            Change::decision(record, &dim.id, Some(cluster), reason, &stamp)
        }]
    })
    .map_err(|f| Failure::new(format!("{}: {}", m.name, f.message)))?;
    // Said in the dimension's words, as the screen says it.
    let said = format!("{}: «{}» — кластер {cluster}", m.name, dim.title);
    if rating {
        outln!(
            "{said} (оценка: {}; окончательное решение — decide --final)",
            stamp.by
        )?;
    } else if several {
        outln!("{said} (окончательно)")?;
    } else {
        outln!("{said}")?;
    }
    Ok(())
}
