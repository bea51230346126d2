//! Rebuilding a history found damaged: what is damaged is moved aside (never deleted), every
//! commit still readable is kept, and the files as they are go into a commit «История
//! восстановлена» ([`super::REPAIRED`]); a later sync brings back from the hub what this side
//! lost. Also what tells a history whole: which commits read with everything they name, and
//! which lines of `packed-refs` read.

use super::setup::{create, normalize, private_file, remove_locks};
use super::{BRANCH, History, HistoryError, VERIFIED};
use crate::storage;
use git2::{Oid, Repository};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What a repair found and did, for the one message that says so.
#[derive(Clone, Debug)]
pub struct RepairReport {
    pub problem: String,
    /// Where what was damaged now is (inside the campaign folder), if anything was moved.
    pub aside: Option<PathBuf>,
    /// What was moved there.
    pub moved: Vec<String>,
    /// The commit the rebuilt history continues, if any was still whole.
    pub kept_from: Option<String>,
}

impl std::fmt::Display for RepairReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "история кампании восстановлена, ответы целы; что было: {}",
            self.problem
        )?;
        match &self.kept_from {
            Some(c) => write!(f, "; продолжена от записи {}", &c[..c.len().min(12)])?,
            None => write!(f, "; начата заново")?,
        }
        if let Some(aside) = &self.aside {
            write!(
                f,
                "; повреждённое ({}) перенесено в {}",
                super::first_and_more(&self.moved, 5, ", "),
                aside.display()
            )?;
        }
        write!(
            f,
            "; недостающее вернётся с узла при следующей синхронизации"
        )
    }
}

/// A folder for what is damaged, named by the time, inside the campaign.
fn aside_folder(dir: &Path) -> PathBuf {
    stamped_free(|stamp| dir.join(format!(".git-damaged-{stamp}")))
}

/// A path not taken yet, stamped with the time: `make("20261207101500")`, else with `-2`,
/// `-3`… after the stamp.
pub(super) fn stamped_free(make: impl Fn(&str) -> PathBuf) -> PathBuf {
    let stamp: String = crate::clock::now()
        .chars()
        .filter(|c| c.is_ascii_digit())
        .take(14)
        .collect();
    let mut path = make(&stamp);
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = make(&format!("{stamp}-{n}"));
    }
    path
}

/// Moves `from` (inside `git`) into `aside`, keeping its path below `.git`.
fn move_aside(git: &Path, from: &Path, aside: &Path) -> std::io::Result<()> {
    let rel = from.strip_prefix(git).unwrap_or(from);
    let to = aside.join(rel);
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::rename(from, to)
}

/// The lines of `packed-refs` as git reads them: maybe a first line `# pack-refs with: …`,
/// then `<id> <name>` lines, each maybe followed by `^<id>` (what a tag names), every line
/// ended. Returns the well formed lines, and the number of the first that is not (from 1).
/// libgit2 reads the file only when a name is not found loose, git reads it whole every
/// time: a damaged line has to be found before either stumbles on it.
pub(super) fn packed_lines(text: &str) -> (Vec<&str>, Option<usize>) {
    let id = |s: &str| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit());
    let ended = text.is_empty() || text.ends_with('\n');
    let count = text.lines().count();
    let mut good = Vec::new();
    let mut bad = None;
    // Whether the line before was a name kept (only then may a `^` line follow).
    let mut after_name = false;
    for (n, line) in text.lines().enumerate() {
        let fine = if n == 0 && line.starts_with("# pack-refs with:") {
            after_name = false;
            true
        } else if let Some(peeled) = line.strip_prefix('^') {
            std::mem::take(&mut after_name) && id(peeled)
        } else {
            after_name = line.split_once(' ').is_some_and(|(oid, name)| {
                id(oid) && name.starts_with("refs/") && git2::Reference::is_valid_name(name)
            });
            after_name
        };
        // A last line with no end is what a write cut short leaves.
        if fine && (ended || n + 1 < count) {
            good.push(line);
        } else {
            after_name = false;
            bad.get_or_insert(n + 1);
        }
    }
    (good, bad)
}

