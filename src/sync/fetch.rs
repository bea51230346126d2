//! Bringing the devices' branches from a folder hub into `refs/hub/*`, branch by branch,
//! without libgit2's local transport: that one opens whatever repository it finds at the
//! path (a `.git` inside the folder instead of the hub checked), and one branch whose history
//! does not read (a parent missing, a blob where a commit should be) failed the whole fetch
//! for every laptop. Here the hub is opened as exactly its folder, after its loose objects
//! were checked whole; each branch's new objects are packed from the hub and written into
//! the campaign's history ([`crate::history::write_pack`]); a branch that does not read is
//! returned, named, and left out.

use super::hub::Refused;
use super::{SyncError, Watch, hub_err};
use crate::boundary::{self, Whose};
use git2::{Oid, Repository};
use std::collections::BTreeSet;
use std::path::Path;

const HUB_BRANCHES: &str = "refs/heads/devices/";
const FETCHED: &str = "refs/hub/";

/// Fetches every device's branch; returns the branches left out, and why.
pub(super) fn fetch(
    repo: &Repository,
    hub: &Path,
    watch: &Watch,
) -> Result<Vec<Refused>, SyncError> {
    let hub_repo = open_checked(hub)?;
    drop_unreadable_cache(repo);
    let refetch = repo.path().join(crate::history::REFETCH);
    let whole = refetch.exists();
    let mut seen = BTreeSet::new();
    let mut broken = Vec::new();
    let twins = case_twins(&hub_repo);
    for r in hub_repo
        .references_glob(&format!("{HUB_BRANCHES}*"))
        .map_err(hub_err(hub))?
    {
        watch.go_on(hub)?;
        let Ok(r) = r else { continue };
        let Some(device) = r.name().ok().and_then(|n| n.strip_prefix(HUB_BRANCHES)) else {
            continue;
        };
        let device = device.to_string();
        let twin = twins.contains(&device.to_lowercase());
        seen.insert(device.clone());
        let result = match r.target() {
            _ if device.contains('/') => Err("имя ноутбука в ветке содержит «/»".to_string()),
            _ if twin => Err(
                "имя ноутбука отличается от другого только регистром букв (на Windows это одна ветка)"
                    .to_string(),
            ),
            Some(tip) => bring(repo, &hub_repo, tip, whole, watch).map(|()| tip),
            None => Err("ветка — символическая ссылка, а не запись истории".to_string()),
        };
        match result {
            Ok(tip) => {
                repo.reference(&format!("{FETCHED}{device}"), tip, true, "sync: fetch")
                    .map_err(|e| {
                        hub_refuses(
                            hub,
                            format!("история кампании: {}", boundary::describe_git(&e)),
                        )
                    })?;
            }
            // Stopped while packing: the branch is not to blame.
            Err(_) if watch.stopped() => {
                watch.go_on(hub)?;
                continue;
            }
            Err(why) => {
                let _ = repo
                    .find_reference(&format!("{FETCHED}{device}"))
                    .and_then(|mut old| old.delete());
                broken.push(Refused {
                    commit: r.target().map(|t| t.to_string()).unwrap_or_default(),
                    device,
                    why,
                });
            }
        }
    }
    if whole && broken.is_empty() {
        let _ = std::fs::remove_file(&refetch);
    }
    forget_gone(repo, &seen);
    Ok(broken)
}

/// Device names on the hub that differ only by case, lowercased: Windows keeps `ABC` and
/// `abc` in one file, so either would overwrite the other laptop's branch; both are refused.
fn case_twins(hub: &Repository) -> BTreeSet<String> {
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    if let Ok(refs) = hub.references_glob(&format!("{HUB_BRANCHES}*")) {
        for r in refs.flatten() {
            if let Some(device) = r.name().ok().and_then(|n| n.strip_prefix(HUB_BRANCHES)) {
                *seen.entry(device.to_lowercase()).or_default() += 1;
            }
        }
    }
    seen.into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(lower, _)| lower)
        .collect()
}

