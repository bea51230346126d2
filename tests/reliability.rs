//! Nothing lost, nothing broken by bad input (issue 4): crash safety under SIGKILL, one
//! writer per campaign, damaged and hostile files, protocol changes, file permissions.
//! The terminal after a quit and after a forced panic is checked under tmux at the end.
//! Unix only: kills by signal, flock(1), permissions and tmux; Windows runs the portable
//! half of these promises in `tests/portable.rs`.

#![cfg(unix)]

use sobes::model::campaign::{Record, Value};
use sobes::model::source::{Origin, parse_ron};
use sobes::storage;
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};

mod common;
use common::{BIN, Env, snapshot, stderr, stdout};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn hostname() -> String {
    gethostname::gethostname()
        .to_string_lossy()
        .trim()
        .to_string()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// A small xorshift generator; the seed is printed so a failure can be replayed with
/// SOBES_TEST_SEED.
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let seed = std::env::var("SOBES_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("seed: SOBES_TEST_SEED={seed}");
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

// ---- crash safety -------------------------------------------------------------------------

#[test]
fn sigkill_during_set_loses_no_answer_that_was_confirmed() {
    let env = Env::new();
    let municipalities = [
        ("Уйский", "uysky-mr"),
        ("Каслинский", "kaslinsky-mr"),
        ("Агаповский", "agapovsky-mr"),
    ];
    let questions = ["other_proposals", "reserves_detail", "active_changes"];
    let keys: Vec<(&str, &str, &str)> = municipalities
        .iter()
        .flat_map(|(name, id)| questions.iter().map(move |q| (*name, *id, *q)))
        .collect();
    let spawn = |key: (&str, &str, &str), value: &str| {
        env.command()
            .arg("--campaign")
            .arg(&env.dir)
            .args(["--as", "Тест", "set", "--municipality", key.0])
            .args(["--question", key.2, "--value", value])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // How long an uninterrupted `set` takes, so kills land all over its run.
    let mut times = Vec::new();
    for (i, key) in keys.iter().take(5).enumerate() {
        let t = Instant::now();
        let o = env.set(key.0, key.2, &format!("разогрев {i}"));
        assert!(o.status.success(), "{}", stderr(&o));
        times.push(t.elapsed());
    }
    times.sort();
    let window = (times[2].as_micros() as u64 * 13 / 10).max(2_000);

    let mut rng = Rng::seeded();
    let mut attempts: Vec<usize> = Vec::new(); // attempt number → key index
    let mut last_success: BTreeMap<usize, usize> = BTreeMap::new(); // key → attempt
    let (mut kills, mut successes) = (0, 0);
    let started = Instant::now();
    while (kills < 200 || attempts.len() < 300) && attempts.len() < 3000 {
        let n = attempts.len();
        let k = rng.below(keys.len() as u64) as usize;
        attempts.push(k);
        let mut child = spawn(keys[k], &format!("попытка {n}"));
        std::thread::sleep(Duration::from_micros(rng.below(window)));
        let _ = child.kill(); // SIGKILL on unix
        let status = child.wait().unwrap();
        if status.success() {
            successes += 1;
            last_success.insert(k, n);
        } else if status.signal() == Some(9) {
            kills += 1;
        } else {
            let o = env.set(keys[k].0, keys[k].2, "проверка");
            panic!(
                "set failed without being killed ({status:?}); a rerun says: {}",
                stderr(&o)
            );
        }
    }
    eprintln!(
        "{} attempts, {kills} killed, {successes} succeeded, window {window} µs, {:?}",
        attempts.len(),
        started.elapsed()
    );
    assert!(
        kills >= 200,
        "only {kills} kills in {} attempts",
        attempts.len()
    );
    assert!(
        successes > 0,
        "no set ever finished: the window is too short"
    );

    // Every file parses, `check` passes.
    let campaign = env.load();
    let o = env.run(&["check"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("ошибок нет"), "{}", stdout(&o));
    // Every confirmed set is on disk, or a later attempt on the same answer replaced it.
    for (k, key) in keys.iter().enumerate() {
        let value = campaign.records[key.1].answers.value(key.2);
        let Some(&confirmed) = last_success.get(&k) else {
            continue;
        };
        let Some(Value::Text(text)) = value else {
            panic!(
                "{}/{}: confirmed attempt {confirmed} is lost: {value:?}",
                key.1, key.2
            );
        };
        let n: usize = text
            .strip_prefix("попытка ")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{}/{}: unexpected value {text}", key.1, key.2));
        assert_eq!(attempts[n], k, "{text} was an attempt on another answer");
        assert!(
            n >= confirmed,
            "{}/{}: confirmed attempt {confirmed} lost, disk has the older {n}",
            key.1,
            key.2
        );
    }
    // The backups beside the files are whole previous versions.
    for e in std::fs::read_dir(env.dir.join("municipalities")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "bak") {
            let text = std::fs::read_to_string(&p).unwrap();
            parse_ron::<Record>(&text, &Origin::from(p.as_path()))
                .unwrap_or_else(|e| panic!("backup damaged: {e}"));
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }
}

// ---- one writer ----------------------------------------------------------------------------

#[test]
fn a_second_writer_is_refused_naming_the_holder_readers_still_work() {
    let env = Env::new();
    assert!(env.set("Уйский", "licence", "yes").status.success());
    let before = snapshot(&env.dir);
    let lock = storage::Lock::acquire(&env.dir).unwrap();
    let holder = format!("процесс {} на {} с ", std::process::id(), hostname());

    let o = env.set("Уйский", "licence", "no");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(&holder), "{err}");
    assert!(err.contains("кампанию уже открыл другой sobes"), "{err}");
    // «с 24.11.2026 08:49»: since when, in local time.
    let since = err.split(&holder).nth(1).unwrap();
    let date: Vec<char> = since.chars().take(16).collect();
    assert!(
        date[2] == '.' && date[5] == '.' && date[10] == ' ' && date[13] == ':',
        "{err}"
    );

    let o = env.run(&[
        "--as",
        "Тест",
        "decide",
        "--municipality",
        "Уйский",
        "--dimension",
        "training",
        "--cluster",
        "1",
        "--reason",
        "так решили",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(&holder), "{}", stderr(&o));

    // The TUI is refused before it touches the terminal.
    let o = env.run(&["--as", "Тест"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(&holder), "{}", stderr(&o));
    assert!(
        o.stdout.is_empty(),
        "the terminal was touched: {:?}",
        stdout(&o)
    );

    // Readers do not need the lock.
    let o = env.run(&["status", "--tsv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("uysky-mr"));
    let o = env.run(&["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(snapshot(&env.dir), before, "a refused writer changed files");

    drop(lock);
    let o = env.set("Уйский", "licence", "no");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        env.load().records["uysky-mr"].answers.value("licence"),
        Some(&Value::Bool(false))
    );
}

#[test]
fn a_lock_held_by_another_process_blocks_until_it_dies_and_a_stale_file_never_blocks() {
    let env = Env::new();
    let lock_file = env.dir.join(storage::LOCK_FILE);
    std::fs::write(
        &lock_file,
        "процесс 4194303 на другой-ноутбук с 2022-09-14T10:00:00Z",
    )
    .unwrap();
    // A stale lock file from a dead process does not block.
    let o = env.set("Уйский", "licence", "yes");
    assert!(o.status.success(), "{}", stderr(&o));

    // Another process (flock(1), the same flock(2) lock sobes takes) holds it.
    if Command::new("flock").arg("--version").output().is_err() {
        eprintln!("flock(1) is not installed: the two-process half of this test is skipped");
        return;
    }
    std::fs::write(
        &lock_file,
        "процесс 777 на соседний-ноутбук с 2022-09-14T10:00:00Z",
    )
    .unwrap();
    let mut holder = Command::new("flock")
        .args(["--exclusive", "--no-fork"])
        .arg(&lock_file)
        .args(["sleep", "60"])
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let o = env.set("Уйский", "licence", "no");
        if !o.status.success() {
            assert!(
                stderr(&o).contains("процесс 777 на соседний-ноутбук с 2022-09-14T10:00:00Z"),
                "{}",
                stderr(&o)
            );
            break;
        }
        assert!(Instant::now() < deadline, "flock never took the lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    holder.kill().unwrap();
    holder.wait().unwrap();
    let o = env.set("Уйский", "licence", "no");
    assert!(o.status.success(), "{}", stderr(&o));
}

// ---- damaged files -------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Damage {
    Empty,
    Truncated,
    NotUtf8,
    Trailing,
}

impl Damage {
    const ALL: [Damage; 4] = [
        Damage::Empty,
        Damage::Truncated,
        Damage::NotUtf8,
        Damage::Trailing,
    ];

    /// The damaged bytes and what the message must say after `PATH:`.
    fn apply(self, good: &[u8]) -> (Vec<u8>, String) {
        let text = std::str::from_utf8(good).unwrap();
        match self {
            Damage::Empty => (Vec::new(), "1:1: файл пуст".into()),
            Damage::Truncated => {
                let mut cut = text.len() * 2 / 3;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                (good[..cut].to_vec(), "файл обрывается".into())
            }
            Damage::NotUtf8 => {
                let second_line = text.find('\n').unwrap() + 1;
                let mut bytes = good.to_vec();
                bytes.insert(second_line, 0xff);
                (bytes, "2:1: файл не в кодировке UTF-8".into())
            }
            Damage::Trailing => {
                // The parser points just after the closing bracket of the record.
                let end = text.trim_end();
                let line = end.matches('\n').count() + 1;
                let col = end.rsplit('\n').next().unwrap().chars().count() + 1;
                let mut text = text.to_string();
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                text.push_str("мусор)\n");
                (
                    text.into_bytes(),
                    format!("{line}:{col}: после конца записи есть лишний текст"),
                )
            }
        }
    }
}

/// A file sobes reads, how to make the command line read it, and whether `status` reads it.
struct Target {
    name: &'static str,
    file: PathBuf,
    args: Vec<String>,
    reader: Reader,
}

/// Which commands read a file besides `check`.
#[derive(Clone, Copy, PartialEq)]
enum Reader {
    /// `status`, `set` and the TUI.
    Everything,
    /// The TUI.
    Tui,
    /// `lists` and `export`.
    Annex,
}

fn targets(env: &Env) -> Vec<Target> {
    let extra = env.home().join("extra");
    std::fs::create_dir_all(&extra).unwrap();
    std::fs::create_dir_all(env.home().join("config")).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let copy = |from: &str, to: &Path| {
        std::fs::copy(repo.join(from), to).unwrap();
        to.to_path_buf()
    };
    let flag = |f: &str, p: &Path| vec![f.to_string(), p.display().to_string()];
    let registry = copy("data/municipalities.ron", &extra.join("registry.ron"));
    let protocol = copy("data/protocol.ron", &extra.join("protocol.ron"));
    let keymap = copy("keymaps/default.ron", &extra.join("keys.ron"));
    let config = env.home().join("config/config.ron");
    std::fs::write(
        &config,
        "Config(\n    reviewer: Some(\"Тест\"),\n    keymap: None,\n)\n",
    )
    .unwrap();
    vec![
        Target {
            name: "campaign.ron",
            file: env.dir.join("campaign.ron"),
            args: vec![],
            reader: Reader::Everything,
        },
        Target {
            name: "municipality file",
            file: env.record_file("uysky-mr"),
            args: vec![],
            reader: Reader::Everything,
        },
        Target {
            name: "--registry",
            file: registry.clone(),
            args: flag("--registry", &registry),
            reader: Reader::Everything,
        },
        Target {
            name: "registry.ron in the campaign",
            file: copy("data/municipalities.ron", &env.dir.join("registry.ron")),
            args: vec![],
            reader: Reader::Everything,
        },
        Target {
            name: "--protocol",
            file: protocol.clone(),
            args: flag("--protocol", &protocol),
            reader: Reader::Everything,
        },
        Target {
            name: "clusters.ron in the campaign",
            file: copy("data/clusters.ron", &env.dir.join("clusters.ron")),
            args: vec![],
            reader: Reader::Everything,
        },
        Target {
            name: "--keymap FILE",
            file: keymap.clone(),
            args: flag("--keymap", &keymap),
            reader: Reader::Tui,
        },
        Target {
            name: "user keymap",
            file: copy("keymaps/default.ron", &env.home().join("config/keymap.ron")),
            args: vec![],
            reader: Reader::Tui,
        },
        Target {
            name: "user config",
            file: config,
            args: vec![],
            reader: Reader::Everything,
        },
        Target {
            name: "annex.ron in the campaign",
            file: copy("data/annex.ron", &env.dir.join("annex.ron")),
            args: vec![],
            reader: Reader::Annex,
        },
    ]
}

#[test]
fn every_damaged_file_is_named_with_line_column_and_expectation_and_never_written() {
    let env = Env::new();
    assert!(env.set("Уйский", "licence", "yes").status.success());
    assert!(env.set("Уйский", "own_courses", "no").status.success());
    for target in targets(&env) {
        let good = std::fs::read(&target.file).unwrap();
        // The undamaged file works.
        let mut ok_args = target.args.clone();
        ok_args.push("check".into());
        let args: Vec<&str> = ok_args.iter().map(String::as_str).collect();
        let o = env.run(&args);
        assert!(o.status.success(), "{}: {}", target.name, stderr(&o));
        for damage in Damage::ALL {
            let (bad, expected) = damage.apply(&good);
            std::fs::write(&target.file, &bad).unwrap();
            let campaign_before = snapshot(&env.dir);
            let expect = |what: &str, o: &Output| {
                // `check` lists problems in the annex template on stdout.
                let err = format!("{}{}", stderr(o), stdout(o));
                let prefix = format!("{}:", target.file.display());
                let line = err
                    .lines()
                    .find(|l| l.contains(&prefix))
                    .unwrap_or_else(|| {
                        panic!(
                            "{} {damage:?} {what}: the file is not named:\n{err}",
                            target.name
                        )
                    });
                assert_eq!(
                    o.status.code(),
                    Some(1),
                    "{} {damage:?} {what}: {err}",
                    target.name
                );
                let rest = &line[line.find(&prefix).unwrap() + prefix.len()..];
                match damage {
                    Damage::Truncated => {
                        let mut parts = rest.splitn(3, ':');
                        let l: usize = parts.next().unwrap().parse().unwrap_or_else(|_| {
                            panic!("{} {damage:?} {what}: no line in {line}", target.name)
                        });
                        let c: usize = parts.next().unwrap().parse().unwrap();
                        assert!(l >= 1 && c >= 1, "{line}");
                        assert!(line.contains(&expected), "{} {what}: {line}", target.name);
                    }
                    _ => assert!(
                        rest.starts_with(&expected),
                        "{} {damage:?} {what}: expected «{expected}» in\n{line}",
                        target.name
                    ),
                }
            };
            let with = |cmd: &[&str]| {
                let mut all: Vec<&str> = target.args.iter().map(String::as_str).collect();
                all.extend_from_slice(cmd);
                env.run(&all)
            };
            if target.reader == Reader::Annex {
                expect("lists", &with(&["lists"]));
                let out = env.home().join("annex.md");
                let o = with(&["export", "--allow-incomplete", "-o", out.to_str().unwrap()]);
                expect("export", &o);
                assert!(!out.exists(), "exported from a damaged template");
            }
            // A campaign's own file with a history is healed by a write (nothing_lost.rs):
            // here only the readers, which name it and change nothing.
            let heals = ["campaign.ron", "municipality file"].contains(&target.name);
            if target.reader == Reader::Everything {
                expect("status", &with(&["status"]));
            }
            if target.reader == Reader::Everything && !heals {
                expect(
                    "set",
                    &with(&[
                        "--as",
                        "Т",
                        "set",
                        "--municipality",
                        "Уйский",
                        "--question",
                        "licence",
                        "--value",
                        "no",
                    ]),
                );
            }
            if target.reader != Reader::Annex && !heals {
                let tui = with(&["--as", "Тест"]);
                expect("TUI", &tui);
                assert!(
                    tui.stdout.is_empty(),
                    "{} {damage:?}: the TUI touched the terminal: {:?}",
                    target.name,
                    stdout(&tui)
                );
            }
            expect("check", &with(&["check"]));
            assert_eq!(
                std::fs::read(&target.file).unwrap(),
                bad,
                "{} {damage:?} was written",
                target.name
            );
            assert_eq!(
                snapshot(&env.dir),
                campaign_before,
                "{} {damage:?}",
                target.name
            );
        }
        std::fs::write(&target.file, &good).unwrap();
    }
}

#[test]
fn a_value_of_the_wrong_kind_says_what_was_expected() {
    let env = Env::new();
    let meta = env.dir.join("campaign.ron");
    let text = std::fs::read_to_string(&meta).unwrap();
    let title_line = text.lines().position(|l| l.contains("title:")).unwrap() + 1;
    let bad = text
        .lines()
        .map(|l| {
            if l.contains("title:") {
                "    title: 2022,"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&meta, &bad).unwrap();
    let o = env.run(&["status"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "{}:{title_line}:11: ожидалась строка",
            meta.display()
        )),
        "{err}"
    );

    let config = env.home().join("config/config.ron");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        "Config(\n    reviewer: Some(\"Тест\"),\n    keymap: Some(42),\n)\n",
    )
    .unwrap();
    let o = env.run(&["check"]);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}:3:", config.display())) && err.contains("ожидалась строка"),
        "{err}"
    );
    // Both damaged files at once.
    assert!(
        err.contains(&format!("{}:{title_line}:", meta.display())),
        "{err}"
    );

    // A misspelt variant lists the ones there are.
    std::fs::write(&meta, &text).unwrap();
    std::fs::write(&config, "Config(reviewer: Some(\"Тест\"))").unwrap();
    assert!(env.set("Уйский", "licence", "yes").status.success());
    let record = env.record_file("uysky-mr");
    let good = std::fs::read_to_string(&record).unwrap();
    let at = good.lines().position(|l| l.contains("Bool(true)")).unwrap() + 1;
    let line = good.lines().nth(at - 1).unwrap();
    let col = line[..line.find("Bool(true)").unwrap()].chars().count() + 1;
    std::fs::write(&record, good.replace("Bool(true)", "Bol(true)")).unwrap();
    let err = stderr(&env.run(&["status"]));
    assert!(
        err.contains(&format!(
            "{}:{at}:{col}: нет варианта «Bol» в «Value»; ожидалось одно из: «Bool», «Choice», «Choices», «Number», «Text»",
            record.display()
        )),
        "{err}"
    );
}

#[test]
fn check_lists_every_damaged_file_at_once_with_its_backup() {
    let env = Env::new();
    for v in ["yes", "no"] {
        assert!(env.set("Уйский", "licence", v).status.success());
    }
    assert!(env.set("Каслинский", "licence", "yes").status.success());
    let uysky = env.record_file("uysky-mr");
    let kasli = env.record_file("kaslinsky-mr");
    let meta = env.dir.join("campaign.ron");
    let config = env.home().join("config/config.ron");
    let registry = env.dir.join("registry.ron");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, "Config(reviewer: Some(\"Тест\"").unwrap();
    std::fs::write(&registry, "").unwrap();
    let annex = env.dir.join("annex.ron");
    std::fs::write(&annex, "  \n").unwrap();
    std::fs::write(&uysky, "Record(format: 1, id: \"uysky-mr\", answers: {").unwrap();
    std::fs::write(&kasli, b"Record(\n\xff)").unwrap();
    std::fs::write(&meta, "Meta(format: 1)").unwrap();
    let before = snapshot(env.home());

    let o = env.run(&["check"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for (file, what) in [
        (&config, ":1:"),
        (&registry, ":1:1: файл пуст"),
        (&annex, ":1:1: файл пуст"),
        (&uysky, ":1:"),
        (&kasli, ":2:1: файл не в кодировке UTF-8"),
        (&meta, ":1:15: не хватает поля «title» в «Meta»"),
    ] {
        assert!(
            err.contains(&format!("{}{what}", file.display())),
            "{what} {}:\n{err}",
            file.display()
        );
    }
    assert!(
        err.contains("повреждённых файлов и ошибок в данных: 6"),
        "{err}"
    );
    // Only the file saved twice has a previous version to go back to.
    let bak = storage::backup_path(&uysky);
    assert!(bak.is_file());
    assert!(
        err.contains(&format!(
            "резервная копия предыдущей версии: {}",
            bak.display()
        )),
        "{err}"
    );
    assert_eq!(err.matches("резервная копия").count(), 1, "{err}");
    let previous = std::fs::read_to_string(&bak).unwrap();
    let previous: Record = parse_ron(&previous, &Origin::Builtin("bak")).unwrap();
    assert_eq!(previous.answers.value("licence"), Some(&Value::Bool(true)));
    assert_eq!(snapshot(env.home()), before, "check wrote something");
}

// ---- protocol changes and newer files ------------------------------------------------------

#[test]
fn answers_to_removed_questions_survive_the_tui_and_are_reported() {
    let env = Env::new();
    std::fs::write(
        env.record_file("agapovsky-mr"),
        "Record(format: 1, id: \"agapovsky-mr\", answers: {\"old_question\": Answer(value: Some(Text(\"из прошлого протокола\")), by: \"А\", at: \"2022-09-14T10:00:00Z\")})",
    )
    .unwrap();
    let data = sobes::data::DataSet::load(&Default::default(), None).unwrap();
    let campaign = env.load();
    let keymap = sobes::tui::keymap::Keymap::builtin("default").unwrap();
    let mut app = sobes::tui::app::App::new(
        data,
        campaign,
        keymap,
        Some("Тест".into()),
        || "2026-09-14T10:00:00Z".to_string(),
        env.dir.clone(),
    );
    let mut io = sobes::tui::Io::new(
        env.dir.clone(),
        env.home().join("config/config.ron"),
        Default::default(),
        None,
    );
    assert_eq!(app.ctx.current, "agapovsky-mr");
    for key in ["enter", "1", "2"] {
        let event = sobes::tui::keys::Key::parse(key).unwrap().event();
        sobes::tui::step(
            &mut app,
            &mut io,
            ratatui::crossterm::event::Event::Key(event),
        );
    }
    let on_disk = env.load();
    let record = &on_disk.records["agapovsky-mr"];
    assert!(
        record.answers.0.len() >= 2,
        "the TUI saved nothing: {record:?}"
    );
    assert_eq!(
        record.answers.value("old_question"),
        Some(&Value::Text("из прошлого протокола".into()))
    );
    assert_eq!(on_disk, app.ctx.campaign);
    let o = env.run(&["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("agapovsky-mr.ron: answers.old_question: такого вопроса"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_file_from_a_newer_sobes_is_refused_with_the_version_it_needs() {
    let env = Env::new();
    assert!(env.set("Уйский", "licence", "yes").status.success());
    let record = env.record_file("uysky-mr");
    let text = std::fs::read_to_string(&record).unwrap();
    // A newer format may have fields this version does not know: still "newer", not "damaged".
    let newer = text.replace(
        "format: 1,",
        "format: 2,\n    signed_by: Panel(members: 3),",
    );
    std::fs::write(&record, &newer).unwrap();
    let before = snapshot(&env.dir);
    for args in [
        vec!["status"],
        vec!["check"],
        vec![
            "--as",
            "Т",
            "set",
            "--municipality",
            "Каслинский",
            "--question",
            "licence",
            "--value",
            "no",
        ],
        vec!["--as", "Т"],
    ] {
        let o = env.run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&o).contains(&format!(
                "{}: файл записан более новой версией sobes: нужен sobes, читающий формат 2",
                record.display()
            )),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    assert_eq!(snapshot(&env.dir), before);

    std::fs::write(&record, &text).unwrap();
    let meta = env.dir.join("campaign.ron");
    let m = std::fs::read_to_string(&meta).unwrap();
    std::fs::write(&meta, m.replace("format: 1,", "format: 3,")).unwrap();
    let o = env.run(&["status"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("читающий формат 3"), "{}", stderr(&o));
}

// ---- hostile files -------------------------------------------------------------------------

#[test]
fn ids_that_are_not_plain_names_are_refused_everywhere() {
    let env = Env::new();
    let ids = [
        "../evil",
        "a/b",
        "..",
        "x\\u{7}y",
        "x\\ny",
        "",
        "/etc/passwd",
        "Большой",
    ];
    let mut registry =
        String::from("Registry(region: \"Тест\", kinds: [\"ГО\"], municipalities: [\n");
    for (i, id) in ids.iter().enumerate() {
        registry.push_str(&format!(
            "  (id: \"{id}\", name: \"Город{i} ГО\", kind: \"ГО\", genitive: \"Города{i} ГО\"),\n"
        ));
    }
    registry.push_str("])\n");
    let file = env.home().join("registry.ron");
    std::fs::write(&file, &registry).unwrap();
    let o = env.run(&["--registry", file.to_str().unwrap(), "status"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for (i, id) in ids.iter().enumerate() {
        // A control character is shown escaped, never sent to the terminal.
        let shown = id.replace("\\n", "\n");
        assert!(
            err.contains(&format!("{}:{}:", file.display(), i + 2))
                && err.contains(&format!("id «{shown}» не годится как имя файла")),
            "{id:?}:\n{err}"
        );
    }

    // A record file whose id points elsewhere is refused, and nothing is written elsewhere.
    let evil = env.record_file("evil");
    std::fs::write(&evil, "Record(format: 1, id: \"../../evil\")").unwrap();
    let before = snapshot(env.home());
    let o = env.set("Уйский", "licence", "yes");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!(
            "{}: id «../../evil» внутри файла не совпадает",
            evil.display()
        )),
        "{}",
        stderr(&o)
    );
    assert_eq!(snapshot(env.home()), before);

    // The storage layer itself refuses to build a path from an unsafe id.
    for id in ["../x", "a/b", "..", "x\ny", "", "x\u{0}"] {
        assert!(storage::record_path(&env.dir, id).is_err(), "{id:?}");
        let err = storage::save_record(&env.dir, &Record::new(id)).unwrap_err();
        assert!(
            err.to_string().contains("не годится как имя файла"),
            "{err}"
        );
    }
    assert_eq!(snapshot(env.home()), before);
}

#[test]
fn oversized_files_are_refused_without_being_read() {
    let env = Env::new();
    let huge = 2 * 1024 * 1024 * 1024; // sparse: reading it whole would take long
    let meta = env.dir.join("campaign.ron");
    let registry = env.home().join("registry.ron");
    let keymap = env.home().join("keys.ron");
    for f in [&meta, &registry, &keymap] {
        std::fs::File::create(f).unwrap().set_len(huge).unwrap();
    }
    let t = Instant::now();
    let o = env.run(&["status"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!(
            "{}: файл слишком большой ({huge} байт, можно до {})",
            meta.display(),
            storage::MAX_FILE_BYTES
        )),
        "{}",
        stderr(&o)
    );
    let o = env.run(&[
        "--registry",
        registry.to_str().unwrap(),
        "--keymap",
        keymap.to_str().unwrap(),
        "check",
    ]);
    assert_eq!(o.status.code(), Some(1));
    for f in [&meta, &registry, &keymap] {
        assert!(
            stderr(&o).contains(&format!("{}: файл слишком большой", f.display())),
            "{}: {}",
            f.display(),
            stderr(&o)
        );
    }
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    // Just over the limit is refused as well; just under is read.
    std::fs::write(&meta, vec![b' '; storage::MAX_FILE_BYTES as usize + 1]).unwrap();
    assert!(stderr(&env.run(&["status"])).contains("файл слишком большой"));
    std::fs::write(&meta, vec![b' '; storage::MAX_FILE_BYTES as usize]).unwrap();
    assert!(stderr(&env.run(&["status"])).contains("файл пуст"));
}

#[test]
fn deep_nesting_and_long_texts_are_errors_not_crashes() {
    let env = Env::new();
    // Conditions nest: a file nesting them 200,000 deep must not overflow the stack.
    let file = env.home().join("clusters.ron");
    let depth = 200_000;
    let text = format!(
        "Dimensions([(id: \"x\", title: \"X\", clusters: [(number: 1, short: \"a\", meaning: \"b\")],\n rules: [(cluster: 1, when: {}Answered(\"licence\"){})])])",
        "Not(".repeat(depth),
        ")".repeat(depth)
    );
    std::fs::write(&file, text).unwrap();
    let o = env.run(&["--clusters", file.to_str().unwrap(), "status"]);
    assert_eq!(o.status.code(), Some(1), "{:?} {}", o.status, stderr(&o));
    assert!(
        stderr(&o).contains(&format!("{}:2:", file.display()))
            && stderr(&o).contains("слишком глубокая вложенность"),
        "{}",
        stderr(&o)
    );

    let long = "я".repeat(sobes::model::protocol::MAX_TEXT_CHARS + 1);
    let o = env.set("Уйский", "other_proposals", &long);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("слишком длинный"), "{}", stderr(&o));
    let o = env.run(&[
        "--as",
        "Т",
        "set",
        "--municipality",
        "Уйский",
        "--question",
        "licence",
        "--value",
        "yes",
        "--note",
        &long,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("заметка слишком длинная"),
        "{}",
        stderr(&o)
    );
    assert!(!env.record_file("uysky-mr").exists());
}

#[test]
fn campaign_files_and_directories_are_private() {
    let env = Env::new();
    assert_eq!(mode(&env.dir), 0o700);
    assert_eq!(mode(&env.dir.join("municipalities")), 0o700);
    assert_eq!(mode(&env.dir.join("campaign.ron")), 0o600);
    for v in ["yes", "no"] {
        assert!(env.set("Уйский", "licence", v).status.success());
    }
    let record = env.record_file("uysky-mr");
    for f in [
        record.clone(),
        storage::backup_path(&record),
        env.dir.join(storage::LOCK_FILE),
    ] {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    // The default campaign under SOBES_HOME (made by the first write), and the user config.
    let o = env.bare(&[
        "set",
        "--as",
        "Т",
        "--municipality",
        "Уйский",
        "--question",
        "licence",
        "--value",
        "yes",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let default = env.home().join("data/campaigns/default");
    for d in [
        env.home().join("data"),
        env.home().join("data/campaigns"),
        default.clone(),
        default.join("municipalities"),
    ] {
        assert_eq!(mode(&d), 0o700, "{}", d.display());
    }
    assert_eq!(mode(&default.join("campaign.ron")), 0o600);
    let config = env.home().join("config/config.ron");
    sobes::paths::Config::default().save(&config).unwrap();
    assert_eq!(mode(config.parent().unwrap()), 0o700);
    assert_eq!(mode(&config), 0o600);
}

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
