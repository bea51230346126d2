//! Every saved change is a commit in the campaign's own history (libgit2, no git program):
//! author the reviewer with the device, the change in Russian and in RON; what a killed
//! writer left is committed next time; an older campaign is put under history as it is.

use crate::common;
use common::{Env, stderr};
use git2::Repository;

/// (author name, author email, message) of every commit, newest first.
fn log(dir: &std::path::Path) -> Vec<(String, String, String)> {
    let repo = Repository::open(dir).expect("the campaign has a history");
    let mut walk = repo.revwalk().unwrap();
    walk.push_head().unwrap();
    walk.map(|oid| {
        let c = repo.find_commit(oid.unwrap()).unwrap();
        let a = c.author();
        (
            a.name().unwrap_or("").to_string(),
            a.email().unwrap_or("").to_string(),
            c.message().unwrap_or("").to_string(),
        )
    })
    .collect()
}

#[test]
fn every_saved_change_is_a_commit_that_says_what_changed() {
    let env = Env::new();
    // No git program needed: nothing on PATH.
    let set = |value: &str| {
        env.command()
            .env("PATH", "")
            .args([
                "--campaign",
                env.dir.to_str().unwrap(),
                "--as",
                "Анна",
                "set",
            ])
            .args([
                "--municipality",
                "Уйский",
                "--question",
                "methodists",
                "--value",
                value,
            ])
            .output()
            .unwrap()
    };
    let o = set("3");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(set("4").status.success());
    let log = log(&env.dir);
    assert_eq!(log.len(), 3, "{log:?}");
    let (name, email, message) = &log[0];
    assert_eq!(name, "Анна");
    assert!(
        email.ends_with("@sobes") && email.len() > 7,
        "the device: {email}"
    );
    assert!(
        message.starts_with("Уйский МР: «Сколько человек выполняют работу методистов?» = 4"),
        "{message}"
    );
    assert!(
        message.contains("before: Some(Number(3))") && message.contains("after: Some(Number(4))"),
        "{message}"
    );
    assert!(
        log[2].2.starts_with("Кампания поставлена под историю"),
        "{}",
        log[2].2
    );
    // The same device on every commit of this computer.
    assert_eq!(log[1].1, *email);
}

#[test]
fn a_change_written_but_not_committed_is_committed_next_time() {
    let env = Env::new();
    assert!(env.set("Уйский", "methodists", "3").status.success());
    // A writer killed after its rename and before its commit: the file is there, the commit
    // is not. A stale git lock file from a killed commit is there too.
    let file = env.record_file("uysky-mr");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Number(3)", "Number(7)");
    std::fs::write(&file, text).unwrap();
    std::fs::write(env.dir.join(".git/index.lock"), b"").unwrap();
    let o = env.set("Ашинский", "methodists", "2");
    assert!(o.status.success(), "{}", stderr(&o));
    let log = log(&env.dir);
    assert!(log[0].2.starts_with("Ашинский МР:"), "{}", log[0].2);
    assert!(
        log[1]
            .2
            .starts_with("Изменения без записи в истории: municipalities/uysky-mr.ron"),
        "{}",
        log[1].2
    );
}

#[test]
fn a_campaign_without_history_gets_one_keeping_its_files() {
    let env = Env::new();
    assert!(env.set("Уйский", "methodists", "3").status.success());
    // As an older sobes left it: no history at all.
    sobes::storage::remove_tree(&env.dir.join(".git")).unwrap();
    let before = std::fs::read_to_string(env.record_file("uysky-mr")).unwrap();
    assert!(env.set("Ашинский", "methodists", "2").status.success());
    let log = log(&env.dir);
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log[1].2.starts_with("Кампания поставлена под историю"));
    let repo = Repository::open(&env.dir).unwrap();
    let first = repo
        .find_commit(
            repo.head()
                .unwrap()
                .peel_to_commit()
                .unwrap()
                .parent_id(0)
                .unwrap(),
        )
        .unwrap();
    let blob = first
        .tree()
        .unwrap()
        .get_path(std::path::Path::new("municipalities/uysky-mr.ron"))
        .unwrap()
        .to_object(&repo)
        .unwrap()
        .peel_to_blob()
        .unwrap();
    assert_eq!(
        std::str::from_utf8(blob.content()).unwrap(),
        before,
        "the file as it was"
    );
}

