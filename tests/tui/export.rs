//! The preview, the export and its gap dialog, the letter's facts and the letters.

use super::*;

#[test]
fn preview_and_export_from_the_tui() {
    let mut h = harness("default", Some("Тест"));
    h.keys("p");
    assert_eq!(h.app.screen, Screen::Preview);
    assert!(h.app.screens.preview.lines.len() > 20);
    assert!(
        h.app
            .screens
            .preview
            .lines
            .iter()
            .any(|l| l.to_string().contains("Не распределены"))
    );
    let shown = h.screen(80, 24);
    assert!(
        !shown.contains('#') && !shown.contains("**"),
        "text, not Markdown: {shown}"
    );
    insta::assert_snapshot!("preview_80x24", shown);
    h.key(KeyCode::PageDown);
    assert!(h.app.screens.preview.scroll > 0);

    let target = h.io.campaign_dir.parent().unwrap().join("письмо.docx");
    let export = |h: &mut Harness| {
        h.keys("e");
        assert!(matches!(h.app.overlay(), Some(Overlay::Picker(_))));
        h.key(KeyCode::Enter); // Word is first
        h.replace_prompt(target.to_str().unwrap());
    };
    export(&mut h);
    // The campaign is empty: exporting asks whether to mark the gaps.
    match &h.app.overlay() {
        Some(Overlay::Confirm(sobes::tui::overlays::Confirm { question, .. })) => {
            assert!(question.contains("не завершена"))
        }
        other => panic!("{other:?}"),
    }
    h.keys("y");
    let (message, error) = h.app.ctx.message.clone().unwrap();
    assert!(!error && message.contains("записано"), "{message}");
    let first = std::fs::read(&target).unwrap();
    assert!(first.starts_with(b"PK"), "a zip package");

    // Again: the existing file is replaced only after a confirmation.
    std::fs::write(&target, b"old").unwrap();
    export(&mut h);
    match &h.app.overlay() {
        Some(Overlay::Confirm(sobes::tui::overlays::Confirm { question, .. })) => {
            assert!(question.contains("уже есть"))
        }
        other => panic!("{other:?}"),
    }
    h.keys("n");
    assert_eq!(std::fs::read(&target).unwrap(), b"old");
    export(&mut h);
    h.keys("y");
    h.keys("y");
    assert_eq!(
        std::fs::read(&target).unwrap(),
        first,
        "same input, same bytes"
    );
    h.key(KeyCode::Esc);
    assert_eq!(h.app.screen, Screen::List);
}

/// The TUI suggests a full path in the export folder (the documents folder in real use);
/// Enter on the suggestion writes there and says where, and a bare name typed instead goes
/// to the same folder, never to the directory sobes was started from.
#[test]
fn export_with_the_suggested_name_goes_to_the_export_folder() {
    let mut h = harness("default", Some("Тест"));
    let docs = h.io.campaign_dir.parent().unwrap().join("Документы");
    std::fs::create_dir(&docs).unwrap();
    h.app.ctx.export_dir = docs.clone();
    h.keys("e");
    h.key(KeyCode::Down); // Markdown
    h.key(KeyCode::Enter);
    match h.app.overlay() {
        Some(Overlay::Prompt(p)) => {
            // Named with the campaign's year: next year's never suggests this file.
            assert_eq!(
                p.field.text(),
                docs.join("приложение 2026.md").display().to_string()
            )
        }
        other => panic!("{other:?}"),
    }
    let shown = h.screen(100, 24);
    let sep = std::path::MAIN_SEPARATOR;
    assert!(
        shown.contains(&format!("Документы{sep}приложение 2026.md")),
        "{shown}"
    );
    h.key(KeyCode::Enter);
    h.keys("y"); // with the gaps marked
    let (message, error) = h.app.ctx.message.clone().unwrap();
    let written = docs.join("приложение 2026.md");
    assert!(!error, "{message}");
    assert!(
        message.contains(&written.display().to_string()),
        "{message}"
    );
    assert!(written.is_file());

    h.keys("e");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    h.replace_prompt("второе.md");
    h.keys("y");
    assert!(docs.join("второе.md").is_file());
    assert!(!Path::new("второе.md").exists());
    h.key(KeyCode::Esc);
    h.app.ctx.campaign.meta.start = Some("2027-09-13".into());
    h.keys("e");
    h.key(KeyCode::Enter);
    match h.app.overlay() {
        Some(Overlay::Prompt(p)) => assert!(p.field.text().ends_with("приложение 2027.docx")),
        other => panic!("{other:?}"),
    }
}

/// The export's gap dialog names a few municipalities and how many more, so its question
/// and answer keys stay in view even on a small window.
#[test]
fn the_gap_dialog_keeps_its_keys_in_view() {
    let mut h = harness("default", Some("Тест"));
    h.keys("e");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    for (w, hgt) in [(80, 24), (60, 16)] {
        let s = h.screen(w, hgt);
        assert!(s.contains("д / y / Enter — да"), "{w}×{hgt}:\n{s}");
        assert!(s.contains("Кампания не завершена"), "{w}×{hgt}:\n{s}");
    }
    let s = h.screen(100, 30);
    assert!(s.contains("и ещё 40"), "{s}");
    insta::assert_snapshot!("export_gaps_80x24", h.screen(80, 24));
}

