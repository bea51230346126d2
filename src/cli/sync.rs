//! `sobes sync HUB`, `sobes new DIR --from-hub HUB`, `sobes conflicts`.

use super::out;
use crate::history::History;
use crate::model::conflict::{Conflict, Field};
use crate::session::{Failure, Session};
use crate::storage::{self, Lock};
use crate::sync::{self, SyncError};
use std::path::Path;

impl From<SyncError> for Failure {
    fn from(e: SyncError) -> Self {
        Failure::new(format!(
            "{e}\nкампания не изменена сверх уже слитого и записанного"
        ))
    }
}

/// Syncs the campaign with a hub (made only with `new_hub`). Exit 0: synced, no open
/// conflicts; 3: synced, conflicts remain (listed); 1: an error, or a branch of the hub left
/// out because it was refused.
pub fn cmd_sync(ctx: &Session, hub: &Path, new_hub: bool) -> Result<(), Failure> {
    ctx.ensure_campaign()?;
    let _lock = Lock::acquire(&ctx.campaign_dir)?;
    // A campaign file cut or lost is healed from the history first; any other damage (or a
    // campaign without a history) is refused before anything is committed.
    // The campaign is read once; again only when something was put back or did not read.
    let first = storage::load(&ctx.campaign_dir, &ctx.data.registry);
    match &first {
        Ok(campaign) => ctx.fits(&campaign.meta)?,
        Err(e) if crate::session::healable(e) => {}
        Err(e) => return Err(crate::session::damaged(e)),
    }
    let history = ctx.history()?;
    let by = ctx.reviewer().unwrap_or_default();
    history.commit_pending(&by)?;
    let restored = history.take_restored();
    for r in &restored {
        eprintln!("sobes: {}", r.said(&ctx.campaign_dir));
    }
    if first.is_err() || !restored.is_empty() {
        ctx.writable_campaign()?;
    }
    let target = sync::Hub {
        folder: hub,
        create: new_hub,
    };
    let report = sync::sync(&history, &ctx.campaign_dir, &target, &ctx.data)?;
    finish_sync(ctx, hub, &report)
}

/// Says what a sync did, remembers the hub, and chooses the exit code.
fn finish_sync(ctx: &Session, hub: &Path, report: &sync::Report) -> Result<(), Failure> {
    out(&report.describe(&ctx.data.registry, hub))?;
    // The TUI's sync key then uses this hub without asking.
    let config_file = ctx.paths.config_file();
    let remembered = crate::paths::Config::load(&config_file).and_then(|mut config| {
        config.remember_hub(&ctx.campaign_dir, hub);
        config.save(&config_file)
    });
    if let Err(e) = remembered {
        eprintln!("sobes: узел не запомнен: {e}");
    }
    if report.conflicts > 0 {
        cmd_conflicts(ctx, false, false)?;
        return Err(Failure {
            message: format!(
                "синхронизировано, но открытых конфликтов: {}; решите их (sobes set / sobes decide по этим полям или экран конфликтов)",
                report.conflicts
            ),
            code: 3,
        });
    }
    if !report.skipped.is_empty() {
        return Err(Failure::new(format!(
            "синхронизировано без отклонённых веток узла ({}): их изменения не приняты, пока их не исправят",
            report.skipped.len()
        )));
    }
    Ok(())
}

