//! Hubs that hang, lead elsewhere, carry broken branches, bad values or odd trees.

use super::*;

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
    let registry =
        include_str!("../../data/municipalities.ron").replace("Уйский МР", "Уйский район");
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
