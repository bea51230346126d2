//! Reading the history back: its commits as entries, oldest first, with the changes they
//! carry, and the files that differ from the last commit.

use super::{History, HistoryError};
use crate::model::change::Change;

/// One commit of the history as sobes reads it.
#[derive(Debug)]
pub struct Entry {
    /// The commit's time, UTC (RFC 3339).
    pub at: String,
    pub by: String,
    pub device: String,
    /// The first line of the message.
    pub summary: String,
    /// The changes the commit carries (none for merges and commits of files as they were).
    pub changes: Vec<Change>,
    pub merge: bool,
}

impl History {
    /// Files that differ from the last commit (edited outside sobes, or written by a process
    /// killed before its commit): they go into the history with the next write.
    pub fn uncommitted(&self) -> Result<Vec<String>, HistoryError> {
        let err = Self::err(&self.dir);
        let tree = self.head().and_then(|c| c.tree().ok());
        let mut opts = git2::DiffOptions::new();
        opts.include_untracked(true).recurse_untracked_dirs(true);
        for spec in crate::boundary::pathspecs() {
            opts.pathspec(spec);
        }
        // Against the last commit itself: the index is not kept for every commit.
        let diff = self
            .repo
            .diff_tree_to_workdir(tree.as_ref(), Some(&mut opts))
            .map_err(&err)?;
        Ok(diff
            .deltas()
            .filter_map(|d| d.new_file().path().or(d.old_file().path()))
            .map(|p| p.display().to_string())
            .collect())
    }

    /// Every commit reachable from HEAD, oldest first.
    pub fn entries(&self) -> Result<Vec<Entry>, HistoryError> {
        self.entries_about(None)
    }

    /// Every commit reachable from HEAD, oldest first; with a municipality, the changes of
    /// commits that do not name it are not read (they are most of a long history). Each
    /// commit is read once: parents before children, and otherwise by time.
    pub fn entries_about(&self, municipality: Option<&str>) -> Result<Vec<Entry>, HistoryError> {
        let err = Self::err(&self.dir);
        let Some(head) = self.head() else {
            return Ok(Vec::new());
        };
        let quoted = municipality.map(|id| format!("\"{id}\""));
        // Every commit with its children counted, then released oldest first once its
        // parents are out: git's topological order with time between branches.
        let mut commits: std::collections::HashMap<git2::Oid, git2::Commit> =
            std::collections::HashMap::new();
        let mut waiting: std::collections::HashMap<git2::Oid, usize> =
            std::collections::HashMap::new();
        let mut stack = vec![head];
        while let Some(c) = stack.pop() {
            if commits.contains_key(&c.id()) {
                continue;
            }
            waiting.insert(c.id(), c.parent_count());
            for p in c.parents() {
                if !commits.contains_key(&p.id()) {
                    stack.push(p);
                }
            }
            commits.insert(c.id(), c);
        }
        let mut children: std::collections::HashMap<git2::Oid, Vec<git2::Oid>> =
            std::collections::HashMap::new();
        for c in commits.values() {
            for p in c.parent_ids() {
                children.entry(p).or_default().push(c.id());
            }
        }
        let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<(i64, git2::Oid)>> = waiting
            .iter()
            .filter(|(_, n)| **n == 0)
            .map(|(id, _)| std::cmp::Reverse((commits[id].time().seconds(), *id)))
            .collect();
        let mut out = Vec::with_capacity(commits.len());
        while let Some(std::cmp::Reverse((_, id))) = ready.pop() {
            for child in children.get(&id).into_iter().flatten() {
                let n = waiting.get_mut(child).expect("every child was walked");
                *n -= 1;
                if *n == 0 {
                    ready.push(std::cmp::Reverse((commits[child].time().seconds(), *child)));
                }
            }
            let c = &commits[&id];
            let author = c.author();
            let message = String::from_utf8_lossy(c.message_bytes()).into_owned();
            let (summary, body) = super::split_message(&message);
            let named = quoted.as_ref().is_none_or(|q| body.contains(q.as_str()));
            let changes: Vec<Change> = if named {
                super::changes_in(body)
            } else {
                Vec::new()
            };
            out.push(Entry {
                at: crate::clock::format_utc(c.time().seconds()),
                by: author.name().unwrap_or("").to_string(),
                device: author
                    .email()
                    .unwrap_or("")
                    .trim_end_matches("@sobes")
                    .to_string(),
                summary: summary.trim().to_string(),
                changes,
                merge: c.parent_count() > 1,
            });
        }
        if out.len() != commits.len() {
            return Err(err(git2::Error::from_str(
                "история повреждена: цикл в родителях",
            )));
        }
        Ok(out)
    }
}
