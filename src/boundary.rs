//! Where git meets the campaign. The rule: nothing from git reaches the working tree unless
//! it is a campaign file that parses, and no object libgit2 may find damaged is read by it
//! before it is checked here. `sync` (a hub's commits, the merge's result, the hub's own
//! objects) and `history` (its own objects after an unclean stop, the repair) both go
//! through this module.
//!
//! This file holds which paths are campaign files, a refusal and its words, and what a
//! libgit2 error means for a user. Its files: `objects` (loose objects and packs checked
//! whole before libgit2 reads them), `tree` (a tree's files checked before any is written).

mod objects;
mod tree;
pub use objects::{MAX_OBJECT, damaged_objects, loose_objects, verify_loose};
pub use tree::{check_file, check_parsed, check_tree};

use crate::annex::ANNEX_FILE;
use crate::data::{CLUSTERS_FILE, MONITORING_FILE, PROTOCOL_FILE, REGISTRY_FILE};
use crate::model::registry::is_safe_id;
use crate::storage::{META_FILE, RECORDS_DIR, SCORES_FILE};
use git2::{Oid, Tree};
use std::collections::BTreeMap;

/// The data files a campaign may keep beside its answers (its own registry, protocol …).
pub const DATA_FILES: [&str; 5] = [
    REGISTRY_FILE,
    PROTOCOL_FILE,
    CLUSTERS_FILE,
    MONITORING_FILE,
    ANNEX_FILE,
];

/// What a path inside the campaign holds, when it is a campaign file at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Meta,
    Scores,
    Data,
    Record(String),
}

/// The campaign file at `path` (relative, `/`-separated), or None for anything else: the
/// names are compared whole, so `..`, absolute paths, `.git` in any spelling, other folders
/// and ids that are not plain names are none of them.
pub fn place(path: &str) -> Option<Place> {
    match path {
        META_FILE => Some(Place::Meta),
        SCORES_FILE => Some(Place::Scores),
        p if DATA_FILES.contains(&p) => Some(Place::Data),
        p => {
            let id = p
                .strip_prefix(RECORDS_DIR)?
                .strip_prefix('/')?
                .strip_suffix(".ron")?;
            is_safe_id(id).then(|| Place::Record(id.to_string()))
        }
    }
}

/// The pathspecs of every campaign file, for libgit2's look at the working tree.
pub fn pathspecs() -> Vec<String> {
    let mut out = vec![META_FILE.to_string(), SCORES_FILE.to_string()];
    out.extend(DATA_FILES.iter().map(|f| f.to_string()));
    out.push(format!("{RECORDS_DIR}/*.ron"));
    out
}

/// A file of a tree that may not reach the campaign, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub path: String,
    pub why: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.why.starts_with(&self.path) {
            write!(f, "{}", self.why)
        } else {
            write!(f, "«{}»: {}", self.path.escape_debug(), self.why)
        }
    }
}

fn refuse<T>(path: &str, why: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal {
        path: path.to_string(),
        why: why.into(),
    })
}

/// Every blob of a tree by path (its folders walked), as a commit of this campaign holds
/// them; nothing is read but trees.
pub fn files_of(tree: Option<&Tree>) -> BTreeMap<String, Oid> {
    let mut out = BTreeMap::new();
    if let Some(tree) = tree {
        let _ = tree.walk(git2::TreeWalkMode::PreOrder, |root, entry| {
            if entry.kind() == Some(git2::ObjectType::Blob) {
                out.insert(format!("{root}{}", entry.name().unwrap_or("")), entry.id());
            }
            git2::TreeWalkResult::Ok
        });
    }
    out
}

/// Whose git a libgit2 error came from: the words differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whose {
    Hub,
    History,
}

/// What went wrong in git's terms, in Russian first and libgit2's own (English) text after.
pub fn describe_git(e: &git2::Error) -> String {
    describe(e, Whose::History)
}

pub fn describe(e: &git2::Error, whose: Whose) -> String {
    format!(
        "{} (техническая причина: {})",
        git_trouble(e, whose),
        // Windows ends its system messages with CRLF.
        crate::model::collate::escape_controls(e.message().trim_end())
    )
}

/// What a libgit2 error means for a user.
pub fn git_trouble(e: &git2::Error, whose: Whose) -> &'static str {
    use git2::{ErrorClass as C, ErrorCode as K};
    let hub = whose == Whose::Hub;
    let text = e.message().to_lowercase();
    if text.contains("no space") || text.contains("disk full") {
        return "на носителе нет места";
    }
    if text.contains("read-only")
        || text.contains("permission denied")
        || text.contains("access is denied")
    {
        return if hub {
            "нет права записи в папку узла (носитель только для чтения?)"
        } else {
            "нет права записи в папку кампании (носитель только для чтения?)"
        };
    }
    match ((e.class(), e.code()), hub) {
        ((_, K::NotFound), true) => {
            "на узле нет того, что sobes туда записывал: узел повреждён или скопирован не целиком"
        }
        ((_, K::NotFound), false) => {
            "в истории кампании нет того, что должно быть: она повреждена или скопирована не целиком"
        }
        (
            (C::Odb | C::Object | C::Reference | C::Repository | C::Index | C::Tree | C::Zlib, _),
            true,
        ) => "узел повреждён (его файлы изменены не sobes или носитель испорчен)",
        (
            (C::Odb | C::Object | C::Reference | C::Repository | C::Index | C::Tree | C::Zlib, _),
            false,
        ) => "история кампании повреждена (файлы .git изменены не sobes или носитель испорчен)",
        ((C::Os | C::Filesystem, _), true) => "папка узла недоступна",
        ((C::Os | C::Filesystem, _), false) => "папка кампании недоступна",
        (_, true) => "узел ответил не так, как ожидалось",
        (_, false) => "git ответил не так, как ожидалось",
    }
}
