//! Sync through a hub: a bare git repository in a folder (a USB stick, a network share).
//! Each device pushes only its own branch there (`devices/<id>`), so a push is never refused,
//! and fetches every other device's branch; each of those is merged into this campaign record
//! by record with `model::merge` (git's line merge is too coarse for record files), conflicts
//! kept in the records as data. Syncing twice changes nothing; the same change arriving by
//! two routes is one commit, merged once.
//!
//! Every tree that arrives goes through [`crate::boundary`] before anything is written.
//! Over 600 lines, kept whole: the steps of a sync (identity, fetch, checks, merges, push)
//! and the merge of one branch share its state and its error words.

use crate::boundary::{self, Whose};
use crate::data::DataSet;
use crate::history::History;
use crate::model::campaign::{FieldConflict, FieldVersion, Meta, Record};
use crate::model::merge::merge;
use crate::model::scores::{ScoreRow, ScoreTable};
use crate::storage::{self, RECORDS_DIR};
use git2::{Oid, Repository};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod fetch;
mod push;
mod watch;
use fetch::fetch;
use push::push;
pub use watch::{DEADLINE, Watch};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No hub in the folder (missing, or empty): `makeable` when a hub could be made there
    /// (`--new-hub`, or the TUI's confirmation).
    #[error("{}: {message}", .folder.display())]
    NoHub {
        folder: PathBuf,
        message: String,
        makeable: bool,
    },
    #[error("{}: {message}", .folder.display())]
    Hub { folder: PathBuf, message: String },
    #[error("{}: {message}", .folder.display())]
    Local { folder: PathBuf, message: String },
    /// Cancelled, or past its deadline, before anything of the campaign was written.
    #[error("{}: {message}", .folder.display())]
    Stopped { folder: PathBuf, message: String },
}

/// What a sync did, for its summary.
#[derive(Debug, Default)]
pub struct Report {
    pub new_hub: bool,
    /// A join: how many municipalities' records the campaign came with.
    pub joined: Option<usize>,
    /// Municipality ids that came in, and who changed them.
    pub came_in: BTreeMap<String, BTreeSet<String>>,
    /// Whether the campaign's own fields (the letter's facts, settings) came in changed.
    pub campaign_in: bool,
    /// Commits of this device the hub did not have.
    pub went_out: usize,
    /// Open conflicts in the campaign after the sync.
    pub conflicts: usize,
    /// Campaign fields and data files changed on both sides, where this side's stayed.
    pub kept: Vec<String>,
    /// The hub's branches left out, refused before and still not fixed.
    pub skipped: Vec<String>,
}

impl Report {
    /// The summary in Russian: what came in and from whom, what went out, conflicts.
    pub fn describe(&self, registry: &crate::model::registry::Registry, hub: &Path) -> String {
        let mut out = String::new();
        if self.new_hub {
            out.push_str(&format!(
                "создан новый узел синхронизации: {}\n",
                hub.display()
            ));
        }
        if let Some(records) = self.joined {
            // Everything came with the join: «nothing new» and a count of commits «sent» would
            // say the opposite of what happened.
            out.push_str(&format!(
                "присоединено: кампания получена с узла целиком (записей муниципалитетов — {records}); этот ноутбук заведён на узле\n"
            ));
            out.push_str(&format!("открытых конфликтов: {}\n", self.conflicts));
            for s in &self.skipped {
                out.push_str(&format!("пропущено: {s}\n"));
            }
            return out;
        }
        if self.campaign_in {
            out.push_str("пришло: изменения данных письма и настроек кампании (campaign.ron)\n");
        }
        if self.came_in.is_empty() {
            if !self.campaign_in {
                out.push_str("пришло: ничего нового\n");
            }
        } else {
            // In Russian alphabetical order of the names, as every list sobes prints.
            let mut named: Vec<(&str, &BTreeSet<String>)> = self
                .came_in
                .iter()
                .map(|(id, who)| {
                    (
                        registry.get(id).map_or(id.as_str(), |m| m.name.as_str()),
                        who,
                    )
                })
                .collect();
            named.sort_by(|a, b| crate::model::collate::russian_cmp(a.0, b.0));
            let items: Vec<String> = named
                .into_iter()
                .map(|(name, who)| {
                    if who.is_empty() {
                        name.to_string()
                    } else {
                        let who: Vec<&str> = who.iter().map(String::as_str).collect();
                        format!("{name} ({})", who.join(", "))
                    }
                })
                .collect();
            out.push_str(&format!(
                "пришло: {} — {}\n",
                items.len(),
                crate::history::first_of(&items, 30, "; ")
            ));
        }
        out.push_str(&format!("ушло: записей в истории — {}\n", self.went_out));
        out.push_str(&format!("открытых конфликтов: {}\n", self.conflicts));
        for k in &self.kept {
            out.push_str(&format!("внимание: {k}\n"));
        }
        for s in &self.skipped {
            out.push_str(&format!("пропущено: {s}\n"));
        }
        out
    }
}

