//! Records changed on disk, the sync key and the conflicts screen.

use super::*;

/// A record replaced on disk while the TUI is open (a colleague's file copied in) is not
/// overwritten: a change to another field is added on top of it; the same field changed in
/// both places is shown with both values and the user chooses.
#[test]
fn a_record_changed_on_disk_is_never_overwritten_blind() {
    let mut h = harness("default", Some("Тест"));
    let data = h.app.ctx.data.clone();
    let outside = |h: &Harness, question: &str, value: Value| {
        let dir = &h.io.campaign_dir;
        let mut r = storage::load(dir, &data.registry).unwrap().records["agapovsky-mr"].clone();
        let stamp = sobes::model::change::Stamp {
            by: "Коллега".into(),
            at: clock(),
        };
        let c = sobes::model::change::Change::answer(&r, question, Some(value), &stamp);
        r = sobes::model::change::apply(&r, &c, &data.protocol, &data.dimensions).unwrap();
        storage::save_record(dir, &r).unwrap();
    };
    h.key(KeyCode::Enter);
    h.keys("1"); // org_form = centre, saved; now on licence
    outside(&h, "methodists", Value::Number(7));
    h.keys("1"); // licence = yes: another field, added on top
    let dir = h.io.campaign_dir.clone();
    let disk = || storage::load(&dir, &data.registry).unwrap().records["agapovsky-mr"].clone();
    let r = disk();
    assert_eq!(
        r.answers.value("methodists"),
        Some(&Value::Number(7)),
        "the colleague's answer stays"
    );
    assert_eq!(r.answers.value("licence"), Some(&Value::Bool(true)));
    assert_eq!(h.app.ctx.current_record(), r, "memory follows the disk");

    // The same field on both sides: asked, with both values.
    outside(&h, "own_courses", Value::Bool(false));
    assert_eq!(h.question(), "own_courses");
    h.keys("1"); // own_courses = yes here, no on disk
    match h.app.overlay() {
        Some(Overlay::Picker(p)) => {
            assert!(
                p.items[0].contains("нет") && p.items[1].contains("да"),
                "{:?}",
                p.items
            )
        }
        other => panic!("{other:?}"),
    }
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter); // keep mine
    let r = disk();
    assert_eq!(r.answers.value("own_courses"), Some(&Value::Bool(true)));
    assert_eq!(r.answers.value("methodists"), Some(&Value::Number(7)));
    assert_eq!(h.app.ctx.current_record(), r);
    assert!(h.app.ctx.unsaved.is_empty());
}

/// One key syncs: the hub is asked for once, then remembered; what came in is in the list,
/// and a municipality with an open conflict says so in its row.
#[test]
fn one_key_syncs_and_conflicts_show_in_the_list() {
    let mut h = harness("default", Some("Тест"));
    let dir = h.io.campaign_dir.clone();
    h.io.history = Some(sobes::history::History::open(&dir, "ноутбук-1").unwrap());
    h.io.config_file = dir.parent().unwrap().join("config.ron");
    let hub = dir.parent().unwrap().join("узел");
    h.keys("s");
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Prompt(_))),
        "the hub is asked for"
    );
    step(
        &mut h.app,
        &mut h.io,
        Event::Paste(hub.display().to_string()),
    );
    h.key(KeyCode::Enter);
    assert!(!hub.exists(), "no hub is made before the user says so");
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Confirm(_))),
        "a folder with no hub: asked whether to make one"
    );
    h.keys("y");
    let (message, error) = h.app.ctx.message.clone().unwrap();
    assert!(
        !error && message.contains("создан новый узел синхронизации"),
        "{message}"
    );
    assert!(hub.join("HEAD").exists(), "a bare repository in the folder");
    h.keys("s");
    assert!(
        h.app.overlay().is_none(),
        "remembered: no question the second time"
    );
    let (message, _) = h.app.ctx.message.clone().unwrap();
    assert!(message.contains("пришло: ничего нового"), "{message}");
    // Each step is on the status line, and drawn, before it starts.
    let mut seen = Vec::new();
    h.io.sync(&mut h.app, hub.clone(), false, |app| {
        seen.push(app.ctx.message.clone().unwrap().0)
    });
    let steps = [
        "синхронизация с ",
        "получение с узла",
        "отправка на узел",
        "подсчёт открытых конфликтов",
    ];
    let at: Vec<Option<usize>> = steps
        .iter()
        .map(|s| seen.iter().position(|m| m.contains(s)))
        .collect();
    assert!(
        at.iter().all(Option::is_some) && at.windows(2).all(|w| w[0] < w[1]),
        "{seen:?}"
    );
    let (message, _) = h.app.ctx.message.clone().unwrap();
    assert!(message.contains("открытых конфликтов: 0"), "{message}");
    let config = std::fs::read_to_string(&h.io.config_file).unwrap();
    assert!(config.contains("узел"), "{config}");

    // The stick pulled out: `s` says the hub is unavailable and makes nothing.
    std::fs::rename(&hub, dir.parent().unwrap().join("вынута")).unwrap();
    h.keys("s");
    let (message, error) = h.app.ctx.message.clone().unwrap();
    assert!(error && message.contains("недоступен"), "{message}");
    assert!(
        h.app.overlay().is_none(),
        "a remembered hub is not offered to be made"
    );
    assert!(!hub.exists(), "nothing made on the laptop's disk");

    // A record with an open conflict (as a sync leaves it) is marked in the list.
    let file = dir.join("municipalities/agapovsky-mr.ron");
    std::fs::write(
        &file,
        "Record(format: 1, id: \"agapovsky-mr\", answers: {\"methodists\": Answer(value: Some(Number(4)), by: \"А\", at: \"2026-09-14T10:00:00Z\")}, conflicts: [(field: Answer(\"methodists\"), versions: [(held: Value(Some(Number(4))), by: \"А\", at: \"2026-09-14T10:00:00Z\", device: \"a\"), (held: Value(Some(Number(6))), by: \"Б\", at: \"2026-09-14T10:01:00Z\", device: \"b\")])])",
    )
    .unwrap();
    let (mut app, _) = open(&dir, "default", Some("Тест"));
    let mut t = Terminal::new(TestBackend::new(100, 20)).unwrap();
    t.draw(|f| view::draw(f, &mut app)).unwrap();
    let screen: String = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("конфликт 1"), "{screen}");
}

