//! The real binary under a private SOBES_HOME, for the tests that run it.
// Each test file uses part of this harness.
#![allow(dead_code)]

#[cfg(unix)]
pub mod servers;

use sobes::model::registry::Registry;
use sobes::storage;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_sobes");

/// A private SOBES_HOME and the campaign the tests work on.
pub struct Env {
    pub home: tempfile::TempDir,
    /// The campaign the commands of [`Env::run`] work on.
    pub dir: PathBuf,
}

impl Env {
    /// Nothing but the home: the campaign is the default one, which sobes creates on first
    /// use under `home/data/campaigns/default`.
    pub fn with_default_campaign() -> Env {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("data/campaigns/default");
        Env { home, dir }
    }

    /// A campaign made with `sobes new` in `home/c`.
    pub fn new() -> Env {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("c");
        let env = Env { home, dir };
        let o = env.bare(&["new", env.dir.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        env
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The binary with this SOBES_HOME, no campaign flag, stdin closed.
    pub fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        c.env("SOBES_HOME", self.home())
            .env_remove("SOBES_TEST_PANIC")
            .stdin(Stdio::null());
        c
    }

    pub fn bare(&self, args: &[&str]) -> Output {
        output(self.command().args(args))
    }

    /// The binary on this campaign.
    pub fn run(&self, args: &[&str]) -> Output {
        output(self.command().arg("--campaign").arg(&self.dir).args(args))
    }

    pub fn set(&self, municipality: &str, question: &str, value: &str) -> Output {
        self.run(&set_args(municipality, question, value))
    }

    pub fn record_file(&self, id: &str) -> PathBuf {
        self.dir.join("municipalities").join(format!("{id}.ron"))
    }

    pub fn load(&self) -> sobes::model::campaign::Campaign {
        storage::load(&self.dir, &Registry::builtin()).unwrap_or_else(|e| {
            panic!(
                "{}",
                e.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })
    }
}

/// The arguments of `sobes set` as «Тест».
pub fn set_args<'a>(municipality: &'a str, question: &'a str, value: &'a str) -> [&'a str; 9] {
    [
        "--as",
        "Тест",
        "set",
        "--municipality",
        municipality,
        "--question",
        question,
        "--value",
        value,
    ]
}

/// The binary with this SOBES_HOME and nothing else: for tests that make their campaigns
/// themselves.
pub fn sobes(home: &Path, args: &[&str]) -> Output {
    output(
        Command::new(BIN)
            .env("SOBES_HOME", home)
            .env_remove("SOBES_TEST_PANIC")
            .stdin(Stdio::null())
            .args(args),
    )
}

/// Runs `cmd` to its end. Wine now and then fails to start a process under load (error
/// 1359, «Internal error»): that is the test machine's, not sobes's, so a start is tried
/// again, up to three times.
pub fn output(cmd: &mut Command) -> Output {
    started(cmd, Command::output)
}

/// `start(cmd)`, tried again up to three times when the process could not be started.
fn started<T>(cmd: &mut Command, start: impl Fn(&mut Command) -> std::io::Result<T>) -> T {
    let mut tries = 0;
    loop {
        match start(cmd) {
            Ok(t) => return t,
            Err(e) if tries < 3 => {
                tries += 1;
                eprintln!("starting {cmd:?} failed ({e}); trying again");
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => panic!("could not start {cmd:?}: {e}"),
        }
    }
}

/// Standard output of a command that must succeed (else its output and errors are shown).
pub fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    stdout(&o)
}

/// The command failed with exit code 1, saying `says` on stderr.
pub fn refused(o: &Output, says: &str) {
    assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
    assert!(stderr(o).contains(says), "{}", stderr(o));
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under `dir` with its bytes, except the lock file (taking the lock writes the
/// holder into it).
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(snapshot(&p));
        } else if p
            .file_name()
            .is_some_and(|n| n != storage::LOCK_FILE && n != storage::HOLDER_FILE)
        {
            out.push((p.clone(), std::fs::read(&p).unwrap()));
        }
    }
    out.sort();
    out
}

/// A laptop of a scenario: its own SOBES_HOME and campaign, and who works at it.
pub struct Laptop {
    pub env: Env,
    pub name: &'static str,
}

impl Laptop {
    /// The binary on this laptop's campaign, as its user.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut c = self.env.command();
        c.arg("--campaign")
            .arg(&self.env.dir)
            .arg("--as")
            .arg(self.name)
            .args(args);
        timed(c)
    }

    /// An answer that must be taken.
    pub fn set(&self, municipality: &str, question: &str, value: &str) -> Output {
        let o = self.run(&set_args(municipality, question, value)[2..]);
        assert!(o.status.success(), "{}", stderr(&o));
        o
    }

    /// A municipality's record file on this laptop.
    pub fn record(&self, id: &str) -> PathBuf {
        self.env
            .dir
            .join("municipalities")
            .join(format!("{id}.ron"))
    }
}

/// The commit of some device's branch on the hub.
pub fn hub_tip(hub: &git2::Repository) -> git2::Oid {
    hub.references_glob("refs/heads/devices/*")
        .unwrap()
        .flatten()
        .filter_map(|r| r.target())
        .find(|t| hub.find_commit(*t).is_ok())
        .unwrap()
}

/// Longer than any save or repair takes in a debug build on a busy machine, far shorter than
/// "forever".
pub const LIMIT: Duration = Duration::from_secs(20);

/// Runs `cmd` to its end within [`LIMIT`]; kills it and fails the test as a hang otherwise.
/// Its output is read by threads, so a full pipe cannot look like a hang.
pub fn timed(mut cmd: Command) -> Output {
    let what = format!("{cmd:?}");
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = started(&mut cmd, Command::spawn);
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hang: {what} did not finish in {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// Whether a `git` program is there to judge the history independently of libgit2.
pub fn have_git() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `git fsck` finds the history whole (nothing missing, nothing damaged, unreachable
/// objects included); skipped without a git program.
pub fn assert_fsck(dir: &Path) {
    if !have_git() {
        eprintln!("no git program: fsck skipped");
        return;
    }
    let mut c = Command::new("git");
    // The user's own git settings must not judge the campaign.
    c.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .arg("-C")
        .arg(dir)
        .args(["fsck", "--strict", "--no-dangling", "--no-progress"]);
    let o = timed(c);
    assert!(
        o.status.success(),
        "git fsck in {}:\n{}{}",
        dir.display(),
        stdout(&o),
        stderr(&o)
    );
}

/// How many cases a property test runs: `default`, the count CI runs, or
/// SOBES_PROPTEST_CASES for a quicker run or a long one (`SOBES_PROPTEST_CASES=20000 cargo
/// test --test proptest_tui`).
pub fn proptest_cases(default: u32) -> u32 {
    std::env::var("SOBES_PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default)
}