/// The campaign's own fields merged three-way; where both sides changed a field differently,
/// this side's value stays in the field and the conflict, with both versions, is kept in the
/// campaign (and named) until someone sets the field.
fn merge_meta(
    base: &Meta,
    (ours, me): (&Meta, &str),
    (theirs, device): (&Meta, &str),
) -> (Meta, Vec<String>) {
    let mut both = Vec::new();
    let mut found: Vec<FieldConflict> = Vec::new();
    let mut pick = |name: &str, b: String, o: String, t: String| -> String {
        if o == t || t == b {
            o
        } else if o == b {
            t
        } else {
            both.push(name.to_string());
            found.push(FieldConflict {
                field: name.to_string(),
                versions: vec![
                    FieldVersion {
                        value: o.clone(),
                        device: me.to_string(),
                    },
                    FieldVersion {
                        value: t,
                        device: device.to_string(),
                    },
                ],
            });
            o
        }
    };
    let show = |v: &Option<String>| v.clone().unwrap_or_default();
    let unshow = |v: String| (!v.is_empty()).then_some(v);
    let meta = Meta {
        format: ours.format.max(theirs.format),
        // The same on both sides once a sync let them meet (see `check_identity`); a side
        // made before ids takes the other's.
        id: ours.id.clone().or_else(|| theirs.id.clone()),
        title: pick(
            "title",
            base.title.clone(),
            ours.title.clone(),
            theirs.title.clone(),
        ),
        region: pick(
            "region",
            base.region.clone(),
            ours.region.clone(),
            theirs.region.clone(),
        ),
        start: unshow(pick(
            "start",
            show(&base.start),
            show(&ours.start),
            show(&theirs.start),
        )),
        end: unshow(pick(
            "end",
            show(&base.end),
            show(&ours.end),
            show(&theirs.end),
        )),
        protocol_id: pick(
            "protocol_id",
            base.protocol_id.clone(),
            ours.protocol_id.clone(),
            theirs.protocol_id.clone(),
        ),
        protocol_version: ours.protocol_version.max(theirs.protocol_version),
        facts: BTreeMap::new(),
        reviewers: merge_list(&base.reviewers, &ours.reviewers, &theirs.reviewers),
        open_review: pick(
            "open_review",
            base.open_review.to_string(),
            ours.open_review.to_string(),
            theirs.open_review.to_string(),
        ) == "true",
        previous: unshow(pick(
            "previous",
            show(&base.previous),
            show(&ours.previous),
            show(&theirs.previous),
        )),
        conflicts: Vec::new(),
    };
    let keys: BTreeSet<&String> = base
        .facts
        .keys()
        .chain(ours.facts.keys())
        .chain(theirs.facts.keys())
        .collect();
    let mut facts = BTreeMap::new();
    for k in keys {
        let get = |m: &Meta| m.facts.get(k).cloned().unwrap_or_default();
        let v = pick(k, get(base), get(ours), get(theirs));
        if !v.is_empty() {
            facts.insert(k.clone(), v);
        }
    }
    // Conflicts already open: either side's stay unless the other side decided one the base
    // had; the versions of one field are pooled.
    let decided = |side: &Meta, c: &FieldConflict| {
        base.conflicts.iter().any(|b| b.field == c.field)
            && !side.conflicts.iter().any(|s| s.field == c.field)
    };
    let mut conflicts: Vec<FieldConflict> = Vec::new();
    for c in ours.conflicts.iter().chain(&theirs.conflicts).chain(&found) {
        let fresh = found.iter().any(|f| f.field == c.field);
        if !fresh && (decided(ours, c) || decided(theirs, c)) {
            continue;
        }
        match conflicts.iter_mut().find(|x| x.field == c.field) {
            Some(x) => {
                for v in &c.versions {
                    if !x.versions.iter().any(|y| y.value == v.value) {
                        x.versions.push(v.clone());
                    }
                }
            }
            None => conflicts.push(c.clone()),
        }
    }
    (
        Meta {
            facts,
            conflicts,
            ..meta
        },
        both,
    )
}

/// A list merged as a set: what either side added is in, what either side removed is out;
/// this side's order first.
fn merge_list(base: &[String], ours: &[String], theirs: &[String]) -> Vec<String> {
    let removed = |side: &[String], x: &String| base.contains(x) && !side.contains(x);
    // Names are people: «Семёнова» added on one laptop and «Семенова» on the other is one.
    let key = crate::model::campaign::person_key;
    let mut out: Vec<String> = Vec::new();
    for x in ours.iter().chain(theirs) {
        if !removed(ours, x) && !removed(theirs, x) && !out.iter().any(|o| key(o) == key(x)) {
            out.push(x.clone());
        }
    }
    out
}

fn hub_err(folder: &Path) -> impl Fn(git2::Error) -> SyncError + '_ {
    move |e| SyncError::Hub {
        folder: folder.to_path_buf(),
        message: format!("узел синхронизации: {}", boundary::describe(&e, Whose::Hub)),
    }
}

/// A local failure (a file, the history) with its own message.
fn local<E: std::fmt::Display>(folder: &Path) -> impl Fn(E) -> SyncError + '_ {
    move |e| SyncError::Local {
        folder: folder.to_path_buf(),
        message: e.to_string(),
    }
}

fn local_err(folder: &Path) -> impl Fn(git2::Error) -> SyncError + '_ {
    move |e| SyncError::Local {
        folder: folder.to_path_buf(),
        message: format!("история кампании: {}", boundary::describe_git(&e)),
    }
}