/// Drops from the reflogs the lines that name a commit not whole: git follows reflogs and
/// calls a history that names a missing commit broken. The logs as they were go aside.
fn prune_logs(
    repo: &Repository,
    git: &Path,
    aside: &Path,
    wholeness: &mut Wholeness,
    moved: &mut Vec<String>,
) -> std::io::Result<()> {
    for name in ["logs/HEAD".to_string(), format!("logs/refs/heads/{BRANCH}")] {
        let path = git.join(&name);
        let Ok(text) = std::fs::read(&path) else {
            continue;
        };
        let text = String::from_utf8_lossy(&text).into_owned();
        let kept: String = text
            .lines()
            .filter(|line| {
                // «<old> <new> <who> <time>\t<why>»: both ids zero or whole commits.
                let ids: Vec<&str> = line.split(' ').take(2).collect();
                ids.len() == 2
                    && ids.iter().all(|s| {
                        s.len() == 40
                            && Oid::from_str(s)
                                .is_ok_and(|oid| oid.is_zero() || wholeness.commit(repo, oid))
                    })
            })
            .map(|l| format!("{l}\n"))
            .collect();
        if kept != text {
            move_aside(git, &path, aside)?;
            moved.push(name);
            private_file(&path, &kept)?;
        }
    }
    Ok(())
}

/// Commits the newest first that the campaign's branch was ever known to name: the branch
/// itself, `packed-refs`, the reflogs.
fn named_tips(git: &Path) -> Vec<Oid> {
    let mut out = Vec::new();
    let branch_ref = format!("refs/heads/{BRANCH}");
    if let Ok(text) = std::fs::read_to_string(git.join(&branch_ref))
        && let Ok(oid) = Oid::from_str(text.trim())
    {
        out.push(oid);
    }
    if let Ok(text) = std::fs::read_to_string(git.join("packed-refs")) {
        for line in text.lines() {
            if let Some((id, name)) = line.split_once(' ')
                && name.trim() == branch_ref
                && let Ok(oid) = Oid::from_str(id)
            {
                out.push(oid);
            }
        }
    }
    for log in ["logs/HEAD".to_string(), format!("logs/{branch_ref}")] {
        if let Ok(text) = std::fs::read_to_string(git.join(log)) {
            for line in text.lines().rev() {
                if let Some(oid) = line.split(' ').nth(1).and_then(|s| Oid::from_str(s).ok()) {
                    out.push(oid);
                }
            }
        }
    }
    out.retain(|o| !o.is_zero());
    out
}

/// Whether a commit and all that it descends from can be read, with their trees and every
/// file they name.
pub(super) fn whole(repo: &Repository, tip: Oid) -> bool {
    Wholeness::default().commit(repo, tip)
}

/// Which commits can be read whole — their trees, every file those name (a missing file
/// makes git itself call the history broken, and a sync cannot send it), every commit they
/// descend from — remembered across the commits asked about, so that asking about each
/// commit of a long history reads each object once.
#[derive(Default)]
pub(super) struct Wholeness {
    commits: HashMap<Oid, bool>,
    trees: HashSet<Oid>,
    blobs: HashSet<Oid>,
}

impl Wholeness {
    pub(super) fn commit(&mut self, repo: &Repository, tip: Oid) -> bool {
        // A history of thousands of commits is too deep to recurse: parents are judged
        // before their children, from a stack of its own.
        let mut stack = vec![(tip, false)];
        while let Some((id, parents_judged)) = stack.pop() {
            if self.commits.contains_key(&id) {
                continue;
            }
            let Ok(commit) = repo.find_commit(id) else {
                self.commits.insert(id, false);
                continue;
            };
            if !parents_judged {
                stack.push((id, true));
                stack.extend(
                    commit
                        .parent_ids()
                        .filter(|p| !self.commits.contains_key(p))
                        .map(|p| (p, false)),
                );
                continue;
            }
            let ok = commit
                .parent_ids()
                .all(|p| self.commits.get(&p) == Some(&true))
                && self.tree(repo, commit.tree_id());
            self.commits.insert(id, ok);
        }
        self.commits.get(&tip) == Some(&true)
    }

