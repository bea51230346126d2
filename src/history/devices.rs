//! Laptops by their names. A device is an id in the user config and a branch on the hub;
//! people know laptops by whose they are and what the computer is called. sobes writes
//! every commit with the person as its author and the computer as its committer, so the
//! branches this history holds name their laptops: «ноутбук Петровой (PC-204)».

use super::History;
use crate::model::collate::escape_controls;
use crate::model::person::genitive_surname;
use std::collections::BTreeMap;

/// Author of the commits sobes makes on nobody's behalf (merges, pending files).
pub const NOBODY: &str = "sobes";

/// How far back a branch is read for its owner and computer: the newest commits tell.
const LOOK_BACK: usize = 64;

/// Names a read from someone else's commits cannot make longer than this.
const MAX_NAME: usize = 40;

/// The laptops this history knows, by device id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceNames(BTreeMap<String, String>);

impl DeviceNames {
    /// How a device is shown to people: its laptop's name where the history tells it, else
    /// «ноутбук <id>».
    pub fn of(&self, device: &str) -> String {
        self.0
            .get(device)
            .cloned()
            .unwrap_or_else(|| format!("ноутбук {device}"))
    }

    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> DeviceNames {
        DeviceNames(pairs.into_iter().collect())
    }
}

impl History {
    /// The laptops of this device's branch and of every hub branch fetched, named by the
    /// newest commits on each: the author who is a person, and the committer's computer.
    pub fn device_names(&self) -> DeviceNames {
        self.device_names_as(&self.device)
    }

    /// [`History::device_names`] for a reader, which opens the history as nobody: `me` is
    /// this computer's device, whose own branch (HEAD) is newer than its copy on the hub.
    pub fn device_names_as(&self, me: &str) -> DeviceNames {
        let mut names = BTreeMap::new();
        let mut tips = Vec::new();
        if let Ok(refs) = self.repo.references_glob("refs/hub/*") {
            for r in refs.flatten() {
                let (Ok(name), Some(oid)) = (r.name(), r.target()) else {
                    continue;
                };
                tips.push((name.trim_start_matches("refs/hub/").to_string(), oid));
            }
        }
        if let Some(head) = self.head().filter(|_| !me.is_empty()) {
            tips.push((me.to_string(), head.id()));
        }
        for (device, tip) in tips {
            let (owner, computer) = self.owner_and_computer(tip);
            if owner.is_some() || computer.is_some() {
                names.insert(device, label(owner.as_deref(), computer.as_deref()));
            }
        }
        DeviceNames(names)
    }

    fn owner_and_computer(&self, tip: git2::Oid) -> (Option<String>, Option<String>) {
        let (mut owner, mut computer) = (None, None);
        let mut next = self.repo.find_commit(tip).ok();
        for _ in 0..LOOK_BACK {
            let Some(c) = next else { break };
            let author = c.author().name().map(tidy).unwrap_or_default();
            let committer = c.committer().name().map(tidy).unwrap_or_default();
            if owner.is_none() && !author.is_empty() && author != NOBODY {
                owner = Some(author.clone());
            }
            if computer.is_none() && !committer.is_empty() && committer != author {
                computer = Some(committer);
            }
            if owner.is_some() && computer.is_some() {
                break;
            }
            next = c.parent(0).ok();
        }
        (owner, computer)
    }
}

/// A name read from a commit, safe to show: controls shown, not obeyed; kept short.
fn tidy(name: &str) -> String {
    let name = escape_controls(name.trim());
    match name.char_indices().nth(MAX_NAME) {
        Some((at, _)) => format!("{}…", &name[..at]),
        None => name,
    }
}

/// «ноутбук Петровой Б. Б. (PC-204)», «ноутбук PC-204», «ноутбук (Ким А. А.)».
pub fn label(owner: Option<&str>, computer: Option<&str>) -> String {
    let whose = owner.map(|o| match genitive_surname(o) {
        Some(g) => format!("ноутбук {g}"),
        None => format!("ноутбук ({o})"),
    });
    match (whose, computer) {
        (Some(w), Some(c)) if w.ends_with(')') => format!("{}, {c})", &w[..w.len() - 1]),
        (Some(w), Some(c)) => format!("{w} ({c})"),
        (Some(w), None) => w,
        (None, Some(c)) => format!("ноутбук {c}"),
        (None, None) => "ноутбук".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laptops_are_named_by_whose_and_which() {
        assert_eq!(
            label(Some("Петрова Б. Б."), Some("PC-204")),
            "ноутбук Петровой Б. Б. (PC-204)"
        );
        assert_eq!(label(Some("Иванов"), None), "ноутбук Иванова");
        assert_eq!(
            label(Some("Ким А. А."), Some("PC-1")),
            "ноутбук (Ким А. А., PC-1)"
        );
        assert_eq!(label(None, Some("PC-1")), "ноутбук PC-1");
        assert_eq!(
            DeviceNames::default().of("2157da347697"),
            "ноутбук 2157da347697"
        );
        assert!(!tidy("a\u{1b}[2J").contains('\u{1b}'));
        assert_eq!(tidy(&"ж".repeat(100)).chars().count(), MAX_NAME + 1);
    }
}
