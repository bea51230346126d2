//! Nothing lost, nothing silent: a file gone from the folder is a loss, never an erasure
//! (restored from the history, said once, on this laptop and never spread to the others);
//! a hub branch whose tree lacks records erases nothing; a push the hub did not take is an
//! error, never «ушло».

mod common;
use common::{Env, Laptop, hub_tip, set_args, stderr, stdout};
use git2::{ObjectType, Oid, Repository};
use std::path::{Path, PathBuf};
use std::process::Output;

fn sync(l: &Laptop, hub: &Path) -> Output {
    l.run(&["sync", hub.to_str().unwrap()])
}

/// Two laptops on one hub: Анна made both, Борис joined; each has answered.
fn pair(root: &Path) -> (Laptop, Laptop, PathBuf) {
    let a = Laptop {
        env: Env::new(),
        name: "Анна",
    };
    a.set("Агаповский", "methodists", "3");
    a.set("Уйский", "methodists", "2");
    let hub = root.join("узел");
    let o = a.run(&["sync", hub.to_str().unwrap(), "--new-hub"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let home = Env::with_default_campaign();
    let dir = home.home().join("кампания");
    let o = home.bare(&[
        "new",
        dir.to_str().unwrap(),
        "--from-hub",
        hub.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let b = Laptop {
        env: Env {
            home: home.home,
            dir,
        },
        name: "Борис",
    };
    (a, b, hub)
}

#[test]
fn a_record_deleted_by_hand_comes_back_and_is_erased_nowhere() {
    let root = tempfile::tempdir().unwrap();
    let (a, b, hub) = pair(root.path());
    let before = std::fs::read_to_string(a.record("agapovsky-mr")).unwrap();
    std::fs::remove_file(a.record("agapovsky-mr")).unwrap();
    // The next write on another municipality puts it back and says so.
    let o = a.set("Ашинский", "methodists", "1");
    assert!(
        stderr(&o).contains("agapovsky-mr.ron") && stderr(&o).contains("восстановлен из истории"),
        "said once: {}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(a.record("agapovsky-mr")).unwrap(),
        before
    );
    // Said once: the next write has nothing to say.
    let o = a.set("Ашинский", "methodists", "2");
    assert!(!stderr(&o).contains("восстановлен"), "{}", stderr(&o));
    // Deleted again, and the first thing is a sync: it comes back before anything goes out.
    std::fs::remove_file(a.record("agapovsky-mr")).unwrap();
    let o = sync(&a, &hub);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("восстановлен из истории"),
        "{}",
        stderr(&o)
    );
    let o = sync(&b, &hub);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        std::fs::read_to_string(b.record("agapovsky-mr")).unwrap(),
        before,
        "the other laptop keeps the answers"
    );
    // A record deleted and then answered on the same municipality: the old answers stay.
    std::fs::remove_file(b.record("agapovsky-mr")).unwrap();
    b.set("Агаповский", "org_form", "center");
    let text = std::fs::read_to_string(b.record("agapovsky-mr")).unwrap();
    assert!(
        text.contains("Number(3)") && text.contains("center"),
        "{text}"
    );
    let o = b.run(&["check"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}

/// The tree of `tip` without its records' folder, committed on the hub as device `who`.
fn without_records(hub: &Repository, who: &str, tip: Oid) -> Oid {
    let tree = hub.find_commit(tip).unwrap().tree().unwrap();
    let mut b = hub.treebuilder(Some(&tree)).unwrap();
    b.remove("municipalities").unwrap();
    let tree = b.write().unwrap();
    let text = format!(
        "tree {tree}\nparent {tip}\nauthor Кто-то <x@sobes> 1760000000 +0500\ncommitter Кто-то <x@sobes> 1760000000 +0500\n\nбез записей\n"
    );
    let id = hub
        .odb()
        .unwrap()
        .write(ObjectType::Commit, text.as_bytes())
        .unwrap();
    hub.reference(&format!("refs/heads/devices/{who}"), id, true, "test")
        .unwrap();
    id
}

#[test]
fn a_hub_branch_without_records_erases_nothing() {
    let root = tempfile::tempdir().unwrap();
    let (a, b, hub) = pair(root.path());
    let hub_repo = Repository::open_bare(&hub).unwrap();
    let tip = hub_tip(&hub_repo);
    without_records(&hub_repo, "0-pusto", tip);
    let before = (
        std::fs::read_to_string(b.record("agapovsky-mr")).unwrap(),
        std::fs::read_to_string(b.record("uysky-mr")).unwrap(),
    );
    let o = sync(&b, &hub);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(
        !stdout(&o).contains("Агаповский"),
        "nothing came in: {}",
        stdout(&o)
    );
    let after = (
        std::fs::read_to_string(b.record("agapovsky-mr")).unwrap(),
        std::fs::read_to_string(b.record("uysky-mr")).unwrap(),
    );
    assert_eq!(after, before);
    // The history holds them too, and the next laptop to sync keeps its own.
    let repo = Repository::open(&b.env.dir).unwrap();
    let head = repo.head().unwrap().peel_to_tree().unwrap();
    assert!(
        head.get_path(Path::new("municipalities/agapovsky-mr.ron"))
            .is_ok()
    );
    let o = sync(&a, &hub);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(a.record("agapovsky-mr").exists() && a.record("uysky-mr").exists());
}

#[test]
fn a_push_the_hub_did_not_take_is_an_error() {
    let root = tempfile::tempdir().unwrap();
    let (a, _b, hub) = pair(root.path());
    a.set("Ашинский", "methodists", "4");
    // The branch cannot be written: a folder stands where the branch's file would be.
    let device = {
        let repo = Repository::open(&a.env.dir).unwrap();
        let head = repo.head().unwrap().peel_to_commit().unwrap();
        head.committer()
            .email()
            .unwrap()
            .trim_end_matches("@sobes")
            .to_string()
    };
    let branch = hub.join("refs/heads/devices").join(&device);
    std::fs::remove_file(&branch).expect("the laptop's branch on the hub");
    std::fs::create_dir_all(&branch).unwrap();
    std::fs::write(branch.join("чужое"), "x").unwrap();
    let o = sync(&a, &hub);
    assert_ne!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("на узел не отправлено"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    assert!(!stdout(&o).contains("ушло"), "{}", stdout(&o));
}

/// Runs `args` on the laptop's campaign, killed after a minute: a hang is a failure, not a
/// test that never ends.
fn limited(l: &Laptop, what: &str, args: &[&str]) -> Output {
    let mut child = l
        .env
        .command()
        .arg("--campaign")
        .arg(&l.env.dir)
        .arg("--as")
        .arg(l.name)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what}: {args:?} hung");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// A hub that would make libgit2 read elsewhere, or read for ever, is refused by name and
/// nothing waits: a `.git` folder inside it, a `commondir`, a configuration that includes
/// another file, and (on Unix) a FIFO as its identity file, a loose object that is a link to
/// /dev/zero.
#[test]
fn a_hub_that_would_hang_or_lead_elsewhere_is_refused_at_once() {
    let root = tempfile::tempdir().unwrap();
    let (a, _b, hub) = pair(root.path());
    a.set("Ашинский", "methodists", "4");
    let before = std::fs::read_to_string(a.record("ashinsky-mr")).unwrap();
    type Damage = Box<dyn Fn(&Path)>;
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut damages: Vec<(&str, Damage, Damage)> = vec![
        (
            "«.git»",
            Box::new(|h: &Path| std::fs::create_dir(h.join(".git")).unwrap()),
            Box::new(|h: &Path| std::fs::remove_dir(h.join(".git")).unwrap()),
        ),
        (
            "«commondir»",
            Box::new(|h: &Path| std::fs::write(h.join("commondir"), "../elsewhere\n").unwrap()),
            Box::new(|h: &Path| std::fs::remove_file(h.join("commondir")).unwrap()),
        ),
        (
            "include",
            Box::new(|h: &Path| {
                let mut c = std::fs::read_to_string(h.join("config")).unwrap();
                c.push_str("[include]\n\tpath = /dev/zero\n");
                std::fs::write(h.join("config"), c).unwrap();
            }),
            Box::new(|h: &Path| {
                let c = std::fs::read_to_string(h.join("config")).unwrap();
                let c = c.replace("[include]\n\tpath = /dev/zero\n", "");
                std::fs::write(h.join("config"), c).unwrap();
            }),
        ),
    ];
    #[cfg(unix)]
    {
        damages.push((
            "sobes-campaign",
            Box::new(|h: &Path| {
                let f = h.join("sobes-campaign");
                std::fs::rename(&f, h.join("kept")).unwrap();
                let c = std::ffi::CString::new(f.to_str().unwrap()).unwrap();
                // SAFETY: a valid NUL-terminated path.
                assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            }),
            Box::new(|h: &Path| {
                std::fs::remove_file(h.join("sobes-campaign")).unwrap();
                std::fs::rename(h.join("kept"), h.join("sobes-campaign")).unwrap();
            }),
        ));
        damages.push((
            "ссылка",
            Box::new(|h: &Path| {
                let d = h.join("objects").join("ab");
                std::fs::create_dir_all(&d).unwrap();
                std::os::unix::fs::symlink("/dev/zero", d.join("c".repeat(38))).unwrap();
            }),
            Box::new(|h: &Path| std::fs::remove_dir_all(h.join("objects").join("ab")).unwrap()),
        ));
    }
    for (what, damage, undo) in &damages {
        damage(&hub);
        let o = limited(&a, what, &["sync", hub.to_str().unwrap()]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{what}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        assert!(!stdout(&o).contains("ушло"), "{what}: {}", stdout(&o));
        assert_eq!(
            std::fs::read_to_string(a.record("ashinsky-mr")).unwrap(),
            before,
            "{what}"
        );
        undo(&hub);
    }
    let o = limited(&a, "undone", &["sync", hub.to_str().unwrap()]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}

/// A branch on the hub that is no history (pointing at a blob, or at a commit whose parent
/// is missing) is named and left out: the others' work still comes in, at the latest on the
/// next sync, and a new laptop still joins.
#[test]
fn a_broken_branch_is_named_and_never_blocks_the_others() {
    let root = tempfile::tempdir().unwrap();
    let (a, b, hub) = pair(root.path());
    let hub_repo = Repository::open_bare(&hub).unwrap();
    let blob = hub_repo.blob(b"not a commit").unwrap();
    hub_repo
        .reference("refs/heads/devices/0-blob", blob, true, "test")
        .unwrap();
    let tree = hub_repo
        .find_commit(
            hub_repo
                .references_glob("refs/heads/devices/*")
                .unwrap()
                .flatten()
                .filter_map(|r| r.target())
                .find(|t| hub_repo.find_commit(*t).is_ok())
                .unwrap(),
        )
        .unwrap()
        .tree_id();
    let missing = Oid::from_str("1234567890123456789012345678901234567890").unwrap();
    let text = format!(
        "tree {tree}\nparent {missing}\nauthor Кто-то <x@sobes> 1760000000 +0500\ncommitter Кто-то <x@sobes> 1760000000 +0500\n\nбез родителя\n"
    );
    let orphan = hub_repo
        .odb()
        .unwrap()
        .write(ObjectType::Commit, text.as_bytes())
        .unwrap();
    hub_repo
        .reference("refs/heads/devices/0-orphan", orphan, true, "test")
        .unwrap();
    a.set("Ашинский", "methodists", "4");
    let o = limited(&a, "a", &["sync", hub.to_str().unwrap()]);
    let said = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        said.contains("0-blob") && said.contains("0-orphan"),
        "named: {said}"
    );
    // The next syncs leave them out and carry the rest.
    let o = limited(&a, "a again", &["sync", hub.to_str().unwrap()]);
    assert!(
        stdout(&o).contains("пропущено"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    let _ = limited(&b, "b", &["sync", hub.to_str().unwrap()]);
    let o = limited(&b, "b again", &["sync", hub.to_str().unwrap()]);
    assert!(
        stdout(&o).contains("пропущено"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    let text = std::fs::read_to_string(b.record("ashinsky-mr")).unwrap();
    assert!(text.contains("Number(4)"), "Анна's work came in: {text}");
    let o = b.run(&["conflicts"]);
    assert!(stdout(&o).contains("0-blob"), "{}", stdout(&o));
    // A new laptop joins while the broken branches are there: they are named, not a wall.
    let home = Env::with_default_campaign();
    let dir = home.home().join("третий");
    let o = home.bare(&[
        "new",
        dir.to_str().unwrap(),
        "--from-hub",
        hub.to_str().unwrap(),
    ]);
    let said = format!("{}{}", stdout(&o), stderr(&o));
    assert!(dir.join("campaign.ron").exists(), "joined: {said}");
    assert!(
        said.contains("0-blob") && said.contains("0-orphan"),
        "named: {said}"
    );
    let text = std::fs::read_to_string(dir.join("municipalities/ashinsky-mr.ron")).unwrap();
    assert!(text.contains("Number(4)"), "{text}");
}

/// A record from the hub passes the checks a typed change passes: a cluster that does not
/// exist, a number out of the question's range, a note longer than one may type, each is
/// refused naming the branch and the file, and nothing is written.
#[test]
fn values_from_a_hub_pass_the_checks_typed_ones_pass() {
    let root = tempfile::tempdir().unwrap();
    let (_a, b, hub) = pair(root.path());
    let hub_repo = Repository::open_bare(&hub).unwrap();
    let tip = hub_tip(&hub_repo);
    let long = "ы".repeat(20_001);
    let bad = [
        "decisions: {\"training\": Decision(cluster: 200, by: \"Х\", at: \"2026-09-14T10:00:00Z\")},".to_string(),
        "answers: {\"methodists\": Answer(value: Some(Number(-9223372036854775808)), by: \"Х\", at: \"2026-09-14T10:00:00Z\")},".to_string(),
        format!("answers: {{\"methodists\": Answer(note: Some(\"{long}\"), by: \"Х\", at: \"2026-09-14T10:00:00Z\")}},"),
    ];
    for (n, field) in bad.iter().enumerate() {
        let text = format!("Record(\n    format: 1,\n    id: \"uysky-mr\",\n    {field}\n)\n");
        let commit = hub_repo.find_commit(tip).unwrap();
        let tree = commit.tree().unwrap();
        let records = tree.get_name("municipalities").unwrap().id();
        let mut inner = hub_repo
            .treebuilder(Some(&hub_repo.find_tree(records).unwrap()))
            .unwrap();
        inner
            .insert(
                "uysky-mr.ron",
                hub_repo.blob(text.as_bytes()).unwrap(),
                0o100644,
            )
            .unwrap();
        let inner = inner.write().unwrap();
        let mut outer = hub_repo.treebuilder(Some(&tree)).unwrap();
        outer.insert("municipalities", inner, 0o040000).unwrap();
        let tree = hub_repo.find_tree(outer.write().unwrap()).unwrap();
        let sig = git2::Signature::now("Х", "x@sobes").unwrap();
        let bad_commit = hub_repo
            .commit(None, &sig, &sig, "подброшено", &tree, &[&commit])
            .unwrap();
        let device = format!("0-bad{n}");
        hub_repo
            .reference(
                &format!("refs/heads/devices/{device}"),
                bad_commit,
                true,
                "test",
            )
            .unwrap();
        let before = std::fs::read_to_string(b.record("uysky-mr")).unwrap();
        let o = limited(&b, &device, &["sync", hub.to_str().unwrap()]);
        let said = format!("{}{}", stdout(&o), stderr(&o));
        assert_eq!(o.status.code(), Some(1), "{field}: {said}");
        assert!(
            said.contains(&device) && said.contains("municipalities/uysky-mr.ron"),
            "{field}: {said}"
        );
        assert_eq!(
            std::fs::read_to_string(b.record("uysky-mr")).unwrap(),
            before
        );
        hub_repo
            .find_reference(&format!("refs/heads/devices/{device}"))
            .unwrap()
            .delete()
            .unwrap();
    }
}

/// The commit of `tree` on top of `parent`, on the hub as device `who`.
fn on_hub(hub: &Repository, who: &str, tree: Oid, parent: Oid) {
    let sig = git2::Signature::now("Х", "x@sobes").unwrap();
    let tree = hub.find_tree(tree).unwrap();
    let parent = hub.find_commit(parent).unwrap();
    let c = hub
        .commit(None, &sig, &sig, "подброшено", &tree, &[&parent])
        .unwrap();
    hub.reference(&format!("refs/heads/devices/{who}"), c, true, "test")
        .unwrap();
}

/// Trees git would never write (entries twice or out of order, folders nested a hundred
/// deep) are refused and never enter the history; a cut entry of the fetched-branches cache
/// is dropped and fetched again instead of failing every sync.
#[test]
fn trees_git_would_not_write_and_a_cut_cache_entry() {
    let root = tempfile::tempdir().unwrap();
    let (a, b, hub) = pair(root.path());
    let hub_repo = Repository::open_bare(&hub).unwrap();
    let tip = hub_tip(&hub_repo);
    let tree = hub_repo.find_commit(tip).unwrap().tree().unwrap();
    // Two entries named alike, written raw: treebuilder would refuse.
    let meta = tree.get_name("campaign.ron").unwrap().id();
    let mut raw = Vec::new();
    for _ in 0..2 {
        raw.extend_from_slice(b"100644 campaign.ron\0");
        raw.extend_from_slice(meta.as_bytes());
    }
    let twice = hub_repo
        .odb()
        .unwrap()
        .write(ObjectType::Tree, &raw)
        .unwrap();
    on_hub(&hub_repo, "0-twice", twice, tip);
    let mut deep = hub_repo.treebuilder(None).unwrap().write().unwrap();
    for _ in 0..100 {
        let mut b = hub_repo.treebuilder(None).unwrap();
        b.insert("x", deep, 0o040000).unwrap();
        deep = b.write().unwrap();
    }
    let mut top = hub_repo.treebuilder(Some(&tree)).unwrap();
    top.insert("deep", deep, 0o040000).unwrap();
    let deep = top.write().unwrap();
    on_hub(&hub_repo, "0-deep", deep, tip);
    let o = limited(&b, "b", &["sync", hub.to_str().unwrap()]);
    let said = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        said.contains("0-twice") && said.contains("0-deep"),
        "{said}"
    );
    // Neither tree entered the history.
    let repo = Repository::open(&b.env.dir).unwrap();
    let head = repo.head().unwrap().peel_to_tree().unwrap();
    assert_ne!(head.id(), twice);
    assert!(head.get_name("deep").is_none());

    // A cut entry of the cache.
    let cache = b.env.dir.join(".git/refs/hub");
    let entry = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    std::fs::write(&entry, "12ab").unwrap();
    a.set("Ашинский", "methodists", "4");
    // Анна meets the bad branches first (named, the sync stopped), then sends past them.
    let _ = limited(&a, "a", &["sync", hub.to_str().unwrap()]);
    let o = limited(&a, "a again", &["sync", hub.to_str().unwrap()]);
    assert!(stdout(&o).contains("ушло"), "{}{}", stdout(&o), stderr(&o));
    let o = limited(&b, "b again", &["sync", hub.to_str().unwrap()]);
    assert!(
        stdout(&o).contains("пришло"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    let text = std::fs::read_to_string(b.record("ashinsky-mr")).unwrap();
    assert!(text.contains("Number(4)"), "{text}");
}

/// A registry that arrives from the hub (renaming municipalities, dropping others) is not
/// taken silently: the branch is refused naming the file, and nothing here changes.
#[test]
fn data_files_from_a_hub_are_not_taken_silently() {
    let root = tempfile::tempdir().unwrap();
    let (_a, b, hub) = pair(root.path());
    let hub_repo = Repository::open_bare(&hub).unwrap();
    let tip = hub_tip(&hub_repo);
    let tree = hub_repo.find_commit(tip).unwrap().tree().unwrap();
    let registry = include_str!("../data/municipalities.ron").replace("Уйский МР", "Уйский район");
    let mut t = hub_repo.treebuilder(Some(&tree)).unwrap();
    t.insert(
        "registry.ron",
        hub_repo.blob(registry.as_bytes()).unwrap(),
        0o100644,
    )
    .unwrap();
    let tree = t.write().unwrap();
    on_hub(&hub_repo, "0-registry", tree, tip);
    let before = b.env.dir.join("registry.ron").exists();
    let o = limited(&b, "b", &["sync", hub.to_str().unwrap()]);
    let said = format!("{}{}", stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(1), "{said}");
    assert!(
        said.contains("0-registry") && said.contains("registry.ron"),
        "{said}"
    );
    assert_eq!(b.env.dir.join("registry.ron").exists(), before);
}

/// campaign.ron deleted by hand comes back from the history at the next write, with the
/// campaign's id and facts.
#[test]
fn a_lost_campaign_file_comes_back_too() {
    let root = tempfile::tempdir().unwrap();
    let (a, _b, _hub) = pair(root.path());
    let meta = a.env.dir.join("campaign.ron");
    let before = std::fs::read_to_string(&meta).unwrap();
    std::fs::remove_file(&meta).unwrap();
    let o = a.set("Ашинский", "methodists", "1");
    assert!(stderr(&o).contains("campaign.ron"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&meta).unwrap(), before);
}

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
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stderr(&o).contains(&file.display().to_string()) && stderr(&o).contains("sobes repair"),
            "{}",
            stderr(&o)
        );
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