/// A new laptop joins the campaign of a hub into an empty or new folder; a join that fails
/// leaves nothing behind (not even the folder, when it made it).
pub fn cmd_join(ctx: &Session, hub: &Path) -> Result<(), Failure> {
    let dir = &ctx.campaign_dir;
    let existed = dir.exists();
    if existed
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(storage::StoreError::NotEmpty(dir.to_path_buf()).into());
    }
    storage::create_private_dir(dir)?;
    let joined = (|| -> Result<sync::Report, Failure> {
        let _lock = Lock::acquire(dir)?;
        let history = ctx.history()?;
        Ok(sync::join(&history, dir, hub, &ctx.data)?)
    })();
    match joined {
        Ok(report) => finish_sync(ctx, hub, &report),
        Err(e) => {
            let left = if existed {
                std::fs::read_dir(dir)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .filter_map(|e| {
                        let p = e.path();
                        if p.is_dir() && !p.is_symlink() {
                            storage::remove_tree(&p)
                        } else {
                            std::fs::remove_file(&p)
                        }
                        .err()
                        .map(|why| format!("{}: {}", p.display(), storage::describe_io(&why)))
                    })
                    .next()
            } else {
                storage::remove_tree(dir)
                    .err()
                    .map(|why| storage::describe_io(&why))
            };
            Err(Failure::new(match left {
                None => format!(
                    "{}\nприсоединение не удалось: папка {} оставлена {}",
                    e.message,
                    dir.display(),
                    if existed {
                        "пустой"
                    } else {
                        "несозданной"
                    }
                ),
                Some(why) => format!(
                    "{}\nприсоединение не удалось, а папку {} не удалось очистить ({why}): удалите её вручную перед новой попыткой",
                    e.message,
                    dir.display()
                ),
            }))
        }
    }
}

/// Rebuilds a damaged history (what `open` also does when it finds damage), or says it is
/// whole.
pub fn cmd_repair(ctx: &Session) -> Result<(), Failure> {
    let dir = &ctx.campaign_dir;
    if !dir.join(storage::META_FILE).exists() {
        return Err(storage::StoreError::NotACampaign(dir.to_path_buf()).into());
    }
    let _lock = Lock::acquire(dir)?;
    let device = ctx.device()?;
    let history = crate::history::History::open(dir, &device)?;
    if let Some(report) = &history.repaired {
        return out(&format!(
            "{report}
"
        ));
    }
    // Open found nothing; a full look at every object and commit.
    match history.verify_all() {
        Ok(()) => {
            history.commit_pending("sobes")?;
            for r in history.take_restored() {
                out(&format!("{}\n", r.said(dir)))?;
            }
            out("история кампании цела: все объекты и записи читаются
")
        }
        Err(problem) => {
            drop(history);
            let report = crate::history::repair(dir, &device, &problem)?;
            out(&format!(
                "{report}
"
            ))
        }
    }
}

fn field_code(field: &Field) -> String {
    match field {
        Field::Answer(q) => format!("answer:{q}"),
        Field::Note(q) => format!("note:{q}"),
        Field::Decision(d) => format!("decision:{d}"),
        Field::Rating(d, who) => format!("rating:{d}:{who}"),
        Field::Score(i) => format!("score:{i}"),
    }
}

/// Open conflicts: per municipality and field, every version with who, when and device.
/// Another reviewer's rating in conflict is «скрыто» under the blind rule (`--all` shows it).
pub fn cmd_conflicts(ctx: &Session, tsv: bool, all: bool) -> Result<(), Failure> {
    let campaign = ctx.load_campaign()?;
    let reader = ctx.reader(&campaign.meta, all);
    // Laptops by name where the history tells them; a reader repairs nothing.
    let devices = match crate::history::History::read(&ctx.campaign_dir) {
        Ok(Some(h)) => h.device_names_as(ctx.config.device.as_deref().unwrap_or_default()),
        _ => Default::default(),
    };
    let mut hidden = 0;
    let mut text = String::new();
    for r in sync::refused(&ctx.campaign_dir) {
        if tsv {
            let row = [
                "hub".to_string(),
                format!("branch:{}", r.device),
                r.commit,
                r.why,
            ];
            text.push_str(&(row.join("\t") + "\n"));
        } else {
            text.push_str(&format!(
                "{r}\n  пока её не исправят, синхронизация её пропускает; исправить может тот, чьё это устройство (sobes sync на нём)\n"
            ));
        }
    }
    for c in &campaign.meta.conflicts {
        if tsv {
            let mut row = vec!["campaign".to_string(), format!("campaign:{}", c.field)];
            for v in &c.versions {
                row.extend([
                    v.value.clone(),
                    String::new(),
                    String::new(),
                    v.device.clone(),
                ]);
            }
            text.push_str(&(row.join("\t") + "\n"));
        } else {
            let sides: Vec<String> = c
                .versions
                .iter()
                .map(|v| format!("«{}» — {}", v.value, devices.of(&v.device)))
                .collect();
            text.push_str(&format!(
                "кампания: поле «{}»: {} (решите: sobes campaign set {} ЗНАЧЕНИЕ)\n",
                c.field,
                sides.join(" / "),
                c.field
            ));
        }
    }
    for m in &ctx.data.registry.municipalities {
        let Some(record) = campaign.record(&m.id) else {
            continue;
        };
        for Conflict {
            field,
            versions,
            base,
        } in &record.conflicts
        {
            let blind = matches!(field, Field::Rating(d, who) if !reader.may_see(&campaign.meta, record, d, who));
            if blind {
                hidden += 1;
            }
            let shown = |held: &crate::model::conflict::Held| {
                if blind {
                    "скрыто".to_string()
                } else {
                    field.shown(held, &ctx.data.protocol)
                }
            };
            if tsv {
                let mut row = vec![m.id.clone(), field_code(field)];
                for v in versions {
                    row.extend([shown(&v.held), v.by.clone(), v.at.clone(), v.device.clone()]);
                }
                text.push_str(&(row.join("\t") + "\n"));
            } else {
                let sides: Vec<String> = versions
                    .iter()
                    .map(|v| {
                        format!(
                            "«{}» — {}, {}, {}",
                            shown(&v.held),
                            if v.by.is_empty() { "?" } else { &v.by },
                            crate::clock::local(&v.at),
                            devices.of(&v.device)
                        )
                    })
                    .collect();
                let before = base
                    .as_ref()
                    .map(|b| format!(" (было: «{}»)", shown(&b.held)))
                    .unwrap_or_default();
                text.push_str(&format!(
                    "{}: {}: {}{}\n",
                    m.name,
                    field.words(&ctx.data.protocol, &ctx.data.dimensions),
                    sides.join(" / "),
                    before
                ));
            }
        }
    }
    if text.is_empty() && !tsv {
        text.push_str("открытых конфликтов нет\n");
    }
    ctx.say_hidden(hidden);
    out(&text)
}

/// A value of the log, «—» for none.
fn or_dash<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map_or_else(|| "—".to_string(), T::to_string)
}

