//! The hub is input from anyone: commits crafted on it with git itself (raw tree objects,
//! so names git2's builders refuse can be written) must never reach the campaign or
//! anything around it. And hubs are made only when asked, and serve one campaign.

use crate::common;

use git2::{ObjectType, Oid, Repository};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

mod crafted;
mod hubs;

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