/// The hub in `folder`, opened; with `create`, made when the folder is missing (inside a
/// folder that exists) or empty. Nothing is made otherwise: a missing hub is a stick not
/// plugged in, and the panel must not believe its work left. Returns whether it is new.
pub fn open_hub(folder: &Path, create: bool) -> Result<(Repository, bool), SyncError> {
    let err = hub_err(folder);
    let missing = !folder.exists();
    let empty = !missing
        && std::fs::read_dir(folder)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
    let parent = storage::dir_of(folder);
    let makeable = empty || missing && parent.is_dir();
    let no_hub = |message: String| SyncError::NoHub {
        folder: folder.to_path_buf(),
        message,
        makeable,
    };
    if missing && !parent.is_dir() {
        return Err(no_hub(format!(
            "узел синхронизации недоступен: папки нет, нет и папки {} (флешка не вставлена? сетевая папка не подключена?); ничего не создано и не изменено",
            parent.display()
        )));
    }
    if missing && !create {
        return Err(no_hub("узел синхронизации недоступен: папки нет (флешка не вставлена? сетевая папка не подключена?); ничего не создано и не изменено; новый узел в этой папке — с --new-hub".into()));
    }
    if empty && !create {
        return Err(no_hub("папка пуста: это ещё не узел синхронизации; чтобы сделать её новым узлом, добавьте --new-hub (в программе — подтвердите создание)".into()));
    }
    if missing || empty {
        return Ok((Repository::init_bare(folder).map_err(&err)?, true));
    }
    if let Some(why) = not_plain_hub(folder) {
        return Err(SyncError::Hub {
            folder: folder.to_path_buf(),
            message: format!(
                "{why}: это не узел sobes или он подделан; ничего не изменено, на узел ничего не отправлено"
            ),
        });
    }
    let repo = Repository::open_bare(folder).map_err(|_| SyncError::Hub {
        folder: folder.to_path_buf(),
        message:
            "это не узел синхронизации sobes (ожидалась папка, созданная sobes sync --new-hub)"
                .into(),
    })?;
    Ok((repo, false))
}

/// What makes libgit2 read a hub elsewhere than the folder checked (a `.git` inside, which
/// its local transport opens instead; `commondir`; a configuration that includes other
/// files, which may be a FIFO it waits on for ever): sobes never makes these.
fn not_plain_hub(folder: &Path) -> Option<String> {
    for odd in [".git", "commondir", "gitdir"] {
        if std::fs::symlink_metadata(folder.join(odd)).is_ok() {
            return Some(format!("в папке узла есть «{odd}»"));
        }
    }
    let config = folder.join("config");
    match std::fs::symlink_metadata(&config) {
        Ok(m) if !m.file_type().is_file() => {
            return Some("config узла — не обычный файл".into());
        }
        Ok(_) => {
            let text = storage::read_text(&config).ok()?;
            if text.to_lowercase().contains("[include") {
                return Some("config узла подключает другие файлы (include)".into());
            }
        }
        Err(_) => {}
    }
    None
}

/// The file in a hub's folder that names the campaign it serves: its id and title.
pub const HUB_CAMPAIGN_FILE: &str = "sobes-campaign";

/// The campaign a hub serves (id, title), when it says (a file from the stick: read only
/// while a small, plain text file; anything else in its place is refused, since writing the
/// identity there later could wait for ever on a FIFO).
fn hub_campaign(hub: &Path) -> Result<Option<(String, String)>, SyncError> {
    let path = hub.join(HUB_CAMPAIGN_FILE);
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    let text = storage::read_text(&path).map_err(|e| SyncError::Hub {
        folder: hub.to_path_buf(),
        message: format!(
            "{HUB_CAMPAIGN_FILE} не читается ({e}): это не узел sobes или он повреждён; ничего не изменено, на узел ничего не отправлено"
        ),
    })?;
    let mut lines = text.lines();
    let Some(id) = lines.next().map(|l| l.trim().to_string()) else {
        return Ok(None);
    };
    let title = lines.next().unwrap_or("").trim().to_string();
    Ok((!id.is_empty()).then_some((id, title)))
}

/// Refuses a hub of another campaign, whoever wrote it, before anything is pushed.
fn check_identity(
    hub: &Path,
    hub_id: Option<&(String, String)>,
    meta: &Meta,
) -> Result<(), SyncError> {
    if let (Some(ours), Some((theirs, title))) = (&meta.id, hub_id)
        && ours != theirs
    {
        return Err(SyncError::Hub {
            folder: hub.to_path_buf(),
            message: format!(
                "этот узел — другой кампании: узел ведёт «{}», а открыта «{}»{}; у каждой кампании свой узел (другая папка на флешке); ничего не изменено, на узел ничего не отправлено",
                crate::model::collate::escape_controls(title),
                meta.title,
                if *title == meta.title {
                    " (названия совпадают, но это разные кампании)"
                } else {
                    ""
                }
            ),
        });
    }
    Ok(())
}

/// The branch of a device on the hub.
pub fn device_ref(device: &str) -> String {
    format!("refs/heads/devices/{device}")
}