/// The sync runs off the drawing thread: while it runs no key but Esc acts, Esc stops it
/// (or comes too late and says so), and the loop takes its end when it comes; past its
/// deadline it stops on its own with nothing changed.
#[test]
fn a_sync_runs_beside_the_screen_and_esc_stops_it() {
    let mut h = harness("default", Some("Тест"));
    let dir = h.io.campaign_dir.clone();
    h.io.history = Some(sobes::history::History::open(&dir, "ноутбук-1").unwrap());
    h.io.config_file = dir.parent().unwrap().join("config.ron");
    let hub = dir.parent().unwrap().join("узел");
    h.io.sync(&mut h.app, hub.clone(), true, |_| {});
    assert!(hub.join("HEAD").exists());
    let first = h.app.ctx.current.clone();
    // The screen as drawn last before the loop was told to quit.
    let key = |code| Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
    let run = |h: &mut Harness, script: Vec<Event>| -> String {
        let mut t = Terminal::new(TestBackend::new(400, 24)).unwrap();
        let mut script = script.into_iter();
        let started = std::time::Instant::now();
        sobes::tui::run_loop(&mut t, &mut h.app, &mut h.io, |timeout| {
            assert!(started.elapsed().as_secs() < 30, "the sync never ended");
            if let Some(e) = script.next() {
                return Ok(Some(e));
            }
            // Busy (the sync runs) the loop waits with a timeout; idle, it is told to quit.
            Ok(match timeout {
                Some(_) => {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    None
                }
                None => Some(Event::Key(KeyEvent::new(
                    KeyCode::Char('q'),
                    KeyModifiers::NONE,
                ))),
            })
        })
        .unwrap();
        let cells = t.backend().buffer().content().iter();
        cells.map(|c| c.symbol()).collect()
    };
    let message = run(
        &mut h,
        vec![
            key(KeyCode::Char('s')),
            key(KeyCode::Down),
            key(KeyCode::Esc),
        ],
    );
    assert_eq!(h.app.ctx.current, first, "↓ during the sync did nothing");
    assert!(
        message.contains("синхронизация отменена") || message.contains("остановить не успели"),
        "{message}"
    );
    assert!(
        h.io.history.is_some(),
        "the history came back from the sync"
    );
    h.io.sync_limit = std::time::Duration::ZERO;
    let refs = common_snapshot(&hub.join("refs"));
    // No Esc this time: the deadline alone stops it.
    let message = run(&mut h, vec![key(KeyCode::Char('s'))]);
    let words = message.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(message.contains("шла дольше"), "{words}");
    assert_eq!(common_snapshot(&hub.join("refs")), refs);
}

