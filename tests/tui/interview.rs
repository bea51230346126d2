//! Answering: the list and its search, choices, notes, overrides and the Russian layout.

use super::*;

#[test]
fn clearing_asks_first_and_overrides_need_a_reason() {
    let mut h = harness("default", Some("Тест"));
    h.keys("/Кусинский");
    h.key(KeyCode::Enter);
    h.keys("1");
    assert!(
        h.app
            .ctx
            .current_record()
            .answers
            .value("org_form")
            .is_some()
    );
    h.key(KeyCode::Left);
    // «н» means «нет» (it sits on the key of «y»): the answer stays.
    h.key(KeyCode::Delete);
    assert!(matches!(h.app.overlay(), Some(Overlay::Confirm(_))));
    h.keys("н");
    assert!(h.app.overlay().is_none());
    assert!(
        h.app
            .ctx
            .current_record()
            .answers
            .value("org_form")
            .is_some(),
        "«н» kept the answer"
    );
    h.key(KeyCode::Delete);
    assert!(matches!(h.app.overlay(), Some(Overlay::Confirm(_))));
    h.keys("n");
    assert!(
        h.app
            .ctx
            .current_record()
            .answers
            .value("org_form")
            .is_some()
    );
    h.key(KeyCode::Delete);
    h.keys("y");
    assert!(
        h.app
            .ctx
            .current_record()
            .answers
            .value("org_form")
            .is_none()
    );
    let on_disk = storage::load(&h.io.campaign_dir, &h.app.ctx.data.registry).unwrap();
    assert!(
        on_disk.records["kusinsky-mr"]
            .answers
            .value("org_form")
            .is_none()
    );

    // Regional active: answer "remote", then choose 1 — a reason is required.
    h.keys("s");
    for _ in 0..10 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    assert_eq!(h.question(), "active_changes");
    h.key(KeyCode::Right);
    assert_eq!(h.question(), "ra_format");
    h.keys("2");
    h.keys("c");
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.keys("1");
    assert!(matches!(h.app.overlay(), Some(Overlay::Prompt(_))));
    insta::assert_snapshot!("reason_prompt_80x24", h.screen(80, 24));
    h.key(KeyCode::Enter); // empty reason is not accepted
    assert!(matches!(h.app.overlay(), Some(Overlay::Prompt(_))));
    h.keys("руководитель передумал");
    h.key(KeyCode::Enter);
    let record = h.app.ctx.current_record();
    let d = &record.decisions["regional_active"];
    assert_eq!(d.cluster, 1);
    assert_eq!(d.suggested, Some(2));
    assert_eq!(d.reason.as_deref(), Some("руководитель передумал"));

    // Clearing the decision asks first (the cursor stays on the last dimension).
    assert_eq!(h.app.screens.clusters.dim, 2);
    h.key(KeyCode::Delete);
    h.key(KeyCode::Esc);
    assert!(
        h.app
            .ctx
            .current_record()
            .decisions
            .contains_key("regional_active")
    );
    h.key(KeyCode::Delete);
    h.key(KeyCode::Enter);
    assert!(
        !h.app
            .ctx
            .current_record()
            .decisions
            .contains_key("regional_active")
    );
}

#[test]
fn filter_keeps_selection_and_hidden_questions_stay_hidden() {
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.keys("/а");
    // Typing selects the best match, so Enter opens what was typed.
    let first = h.app.screens.list.visible[0].0;
    let first = h.app.ctx.data.registry.municipalities[first].id.clone();
    assert_eq!(h.app.ctx.current, first, "the best match is selected");
    h.key(KeyCode::Down);
    let selected = h.app.ctx.current.clone();
    h.key(KeyCode::Esc);
    assert_eq!(h.app.ctx.current, selected, "still shown, still selected");
    assert_eq!(h.app.screens.list.visible.len(), 43);
    let shown = |h: &Harness| -> Vec<String> {
        h.app
            .screens
            .list
            .visible
            .iter()
            .map(|(i, _)| h.app.ctx.data.registry.municipalities[*i].name.clone())
            .collect()
    };
    h.keys("/Тро");
    let names = shown(&h);
    assert_eq!(
        names,
        [
            "Троицкий ГО",       // starts so
            "Троицкий МР",       // starts so
            "Нязепетровский МР", // has it whole
            "Магнитогорский ГО", // scattered, alphabetical
            "Трёхгорный ГО",
        ]
    );
    h.key(KeyCode::Esc);
    h.keys("/трех");
    assert_eq!(shown(&h), ["Трёхгорный ГО"], "ё matches е");
    h.key(KeyCode::Enter);
    // org_form = department hides licence and own courses.
    h.keys("2");
    assert_eq!(h.question(), "methodists");
    h.key(KeyCode::Left);
    assert_eq!(h.question(), "org_form");
    let p = h.progress();
    h.keys("1");
    assert_eq!(h.question(), "licence");
    let p2 = h.progress();
    assert_eq!(p2.required, p.required + 1, "licence is shown for a centre");
    h.keys("1");
    assert_eq!(h.question(), "own_courses");
    let p3 = h.progress();
    assert_eq!(
        p3.required,
        p.required + 2,
        "own courses are asked with a licence"
    );
}

