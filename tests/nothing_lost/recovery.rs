//! Damaged files and histories and power cuts: what comes back and what is never lost.

use super::*;
use crate::common::refused;

/// A sync stopped (Esc on the screen, or its deadline) before it merges anything leaves
/// the campaign and the hub as they were; asked to stop once merging began, it ends whole.
#[test]
fn a_sync_stops_with_nothing_changed_until_it_merges() {
    use sobes::sync::{Hub, Step, SyncError, Watch, sync_with};
    use std::sync::atomic::{AtomicBool, Ordering};
    let root = tempfile::tempdir().unwrap();
    let (a, b, hub) = pair(root.path());
    a.set("Ашинский", "methodists", "5");
    assert!(sync(&a, &hub).status.success());
    let data = sobes::data::DataSet::load(&Default::default(), Some(&b.env.dir)).unwrap();
    let history = sobes::history::History::open(&b.env.dir, "ноутбук-б").unwrap();
    let target = Hub {
        folder: &hub,
        create: false,
    };
    let (campaign, hub_refs) = (
        common::snapshot(&b.env.dir.join("municipalities")),
        common::snapshot(&hub.join("refs")),
    );
    for stop_at in [Step::Committing, Step::Fetching, Step::Checking] {
        let flag = AtomicBool::new(false);
        let mut said = |s: &Step| {
            if std::mem::discriminant(s) == std::mem::discriminant(&stop_at) {
                flag.store(true, Ordering::Relaxed);
            }
        };
        let mut watch = Watch::new(&mut said).cancelled_by(&flag);
        let r = sync_with(&history, &b.env.dir, &target, &data, &mut watch);
        assert!(
            matches!(&r, Err(SyncError::Stopped { message, .. }) if message.contains("отменена") && message.contains("кампания не изменена")),
            "{stop_at:?}: {r:?}"
        );
        assert_eq!(
            common::snapshot(&b.env.dir.join("municipalities")),
            campaign
        );
        assert_eq!(common::snapshot(&hub.join("refs")), hub_refs);
    }
    // Past its deadline: the same, in other words.
    let mut quiet = |_: &Step| {};
    let mut watch = Watch::new(&mut quiet).within(std::time::Duration::ZERO);
    let r = sync_with(&history, &b.env.dir, &target, &data, &mut watch);
    assert!(
        matches!(&r, Err(SyncError::Stopped { message, .. }) if message.contains("дольше")),
        "{r:?}"
    );
    assert_eq!(
        common::snapshot(&b.env.dir.join("municipalities")),
        campaign
    );
    // Asked to stop while merging: too late, the sync ends and what came is in.
    let flag = AtomicBool::new(false);
    let mut said = |s: &Step| {
        if matches!(s, Step::Merging { .. }) {
            flag.store(true, Ordering::Relaxed);
        }
    };
    let mut watch = Watch::new(&mut said).cancelled_by(&flag);
    let report = sync_with(&history, &b.env.dir, &target, &data, &mut watch).unwrap();
    assert!(report.came_in.contains_key("ashinsky-mr"), "{report:?}");
    assert!(flag.load(Ordering::Relaxed));
}

