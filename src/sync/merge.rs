//! The merge of the branches that came in, one after another, into the campaign's HEAD:
//! record files three-way by records, the table of points row by row, `campaign.ron` field
//! by field ([`super::meta`]), other files taken from the side that changed them (ours where
//! both did). Every file merged is checked again, then written, then committed; the same
//! commits never merge twice.

use super::meta::merge_meta;
use super::report::{Report, authors};
use super::{Step, SyncError, Watch, local, local_err};
use crate::boundary;
use crate::data::DataSet;
use crate::history::History;
use crate::model::campaign::{Meta, Record};
use crate::model::merge::merge;
use crate::model::scores::{ScoreRow, ScoreTable};
use crate::storage::{self, RECORDS_DIR};
use git2::{Oid, Repository};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What one merge is about: the campaign, the other side, and what it may take.
pub(super) struct MergeIn<'a> {
    pub history: &'a History,
    pub dir: &'a Path,
    pub data: &'a DataSet,
    pub me: &'a str,
    /// The laptops by name, for what the merge says.
    pub names: crate::history::DeviceNames,
    /// Whether the hub is known to serve this very campaign (both ids, equal): only then is
    /// this device's own branch with no common history (a history rebuilt after damage)
    /// taken in, as the past of this side.
    pub identified: bool,
}

/// Merges each branch of `merging` (device, commit), saying each step to `watch`; the report
/// learns who changed which municipality and what was kept.
pub(super) fn merge_all(
    m: &MergeIn,
    merging: &[&(String, Oid)],
    report: &mut Report,
    watch: &mut Watch,
) -> Result<(), SyncError> {
    let repo = &m.history.repo;
    let of = merging.len();
    for (done, (other, theirs)) in merging.iter().copied().enumerate() {
        watch.step(Step::Merging {
            device: m.names.of(other),
            done,
            of,
        });
        let ours = repo.head().ok().and_then(|h| h.target());
        let who = ours.map(|o| authors(repo, o, *theirs)).unwrap_or_default();
        for id in merge_in(m, other, *theirs, &mut report.kept, &mut report.campaign_in)? {
            let by = who.get(&id).into_iter().flatten().cloned();
            report.came_in.entry(id).or_default().extend(by);
        }
    }
    Ok(())
}

/// Merges the commit `theirs` of `device` (its tree already checked by the boundary) into
/// the campaign's HEAD; returns the municipalities that changed here.
fn merge_in(
    m: &MergeIn,
    device: &str,
    theirs: Oid,
    kept: &mut Vec<String>,
    campaign_in: &mut bool,
) -> Result<Vec<String>, SyncError> {
    let (repo, dir) = (&m.history.repo, m.dir);
    let err = local_err(dir);
    let ours_commit = repo.head().and_then(|h| h.peel_to_commit()).map_err(&err)?;
    let ours = ours_commit.id();
    if ours == theirs || repo.graph_descendant_of(ours, theirs).map_err(&err)? {
        return Ok(Vec::new());
    }
    let base = merge_base(m, device, ours, theirs)?;
    let trees = |oid: Oid| repo.find_commit(oid).and_then(|c| c.tree()).map_err(&err);
    let (tb, to, tt) = (trees(base)?, trees(ours)?, trees(theirs)?);
    let (ib, io, it) = (
        boundary::files_of(Some(&tb)),
        boundary::files_of(Some(&to)),
        boundary::files_of(Some(&tt)),
    );
    let mut merging = Merging {
        m,
        device,
        changed: Vec::new(),
        kept,
        campaign_in,
    };
    let outcome = merging.files(&ib, &io, &it)?;
    let mut changed = merging.changed;
    let blobs = write_outcome(dir, outcome)?;
    // Nothing here the other side lacks: take its commit as it is (a fast-forward), so two
    // devices end on the same commit rather than merging each other's merges for ever.
    // Their tree lacking a file this side has is not taken as it is: that file was lost
    // there (see `Merging::files`).
    let lost_there = io
        .keys()
        .any(|p| boundary::place(p).is_some() && !it.contains_key(p));
    if !lost_there && repo.graph_descendant_of(theirs, ours).map_err(&err)? {
        let head = repo.head().map_err(&err)?;
        let name = head.name().map_err(&err)?.to_string();
        repo.reference(&name, theirs, true, "sync: fast-forward")
            .map_err(&err)?;
    } else {
        commit_merge(m, device, (&ours_commit, &to), theirs, &blobs, &changed)?;
    }
    m.history.index_learns(&blobs).map_err(local(dir))?;
    changed.sort();
    changed.dedup();
    Ok(changed)
}