/// The devices' branches fetched from the hub that hold something this campaign lacks:
/// (device, commit), this device's own first (after a repair it brings the history back).
fn incoming(repo: &Repository, me: &str, dir: &Path) -> Result<Vec<(String, Oid)>, SyncError> {
    let head = repo.head().ok().and_then(|h| h.target());
    let mut out = Vec::new();
    for r in repo.references_glob("refs/hub/*").map_err(local_err(dir))? {
        let r = r.map_err(local_err(dir))?;
        let (Some(name), Some(oid)) = (r.name().ok(), r.target()) else {
            continue;
        };
        let device = name.trim_start_matches("refs/hub/").to_string();
        let merged =
            head.is_some_and(|h| h == oid || repo.graph_descendant_of(h, oid).unwrap_or(false));
        if !merged {
            out.push((device, oid));
        }
    }
    out.sort_by_key(|(d, _)| *d != me);
    Ok(out)
}

/// Why the branch at `theirs` (its history brought whole by [`fetch`]) cannot come in, if
/// it cannot: its tree does not read, or the boundary refuses it.
fn branch_problem(
    repo: &Repository,
    theirs: Oid,
    data: &DataSet,
    known: &BTreeMap<String, Oid>,
) -> Option<String> {
    let tree = match repo.find_commit(theirs).and_then(|c| c.tree()) {
        Ok(tree) => tree,
        Err(e) => return Some(boundary::describe(&e, Whose::Hub)),
    };
    boundary::check_tree(repo, &tree, data, known)
        .err()
        .map(|r| r.to_string())
}

/// Branches of the hub refused by the boundary: kept in the campaign's `.git` and named by
/// `sobes conflicts` and `sobes check` until the branch moves to a commit that passes.
const REFUSED_FILE: &str = "sobes-refused";

/// A device's branch on the hub that was refused: which commit and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub device: String,
    pub commit: String,
    pub why: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ветка устройства {} на узле (коммит {}) отклонена: {}",
            self.device,
            &self.commit[..self.commit.len().min(12)],
            self.why
        )
    }
}

/// The hub's branches refused so far, as the last sync left them.
pub fn refused(dir: &Path) -> Vec<Refused> {
    let Ok(text) = std::fs::read_to_string(dir.join(".git").join(REFUSED_FILE)) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| {
            let mut parts = l.splitn(3, '\t');
            Some(Refused {
                device: parts.next()?.to_string(),
                commit: parts.next()?.to_string(),
                why: parts.next()?.to_string(),
            })
        })
        .collect()
}

fn keep_refused(dir: &Path, list: &[Refused]) -> Result<(), SyncError> {
    let path = dir.join(".git").join(REFUSED_FILE);
    if list.is_empty() {
        let _ = std::fs::remove_file(&path);
        return Ok(());
    }
    let text: String = list
        .iter()
        .map(|r| {
            format!(
                "{}\t{}\t{}\n",
                r.device,
                r.commit,
                r.why.replace(['\n', '\t'], " ")
            )
        })
        .collect();
    storage::atomic_write(&path, text.as_bytes()).map_err(local(dir))
}

/// A record as a commit holds it (checked by the boundary before it got here).
fn parse_record(bytes: Option<Vec<u8>>) -> Option<Record> {
    let text = String::from_utf8(bytes?).ok()?;
    let origin = crate::model::source::Origin::Builtin("история");
    crate::model::source::parse_ron(&text, &origin).ok()
}

/// The table of points as a commit holds it; none counts as empty.
fn parse_table(bytes: Option<Vec<u8>>) -> ScoreTable {
    let parsed = || -> Option<ScoreTable> {
        let text = String::from_utf8(bytes?).ok()?;
        let origin = crate::model::source::Origin::Builtin("история");
        crate::model::source::parse_ron(&text, &origin).ok()
    };
    parsed().unwrap_or_else(ScoreTable::new)
}

/// Three-way merge of the tables of points, row by row through the records' merge (so a
/// point changed differently on two laptops is a conflict like any other field). Returns the
/// table and the municipalities whose points differ from ours.
fn merge_tables(
    base: &ScoreTable,
    (ours, me): (&ScoreTable, &str),
    (theirs, device): (&ScoreTable, &str),
) -> (ScoreTable, Vec<String>) {
    let record = |t: &ScoreTable, id: &str| crate::model::scores::record_of(id, t.row(id));
    let mut table = ours.clone();
    let mut changed = Vec::new();
    let ids: BTreeSet<&String> = ours.rows.keys().chain(theirs.rows.keys()).collect();
    for id in ids {
        if ours.row(id) == theirs.row(id) {
            continue;
        }
        let m = merge(
            &record(base, id),
            (&record(ours, id), me),
            (&record(theirs, id), device),
        );
        if table.set(id, ScoreRow::of(&m)) {
            changed.push(id.clone());
        }
    }
    (table, changed)
}

/// What one merge is about: the campaign, the other side, and what it may take.
struct MergeIn<'a> {
    history: &'a History,
    dir: &'a Path,
    data: &'a DataSet,
    me: &'a str,
    /// The laptops by name, for what the merge says.
    names: crate::history::DeviceNames,
    /// Whether the hub is known to serve this very campaign (both ids, equal): only then is
    /// this device's own branch with no common history (a history rebuilt after damage)
    /// taken in, as the past of this side.
    identified: bool,
}

