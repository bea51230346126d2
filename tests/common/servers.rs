//! Loopback git servers for the tests of hubs on git servers: `git daemon` (git://), lighttpd
//! running `git http-backend` (http:// and https://, optionally with Basic auth) and sshd
//! forcing `git-shell` (ssh://). Each listens on 127.0.0.1 only, keeps its configuration,
//! keys and logs in a temporary directory of its own, and is stopped when dropped.
//!
//! A server whose program is missing is `None` with a notice, so a developer's machine
//! without lighttpd or sshd still runs the rest of the suite; CI installs them and sets
//! SOBES_REQUIRE_SERVERS, so there a missing one fails instead of passing unseen.
#![cfg(unix)]

mod http;
mod ssh;

pub use http::HttpServer;
pub use ssh::{SshServer, keygen as ssh_keygen, ssh_command};

use super::{LIMIT, have_git, stderr, stdout, timed};
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const LIGHTTPD: &str = "/usr/sbin/lighttpd";
const LIGHTTPD_MODULES: &str = "/usr/lib/lighttpd";
/// sshd re-executes itself for each connection, which it refuses unless started by an
/// absolute path.
const SSHD: &str = "/usr/sbin/sshd";
/// Where Debian's sshd wants its privilege separation directory; it is not created by the
/// package outside systemd.
const SSHD_PRIVSEP_DIR: &str = "/run/sshd";

/// `git` with none of this machine's or this user's settings, no prompts and no helpers
/// that could ask a person: what a test sees is then the server's doing.
pub fn git() -> Command {
    let mut c = Command::new("git");
    c.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_ASKPASS")
        .env_remove("SSH_ASKPASS")
        .env_remove("GIT_SSH")
        .env_remove("GIT_SSH_COMMAND")
        .env_remove("GIT_SSL_CAINFO")
        .env_remove("GIT_SSL_NO_VERIFY");
    c
}

/// An empty bare repository `root/name` whose HEAD is `main`, so that a clone of what is
/// pushed to `main` checks it out.
pub fn bare_repo(root: &Path, name: &str) -> PathBuf {
    let path = root.join(name);
    let mut c = git();
    c.args(["init", "--quiet", "--bare", "--initial-branch=main"])
        .arg(&path);
    must(c);
    path
}

/// A command of the harness that must succeed.
fn must(cmd: Command) -> Output {
    let what = format!("{cmd:?}");
    let o = timed(cmd);
    assert!(o.status.success(), "{what}:\n{}{}", stdout(&o), stderr(&o));
    o
}

/// None with a notice, or a failure where SOBES_REQUIRE_SERVERS asks for every server.
fn unavailable<T>(why: &str) -> Option<T> {
    assert!(
        std::env::var_os("SOBES_REQUIRE_SERVERS").is_none(),
        "{why}, and SOBES_REQUIRE_SERVERS asks for every loopback server"
    );
    eprintln!("NOTICE: {why}; the test of this server is skipped");
    None
}

/// Where git keeps its helper programs (git-daemon, git-http-backend, git-shell): they are
/// not on PATH in every installation.
fn git_program(name: &str) -> Option<PathBuf> {
    if !have_git() {
        return unavailable("there is no git program");
    }
    let mut c = git();
    c.arg("--exec-path");
    let dir = PathBuf::from(stdout(&must(c)).trim());
    let p = dir.join(name);
    if p.is_file() {
        Some(p)
    } else {
        unavailable(&format!("{} is missing", p.display()))
    }
}

/// A port nobody listens on now. Another process may take it before the server binds it:
/// [`Process::start`] then tries another.
fn free_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    l.local_addr().unwrap().port()
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// A server program listening on a loopback port, killed on drop.
struct Process {
    child: Child,
    port: u16,
}

