//! The three-way merge of records, over random edits on two laptops: the result does not
//! depend on which side merges, nothing saved disappears, and merging a side with itself
//! changes nothing. And what a save leaves in the history: the trees, blobs and branch moves
//! sobes writes by hand, over random saves, are what libgit2's own writers make.

use crate::common;

use proptest::prelude::*;
use sobes::model::campaign::{Record, Value};
use sobes::model::change::{Change, Stamp, apply};
use sobes::model::clusters::Dimensions;
use sobes::model::conflict::{Field, Held};
use sobes::model::merge::merge;
use sobes::model::protocol::Protocol;

#[derive(Clone, Debug)]
enum Edit {
    Number(i64),
    YesNo(bool),
    Text(u8),
    Note(u8),
    ClearNumber,
    Decide(u8),
    /// The laptop's own reviewer rates: keyed by reviewer, never a conflict between two.
    Rate(u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0i64..4).prop_map(Edit::Number),
        any::<bool>().prop_map(Edit::YesNo),
        (0u8..3).prop_map(Edit::Text),
        (0u8..3).prop_map(Edit::Note),
        Just(Edit::ClearNumber),
        (1u8..4).prop_map(Edit::Decide),
        (1u8..4).prop_map(Edit::Rate),
    ]
}

fn play(start: &Record, edits: &[Edit], who: &str, minute: u32) -> Record {
    let (p, d) = (Protocol::builtin(), Dimensions::builtin());
    let mut r = start.clone();
    for (i, e) in edits.iter().enumerate() {
        let stamp = Stamp {
            by: who.into(),
            at: format!("2026-09-14T10:{:02}:{:02}Z", minute, i),
        };
        let c = match e {
            Edit::Number(n) => Change::answer(&r, "methodists", Some(Value::Number(*n)), &stamp),
            Edit::YesNo(b) => Change::answer(&r, "staff_reserves", Some(Value::Bool(*b)), &stamp),
            Edit::Text(t) => Change::answer(
                &r,
                "reserves_detail",
                Some(Value::Text(format!("ставка {t}"))),
                &stamp,
            ),
            Edit::Note(t) => Change::note(&r, "methodists", &format!("заметка {t}"), &stamp),
            Edit::ClearNumber => Change::answer(&r, "methodists", None, &stamp),
            Edit::Decide(n) => {
                Change::decision(&r, "regional_active", Some(*n), Some("решили так"), &stamp)
            }
            Edit::Rate(n) => Change::rating(&r, "training", who, Some(*n), Some("так"), &stamp),
        };
        r = apply(&r, &c, &p, &d).unwrap();
    }
    r
}

/// What a record holds, field by field.
fn held(r: &Record) -> Vec<(Field, Held)> {
    let mut out = Vec::new();
    for (q, a) in &r.answers.0 {
        if a.value.is_some() {
            out.push((Field::Answer(q.clone()), Held::Value(a.value.clone())));
        }
        if a.note.is_some() {
            out.push((Field::Note(q.clone()), Held::Note(a.note.clone())));
        }
    }
    for (d, dec) in &r.decisions {
        out.push((
            Field::Decision(d.clone()),
            Held::Decision(Some(dec.clone())),
        ));
    }
    for (d, by) in &r.ratings {
        for (who, dec) in by {
            out.push((
                Field::Rating(d.clone(), who.clone()),
                Held::Decision(Some(dec.clone())),
            ));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::proptest_cases(300)))]

    #[test]
    fn merges_are_symmetric_lose_nothing_and_are_idempotent(
        common in prop::collection::vec(edit(), 0..4),
        a in prop::collection::vec(edit(), 0..5),
        b in prop::collection::vec(edit(), 0..5),
    ) {
        let base = play(&Record::new("x"), &common, "База", 0);
        let ra = play(&base, &a, "Анна", 10);
        let rb = play(&base, &b, "Борис", 20);
        let ab = merge(&base, (&ra, "A"), (&rb, "B"));
        let ba = merge(&base, (&rb, "B"), (&ra, "A"));
        prop_assert_eq!(&ab, &ba, "either laptop merges first");
        prop_assert_eq!(merge(&base, (&ra, "A"), (&ra, "A")), ra.clone());
        // Nothing a laptop saved is lost: it is the current value or a side of a conflict.
        let base_held = held(&base);
        for side in [&ra, &rb] {
            for (field, value) in held(side) {
                if base_held.contains(&(field.clone(), value.clone())) {
                    continue;
                }
                let current = held(&ab).contains(&(field.clone(), value.clone()));
                let in_conflict = ab.conflicts.iter().any(|c| {
                    c.field == field && c.versions.iter().any(|v| v.held == value)
                });
                prop_assert!(current || in_conflict, "{field:?} = {value:?} lost: {ab:?}");
            }
        }
        // Two reviewers' ratings never collide.
        prop_assert!(
            ab.conflicts.iter().all(|c| !matches!(c.field, Field::Rating(..))),
            "{:?}",
            ab.conflicts
        );
        // A merge result merged again with either side (now its base) stays as it is.
        prop_assert_eq!(merge(&ra, (&ab, "A"), (&ra, "A")), ab.clone());
    }
}