/// Whether a commit «История восстановлена» (see `history::repair`) is among those of
/// `ours` that `theirs` lacks.
fn repaired_since(repo: &Repository, ours: Oid, theirs: Oid) -> bool {
    let Ok(mut walk) = repo.revwalk() else {
        return false;
    };
    if walk.push(ours).is_err() || walk.hide(theirs).is_err() {
        return false;
    }
    walk.flatten().any(|id| {
        repo.find_commit(id)
            .is_ok_and(|c| c.summary().ok().flatten() == Some(crate::history::REPAIRED))
    })
}

/// Merges the commit `theirs` of `device` (its tree already checked by the boundary) into
/// the campaign's HEAD: record files three-way by records, other files taken from the side
/// that changed them (ours where both did). Every file written is checked again, then
/// written, then committed; returns the municipalities that changed here.
fn merge_in(
    m: &MergeIn,
    device: &str,
    theirs: Oid,
    kept: &mut Vec<String>,
    campaign_in: &mut bool,
) -> Result<Vec<String>, SyncError> {
    let (repo, dir, me) = (&m.history.repo, m.dir, m.me);
    let err = local_err(dir);
    let ours_commit = repo.head().and_then(|h| h.peel_to_commit()).map_err(&err)?;
    let ours = ours_commit.id();
    if ours == theirs || repo.graph_descendant_of(ours, theirs).map_err(&err)? {
        return Ok(Vec::new());
    }
    let base = match repo.merge_base(ours, theirs) {
        // This device's own commits that a repair here lost: every save wrote its file
        // before committing, so the files the repair committed hold them all, and what
        // came after is newer: nothing of theirs is to be merged, only their history.
        Ok(_) if device == me && m.identified && repaired_since(repo, ours, theirs) => theirs,
        Ok(base) => base,
        // This device's own past, from before its history was rebuilt: this side's files
        // are newer than anything it pushed, so they stay as they are.
        Err(_) if device == me && m.identified => theirs,
        Err(_) => {
            return Err(SyncError::Hub {
                folder: dir.to_path_buf(),
                message: format!(
                    "ветка другого ноутбука ({}) на узле — от другой кампании (нет общей истории); ничего не изменено",
                    m.names.of(device)
                ),
            });
        }
    };
    let trees = |oid: Oid| repo.find_commit(oid).and_then(|c| c.tree()).map_err(&err);
    let (tb, to, tt) = (trees(base)?, trees(ours)?, trees(theirs)?);
    let mut changed = Vec::new();
    let (ib, io, it) = (
        boundary::files_of(Some(&tb)),
        boundary::files_of(Some(&to)),
        boundary::files_of(Some(&tt)),
    );
    // A file's text by its blob id, read only where ids differ.
    let text = |oid: Option<&Oid>| -> Option<Vec<u8>> {
        oid.and_then(|o| repo.find_blob(*o).ok())
            .map(|b| b.content().to_vec())
    };
    // Only campaign files: what else an older history holds is none of the merge's business.
    let all: BTreeSet<&String> = ib
        .keys()
        .chain(io.keys())
        .chain(it.keys())
        .filter(|p| boundary::place(p).is_some())
        .collect();
    // What the merge writes: (path in the campaign, new blob or None for removed, text).
    let mut outcome: Vec<(String, Option<Oid>, Option<Vec<u8>>)> = Vec::new();
    for path in all {
        let ob = ib.get(path);
        // A side without a file the base has did not erase it: sobes never deletes a
        // campaign file, so absence is a loss (a file deleted by hand, a tree cut short),
        // and that side counts as having left the file as it was.
        let (oo, ot) = (io.get(path).or(ob), it.get(path).or(ob));
        // Same blob id, same content: nothing to read.
        if oo == ot || ot == ob {
            continue;
        }
        let path = path.as_str();
        let record_file = matches!(boundary::place(path), Some(boundary::Place::Record(_)));
        let merged: Option<Vec<u8>> = if path == storage::SCORES_FILE {
            // Merged even when only their side changed: the merge says which rows came in.
            let (b, o, t) = (
                parse_table(text(ob)),
                parse_table(text(oo)),
                parse_table(text(ot)),
            );
            let (table, ids) = merge_tables(&b, (&o, me), (&t, device));
            changed.extend(ids);
            if oo == ob {
                text(ot)
            } else {
                Some(storage::scores::text(&table))
            }
        } else if oo == ob {
            text(ot)
        } else if record_file {
            let id = storage::record_id(Path::new(path)).unwrap_or_default();
            let parse = |b: Option<Vec<u8>>| parse_record(b).unwrap_or_else(|| Record::new(&id));
            let m = merge(
                &parse(text(ob)),
                (&parse(text(oo)), me),
                (&parse(text(ot)), device),
            );
            Some(storage::to_ron(&m).into_bytes())
        } else if path == storage::META_FILE {
            let parse = |b: Option<Vec<u8>>| -> Option<Meta> {
                let text = String::from_utf8(b?).ok()?;
                let origin = crate::model::source::Origin::Builtin("история");
                crate::model::source::parse_ron(&text, &origin).ok()
            };
            match (parse(text(ob)), parse(text(oo)), parse(text(ot))) {
                (Some(b), Some(o), Some(t)) => {
                    let (meta, both) = merge_meta(&b, (&o, me), (&t, device));
                    for field in both {
                        kept.push(format!(
                            "campaign.ron: поле «{field}» изменено и здесь, и на другом ноутбуке ({}); пока оставлено здешнее значение, конфликт открыт (sobes campaign set {field} …)", m.names.of(device)
                        ));
                    }
                    Some(storage::to_ron(&meta).into_bytes())
                }
                _ => continue,
            }
        } else {
            // A data file changed on both sides: ours stays, and the summary says so.
            kept.push(format!(
                "{path}: изменён и здесь, и на другом ноутбуке ({}); оставлен здешний",
                m.names.of(device)
            ));
            continue;
        };
        if let Some(bytes) = &merged {
            boundary::check_file(path, bytes, m.data).map_err(|r| SyncError::Local {
                folder: dir.to_path_buf(),
                message: format!(
                    "слияние с другим ноутбуком ({}) дало бы файл, который не читается: {r}; ничего из этого слияния не записано", m.names.of(device)
                ),
            })?;
        }
        if path == storage::META_FILE && merged != text(oo) {
            *campaign_in = true;
        }
        let blob = match (&merged, oo == ob) {
            (Some(_), true) => ot.copied(),
            (Some(bytes), false) => Some(repo.blob(bytes).map_err(&err)?),
            (None, _) => None,
        };
        if let Some(id) = storage::record_id(Path::new(path)).filter(|_| record_file) {
            changed.push(id);
        }
        outcome.push((path.to_string(), blob, merged));
    }
    let blobs: Vec<(PathBuf, Option<Oid>)> = outcome
        .iter()
        .map(|(path, blob, _)| (PathBuf::from(path), *blob))
        .collect();
    let mut writes = Vec::new();
    for (path, _, bytes) in outcome {
        match bytes {
            Some(bytes) => writes.push((PathBuf::from(path), bytes)),
            None => {
                let _ = std::fs::remove_file(dir.join(&path));
            }
        }
    }
    write_files(dir, &writes)?;
    // Nothing here the other side lacks: take its commit as it is (a fast-forward), so two
    // devices end on the same commit rather than merging each other's merges for ever.
    // Their tree lacking a file this side has is not taken as it is (see above).
    let lost_there = io
        .keys()
        .any(|p| boundary::place(p).is_some() && !it.contains_key(p));
    if !lost_there && repo.graph_descendant_of(theirs, ours).map_err(&err)? {
        let head = repo.head().map_err(&err)?;
        let name = head.name().map_err(&err)?.to_string();
        repo.reference(&name, theirs, true, "sync: fast-forward")
            .map_err(&err)?;
    } else {
        // Our tree with the merged files: the workdir was our HEAD before the merge wrote
        // them. The merge commit has both parents, so the same commits never merge twice.
        let tree = repo
            .find_tree(crate::history::replace(repo, &to, &blobs).map_err(&err)?)
            .map_err(&err)?;
        let theirs_commit = repo.find_commit(theirs).map_err(&err)?;
        let sig =
            git2::Signature::now(crate::history::NOBODY, &format!("{me}@sobes")).map_err(&err)?;
        let computer = crate::history::computer_signature(me).map_err(&err)?;
        let message = format!(
            "Слияние: {}: {}",
            m.names.of(device),
            if changed.is_empty() {
                "записи не изменились".to_string()
            } else {
                crate::history::first_of(&changed, 20, ", ")
            }
        );
        repo.commit(
            Some("HEAD"),
            &sig,
            &computer,
            &message,
            &tree,
            &[&ours_commit, &theirs_commit],
        )
        .map_err(&err)?;
    }
    m.history.index_learns(&blobs).map_err(local(dir))?;
    changed.sort();
    changed.dedup();
    Ok(changed)
}

