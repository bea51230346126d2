//! The terminal after a quit and after a forced panic, under tmux; a refused write.

use super::*;

// ---- the terminal after exit and after a panic (tmux) ---------------------------------------

/// A private tmux server running `sh` in a 200×50 pane; killed on drop.
struct Tmux {
    sock: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmux {
    /// None (with a notice) when tmux is not installed; CI, which installs it, sets
    /// SOBES_REQUIRE_TMUX so that a missing tmux fails there instead of passing unseen.
    fn start(env: &Env, vars: &[(&str, &str)]) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                std::env::var_os("SOBES_REQUIRE_TMUX").is_none(),
                "tmux is not on PATH, and SOBES_REQUIRE_TMUX asks for the terminal tests"
            );
            eprintln!("NOTICE: tmux is not on PATH; the terminal test is skipped");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let t = Tmux {
            sock: dir.path().join("s"),
            _dir: dir,
        };
        let mut c = Command::new("tmux");
        c.arg("-S")
            .arg(&t.sock)
            .args([
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                "200",
                "-y",
                "50",
                "sh",
            ])
            .env("SOBES_HOME", env.home())
            .env("LANG", "C.UTF-8")
            .env("PS1", "$ ")
            .env_remove("RUST_BACKTRACE")
            .env_remove("SOBES_TEST_PANIC")
            .env_remove("TMUX");
        for (k, v) in vars {
            c.env(k, v);
        }
        let o = c.output().unwrap();
        assert!(o.status.success(), "tmux: {}", stderr(&o));
        Some(t)
    }

    fn tmux(&self, args: &[&str]) -> String {
        let o = Command::new("tmux")
            .arg("-S")
            .arg(&self.sock)
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "tmux {args:?}: {}", stderr(&o));
        stdout(&o)
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-J", "-S", "-", "-t", "t"])
    }

    fn flag(&self, name: &str) -> String {
        self.tmux(&["display-message", "-p", "-t", "t", &format!("#{{{name}}}")])
            .trim()
            .to_string()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "t", k]);
        }
    }

    fn type_line(&self, line: &str) {
        self.tmux(&["send-keys", "-t", "t", "-l", line]);
        self.keys(&["Enter"]);
    }

    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            assert!(Instant::now() < deadline, "«{needle}» never appeared:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts sobes in the pane; after it exits the shell prints its exit code and the tty
    /// settings.
    fn run_sobes(&self, env: &Env) {
        self.type_line(&format!(
            "'{BIN}' --campaign '{}' --as Тест; echo EXIT=$?; stty -a; echo STTY-$((1+1))END",
            env.dir.display()
        ));
        self.wait_for("Муниципалитеты");
        assert_eq!(
            self.flag("alternate_on"),
            "1",
            "sobes did not take the screen"
        );
    }

    /// The terminal is as a shell needs it: cooked mode with echo, the normal screen, the
    /// cursor shown, no mouse reporting.
    fn assert_usable(&self, screen: &str) {
        let stty = &screen[screen.rfind("EXIT=").unwrap()..screen.rfind("STTY-2END").unwrap()];
        let flags: Vec<&str> = stty.split([' ', ';', '\n']).collect();
        for on in ["icanon", "echo", "isig", "icrnl", "opost"] {
            assert!(
                flags.contains(&on),
                "{on} is off: raw mode left on:\n{stty}"
            );
        }
        assert_eq!(
            self.flag("alternate_on"),
            "0",
            "still on the alternate screen"
        );
        assert_eq!(self.flag("cursor_flag"), "1", "cursor hidden");
        assert_eq!(self.flag("mouse_any_flag"), "0", "mouse capture left on");
        assert_eq!(self.flag("pane_current_command"), "sh");
        // The shell still reads and echoes what is typed.
        self.type_line("echo ПРОВЕРКА-$((40+2))");
        self.wait_for("ПРОВЕРКА-42");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.sock)
            .arg("kill-server")
            .output();
    }
}

#[test]
fn the_terminal_is_usable_after_sobes_quits_and_a_second_sobes_is_refused_meanwhile() {
    let env = Env::new();
    let Some(tmux) = Tmux::start(&env, &[]) else {
        return;
    };
    tmux.run_sobes(&env);
    // The running TUI holds the campaign.
    let o = env.set("Уйский", "licence", "yes");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("кампанию уже открыл другой sobes (процесс "),
        "{err}"
    );
    assert!(
        !err.contains(&format!("процесс {} ", std::process::id())),
        "{err}"
    );
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("STTY-2END");
    assert!(screen.contains("EXIT=0"), "{screen}");
    tmux.assert_usable(&screen);
    // The lock went with the process.
    assert!(env.set("Уйский", "licence", "yes").status.success());
}

