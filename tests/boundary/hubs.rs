//! Joins, missing and empty hubs, two campaigns on one stick, objects kept elsewhere.

use super::*;

/// A join from a hub with a crafted branch fails and leaves nothing: no folder, no `.git`,
/// no lock file; the retry after the hub is cleaned works.
#[test]
fn a_failed_join_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (a, hub) = with_hub(root);
    let hub_repo = Repository::open_bare(&hub).unwrap();
    let own = format!("refs/heads/devices/{}", a.device());
    let tip = hub_repo.find_reference(&own).unwrap().target().unwrap();
    let tree = hub_repo.find_commit(tip).unwrap().tree_id();
    let bad = plus(
        &hub_repo,
        tree,
        entry("100644", b"../x.ron", blob(&hub_repo, b"x")),
    );
    commit_on_hub(&hub_repo, "0-evil", bad, tip);
    let c = Laptop::new(root, "c");
    let o = c.bare(&[
        "new",
        c.dir.to_str().unwrap(),
        "--from-hub",
        hub.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(!c.dir.exists(), "nothing left: {}", out(&o));
    assert!(!root.join("x.ron").exists());
    hub_repo
        .find_reference("refs/heads/devices/0-evil")
        .unwrap()
        .delete()
        .unwrap();
    let o = c.bare(&[
        "new",
        c.dir.to_str().unwrap(),
        "--from-hub",
        hub.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", out(&o));
}

/// A hub is made only when asked, inside a folder that exists; a missing hub is said in
/// Russian and nothing is created.
#[test]
fn a_missing_hub_is_said_and_never_made_silently() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (a, hub) = with_hub(root);
    let unplugged = root.join("media").join("STICK").join("sobes");
    let o = a.sync(&unplugged);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        out(&o).contains("узел синхронизации недоступен") && out(&o).contains("флешка"),
        "{}",
        out(&o)
    );
    assert!(!root.join("media").exists(), "nothing made");
    let o = a.run(&["sync", unplugged.to_str().unwrap(), "--new-hub"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!root.join("media").exists(), "not even with --new-hub");
    let empty = root.join("stick").join("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = a.sync(&empty);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("--new-hub"), "{}", out(&o));
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
    // The hub removed (the stick pulled out) after it was used.
    std::fs::rename(&hub, root.join("elsewhere")).unwrap();
    let o = a.sync(&hub);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("недоступен"), "{}", out(&o));
    assert!(!hub.exists());
}

/// Last year's campaign and this year's, from one laptop, on one stick: the second is
/// refused with both titles before anything is pushed; the first's branch stays.
#[test]
fn two_campaigns_of_one_laptop_on_one_stick() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (a, hub) = with_hub(root);
    let hub_repo = Repository::open_bare(&hub).unwrap();
    let own = format!("refs/heads/devices/{}", a.device());
    let tip = hub_repo.find_reference(&own).unwrap().target();
    let other = Laptop {
        home: a.home.clone(),
        dir: root.join("campaign-2027"),
    };
    let o = other.bare(&[
        "new",
        other.dir.to_str().unwrap(),
        "--title",
        "Собеседование 2027",
    ]);
    assert!(o.status.success(), "{}", out(&o));
    other.set("Уйский", "9");
    let o = other.sync(&hub);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        out(&o).contains("другой кампании") && out(&o).contains("Собеседование 2027"),
        "{}",
        out(&o)
    );
    assert_eq!(hub_repo.find_reference(&own).unwrap().target(), tip);
}

