//! Help, hints, the cursor and what wraps or stays in view on small windows.

use super::*;

#[test]
fn help_follows_the_keymap() {
    let mut h = harness("vim", Some("Тест"));
    h.keys("?");
    assert!(matches!(h.app.overlay(), Some(Overlay::Help(_))));
    let s = h.screen(80, 24);
    assert!(s.contains("j / о, ↓"), "{s}");
    assert!(s.contains("Ctrl-c"), "{s}");
    insta::assert_snapshot!("help_list_vim_80x24", s);
    h.keys("x");
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Help(_))),
        "x is not a way out of help"
    );
    // The keymap's own keys scroll it: j in vim.
    h.keys("j");
    let after = h.screen(80, 24);
    assert!(
        s.contains("1–19 из 32") && after.contains("2–20 из 32"),
        "j scrolls by one line: {after}"
    );
    h.key(KeyCode::Esc);
    assert!(h.app.overlay().is_none());
    h.keys("l?");
    let s = h.screen(80, 24);
    assert!(s.contains("Вопросы"));
    assert!(s.contains("Написать заметку"), "{s}");
}

// ---- issue 21: the TUI ------------------------------------------------------------------

/// Scrolls the open help to its end, one page at a time; returns every page seen.
fn help_pages(h: &mut Harness, w: u16, ht: u16) -> String {
    let mut seen = h.screen(w, ht);
    for _ in 0..20 {
        h.key(KeyCode::PageDown);
        assert!(
            matches!(h.app.overlay(), Some(Overlay::Help(_))),
            "PgDn keeps help open"
        );
        seen.push_str(&h.screen(w, ht));
    }
    seen
}

#[test]
fn help_scrolls_and_shows_every_key() {
    let mut h = harness("default", Some("Тест"));
    h.keys("?");
    insta::assert_snapshot!("help_list_80x24", h.screen(80, 24));
    // Keys that are not a way out leave it open.
    h.keys("x");
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.overlay(), Some(Overlay::Help(_))));
    let all = help_pages(&mut h, 80, 24);
    for shown in [
        "K / Л",
        "Конфликты синхронизации",
        "L / Д",
        "Факты письма",
        "A / Ф",
        "Согласие рецензентов",
        "C / С",
        "Изменения с прошлого года",
        "M / Ь",
        "Мониторинг",
        "F1",
        "Показать или скрыть эту справку",
    ] {
        assert!(
            all.contains(shown),
            "{shown} is in the help at 80×24: {all}"
        );
    }
    insta::assert_snapshot!("help_list_end_80x24", h.screen(80, 24));
    h.key(KeyCode::Up);
    h.key(KeyCode::Home);
    assert!(h.screen(80, 24).contains("Список муниципалитетов"));
    // Esc, q and ? close it; q does not quit from under it.
    for close in [KeyCode::Esc, KeyCode::Char('q'), KeyCode::Char('?')] {
        if h.app.overlay().is_none() {
            h.keys("?");
        }
        h.key(close);
        assert!(h.app.overlay().is_none(), "{close:?} closes help");
    }
    assert_eq!(h.app.screen, Screen::List);

    // The interview's help at 60×20 goes on to its end.
    h.key(KeyCode::Enter);
    h.keys("?");
    insta::assert_snapshot!("help_interview_60x20", h.screen(60, 20));
    let all = help_pages(&mut h, 60, 20);
    for shown in [
        "Написать заметку",
        "История этого вопроса",
        "Вернуть ответ",
        "Перейти к кластерам",
        "Показать или скрыть эту справку",
    ] {
        assert!(all.contains(shown), "{shown} at 60×20: {all}");
    }
    insta::assert_snapshot!("help_interview_end_60x20", h.screen(60, 20));
    h.key(KeyCode::Esc);
    assert!(h.app.overlay().is_none());
    assert_eq!(h.app.screen, Screen::Interview, "Esc closes help, no more");
}

