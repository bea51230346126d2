//! A hub on a git server (issue 29): laptops sync through loopback servers the tests start
//! (git daemon, lighttpd running git http-backend), with the folder hub's promises: an empty
//! server is not a hub unless asked, a crafted branch is refused with nothing written, a
//! refused push is an error, a wrong token is tried once, a silent server ends the sync, and
//! no secret is remembered.

use crate::common::servers::{GitDaemon, HttpServer, SshServer, bare_repo};
use crate::common::{Env, Laptop, refused, stderr, stdout, timed};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// A laptop with a campaign of its own.
fn laptop(name: &'static str) -> Laptop {
    Laptop {
        env: Env::new(),
        name,
    }
}

/// A laptop that joins the campaign of the hub at `url`.
fn joined(url: &str, name: &'static str, env: &[(&str, &str)]) -> Laptop {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("c");
    let env_ = Env { home, dir };
    let mut c = env_.command();
    c.envs(env.iter().copied())
        .args(["new", env_.dir.to_str().unwrap(), "--from-hub", url]);
    let o = timed(c);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    Laptop { env: env_, name }
}

/// `sobes ARGS` on `laptop`'s campaign with `env` added.
fn run_with(laptop: &Laptop, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = laptop.env.command();
    c.envs(env.iter().copied())
        .arg("--campaign")
        .arg(&laptop.env.dir)
        .arg("--as")
        .arg(laptop.name)
        .args(args);
    timed(c)
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    stdout(&o)
}

fn answer(laptop: &Laptop, id: &str) -> String {
    std::fs::read_to_string(laptop.record(id)).unwrap()
}

#[test]
fn two_laptops_share_their_work_through_a_git_server() {
    let root = tempfile::tempdir().unwrap();
    let Some(server) = GitDaemon::start(root.path()) else {
        return;
    };
    bare_repo(root.path(), "hub.git");
    let url = server.url("hub.git");
    let a = laptop("Иванова А. А.");
    a.set("Уйский", "methodists", "4");
    let o = a.run(&["sync", &url]);
    refused(&o, "хранилище на сервере пусто");
    refused(&o, "--new-hub");
    let said = ok(a.run(&["sync", &url, "--new-hub"]));
    assert!(said.contains("создан новый узел"), "{said}");

    let b = joined(&url, "Петрова Б. Б.", &[]);
    assert!(answer(&b, "uysky-mr").contains("Number(4)"));
    b.set("Ашинский", "methodists", "7");
    ok(b.run(&["sync", &url]));
    let said = ok(a.run(&["sync", &url]));
    assert!(said.contains("Ашинский МР"), "{said}");
    for id in ["ashinsky-mr", "uysky-mr"] {
        assert_eq!(answer(&a, id), answer(&b, id), "{id}");
    }
    // The server's copy in the campaign's .git with a loose object cut (a killed sync): it
    // is a cache, thrown away unread and fetched again, and the sync ends.
    let copies = a.env.dir.join(".git/sobes-hubs");
    let copy = std::fs::read_dir(&copies)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let cut = sobes::boundary::loose_objects(&copy.join("objects"))
        .into_iter()
        .next()
        .expect("the identity's objects are loose in the copy")
        .0;
    let whole = std::fs::read(&cut).unwrap();
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    ok(a.run(&["sync", &url]));
    // Synced twice, nothing changes; the hub is remembered as typed.
    let said = ok(a.run(&["sync", &url]));
    assert!(said.contains("ничего нового"), "{said}");
    let config = std::fs::read_to_string(a.env.home().join("config/config.ron")).unwrap();
    assert!(config.contains(&url), "{config}");
}

/// A branch on the server with a file no campaign holds is refused, naming it, and the
/// campaign is as it was; a push the server declines is an error, not «ушло».
#[test]
fn a_crafted_branch_and_a_declined_push_change_nothing() {
    let root = tempfile::tempdir().unwrap();
    let Some(server) = GitDaemon::start(root.path()) else {
        return;
    };
    let bare = bare_repo(root.path(), "hub.git");
    let url = server.url("hub.git");
    let a = laptop("Иванова А. А.");
    a.set("Уйский", "methodists", "4");
    ok(a.run(&["sync", &url, "--new-hub"]));
    // A second branch whose name differs from this laptop's only by case: on Windows the two
    // are one file, so both are refused, named.
    let repo = git2::Repository::open_bare(&bare).unwrap();
    let own = repo.references_glob("refs/heads/devices/*").unwrap();
    let own = own.flatten().next().unwrap();
    let twin = own
        .name()
        .unwrap()
        .replace("devices/", "devices/X")
        .to_uppercase();
    let twin = twin.replace("REFS/HEADS/DEVICES/", "refs/heads/devices/");
    let other = own.name().unwrap().replace("devices/", "devices/x");
    repo.reference(&twin, own.target().unwrap(), true, "twin")
        .unwrap();
    repo.reference(&other, own.target().unwrap(), true, "twin")
        .unwrap();
    let o = a.run(&["sync", &url]);
    refused(&o, "только регистром");
    repo.find_reference(&twin).unwrap().delete().unwrap();
    repo.find_reference(&other).unwrap().delete().unwrap();
    crafted_branch(&bare, "devices/чужой", "run.sh");
    let before = crate::common::snapshot(&a.env.dir.join("municipalities"));
    let o = a.run(&["sync", &url]);
    refused(&o, "run.sh");
    assert_eq!(
        crate::common::snapshot(&a.env.dir.join("municipalities")),
        before
    );

    let hook = bare.join("hooks/pre-receive");
    std::fs::write(&hook, "#!/bin/sh\necho 'ветка защищена' >&2\nexit 1\n").unwrap();
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    a.set("Ашинский", "methodists", "2");
    let o = a.run(&["sync", &url]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        !stdout(&o).contains("ушло"),
        "a declined push said to have gone: {}",
        stdout(&o)
    );
    refused(&o, "сервер не принял");
    refused(&o, "ветка защищена");
    assert!(answer(&a, "ashinsky-mr").contains("Number(2)"));
}

