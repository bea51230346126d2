//! The harness's loopback git servers, each proved with the git program: a clone of an empty
//! hub, a commit pushed to it, and a second clone that has the commit; the doors that must
//! stay shut (a wrong password, an unknown certificate, a stranger's key) stay shut.

use crate::common::servers::{
    GitDaemon, HttpServer, SshServer, bare_repo, git, ssh_command, ssh_keygen,
};
use crate::common::{stderr, stdout, timed};
use std::path::Path;
use std::process::Output;

/// `git args` in `dir` with `env` added to the harness's isolated git.
fn run(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = git();
    c.current_dir(dir).envs(env.iter().copied()).args(args);
    timed(c)
}

/// `git args` that must succeed.
fn ok(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> String {
    let o = run(dir, env, args);
    assert!(
        o.status.success(),
        "git {args:?}:\n{}{}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// `git args` that must fail, saying `says`.
fn refused(dir: &Path, env: &[(&str, &str)], args: &[&str], says: &str) {
    let o = run(dir, env, args);
    assert!(!o.status.success(), "git {args:?} was let through");
    assert!(stderr(&o).contains(says), "git {args:?}:\n{}", stderr(&o));
}

/// Clones the empty hub at `url`, commits `files` on main and pushes them, then clones the
/// hub again: the new clone has them, byte for byte.
fn round_trip(url: &str, env: &[(&str, &str)], files: &[(&str, &[u8])]) {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    ok(w, env, &["clone", "--quiet", url, "a"]);
    let a = w.join("a");
    for (name, bytes) in files {
        std::fs::write(a.join(name), bytes).unwrap();
    }
    // Whatever branch the empty clone started on, the hub's HEAD is main.
    ok(&a, env, &["symbolic-ref", "HEAD", "refs/heads/main"]);
    ok(&a, env, &["add", "--all"]);
    ok(
        &a,
        env,
        &[&WHO[..], &["commit", "--quiet", "-m", "to the hub"]].concat(),
    );
    ok(&a, env, &["push", "--quiet", "origin", "main"]);
    ok(w, env, &["clone", "--quiet", url, "b"]);
    for (name, bytes) in files {
        let got = std::fs::read(w.join("b").join(name)).unwrap();
        assert!(got == *bytes, "{name} came back different from {url}");
    }
}

/// Who commits.
const WHO: [&str; 4] = ["-c", "user.name=Тест", "-c", "user.email=test@example.org"];

/// A small text file of a campaign.
const NOTE: (&str, &[u8]) = ("note.ron", "(answer: \"Да\")\n".as_bytes());

/// Bytes that do not compress: a pack of 2 MiB of them is larger than git's http.postBuffer
/// (1 MiB), so git sends it in a chunked request, which lighttpd must take for a CGI.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// `url` with `user:password@` before its host.
fn with_user(url: &str, user: &str, password: &str) -> String {
    url.replacen("://", &format!("://{user}:{password}@"), 1)
}

#[test]
fn git_daemon_takes_a_push_and_serves_it() {
    let root = tempfile::tempdir().unwrap();
    let Some(daemon) = GitDaemon::start(root.path()) else {
        return;
    };
    bare_repo(root.path(), "hub.git");
    round_trip(&daemon.url("hub.git"), &[], &[NOTE]);
    let nowhere = daemon.url("nowhere.git");
    refused(
        root.path(),
        &[],
        &["ls-remote", &nowhere],
        "no such repository",
    );
}

#[test]
fn http_takes_a_large_push_and_serves_it() {
    let root = tempfile::tempdir().unwrap();
    let Some(http) = HttpServer::start(root.path(), false, None) else {
        return;
    };
    bare_repo(root.path(), "hub.git");
    assert_eq!(http.ca_file(), None);
    let big = noise(2 << 20);
    round_trip(&http.url("hub.git"), &[], &[NOTE, ("big.bin", &big)]);
}

#[test]
fn https_with_a_password_takes_a_push_and_shuts_the_rest_out() {
    let root = tempfile::tempdir().unwrap();
    let Some(https) = HttpServer::start(root.path(), true, Some(("sobes", "s3cret"))) else {
        return;
    };
    let hub = bare_repo(root.path(), "hub.git");
    let ca = https.ca_file().unwrap();
    let ca = ca.to_str().unwrap();
    let trusted = [("GIT_SSL_CAINFO", ca)];
    let url = https.url("hub.git");
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    round_trip(&with_user(&url, "sobes", "s3cret"), &trusted, &[NOTE]);
    let tip = ok(&hub, &[], &["rev-parse", "main"]);

    let w = root.path();
    let wrong = with_user(&url, "sobes", "guess");
    refused(w, &trusted, &["ls-remote", &wrong], "Authentication failed");
    refused(w, &trusted, &["ls-remote", &url], "could not read Username");
    // git's own trust store does not know the test CA: the certificate is checked.
    let right = with_user(&url, "sobes", "s3cret");
    refused(w, &[], &["ls-remote", &right], "certificate");
    // A push with the wrong password changes nothing on the hub.
    let work = w.join("work");
    ok(w, &trusted, &["clone", "--quiet", &right, "work"]);
    let commit = ["commit", "--quiet", "--allow-empty", "-m", "not to the hub"];
    ok(&work, &[], &[&WHO[..], &commit].concat());
    refused(
        &work,
        &trusted,
        &["push", &wrong, "main"],
        "Authentication failed",
    );
    assert_eq!(ok(&hub, &[], &["rev-parse", "main"]), tip);
}

#[test]
fn ssh_lets_its_key_push_and_a_stranger_not() {
    let root = tempfile::tempdir().unwrap();
    let Some(sshd) = SshServer::start(root.path()) else {
        return;
    };
    bare_repo(root.path(), "hub.git");
    let command = sshd.ssh_command();
    let url = sshd.url("hub.git");
    round_trip(&url, &[("GIT_SSH_COMMAND", &command)], &[NOTE]);

    let stranger = root.path().join("stranger");
    ssh_keygen(&stranger);
    let command = ssh_command(&stranger, &sshd.known_hosts());
    let env = [("GIT_SSH_COMMAND", command.as_str())];
    refused(root.path(), &env, &["ls-remote", &url], "Permission denied");
}

/// sobes's own git, libgit2, against the same servers, as far as its build goes (git2 is
/// built without its https and ssh features): a push of a pack larger than one request
/// buffer (libgit2 sends pushes chunked) and a clone of it over git:// and over http:// with
/// a password (lighttpd replies chunked).
#[test]
fn libgit2_pushes_and_clones_over_git_and_http() {
    let root = tempfile::tempdir().unwrap();
    let Some(daemon) = GitDaemon::start(root.path()) else {
        return;
    };
    let Some(http) = HttpServer::start(root.path(), false, Some(("sobes", "s3cret"))) else {
        return;
    };
    bare_repo(root.path(), "daemon.git");
    bare_repo(root.path(), "http.git");
    libgit2_round_trip(&daemon.url("daemon.git"));
    libgit2_round_trip(&http.url("http.git"));
}

/// Like [`round_trip`], with libgit2 instead of the git program.
fn libgit2_round_trip(url: &str) {
    let work = tempfile::tempdir().unwrap();
    let a = git2::Repository::init(work.path().join("a")).unwrap();
    let big = noise(2 << 20);
    std::fs::write(work.path().join("a/big.bin"), &big).unwrap();
    let mut index = a.index().unwrap();
    index.add_path(Path::new("big.bin")).unwrap();
    let tree = a.find_tree(index.write_tree().unwrap()).unwrap();
    let me = git2::Signature::now("Тест", "test@example.org").unwrap();
    a.commit(Some("refs/heads/main"), &me, &me, "to the hub", &tree, &[])
        .unwrap();
    let mut push = git2::PushOptions::new();
    push.remote_callbacks(callbacks());
    a.remote_anonymous(url)
        .unwrap()
        .push(&["refs/heads/main:refs/heads/main"], Some(&mut push))
        .unwrap_or_else(|e| panic!("libgit2's push to {url}: {e}"));

    let mut fetch = git2::FetchOptions::new();
    fetch.remote_callbacks(callbacks());
    git2::build::RepoBuilder::new()
        .fetch_options(fetch)
        .clone(url, &work.path().join("b"))
        .unwrap_or_else(|e| panic!("libgit2's clone of {url}: {e}"));
    let got = std::fs::read(work.path().join("b/big.bin")).unwrap();
    assert!(got == big, "big.bin came back different from {url}");
}

/// The password of the http server, once: libgit2 asks again after each refusal (up to 15
/// times, GIT_HTTP_REPLAY_MAX), so a callback that always answers would knock 15 times with a
/// wrong password. A ref the server refused fails the push: libgit2 tells only this callback.
fn callbacks() -> git2::RemoteCallbacks<'static> {
    let mut asked = false;
    let mut c = git2::RemoteCallbacks::new();
    c.credentials(move |_, _, _| {
        if std::mem::replace(&mut asked, true) {
            return Err(git2::Error::from_str("the password was refused"));
        }
        git2::Cred::userpass_plaintext("sobes", "s3cret")
    });
    c.push_update_reference(|name, refused| match refused {
        Some(why) => Err(git2::Error::from_str(&format!("{name}: {why}"))),
        None => Ok(()),
    });
    c
}