#[test]
fn the_hint_line_shows_what_fits_and_ends_with_help() {
    let mut h = harness("default", Some("Тест"));
    let check = |h: &mut Harness, what: &str| {
        for (w, ht) in [(60, 20), (80, 24), (120, 40)] {
            let status = h.status(w, ht);
            assert!(status.ends_with("? помощь"), "{what} {w}×{ht}: «{status}»");
            assert!(
                !status.replace("1…", "").contains('…'),
                "{what} {w}×{ht}: nothing cut: «{status}»"
            );
        }
    };
    check(&mut h, "list");
    let list = h.status(80, 24);
    assert!(list.contains("Enter открыть · / поиск"), "{list}");
    insta::assert_snapshot!("list_80x24", h.screen(80, 24));
    h.key(KeyCode::Enter);
    check(&mut h, "interview");
    h.keys("c");
    check(&mut h, "clusters");
    h.keys("r");
    check(&mut h, "review");
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    h.keys("M");
    check(&mut h, "monitoring");
}

/// Home, then → `k` times, in an open text field: the cell under the cursor shows the char
/// that typing would go before, at every size.
fn cursor_on(h: &mut Harness, typed: &[char], k: usize) {
    h.key(KeyCode::Home);
    for _ in 0..k {
        h.key(KeyCode::Right);
    }
    for (w, ht) in [(120, 40), (80, 24), (60, 20)] {
        let Some((at, under)) = h.cursor(w, ht) else {
            panic!("{w}×{ht}: the cursor is shown while typing");
        };
        let expected = typed.get(k).map_or(" ".to_string(), |c| c.to_string());
        assert_eq!(
            under,
            expected,
            "{w}×{ht}, cursor before char {k} at {at:?}:\n{}",
            h.screen(w, ht)
        );
    }
}

#[test]
fn the_cursor_is_drawn_where_typing_goes_in_a_wrapped_answer_or_note() {
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Enter);
    // 150 chars of words, each a different one, so every place reads differently.
    let words: Vec<String> = (0..30).map(|i| format!("с{i:02}в")).collect();
    let text = words.join(" ");
    let typed: Vec<char> = text.chars().collect();
    assert_eq!(typed.len(), 149);
    // A note on a choice question.
    h.keys("m");
    h.keys(&text);
    for k in [0, 1, 40, 75, 76, 77, 100, 130, 149] {
        cursor_on(&mut h, &typed, k);
    }
    // Typing goes where the cursor is shown.
    cursor_on(&mut h, &typed, 100);
    h.keys("Ж");
    let (_, under) = h.cursor(120, 40).unwrap();
    assert_eq!(under, typed[100].to_string());
    let mut now = typed.clone();
    now.insert(100, 'Ж');
    assert_eq!(
        h.app
            .screens
            .interview
            .editing
            .as_ref()
            .map(|e| e.field.text()),
        Some(now.iter().collect::<String>())
    );
    insta::assert_snapshot!("note_typed_60x20", h.screen(60, 20));
    h.key(KeyCode::Esc);

    // A typed answer to a text question.
    h.keys("s");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    while h.question() != "shortfall_reasons" {
        h.key(KeyCode::Right);
    }
    h.keys("5"); // «Другое» asks which
    h.key(KeyCode::Right);
    assert_eq!(h.question(), "shortfall_other");
    h.key(KeyCode::Enter);
    assert!(
        h.app.screens.interview.editing.is_some(),
        "{}",
        h.screen(80, 24)
    );
    h.keys(&text);
    for k in [0, 50, 76, 100, 149] {
        cursor_on(&mut h, &typed, k);
    }
    insta::assert_snapshot!("answer_typed_80x24", h.screen(80, 24));
}

/// The rows of the screen's main area (between the title and the status line).
fn body(screen: &str) -> Vec<&str> {
    let rows: Vec<&str> = screen.lines().collect();
    rows[1..rows.len() - 1].to_vec()
}