/// The commit the two sides last shared, or what stands for it on this device's own branch.
fn merge_base(m: &MergeIn, device: &str, ours: Oid, theirs: Oid) -> Result<Oid, SyncError> {
    let repo = &m.history.repo;
    match repo.merge_base(ours, theirs) {
        // This device's own commits that a repair here lost: every save wrote its file
        // before committing, so the files the repair committed hold them all, and what
        // came after is newer: nothing of theirs is to be merged, only their history.
        Ok(_) if device == m.me && m.identified && repaired_since(repo, ours, theirs) => Ok(theirs),
        Ok(base) => Ok(base),
        // This device's own past, from before its history was rebuilt: this side's files
        // are newer than anything it pushed, so they stay as they are.
        Err(_) if device == m.me && m.identified => Ok(theirs),
        Err(_) => Err(SyncError::Hub {
            folder: m.dir.to_path_buf(),
            message: format!(
                "ветка другого ноутбука ({}) на узле — от другой кампании (нет общей истории); ничего не изменено",
                m.names.of(device)
            ),
        }),
    }
}

/// Whether a commit «История восстановлена» (see `history::repair`) is among those of
/// `ours` that `theirs` lacks.
fn repaired_since(repo: &Repository, ours: Oid, theirs: Oid) -> bool {
    let Ok(mut walk) = repo.revwalk() else {
        return false;
    };
    if walk.push(ours).is_err() || walk.hide(theirs).is_err() {
        return false;
    }
    walk.flatten().any(|id| {
        repo.find_commit(id)
            .is_ok_and(|c| c.summary().ok().flatten() == Some(crate::history::REPAIRED))
    })
}

/// Commits our tree with the merged files (the working tree was our HEAD before the merge
/// wrote them). The merge commit has both parents, so the same commits never merge twice.
fn commit_merge(
    m: &MergeIn,
    device: &str,
    (ours, our_tree): (&git2::Commit, &git2::Tree),
    theirs: Oid,
    blobs: &[(PathBuf, Option<Oid>)],
    changed: &[String],
) -> Result<(), SyncError> {
    let (repo, me) = (&m.history.repo, m.me);
    let err = local_err(m.dir);
    let tree = repo
        .find_tree(crate::history::replace(repo, our_tree, blobs).map_err(&err)?)
        .map_err(&err)?;
    let theirs_commit = repo.find_commit(theirs).map_err(&err)?;
    let sig = git2::Signature::now(crate::history::NOBODY, &format!("{me}@sobes")).map_err(&err)?;
    let computer = crate::history::computer_signature(me).map_err(&err)?;
    let message = format!(
        "Слияние: {}: {}",
        m.names.of(device),
        if changed.is_empty() {
            "записи не изменились".to_string()
        } else {
            crate::history::first_and_more(changed, 20, ", ")
        }
    );
    repo.commit(
        Some("HEAD"),
        &sig,
        &computer,
        &message,
        &tree,
        &[ours, &theirs_commit],
    )
    .map_err(&err)?;
    Ok(())
}

/// A file's blob at the merge base, on this side and on theirs.
#[derive(Clone, Copy)]
struct Versions<'t> {
    base: Option<&'t Oid>,
    ours: Option<&'t Oid>,
    theirs: Option<&'t Oid>,
}

/// A file the merge writes: its blob and its text (both None: removed).
type Written = (Option<Oid>, Option<Vec<u8>>);

/// One branch's merge under way: what it is about, and what it finds beside the files.
struct Merging<'a, 'k> {
    m: &'a MergeIn<'a>,
    device: &'a str,
    /// Municipalities whose record or points changed here.
    changed: Vec<String>,
    /// What stayed as this side had it though both sides changed it, said in the summary.
    kept: &'k mut Vec<String>,
    /// Whether `campaign.ron` came in changed.
    campaign_in: &'k mut bool,
}