/// A campaign file cut by a power cut, emptied or zeroed closes nothing: a reader names it
/// and says the history holds it; the next write (an answer, a sync, `repair`; the TUI
/// at its start) puts the last saved version back, keeps the damaged file beside and says so once;
/// every saved answer is there.
#[test]
fn a_cut_emptied_or_zeroed_file_comes_back_from_the_history() {
    let a = Laptop {
        env: Env::new(),
        name: "Анна",
    };
    a.set("Агаповский", "methodists", "3");
    let o = a.run(&[
        "score",
        "--municipality",
        "Уйский",
        "--indicator",
        "1.1",
        "--value",
        "1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = [
        a.record("agapovsky-mr"),
        a.env.dir.join("campaign.ron"),
        a.env.dir.join("scores.ron"),
    ];
    type Cut = fn(&[u8]) -> Vec<u8>;
    let cuts: [Cut; 3] = [
        |b| b[..b.len() / 2].to_vec(),
        |_| Vec::new(),
        |b| vec![0; b.len()],
    ];
    let hub = a.env.home().join("узел");
    let writers: [&[&str]; 3] = [
        &[
            "set",
            "--municipality",
            "Ашинский",
            "--question",
            "methodists",
            "--value",
            "2",
        ],
        &["sync", hub.to_str().unwrap(), "--new-hub"],
        &["repair"],
    ];
    for (n, file) in files.iter().enumerate() {
        let good = std::fs::read(file).unwrap();
        let cut = cuts[n % 3](&good);
        std::fs::write(file, &cut).unwrap();
        let o = a.run(&["status"]);
        refused(&o, &file.display().to_string());
        refused(&o, "sobes repair");
        assert_eq!(std::fs::read(file).unwrap(), cut, "a reader writes nothing");
        let o = a.run(writers[n]);
        let said = format!("{}{}", stdout(&o), stderr(&o));
        assert!(
            said.contains("файл повреждён") && said.contains("восстановлен из истории"),
            "{file:?}: {said}"
        );
        assert_eq!(std::fs::read(file).unwrap(), good, "{file:?}");
        let kept: Vec<_> = std::fs::read_dir(file.parent().unwrap())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".damaged-"))
            .collect();
        assert_eq!(kept.len(), 1, "{file:?}: the damaged file kept beside");
        assert_eq!(std::fs::read(kept[0].path()).unwrap(), cut);
        std::fs::remove_file(kept[0].path()).unwrap();
        let o = a.run(&["check"]);
        assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
        assert!(
            !stderr(&a.run(&["status"])).contains("восстановлен"),
            "said once"
        );
    }
    let c = a.env.load();
    assert_eq!(
        c.records["agapovsky-mr"].answers.value("methodists"),
        Some(&sobes::model::campaign::Value::Number(3))
    );
}