    /// Whether a tree, its subtrees and every file they name are there. Files are not
    /// inflated: loose ones are checked whole before a repair, a pack checks its own.
    fn tree(&mut self, repo: &Repository, root: Oid) -> bool {
        let Ok(odb) = repo.odb() else {
            return false;
        };
        let mut todo = vec![root];
        let mut found = Vec::new();
        while let Some(id) = todo.pop() {
            if self.trees.contains(&id) {
                continue;
            }
            let Ok(tree) = repo.find_tree(id) else {
                return false;
            };
            for e in tree.iter() {
                match e.kind() {
                    Some(git2::ObjectType::Tree) => todo.push(e.id()),
                    Some(git2::ObjectType::Blob) if !self.blobs.contains(&e.id()) => {
                        if !odb.exists(e.id()) {
                            return false;
                        }
                        self.blobs.insert(e.id());
                    }
                    _ => {}
                }
            }
            found.push(id);
        }
        // A tree is remembered as whole only with everything below it.
        self.trees.extend(found);
        true
    }
}

/// The commit the rebuilt history continues: the newest whole commit this device made
/// (its saves move the branch without a reflog, so the object store is searched, not the
/// logs); else the newest whole one the branch was ever known to name; else the newest
/// whole one at all.
fn best_tip(repo: &Repository, git: &Path, device: &str, wholeness: &mut Wholeness) -> Option<Oid> {
    let named = named_tips(git);
    let mut commits: Vec<(bool, bool, bool, i64, Oid)> = Vec::new();
    let mut parents = HashSet::new();
    let odb = repo.odb().ok()?;
    let _ = odb.foreach(|oid| {
        if let Ok((_, git2::ObjectType::Commit)) = odb.read_header(*oid)
            && let Ok(c) = repo.find_commit(*oid)
        {
            parents.extend(c.parent_ids());
            let own = c.author().email() == Ok(format!("{device}@sobes").as_str());
            commits.push((false, own, named.contains(oid), c.time().seconds(), *oid));
        }
        true
    });
    // Saves of one second share a time: a commit no other names as parent is a tip, and
    // a tip comes before what it descends from.
    for c in commits.iter_mut() {
        c.0 = !parents.contains(&c.4);
    }
    commits.sort_by(|a, b| b.cmp(a));
    commits
        .into_iter()
        .map(|c| c.4)
        .find(|oid| wholeness.commit(repo, *oid))
}

/// Rebuilds the history of the campaign in `dir` (its lock held): every damaged loose
/// object, a damaged index or `packed-refs`, or a `.git` that cannot be opened at all, is
/// moved aside to a dated folder in the campaign; the branch is set to the newest commit
/// still whole; the files as they are go into a commit «История восстановлена».
pub fn repair(
    dir: &Path,
    device: &str,
    problem: &HistoryError,
) -> Result<RepairReport, HistoryError> {
    let git = dir.join(".git");
    let io = HistoryError::io(dir);
    let problem = match problem {
        HistoryError::Git { message, .. } => message.clone(),
    };
    let aside = aside_folder(dir);
    let mut moved = Vec::new();
    remove_locks(&git);
    if !git.is_dir() || Repository::open(dir).is_err() && !git.join("objects").is_dir() {
        replace_whole(dir, &aside, &mut moved)?;
    } else {
        normalize(&git);
        set_aside_damaged(&git, &aside, &mut moved).map_err(&io)?;
        set_aside_index(dir, &aside, &mut moved).map_err(&io)?;
        copy_aside_branch(&git, &aside, &mut moved);
    }
    let tip = reset_branch(dir, device, &aside, &mut moved)?;
    let history = History::from_repo(
        Repository::open(dir).map_err(History::err(dir))?,
        dir,
        device,
    );
    let body = format!(
        "Повреждение: {problem}\nПеренесено в {}: {}",
        aside.display(),
        if moved.is_empty() {
            "ничего".to_string()
        } else {
            moved.join(", ")
        }
    );
    history.commit_all("sobes", super::REPAIRED, &body)?;
    forget_fetched(&history.repo);
    private_file(&git.join(super::REFETCH), "").map_err(&io)?;
    let _ = std::fs::File::create(git.join(VERIFIED));
    Ok(RepairReport {
        problem,
        aside: (!moved.is_empty()).then_some(aside),
        moved,
        kept_from: tip.map(|t| t.to_string()),
    })
}

/// A `.git` with nothing worth keeping in place (not a folder, or no repository and no
/// objects): the whole folder goes aside and an empty history takes its place.
fn replace_whole(dir: &Path, aside: &Path, moved: &mut Vec<String>) -> Result<(), HistoryError> {
    let git = dir.join(".git");
    if git.exists() || std::fs::symlink_metadata(&git).is_ok() {
        storage::create_private_dir(aside).map_err(|e| HistoryError::new(dir, e.to_string()))?;
        std::fs::rename(&git, aside.join(".git")).map_err(HistoryError::io(dir))?;
        moved.push(".git".to_string());
    }
    create(dir)
}