impl Process {
    /// Starts `make(port)` on a free port, its output in `log`, and waits until the port
    /// answers (and, for sshd, sends its `banner`, so a stranger that took the port in
    /// between is not taken for it). A start that lost its port to someone else is tried on
    /// another; any other failure fails the test with the server's log.
    fn start(log: &Path, banner: &[u8], mut make: impl FnMut(u16) -> Command) -> Process {
        for _ in 0..5 {
            let port = free_port();
            let mut cmd = make(port);
            let out = std::fs::File::create(log).unwrap();
            cmd.stdin(Stdio::null())
                .stdout(out.try_clone().unwrap())
                .stderr(out);
            let what = format!("{cmd:?}");
            let child = cmd.spawn().unwrap_or_else(|e| panic!("{what}: {e}"));
            let mut p = Process { child, port };
            if p.answers(banner) {
                return p;
            }
            drop(p);
            let said = std::fs::read_to_string(log).unwrap_or_default();
            if !said.contains("in use") {
                panic!("{what} did not start:\n{said}");
            }
            eprintln!("port {port} was taken before the server bound it; another one");
        }
        panic!("no free port for the server five times in a row");
    }

    /// Whether the port answers (with `banner` first) before the process exits or
    /// [`LIMIT`] passes.
    fn answers(&mut self, banner: &[u8]) -> bool {
        let start = Instant::now();
        while start.elapsed() < LIMIT {
            if self.child.try_wait().unwrap().is_some() {
                return false;
            }
            let step = Duration::from_millis(20);
            if let Ok(mut s) = TcpStream::connect_timeout(&loopback(self.port), step) {
                let mut got = vec![0; banner.len()];
                s.set_read_timeout(Some(LIMIT)).unwrap();
                if s.read_exact(&mut got).is_ok() && got == banner {
                    return true;
                }
            }
            std::thread::sleep(step);
        }
        eprintln!(
            "the server did not answer on port {} in {LIMIT:?}",
            self.port
        );
        false
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- git daemon ------------------------------------------------------------------------------

/// `git daemon` serving every repository under a root over git://, pushes allowed.
///
/// The harness accepts the connections itself and starts one `git daemon --inetd` for each,
/// so the port is the harness's from the first moment (no race for it) and no daemon
/// outlives the test.
pub struct GitDaemon {
    port: u16,
    stop: Arc<AtomicBool>,
    children: Arc<Mutex<Vec<Child>>>,
    acceptor: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl GitDaemon {
    pub fn start(root: &Path) -> Option<GitDaemon> {
        let daemon = git_program("git-daemon")?;
        let dir = tempfile::tempdir().unwrap();
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let children = Arc::new(Mutex::new(Vec::new()));
        let mut serve = Command::new(daemon);
        serve
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            // --inetd would log to syslog: the log stays with the test instead.
            .args(["--inetd", "--export-all", "--enable=receive-pack"])
            .args(["--informative-errors", "--log-destination=stderr"])
            .arg(format!("--base-path={}", root.display()))
            .arg(root);
        let log = dir.path().join("daemon.log");
        let acceptor = {
            let (stop, children) = (stop.clone(), children.clone());
            std::thread::spawn(move || accept(listener, serve, &log, &stop, &children))
        };
        Some(GitDaemon {
            port,
            stop,
            children,
            acceptor: Some(acceptor),
            _dir: dir,
        })
    }

    /// `git://127.0.0.1:PORT/NAME` for the repository `root/NAME`.
    pub fn url(&self, name: &str) -> String {
        format!("git://127.0.0.1:{}/{name}", self.port)
    }
}

/// Gives each connection to a `git daemon --inetd` of its own, the socket as its standard
/// input and output, until `stop`.
fn accept(
    listener: TcpListener,
    mut serve: Command,
    log: &Path,
    stop: &AtomicBool,
    children: &Mutex<Vec<Child>>,
) {
    for conn in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(conn) = conn else { continue };
        let input = OwnedFd::from(conn.try_clone().unwrap());
        let err = std::fs::File::options()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        serve
            .stdin(Stdio::from(input))
            .stdout(Stdio::from(OwnedFd::from(conn)))
            .stderr(err);
        let child = serve.spawn().unwrap();
        // The command holds the socket until its standard streams are replaced: without
        // that the client would never see the end of the daemon's reply.
        serve.stdin(Stdio::null()).stdout(Stdio::null());
        let mut children = children.lock().unwrap();
        children.retain_mut(|c| c.try_wait().is_ok_and(|s| s.is_none()));
        children.push(child);
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // The acceptor waits in accept(): a connection of our own wakes it to see `stop`.
        if TcpStream::connect(loopback(self.port)).is_ok()
            && let Some(a) = self.acceptor.take()
        {
            let _ = a.join();
        }
        for c in self.children.lock().unwrap().iter_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
