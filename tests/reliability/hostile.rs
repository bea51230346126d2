//! Protocol changes, newer versions, hostile ids and sizes, file permissions.

use super::*;
use crate::common::refused;

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
    refused(&o, "заметка слишком длинная");
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