/// Writes a branch `name` on the bare repository whose tree holds `file`.
fn crafted_branch(bare: &Path, name: &str, file: &str) {
    let repo = git2::Repository::open_bare(bare).unwrap();
    let blob = repo.blob(b"echo hi\n").unwrap();
    let mut tree = repo.treebuilder(None).unwrap();
    tree.insert(file, blob, 0o100644).unwrap();
    let tree = repo.find_tree(tree.write().unwrap()).unwrap();
    let who = git2::Signature::now("x", "x@x").unwrap();
    repo.commit(
        Some(&format!("refs/heads/{name}")),
        &who,
        &who,
        "x",
        &tree,
        &[],
    )
    .unwrap();
}

/// Over http with a password: a wrong token is said once, in Russian, and quickly; the
/// token `sobes hub login` stored is used; a token written into the address is never
/// remembered.
#[test]
fn tokens_over_http_are_tried_once_and_never_remembered() {
    let root = tempfile::tempdir().unwrap();
    let Some(server) = HttpServer::start(root.path(), false, Some(("anna", "верный-токен")))
    else {
        return;
    };
    bare_repo(root.path(), "hub.git");
    let url = server.url("hub.git").replace("://", "://anna@");
    let a = laptop("Иванова А. А.");
    a.set("Уйский", "methodists", "4");
    let started = Instant::now();
    let o = run_with(
        &a,
        &[("SOBES_HUB_TOKEN", "неверный")],
        &["sync", &url, "--new-hub"],
    );
    refused(&o, "сервер не принял вход");
    refused(&o, "переменная SOBES_HUB_TOKEN");
    assert!(started.elapsed() < Duration::from_secs(20));

    let mut login = a.env.command();
    login
        .args(["hub", "login", &url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = login.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all("верный-токен\n".as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    ok(a.run(&["sync", &url, "--new-hub"]));

    let with_secret = server
        .url("hub.git")
        .replace("://", "://anna:верный-токен@");
    let b = joined(&with_secret, "Петрова Б. Б.", &[]);
    let config = std::fs::read_to_string(b.env.home().join("config/config.ron")).unwrap();
    assert!(!config.contains("верный-токен"), "{config}");
    assert!(answer(&b, "uysky-mr").contains("Number(4)"));
}

/// A server that takes the connection and never answers ends the sync, said, with the
/// campaign as it was.
#[test]
fn a_silent_server_ends_the_sync() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let mut kept = Vec::new();
        for s in listener.incoming().take(4).flatten() {
            kept.push(s);
        }
        std::thread::sleep(Duration::from_secs(8));
    });
    let a = laptop("Иванова А. А.");
    let url = format!("git://127.0.0.1:{port}/hub.git");
    let started = Instant::now();
    let o = run_with(&a, &[("SOBES_HUB_TIMEOUT_MS", "1500")], &["sync", &url]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains(&url), "{}", stderr(&o));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    drop(held);
}

/// Over https with a certificate from the institute's own authority: refused, said, until the
/// authority is named (`SOBES_HUB_CA`), then the sync goes through.
#[test]
fn https_trusts_the_institutes_own_authority_only_when_named() {
    let root = tempfile::tempdir().unwrap();
    let Some(server) = HttpServer::start(root.path(), true, Some(("anna", "токен"))) else {
        return;
    };
    bare_repo(root.path(), "hub.git");
    let url = server.url("hub.git").replace("://", "://anna@");
    let a = laptop("Иванова А. А.");
    a.set("Уйский", "methodists", "4");
    let token = ("SOBES_HUB_TOKEN", "токен");
    let o = run_with(&a, &[token], &["sync", &url, "--new-hub"]);
    refused(&o, "сертификат сервера не подтверждён");
    let ca = server.ca_file().unwrap();
    let ca = ("SOBES_HUB_CA", ca.to_str().unwrap());
    ok(run_with(&a, &[token, ca], &["sync", &url, "--new-hub"]));
    let b = joined(&url, "Петрова Б. Б.", &[token, ca]);
    assert!(answer(&b, "uysky-mr").contains("Number(4)"));
}

