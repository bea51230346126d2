//! Nothing lost, nothing silent: a file gone from the folder is a loss, never an erasure
//! (restored from the history, said once, on this laptop and never spread to the others);
//! a hub branch whose tree lacks records erases nothing; a push the hub did not take is an
//! error, never «ушло».

use crate::common;
use common::{Env, Laptop, hub_tip, set_args, stderr, stdout};
use git2::{ObjectType, Oid, Repository};
use std::path::{Path, PathBuf};
use std::process::Output;

mod erasure;
mod hubs;
mod recovery;

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