#[test]
fn check_names_a_file_the_history_does_not_tell() {
    let env = Env::new();
    assert!(env.set("Уйский", "methodists", "3").status.success());
    assert!(env.set("Ашинский", "methodists", "3").status.success());
    let quiet = common::stdout(&env.run(&["check"]));
    assert!(!quiet.contains("история:"), "{quiet}");
    let file = env.record_file("uysky-mr");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Number(3)", "Number(8)");
    std::fs::write(&file, text).unwrap();
    let said = common::stdout(&env.run(&["check"]));
    assert!(
        said.contains("история: municipalities/uysky-mr.ron отличается"),
        "{said}"
    );
    assert!(!said.contains("ashinsky"), "{said}");
}

/// A folder with a campaign file and an empty records' folder (returned), no history yet.
fn bare_campaign(dir: &std::path::Path) -> std::path::PathBuf {
    let records = dir.join("municipalities");
    std::fs::create_dir_all(&records).unwrap();
    std::fs::write(dir.join("campaign.ron"), "(format: 1)\n").unwrap();
    records
}

/// A second write of a file keeps the first as `.bak`, whether the new text goes through a
/// temp file or over the backup; a backup still linked to the file (a write killed between
/// link and rename) is never written through.
#[test]
fn every_write_keeps_the_previous_version_and_never_writes_through_a_linked_backup() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("r.ron");
    let bak = tmp.path().join("r.ron.bak");
    for (n, text) in ["один", "два", "три", "четыре"].iter().enumerate() {
        sobes::storage::atomic_write(&path, text.as_bytes()).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), *text);
        if n > 0 {
            let before = ["один", "два", "три"][n - 1];
            assert_eq!(std::fs::read_to_string(&bak).unwrap(), before, "write {n}");
        }
    }
    // The state a killed write leaves: the backup is the file under a second name.
    std::fs::remove_file(&bak).unwrap();
    std::fs::hard_link(&path, &bak).unwrap();
    sobes::storage::atomic_write(&path, "пять — длиннее прежнего".as_bytes()).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "пять — длиннее прежнего"
    );
    assert_eq!(std::fs::read_to_string(&bak).unwrap(), "четыре");
    // A shorter text over a longer backup leaves nothing of the longer one.
    sobes::storage::atomic_write(&path, b"6").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "6");
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temp file left: {names:?}");
}

#[test]
fn a_batch_write_writes_every_file_keeps_every_backup_and_leaves_no_temp_file() {
    let tmp = tempfile::tempdir().unwrap();
    let files = |round: usize| -> Vec<(std::path::PathBuf, Vec<u8>)> {
        (0..50)
            .map(|k| {
                (
                    std::path::PathBuf::from(format!("m{k:02}.ron")),
                    format!("запись {k}, круг {round}").into_bytes(),
                )
            })
            .collect()
    };
    for round in 0..3 {
        sobes::storage::write_many(tmp.path(), &files(round)).unwrap();
        for (name, bytes) in files(round) {
            let path = tmp.path().join(&name);
            assert_eq!(std::fs::read(&path).unwrap(), bytes);
            if round > 0 {
                let bak = sobes::storage::backup_path(&path);
                let (_, before) = files(round - 1)
                    .into_iter()
                    .find(|(p, _)| *p == name)
                    .unwrap();
                assert_eq!(std::fs::read(bak).unwrap(), before);
            }
        }
    }
    let count = std::fs::read_dir(tmp.path()).unwrap().count();
    assert_eq!(count, 100, "50 files and their backups, nothing else");
}