/// A save of random campaign files: each path written with a text, or removed.
fn saves() -> impl Strategy<Value = Vec<Vec<(usize, Option<u8>)>>> {
    let step = prop::collection::vec((0usize..PATHS.len(), prop::option::of(0u8..4)), 1..5);
    prop::collection::vec(step, 1..8)
}

const PATHS: [&str; 6] = [
    "campaign.ron",
    "scores.ron",
    "municipalities/a-mr.ron",
    "municipalities/b-go.ron",
    "municipalities/uysky-mr.ron",
    "municipalities/z-mr.ron",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::proptest_cases(48)))]

    /// Save after save through one handle (its tree cache, its loose objects, its branch
    /// moved by swapping the branch's file): every commit's tree is the one libgit2's index
    /// makes of the files on disk, and the branch's reflog has every move.
    #[test]
    fn saves_write_the_trees_libgit2_writes(saves in saves()) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = &tmp.path().join("c");
        let data = sobes::data::DataSet::load(&Default::default(), None).unwrap();
        sobes::storage::create(dir, &sobes::session::new_meta(&data, None)).unwrap();
        let history = sobes::history::History::open(dir, "ноутбук-1").unwrap();
        history.commit_pending("Тест").unwrap();
        // What the history starts with (its own files), then what the saves change.
        let mut on_disk: std::collections::BTreeMap<String, Vec<u8>> = Default::default();
        {
            let repo = git2::Repository::open(dir).unwrap();
            let first = repo.head().unwrap().peel_to_tree().unwrap();
            first
                .walk(git2::TreeWalkMode::PreOrder, |root, e| {
                    if let Ok(blob) = e.to_object(&repo).and_then(|o| o.peel_to_blob()) {
                        on_disk.insert(format!("{root}{}", e.name().unwrap()), blob.content().to_vec());
                    }
                    git2::TreeWalkResult::Ok
                })
                .unwrap();
        }
        let mut commits = 0;
        for save in &saves {
            let mut files = Vec::new();
            for (i, text) in save {
                let path = PATHS[*i];
                match text {
                    Some(t) => {
                        let text = format!("Текст {t}\n");
                        std::fs::write(dir.join(path), &text).unwrap();
                        on_disk.insert(path.to_string(), text.into_bytes());
                    }
                    None => {
                        let _ = std::fs::remove_file(dir.join(path));
                        on_disk.remove(path);
                    }
                }
                files.push(std::path::PathBuf::from(path));
            }
            commits += usize::from(history.commit(&files, "Тест", "сохранение", "").unwrap());
            let repo = git2::Repository::open(dir).unwrap();
            let mut index = git2::Index::new().unwrap();
            for (path, text) in &on_disk {
                let id = repo.blob(text).unwrap();
                index.add(&index_entry(path, id, text.len())).unwrap();
            }
            let head = repo.head().unwrap().peel_to_tree().unwrap();
            prop_assert_eq!(index.write_tree_to(&repo).unwrap(), head.id());
        }
        let repo = git2::Repository::open(dir).unwrap();
        prop_assert!(repo.reflog("refs/heads/sobes").unwrap().len() >= commits);
    }
}

fn index_entry(path: &str, id: git2::Oid, len: usize) -> git2::IndexEntry {
    git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: len as u32,
        id,
        flags: 0,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}