/// Esc goes back where the municipality was opened from; the review names override reasons;
/// the question list marks notes.
#[test]
fn back_returns_to_the_review_and_the_review_shows_reasons() {
    let mut h = harness("default", Some("Тест"));
    h.keys("/уйский");
    h.key(KeyCode::Enter);
    h.keys("m");
    h.keys("со слов руководителя");
    h.key(KeyCode::Enter);
    let s = h.screen(100, 30);
    assert!(s.contains("•✎1. "), "{s}");
    h.keys("c");
    h.keys("3");
    h.keys("нет подсказки, решили на комиссии");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
    h.keys("r");
    let rows: Vec<String> = h
        .app
        .screens
        .review
        .rows(&h.app.ctx)
        .iter()
        .map(|r| r.text.clone())
        .collect();
    assert!(
        rows.iter().any(|r| r.contains("Уйский МР  (изменено вручную: нет подсказки, решили на комиссии)")),
        "{rows:?}"
    );
    // Too long for the window, the reason ends in «…» where it is cut.
    let narrow = h.screen(60, 30);
    let line = narrow
        .lines()
        .find(|l| l.contains("Уйский МР"))
        .expect(&narrow);
    assert!(line.trim_end().ends_with('…'), "{line}");
    // Open an unfinished interview from the review; Esc comes back to the review.
    while h.app.screen == Screen::Review {
        h.key(KeyCode::Down);
        h.key(KeyCode::Enter);
        if h.app.screen == Screen::Review {
            continue;
        }
        if h.app.screen == Screen::Clusters {
            h.key(KeyCode::Esc);
            assert_eq!(h.app.screen, Screen::Review);
            h.key(KeyCode::End);
            h.key(KeyCode::Enter);
        }
    }
    assert_eq!(h.app.screen, Screen::Interview);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.screen, Screen::Review);
}

/// The letter's facts are edited on their own screen (`L`), written to campaign.ron, and the
/// preview prints them; a fact not set is a visible blank.
#[test]
fn the_letters_facts_are_edited_in_the_tui() {
    let mut h = harness("default", Some("Тест"));
    h.keys("p");
    let preview = h.screen(100, 30).replace('\u{a0}', " ");
    assert!(preview.contains("от ____ № ____"), "{preview}");
    h.key(KeyCode::Esc);
    h.keys("L");
    assert_eq!(h.app.screen, Screen::Letter);
    assert!(
        h.screen(100, 30)
            .contains("номер письма Министерства: ____")
    );
    // The interview dates come first, checked as dates.
    h.key(KeyCode::Enter);
    h.replace_prompt("15 сентября");
    // Refused: the prompt stays open with the text as typed and the reason, in the field's
    // Russian name.
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Prompt(p)) if p.field.text() == "15 сентября"),
        "the typed text is kept"
    );
    let s = h.screen(100, 30);
    assert!(
        s.contains("ожидалась дата ДД.ММ.ГГГГ") && s.contains("первый день собеседований:"),
        "{s}"
    );
    h.replace_prompt("15.09.2026");
    assert_eq!(h.app.ctx.campaign.meta.start.as_deref(), Some("2026-09-15"));
    let (said, _) = h.app.ctx.message.clone().unwrap();
    assert_eq!(said, "записано: первый день собеседований");
    assert!(
        h.screen(100, 30)
            .contains("первый день собеседований (ДД.ММ.ГГГГ): 15.09.2026"),
        "shown as typed"
    );
    // The end before the start is refused where it is typed.
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    h.replace_prompt("01.09.2026");
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Prompt(p)) if p.error.as_deref().is_some_and(|e| e.contains("раньше, чем начались"))),
        "{:?}",
        h.app.overlay()
    );
    assert_eq!(h.app.ctx.campaign.meta.end, None);
    h.key(KeyCode::Esc);
    h.key(KeyCode::Up);
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.overlay(), Some(Overlay::Prompt(_))));
    h.keys("777");
    h.key(KeyCode::Enter);
    let text = std::fs::read_to_string(h.io.campaign_dir.join("campaign.ron")).unwrap();
    assert!(text.contains("\"letter_number\": \"777\""), "{text}");
    assert_eq!(
        h.app
            .ctx
            .campaign
            .meta
            .facts
            .get("letter_number")
            .map(String::as_str),
        Some("777")
    );
    h.key(KeyCode::Esc);
    h.keys("p");
    let shown = h.screen(100, 30).replace('\u{a0}', " ");
    assert!(shown.contains("от ____ № 777"), "{shown}");
}

/// Letters to municipalities go out from the TUI too: the one to the selected
/// municipality, or all of them into a folder; missing facts of the letter are named and a
/// draft is made only when confirmed.
#[test]
fn letters_are_exported_from_the_tui() {
    let mut h = harness("default", Some("Тест"));
    let docs = h.io.campaign_dir.parent().unwrap().join("Документы");
    std::fs::create_dir(&docs).unwrap();
    h.app.ctx.export_dir = docs.clone();
    h.keys("e");
    for _ in 0..4 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    let one = docs.join("Агаповский МР 2026.docx");
    match h.app.overlay() {
        Some(Overlay::Prompt(p)) => assert_eq!(p.field.text(), one.display().to_string()),
        other => panic!("{other:?}"),
    }
    h.key(KeyCode::Enter);
    match h.app.overlay() {
        Some(Overlay::Confirm(c)) => {
            let q = format!("{c:?}");
            assert!(q.contains("исходящий номер") && q.contains("ПРОЕКТ"), "{q}");
        }
        other => panic!("{other:?}"),
    }
    h.keys("y");
    assert!(one.is_file(), "{:?}", h.app.ctx.message);
    h.keys("e");
    for _ in 0..5 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.keys("y");
    let folder = docs.join("письма 2026");
    let files = std::fs::read_dir(&folder).unwrap().count();
    assert_eq!(files, 43, "{:?}", h.app.ctx.message);
}