/// Over ssh with the user's key: an unknown server is named by its fingerprint and nothing
/// is sent; once in known_hosts, the sync goes through.
#[test]
fn ssh_uses_the_users_key_and_known_hosts() {
    let root = tempfile::tempdir().unwrap();
    let Some(server) = SshServer::start(root.path()) else {
        return;
    };
    bare_repo(root.path(), "hub.git");
    let url = server.url("hub.git");
    let home = tempfile::tempdir().unwrap();
    let ssh = home.path().join(".ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    let key = ssh.join("id_ed25519");
    std::fs::copy(server.client_key(), &key).unwrap();
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let a = laptop("Иванова А. А.");
    a.set("Уйский", "methodists", "4");
    let env = [
        ("HOME", home.path().to_str().unwrap()),
        ("SSH_AUTH_SOCK", ""),
    ];
    let o = run_with(&a, &env, &["sync", &url, "--new-hub"]);
    refused(&o, "ключ ssh-сервера неизвестен");
    // The fingerprint as OpenSSH shows it, so it can be compared with the administrator's.
    let mut keygen = std::process::Command::new("ssh-keygen");
    keygen.arg("-l").arg("-f").arg(server.known_hosts());
    let listed = stdout(&timed(keygen));
    let fingerprint = listed.split_whitespace().nth(1).unwrap();
    assert!(fingerprint.starts_with("SHA256:"), "{listed}");
    refused(&o, &format!("отпечаток {fingerprint}"));
    std::fs::copy(server.known_hosts(), ssh.join("known_hosts")).unwrap();
    ok(run_with(&a, &env, &["sync", &url, "--new-hub"]));
    let b = joined(&url, "Петрова Б. Б.", &env);
    assert!(answer(&b, "uysky-mr").contains("Number(4)"));
}

/// A hub folder with a `:` in its path (as desktop mounts of network shares have) is still a
/// folder: never taken for an ssh address now that libgit2 speaks ssh.
#[test]
fn a_folder_with_a_colon_is_a_folder() {
    let a = laptop("Иванова А. А.");
    a.set("Уйский", "methodists", "4");
    let share = a.env.home().join("smb-share:server=nas,share=obmen");
    std::fs::create_dir_all(&share).unwrap();
    let hub = share.join("узел");
    let said = ok(a.run(&["sync", hub.to_str().unwrap(), "--new-hub"]));
    assert!(said.contains("создан новый узел"), "{said}");
    assert!(hub.join("HEAD").is_file());
    let b = joined(hub.to_str().unwrap(), "Петрова Б. Б.", &[]);
    assert!(answer(&b, "uysky-mr").contains("Number(4)"));
}

/// A server that drips a byte now and then never falls silent long enough for libgit2's
/// timeouts: the sync's own deadline stops it (the child is killed), with the campaign as
/// it was; Esc does the same.
#[test]
fn a_dripping_server_is_stopped_by_the_deadline_and_by_esc() {
    use sobes::sync::{Hub, Step, SyncError, Watch, sync_with};
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let dripping = stop.clone();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let stop = dripping.clone();
            std::thread::spawn(move || {
                // A packet of 4,080 bytes announced, then its bytes one by one.
                let _ = s.write_all(b"fff0");
                while !stop.load(Ordering::Relaxed) && s.write_all(b"x").is_ok() {
                    std::thread::sleep(Duration::from_millis(200));
                }
            });
        }
    });
    sobes::sync::transfer::use_program(Path::new(crate::common::BIN));
    let a = laptop("Иванова А. А.");
    a.set("Уйский", "methodists", "4");
    let before = crate::common::snapshot(&a.env.dir.join("municipalities"));
    let data = sobes::data::DataSet::load(&Default::default(), Some(&a.env.dir)).unwrap();
    let history = sobes::history::History::open(&a.env.dir, "ноутбук-а").unwrap();
    let url = PathBuf::from(format!("git://127.0.0.1:{port}/hub.git"));
    let target = Hub {
        folder: &url,
        create: true,
    };
    let started = Instant::now();
    let mut quiet = |_: &Step| {};
    let mut watch = Watch::new(&mut quiet).within(Duration::from_secs(3));
    let r = sync_with(&history, &a.env.dir, &target, &data, &mut watch);
    assert!(
        matches!(&r, Err(SyncError::Stopped { message, .. }) if message.contains("дольше")),
        "{r:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let flag = AtomicBool::new(false);
    let mut said = |s: &Step| {
        if matches!(s, Step::Fetching) {
            flag.store(true, Ordering::Relaxed);
        }
    };
    let mut watch = Watch::new(&mut said).cancelled_by(&flag);
    let r = sync_with(&history, &a.env.dir, &target, &data, &mut watch);
    assert!(
        matches!(&r, Err(SyncError::Stopped { message, .. }) if message.contains("отменена")),
        "{r:?}"
    );
    assert_eq!(
        crate::common::snapshot(&a.env.dir.join("municipalities")),
        before
    );
    stop.store(true, Ordering::Relaxed);
}
