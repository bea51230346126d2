//! Answers merged: disjoint work, who changed what, one conflict per answer, convergence.

use super::*;

#[test]
fn disjoint_work_merges_and_syncing_again_changes_nothing() {
    let (_tmp, a, b, hub) = pair();
    a.set("Уйский", "methodists", "3");
    b.set("Ашинский", "methodists", "5");
    b.set("Уйский", "licence", "да"); // another field of the same record
    for l in [&a, &b, &a] {
        let o = l.sync(&hub);
        assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    }
    assert_eq!(a.files(), b.files());
    assert!(
        a.files()
            .iter()
            .any(|(n, t)| n == "uysky-mr.ron" && t.contains("Number(3)") && t.contains("licence"))
    );
    let o = b.sync(&hub);
    assert!(
        out(&o).contains("пришло: 1 — Уйский МР (Анна)") || out(&o).contains("пришло: ничего"),
        "{}",
        out(&o)
    );
    let (ha, hb) = (a.head(), b.head());
    assert!(a.sync(&hub).status.success() && b.sync(&hub).status.success());
    assert_eq!(
        (a.head(), b.head()),
        (ha, hb),
        "syncing twice changes nothing"
    );
    assert_eq!(ha, hb, "both laptops end on the same commit");
    // The history read once per commit comes in git's own order: parents first, otherwise
    // by time; with a municipality, only commits naming it carry changes.
    let history = sobes::history::History::read(&a.dir).unwrap().unwrap();
    let ours: Vec<String> = history
        .entries()
        .unwrap()
        .into_iter()
        .map(|e| e.summary)
        .collect();
    let repo = git2::Repository::open(&a.dir).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.push_head().unwrap();
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME | git2::Sort::REVERSE)
        .unwrap();
    let gits: Vec<String> = walk
        .map(|oid| {
            let c = repo.find_commit(oid.unwrap()).unwrap();
            let m = c.message().unwrap_or("");
            m.split_once("\n\n").map_or(m, |x| x.0).trim().to_string()
        })
        .collect();
    assert!(ours.iter().any(|s| s.starts_with("Слияние")), "{ours:?}");
    let mut sorted = (ours.clone(), gits.clone());
    sorted.0.sort();
    sorted.1.sort();
    assert_eq!(sorted.0, sorted.1, "the same commits");
    let position = |list: &[String], what: &str| list.iter().position(|s| s.contains(what));
    for pair in [("Уйский", "Слияние"), ("Ашинский", "Слияние")] {
        assert!(
            position(&ours, pair.0) < position(&ours, pair.1),
            "{ours:?}"
        );
    }
    let about = history.entries_about(Some("ashinsky-mr")).unwrap();
    assert_eq!(about.len(), ours.len());
    let with: Vec<&str> = about
        .iter()
        .filter(|e| !e.changes.is_empty())
        .map(|e| e.summary.as_str())
        .collect();
    assert!(
        !with.is_empty() && with.iter().all(|s| s.contains("Ашинский")),
        "{with:?}"
    );
}

/// Two people on one laptop: the other laptop's sync names each for what they changed, not
/// both for everything the branch brought.
#[test]
fn people_are_named_for_what_they_changed() {
    let (_tmp, a, b, hub) = pair();
    let vera = Laptop {
        home: b.home.clone(),
        dir: b.dir.clone(),
        name: "Вера",
    };
    b.set("Ашинский", "methodists", "5");
    vera.set("Уйский", "methodists", "7");
    assert!(b.sync(&hub).status.success());
    let o = a.sync(&hub);
    assert!(
        out(&o).contains("пришло: 2 — Ашинский МР (Борис); Уйский МР (Вера)"),
        "{}",
        out(&o)
    );
}

