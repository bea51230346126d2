//! The hub is input from anyone: commits crafted on it with git itself (raw tree objects,
//! so names git2's builders refuse can be written) must never reach the campaign or
//! anything around it. And hubs are made only when asked, and serve one campaign.

mod common;

use git2::{ObjectType, Oid, Repository};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// One laptop: its SOBES_HOME and its campaign.
struct Laptop {
    home: PathBuf,
    dir: PathBuf,
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs the binary, failing the test on a hang rather than hanging with it.
fn run_limited(mut c: Command) -> Output {
    let mut child = c
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("sobes hung: {c:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

impl Laptop {
    fn new(root: &Path, name: &str) -> Laptop {
        Laptop {
            home: root.join(format!("home-{name}")),
            dir: root.join(format!("campaign-{name}")),
        }
    }

    fn bare(&self, args: &[&str]) -> Output {
        let mut c = Command::new(common::BIN);
        c.env("SOBES_HOME", &self.home).args(args);
        run_limited(c)
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut c = Command::new(common::BIN);
        c.env("SOBES_HOME", &self.home)
            .arg("--campaign")
            .arg(&self.dir)
            .arg("--as")
            .arg("Тест")
            .args(args);
        run_limited(c)
    }

    fn set(&self, municipality: &str, value: &str) {
        let o = self.run(&common::set_args(municipality, "methodists", value)[2..]);
        assert!(o.status.success(), "{}", out(&o));
    }

    fn sync(&self, hub: &Path) -> Output {
        self.run(&["sync", hub.to_str().unwrap()])
    }

    fn device(&self) -> String {
        let config = self.home.join("config").join("config.ron");
        sobes::paths::Config::device(&config).unwrap()
    }
}

/// Every file under `dir` (not `.git`, which a fetch may add to) with its bytes.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    common::snapshot(dir)
        .into_iter()
        .filter(|(p, _)| !p.strip_prefix(dir).unwrap().starts_with(".git"))
        .collect()
}

/// Every path under `root` outside the campaigns' and the hub's own folders: what an
/// escaping write would create.
fn around(root: &Path, inside: &[&Path]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if inside.iter().any(|i| p.starts_with(i)) {
                continue;
            }
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p);
        }
    }
    out.sort();
    out
}

/// A tree entry as git writes it: mode, name, id.
fn entry(mode: &str, name: &[u8], id: Oid) -> Vec<u8> {
    let mut e = format!("{mode} ").into_bytes();
    e.extend_from_slice(name);
    e.push(0);
    e.extend_from_slice(id.as_bytes());
    e
}

/// A tree written raw: git2's builders refuse the names an attacker would use.
fn raw_tree(repo: &Repository, entries: &[Vec<u8>]) -> Oid {
    repo.odb()
        .unwrap()
        .write(ObjectType::Tree, &entries.concat())
        .unwrap()
}

/// The entries of `tree` as raw bytes, but those named in `drop`.
fn entries_of(repo: &Repository, tree: Oid, drop: &[&str]) -> Vec<Vec<u8>> {
    let tree = repo.find_tree(tree).unwrap();
    tree.iter()
        .filter(|e| !drop.contains(&e.name().unwrap_or("")))
        .map(|e| entry(&format!("{:o}", e.filemode()), e.name_bytes(), e.id()))
        .collect()
}

/// A commit on the hub's branch `devices/<device>` whose tree is `tree`, child of `parent`.
fn commit_on_hub(hub: &Repository, device: &str, tree: Oid, parent: Oid) -> Oid {
    let text = format!(
        "tree {tree}\nparent {parent}\nauthor Злоумышленник <x@sobes> 1760000000 +0500\ncommitter Злоумышленник <x@sobes> 1760000000 +0500\n\nподброшено\n"
    );
    let id = hub
        .odb()
        .unwrap()
        .write(ObjectType::Commit, text.as_bytes())
        .unwrap();
    hub.reference(&format!("refs/heads/devices/{device}"), id, true, "test")
        .unwrap();
    id
}

/// A laptop with a campaign, one answer, synced to a new hub on a "stick"; the hub.
fn with_hub(root: &Path) -> (Laptop, PathBuf) {
    let a = Laptop::new(root, "a");
    let o = a.bare(&["new", a.dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", out(&o));
    a.set("Уйский", "3");
    std::fs::create_dir_all(root.join("stick")).unwrap();
    let hub = root.join("stick").join("hub");
    let o = a.run(&["sync", hub.to_str().unwrap(), "--new-hub"]);
    assert!(o.status.success(), "{}", out(&o));
    (a, hub)
}

/// What a crafted commit holds, built from the honest tip's tree.
type Craft = fn(&Repository, Oid, &Path) -> Oid;

fn blob(repo: &Repository, bytes: &[u8]) -> Oid {
    repo.blob(bytes).unwrap()
}

/// The honest tree with one more entry at the top.
fn plus(repo: &Repository, tip: Oid, e: Vec<u8>) -> Oid {
    let mut entries = entries_of(repo, tip, &[]);
    entries.push(e);
    raw_tree(repo, &entries)
}

/// The honest tree with `municipalities/<name>` holding `bytes` under `mode`.
fn record(repo: &Repository, tip: Oid, name: &str, mode: &str, id: Oid) -> Oid {
    let records = repo
        .find_tree(tip)
        .unwrap()
        .get_name("municipalities")
        .unwrap()
        .id();
    let mut inner: Vec<Vec<u8>> = entries_of(repo, records, &[name]);
    inner.push(entry(mode, name.as_bytes(), id));
    let records = raw_tree(repo, &inner);
    let mut entries = entries_of(repo, tip, &["municipalities"]);
    entries.push(entry("40000", b"municipalities", records));
    raw_tree(repo, &entries)
}

/// The honest tree with `campaign.ron` replaced by its text changed by `edit`.
fn campaign_edited(repo: &Repository, tip: Oid, edit: fn(String) -> String) -> Oid {
    let tree = repo.find_tree(tip).unwrap();
    let old = repo
        .find_blob(tree.get_name("campaign.ron").unwrap().id())
        .unwrap();
    let text = edit(String::from_utf8(old.content().to_vec()).unwrap());
    let mut entries = entries_of(repo, tip, &["campaign.ron"]);
    entries.push(entry(
        "100644",
        b"campaign.ron",
        blob(repo, text.as_bytes()),
    ));
    raw_tree(repo, &entries)
}

/// The honest tree with a folder `name` holding a `config` that makes a history bare.
fn with_git_config(repo: &Repository, tip: Oid, name: &[u8]) -> Oid {
    let config = raw_tree(
        repo,
        &[entry(
            "100644",
            b"config",
            blob(repo, b"[core]\n\tbare = true\n"),
        )],
    );
    plus(repo, tip, entry("40000", name, config))
}

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