/// Damage a power cut or a bad stick leaves in `.git` never cuts a laptop off: a commit
/// already pushed cut short, a pack cut short, a fetched branch garbled. `check` names what
/// a sync would trip on; the next write or sync repairs the history, brings back from the
/// hub what it had pushed, and syncs; git finds the history whole.
#[test]
fn a_damaged_history_syncs_again_without_anyone_touching_git() {
    let root = tempfile::tempdir().unwrap();
    let (a, b, hub) = pair(root.path());
    b.set("Кусинский", "methodists", "1");
    assert!(sync(&b, &hub).status.success());
    assert!(sync(&a, &hub).status.success());
    let cut = |file: &Path| {
        let bytes = std::fs::read(file).unwrap();
        let mut perms = std::fs::metadata(file).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(file, perms).unwrap();
        std::fs::write(file, &bytes[..bytes.len() / 2]).unwrap();
    };
    // A commit of Анна's already on the hub, not her last.
    let repo = Repository::open(&a.env.dir).unwrap();
    let head = repo.head().unwrap().target().unwrap();
    let odb = repo.odb().unwrap();
    let mut pushed = None;
    odb.foreach(|id| {
        let loose = a
            .env
            .dir
            .join(".git/objects")
            .join(&id.to_string()[..2])
            .join(&id.to_string()[2..]);
        if *id != head
            && loose.exists()
            && odb
                .read_header(*id)
                .is_ok_and(|(_, k)| k == ObjectType::Commit)
        {
            pushed = Some(loose);
        }
        true
    })
    .unwrap();
    drop(odb);
    drop(repo);
    cut(&pushed.expect("a loose commit"));
    // Борис's pack (what his joins and syncs fetched), and a branch fetched from the hub.
    let packs: Vec<PathBuf> = std::fs::read_dir(b.env.dir.join(".git/objects/pack"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pack"))
        .collect();
    cut(&packs[0]);
    let fetched = std::fs::read_dir(b.env.dir.join(".git/refs/hub"))
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    std::fs::write(&fetched, "не ссылка\n").unwrap();
    for l in [&a, &b] {
        let o = l.run(&["check"]);
        assert!(
            !o.status.success() && stdout(&o).contains("повреждён"),
            "{}: {}{}",
            l.name,
            stdout(&o),
            stderr(&o)
        );
    }
    // Анна answers first, then syncs; Борис syncs straight away.
    a.set("Уйский", "methodists", "5");
    for l in [&a, &b, &a] {
        let o = sync(l, &hub);
        assert!(
            o.status.success(),
            "{}: {}{}",
            l.name,
            stdout(&o),
            stderr(&o)
        );
    }
    for l in [&a, &b] {
        let o = l.run(&["check"]);
        assert!(
            o.status.success(),
            "{}: {}{}",
            l.name,
            stdout(&o),
            stderr(&o)
        );
        common::assert_fsck(&l.env.dir);
        let c = l.env.load();
        let n = |id: &str| c.records[id].answers.value("methodists").cloned();
        use sobes::model::campaign::Value::Number;
        assert_eq!(
            (n("uysky-mr"), n("kusinsky-mr"), n("agapovsky-mr")),
            (Some(Number(5)), Some(Number(1)), Some(Number(3))),
            "{}",
            l.name
        );
    }
    // What Анна had pushed before the damage is in her history again.
    let repo = Repository::open(&a.env.dir).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.push_head().unwrap();
    assert!(walk.count() > 5);
}

/// Copies the folder `from` to `to`, whole.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A power cut at any moment of a working session: every file a session of answers, a
/// decision and a sync changed is, one at a time on a copy, cut to nothing, cut in half, or
/// zeroed. Afterwards the campaign takes an answer, every answer saved before is there, and
/// the next sync succeeds.
#[test]
fn a_power_cut_on_any_file_of_a_session_loses_no_answer() {
    let root = tempfile::tempdir().unwrap();
    let (a, _b, hub) = pair(root.path());
    let before = common::snapshot(&a.env.dir);
    a.set("Уйский", "methodists", "5");
    a.set("Кусинский", "methodists", "1");
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
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(sync(&a, &hub).status.success());
    let after = common::snapshot(&a.env.dir);
    let changed: Vec<PathBuf> = after
        .iter()
        .filter(|f| !before.contains(f))
        .map(|(p, _)| p.strip_prefix(&a.env.dir).unwrap().to_path_buf())
        .filter(|p| !p.starts_with("sobes.lock") && !p.to_string_lossy().ends_with(".holder"))
        .collect();
    assert!(changed.len() > 5, "{changed:?}");
    type Cut = fn(&[u8]) -> Vec<u8>;
    let cuts: [(&str, Cut); 3] = [
        ("to nothing", |_| Vec::new()),
        ("in half", |b| b[..b.len() / 2].to_vec()),
        ("zeroed", |b| vec![0; b.len()]),
    ];
    let answers = |l: &Laptop| {
        let c = l.env.load();
        let n = |id: &str| c.records[id].answers.value("methodists").cloned();
        let d = c.records["uysky-mr"]
            .decisions
            .get("regional_active")
            .map(|d| d.cluster);
        (n("uysky-mr"), n("kusinsky-mr"), n("agapovsky-mr"), d)
    };
    let saved = answers(&a);
    for (n, file) in changed.iter().enumerate() {
        // Under Wine each run of the binary costs a second: there one cut per file, in turn.
        let cuts: Vec<&(&str, Cut)> = if cfg!(windows) {
            vec![&cuts[n % cuts.len()]]
        } else {
            cuts.iter().collect()
        };
        for (how, cut) in cuts {
            let at = root.path().join("копия");
            let _ = sobes::storage::remove_tree(&at);
            copy_tree(&a.env.dir, &at.join("кампания"));
            copy_tree(&hub, &at.join("узел"));
            let copy = Laptop {
                env: Env {
                    home: tempfile::tempdir_in(root.path()).unwrap(),
                    dir: at.join("кампания"),
                },
                name: "Анна",
            };
            copy_tree(
                &a.env.home().join("config"),
                &copy.env.home().join("config"),
            );
            let target = copy.env.dir.join(file);
            let bytes = std::fs::read(&target).unwrap();
            let mut perms = std::fs::metadata(&target).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&target, perms).unwrap();
            std::fs::write(&target, cut(&bytes)).unwrap();
            let o = copy.run(&set_args("Ашинский", "methodists", "2")[2..]);
            let case = format!("{} {how}", file.display());
            assert!(o.status.success(), "{case}: {}", stderr(&o));
            assert_eq!(answers(&copy), saved, "{case}");
            let o = sync(&copy, &at.join("узел"));
            assert!(o.status.success(), "{case}: {}{}", stdout(&o), stderr(&o));
            assert_eq!(answers(&copy), saved, "{case}");
        }
    }
}
