//! A hub on a git server (Gitea, GitLab, any smart-HTTP server, ssh, git://). The server's
//! branches are fetched into a copy of the hub inside the campaign's `.git`
//! (`sobes-hubs/…`, a bare repository only sobes writes), and the folder hub's own sync runs
//! against that copy: every check of the boundary, every promise of the folder hub, holds
//! unchanged. Then this laptop's branch goes from the copy to the server.
//!
//! The server cannot be asked for the hub's `sobes-campaign` file: the campaign it serves is
//! kept on a branch of its own (`refs/heads/sobes`), fetched and checked with the others and
//! pushed first (on GitLab the first branch pushed becomes the protected default).

use super::address::Address;
use super::transfer::transfer;
use super::{HUB_CAMPAIGN_FILE, Hub, Report, SyncError, Watch, device_ref};
use crate::data::DataSet;
use crate::history::History;
use git2::{Oid, Repository, Signature};
use std::path::{Path, PathBuf};

/// The branch on the server naming the campaign it serves.
pub const IDENTITY_BRANCH: &str = "refs/heads/sobes";
/// Where the copies of server hubs live, inside the campaign's `.git`.
const COPIES: &str = "sobes-hubs";
/// An identity file larger than this is not one.
const IDENTITY_MAX: usize = 4096;

/// Syncs through the server at `address`: fetch, the folder hub's sync on the copy, push.
pub(super) fn sync_via(
    history: &History,
    dir: &Path,
    address: &Address,
    create: bool,
    data: &DataSet,
    watch: &mut Watch,
) -> Result<Report, SyncError> {
    let copy = fetched_copy(history, address, create, watch)?;
    let hub = Hub {
        folder: &copy.folder,
        create: false,
    };
    let mut report =
        super::sync_folder(history, dir, &hub, data, watch).map_err(|e| relabel(e, address))?;
    report.new_hub = copy.empty;
    send(history, address, &copy.folder, watch)?;
    Ok(report)
}

/// A new laptop joins the campaign of the server hub at `address`.
pub(super) fn join_via(
    history: &History,
    dir: &Path,
    address: &Address,
    data: &DataSet,
) -> Result<Report, SyncError> {
    let mut quiet = |_: &super::Step| {};
    let mut watch = Watch::new(&mut quiet);
    let copy = fetched_copy(history, address, false, &mut watch)?;
    let report =
        super::join_folder(history, dir, &copy.folder, data).map_err(|e| relabel(e, address))?;
    send(history, address, &copy.folder, &mut watch)?;
    Ok(report)
}

struct Copy {
    folder: PathBuf,
    /// The server held no branch at all: a new hub.
    empty: bool,
}

/// The copy of the hub, with what the server holds now, and the campaign it serves written
/// where the folder hub's sync reads it.
fn fetched_copy(
    history: &History,
    address: &Address,
    create: bool,
    watch: &mut Watch,
) -> Result<Copy, SyncError> {
    let folder = history.repo.path().join(COPIES).join(copy_name(address));
    // The copy is only a cache of the server: one a killed sync or a bad disk damaged (a cut
    // loose object, on which libgit2 loops for ever) is thrown away before anything reads
    // it, and fetched whole.
    let damaged = !crate::boundary::damaged_objects(&folder.join("objects"), None).is_empty();
    let copy = match Repository::open_bare(&folder) {
        Ok(repo) if !damaged => repo,
        _ => {
            let _ = crate::storage::remove_tree(&folder);
            Repository::init_bare(&folder).map_err(local(address))?
        }
    };
    watch.step(super::Step::Fetching);
    transfer(&folder, address, &[], watch)?;
    let empty = copy.references().map_err(local(address))?.next().is_none();
    if empty && !create {
        return Err(SyncError::NoHub {
            folder: address.shown().into(),
            message: "хранилище на сервере пусто: это ещё не узел синхронизации; чтобы сделать его новым узлом, добавьте --new-hub (в программе — подтвердите создание)".into(),
            makeable: true,
        });
    }
    let identity = folder.join(HUB_CAMPAIGN_FILE);
    match read_identity(&copy, address)? {
        Some(text) => std::fs::write(&identity, text),
        None => std::fs::remove_file(&identity).or_else(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Ok(()),
            _ => Err(e),
        }),
    }
    .map_err(|e| local_io(address, &e))?;
    Ok(Copy { folder, empty })
}

