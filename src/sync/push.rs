//! Sending this device's branch to a folder hub, without libgit2's local push: that push
//! writes a pack even when the hub has every object already (the empty pack, whose name is
//! always the same), and Windows will not replace a pack file another handle has mapped, so
//! the second sync of a laptop with nothing new failed there for good. It also returned `Ok`
//! for a branch the hub never took. Here only the objects the hub lacks travel, in a pack
//! under a name the hub does not hold yet; the branch moves after they are on the hub's
//! disk, and is read back before the sync says it went out.

use super::SyncError;
use super::hub::device_ref;
use crate::boundary::{self, Whose};
use git2::{Oid, Repository};
use std::path::Path;

/// Sends `HEAD` as this device's branch on the hub in `folder`. The hub's branches known
/// after the fetch (`refs/hub/*`) say what it holds already.
pub(super) fn push(repo: &Repository, folder: &Path, device: &str) -> Result<(), SyncError> {
    let Some(head) = repo.head().ok().and_then(|h| h.target()) else {
        return Ok(());
    };
    let hub = open(folder)?;
    let branch = device_ref(device);
    if hub.find_reference(&branch).ok().and_then(|r| r.target()) == Some(head) {
        return read_back(folder, &branch, head);
    }
    if !hub.odb().is_ok_and(|o| o.exists(head)) {
        send_objects(repo, folder, head)?;
    }
    drop(hub);
    // Only this device writes its branch: a lock left on it is from a push that was killed.
    let _ = std::fs::remove_file(folder.join(format!("{branch}.lock")));
    // Opened again: the handle must see the pack just written, and refuses (strict object
    // creation) a branch to a commit the hub does not hold.
    open(folder)?
        .reference(&branch, head, true, "sobes sync")
        .map_err(hub_err(folder))?;
    read_back(folder, &branch, head)
}

/// The hub, opened as exactly this folder (no search upwards, no `.git` inside).
fn open(folder: &Path) -> Result<Repository, SyncError> {
    Repository::open_bare(folder).map_err(hub_err(folder))
}

fn hub_err(folder: &Path) -> impl Fn(git2::Error) -> SyncError + '_ {
    move |e| failed(folder, &boundary::describe(&e, Whose::Hub))
}

fn failed(folder: &Path, why: &str) -> SyncError {
    SyncError::Hub {
        folder: folder.to_path_buf(),
        message: format!(
            "на узел не отправлено: {why}; ответы на этом ноутбуке целы, следующая синхронизация отправит их снова"
        ),
    }
}

/// Writes the objects of `head` the hub lacks as one pack into its `objects/pack`
/// ([`crate::history::write_pack`]).
fn send_objects(repo: &Repository, folder: &Path, head: Oid) -> Result<(), SyncError> {
    let local = |e: git2::Error| failed(folder, &boundary::describe_git(&e));
    let mut walk = repo.revwalk().map_err(local)?;
    walk.push(head).map_err(local)?;
    for r in repo.references_glob("refs/hub/*").map_err(local)?.flatten() {
        if let Some(known) = r.target().filter(|o| repo.find_commit(*o).is_ok()) {
            walk.hide(known).map_err(local)?;
        }
    }
    let mut builder = repo.packbuilder().map_err(local)?;
    builder.insert_walk(&mut walk).map_err(local)?;
    if builder.object_count() == 0 {
        return Ok(());
    }
    crate::history::write_pack(&mut builder, &folder.join("objects").join("pack")).map_err(local)
}

/// The hub's branch as a fresh reader sees it must be `head`, and `head` must read there:
/// otherwise the push did not land, whatever the calls returned.
fn read_back(folder: &Path, branch: &str, head: Oid) -> Result<(), SyncError> {
    let hub = open(folder)?;
    let there = hub.find_reference(branch).ok().and_then(|r| r.target());
    if there != Some(head) {
        return Err(failed(
            folder,
            &format!(
                "ветка этого ноутбука на узле {} после записи, а должна быть {head} (узел не принял запись: папка только для чтения или повреждена?)",
                there.map_or_else(|| "не читается".to_string(), |o| o.to_string())
            ),
        ));
    }
    if hub.find_commit(head).is_err() {
        return Err(failed(
            folder,
            &format!("на узле нет записи {head}, на которую указывает ветка этого ноутбука"),
        ));
    }
    Ok(())
}