impl Merging<'_, '_> {
    /// What the merge writes, by path in the campaign, from the files of the three trees.
    fn files(
        &mut self,
        ib: &BTreeMap<String, Oid>,
        io: &BTreeMap<String, Oid>,
        it: &BTreeMap<String, Oid>,
    ) -> Result<Vec<(String, Written)>, SyncError> {
        // Only campaign files: what else an older history holds is none of the merge's
        // business.
        let all: BTreeSet<&String> = ib
            .keys()
            .chain(io.keys())
            .chain(it.keys())
            .filter(|p| boundary::place(p).is_some())
            .collect();
        let mut outcome = Vec::new();
        for path in all {
            let ob = ib.get(path);
            // A side without a file the base has did not erase it: sobes never deletes a
            // campaign file, so absence is a loss (a file deleted by hand, a tree cut short),
            // and that side counts as having left the file as it was.
            let v = Versions {
                base: ob,
                ours: io.get(path).or(ob),
                theirs: it.get(path).or(ob),
            };
            // Same blob id, same content: nothing to read.
            if v.ours == v.theirs || v.theirs == v.base {
                continue;
            }
            if let Some(written) = self.file(path, v)? {
                outcome.push((path.to_string(), written));
            }
        }
        Ok(outcome)
    }

    /// A file's text by its blob id, read only where ids differ.
    fn text(&self, oid: Option<&Oid>) -> Option<Vec<u8>> {
        oid.and_then(|o| self.m.history.repo.find_blob(*o).ok())
            .map(|b| b.content().to_vec())
    }

    /// What the merge writes at `path`, checked; None when this side's file stays as it is.
    fn file(&mut self, path: &str, v: Versions) -> Result<Option<Written>, SyncError> {
        let dir = self.m.dir;
        let Some(merged) = self.merged(path, v) else {
            return Ok(None);
        };
        if let Some(bytes) = &merged {
            boundary::check_file(path, bytes, self.m.data).map_err(|r| SyncError::Local {
                folder: dir.to_path_buf(),
                message: format!(
                    "слияние с другим ноутбуком ({}) дало бы файл, который не читается: {r}; ничего из этого слияния не записано", self.m.names.of(self.device)
                ),
            })?;
        }
        if path == storage::META_FILE && merged != self.text(v.ours) {
            *self.campaign_in = true;
        }
        let blob = match (&merged, v.ours == v.base) {
            (Some(_), true) => v.theirs.copied(),
            (Some(bytes), false) => Some(self.m.history.repo.blob(bytes).map_err(local_err(dir))?),
            (None, _) => None,
        };
        if let Some(id) = record_of_file(path) {
            self.changed.push(id);
        }
        Ok(Some((blob, merged)))
    }

    /// The text the merge gives `path` (None: removed), or None when this side's file stays:
    /// `campaign.ron` that does not read, a data file both sides changed.
    fn merged(&mut self, path: &str, v: Versions) -> Option<Option<Vec<u8>>> {
        if path == storage::SCORES_FILE {
            return Some(self.scores(v));
        }
        if v.ours == v.base {
            return Some(self.text(v.theirs));
        }
        if let Some(id) = record_of_file(path) {
            return Some(Some(self.record(&id, v)));
        }
        if path == storage::META_FILE {
            return self.meta(v).map(Some);
        }
        // A data file changed on both sides: ours stays, and the summary says so.
        self.kept.push(format!(
            "{path}: изменён и здесь, и на другом ноутбуке ({}); оставлен здешний",
            self.m.names.of(self.device)
        ));
        None
    }

    /// The table of points, merged even when only their side changed: the merge says which
    /// rows came in.
    fn scores(&mut self, v: Versions) -> Option<Vec<u8>> {
        let (b, o, t) = (
            parse_table(self.text(v.base)),
            parse_table(self.text(v.ours)),
            parse_table(self.text(v.theirs)),
        );
        let (table, ids) = merge_tables(&b, (&o, self.m.me), (&t, self.device));
        self.changed.extend(ids);
        if v.ours == v.base {
            self.text(v.theirs)
        } else {
            Some(storage::scores::text(&table))
        }
    }

