//! Damaged files: each named with line, column and what was expected, never written.

use super::*;

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