/// The hub refuses to be read, and why.
fn hub_refuses(hub: &Path, message: String) -> SyncError {
    SyncError::Hub {
        folder: hub.to_path_buf(),
        message,
    }
}

/// The hub opened as exactly its folder, once nothing in it would make libgit2 read
/// unchecked or damaged objects.
fn open_checked(hub: &Path) -> Result<Repository, SyncError> {
    // sobes never makes a hub that keeps its objects in another folder; libgit2 would read
    // those unchecked.
    if hub.join("objects/info/alternates").exists() {
        return Err(hub_refuses(hub, "узел ссылается на объекты в чужой папке (objects/info/alternates): это не узел sobes или он подделан; ничего не изменено, на узел ничего не отправлено".into()));
    }
    if let Some((path, why)) = boundary::damaged_objects(&hub.join("objects"), None)
        .into_iter()
        .next()
    {
        return Err(hub_refuses(
            hub,
            format!(
                "узел повреждён: объект {} — {why}; ничего не изменено, на узел ничего не отправлено",
                path.display()
            ),
        ));
    }
    // Read by no sync, but a hub whose HEAD git itself cannot read is damaged and is said so.
    let head = crate::storage::read_text(&hub.join("HEAD")).unwrap_or_default();
    let head = head.trim();
    if !(head.starts_with("ref: refs/") || Oid::from_str(head).is_ok() && head.len() == 40) {
        return Err(hub_refuses(hub, "узел повреждён: его HEAD не читается; ничего не изменено, на узел ничего не отправлено".into()));
    }
    Repository::open_bare(hub).map_err(hub_err(hub))
}

/// Branches gone from the hub (not `seen` by this fetch) go from here too: a refusal of one
/// is then forgotten.
fn forget_gone(repo: &Repository, seen: &BTreeSet<String>) {
    if let Ok(refs) = repo.references_glob(&format!("{FETCHED}*")) {
        let gone: Vec<String> = refs
            .flatten()
            .filter_map(|r| r.name().ok().map(str::to_string))
            .filter(|n| !seen.contains(n.trim_start_matches(FETCHED)))
            .collect();
        for name in gone {
            let _ = repo.find_reference(&name).and_then(|mut r| r.delete());
        }
    }
}

/// Copies into `repo` the objects of the branch at `tip` it lacks: the commits not reachable
/// from what this history already holds, their trees and blobs (all of them when `whole`:
/// after a repair what is here is not trusted to have its past). An error says why the
/// branch cannot come in.
fn bring(
    repo: &Repository,
    hub: &Repository,
    tip: Oid,
    whole: bool,
    watch: &Watch,
) -> Result<(), String> {
    let why = |e: git2::Error| {
        format!(
            "история ветки неполна или повреждена ({})",
            boundary::describe(&e, Whose::Hub)
        )
    };
    let odb = hub.odb().map_err(why)?;
    match odb.read_header(tip) {
        Ok((_, git2::ObjectType::Commit)) => {}
        _ => return Err("ветка указывает не на запись истории (не коммит)".into()),
    }
    if !whole && repo.find_commit(tip).is_ok() {
        return Ok(());
    }
    // Every commit, tree and blob to come is looked at before libgit2 inflates or walks it:
    // its size from its header (a small pack may hold a blob of gigabytes), its folders'
    // depth (libgit2's walk of a tree is recursive, and a tree nested thousands deep would
    // overflow the stack).
    let local = repo.odb().map_err(why)?;
    let mut commits = vec![tip];
    let mut seen = std::collections::HashSet::new();
    while let Some(id) = commits.pop() {
        if !seen.insert(id) || !whole && local.exists(id) {
            continue;
        }
        fits(&odb, id, git2::ObjectType::Commit, boundary::MAX_OBJECT)?;
        let commit = hub.find_commit(id).map_err(why)?;
        shallow(hub, &odb, commit.tree_id(), &mut seen)?;
        commits.extend(commit.parent_ids());
    }
    let mut walk = hub.revwalk().map_err(why)?;
    walk.push(tip).map_err(why)?;
    if !whole {
        hide_known(repo, hub, &mut walk).map_err(why)?;
    }
    let mut builder = hub.packbuilder().map_err(why)?;
    builder
        .set_progress_callback(|_, _, _| !watch.stopped())
        .map_err(why)?;
    builder.insert_walk(&mut walk).map_err(why)?;
    if builder.object_count() > 0 {
        crate::history::write_pack(&mut builder, &repo.path().join("objects").join("pack"))
            .map_err(|e| format!("не записано в историю кампании: {}", e.message()))?;
    }
    Ok(())
}