/// Кусинский МР with every question answered, the regional active's format «remote»: its
/// reason reads long on the clusters screen.
fn kusinsky_answered() -> Harness {
    let mut h = harness("default", Some("Тест"));
    h.keys("/Кусинский");
    h.key(KeyCode::Enter);
    h.answer_everything();
    for _ in 0..60 {
        if h.question() != "ra_format" {
            h.key(KeyCode::Left);
        }
    }
    assert_eq!(h.question(), "ra_format");
    h.keys("2");
    h
}

#[test]
fn a_long_note_goes_on_under_itself() {
    let mut h = kusinsky_answered();
    // A long note, shown (not typed) under its label.
    h.keys("m");
    h.keys("руководитель службы просит присылать приглашения на вебинары заранее, за две недели");
    h.key(KeyCode::Enter);
    for (w, ht) in [(60, 20), (80, 24)] {
        let s = h.screen(w, ht);
        let rows = body(&s);
        let at = rows
            .iter()
            .position(|r| r.contains("Заметка: руководитель"))
            .unwrap_or_else(|| panic!("{s}"));
        let byte = rows[at].find("Заметка: ").unwrap();
        let column = rows[at][..byte].chars().count() + "Заметка: ".chars().count();
        let next: Vec<char> = rows[at + 1].chars().collect();
        assert!(
            next.len() > column
                && next[column - 9..column].iter().all(|c| *c == ' ')
                && next[column] != ' ',
            "{w}×{ht}: the note goes on under itself:\n{s}"
        );
    }
}

#[test]
fn the_clusters_answers_go_on_under_their_text() {
    let mut h = kusinsky_answered();
    // The clusters' answers and decisions: no row of the screen starts at column 0.
    h.keys("c");
    for (w, ht) in [(60, 20), (80, 24)] {
        for _ in 0..3 {
            let s = h.screen(w, ht);
            for row in body(&s) {
                assert!(
                    row.is_empty() || row.starts_with(' ') || row.starts_with('▶'),
                    "{w}×{ht}: «{row}» starts at column 0:\n{s}"
                );
            }
            h.key(KeyCode::Down);
        }
        h.key(KeyCode::Up);
        h.key(KeyCode::Up);
    }
    insta::assert_snapshot!("clusters_wrapped_80x24", h.screen(80, 24));
}

#[test]
fn an_error_under_a_typed_answer_goes_on_under_itself() {
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Enter);
    h.keys("s");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.keys("очень много");
    h.key(KeyCode::Enter);
    let error = h
        .app
        .screens
        .interview
        .editing
        .as_ref()
        .and_then(|e| e.error.clone())
        .expect("a word is not a number");
    let s = h.screen(60, 20);
    let first_word = error.split_whitespace().next().unwrap();
    let rows = body(&s);
    let at = rows
        .iter()
        .position(|r| {
            r.split('│')
                .nth(1)
                .is_some_and(|p| p.trim_start().starts_with(first_word))
        })
        .unwrap_or_else(|| panic!("{error}: {s}"));
    for row in &rows[at + 1..] {
        let pane = row.split('│').nth(1).unwrap_or("");
        assert!(
            pane.is_empty() || pane.starts_with("  "),
            "the error goes on under itself: «{row}»\n{s}"
        );
    }
    insta::assert_snapshot!("answer_error_60x20", s);
}

#[test]
fn at_60x20_the_title_keeps_the_municipality() {
    let mut h = harness("default", Some("Тест"));
    // The default campaign's title, as a new user has it.
    h.app.ctx.campaign.meta.title = "Собеседование с руководителями ММС, 2026".into();
    h.keys("/Верхнеуральский");
    h.key(KeyCode::Enter);
    let s = h.screen(60, 20);
    let title = s.lines().next().unwrap();
    assert!(title.contains("Вопросы · Верхнеуральский МР"), "{s}");
    assert!(
        title.contains("Собесед") && title.contains("вы: Тест"),
        "the campaign, shortened, and who is at the keyboard: {s}"
    );
    h.keys("c");
    let s = h.screen(60, 20);
    let title = s.lines().next().unwrap();
    assert!(title.contains("Кластеры · Верхнеуральский МР"), "{s}");
}