/// Sobes writes trees itself; git reads a tree by binary search, so a file named like a
/// folder with a suffix («municipalities.txt» sorts before the folder «municipalities/»)
/// must come where git expects it, or files become unfindable.
#[test]
fn trees_sobes_writes_are_in_gits_order_and_read_back() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repository::init(tmp.path()).unwrap();
    let blob = |text: &str| repo.blob(text.as_bytes()).unwrap();
    let empty = repo
        .find_tree(repo.treebuilder(None).unwrap().write().unwrap())
        .unwrap();
    let files: Vec<(std::path::PathBuf, Option<git2::Oid>)> = [
        "municipalities/b.ron",
        "municipalities/a.ron",
        "municipalities.txt",
        "municipalities-old/a.ron",
        "campaign.ron",
        "m",
    ]
    .iter()
    .map(|p| (std::path::PathBuf::from(p), Some(blob(p))))
    .collect();
    let id = sobes::history::replace(&repo, &empty, &files).unwrap();
    let tree = repo.find_tree(id).unwrap();
    for (path, oid) in &files {
        let entry = tree.get_path(path).unwrap_or_else(|_| panic!("{path:?}"));
        assert_eq!(Some(entry.id()), *oid, "{path:?}");
    }
    // Removing one and changing another keeps the rest.
    let second = [
        (std::path::PathBuf::from("municipalities/a.ron"), None),
        (
            std::path::PathBuf::from("municipalities.txt"),
            Some(blob("новое")),
        ),
    ];
    let tree = repo
        .find_tree(sobes::history::replace(&repo, &tree, &second).unwrap())
        .unwrap();
    assert!(
        tree.get_path(std::path::Path::new("municipalities/a.ron"))
            .is_err()
    );
    assert!(
        tree.get_path(std::path::Path::new("municipalities/b.ron"))
            .is_ok()
    );
    assert_eq!(
        tree.get_path(std::path::Path::new("municipalities.txt"))
            .unwrap()
            .id(),
        blob("новое")
    );
    // The same tree libgit2 itself would write.
    let mut builder = repo.treebuilder(None).unwrap();
    for e in tree.iter() {
        builder
            .insert(e.name().unwrap(), e.id(), e.filemode())
            .unwrap();
    }
    assert_eq!(builder.write().unwrap(), tree.id());
}

