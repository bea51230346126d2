//! The hub: refused, unmakeable, damaged, remembered; kills and simultaneous syncs.

use super::*;

#[test]
fn a_hub_that_is_not_one_is_refused_naming_the_folder() {
    let (tmp, a, _b, _hub) = pair();
    let before = a.files();
    let head = a.head();
    let junk = tmp.path().join("чужая папка");
    std::fs::create_dir(&junk).unwrap();
    std::fs::write(junk.join("отчёт.docx"), b"x").unwrap();
    let o = a.sync(&junk);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        out(&o).contains(&junk.display().to_string()) && out(&o).contains("не узел синхронизации"),
        "{}",
        out(&o)
    );
    // A hub of another campaign: no common history.
    let other = Laptop::new(tmp.path(), "Вера");
    let o = Command::new(env!("CARGO_BIN_EXE_sobes"))
        .env("SOBES_HOME", &other.home)
        .args(["new", other.dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    other.set("Уйский", "methodists", "9");
    let other_hub = tmp.path().join("другой узел");
    assert!(other.sync_new(&other_hub).status.success());
    let o = a.sync(&other_hub);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("другой кампании"), "{}", out(&o));
    assert_eq!(a.files(), before);
    assert_eq!(a.head(), head, "the local campaign untouched");
}

/// SIGKILL at random moments during syncs on both laptops: afterwards both campaigns and the
/// hub open, `check` passes, a sync completes, and every confirmed answer is in the history.
#[test]
fn sigkill_during_sync_loses_nothing() {
    let (_tmp, a, b, hub) = pair();
    let mut seed = std::env::var("SOBES_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!("SOBES_TEST_SEED={seed}");
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    // How long a sync takes, so kills land all over it.
    let t = std::time::Instant::now();
    assert!(a.sync(&hub).status.success());
    let span = t.elapsed().as_micros().max(2000) as u64;
    let mut confirmed = Vec::new();
    for round in 0..20 {
        for (l, place) in [(&a, "Уйский"), (&b, "Ашинский")] {
            let value = format!("{}", 10 + round);
            l.set(place, "methodists", &value);
            confirmed.push((place, value));
            let mut child = Command::new(env!("CARGO_BIN_EXE_sobes"))
                .env("SOBES_HOME", &l.home)
                .args([
                    "--campaign",
                    l.dir.to_str().unwrap(),
                    "sync",
                    hub.to_str().unwrap(),
                ])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_micros(next() % span));
            let _ = child.kill();
            let _ = child.wait();
        }
    }
    for l in [&a, &b, &a, &b] {
        let o = l.sync(&hub);
        assert!(matches!(o.status.code(), Some(0 | 3)), "{}", out(&o));
    }
    assert_eq!(a.files(), b.files());
    for l in [&a, &b] {
        let o = l.run(&["check"]);
        assert!(o.status.success(), "{}", out(&o));
    }
    let log = String::from_utf8_lossy(&a.run(&["log", "--tsv"]).stdout).into_owned();
    for (place, value) in confirmed {
        let id = if place == "Уйский" {
            "uysky-mr"
        } else {
            "ashinsky-mr"
        };
        assert!(
            log.lines().any(|l| {
                let c: Vec<&str> = l.split('\t').collect();
                c.len() > 6 && c[3] == id && c[6] == value
            }),
            "{id} = {value} lost"
        );
    }
}

/// Two laptops syncing with the hub at the same moment: both branches arrive. A damaged hub
/// is refused naming its folder, and the campaign stays as it was.
#[test]
fn simultaneous_syncs_both_arrive_and_a_damaged_hub_is_named() {
    let (_tmp, a, b, hub) = pair();
    a.set("Уйский", "methodists", "3");
    b.set("Ашинский", "methodists", "4");
    let spawn = |l: &Laptop| {
        Command::new(env!("CARGO_BIN_EXE_sobes"))
            .env("SOBES_HOME", &l.home)
            .args([
                "--campaign",
                l.dir.to_str().unwrap(),
                "sync",
                hub.to_str().unwrap(),
            ])
            .output()
    };
    let (ra, rb) = std::thread::scope(|s| {
        let ta = s.spawn(|| spawn(&a).unwrap());
        let tb = s.spawn(|| spawn(&b).unwrap());
        (ta.join().unwrap(), tb.join().unwrap())
    });
    assert!(ra.status.success(), "{}", out(&ra));
    assert!(rb.status.success(), "{}", out(&rb));
    let repo = git2::Repository::open_bare(&hub).unwrap();
    let branches = repo
        .references_glob("refs/heads/devices/*")
        .unwrap()
        .count();
    assert_eq!(branches, 2, "both branches on the hub");
    for l in [&a, &b, &a] {
        assert!(l.sync(&hub).status.success());
    }
    assert_eq!(a.files(), b.files());
    assert!(
        a.files()
            .iter()
            .any(|(n, t)| n == "ashinsky-mr.ron" && t.contains("Number(4)"))
    );

    // A damaged hub.
    std::fs::write(hub.join("HEAD"), b"\x00\x01 not a ref").unwrap();
    let before = (a.files(), a.head());
    let o = a.sync(&hub);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains(&hub.display().to_string()), "{}", out(&o));
    assert!(
        out(&o).contains("узел повреждён"),
        "said in words: {}",
        out(&o)
    );
    assert_eq!((a.files(), a.head()), before, "the campaign untouched");
}

/// A hub where no folder can be (a file in the way, as on a medium that cannot be written)
/// is refused naming the folder; the campaign stays as it was.
#[test]
fn a_hub_that_cannot_be_made_is_named() {
    let (tmp, a, _b, _hub) = pair();
    let blocker = tmp.path().join("флешка-только-чтение");
    std::fs::write(&blocker, b"").unwrap();
    let hub = blocker.join("sobes");
    let before = (a.files(), a.head());
    let o = a.sync(&hub);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains(&hub.display().to_string()), "{}", out(&o));
    assert_eq!((a.files(), a.head()), before);
}

/// A hub used on the command line (a sync, or joining from it) is remembered for the
/// campaign, so the TUI's sync key uses it without asking.
#[test]
fn the_hub_of_a_command_line_sync_is_remembered_for_the_tui() {
    let (_tmp, a, b, hub) = pair();
    for l in [&a, &b] {
        let config = sobes::paths::Config::load(&l.home.join("config").join("config.ron")).unwrap();
        assert_eq!(config.hub(&l.dir), Some(hub.clone()), "{}", l.name);
    }
}