#[test]
fn notes_and_text_fields_with_cursor() {
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Enter);
    h.keys("m");
    h.keys("Мисс");
    h.key(KeyCode::Left);
    h.key(KeyCode::Left);
    h.key(KeyCode::Backspace);
    h.keys("а");
    let s = h.screen(80, 24);
    assert!(s.contains("> Масс"), "{s}");
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.ctx.current_record().answers.note("org_form"),
        Some("Масс")
    );
    // A note alone does not count as an answer.
    assert!(
        h.app
            .ctx
            .current_record()
            .answers
            .value("org_form")
            .is_none()
    );
}

/// Staff type answers in Cyrillic, so the Russian layout is usually on: a Cyrillic letter
/// without a binding of its own acts as the Latin key in the same place, in both built-in
/// keymaps; text fields still take Cyrillic as text; help shows both keys.
#[test]
fn commands_work_in_the_russian_layout() {
    for keymap in ["default", "vim"] {
        let mut h = harness(keymap, Some("Тест"));
        // «.» is «/» of the Latin layout: search, then the search field takes Cyrillic.
        h.keys(".уйск");
        assert_eq!(h.app.screens.list.search.text(), "уйск", "{keymap}");
        h.key(KeyCode::Enter);
        assert_eq!(h.app.ctx.current, "uysky-mr", "{keymap}");
        h.keys("с"); // c
        assert_eq!(h.app.screen, Screen::Clusters, "{keymap}");
        h.keys("ш"); // i
        assert_eq!(h.app.screen, Screen::Interview, "{keymap}");
        h.keys("ь"); // m: a note
        h.keys("мнение");
        h.key(KeyCode::Enter);
        let q = h
            .app
            .screens
            .interview
            .current_question(&h.app.ctx)
            .id
            .clone();
        assert_eq!(
            h.app.ctx.current_record().answers.note(&q),
            Some("мнение"),
            "{keymap}"
        );
        h.keys(","); // ?: help
        assert!(
            matches!(h.app.overlay(), Some(Overlay::Help(_))),
            "{keymap}"
        );
        let help = h.screen(100, 40);
        assert!(help.contains("m / ь"), "{keymap}: {help}");
        h.key(KeyCode::Esc);
        h.key(KeyCode::Esc);
        assert_eq!(h.app.screen, Screen::List, "{keymap}");
        let key = Event::Key(KeyEvent::new(KeyCode::Char('й'), KeyModifiers::NONE));
        assert!(step(&mut h.app, &mut h.io, key), "{keymap}: й is q, quit");
    }
}

/// Typing a municipality's stem selects it first, whatever was selected before; a stem two
/// municipalities share selects one of the two, and the full name the right one.
#[test]
fn every_stem_typed_in_the_search_selects_its_municipality() {
    let mut h = harness("default", Some("Тест"));
    let registry = h.app.ctx.data.registry.municipalities.clone();
    for m in &registry {
        let stem = m.name.rsplit_once(' ').map_or(m.name.as_str(), |(s, _)| s);
        let twins: Vec<&str> = registry
            .iter()
            .filter(|o| o.name.starts_with(&format!("{stem} ")))
            .map(|o| o.id.as_str())
            .collect();
        for typed in [stem.to_lowercase(), m.name.clone()] {
            h.keys("/");
            h.keys(&typed);
            let got = h.app.ctx.current.clone();
            if typed == m.name || twins.len() == 1 {
                assert_eq!(got, m.id, "«{typed}»");
            } else {
                assert!(twins.contains(&got.as_str()), "«{typed}» → {got}");
            }
            h.key(KeyCode::Enter); // opens what was typed
            assert_eq!(h.app.screen, Screen::Interview, "«{typed}»");
            h.key(KeyCode::Esc);
            h.key(KeyCode::Esc); // search and filter reset
        }
    }
}