/// Writes checked campaign files (paths from [`boundary::place`]), their folder made when
/// git, which keeps no empty folders, brought none.
fn write_files(dir: &Path, writes: &[(PathBuf, Vec<u8>)]) -> Result<(), SyncError> {
    if writes.iter().any(|(p, _)| p.starts_with(RECORDS_DIR)) {
        storage::create_private_dir(&dir.join(RECORDS_DIR)).map_err(local(dir))?;
    }
    storage::write_many(dir, writes).map_err(local(dir))
}

/// Who changed which municipality in the commits of `theirs` that `ours` did not have, by
/// the changes those commits carry: a person is named only for what they changed, not for
/// everything their branch brought.
fn authors(repo: &Repository, ours: Oid, theirs: Oid) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let Ok(mut walk) = repo.revwalk() else {
        return out;
    };
    let _ = walk.push(theirs);
    let _ = walk.hide(ours);
    for oid in walk.flatten() {
        let Ok(c) = repo.find_commit(oid) else {
            continue;
        };
        let message = String::from_utf8_lossy(c.message_bytes());
        let Some((_, body)) = message.split_once("\n\n") else {
            continue;
        };
        let changes: Vec<crate::model::change::Change> =
            ron::from_str(body.trim()).unwrap_or_default();
        for change in changes.into_iter().filter(|c| !c.by.trim().is_empty()) {
            out.entry(change.municipality)
                .or_default()
                .insert(change.by);
        }
    }
    out
}