#[test]
fn after_a_forced_panic_the_terminal_is_usable_the_report_written_and_answers_kept() {
    let env = Env::new();
    let Some(tmux) = Tmux::start(&env, &[("SOBES_TEST_PANIC", "1")]) else {
        return;
    };
    tmux.run_sobes(&env);
    // Answer the first question of the first municipality, then crash.
    tmux.keys(&["Enter"]);
    tmux.wait_for("Вопросы · Агаповский МР");
    tmux.keys(&["1"]);
    tmux.wait_for("сохранено");
    tmux.keys(&["F12"]);
    let screen = tmux.wait_for("STTY-2END");
    assert!(screen.contains("EXIT=101"), "{screen}");
    tmux.assert_usable(&screen);
    let state = env.home().join("state");
    let line = screen
        .lines()
        .find(|l| l.contains("sobes: внутренняя ошибка. Все ответы до неё сохранены. Отчёт: "))
        .unwrap_or_else(|| panic!("no report line:\n{screen}"));
    let report = PathBuf::from(line.rsplit("Отчёт: ").next().unwrap().trim());
    assert!(report.starts_with(&state), "{}", report.display());
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains("SOBES_TEST_PANIC"), "{text}");
    assert_eq!(mode(&report), 0o600);
    // The answer given before the crash is on disk, the campaign whole.
    let campaign = env.load();
    assert!(
        !campaign.records["agapovsky-mr"].answers.0.is_empty(),
        "the answer before the crash is lost"
    );
    let o = env.run(&["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// A save the file system refuses (here a file-size limit of 512 bytes, as a full disk
/// would) says why and never «сохранён»; the record and the history stay as they were, and
/// the next save where there is room works.
#[test]
fn a_write_the_disk_refuses_is_never_said_saved() {
    let env = Env::new();
    assert!(env.set("Уйский", "methodists", "3").status.success());
    let record = env.record_file("uysky-mr");
    // The campaign's files and its branch (libgit2 may refresh its index as it opens).
    let kept = |dir: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        let mut s = snapshot(dir);
        s.retain(|(p, _)| {
            !p.to_string_lossy().contains(".git/") || p.ends_with("refs/heads/sobes")
        });
        s
    };
    let before = kept(&env.dir);
    let note = "длинная заметка ".repeat(40);
    let o = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 1; exec \"$0\" \"$@\"")
        .arg(BIN)
        .args(["--campaign", env.dir.to_str().unwrap(), "--as", "Т"])
        .args([
            "set",
            "--municipality",
            "Уйский",
            "--question",
            "methodists",
        ])
        .args(["--value", "4", "--note", &note])
        .env("SOBES_HOME", env.home())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let said = format!("{}{}", stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&record.display().to_string()) && !said.contains("сохранён"),
        "{said}"
    );
    assert!(!said.contains("= 4"), "{said}");
    assert!(
        kept(&env.dir) == before,
        "the campaign or its branch changed"
    );
    let o = env.set("Уйский", "methodists", "4");
    assert!(o.status.success(), "{}", stderr(&o));
}

/// At a terminal, a server that refuses the login asks for a token once, typed unseen; it is
/// stored for the user, the sync goes through, and the terminal echoes again afterwards.
#[test]
fn a_refused_login_at_a_terminal_asks_for_the_token_unseen() {
    let root = tempfile::tempdir().unwrap();
    let Some(server) =
        common::servers::HttpServer::start(root.path(), false, Some(("anna", "s3cr3t")))
    else {
        return;
    };
    common::servers::bare_repo(root.path(), "hub.git");
    let env = Env::new();
    let Some(tmux) = Tmux::start(&env, &[]) else {
        return;
    };
    let url = server.url("hub.git").replace("://", "://anna@");
    tmux.type_line(&format!(
        "'{BIN}' --campaign '{}' --as Тест sync '{url}' --new-hub; echo EXIT=$?; stty -a; echo STTY-$((1+1))END",
        env.dir.display()
    ));
    tmux.wait_for("не показывается");
    tmux.type_line("s3cr3t");
    let screen = tmux.wait_for("STTY-2END");
    assert!(screen.contains("создан новый узел"), "{screen}");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(!screen.contains("s3cr3t"), "the token was shown:\n{screen}");
    assert!(
        screen.contains(" echo ") && screen.contains(" icanon"),
        "{screen}"
    );
    let tokens = env
        .home()
        .join("config")
        .join(sobes::sync::tokens::TOKENS_FILE);
    assert!(std::fs::read_to_string(tokens).unwrap().contains("s3cr3t"));
}

