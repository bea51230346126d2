//! The promises that must hold on every laptop, Linux or Windows (this file runs on both:
//! `.ci/windows` builds it for Windows and runs it under Wine): the same bytes for the same
//! answers, the lock and its holder's name, names Windows cannot hold, temp files of dead
//! exports, and three laptops taking turns through one hub folder.

use crate::common;
use common::{Env, Laptop, stderr, stdout};
use sobes::storage;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Every file under `dir` but the history, the lock's and the backups (each laptop's own
/// previous version), by path relative to `dir`.
fn files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if name == ".git"
                || name == storage::LOCK_FILE
                || name == storage::HOLDER_FILE
                || name.ends_with(".bak")
            {
                continue;
            }
            if p.is_dir() {
                todo.push(p);
            } else {
                let text = String::from_utf8(std::fs::read(&p).unwrap()).expect("UTF-8");
                out.push((p.strip_prefix(dir).unwrap().to_path_buf(), text));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_text_file_sobes_writes_ends_its_lines_with_lf() {
    let env = Env::new();
    assert!(env.set("Уйский", "methodists", "3").status.success());
    assert!(env.set("Уйский", "org_form", "center").status.success());
    let o = env.run(&[
        "--as",
        "Тест",
        "decide",
        "--municipality",
        "Уйский",
        "--dimension",
        "training",
        "--cluster",
        "2",
        "--reason",
        "так решила комиссия",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = env.run(&[
        "--as",
        "Тест",
        "score",
        "--municipality",
        "Уйский",
        "--indicator",
        "1.1",
        "--value",
        "2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let written = files(&env.dir);
    assert!(written.len() >= 3, "{written:?}");
    for (path, text) in &written {
        assert!(!text.contains('\r'), "CR in {}", path.display());
        assert!(
            text.ends_with('\n'),
            "{} ends with a line end",
            path.display()
        );
    }
    let config = std::fs::read_to_string(env.dir.join(".git/config")).unwrap();
    assert!(config.contains("autocrlf = false"), "{config}");
    assert!(!config.contains('\r'), "{config:?}");
    // The history holds the same bytes as the folder.
    let repo = git2::Repository::open(&env.dir).unwrap();
    let tree = repo.head().unwrap().peel_to_tree().unwrap();
    let blob = tree
        .get_path(Path::new("municipalities/uysky-mr.ron"))
        .unwrap()
        .to_object(&repo)
        .unwrap();
    let on_disk = std::fs::read(env.dir.join("municipalities/uysky-mr.ron")).unwrap();
    assert_eq!(blob.as_blob().unwrap().content(), on_disk.as_slice());
}

#[test]
fn a_second_writer_is_told_who_holds_the_campaign() {
    let env = Env::new();
    assert!(env.set("Уйский", "methodists", "3").status.success());
    let lock = storage::Lock::acquire(&env.dir).unwrap();
    let o = env.set("Уйский", "methodists", "4");
    assert!(!o.status.success());
    let me = format!("процесс {}", std::process::id());
    assert!(
        stderr(&o).contains(&me),
        "the holder is named: {}",
        stderr(&o)
    );
    drop(lock);
    assert!(env.set("Уйский", "methodists", "4").status.success());
    let text = std::fs::read_to_string(env.record_file("uysky-mr")).unwrap();
    assert!(text.contains("Number(4)"), "{text}");
}

#[test]
fn names_windows_cannot_hold_are_refused_or_made_safe() {
    let env = Env::new();
    let registry = env.home().join("реестр.ron");
    let text = "Registry(region: \"Н\", kinds: [\"ГО\"], municipalities: [\n    (id: \"north\", name: \"Северный ГО\", kind: \"ГО\", genitive: \"Северного ГО\"),\n    (id: \"con\", name: \"Кон ГО\", kind: \"ГО\", genitive: \"Кона ГО\"),\n])\n";
    std::fs::write(&registry, text).unwrap();
    let dir = env.home().join("новая");
    let o = env.bare(&[
        "new",
        dir.to_str().unwrap(),
        "--registry",
        registry.to_str().unwrap(),
    ]);
    assert!(!o.status.success(), "{}", stdout(&o));
    let e = stderr(&o);
    assert!(
        e.contains("реестр.ron") && e.contains(":3:"),
        "file and line: {e}"
    );
    assert!(e.contains("«con»") && e.contains("Windows"), "{e}");
    assert!(!dir.join("campaign.ron").exists(), "nothing made");
    // A region whose names hold characters Windows refuses in a file name: the letters are
    // named safely.
    let text = "Registry(region: \"Н\", kinds: [\"ГО\"], municipalities: [\n    (id: \"a\", name: \"Город: Новый?\", kind: \"ГО\", genitive: \"Города\"),\n    (id: \"b\", name: \"Aux\", kind: \"ГО\", genitive: \"Аукса\"),\n])\n";
    std::fs::write(&registry, text).unwrap();
    let o = env.bare(&[
        "new",
        dir.to_str().unwrap(),
        "--registry",
        registry.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let letters = env.home().join("письма");
    let o = env.bare(&[
        "--campaign",
        dir.to_str().unwrap(),
        "export",
        "--per-municipality",
        "--allow-incomplete",
        "-o",
        letters.to_str().unwrap(),
        "--format",
        "md",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut names: Vec<String> = std::fs::read_dir(&letters)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["_Aux.md", "Город_ Новый_.md"]);
}

#[test]
fn a_dead_exports_temp_file_is_removed_by_the_next_export() {
    let env = Env::new();
    let out = env.home().join("приложение.md");
    let stale = env.home().join(".приложение.md.tmp999999");
    std::fs::write(&stale, "половина").unwrap();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    let o = env.run(&["export", "-o", out.to_str().unwrap(), "--allow-incomplete"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.exists());
    assert!(!stale.exists(), "the dead writer's temp file went");
}

/// A sync that must work (with or without conflicts); its exit code.
fn sync(l: &Laptop, hub: &Path) -> i32 {
    let o = l.run(&["sync", hub.to_str().unwrap()]);
    assert!(
        matches!(o.status.code(), Some(0 | 3)),
        "{}: {}{}",
        l.name,
        stdout(&o),
        stderr(&o)
    );
    o.status.code().unwrap()
}

/// The hub's object files with their sizes and times: a sync that sends nothing must write
/// none of them again.
fn hub_objects(hub: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut todo = vec![hub.join("objects")];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let m = e.metadata().unwrap();
            if m.is_dir() {
                todo.push(e.path());
            } else {
                out.push((e.path(), m.len(), m.modified().unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Three laptops through one hub folder, the way a campaign goes: the first makes the hub,
/// the others join, each syncs in turn (also with nothing new: on Windows that once failed
/// for good, libgit2 rewriting a pack the hub had mapped), a conflict and its resolution
/// travel, and every laptop ends with the same files.
#[test]
fn three_laptops_take_turns_through_one_hub_and_end_identical() {
    let root = tempfile::tempdir().unwrap();
    let hub = root.path().join("флешка").join("узел");
    std::fs::create_dir(root.path().join("флешка")).unwrap();
    let a = Laptop {
        env: Env::new(),
        name: "Анна",
    };
    a.set("Копейский", "methodists", "2");
    let o = a.run(&["sync", hub.to_str().unwrap(), "--new-hub"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let join = |name: &'static str| {
        let env = Env::with_default_campaign();
        let dir = env.home().join("кампания");
        let o = env.bare(&[
            "new",
            dir.to_str().unwrap(),
            "--from-hub",
            hub.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        Laptop {
            env: Env {
                home: env.home,
                dir,
            },
            name,
        }
    };
    let (b, c) = (join("Борис"), join("Вера"));
    assert_eq!(sync(&a, &hub), 0);
    // Nothing new anywhere: no object on the hub is written again.
    let before = hub_objects(&hub);
    for l in [&b, &a, &c, &b] {
        assert_eq!(sync(l, &hub), 0);
    }
    assert_eq!(
        hub_objects(&hub),
        before,
        "syncs with nothing new wrote objects"
    );
    b.set("Уйский", "methodists", "4");
    c.set("Уйский", "methodists", "6");
    a.set("Ашинский", "org_form", "center");
    assert_eq!(sync(&b, &hub), 0);
    assert_eq!(sync(&a, &hub), 0);
    assert_eq!(
        sync(&c, &hub),
        3,
        "the same answer changed differently: a conflict"
    );
    c.set("Уйский", "methodists", "5");
    for l in [&c, &a, &b, &c, &a] {
        assert_eq!(sync(l, &hub), 0);
    }
    let first = files(&a.env.dir);
    assert!(
        first
            .iter()
            .any(|(p, text)| p.ends_with("uysky-mr.ron") && text.contains("Number(5)"))
    );
    assert_eq!(files(&b.env.dir), first, "Борис ends as Анна");
    assert_eq!(files(&c.env.dir), first, "Вера ends as Анна");
    // Each laptop's branch on the hub is its own history's head: every push landed.
    let repo = git2::Repository::open_bare(&hub).unwrap();
    for l in [&a, &b, &c] {
        let head = git2::Repository::open(&l.env.dir)
            .unwrap()
            .head()
            .unwrap()
            .target()
            .unwrap();
        let on_hub = repo
            .references_glob("refs/heads/devices/*")
            .unwrap()
            .flatten()
            .filter_map(|r| r.target())
            .any(|t| t == head);
        assert!(on_hub, "{}'s head is on the hub", l.name);
    }
    let o = Command::new(common::BIN)
        .env("SOBES_HOME", a.env.home())
        .args(["--campaign", a.env.dir.to_str().unwrap(), "check"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}