/// A session commits record after record of a large campaign through one handle, the later
/// ones by changing the id of one entry in the tree written before: every commit must hold
/// exactly the files on disk, whatever way its tree was made.
#[test]
fn commit_after_commit_of_a_large_folder_holds_exactly_the_files_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let records = bare_campaign(dir);
    let name = |k: usize| format!("m{k:04}.ron");
    for k in 0..600 {
        std::fs::write(records.join(name(k)), format!("запись {k}\n")).unwrap();
    }
    let history = sobes::history::History::open(dir, "test").unwrap();
    assert!(history.commit_pending("Тест").unwrap());
    let check = |step: &str| {
        let repo = Repository::open(dir).unwrap();
        let tree = repo.head().unwrap().peel_to_tree().unwrap();
        let folder = repo
            .find_tree(tree.get_name("municipalities").unwrap().id())
            .unwrap();
        let on_disk: Vec<String> = {
            let mut v: Vec<String> = std::fs::read_dir(&records)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        let in_tree: Vec<String> = folder
            .iter()
            .map(|e| e.name().unwrap().to_string())
            .collect();
        assert_eq!(in_tree, on_disk, "{step}");
        for e in folder.iter() {
            let path = records.join(e.name().unwrap());
            let want = git2::Oid::hash_file(git2::ObjectType::Blob, &path).unwrap();
            assert_eq!(e.id(), want, "{step}: {}", e.name().unwrap());
        }
        assert!(history.uncommitted().unwrap().is_empty(), "{step}");
    };
    let commit = |files: &[String], summary: &str| {
        let paths: Vec<std::path::PathBuf> = files
            .iter()
            .map(|f| std::path::Path::new("municipalities").join(f))
            .collect();
        let made = history.commit(&paths, "Тест", summary, "");
        assert!(made.as_ref().is_ok_and(|m| *m), "{summary}: {made:?}");
    };
    for round in 0..5 {
        for (i, k) in [3, 250, 599, 3].into_iter().enumerate() {
            let step = format!("{k} в круге {round}, шаг {i}");
            std::fs::write(records.join(name(k)), &step).unwrap();
            commit(&[name(k)], &step);
            check(&step);
        }
    }
    // A new record and a removed one: the tree is made again from its entries.
    std::fs::write(records.join("m9999.ron"), "новая\n").unwrap();
    std::fs::remove_file(records.join(name(10))).unwrap();
    commit(&["m9999.ron".into(), name(10)], "новая и удалённая");
    check("новая и удалённая");
    std::fs::write(records.join(name(11)), "после\n").unwrap();
    commit(&[name(11)], "после");
    check("после");
    // On Linux the branch was moved by swapping its file with a spare, which holds the
    // commit before the last.
    #[cfg(target_os = "linux")]
    {
        let spare = std::fs::read_to_string(dir.join(".git/sobes-branch.spare")).unwrap();
        let repo = Repository::open(dir).unwrap();
        let head = repo.head().unwrap().peel_to_commit().unwrap();
        assert_eq!(spare.trim(), head.parent_id(0).unwrap().to_string());
    }
}

/// Hundreds of commits in one session: the loose objects are packed on the way, and every
/// commit, tree and record stays readable with its message.
#[test]
fn many_commits_are_packed_and_stay_readable() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let records = bare_campaign(dir);
    let history = sobes::history::History::open(dir, "test").unwrap();
    history.commit_pending("Тест").unwrap();
    let objects = dir.join(".git/objects");
    let loose = || {
        std::fs::read_dir(&objects)
            .unwrap()
            .flatten()
            .filter(|d| d.file_name().len() == 2)
            .map(|d| std::fs::read_dir(d.path()).unwrap().count())
            .sum::<usize>()
    };
    for n in 0..300 {
        let file = format!("m{:02}.ron", n % 40);
        std::fs::write(records.join(&file), format!("запись {n}\n")).unwrap();
        let path = std::path::Path::new("municipalities").join(&file);
        assert!(
            history
                .commit(&[path], "Тест", &format!("шаг {n}"), "")
                .unwrap()
        );
    }
    let packs = std::fs::read_dir(objects.join("pack"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "pack"))
        .count();
    assert!(packs >= 1, "packed on the way");
    assert!(loose() < 600, "most objects packed: {} loose", loose());
    let entries = history.entries().unwrap();
    assert_eq!(entries.len(), 301);
    assert_eq!(entries.last().unwrap().summary, "шаг 299");
    // Every commit's records can be read back.
    let repo = Repository::open(dir).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.push_head().unwrap();
    let mut seen = 0;
    for oid in walk {
        let tree = repo.find_commit(oid.unwrap()).unwrap().tree().unwrap();
        tree.walk(git2::TreeWalkMode::PreOrder, |_, e| {
            if e.kind() == Some(git2::ObjectType::Blob) {
                assert!(repo.find_blob(e.id()).is_ok());
                seen += 1;
            }
            git2::TreeWalkResult::Ok
        })
        .unwrap();
    }
    assert!(seen > 300 * 20);
    // A writer opening the campaign later packs what is left.
    drop(history);
    let history = sobes::history::History::open(dir, "test").unwrap();
    history.pack_loose().unwrap();
    assert!(loose() < 10, "{} loose after packing all", loose());
    assert_eq!(history.entries().unwrap().len(), 301);
}