fn common_snapshot(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                todo.push(e.path());
            } else {
                out.push((e.path(), std::fs::read(e.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The conflicts screen shows each version with who and which device; a digit keeps one,
/// after a reason, and the conflict is gone from the record on disk.
#[test]
fn a_conflict_is_resolved_on_its_screen_with_a_reason() {
    let h = harness("default", Some("Тест"));
    let dir = h.io.campaign_dir.clone();
    std::fs::write(
        dir.join("municipalities/agapovsky-mr.ron"),
        "Record(format: 1, id: \"agapovsky-mr\", answers: {\"methodists\": Answer(value: Some(Number(4)), by: \"Анна\", at: \"2026-09-14T10:00:00Z\")}, conflicts: [(field: Answer(\"methodists\"), versions: [(held: Value(Some(Number(4))), by: \"Анна\", at: \"2026-09-14T10:00:00Z\", device: \"ноутбук-1\"), (held: Value(Some(Number(6))), by: \"Борис\", at: \"2026-09-14T10:01:00Z\", device: \"ноутбук-2\")])])",
    )
    .unwrap();
    let mut h = h.reopened();
    h.keys("K");
    assert_eq!(h.app.screen, Screen::Conflicts);
    let s = h.screen(100, 20);
    assert!(s.contains("Агаповский МР: ответ «Сколько человек"), "{s}");
    assert!(
        s.contains("1 «4» — Анна") && s.contains("2 «6» — Борис") && s.contains("ноутбук-2"),
        "{s}"
    );
    h.keys("2");
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Prompt(_))),
        "a reason is asked"
    );
    h.keys("так в протоколе заседания");
    h.key(KeyCode::Enter);
    let on_disk = storage::load(&dir, &h.app.ctx.data.registry).unwrap();
    let r = &on_disk.records["agapovsky-mr"];
    assert_eq!(r.answers.value("methodists"), Some(&Value::Number(6)));
    assert!(r.conflicts.is_empty());
    assert!(h.screen(100, 20).contains("Открытых конфликтов нет"));
}

/// A campaign field two laptops changed differently is on the conflicts screen too, with
/// both versions and where to decide it; setting the field on the letter screen decides it.
#[test]
fn a_campaign_field_in_conflict_is_shown_and_decided_on_the_letter_screen() {
    let h = harness("default", Some("Тест"));
    let dir = h.io.campaign_dir.clone();
    let file = dir.join("campaign.ron");
    let mut meta: sobes::model::campaign::Meta =
        ron::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    meta.conflicts
        .push(field_conflict("start", "2026-09-14", "2026-09-15"));
    std::fs::write(&file, storage::to_ron(&meta)).unwrap();
    let mut h = h.reopened();
    h.keys("K");
    let s = h.screen(100, 20);
    assert!(
        s.contains("Кампания: поле «start»")
            && s.contains("2 «2026-09-15» — ноутбук ноутбук-2")
            && !s.contains("Открытых конфликтов нет"),
        "{s}"
    );
    let mut decided = h.app.ctx.campaign.meta.clone();
    decided.set("start", "16.09.2026").unwrap();
    assert!(decided.conflicts.is_empty(), "setting the field decides it");
    // On the letter screen the row says so, and setting it there decides it on disk.
    h.key(KeyCode::Esc);
    h.keys("L");
    let s = h.screen(110, 30);
    assert!(
        s.contains("⚠ конфликт: «2026-09-14» или «2026-09-15»"),
        "{s}"
    );
    h.key(KeyCode::Enter);
    h.replace_prompt("16.09.2026");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("2026-09-16") && !text.contains("conflicts"),
        "{text}"
    );
    assert!(!h.screen(110, 30).contains("⚠ конфликт"));
    // The last row (the campaign's title) comes into view on a small terminal.
    h.key(KeyCode::End);
    let s = h.screen(60, 16);
    assert!(s.contains("название кампании"), "{s}");
}

/// A campaign field two laptops set differently: `a` on «ноутбук-1», `b` on «ноутбук-2».
fn field_conflict(field: &str, a: &str, b: &str) -> sobes::model::campaign::FieldConflict {
    sobes::model::campaign::FieldConflict {
        field: field.into(),
        versions: [(a, "ноутбук-1"), (b, "ноутбук-2")]
            .into_iter()
            .map(|(value, device)| sobes::model::campaign::FieldVersion {
                value: value.into(),
                device: device.into(),
            })
            .collect(),
    }
}

