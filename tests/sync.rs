//! Several laptops, one campaign: scripted scenarios with simulated laptops (each its own
//! SOBES_HOME and campaign directory) sharing a hub folder, all in a temporary directory.

mod common;

use sobes::model::campaign::Record;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Laptop {
    home: PathBuf,
    dir: PathBuf,
    name: &'static str,
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

impl Laptop {
    fn new(root: &Path, name: &'static str) -> Laptop {
        Laptop {
            home: root.join(format!("home-{name}")),
            dir: root.join(format!("campaign-{name}")),
            name,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_sobes"));
        // No git program to lean on. Not under Wine, whose process start fails now and then
        // with an empty PATH (os error 1359).
        if cfg!(unix) {
            c.env("PATH", "");
        }
        c.env("SOBES_HOME", &self.home)
            .arg("--campaign")
            .arg(&self.dir)
            .arg("--as")
            .arg(self.name)
            .args(args)
            .output()
            .unwrap()
    }

    fn set(&self, municipality: &str, question: &str, value: &str) {
        // `run` says who: the laptop's user, not the «--as» of the common arguments.
        let o = self.run(&common::set_args(municipality, question, value)[2..]);
        assert!(o.status.success(), "{}", out(&o));
    }

    fn sync(&self, hub: &Path) -> Output {
        self.run(&["sync", hub.to_str().unwrap()])
    }

    /// A sync that makes the hub (`--new-hub`).
    fn sync_new(&self, hub: &Path) -> Output {
        self.run(&["sync", hub.to_str().unwrap(), "--new-hub"])
    }

    fn files(&self) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = std::fs::read_dir(self.dir.join("municipalities"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "ron"))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&p).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    fn head(&self) -> git2::Oid {
        git2::Repository::open(&self.dir)
            .unwrap()
            .head()
            .unwrap()
            .target()
            .unwrap()
    }
}

/// Two laptops: A made the campaign and a hub; B joined from it.
fn pair() -> (tempfile::TempDir, Laptop, Laptop, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let hub = tmp.path().join("флешка").join("sobes-hub");
    let a = Laptop::new(tmp.path(), "Анна");
    let b = Laptop::new(tmp.path(), "Борис");
    let o = Command::new(env!("CARGO_BIN_EXE_sobes"))
        .env("SOBES_HOME", &a.home)
        .args(["new", a.dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", out(&o));
    a.set("Копейский", "methodists", "2");
    std::fs::create_dir(tmp.path().join("флешка")).unwrap();
    let o = a.sync_new(&hub);
    assert!(o.status.success(), "{}", out(&o));
    assert!(
        out(&o).contains("создан новый узел синхронизации"),
        "{}",
        out(&o)
    );
    let o = Command::new(env!("CARGO_BIN_EXE_sobes"))
        .env("SOBES_HOME", &b.home)
        .args([
            "new",
            b.dir.to_str().unwrap(),
            "--from-hub",
            hub.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", out(&o));
    // A join says what it did: everything came, nothing «new» and no commits «sent».
    let said = out(&o);
    assert!(
        said.contains(
            "присоединено: кампания получена с узла целиком (записей муниципалитетов — 1)"
        ) && !said.contains("ничего нового")
            && !said.contains("ушло"),
        "{said}"
    );
    assert_eq!(a.files(), b.files(), "the new laptop has the campaign");
    (tmp, a, b, hub)
}

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

#[test]
fn a_hub_that_is_not_one_is_refused_naming_the_folder() {
    let (tmp, a, _b, _hub) = pair();
    let before = a.files();
    let head = a.head();
    let junk = tmp.path().join("чужая папка");
    std::fs::create_dir(&junk).unwrap();
    std::fs::write(junk.join("отчёт.docx"), b"x").unwrap();
    let o = a.sync(&junk);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        out(&o).contains(&junk.display().to_string()) && out(&o).contains("не узел синхронизации"),
        "{}",
        out(&o)
    );
    // A hub of another campaign: no common history.
    let other = Laptop::new(tmp.path(), "Вера");
    let o = Command::new(env!("CARGO_BIN_EXE_sobes"))
        .env("SOBES_HOME", &other.home)
        .args(["new", other.dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    other.set("Уйский", "methodists", "9");
    let other_hub = tmp.path().join("другой узел");
    assert!(other.sync_new(&other_hub).status.success());
    let o = a.sync(&other_hub);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("другой кампании"), "{}", out(&o));
    assert_eq!(a.files(), before);
    assert_eq!(a.head(), head, "the local campaign untouched");
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
        #![proptest_config(ProptestConfig::with_cases(12))]

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

/// SIGKILL at random moments during syncs on both laptops: afterwards both campaigns and the
/// hub open, `check` passes, a sync completes, and every confirmed answer is in the history.
#[test]
fn sigkill_during_sync_loses_nothing() {
    let (_tmp, a, b, hub) = pair();
    let mut seed = std::env::var("SOBES_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!("SOBES_TEST_SEED={seed}");
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    // How long a sync takes, so kills land all over it.
    let t = std::time::Instant::now();
    assert!(a.sync(&hub).status.success());
    let span = t.elapsed().as_micros().max(2000) as u64;
    let mut confirmed = Vec::new();
    for round in 0..20 {
        for (l, place) in [(&a, "Уйский"), (&b, "Ашинский")] {
            let value = format!("{}", 10 + round);
            l.set(place, "methodists", &value);
            confirmed.push((place, value));
            let mut child = Command::new(env!("CARGO_BIN_EXE_sobes"))
                .env("SOBES_HOME", &l.home)
                .args([
                    "--campaign",
                    l.dir.to_str().unwrap(),
                    "sync",
                    hub.to_str().unwrap(),
                ])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_micros(next() % span));
            let _ = child.kill();
            let _ = child.wait();
        }
    }
    for l in [&a, &b, &a, &b] {
        let o = l.sync(&hub);
        assert!(matches!(o.status.code(), Some(0 | 3)), "{}", out(&o));
    }
    assert_eq!(a.files(), b.files());
    for l in [&a, &b] {
        let o = l.run(&["check"]);
        assert!(o.status.success(), "{}", out(&o));
    }
    let log = String::from_utf8_lossy(&a.run(&["log", "--tsv"]).stdout).into_owned();
    for (place, value) in confirmed {
        let id = if place == "Уйский" {
            "uysky-mr"
        } else {
            "ashinsky-mr"
        };
        assert!(
            log.lines().any(|l| {
                let c: Vec<&str> = l.split('\t').collect();
                c.len() > 6 && c[3] == id && c[6] == value
            }),
            "{id} = {value} lost"
        );
    }
}

/// Two laptops syncing with the hub at the same moment: both branches arrive. A damaged hub
/// is refused naming its folder, and the campaign stays as it was.
#[test]
fn simultaneous_syncs_both_arrive_and_a_damaged_hub_is_named() {
    let (_tmp, a, b, hub) = pair();
    a.set("Уйский", "methodists", "3");
    b.set("Ашинский", "methodists", "4");
    let spawn = |l: &Laptop| {
        Command::new(env!("CARGO_BIN_EXE_sobes"))
            .env("SOBES_HOME", &l.home)
            .args([
                "--campaign",
                l.dir.to_str().unwrap(),
                "sync",
                hub.to_str().unwrap(),
            ])
            .output()
    };
    let (ra, rb) = std::thread::scope(|s| {
        let ta = s.spawn(|| spawn(&a).unwrap());
        let tb = s.spawn(|| spawn(&b).unwrap());
        (ta.join().unwrap(), tb.join().unwrap())
    });
    assert!(ra.status.success(), "{}", out(&ra));
    assert!(rb.status.success(), "{}", out(&rb));
    let repo = git2::Repository::open_bare(&hub).unwrap();
    let branches = repo
        .references_glob("refs/heads/devices/*")
        .unwrap()
        .count();
    assert_eq!(branches, 2, "both branches on the hub");
    for l in [&a, &b, &a] {
        assert!(l.sync(&hub).status.success());
    }
    assert_eq!(a.files(), b.files());
    assert!(
        a.files()
            .iter()
            .any(|(n, t)| n == "ashinsky-mr.ron" && t.contains("Number(4)"))
    );

    // A damaged hub.
    std::fs::write(hub.join("HEAD"), b"\x00\x01 not a ref").unwrap();
    let before = (a.files(), a.head());
    let o = a.sync(&hub);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains(&hub.display().to_string()), "{}", out(&o));
    assert!(
        out(&o).contains("узел повреждён"),
        "said in words: {}",
        out(&o)
    );
    assert_eq!((a.files(), a.head()), before, "the campaign untouched");
}

/// The campaign's own fields merge field by field; where both laptops changed one, this
/// laptop's stays and the summary says so.
#[test]
fn campaign_fields_merge_field_by_field() {
    let (_tmp, a, b, hub) = pair();
    let edit = |l: &Laptop, from: &str, to: &str| {
        let file = l.dir.join("campaign.ron");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(from), "{text}");
        std::fs::write(&file, text.replacen(from, to, 1)).unwrap();
    };
    edit(&a, "start: None", "start: Some(\"2026-09-14\")");
    edit(&b, "end: None", "end: Some(\"2026-09-29\")");
    assert!(a.sync(&hub).status.success());
    let o = b.sync(&hub);
    assert!(o.status.success());
    assert!(
        out(&o).contains("пришло: изменения данных письма и настроек кампании")
            && !out(&o).contains("ничего нового"),
        "what came in is said: {}",
        out(&o)
    );
    assert!(a.sync(&hub).status.success());
    for l in [&a, &b] {
        let text = std::fs::read_to_string(l.dir.join("campaign.ron")).unwrap();
        assert!(
            text.contains("2026-09-14") && text.contains("2026-09-29"),
            "{}: {text}",
            l.name
        );
    }
    edit(&a, "title: \"", "title: \"А: ");
    edit(&b, "title: \"", "title: \"Б: ");
    assert!(a.sync(&hub).status.success());
    // Changed differently on both: a conflict kept as data, never decided silently.
    let o = b.sync(&hub);
    assert_eq!(o.status.code(), Some(3), "{}", out(&o));
    assert!(
        out(&o).contains("внимание: campaign.ron: поле «title»"),
        "{}",
        out(&o)
    );
    for l in [&b, &a] {
        if l.name == a.name {
            let o = l.sync(&hub);
            assert_eq!(
                o.status.code(),
                Some(3),
                "the conflict travels: {}",
                out(&o)
            );
        }
        let o = l.run(&["conflicts"]);
        let text = out(&o);
        assert!(
            text.contains("кампания: поле «title»") && text.contains("А: ") && text.contains("Б: "),
            "{}: {text}",
            l.name
        );
        let o = l.run(&["export", "--output", "annex.md"]);
        assert!(!o.status.success(), "an export waits: {}", out(&o));
        assert!(out(&o).contains("кампания, поле «title»"), "{}", out(&o));
    }
    // Setting the field decides it, and the decision travels.
    let o = a.run(&["campaign", "set", "title", "Общее название"]);
    assert!(o.status.success(), "{}", out(&o));
    for l in [&a, &b, &a] {
        let o = l.sync(&hub);
        assert_eq!(o.status.code(), Some(0), "{}: {}", l.name, out(&o));
    }
    for l in [&a, &b] {
        let text = std::fs::read_to_string(l.dir.join("campaign.ron")).unwrap();
        assert!(
            text.contains("Общее название") && !text.contains("conflicts"),
            "{}: {text}",
            l.name
        );
    }
}

/// A decision overridden on one laptop while the answers change on the other: both arrive,
/// and the decision shows as no longer supported by the answers (a gap, not a silent change).
#[test]
fn a_decision_on_one_laptop_and_answers_on_the_other_both_arrive() {
    let (_tmp, a, b, hub) = pair();
    a.set("Уйский", "ra_format", "remote");
    assert!(a.sync(&hub).status.success() && b.sync(&hub).status.success());
    let o = a.run(&[
        "decide",
        "--municipality",
        "Уйский",
        "--dimension",
        "regional_active",
        "--cluster",
        "1",
        "--reason",
        "решили очно",
    ]);
    assert!(o.status.success(), "{}", out(&o));
    b.set("Уйский", "ra_format", "undecided");
    assert!(a.sync(&hub).status.success());
    assert_eq!(
        b.sync(&hub).status.code(),
        Some(0),
        "different fields: no conflict"
    );
    assert!(a.sync(&hub).status.success());
    assert_eq!(a.files(), b.files());
    let text = std::fs::read_to_string(a.dir.join("municipalities/uysky-mr.ron")).unwrap();
    assert!(
        text.contains("undecided") && text.contains("решили очно"),
        "{text}"
    );
}

/// A hub where no folder can be (a file in the way, as on a medium that cannot be written)
/// is refused naming the folder; the campaign stays as it was.
#[test]
fn a_hub_that_cannot_be_made_is_named() {
    let (tmp, a, _b, _hub) = pair();
    let blocker = tmp.path().join("флешка-только-чтение");
    std::fs::write(&blocker, b"").unwrap();
    let hub = blocker.join("sobes");
    let before = (a.files(), a.head());
    let o = a.sync(&hub);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains(&hub.display().to_string()), "{}", out(&o));
    assert_eq!((a.files(), a.head()), before);
}

/// Two reviewers on two laptops rate the same municipality differently: both ratings arrive
/// on both laptops with no conflict (they are keyed by reviewer); the final decision made on
/// one laptop travels to the other.
#[test]
fn two_reviewers_on_two_laptops_never_conflict() {
    let (_tmp, a, b, hub) = pair();
    let o = a.run(&["campaign", "set", "reviewers", "Анна; Борис"]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(a.sync(&hub).status.success() && b.sync(&hub).status.success());
    let decide = |l: &Laptop, cluster: &str, reason: &str, extra: &[&str]| {
        let mut args = vec![
            "decide",
            "--municipality",
            "Уйский",
            "--dimension",
            "training",
            "--cluster",
            cluster,
            "--reason",
            reason,
        ];
        args.extend(extra);
        l.run(&args)
    };
    let o = decide(&a, "1", "сами ведут курсы", &[]);
    assert!(out(&o).contains("оценка: Анна"), "{}", out(&o));
    let o = decide(&b, "3", "нужен консалтинг", &[]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(a.sync(&hub).status.success());
    let o = b.sync(&hub);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(a.sync(&hub).status.success());
    assert_eq!(a.files(), b.files());
    let o = a.run(&["conflicts"]);
    assert!(
        o.status.success() && !out(&o).contains("Уйский"),
        "{}",
        out(&o)
    );
    let record: Record =
        ron::from_str(&std::fs::read_to_string(a.dir.join("municipalities/uysky-mr.ron")).unwrap())
            .unwrap();
    let ratings = &record.ratings["training"];
    assert_eq!(ratings["Анна"].cluster, 1);
    assert_eq!(ratings["Борис"].cluster, 3);
    assert!(record.conflicts.is_empty(), "{:?}", record.conflicts);
    assert!(!record.decisions.contains_key("training"), "no final yet");
    // The final decision: refused without a reason, taken with one, and it travels.
    let o = decide(&a, "3", "", &["--final"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("рецензенты разошлись"), "{}", out(&o));
    let o = decide(&a, "3", "консалтинг нужнее", &["--final"]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(a.sync(&hub).status.success() && b.sync(&hub).status.success());
    let record: Record =
        ron::from_str(&std::fs::read_to_string(b.dir.join("municipalities/uysky-mr.ron")).unwrap())
            .unwrap();
    assert_eq!(record.decisions["training"].cluster, 3);
    assert_eq!(record.ratings["training"].len(), 2);
}

/// The monitoring's points live in one table (`scores.ron`): points of different
/// municipalities from two laptops both arrive; one point changed differently is one
/// conflict with both values, and a new point decides it on both laptops.
#[test]
fn points_merge_point_by_point_and_a_clash_is_a_conflict() {
    let (_tmp, a, b, hub) = pair();
    let score = |l: &Laptop, m: &str, i: &str, v: &str| {
        let o = l.run(&["score", "--municipality", m, "--indicator", i, "--value", v]);
        assert!(o.status.success(), "{}", out(&o));
    };
    score(&a, "Ашинский", "1.1", "1");
    score(&a, "Уйский", "1.1", "1");
    score(&b, "Уйский", "1.2", "2");
    score(&b, "Копейский", "1.1", "0");
    assert!(a.sync(&hub).status.success());
    let o = b.sync(&hub);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(
        out(&o).contains("Ашинский") && out(&o).contains("Уйский"),
        "points that came in are named: {}",
        out(&o)
    );
    assert_eq!(a.sync(&hub).status.code(), Some(0));
    let table = |l: &Laptop| std::fs::read_to_string(l.dir.join("scores.ron")).unwrap();
    assert_eq!(table(&a), table(&b));
    let levels = b.run(&["levels", "--tsv"]);
    assert!(levels.status.success(), "{}", out(&levels));
    // Every point of both laptops is there, and the record files hold none.
    let t = table(&a);
    for (id, i, v) in [
        ("ashinsky-mr", "1.1", 1),
        ("uysky-mr", "1.1", 1),
        ("uysky-mr", "1.2", 2),
        ("kopeysky-go", "1.1", 0),
    ] {
        let row = t
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("\"{id}\"")))
            .unwrap_or_else(|| panic!("{id}: {t}"));
        assert!(row.contains(&format!("\"{i}\": {v}")), "{id} {i}: {row}");
    }
    assert!(a.files().iter().all(|(_, text)| !text.contains("scores")));

    score(&a, "Уйский", "1.2", "1");
    score(&b, "Уйский", "1.2", "0");
    assert!(a.sync(&hub).status.success());
    assert_eq!(b.sync(&hub).status.code(), Some(3));
    assert_eq!(a.sync(&hub).status.code(), Some(3), "the conflict travels");
    for l in [&a, &b] {
        let o = l.run(&["conflicts", "--tsv"]);
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        let rows: Vec<&str> = text.lines().collect();
        assert_eq!(rows.len(), 1, "{}: {text}", l.name);
        assert!(
            rows[0].starts_with("uysky-mr\tscore:1.2\t")
                && rows[0].contains("\t1\tАнна\t")
                && rows[0].contains("\t0\tБорис\t"),
            "{}: {}",
            l.name,
            rows[0]
        );
    }
    score(&b, "Уйский", "1.2", "2");
    for l in [&b, &a, &b] {
        assert_eq!(l.sync(&hub).status.code(), Some(0), "{}", l.name);
    }
    assert_eq!(table(&a), table(&b));
    assert!(!table(&a).contains("conflicts"), "{}", table(&a));
}

/// A hub used on the command line (a sync, or joining from it) is remembered for the
/// campaign, so the TUI's sync key uses it without asking.
#[test]
fn the_hub_of_a_command_line_sync_is_remembered_for_the_tui() {
    let (_tmp, a, b, hub) = pair();
    for l in [&a, &b] {
        let config = sobes::paths::Config::load(&l.home.join("config").join("config.ron")).unwrap();
        assert_eq!(config.hub(&l.dir), Some(hub.clone()), "{}", l.name);
    }
}
