//! The commands of the history and the hub: `sobes sync HUB`, `sobes new DIR --from-hub HUB`,
//! `sobes repair`, `sobes conflicts` and `sobes log`.

use super::out;
use crate::history::{DeviceNames, Entry, History};
use crate::model::campaign::{Campaign, FieldConflict, Reader, Value, person_key};
use crate::model::change::{Change, What};
use crate::model::conflict::{Conflict, Field, Held};
use crate::model::registry::Municipality;
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
    let report = match sync::sync(&history, &ctx.campaign_dir, &target, &ctx.data) {
        // At a terminal a refused login asks for a token once, as git does, and stores it.
        Err(sync::SyncError::Login { message, .. }) => {
            let token = super::hub::ask_token(hub, &message)?;
            let again = sync::Hub {
                folder: &token,
                create: new_hub,
            };
            sync::sync(&history, &ctx.campaign_dir, &again, &ctx.data)?
        }
        Err(sync::SyncError::UnknownHost {
            message,
            known_hosts_line,
            ..
        }) => {
            super::hub::ask_trust(hub, &message, &known_hosts_line)?;
            sync::sync(&history, &ctx.campaign_dir, &target, &ctx.data)?
        }
        other => other?,
    };
    finish_sync(ctx, hub, &report)
}

/// Says what a sync did, remembers the hub, and chooses the exit code.
fn finish_sync(ctx: &Session, hub: &Path, report: &sync::Report) -> Result<(), Failure> {
    out(&report.describe(&ctx.data.registry, hub))?;
    // The TUI's sync key then uses this hub without asking.
    let config_file = ctx.paths.config_file();
    let remembered = crate::paths::Config::load(&config_file).and_then(|mut config| {
        config.remember_hub(&ctx.campaign_dir, sync::remembered(hub));
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
    let devices = match History::read(&ctx.campaign_dir) {
        Ok(Some(h)) => h.device_names_as(ctx.config.device.as_deref().unwrap_or_default()),
        _ => Default::default(),
    };
    let mut text = refused_branches(&ctx.campaign_dir, tsv);
    for c in &campaign.meta.conflicts {
        text.push_str(&campaign_conflict(c, &devices, tsv));
    }
    let mut hidden = 0;
    for m in &ctx.data.registry.municipalities {
        let Some(record) = campaign.record(&m.id) else {
            continue;
        };
        for conflict in &record.conflicts {
            let blind = matches!(&conflict.field, Field::Rating(d, who) if !reader.may_see(&campaign.meta, record, d, who));
            if blind {
                hidden += 1;
            }
            text.push_str(&record_conflict(ctx, m, conflict, blind, &devices, tsv));
        }
    }
    if text.is_empty() && !tsv {
        text.push_str("открытых конфликтов нет\n");
    }
    ctx.say_hidden(hidden);
    out(&text)
}

/// The hub's branches the last sync refused, which syncs leave out until they are fixed.
fn refused_branches(dir: &Path, tsv: bool) -> String {
    let mut text = String::new();
    for r in sync::refused(dir) {
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
    text
}

/// A field of the campaign's own changed differently on two laptops.
fn campaign_conflict(c: &FieldConflict, devices: &DeviceNames, tsv: bool) -> String {
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
        return row.join("\t") + "\n";
    }
    let sides: Vec<String> = c
        .versions
        .iter()
        .map(|v| format!("«{}» — {}", v.value, devices.of(&v.device)))
        .collect();
    format!(
        "кампания: поле «{}»: {} (решите: sobes campaign set {} ЗНАЧЕНИЕ)\n",
        c.field,
        sides.join(" / "),
        c.field
    )
}

/// A conflict in a municipality's record, its values «скрыто» when `blind`.
fn record_conflict(
    ctx: &Session,
    m: &Municipality,
    conflict: &Conflict,
    blind: bool,
    devices: &DeviceNames,
    tsv: bool,
) -> String {
    let Conflict {
        field,
        versions,
        base,
    } = conflict;
    let shown = |held: &Held| {
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
        return row.join("\t") + "\n";
    }
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
    format!(
        "{}: {}: {}{}\n",
        m.name,
        field.words(&ctx.data.protocol, &ctx.data.dimensions),
        sides.join(" / "),
        before
    )
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
    let id = match municipality {
        Some(name) => Some(ctx.municipality(name)?.id.clone()),
        None => None,
    };
    let Some(history) = History::read(&ctx.campaign_dir)? else {
        return out("истории у кампании пока нет: она появится с первой записью\n");
    };
    // Another reviewer's cluster and reason stay hidden as on the clusters screen: by what
    // the reader has rated now.
    // A damaged campaign still has its history to read; the blind rule then hides every
    // rating but the reader's own.
    let campaign = ctx.load_campaign().ok();
    let reader = match &campaign {
        Some(c) => ctx.reader(&c.meta, all),
        None if all => Reader::All,
        None => Reader::Reviewer(ctx.reviewer().unwrap_or_default()),
    };
    let mut log = Log {
        ctx,
        tsv,
        id,
        question,
        dimension,
        campaign,
        reader,
        hidden: 0,
        text: String::new(),
    };
    for e in history.entries_about(log.id.as_deref())? {
        log.entry(&e);
    }
    ctx.say_hidden(log.hidden);
    out(&log.text)
}

/// `sobes log` under way: what it shows, to whom, and what it has written.
struct Log<'a> {
    ctx: &'a Session,
    tsv: bool,
    id: Option<String>,
    question: Option<&'a str>,
    dimension: Option<&'a str>,
    campaign: Option<Campaign>,
    reader: Reader,
    /// Ratings the blind rule hid.
    hidden: usize,
    text: String,
}

impl Log<'_> {
    /// A commit: a line per change it carries that the filters keep; a merge or a commit of
    /// files as they were, one line, when nothing is filtered.
    fn entry(&mut self, e: &Entry) {
        let when = if self.tsv {
            e.at.clone()
        } else {
            crate::clock::local(&e.at)
        };
        if !e.changes.is_empty() {
            for c in &e.changes {
                if self.keeps(c) {
                    self.change(e, &when, c);
                }
            }
            return;
        }
        let filtered = self.id.is_some() || self.question.is_some() || self.dimension.is_some();
        if filtered {
            return;
        }
        let kind = if e.merge {
            "слияние"
        } else {
            "файлы"
        };
        if self.tsv {
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
            self.text.push_str(&(row.join("\t") + "\n"));
        } else {
            self.text
                .push_str(&format!("{when} · {} · {}\n", e.by, e.summary));
        }
    }

    /// Whether the change is of the municipality, question and dimension asked for.
    fn keeps(&self, c: &Change) -> bool {
        self.id.as_ref().is_none_or(|m| *m == c.municipality)
            && self.question.is_none_or(|q| matches!(&c.what, What::Answer { question, .. } | What::Note { question, .. } if question == q))
            && self.dimension.is_none_or(|d| matches!(&c.what, What::Decision { dimension, .. } | What::Rating { dimension, .. } if dimension == d))
    }

    /// One change: its field, the values before and after, and the reason; another
    /// reviewer's rating hidden as the blind rule says.
    fn change(&mut self, e: &Entry, when: &str, c: &Change) {
        let (field, mut old, mut new) = self.values(&c.what);
        let mut reason = c.reason.clone().unwrap_or_default();
        if let What::Rating {
            dimension: d,
            reviewer,
            ..
        } = &c.what
            && !self.may_see(&c.municipality, d, reviewer)
        {
            self.hidden += 1;
            for v in [&mut old, &mut new] {
                if *v != "—" {
                    *v = "скрыто".into();
                }
            }
            if !reason.is_empty() {
                reason = "скрыто".into();
            }
        }
        let data = &self.ctx.data;
        // People read names: the municipality's and the field's in words. The TSV keeps
        // the ids in their columns and adds the names after them.
        let place = data
            .registry
            .get(&c.municipality)
            .map_or(c.municipality.clone(), |m| m.name.clone());
        let words = c.what.field().words(&data.protocol, &data.dimensions);
        if self.tsv {
            let row = [
                when,
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
            self.text.push_str(&(row.join("\t") + "\n"));
        } else {
            let reason = if reason.is_empty() {
                String::new()
            } else {
                format!(" · {reason}")
            };
            self.text.push_str(&format!(
                "{when} · {} · {place} · {words}: {old} → {new}{reason}\n",
                if c.by.is_empty() { "?" } else { &c.by }
            ));
        }
    }

    /// The field a change is of, and its values before and after, as people read them.
    fn values(&self, what: &What) -> (String, String, String) {
        let protocol = &self.ctx.data.protocol;
        let value = |q: &str, v: &Option<Value>| match (protocol.question(q), v) {
            (_, None) => "—".to_string(),
            (Some(qq), Some(v)) => protocol.show_value(qq, v),
            (None, Some(v)) => format!("{v:?}"),
        };
        match what {
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
        }
    }

    /// Whether the reader may see `rater`'s rating of `dimension` for the municipality; with
    /// no campaign that reads, only their own.
    fn may_see(&self, municipality: &str, d: &str, rater: &str) -> bool {
        match (&self.campaign, &self.reader) {
            (_, Reader::All) => true,
            (Some(c), r) => r.may_see(&c.meta, &c.record_or_empty(municipality), d, rater),
            (None, Reader::Reviewer(me)) => person_key(me) == person_key(rater),
        }
    }
}
