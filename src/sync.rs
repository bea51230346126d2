//! Sync through a hub: a bare git repository in a folder (a USB stick, a network share).
//! Each device pushes only its own branch there (`devices/<id>`), so a push is never refused,
//! and fetches every other device's branch; each of those is merged into this campaign record
//! by record with `model::merge` (git's line merge is too coarse for record files), conflicts
//! kept in the records as data. Syncing twice changes nothing; the same change arriving by
//! two routes is one commit, merged once.
//!
//! Every tree that arrives goes through [`crate::boundary`] before anything is written.
//!
//! This file holds the sync's steps in their order ([`sync_with`], [`join`]) and its errors.
//! Its files: `report` (what a sync did, said), `hub` (the hub opened and checked, the
//! branches it brought and those refused), `meta` (the campaign's own fields merged),
//! `merge` (the branches merged into HEAD), `watch` (steps said, a sync stopped), `push` and
//! `fetch` (objects to and from the hub).

pub mod address;
pub mod credentials;
mod fetch;
mod hub;
mod merge;
mod meta;
mod push;
mod report;
mod server;
pub mod tokens;
pub mod transfer;
mod watch;
pub use hub::{HUB_CAMPAIGN_FILE, Refused, device_ref, open_hub, refused};
pub use report::Report;
pub use watch::{DEADLINE, Watch};

use crate::boundary::{self, Whose};
use crate::data::DataSet;
use crate::history::History;
use crate::model::campaign::Meta;
use crate::storage::{self, RECORDS_DIR};
use fetch::fetch;
use git2::{Oid, Repository};
use hub::{check_identity, first_refusals, hub_campaign, incoming, keep_refused, refusals};
use merge::{MergeIn, merge_all, write_files};
use push::push;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
    /// A server hub refused every credential it was given: a token may be asked for.
    #[error("{}: {message}", .folder.display())]
    Login { folder: PathBuf, message: String },
    /// An ssh server whose key this computer does not know: the user may trust it, adding
    /// `known_hosts_line` to known_hosts.
    #[error("{}: {message}", .folder.display())]
    UnknownHost {
        folder: PathBuf,
        message: String,
        known_hosts_line: String,
    },
    #[error("{}: {message}", .folder.display())]
    Local { folder: PathBuf, message: String },
    /// Cancelled, or past its deadline, before anything of the campaign was written.
    #[error("{}: {message}", .folder.display())]
    Stopped { folder: PathBuf, message: String },
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
    /// Objects coming from a server hub.
    Receiving {
        received: usize,
        total: usize,
        bytes: usize,
    },
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
            Step::Receiving {
                received,
                total,
                bytes,
            } => write!(
                f,
                "синхронизация: получено {received} из {total} объектов, {:.1} МБ…",
                *bytes as f64 / 1_048_576.0
            ),
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

/// A hub as it is shown: a folder as given, a server's address without any secret.
pub fn shown(hub: &Path) -> String {
    match address::Address::of(hub) {
        Some(a) => a.shown().to_string(),
        None => hub.display().to_string(),
    }
}

/// How a hub is remembered: a folder as an absolute path (a command run from another folder
/// finds it), a server's address without any secret written into it.
pub fn remembered(hub: &Path) -> String {
    match address::Address::of(hub) {
        Some(a) => a.shown().to_string(),
        None => std::path::absolute(hub)
            .unwrap_or_else(|_| hub.to_path_buf())
            .display()
            .to_string(),
    }
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
    match address::Address::of(hub.folder) {
        Some(a) => server::sync_via(history, dir, &a, hub.create, data, watch),
        None => sync_folder(history, dir, hub, data, watch),
    }
}

/// [`sync_with`] through a hub folder (a server hub's copy too).
fn sync_folder(
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
    let (now_refused, fresh) = refusals(repo, dir, data, broken, &branches);
    watch.go_on(folder)?;
    keep_refused(dir, &now_refused)?;
    if !fresh.is_empty() {
        return Err(first_refusals(folder, &fresh));
    }
    if meta.id.is_none() && hub_id.is_none() {
        give_id(history, dir, &mut meta)?;
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
    let m = MergeIn {
        history,
        dir,
        data,
        me: device,
        names: history.device_names(),
        identified,
    };
    merge_all(&m, &merging, &mut report, watch)?;
    report.went_out = went_out(repo, &hub_repo, device);
    watch.step(Step::Pushing);
    tell_hub_campaign(folder, dir, hub_id.is_some())?;
    push(repo, folder, device)?;
    watch.step(Step::Counting);
    report.conflicts = storage::count_conflicts(dir).map_err(|e| SyncError::Local {
        folder: dir.to_path_buf(),
        message: crate::model::source::join_errors(&e),
    })?;
    Ok(report)
}

/// A campaign made before ids gets one, once every check passed; the hub learns it when
/// this side pushes ([`tell_hub_campaign`]).
fn give_id(history: &History, dir: &Path, meta: &mut Meta) -> Result<(), SyncError> {
    meta.id = Some(crate::session::new_campaign_id());
    let text = storage::to_ron(meta);
    storage::atomic_write(&dir.join(storage::META_FILE), text.as_bytes()).map_err(local(dir))?;
    history
        .commit_written(
            &[(PathBuf::from(storage::META_FILE), text.into_bytes())],
            "sobes",
            "Кампании дан идентификатор для узла синхронизации",
        )
        .map_err(local(dir))?;
    Ok(())
}

/// How many commits of this device the hub's branch of it lacks.
fn went_out(repo: &Repository, hub: &Repository, device: &str) -> usize {
    let head = repo.head().ok().and_then(|h| h.target());
    let before = hub
        .find_reference(&device_ref(device))
        .ok()
        .and_then(|r| r.target());
    match (head, before) {
        (None, _) => 0,
        (Some(head), Some(b)) if b == head => 0,
        (Some(head), before) => count(repo, head, before),
    }
}

/// A hub that does not say which campaign it serves (`hub_named`: it does) learns this
/// one's id and title.
fn tell_hub_campaign(folder: &Path, dir: &Path, hub_named: bool) -> Result<(), SyncError> {
    let meta = meta_of(dir)?;
    if let Some(id) = meta.id.as_ref().filter(|_| !hub_named) {
        let line = format!("{id}\n{}\n", meta.title.replace('\n', " "));
        std::fs::write(folder.join(HUB_CAMPAIGN_FILE), line).map_err(|e| SyncError::Hub {
            folder: folder.to_path_buf(),
            message: format!("узел синхронизации: {}", storage::describe_io(&e)),
        })?;
    }
    Ok(())
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
    match address::Address::of(hub) {
        Some(a) => server::join_via(history, dir, &a, data),
        None => join_folder(history, dir, hub, data),
    }
}

/// [`join`] from a hub folder (a server hub's copy too).
fn join_folder(
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
