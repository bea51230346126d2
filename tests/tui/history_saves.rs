//! A question's history and the saves: when they happened and what survives damage.

use super::*;

/// `h` on a question shows its history: the question in words, then who, when, what it was
/// and became (not the device's id, which says nothing to a person).
#[test]
fn the_history_of_a_question_is_one_key_away() {
    let mut h = harness("default", Some("Мария"));
    let dir = h.io.campaign_dir.clone();
    let history = sobes::history::History::open(&dir, "ноутбук-1").unwrap();
    history.commit_pending("Мария").unwrap();
    h.io.history = Some(history);
    h.key(KeyCode::Enter);
    while h.question() != "methodists" {
        h.key(KeyCode::Right);
    }
    for v in ["3", "4"] {
        // A number typed moves on to the next question without an answer: back to it.
        for _ in 0..60 {
            if h.question() == "methodists" {
                break;
            }
            h.key(KeyCode::Left);
        }
        h.keys("e");
        h.replace_prompt(v);
    }
    while h.question() != "methodists" {
        h.key(KeyCode::Left);
    }
    h.keys("h");
    match h.app.overlay() {
        Some(Overlay::Text(t)) => {
            assert_eq!(t.lines.len(), 3, "{:?}", t.lines);
            assert!(
                t.lines[0].contains("Сколько человек выполняют работу методистов"),
                "{:?}",
                t.lines
            );
            assert!(t.lines[1].contains("Мария: — → 3"), "{:?}", t.lines);
            assert!(!t.lines.concat().contains("ноутбук-1"), "{:?}", t.lines);
            assert!(t.lines[2].contains(": 3 → 4"), "{:?}", t.lines);
        }
        other => panic!("{other:?}"),
    }
}

thread_local! {
    static TICK: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A clock a second later at every reading.
fn ticking() -> String {
    let s = TICK.with(|t| {
        t.set(t.get() + 1);
        t.get()
    });
    format!("2026-09-14T10:{:02}:{:02}Z", s / 60, s % 60)
}

#[test]
fn the_time_of_the_last_save_follows_every_save() {
    let mut h = harness("default", Some("Тест"));
    h.app.ctx.clock = ticking;
    h.key(KeyCode::Enter);
    h.keys("1");
    h.key(KeyCode::Esc);
    let first = h.status(80, 24);
    assert!(first.starts_with("сохранено 15:"), "{first}");
    // A fact of the letter is a save too.
    for _ in 0..5 {
        ticking();
    }
    h.keys("L");
    h.key(KeyCode::Enter);
    h.replace_prompt("15.09.2026");
    h.key(KeyCode::Esc);
    let later = h.status(80, 24);
    assert!(later.starts_with("сохранено 15:"), "{later}");
    let time = |s: &str| s.split_whitespace().nth(1).unwrap_or("").to_string();
    assert_ne!(time(&later), time(&first), "the later save's time: {later}");
}

/// A history damaged while the TUI runs (HEAD gone): the answer is saved all the same, the
/// history is put right, and the status line says both.
#[test]
fn a_history_damaged_mid_session_never_loses_an_answer() {
    let mut h = harness("default", Some("Мария"));
    let dir = h.io.campaign_dir.clone();
    let history = sobes::history::History::open(&dir, "ноутбук-1").unwrap();
    history.commit_pending("Мария").unwrap();
    h.io.history = Some(history);
    std::fs::remove_file(dir.join(".git/HEAD")).unwrap();
    h.key(KeyCode::Enter);
    h.keys("1");
    let (message, _) = h.app.ctx.message.clone().unwrap();
    assert!(
        message.contains("ответ сохранён") && message.contains("история"),
        "{message}"
    );
    let text = std::fs::read_to_string(dir.join("municipalities/agapovsky-mr.ron")).unwrap();
    assert!(text.contains("center"), "{text}");
    let log = sobes::history::History::read(&dir).unwrap().unwrap();
    assert!(
        log.entries().unwrap().iter().any(|e| e.summary.contains("Агаповский")
            || e.summary.contains("Изменения без записи")),
        "the answer reached the history"
    );
}