/// A campaign field in conflict is decided on the conflicts screen itself: a digit keeps that
/// version, `e` types a new one (checked as on the letter screen); either is written.
#[test]
fn a_campaign_field_in_conflict_is_decided_on_the_conflicts_screen() {
    let h = harness("default", Some("Тест"));
    let file = h.io.campaign_dir.join("campaign.ron");
    let mut meta: sobes::model::campaign::Meta =
        ron::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    meta.start = Some("2026-09-14".into());
    meta.end = Some("2026-09-28".into());
    meta.conflicts
        .push(field_conflict("start", "2026-09-14", "2026-09-15"));
    meta.conflicts
        .push(field_conflict("end", "2026-09-28", "2026-09-29"));
    std::fs::write(&file, storage::to_ron(&meta)).unwrap();
    let mut h = h.reopened();
    h.keys("K");
    h.keys("2");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("start: Some(\"2026-09-15\")") && !text.contains("field: \"start\""),
        "the second version kept: {text}"
    );
    assert_eq!(h.app.ctx.campaign.meta.conflicts.len(), 1);
    // The other one: a new value, checked as a date.
    h.keys("e");
    h.replace_prompt("32.09.2026");
    assert_eq!(
        h.app.ctx.campaign.meta.conflicts.len(),
        1,
        "a bad date decides nothing"
    );
    h.keys("e");
    h.replace_prompt("30.09.2026");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("end: Some(\"2026-09-30\")") && !text.contains("conflicts"),
        "{text}"
    );
    assert!(h.screen(100, 20).contains("Открытых конфликтов нет"));
}

/// On the conflicts screen a new value can be typed instead of either version; it is checked
/// as any answer is, and a reason is asked.
#[test]
fn a_conflict_can_be_resolved_with_a_new_value() {
    let h = harness("default", Some("Тест"));
    let dir = h.io.campaign_dir.clone();
    std::fs::write(
        dir.join("municipalities/agapovsky-mr.ron"),
        "Record(format: 1, id: \"agapovsky-mr\", answers: {\"methodists\": Answer(value: Some(Number(4)), by: \"Анна\", at: \"2026-09-14T10:00:00Z\")}, conflicts: [(field: Answer(\"methodists\"), versions: [(held: Value(Some(Number(4))), by: \"Анна\", at: \"2026-09-14T10:00:00Z\", device: \"a\"), (held: Value(Some(Number(6))), by: \"Борис\", at: \"2026-09-14T10:01:00Z\", device: \"b\")])])",
    )
    .unwrap();
    let mut h = h.reopened();
    h.keys("K");
    h.keys("e");
    h.keys("много");
    h.key(KeyCode::Enter);
    h.keys("так");
    h.key(KeyCode::Enter);
    let (message, error) = h.app.ctx.message.clone().unwrap();
    assert!(error && message.contains("ждёт целое число"), "{message}");
    h.keys("e");
    h.keys("5");
    h.key(KeyCode::Enter);
    h.keys("пересчитали на заседании");
    h.key(KeyCode::Enter);
    let on_disk = storage::load(&dir, &h.app.ctx.data.registry).unwrap();
    let r = &on_disk.records["agapovsky-mr"];
    assert_eq!(r.answers.value("methodists"), Some(&Value::Number(5)));
    assert!(r.conflicts.is_empty());
}

/// An existing empty folder typed as the hub is not made a hub without a yes either; «n»
/// leaves it empty.
#[test]
fn an_empty_folder_typed_as_the_hub_asks_first() {
    let mut h = harness("default", Some("Тест"));
    let dir = h.io.campaign_dir.clone();
    h.io.history = Some(sobes::history::History::open(&dir, "ноутбук-1").unwrap());
    h.io.config_file = dir.parent().unwrap().join("config.ron");
    let hub = dir.parent().unwrap().join("пустая");
    std::fs::create_dir(&hub).unwrap();
    h.keys("s");
    step(
        &mut h.app,
        &mut h.io,
        Event::Paste(hub.display().to_string()),
    );
    h.key(KeyCode::Enter);
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Confirm(_))),
        "{:?}",
        h.app.ctx.message
    );
    h.keys("n");
    assert_eq!(std::fs::read_dir(&hub).unwrap().count(), 0, "nothing made");
}