/// Hides from `walk` (on the hub) the commits this history already holds.
fn hide_known(
    repo: &Repository,
    hub: &Repository,
    walk: &mut git2::Revwalk,
) -> Result<(), git2::Error> {
    let local = repo.head().ok().and_then(|h| h.target()).into_iter().chain(
        repo.references_glob(&format!("{FETCHED}*"))
            .into_iter()
            .flat_map(|refs| {
                refs.flatten()
                    .filter_map(|r| r.target())
                    .collect::<Vec<_>>()
            }),
    );
    let hub_odb = hub.odb()?;
    for known in local {
        if hub_odb.exists(known) && repo.find_commit(known).is_ok() {
            walk.hide(known)?;
        }
    }
    Ok(())
}

/// Folders deeper than a campaign's (the records' folder, and one more for what an older
/// history may hold) are refused before anything walks them recursively.
const MAX_DEPTH: usize = 3;

fn shallow(
    hub: &Repository,
    odb: &git2::Odb,
    root: Oid,
    seen: &mut std::collections::HashSet<Oid>,
) -> Result<(), String> {
    let mut todo = vec![(root, 0)];
    while let Some((id, depth)) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        if depth > MAX_DEPTH {
            return Err(format!(
                "папки вложены глубже {MAX_DEPTH} уровней: так sobes не пишет"
            ));
        }
        fits(odb, id, git2::ObjectType::Tree, boundary::MAX_OBJECT)?;
        let tree = hub
            .find_tree(id)
            .map_err(|e| boundary::describe(&e, Whose::Hub))?;
        for e in tree.iter() {
            match e.kind() {
                Some(git2::ObjectType::Tree) => todo.push((e.id(), depth + 1)),
                Some(git2::ObjectType::Blob) if seen.insert(e.id()) => {
                    fits(odb, e.id(), git2::ObjectType::Blob, MAX_BLOB)?;
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// A campaign file is at most this large, and so is any blob a branch may bring.
const MAX_BLOB: usize = crate::storage::MAX_FILE_BYTES as usize;

/// The object `id` of the hub is of `kind` and at most `max` bytes, read from its header
/// alone.
fn fits(odb: &git2::Odb, id: Oid, kind: git2::ObjectType, max: usize) -> Result<(), String> {
    let (size, k) = odb
        .read_header(id)
        .map_err(|e| boundary::describe(&e, Whose::Hub))?;
    if k != kind {
        return Err(format!("объект {id} не того вида ({k}, а ожидался {kind})"));
    }
    if size > max {
        return Err(format!(
            "объект {id} слишком большой ({size} байт, можно до {max}): такого sobes не пишет"
        ));
    }
    Ok(())
}

/// `refs/hub/*` is a cache of what the last fetch saw: an entry that does not name a commit
/// this history holds (a file cut by a power cut, a commit lost with a damaged object) is
/// dropped, to be fetched again, rather than failing every sync.
fn drop_unreadable_cache(repo: &Repository) {
    let dir = repo.path().join("refs").join("hub");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let whole = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() && m.len() <= 100)
            && crate::storage::read_text(&path)
                .ok()
                .and_then(|t| {
                    Oid::from_str(t.trim())
                        .ok()
                        .filter(|_| t.trim().len() == 40)
                })
                .is_some_and(|oid| repo.find_commit(oid).is_ok());
        if !whole {
            let _ = if path.is_dir() {
                crate::storage::remove_tree(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}