#[test]
fn at_60x20_the_last_dimension_comes_with_the_rows_before_it() {
    let mut h = harness("default", Some("Тест"));
    h.app.ctx.campaign.meta.title = "Собеседование с руководителями ММС, 2026".into();
    h.keys("/Верхнеуральский");
    h.key(KeyCode::Enter);
    h.answer_everything();
    h.keys("c");
    for _ in 0..2 {
        h.key(KeyCode::Down);
    }
    let s = h.screen(60, 20);
    assert!(s.contains("▶ Формат работы"), "{s}");
    let blank = body(&s).iter().filter(|r| r.trim().is_empty()).count();
    assert!(blank <= 3, "the screen is filled, not left blank: {s}");
    insta::assert_snapshot!("clusters_last_60x20", s);
}

#[test]
fn the_section_picker_says_its_own_keys() {
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Enter);
    h.keys("s");
    assert!(matches!(h.app.overlay(), Some(Overlay::Picker(_))));
    // After a save, the time takes room on the left.
    h.app.ctx.last_saved = Some("15:00:00".into());
    for (w, ht) in [(60, 20), (80, 24)] {
        let status = h.status(w, ht);
        assert!(
            !status.contains("следующий") && !status.contains("заметка"),
            "the interview's keys are not offered under the picker: «{status}»"
        );
        assert!(
            status.contains("Enter") && status.contains("Esc"),
            "«{status}»"
        );
    }
    insta::assert_snapshot!("section_picker_60x20", h.screen(60, 20));
}

#[test]
fn a_long_message_is_read_whole() {
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Enter);
    while h.question() != "shibc" {
        h.key(KeyCode::Right);
    }
    h.keys("1");
    h.keys("3");
    let (message, _) = h.app.ctx.message.clone().unwrap();
    for (w, ht) in [(120, 40), (80, 24), (60, 20)] {
        let s = h.screen(w, ht);
        let rows: Vec<&str> = s.lines().collect();
        let tail = rows[rows.len() - 4..].join(" ");
        let words: Vec<&str> = message.split_whitespace().collect();
        let shown: Vec<&str> = tail.split_whitespace().collect();
        assert!(
            shown.windows(words.len()).any(|w| w == words.as_slice()),
            "{w}×{ht}: «{message}» whole at the bottom:\n{s}"
        );
        assert!(s.lines().last().unwrap().ends_with("? помощь"), "{s}");
    }
    insta::assert_snapshot!("long_message_80x24", h.screen(80, 24));
}

/// A long entry of the history overlay goes on under its own text, not at the box's edge.
#[test]
fn the_history_box_wraps_under_its_text() {
    let text = sobes::tui::overlays::Text {
        title: "История".into(),
        lines: vec![
            "02.12.2026 11:08 · Анна: нет сведений → один или два специалиста, работающие по совместительству".into(),
        ],
    };
    let mut t = Terminal::new(TestBackend::new(44, 14)).unwrap();
    t.draw(|f| text.draw(f, f.area())).unwrap();
    let buf = t.backend().buffer();
    let rows: Vec<String> = (0..14)
        .map(|y| (0..44).map(|x| buf[(x, y)].symbol()).collect())
        .collect();
    let first = rows
        .iter()
        .position(|r| r.contains("02.12.2026"))
        .expect("the entry is drawn");
    let inside = |r: &str| r.split('│').nth(1).unwrap_or("").to_string();
    assert!(
        inside(&rows[first + 1]).starts_with("  ") && inside(&rows[first + 1]).trim().len() > 3,
        "{rows:#?}"
    );
}