/// A step of a sync, for a screen that shows how far it got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Committing,
    Fetching,
    Checking,
    Merging {
        device: String,
        done: usize,
        of: usize,
    },
    Pushing,
    Counting,
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Committing => write!(f, "синхронизация: несохранённое в истории вносится в неё…"),
            Step::Fetching => write!(f, "синхронизация: получение с узла…"),
            Step::Checking => write!(f, "синхронизация: проверка полученного…"),
            Step::Merging { device, done, of } => write!(
                f,
                "синхронизация: слияние, {device} ({} из {of})…",
                done + 1
            ),
            Step::Pushing => write!(f, "синхронизация: отправка на узел…"),
            Step::Counting => write!(f, "синхронизация: подсчёт открытых конфликтов…"),
        }
    }
}

/// Where a sync goes and what it may do there.
pub struct Hub<'a> {
    pub folder: &'a Path,
    /// Make the hub when the folder is missing or empty (`--new-hub`, or confirmed).
    pub create: bool,
}

/// Syncs the campaign in `dir` (its lock held by the caller) with a hub.
pub fn sync(history: &History, dir: &Path, hub: &Hub, data: &DataSet) -> Result<Report, SyncError> {
    sync_with(history, dir, hub, data, &mut Watch::new(&mut |_| {}))
}

/// The campaign's `campaign.ron`, for a sync.
fn meta_of(dir: &Path) -> Result<Meta, SyncError> {
    storage::open(dir)
        .map(|(meta, _)| meta)
        .map_err(|e| SyncError::Local {
            folder: dir.to_path_buf(),
            message: crate::model::source::join_errors(&e),
        })
}

/// [`sync`], telling `watch` each step before it starts, and stopping when it says so up to
/// the first write into the campaign. Every branch that came in is
/// checked whole before the first file is written; a branch refused for the first time
/// stops the sync with nothing written and nothing pushed, a branch refused before is left
/// out (and named) while the others go through.
pub fn sync_with(
    history: &History,
    dir: &Path,
    hub: &Hub,
    data: &DataSet,
    watch: &mut Watch,
) -> Result<Report, SyncError> {
    let (folder, device) = (hub.folder, history.device());
    let mut meta = meta_of(dir)?;
    let hub_id = hub_campaign(folder)?;
    check_identity(folder, hub_id.as_ref(), &meta)?;
    let (hub_repo, new_hub) = open_hub(folder, hub.create)?;
    let repo = &history.repo;
    // Whatever is on disk goes into the history before it is shared.
    watch.step(Step::Committing);
    watch.go_on(folder)?;
    history.commit_pending("sobes").map_err(local(dir))?;
    let identified = matches!((&meta.id, &hub_id), (Some(a), Some((b, _))) if a == b);
    let mut report = Report {
        new_hub,
        ..Report::default()
    };
    watch.step(Step::Fetching);
    let broken = fetch(repo, folder, watch)?;
    watch.step(Step::Checking);
    let branches = incoming(repo, device, dir)?;
    let known = {
        let head = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
        boundary::files_of(head.as_ref())
    };
    let before = refused(dir);
    let mut fresh: Vec<Refused> = broken
        .iter()
        .filter(|r| !before.contains(r))
        .cloned()
        .collect();
    let mut now_refused = broken;
    for (other, theirs) in &branches {
        if let Some(why) = branch_problem(repo, *theirs, data, &known) {
            let refusal = Refused {
                device: other.clone(),
                commit: theirs.to_string(),
                why,
            };
            if !before.contains(&refusal) {
                fresh.push(refusal.clone());
            }
            now_refused.push(refusal);
        }
    }
    watch.go_on(folder)?;
    keep_refused(dir, &now_refused)?;
    if !fresh.is_empty() {
        let list: Vec<String> = fresh.iter().map(|r| r.to_string()).collect();
        return Err(SyncError::Hub {
            folder: folder.to_path_buf(),
            message: format!(
                "{}\nсинхронизация отменена: кампания не изменена, на узел ничего не отправлено; пока ветку не исправят, следующие синхронизации будут её пропускать (её называют sobes conflicts и sobes check)",
                list.join("\n")
            ),
        });
    }
    if meta.id.is_none() && hub_id.is_none() {
        // A campaign made before ids gets one now (after every check passed), and the hub
        // learns it below.
        meta.id = Some(crate::session::new_campaign_id());
        let text = storage::to_ron(&meta);
        storage::atomic_write(&dir.join(storage::META_FILE), text.as_bytes())
            .map_err(local(dir))?;
        history
            .commit_written(
                &[(PathBuf::from(storage::META_FILE), text.into_bytes())],
                "sobes",
                "Кампании дан идентификатор для узла синхронизации",
            )
            .map_err(local(dir))?;
    }
    report.skipped = now_refused.iter().map(|r| r.to_string()).collect();
    let merging: Vec<&(String, Oid)> = branches
        .iter()
        .filter(|(d, o)| {
            !now_refused
                .iter()
                .any(|r| r.device == *d && r.commit == o.to_string())
        })
        .collect();
    let of = merging.len();
    let m = MergeIn {
        history,
        dir,
        data,
        me: device,
        names: history.device_names(),
        identified,
    };
    for (done, (other, theirs)) in merging.into_iter().enumerate() {
        watch.step(Step::Merging {
            device: m.names.of(other),
            done,
            of,
        });
        let ours = repo.head().ok().and_then(|h| h.target());
        let who = ours.map(|o| authors(repo, o, *theirs)).unwrap_or_default();
        for id in merge_in(
            &m,
            other,
            *theirs,
            &mut report.kept,
            &mut report.campaign_in,
        )? {
            let by = who.get(&id).into_iter().flatten().cloned();
            report.came_in.entry(id).or_default().extend(by);
        }
    }
    let head = repo.head().ok().and_then(|h| h.target());
    let before = hub_repo
        .find_reference(&device_ref(device))
        .ok()
        .and_then(|r| r.target());
    if let Some(head) = head {
        report.went_out = match before {
            Some(b) if b == head => 0,
            Some(b) => count(repo, head, Some(b)),
            None => count(repo, head, None),
        };
    }
    watch.step(Step::Pushing);
    let meta = meta_of(dir)?;
    if let Some(id) = meta.id.as_ref().filter(|_| hub_id.is_none()) {
        let line = format!("{id}\n{}\n", meta.title.replace('\n', " "));
        std::fs::write(folder.join(HUB_CAMPAIGN_FILE), line).map_err(|e| SyncError::Hub {
            folder: folder.to_path_buf(),
            message: format!("узел синхронизации: {}", storage::describe_io(&e)),
        })?;
    }
    push(repo, folder, device)?;
    watch.step(Step::Counting);
    report.conflicts = storage::count_conflicts(dir).map_err(|e| SyncError::Local {
        folder: dir.to_path_buf(),
        message: crate::model::source::join_errors(&e),
    })?;
    Ok(report)
}