/// A choice moves on to the next question still without an answer, never onto an answered
/// one; replacing an answer with one key says what it was and one key takes it back.
#[test]
fn a_choice_moves_to_an_open_question_and_a_replaced_answer_can_be_taken_back() {
    let mut h = harness("default", Some("Тест"));
    h.keys("/уйский");
    h.key(KeyCode::Enter);
    let q = |h: &Harness| {
        h.app
            .screens
            .interview
            .current_question(&h.app.ctx)
            .id
            .clone()
    };
    assert_eq!(q(&h), "org_form");
    h.keys("1"); // centre → licence is asked
    assert_eq!(q(&h), "licence");
    h.keys("2"); // no licence → own_courses stays hidden
    let after_licence = q(&h);
    assert_ne!(after_licence, "own_courses");
    // Back to the first question and answer it again with the same key: nothing replaced,
    // and the cursor goes past the answered licence question.
    h.key(KeyCode::Left);
    h.key(KeyCode::Left);
    assert_eq!(q(&h), "org_form");
    h.keys("1");
    assert_eq!(q(&h), after_licence, "answered questions are skipped");
    // Replace it: the old value is said, u brings it back.
    h.key(KeyCode::Left);
    h.key(KeyCode::Left);
    h.keys("2");
    let (message, _) = h.app.ctx.message.clone().unwrap();
    assert!(
        message.contains("было «Отдельный методический центр"),
        "{message}"
    );
    assert!(message.contains("u — вернуть"), "{message}");
    let value = |h: &Harness| {
        h.app
            .ctx
            .current_record()
            .answers
            .value("org_form")
            .cloned()
    };
    assert_eq!(value(&h), Some(Value::Choice("department".into())));
    h.keys("u");
    assert_eq!(value(&h), Some(Value::Choice("center".into())));
    assert_eq!(q(&h), "org_form");
    let on_disk = storage::load(&h.io.campaign_dir, &h.app.ctx.data.registry).unwrap();
    assert_eq!(
        on_disk.records["uysky-mr"].answers.value("org_form"),
        Some(&Value::Choice("center".into()))
    );
}

/// In the TUI too, «Нет» cannot be ticked beside another option: it is refused in words and
/// the answer stays as it was.
#[test]
fn an_exclusive_option_is_refused_beside_others() {
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Enter);
    while h.question() != "shibc" {
        h.key(KeyCode::Right);
    }
    h.keys("1");
    h.keys("3");
    let (message, error) = h.app.ctx.message.clone().unwrap();
    assert!(error && message.contains("не сочетается"), "{message}");
    assert_eq!(
        h.app.ctx.current_record().answers.value("shibc"),
        Some(&Value::Choices(vec!["institutional".into()]))
    );
}

/// Last year's answer offered to confirm: the interview says so and puts the cursor on it;
/// Enter makes it this year's answer.
#[test]
fn a_carried_answer_is_confirmed_with_enter() {
    let mut h = harness("default", Some("Тест"));
    let id = h.app.ctx.data.registry.municipalities[0].id.clone();
    let mut record = sobes::model::campaign::Record::new(&id);
    record
        .carried
        .insert("org_form".into(), Value::Choice("department".into()));
    storage::save_record(&h.io.campaign_dir, &record).unwrap();
    h.app.ctx.campaign.records.insert(id.clone(), record);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::Interview);
    let screen = h.screen(100, 30);
    assert!(screen.contains("В прошлом году: «"), "{screen}");
    assert!(
        h.app
            .ctx
            .current_record()
            .answers
            .value("org_form")
            .is_none()
    );
    h.key(KeyCode::Enter);
    let r = h.app.ctx.current_record();
    assert_eq!(
        r.answers.value("org_form"),
        Some(&Value::Choice("department".into()))
    );
    assert!(r.carried.is_empty());
}

/// A question taller than the window is cut with «…», never the answer keys under it.
#[test]
fn a_long_question_keeps_its_answer_keys() {
    use sobes::tui::overlays::{Confirm, Pending};
    let c = Confirm::new("очень длинный вопрос ".repeat(40), Pending::Quit);
    let mut t = Terminal::new(TestBackend::new(40, 10)).unwrap();
    t.draw(|f| c.draw(f, f.area())).unwrap();
    let buf = t.backend().buffer();
    let screen: String = (0..10)
        .map(|y| (0..40).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect();
    assert!(
        screen.contains("y / Enter") && screen.contains('…'),
        "{screen}"
    );
}

/// A number question takes a digit at once: it starts the number, Enter takes it and moves
/// on to the next question without an answer, as a choice does.
#[test]
fn a_digit_on_a_number_question_starts_the_number() {
    let mut h = harness("default", Some("Тест"));
    h.key(KeyCode::Enter);
    while h.question() != "methodists" {
        h.key(KeyCode::Right);
    }
    let status = h.screen(80, 24);
    let last = status.lines().last().unwrap_or_default();
    assert!(last.contains("ввести"), "{last}");
    assert!(!last.contains("выбрать"), "{last}");
    h.keys("4");
    h.keys("2");
    h.key(KeyCode::Enter);
    let r = h.app.ctx.current_record();
    assert_eq!(r.answers.value("methodists"), Some(&Value::Number(42)));
    assert_ne!(h.question(), "methodists", "moved on");
}