/// Moves aside the objects that are not whole and a `packed-refs` with lines that do not
/// read (its well formed lines stay).
fn set_aside_damaged(git: &Path, aside: &Path, moved: &mut Vec<String>) -> std::io::Result<()> {
    for (path, _) in crate::boundary::damaged_objects(&git.join("objects"), None) {
        // A pack goes with its index (and the index with nothing left to index).
        if path.extension().is_some_and(|x| x == "pack") {
            let idx = path.with_extension("idx");
            if std::fs::symlink_metadata(&idx).is_ok() {
                move_aside(git, &idx, aside)?;
            }
        }
        move_aside(git, &path, aside)?;
        moved.push(
            path.strip_prefix(git)
                .unwrap_or(&path)
                .display()
                .to_string(),
        );
    }
    let packed = git.join("packed-refs");
    if let Ok(text) = std::fs::read(&packed) {
        let text = String::from_utf8_lossy(&text).into_owned();
        let (good, bad) = packed_lines(&text);
        if bad.is_some() {
            move_aside(git, &packed, aside)?;
            moved.push("packed-refs".into());
            let kept: String = good.iter().map(|l| format!("{l}\n")).collect();
            private_file(&packed, &kept)?;
        }
    }
    Ok(())
}

/// The index goes: removed when it reads (the first commit rebuilds it from the files),
/// moved aside when it does not.
fn set_aside_index(dir: &Path, aside: &Path, moved: &mut Vec<String>) -> std::io::Result<()> {
    let git = dir.join(".git");
    let index = git.join("index");
    if index.exists() {
        let readable = Repository::open(dir)
            .and_then(|r| r.index().map(|_| ()))
            .is_ok();
        if readable {
            let _ = std::fs::remove_file(&index);
        } else {
            move_aside(&git, &index, aside)?;
            moved.push("index".into());
        }
    }
    Ok(())
}

/// The branch is set anew ([`reset_branch`]); one that names no commit is copied aside for
/// whoever looks.
fn copy_aside_branch(git: &Path, aside: &Path, moved: &mut Vec<String>) {
    let branch = git.join("refs").join("heads").join(BRANCH);
    if branch.exists()
        && std::fs::read_to_string(&branch)
            .ok()
            .and_then(|t| Oid::from_str(t.trim()).ok())
            .is_none()
    {
        let copy = aside.join("refs").join("heads").join(BRANCH);
        if let Some(parent) = copy.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::copy(&branch, copy);
        moved.push(format!("refs/heads/{BRANCH}"));
    }
}

/// Sets the branch to the newest commit still whole ([`best_tip`]), or removes it when none
/// is (the history starts anew), once the reflogs name only whole commits. Returns the
/// commit.
fn reset_branch(
    dir: &Path,
    device: &str,
    aside: &Path,
    moved: &mut Vec<String>,
) -> Result<Option<Oid>, HistoryError> {
    let git = dir.join(".git");
    let io = HistoryError::io(dir);
    let repo = Repository::open(dir).map_err(History::err(dir))?;
    let mut wholeness = Wholeness::default();
    let tip = best_tip(&repo, &git, device, &mut wholeness);
    prune_logs(&repo, &git, aside, &mut wholeness, moved).map_err(&io)?;
    let branch = git.join("refs").join("heads").join(BRANCH);
    match tip {
        Some(oid) => private_file(&branch, &format!("{oid}\n")).map_err(&io)?,
        None => {
            let _ = std::fs::remove_file(&branch);
        }
    }
    let _ = std::fs::remove_file(git.join(super::commit::SPARE_REF));
    Ok(tip)
}

/// What was fetched from the hub is a cache that may now name commits whose past went
/// aside: dropped, and the next fetch brings every branch whole.
fn forget_fetched(repo: &Repository) {
    if let Ok(refs) = repo.references_glob("refs/hub/*") {
        let names: Vec<String> = refs
            .flatten()
            .filter_map(|r| r.name().ok().map(str::to_string))
            .collect();
        for name in names {
            let _ = repo.find_reference(&name).and_then(|mut r| r.delete());
        }
    }
}