/// A second panel joins before anyone answered (git keeps no empty folder): its first
/// answer is saved and reaches the first laptop.
#[test]
fn a_campaign_joined_before_any_answer_can_be_written() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let a = Laptop::new(root, "a");
    assert!(a.bare(&["new", a.dir.to_str().unwrap()]).status.success());
    std::fs::create_dir(root.join("stick")).unwrap();
    let hub = root.join("stick").join("hub");
    let o = a.run(&["sync", hub.to_str().unwrap(), "--new-hub"]);
    assert!(o.status.success(), "{}", out(&o));
    let b = Laptop::new(root, "b");
    let o = b.bare(&[
        "new",
        b.dir.to_str().unwrap(),
        "--from-hub",
        hub.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", out(&o));
    b.set("Уйский", "6");
    assert!(b.sync(&hub).status.success());
    assert!(a.sync(&hub).status.success());
    let text = std::fs::read_to_string(a.dir.join("municipalities/uysky-mr.ron")).unwrap();
    assert!(text.contains("6"), "{text}");
}

/// Joining from an empty folder (a hub not made yet) fails and leaves nothing: no folder,
/// no `.git`, no lock; the retry once the hub exists works, with no «каталог не пуст».
#[test]
fn a_join_from_an_empty_hub_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("stick").join("hub")).unwrap();
    let hub = root.join("stick").join("hub");
    let c = Laptop::new(root, "c");
    let join = || {
        c.bare(&[
            "new",
            c.dir.to_str().unwrap(),
            "--from-hub",
            hub.to_str().unwrap(),
        ])
    };
    let o = join();
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(!c.dir.exists(), "{}", out(&o));
    assert_eq!(
        std::fs::read_dir(&hub).unwrap().count(),
        0,
        "the hub is not made by a join"
    );
    std::fs::remove_dir(&hub).unwrap();
    let (_a, made) = with_hub(root);
    assert_eq!(made, hub);
    let o = join();
    assert!(o.status.success(), "{}", out(&o));
}

/// A hub, or a campaign's own `.git`, that keeps its objects in another folder
/// (`objects/info/alternates`) would have libgit2 read objects nobody checked: the hub is
/// refused with nothing written or pushed; the campaign's own link is named by `check` and
/// removed by the next save.
#[test]
fn objects_kept_elsewhere_are_never_read() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (a, hub) = with_hub(root);
    let elsewhere = root.join("elsewhere-objects");
    std::fs::create_dir(&elsewhere).unwrap();
    let link = hub.join("objects/info/alternates");
    std::fs::write(&link, format!("{}\n", elsewhere.display())).unwrap();
    let before = files(&a.dir);
    let o = a.sync(&hub);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("alternates"), "{}", out(&o));
    assert_eq!(files(&a.dir), before);
    std::fs::remove_file(&link).unwrap();

    let own = a.dir.join(".git/objects/info/alternates");
    std::fs::write(&own, format!("{}\n", elsewhere.display())).unwrap();
    let check = out(&a.run(&["check"]));
    assert!(check.contains("alternates"), "{check}");
    a.set("Ашинский", "4");
    assert!(!own.exists(), "the save's writer removed the link");
}

/// A small pack may hold a blob of gigabytes: the branch that brings one is refused by the
/// object's header, before anything inflates it, and named; the sync is quick.
#[test]
fn a_packed_blob_larger_than_any_campaign_file_is_refused_unread() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (a, hub) = with_hub(root);
    let hub_repo = Repository::open_bare(&hub).unwrap();
    let own = format!("refs/heads/devices/{}", a.device());
    let tip = hub_repo.find_reference(&own).unwrap().target().unwrap();
    let tip_tree = hub_repo.find_commit(tip).unwrap().tree_id();
    let big = vec![b' '; 64 << 20];
    let id = blob(&hub_repo, &big);
    drop(big);
    let tree = record(&hub_repo, tip_tree, "ashinsky-mr.ron", "100644", id);
    let evil = commit_on_hub(&hub_repo, "evil", tree, tip);
    // Into a pack, as a push would bring it, and the loose copies gone.
    let mut builder = hub_repo.packbuilder().unwrap();
    let mut walk = hub_repo.revwalk().unwrap();
    walk.push(evil).unwrap();
    walk.hide(tip).unwrap();
    builder.insert_walk(&mut walk).unwrap();
    sobes::history::write_pack(&mut builder, &hub.join("objects").join("pack")).unwrap();
    for (loose, _) in sobes::boundary::loose_objects(&hub.join("objects")) {
        let name = loose.to_string_lossy().replace(['/', '\\'], "");
        if [id, tree, evil]
            .iter()
            .any(|o| name.ends_with(&o.to_string()[2..]))
        {
            sobes::storage::remove_file(&loose).unwrap();
        }
    }
    let started = std::time::Instant::now();
    let o = a.sync(&hub);
    let said = out(&o);
    assert_eq!(o.status.code(), Some(1), "{said}");
    // Named by its id, from its header: the boundary, which reads the file, never saw it.
    assert!(
        said.contains("evil") && said.contains(&format!("объект {id} слишком большой")),
        "{said}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}