#[test]
fn the_same_answer_changed_differently_is_one_conflict_and_its_resolution_travels() {
    let (_tmp, a, b, hub) = pair();
    a.set("Уйский", "methodists", "4");
    b.set("Уйский", "methodists", "6");
    b.set("Ашинский", "methodists", "2");
    a.set("Ашинский", "methodists", "2"); // the same change on both: no conflict
    assert!(a.sync(&hub).status.success());
    let o = b.sync(&hub);
    assert_eq!(
        o.status.code(),
        Some(3),
        "synced with a conflict: {}",
        out(&o)
    );
    let o = b.run(&["conflicts", "--tsv"]);
    let rows: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].starts_with("uysky-mr\tanswer:methodists\t"),
        "{}",
        rows[0]
    );
    assert!(
        rows[0].contains("\t4\tАнна\t") && rows[0].contains("\t6\tБорис\t"),
        "both kept: {}",
        rows[0]
    );
    // People read whose laptop each side came from, never a device id.
    let host = sobes::storage::host_name();
    let text = out(&b.run(&["conflicts"]));
    assert!(
        text.contains("Анна, ") && text.contains(&format!("ноутбук (Анна, {host})")),
        "{text}"
    );
    assert!(text.contains(&format!("ноутбук (Борис, {host})")), "{text}");
    assert!(!text.contains("устройство"), "{text}");
    // The export of the annex refuses while a conflict is open.
    let o = b.run(&["export", "-o", "/nonexistent/x.md"]);
    assert!(out(&o).contains("Конфликт"), "{}", out(&o));
    // Resolving: a set on the field; it travels to the other laptop.
    b.set("Уйский", "methodists", "5");
    assert_eq!(b.sync(&hub).status.code(), Some(0));
    assert_eq!(a.sync(&hub).status.code(), Some(0));
    assert_eq!(a.files(), b.files());
    let text = std::fs::read_to_string(a.dir.join("municipalities/uysky-mr.ron")).unwrap();
    assert!(
        text.contains("Number(5)") && !text.contains("conflicts"),
        "{text}"
    );
    // The history has each side and the resolution.
    let repo = git2::Repository::open(&a.dir).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.push_head().unwrap();
    let messages: Vec<String> = walk
        .map(|o| {
            repo.find_commit(o.unwrap())
                .unwrap()
                .summary()
                .ok()
                .flatten()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    for v in ["= 4", "= 5", "= 6"] {
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("Уйский МР") && m.ends_with(v)),
            "{v}: {messages:?}"
        );
    }
}

mod convergence {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Set(usize, usize, u8),
        Sync(usize),
    }

    fn op(devices: usize) -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0..devices, 0usize..3, 1u8..5).prop_map(|(d, m, v)| Op::Set(d, m, v)),
            2 => (0..devices).prop_map(Op::Sync),
        ]
    }

    const PLACES: [&str; 3] = ["Уйский", "Ашинский", "Кусинский МР"];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::common::proptest_cases(12)))]

        /// Random saves on two or three laptops with syncs in random order, then a final
        /// round: every laptop has the same records and the same open conflicts, and every
        /// value ever saved is current, a side of a conflict, or in the history.
        #[test]
        fn laptops_converge_and_nothing_saved_is_lost(
            three in any::<bool>(),
            ops in prop::collection::vec(op(3), 1..14),
        ) {
            let (tmp, a, b, hub) = pair();
            let mut laptops = vec![a, b];
            if three {
                let c = Laptop::new(tmp.path(), "Вера");
                let o = Command::new(env!("CARGO_BIN_EXE_sobes"))
                    .env("SOBES_HOME", &c.home)
                    .args(["new", c.dir.to_str().unwrap(), "--from-hub", hub.to_str().unwrap()])
                    .output()
                    .unwrap();
                prop_assert!(o.status.success(), "{}", out(&o));
                laptops.push(c);
            }
            let mut saved: Vec<(usize, u8)> = Vec::new();
            for op in ops {
                match op {
                    Op::Set(d, m, v) => {
                        let l = &laptops[d % laptops.len()];
                        l.set(PLACES[m], "methodists", &v.to_string());
                        saved.push((m, v));
                    }
                    Op::Sync(d) => {
                        let o = laptops[d % laptops.len()].sync(&hub);
                        prop_assert!(matches!(o.status.code(), Some(0 | 3)), "{}", out(&o));
                    }
                }
            }
            for _ in 0..2 {
                for l in &laptops {
                    let o = l.sync(&hub);
                    prop_assert!(matches!(o.status.code(), Some(0 | 3)), "{}", out(&o));
                }
            }
            let first = laptops[0].files();
            for l in &laptops[1..] {
                prop_assert_eq!(&l.files(), &first, "{} differs", l.name);
            }
            let log = String::from_utf8_lossy(&laptops[0].run(&["log", "--tsv"]).stdout).into_owned();
            for (m, v) in saved {
                let id = ["uysky-mr", "ashinsky-mr", "kusinsky-mr"][m];
                let in_log = log.lines().any(|l| {
                    let cells: Vec<&str> = l.split('\t').collect();
                    cells.len() > 6 && cells[3] == id && cells[6] == v.to_string()
                });
                prop_assert!(in_log, "{id} = {v} is nowhere in the history");
            }
        }
    }
}
