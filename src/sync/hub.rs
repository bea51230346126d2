//! The hub as a folder: opened (or made) only when it is plainly a hub sobes made, the
//! campaign it serves checked against this one, the devices' branches it brought, and those
//! the boundary refused, remembered until they are fixed.

use super::{SyncError, hub_err, local, local_err};
use crate::boundary::{self, Whose};
use crate::data::DataSet;
use crate::model::campaign::Meta;
use crate::storage;
use git2::{Oid, Repository};
use std::collections::BTreeMap;
use std::path::Path;

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
pub(super) fn hub_campaign(hub: &Path) -> Result<Option<(String, String)>, SyncError> {
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
pub(super) fn check_identity(
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
pub(super) fn incoming(
    repo: &Repository,
    me: &str,
    dir: &Path,
) -> Result<Vec<(String, Oid)>, SyncError> {
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

/// Why the branch at `theirs` (its history brought whole by `fetch`) cannot come in, if
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

/// The branches that came in checked by the boundary, after the fetch left out those that do
/// not read (`broken`): every branch refused now, and those of them refused for the first
/// time (the last sync did not leave them refused).
pub(super) fn refusals(
    repo: &Repository,
    dir: &Path,
    data: &DataSet,
    broken: Vec<Refused>,
    branches: &[(String, Oid)],
) -> (Vec<Refused>, Vec<Refused>) {
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
    for (other, theirs) in branches {
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
    (now_refused, fresh)
}

/// The sync stopped by branches refused for the first time, before anything was written.
pub(super) fn first_refusals(folder: &Path, fresh: &[Refused]) -> SyncError {
    let list: Vec<String> = fresh.iter().map(|r| r.to_string()).collect();
    SyncError::Hub {
        folder: folder.to_path_buf(),
        message: format!(
            "{}\nсинхронизация отменена: кампания не изменена, на узел ничего не отправлено; пока ветку не исправят, следующие синхронизации будут её пропускать (её называют sobes conflicts и sobes check)",
            list.join("\n")
        ),
    }
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

pub(super) fn keep_refused(dir: &Path, list: &[Refused]) -> Result<(), SyncError> {
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