/// At a terminal, an ssh server whose key this computer does not know is named by its
/// fingerprint and trusted only when the user says so: then its key is in the user's
/// known_hosts and the sync goes through.
#[test]
fn an_unknown_ssh_server_is_trusted_only_when_the_user_says_so() {
    let root = tempfile::tempdir().unwrap();
    let Some(server) = common::servers::SshServer::start(root.path()) else {
        return;
    };
    common::servers::bare_repo(root.path(), "hub.git");
    let home = tempfile::tempdir().unwrap();
    let ssh = home.path().join(".ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    let key = ssh.join("id_ed25519");
    std::fs::copy(server.client_key(), &key).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let env = Env::new();
    let vars = [
        ("HOME", home.path().to_str().unwrap()),
        ("SSH_AUTH_SOCK", ""),
    ];
    let Some(tmux) = Tmux::start(&env, &vars) else {
        return;
    };
    let url = server.url("hub.git");
    let sync = format!(
        "'{BIN}' --campaign '{}' --as Тест sync '{url}' --new-hub; echo EXIT=$?",
        env.dir.display()
    );
    tmux.type_line(&sync);
    tmux.wait_for("доверять этому серверу");
    tmux.type_line("н");
    // The typed line holds «EXIT=$?»: only the shell's answer holds the code.
    tmux.wait_for("EXIT=1");
    assert!(!ssh.join("known_hosts").exists(), "trusted without a yes");
    tmux.type_line("clear");
    tmux.type_line(&format!("{sync}; echo DONE-$((1+1))"));
    tmux.wait_for("доверять этому серверу");
    tmux.type_line("д");
    let screen = tmux.wait_for("DONE-2");
    assert!(screen.contains("создан новый узел"), "{screen}");
    assert!(screen.contains("EXIT=0"), "{screen}");
    let known = std::fs::read_to_string(ssh.join("known_hosts")).unwrap();
    let port = url.split(':').nth(2).unwrap().split('/').next().unwrap();
    assert!(
        known.starts_with(&format!("[127.0.0.1]:{port} ssh-")),
        "{known}"
    );
}

/// At a terminal, a key protected by a passphrase: the passphrase is asked for, typed unseen,
/// used for this sync and kept nowhere.
#[test]
fn a_keys_passphrase_is_asked_at_a_terminal_and_kept_nowhere() {
    let root = tempfile::tempdir().unwrap();
    let Some(server) = common::servers::SshServer::start(root.path()) else {
        return;
    };
    common::servers::bare_repo(root.path(), "hub.git");
    let home = tempfile::tempdir().unwrap();
    let ssh = home.path().join(".ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    let key = ssh.join("id_ed25519");
    std::fs::copy(server.client_key(), &key).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::copy(server.known_hosts(), ssh.join("known_hosts")).unwrap();
    let public = server.client_key().with_extension("pub");
    std::fs::copy(&public, ssh.join("id_ed25519.pub")).unwrap();
    let mut protect = Command::new("ssh-keygen");
    protect.args(["-q", "-p", "-N", "k3y-pass", "-f"]).arg(&key);
    assert!(common::timed(protect).status.success());
    let env = Env::new();
    let vars = [
        ("HOME", home.path().to_str().unwrap()),
        ("SSH_AUTH_SOCK", ""),
    ];
    let Some(tmux) = Tmux::start(&env, &vars) else {
        return;
    };
    tmux.type_line(&format!(
        "'{BIN}' --campaign '{}' --as Тест sync '{}' --new-hub; echo EXIT=$?; echo DONE-$((1+1))",
        env.dir.display(),
        server.url("hub.git")
    ));
    tmux.wait_for("пароль ключа ssh");
    tmux.type_line("k3y-pass");
    let screen = tmux.wait_for("DONE-2");
    assert!(screen.contains("создан новый узел"), "{screen}");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(!screen.contains("k3y-pass"), "{screen}");
    let config = std::fs::read_to_string(env.home().join("config/config.ron")).unwrap();
    assert!(!config.contains("k3y-pass"), "{config}");
}
