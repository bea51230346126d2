//! Several laptops, one campaign: scripted scenarios with simulated laptops (each its own
//! SOBES_HOME and campaign directory) sharing a hub folder, all in a temporary directory.

use crate::common;

use sobes::model::campaign::Record;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod fields;
mod hubs;
mod merging;

struct Laptop {
    home: PathBuf,
    dir: PathBuf,
    name: &'static str,
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

impl Laptop {
    fn new(root: &Path, name: &'static str) -> Laptop {
        Laptop {
            home: root.join(format!("home-{name}")),
            dir: root.join(format!("campaign-{name}")),
            name,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_sobes"));
        // No git program to lean on. Not under Wine, whose process start fails now and then
        // with an empty PATH (os error 1359).
        if cfg!(unix) {
            c.env("PATH", "");
        }
        c.env("SOBES_HOME", &self.home)
            .arg("--campaign")
            .arg(&self.dir)
            .arg("--as")
            .arg(self.name)
            .args(args)
            .output()
            .unwrap()
    }

    fn set(&self, municipality: &str, question: &str, value: &str) {
        // `run` says who: the laptop's user, not the «--as» of the common arguments.
        let o = self.run(&common::set_args(municipality, question, value)[2..]);
        assert!(o.status.success(), "{}", out(&o));
    }

    fn sync(&self, hub: &Path) -> Output {
        self.run(&["sync", hub.to_str().unwrap()])
    }

    /// A sync that makes the hub (`--new-hub`).
    fn sync_new(&self, hub: &Path) -> Output {
        self.run(&["sync", hub.to_str().unwrap(), "--new-hub"])
    }

    fn files(&self) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = std::fs::read_dir(self.dir.join("municipalities"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "ron"))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&p).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    fn head(&self) -> git2::Oid {
        git2::Repository::open(&self.dir)
            .unwrap()
            .head()
            .unwrap()
            .target()
            .unwrap()
    }
}

/// Two laptops: A made the campaign and a hub; B joined from it.
fn pair() -> (tempfile::TempDir, Laptop, Laptop, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let hub = tmp.path().join("флешка").join("sobes-hub");
    let a = Laptop::new(tmp.path(), "Анна");
    let b = Laptop::new(tmp.path(), "Борис");
    let o = Command::new(env!("CARGO_BIN_EXE_sobes"))
        .env("SOBES_HOME", &a.home)
        .args(["new", a.dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", out(&o));
    a.set("Копейский", "methodists", "2");
    std::fs::create_dir(tmp.path().join("флешка")).unwrap();
    let o = a.sync_new(&hub);
    assert!(o.status.success(), "{}", out(&o));
    assert!(
        out(&o).contains("создан новый узел синхронизации"),
        "{}",
        out(&o)
    );
    let o = Command::new(env!("CARGO_BIN_EXE_sobes"))
        .env("SOBES_HOME", &b.home)
        .args([
            "new",
            b.dir.to_str().unwrap(),
            "--from-hub",
            hub.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", out(&o));
    // A join says what it did: everything came, nothing «new» and no commits «sent».
    let said = out(&o);
    assert!(
        said.contains(
            "присоединено: кампания получена с узла целиком (записей муниципалитетов — 1)"
        ) && !said.contains("ничего нового")
            && !said.contains("ушло"),
        "{said}"
    );
    assert_eq!(a.files(), b.files(), "the new laptop has the campaign");
    (tmp, a, b, hub)
}