fn count(repo: &Repository, head: Oid, hide: Option<Oid>) -> usize {
    let Ok(mut walk) = repo.revwalk() else {
        return 0;
    };
    let _ = walk.push(head);
    if let Some(h) = hide {
        let _ = walk.hide(h);
    }
    walk.count()
}

/// A new laptop joins the campaign of a hub: the first device's branch, checked whole, is
/// taken as it is, the others are merged in, and this device's branch is pushed.
pub fn join(
    history: &History,
    dir: &Path,
    hub: &Path,
    data: &DataSet,
) -> Result<Report, SyncError> {
    let (_, _) = open_hub(hub, false)?;
    let repo = &history.repo;
    let err = local_err(dir);
    // A branch that does not read is left out and remembered as refused: a new laptop joins
    // from the others, and the sync that ends the join names it as skipped.
    keep_refused(dir, &fetch(repo, hub, &Watch::new(&mut |_| {}))?)?;
    let branches = incoming(repo, history.device(), dir)?;
    let Some((device, first)) = branches.first().cloned() else {
        return Err(SyncError::Hub {
            folder: hub.to_path_buf(),
            message: "на узле нет ни одной кампании: сначала выполните sobes sync на ноутбуке с кампанией".into(),
        });
    };
    let tree = repo
        .find_commit(first)
        .and_then(|c| c.tree())
        .map_err(hub_err(hub))?;
    let files =
        boundary::check_tree(repo, &tree, data, &BTreeMap::new()).map_err(|r| SyncError::Hub {
            folder: hub.to_path_buf(),
            message: format!(
                "{}\nприсоединение отменено: ничего не записано",
                Refused {
                    device: device.clone(),
                    commit: first.to_string(),
                    why: r.to_string(),
                }
            ),
        })?;
    let mut writes = Vec::with_capacity(files.len());
    for (path, oid) in &files {
        let bytes = repo.find_blob(*oid).map_err(&err)?.content().to_vec();
        writes.push((PathBuf::from(path), bytes));
    }
    write_files(dir, &writes)?;
    // A campaign joined before anyone answered has no records' folder in git.
    storage::create_private_dir(&dir.join(RECORDS_DIR)).map_err(local(dir))?;
    repo.reference(
        &format!("refs/heads/{}", crate::history::BRANCH),
        first,
        true,
        "join",
    )
    .map_err(&err)?;
    let learnt: Vec<(PathBuf, Option<Oid>)> = files
        .into_iter()
        .map(|(path, oid)| (PathBuf::from(path), Some(oid)))
        .collect();
    history.index_learns(&learnt).map_err(local(dir))?;
    let records = learnt
        .iter()
        .filter(|(p, _)| p.starts_with(RECORDS_DIR))
        .count();
    let mut report = sync(
        history,
        dir,
        &Hub {
            folder: hub,
            create: false,
        },
        data,
    )?;
    // Counted on disk: the other laptops' branches merged after the first one add theirs.
    report.joined = Some(storage::open(dir).map_or(records, |(_, files)| files.len()));
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The summary names what came in in Russian alphabetical order, not by Latin ids
    /// («chelyabinsky-go» comes before «kyshtymsky-go», Челябинский after Кыштымский).
    #[test]
    fn the_summary_lists_municipalities_in_russian_order() {
        let registry = crate::model::registry::Registry::builtin();
        let mut report = Report::default();
        for id in ["chelyabinsky-go", "kyshtymsky-go", "agapovsky-mr"] {
            report.came_in.insert(id.into(), BTreeSet::new());
        }
        let text = report.describe(&registry, Path::new("hub"));
        assert!(
            text.contains("Агаповский МР; Кыштымский ГО; Челябинский ГО"),
            "{text}"
        );
    }
}