/// A campaign copied or restored has every file's time changed but not its text: the look
/// for uncommitted files finds nothing, and the index learns the new times, so the next
/// look does not read and hash every file again.
#[test]
fn a_look_at_files_only_touched_makes_no_commit_and_the_index_learns_their_times() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let records = bare_campaign(dir);
    for k in 0..20 {
        std::fs::write(
            records.join(format!("m{k:02}.ron")),
            format!("запись {k}\n"),
        )
        .unwrap();
    }
    let history = sobes::history::History::open(dir, "test").unwrap();
    assert!(history.commit_pending("Тест").unwrap());
    drop(history);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    for k in 0..20 {
        let path = records.join(format!("m{k:02}.ron"));
        let text = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, text).unwrap();
    }
    let history = sobes::history::History::open(dir, "test").unwrap();
    assert!(!history.commit_pending("Тест").unwrap(), "nothing changed");
    let repo = Repository::open(dir).unwrap();
    let index = repo.index().unwrap();
    for k in 0..20 {
        let name = format!("municipalities/m{k:02}.ron");
        let entry = index.get_path(std::path::Path::new(&name), 0).unwrap();
        let meta = std::fs::metadata(dir.join(&name)).unwrap();
        let mtime = meta
            .modified()
            .unwrap()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        assert_eq!(entry.mtime.seconds() as u64, mtime.as_secs(), "{name}");
        assert_eq!(entry.file_size as u64, meta.len(), "{name}");
    }
}

/// What sobes writes by hand (loose objects, trees patched in place, the branch moved) is
/// what libgit2 itself would write for the same files: the tree of every commit equals the
/// tree libgit2's index makes of the files on disk, blob for blob.
#[test]
fn sobes_writes_the_trees_libgit2_would_write() {
    let env = Env::new();
    for (m, v) in [("Уйский", "3"), ("Ашинский", "5"), ("Уйский", "4")] {
        let o = env.run(&common::set_args(m, "methodists", v));
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let repo = Repository::open(&env.dir).unwrap();
    let head = repo.head().unwrap().peel_to_tree().unwrap();
    let mut index = git2::Index::new().unwrap();
    let mut files = Vec::new();
    head.walk(git2::TreeWalkMode::PreOrder, |root, e| {
        if e.kind() == Some(git2::ObjectType::Blob) {
            files.push(format!("{root}{}", e.name().unwrap()));
        }
        git2::TreeWalkResult::Ok
    })
    .unwrap();
    assert!(
        files.iter().any(|f| f == "municipalities/uysky-mr.ron"),
        "{files:?}"
    );
    for f in &files {
        let bytes = std::fs::read(env.dir.join(f)).unwrap();
        let id = repo.blob(&bytes).unwrap();
        assert_eq!(
            head.get_path(std::path::Path::new(f)).unwrap().id(),
            id,
            "{f}"
        );
        let entry = git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: 0o100644,
            uid: 0,
            gid: 0,
            file_size: bytes.len() as u32,
            id,
            flags: 0,
            flags_extended: 0,
            path: f.as_bytes().to_vec(),
        };
        index.add(&entry).unwrap();
    }
    assert_eq!(index.write_tree_to(&repo).unwrap(), head.id());
    // The moves of the branch by the three saves are in its reflog and HEAD's, as the
    // config asks, whoever moved it; the newest names the branch's commit.
    let reflog = repo.reflog("refs/heads/sobes").unwrap();
    let moves: Vec<String> = reflog
        .iter()
        .map(|e| format!("{:?}", e.message()))
        .collect();
    assert!(reflog.len() >= 3, "{moves:?}");
    let newest = reflog.get(0).unwrap();
    assert_eq!(newest.id_new(), repo.head().unwrap().target().unwrap());
    assert!(repo.reflog("HEAD").unwrap().len() >= 3);
    common::assert_fsck(&env.dir);
}