/// A hub typed without its place («K», «флешка») is refused with what to type: it would be
/// looked for, and made, wherever sobes was started.
#[test]
fn a_hub_folder_without_its_place_is_refused() {
    let mut h = harness("default", Some("Тест"));
    let dir = h.io.campaign_dir.clone();
    h.io.history = Some(sobes::history::History::open(&dir, "ноутбук-1").unwrap());
    h.io.config_file = dir.parent().unwrap().join("config.ron");
    h.keys("s");
    step(&mut h.app, &mut h.io, Event::Paste("узел-без-места".into()));
    h.key(KeyCode::Enter);
    let (message, error) = h.app.ctx.message.clone().unwrap();
    assert!(
        error && message.contains("укажите папку узла полностью"),
        "{message}"
    );
    assert!(h.app.overlay().is_none());
    assert!(!std::path::Path::new("узел-без-места").exists());
}

/// A server's address typed at the hub prompt is taken as it is (not refused as a folder
/// without its place), the empty server made a hub once confirmed, and remembered.
#[cfg(unix)]
#[test]
fn a_server_address_is_a_hub_too() {
    let root = tempfile::tempdir().unwrap();
    let Some(server) = crate::common::servers::GitDaemon::start(root.path()) else {
        return;
    };
    crate::common::servers::bare_repo(root.path(), "hub.git");
    sobes::sync::transfer::use_program(std::path::Path::new(crate::common::BIN));
    let mut h = harness("default", Some("Тест"));
    let dir = h.io.campaign_dir.clone();
    h.io.history = Some(sobes::history::History::open(&dir, "ноутбук-1").unwrap());
    h.io.config_file = dir.parent().unwrap().join("config.ron");
    h.keys("s");
    let url = server.url("hub.git");
    step(&mut h.app, &mut h.io, Event::Paste(url.clone()));
    h.key(KeyCode::Enter);
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Confirm(_))),
        "an empty server: asked whether to make it a hub"
    );
    let screen = h.screen(80, 24);
    assert!(screen.contains("Хранилище на сервере"), "{screen}");
    h.keys("y");
    let (message, error) = h.app.ctx.message.clone().unwrap();
    assert!(!error && message.contains("создан новый узел"), "{message}");
    h.keys("s");
    let (message, error) = h.app.ctx.message.clone().unwrap();
    assert!(!error && message.contains("ничего нового"), "{message}");
    let config = std::fs::read_to_string(&h.io.config_file).unwrap();
    assert!(config.contains(&url), "{config}");
}

/// A server that refuses the login: the TUI asks for a token (typed unseen), stores it for
/// this user, and the sync goes on with it; the address is remembered without it.
#[cfg(unix)]
#[test]
fn a_refused_login_asks_for_a_token_and_keeps_it_unseen() {
    let root = tempfile::tempdir().unwrap();
    let Some(server) =
        crate::common::servers::HttpServer::start(root.path(), false, Some(("anna", "s3cr3t")))
    else {
        return;
    };
    crate::common::servers::bare_repo(root.path(), "hub.git");
    sobes::sync::transfer::use_program(std::path::Path::new(crate::common::BIN));
    let mut h = harness("default", Some("Тест"));
    let dir = h.io.campaign_dir.clone();
    h.io.history = Some(sobes::history::History::open(&dir, "ноутбук-1").unwrap());
    h.io.config_file = dir.parent().unwrap().join("config.ron");
    h.keys("s");
    let url = server.url("hub.git").replace("://", "://anna@");
    step(&mut h.app, &mut h.io, Event::Paste(url.clone()));
    h.key(KeyCode::Enter);
    let screen = h.screen(80, 24);
    assert!(screen.contains("Токен сервера"), "{screen}");
    step(&mut h.app, &mut h.io, Event::Paste("s3cr3t".into()));
    let screen = h.screen(80, 24);
    assert!(
        !screen.contains("s3cr3t") && screen.contains("••••••"),
        "{screen}"
    );
    h.key(KeyCode::Enter);
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Confirm(_))),
        "the token let the sync in: the empty server is asked about"
    );
    assert!(!h.screen(80, 24).contains("s3cr3t"));
    h.keys("y");
    let (message, error) = h.app.ctx.message.clone().unwrap();
    assert!(!error && message.contains("создан новый узел"), "{message}");
    assert!(!message.contains("s3cr3t"), "{message}");
    let config = std::fs::read_to_string(&h.io.config_file).unwrap();
    assert!(
        config.contains(&url) && !config.contains("s3cr3t"),
        "{config}"
    );
    let tokens = dir.parent().unwrap().join(sobes::sync::tokens::TOKENS_FILE);
    assert!(std::fs::read_to_string(tokens).unwrap().contains("s3cr3t"));
}
