//! What a sync did, said in Russian for its summary: what came in and from whom (each person
//! for the municipalities they changed), what went out, open conflicts, what was kept.

use git2::{Oid, Repository};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

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
                super::shown(hub)
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
                crate::history::first_and_more(&items, 30, "; ")
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

/// Who changed which municipality in the commits of `theirs` that `ours` did not have, by
/// the changes those commits carry: a person is named only for what they changed, not for
/// everything their branch brought.
pub(super) fn authors(
    repo: &Repository,
    ours: Oid,
    theirs: Oid,
) -> BTreeMap<String, BTreeSet<String>> {
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
        let (_, body) = crate::history::split_message(&message);
        for change in crate::history::changes_in(body)
            .into_iter()
            .filter(|c| !c.by.trim().is_empty())
        {
            out.entry(change.municipality)
                .or_default()
                .insert(change.by);
        }
    }
    out
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