/// The history, a row per change: time, who, device, municipality, field, old, new, reason.
/// Merges and commits of files as they were appear as what they are.
pub fn cmd_log(
    ctx: &Session,
    municipality: Option<&str>,
    question: Option<&str>,
    dimension: Option<&str>,
    tsv: bool,
    all: bool,
) -> Result<(), Failure> {
    use crate::model::change::What;
    let id = match municipality {
        Some(name) => Some(ctx.municipality(name)?.id.clone()),
        None => None,
    };
    let Some(history) = History::read(&ctx.campaign_dir)? else {
        return out("истории у кампании пока нет: она появится с первой записью\n");
    };
    let protocol = &ctx.data.protocol;
    let value = |q: &str, v: &Option<crate::model::campaign::Value>| match (protocol.question(q), v)
    {
        (_, None) => "—".to_string(),
        (Some(qq), Some(v)) => protocol.show_value(qq, v),
        (None, Some(v)) => format!("{v:?}"),
    };
    // Another reviewer's cluster and reason stay hidden as on the clusters screen: by what
    // the reader has rated now.
    // A damaged campaign still has its history to read; the blind rule then hides every
    // rating but the reader's own.
    let campaign = ctx.load_campaign().ok();
    let reader = match &campaign {
        Some(c) => ctx.reader(&c.meta, all),
        None if all => crate::model::campaign::Reader::All,
        None => crate::model::campaign::Reader::Reviewer(ctx.reviewer().unwrap_or_default()),
    };
    let may_see = |municipality: &str, d: &str, rater: &str| match (&campaign, &reader) {
        (_, crate::model::campaign::Reader::All) => true,
        (Some(c), r) => r.may_see(&c.meta, &c.record_or_empty(municipality), d, rater),
        (None, crate::model::campaign::Reader::Reviewer(me)) => {
            crate::model::campaign::person_key(me) == crate::model::campaign::person_key(rater)
        }
    };
    let mut hidden = 0;
    let mut text = String::new();
    let filtered = id.is_some() || question.is_some() || dimension.is_some();
    for e in history.entries_about(id.as_deref())? {
        let when = if tsv {
            e.at.clone()
        } else {
            crate::clock::local(&e.at)
        };
        if e.changes.is_empty() {
            if !filtered {
                let kind = if e.merge {
                    "слияние"
                } else {
                    "файлы"
                };
                if tsv {
                    let row = [
                        when.as_str(),
                        &e.by,
                        &e.device,
                        "",
                        kind,
                        "",
                        "",
                        &e.summary,
                    ];
                    text.push_str(&(row.join("\t") + "\n"));
                } else {
                    text.push_str(&format!("{when} · {} · {}\n", e.by, e.summary));
                }
            }
            continue;
        }
        for c in &e.changes {
            let (field, old, new) = match &c.what {
                What::Answer {
                    question: q,
                    before,
                    after,
                } => (q.clone(), value(q, before), value(q, after)),
                What::Note {
                    question: q,
                    before,
                    after,
                } => (format!("{q} (заметка)"), or_dash(before), or_dash(after)),
                What::Decision {
                    dimension: d,
                    before,
                    after,
                } => (d.clone(), or_dash(before), or_dash(after)),
                What::Rating {
                    dimension: d,
                    reviewer,
                    before,
                    after,
                } => (format!("{d} ({reviewer})"), or_dash(before), or_dash(after)),
                What::Score {
                    indicator,
                    before,
                    after,
                } => (
                    format!("мониторинг {indicator}"),
                    or_dash(before),
                    or_dash(after),
                ),
            };
            let keep = id.as_ref().is_none_or(|m| *m == c.municipality)
                && question.is_none_or(|q| matches!(&c.what, What::Answer { question, .. } | What::Note { question, .. } if question == q))
                && dimension.is_none_or(|d| matches!(&c.what, What::Decision { dimension, .. } | What::Rating { dimension, .. } if dimension == d));
            if !keep {
                continue;
            }
            let mut reason = c.reason.clone().unwrap_or_default();
            let (mut old, mut new) = (old, new);
            if let What::Rating {
                dimension: d,
                reviewer,
                ..
            } = &c.what
                && !may_see(&c.municipality, d, reviewer)
            {
                hidden += 1;
                for v in [&mut old, &mut new] {
                    if *v != "—" {
                        *v = "скрыто".into();
                    }
                }
                if !reason.is_empty() {
                    reason = "скрыто".into();
                }
            }
            // People read names: the municipality's and the field's in words. The TSV keeps
            // the ids in their columns and adds the names after them.
            let place = ctx
                .data
                .registry
                .get(&c.municipality)
                .map_or(c.municipality.clone(), |m| m.name.clone());
            let words = c
                .what
                .field()
                .words(&ctx.data.protocol, &ctx.data.dimensions);
            if tsv {
                let row = [
                    when.as_str(),
                    &c.by,
                    &e.device,
                    &c.municipality,
                    &field,
                    &old,
                    &new,
                    &reason,
                    &place,
                    &words,
                ];
                text.push_str(&(row.join("\t") + "\n"));
            } else {
                let reason = if reason.is_empty() {
                    String::new()
                } else {
                    format!(" · {reason}")
                };
                text.push_str(&format!(
                    "{when} · {} · {place} · {words}: {old} → {new}{reason}\n",
                    if c.by.is_empty() { "?" } else { &c.by }
                ));
            }
        }
    }
    ctx.say_hidden(hidden);
    out(&text)
}