/// The identity branch's file, checked: one small text file, nothing else in the tree.
fn read_identity(copy: &Repository, address: &Address) -> Result<Option<Vec<u8>>, SyncError> {
    let Ok(branch) = copy.find_reference(IDENTITY_BRANCH) else {
        return Ok(None);
    };
    let refuse = |why: &str| SyncError::Hub {
        folder: address.shown().into(),
        message: format!(
            "ветка {IDENTITY_BRANCH} на сервере {why}: это не узел sobes или он подделан; ничего не изменено, на сервер ничего не отправлено"
        ),
    };
    let tree = branch
        .peel_to_commit()
        .and_then(|c| c.tree())
        .map_err(|_| refuse("не читается"))?;
    let only = (tree.len() == 1)
        .then(|| tree.get_name(HUB_CAMPAIGN_FILE))
        .flatten();
    let entry = only.ok_or_else(|| refuse(&format!("хранит не один файл {HUB_CAMPAIGN_FILE}")))?;
    let blob = copy
        .find_blob(entry.id())
        .map_err(|_| refuse("хранит не файл"))?;
    let text = blob.content();
    if text.len() > IDENTITY_MAX || std::str::from_utf8(text).is_err() {
        return Err(refuse("хранит не короткий текст"));
    }
    Ok(Some(text.to_vec()))
}

/// Sends the campaign's identity (when the server lacks it or it changed) and then this
/// device's branch, each a push of its own: the identity first.
fn send(
    history: &History,
    address: &Address,
    folder: &Path,
    watch: &mut Watch,
) -> Result<(), SyncError> {
    let copy = Repository::open_bare(folder).map_err(local(address))?;
    if identity_commit(&copy, folder).map_err(local(address))? {
        transfer(
            folder,
            address,
            &[format!("+{IDENTITY_BRANCH}:{IDENTITY_BRANCH}")],
            watch,
        )?;
    }
    let branch = device_ref(history.device());
    if copy.find_reference(&branch).is_ok() {
        transfer(folder, address, &[format!("+{branch}:{branch}")], watch)?;
    }
    Ok(())
}

/// Commits the copy's identity file onto the identity branch when the branch lacks it;
/// whether there is something to send.
fn identity_commit(copy: &Repository, folder: &Path) -> Result<bool, git2::Error> {
    let Ok(text) = std::fs::read(folder.join(HUB_CAMPAIGN_FILE)) else {
        return Ok(false);
    };
    let blob = copy.blob(&text)?;
    let current: Option<Oid> = copy
        .find_reference(IDENTITY_BRANCH)
        .ok()
        .and_then(|r| r.peel_to_tree().ok())
        .and_then(|t| t.get_name(HUB_CAMPAIGN_FILE).map(|e| e.id()));
    if current == Some(blob) {
        return Ok(false);
    }
    let mut tree = copy.treebuilder(None)?;
    tree.insert(HUB_CAMPAIGN_FILE, blob, 0o100644)?;
    let tree = copy.find_tree(tree.write()?)?;
    let who = Signature::now("sobes", "sobes@localhost")?;
    copy.commit(
        Some(IDENTITY_BRANCH),
        &who,
        &who,
        "Кампания этого узла",
        &tree,
        &[],
    )?;
    Ok(true)
}

/// The copy's folder name: readable, and unique per address.
fn copy_name(address: &Address) -> String {
    let readable: String = address
        .shown()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(40)
        .collect();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in address.shown().bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{readable}-{hash:016x}")
}

/// An error of the sync on the copy, said of the server's address instead of the copy.
fn relabel(e: SyncError, address: &Address) -> SyncError {
    let folder: PathBuf = address.shown().into();
    match e {
        SyncError::NoHub {
            message, makeable, ..
        } => SyncError::NoHub {
            folder,
            message,
            makeable,
        },
        SyncError::Hub { message, .. } => SyncError::Hub { folder, message },
        SyncError::Login { message, .. } => SyncError::Login { folder, message },
        SyncError::UnknownHost {
            message,
            known_hosts_line,
            ..
        } => SyncError::UnknownHost {
            folder,
            message,
            known_hosts_line,
        },
        SyncError::Stopped { message, .. } => SyncError::Stopped { folder, message },
        local @ SyncError::Local { .. } => local,
    }
}

fn local(address: &Address) -> impl Fn(git2::Error) -> SyncError + '_ {
    move |e| SyncError::Local {
        folder: address.shown().into(),
        message: format!(
            "копия узла в истории кампании: {}",
            crate::boundary::describe_git(&e)
        ),
    }
}

fn local_io(address: &Address, e: &std::io::Error) -> SyncError {
    SyncError::Local {
        folder: address.shown().into(),
        message: format!(
            "копия узла в истории кампании: {}",
            crate::storage::describe_io(e)
        ),
    }
}
