//! A file gone from the folder or from a hub branch is a loss, never an erasure.

use super::*;

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