    /// A municipality's record, merged three-way; a side without one has an empty one.
    fn record(&self, id: &str, v: Versions) -> Vec<u8> {
        let parse = |b: Option<Vec<u8>>| parsed::<Record>(b).unwrap_or_else(|| Record::new(id));
        let m = merge(
            &parse(self.text(v.base)),
            (&parse(self.text(v.ours)), self.m.me),
            (&parse(self.text(v.theirs)), self.device),
        );
        storage::to_ron(&m).into_bytes()
    }

    /// `campaign.ron` merged field by field, when all three sides read; each field both
    /// changed is named in the summary.
    fn meta(&mut self, v: Versions) -> Option<Vec<u8>> {
        let parse = |oid| parsed::<Meta>(self.text(oid));
        let (b, o, t) = (parse(v.base)?, parse(v.ours)?, parse(v.theirs)?);
        let (meta, both) = merge_meta(&b, (&o, self.m.me), (&t, self.device));
        for field in both {
            self.kept.push(format!(
                "campaign.ron: поле «{field}» изменено и здесь, и на другом ноутбуке ({}); пока оставлено здешнее значение, конфликт открыт (sobes campaign set {field} …)", self.m.names.of(self.device)
            ));
        }
        Some(storage::to_ron(&meta).into_bytes())
    }
}

/// The municipality whose record file `path` is.
fn record_of_file(path: &str) -> Option<String> {
    match boundary::place(path) {
        Some(boundary::Place::Record(_)) => storage::record_id(Path::new(path)),
        _ => None,
    }
}

/// A file as a commit holds it, parsed (checked by the boundary before it got here).
fn parsed<T: serde::de::DeserializeOwned>(bytes: Option<Vec<u8>>) -> Option<T> {
    let text = String::from_utf8(bytes?).ok()?;
    let origin = crate::model::source::Origin::Builtin("история");
    crate::model::source::parse_ron(&text, &origin).ok()
}

/// The table of points as a commit holds it; none counts as empty.
fn parse_table(bytes: Option<Vec<u8>>) -> ScoreTable {
    parsed(bytes).unwrap_or_else(ScoreTable::new)
}

/// Three-way merge of the tables of points, row by row through the records' merge (so a
/// point changed differently on two laptops is a conflict like any other field). Returns the
/// table and the municipalities whose points differ from ours.
fn merge_tables(
    base: &ScoreTable,
    (ours, me): (&ScoreTable, &str),
    (theirs, device): (&ScoreTable, &str),
) -> (ScoreTable, Vec<String>) {
    let record = |t: &ScoreTable, id: &str| crate::model::scores::record_of(id, t.row(id));
    let mut table = ours.clone();
    let mut changed = Vec::new();
    let ids: BTreeSet<&String> = ours.rows.keys().chain(theirs.rows.keys()).collect();
    for id in ids {
        if ours.row(id) == theirs.row(id) {
            continue;
        }
        let m = merge(
            &record(base, id),
            (&record(ours, id), me),
            (&record(theirs, id), device),
        );
        if table.set(id, ScoreRow::of(&m)) {
            changed.push(id.clone());
        }
    }
    (table, changed)
}

/// Writes what the merge gives each file, removing those it removes; returns the blobs at
/// their paths, for the commit and the index.
fn write_outcome(
    dir: &Path,
    outcome: Vec<(String, Written)>,
) -> Result<Vec<(PathBuf, Option<Oid>)>, SyncError> {
    let blobs: Vec<(PathBuf, Option<Oid>)> = outcome
        .iter()
        .map(|(path, (blob, _))| (PathBuf::from(path), *blob))
        .collect();
    let mut writes = Vec::new();
    for (path, (_, bytes)) in outcome {
        match bytes {
            Some(bytes) => writes.push((PathBuf::from(path), bytes)),
            None => {
                let _ = std::fs::remove_file(dir.join(&path));
            }
        }
    }
    write_files(dir, &writes)?;
    Ok(blobs)
}

/// Writes checked campaign files (paths from [`boundary::place`]), their folder made when
/// git, which keeps no empty folders, brought none.
pub(super) fn write_files(dir: &Path, writes: &[(PathBuf, Vec<u8>)]) -> Result<(), SyncError> {
    if writes.iter().any(|(p, _)| p.starts_with(RECORDS_DIR)) {
        storage::create_private_dir(&dir.join(RECORDS_DIR)).map_err(local(dir))?;
    }
    storage::write_many(dir, writes).map_err(local(dir))
}
