//! Crafted trees on the hub: every one refused before anything is written.

use super::*;

/// Each way a tree may try to write outside the campaign or bring what is not a campaign
/// file, with the words the refusal must name it by.
fn crafts() -> Vec<(&'static str, Craft)> {
    vec![
        ("../../x.ron", |r, t, _| {
            plus(r, t, entry("100644", b"../../x.ron", blob(r, b"x")))
        }),
        ("municipalities/../../x.ron", |r, t, _| {
            plus(
                r,
                t,
                entry("100644", b"municipalities/../../x.ron", blob(r, b"x")),
            )
        }),
        ("canary", |r, t, root| {
            let abs = root.join("canary").join("x");
            plus(
                r,
                t,
                entry("100644", abs.to_str().unwrap().as_bytes(), blob(r, b"x")),
            )
        }),
        (".git", |r, t, _| with_git_config(r, t, b".git")),
        (".GIT.", |r, t, _| with_git_config(r, t, b".GIT.")),
        ("символическая ссылка", |r, t, _| {
            record(r, t, "uysky-mr.ron", "120000", blob(r, b"/etc/passwd"))
        }),
        ("подмодуль", |r, t, _| {
            plus(r, t, entry("160000", b"sub", t))
        }),
        ("исполняемый", |r, t, _| {
            record(r, t, "uysky-mr.ron", "100755", blob(r, b"Record()"))
        }),
        ("run.sh", |r, t, _| {
            plus(r, t, entry("100644", b"run.sh", blob(r, b"rm -rf ~")))
        }),
        ("sub", |r, t, _| {
            let f = raw_tree(r, &[entry("100644", b"f.txt", blob(r, b"x"))]);
            let d = raw_tree(r, &[entry("40000", b"dir", f)]);
            plus(r, t, entry("40000", b"sub", d))
        }),
        ("municipalities/evil.ron", |r, t, _| {
            let text = b"Record(\n    format: 1,\n    id: \"evil\",\n)\n";
            record(r, t, "evil.ron", "100644", blob(r, text))
        }),
        ("municipalities/uysky-mr.ron", |r, t, _| {
            // A record cut off half way, as a stick pulled out leaves it.
            let tree = r.find_tree(t).unwrap();
            let records = r
                .find_tree(tree.get_name("municipalities").unwrap().id())
                .unwrap();
            let whole = r
                .find_blob(records.get_name("uysky-mr.ron").unwrap().id())
                .unwrap();
            let half = &whole.content()[..whole.content().len() / 2];
            record(r, t, "uysky-mr.ron", "100644", blob(r, half))
        }),
        ("UTF-8", |r, t, _| {
            record(r, t, "uysky-mr.ron", "100644", blob(r, b"Record(\xff\xfe)"))
        }),
        ("слишком большой", |r, t, _| {
            let big = vec![b' '; 5 * 1024 * 1024];
            let mut entries = entries_of(r, t, &["scores.ron"]);
            entries.push(entry("100644", b"scores.ron", blob(r, &big)));
            raw_tree(r, &entries)
        }),
        ("протокол", |r, t, _| {
            campaign_edited(r, t, |s| {
                s.replace("protocol_id: \"", "protocol_id: \"other-")
            })
        }),
        ("формат", |r, t, _| {
            campaign_edited(r, t, |s| s.replace("format: 1", "format: 9"))
        }),
    ]
}

/// Every crafted commit is refused before anything is written: the campaign's files byte
/// for byte as they were, nothing created around it, nothing pushed; the refusal names the
/// device's branch, the commit and the path. The next save and the next sync work, the
/// refused branch named until it is fixed.
#[test]
fn every_crafted_tree_is_refused_before_anything_is_written() {
    for (words, craft) in crafts() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir(root.join("canary")).unwrap();
        let (a, hub) = with_hub(root);
        let hub_repo = Repository::open_bare(&hub).unwrap();
        let own = format!("refs/heads/devices/{}", a.device());
        let tip = hub_repo.find_reference(&own).unwrap().target().unwrap();
        let tip_tree = hub_repo.find_commit(tip).unwrap().tree_id();
        let tree = craft(&hub_repo, tip_tree, root);
        let evil = commit_on_hub(&hub_repo, "evil", tree, tip);

        let before = (files(&a.dir), around(root, &[&a.dir, &hub]));
        let o = a.sync(&hub);
        assert_eq!(o.status.code(), Some(1), "{words}: {}", out(&o));
        let said = out(&o);
        assert!(
            said.contains("evil") && said.contains(&evil.to_string()[..12]),
            "{words}: the branch and the commit are named: {said}"
        );
        assert!(said.contains(words), "{words}: the path is named: {said}");
        assert_eq!(
            (files(&a.dir), around(root, &[&a.dir, &hub])),
            before,
            "{words}: nothing written"
        );
        assert_eq!(
            hub_repo.find_reference(&own).unwrap().target(),
            Some(tip),
            "{words}: nothing pushed"
        );
        let config = std::fs::read_to_string(a.dir.join(".git").join("config")).unwrap();
        assert!(config.contains("bare = false"), "{words}: {config}");

        // The refused branch is named, left out of the next sync, and saves go on.
        let conflicts = out(&a.run(&["conflicts"]));
        assert!(conflicts.contains("evil"), "{words}: {conflicts}");
        let check = out(&a.run(&["check"]));
        assert!(check.contains("evil"), "{words}: {check}");
        a.set("Ашинский", "5");
        let o = a.sync(&hub);
        assert_eq!(o.status.code(), Some(1), "{words}: {}", out(&o));
        assert!(out(&o).contains("пропущено"), "{words}: {}", out(&o));
        assert_ne!(
            hub_repo.find_reference(&own).unwrap().target(),
            Some(tip),
            "{words}: the honest work went out"
        );
        assert!(around(root, &[&a.dir, &hub]) == before.1, "{words}");
    }
}

/// A branch refused once is left out while the other laptops' work still comes in; once
/// the branch is fixed (moved to a commit that passes), it is taken and no longer named.
#[test]
fn other_branches_still_come_in_and_a_fixed_branch_is_taken() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (a, hub) = with_hub(root);
    let b = Laptop::new(root, "b");
    let o = b.bare(&[
        "new",
        b.dir.to_str().unwrap(),
        "--from-hub",
        hub.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", out(&o));
    b.set("Кыштымский", "4");
    assert!(b.sync(&hub).status.success());

    let hub_repo = Repository::open_bare(&hub).unwrap();
    let tip = hub_repo
        .find_reference(&format!("refs/heads/devices/{}", a.device()))
        .unwrap()
        .target()
        .unwrap();
    let tree = hub_repo.find_commit(tip).unwrap().tree_id();
    let bad = plus(
        &hub_repo,
        tree,
        entry("100644", b"run.sh", blob(&hub_repo, b"x")),
    );
    commit_on_hub(&hub_repo, "evil", bad, tip);
    assert_eq!(a.sync(&hub).status.code(), Some(1));
    assert!(
        !a.dir.join("municipalities/kyshtymsky-go.ron").exists(),
        "the first refusal takes in nothing"
    );
    let o = a.sync(&hub);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        a.dir.join("municipalities/kyshtymsky-go.ron").exists(),
        "B's answer came in past the refused branch: {}",
        out(&o)
    );
    // The branch fixed: its device pushes an honest commit over it.
    commit_on_hub(&hub_repo, "evil", tree, tip);
    let o = a.sync(&hub);
    assert!(o.status.success(), "{}", out(&o));
    assert!(!out(&a.run(&["conflicts"])).contains("evil"));
}
