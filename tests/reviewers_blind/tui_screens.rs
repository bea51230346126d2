//! The TUI's agreement screen, matrix and names keep the same rules.

/// The TUI: Иванова and Петрова have rated Уйский МР (they differ) and Кусинский МР (they
/// agree); the app is opened as `reader`.
fn tui_with_two_ratings(
    dir: &std::path::Path,
    reader: &str,
) -> (sobes::tui::app::App, sobes::tui::Io) {
    use sobes::model::change::{Change, Stamp};
    let data = sobes::data::DataSet::load(&Default::default(), None).unwrap();
    let mut meta = sobes::session::new_meta(&data, None);
    meta.reviewers = vec!["Иванова".into(), "Петрова".into(), "Сидорова".into()];
    sobes::storage::create(dir, &meta).unwrap();
    let mut campaign = sobes::storage::load(dir, &data.registry).unwrap();
    for (id, clusters) in [("uysky-mr", [2, 3]), ("kusinsky-mr", [1, 1])] {
        for (who, c) in ["Иванова", "Петрова"].into_iter().zip(clusters) {
            let stamp = Stamp {
                by: who.into(),
                at: "2026-11-01T00:00:00Z".into(),
            };
            let r = campaign.record_or_empty(id).into_owned();
            let change = Change::rating(&r, "training", who, Some(c), Some("площадки нет"), &stamp);
            let r =
                sobes::model::change::apply(&r, &change, &data.protocol, &data.dimensions).unwrap();
            campaign.records.insert(id.into(), r);
        }
    }
    let app = sobes::tui::app::App::new(
        data,
        campaign,
        sobes::tui::keymap::Keymap::builtin("default").unwrap(),
        Some(reader.into()),
        || "2026-11-02T00:00:00Z".to_string(),
        dir.to_path_buf(),
    );
    let io = sobes::tui::Io::new(
        dir.to_path_buf(),
        dir.join("config-test.ron"),
        Default::default(),
        None,
    );
    (app, io)
}

#[test]
fn the_tui_agreement_screen_and_matrix_keep_the_blind_rule() {
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let home = tempfile::tempdir().unwrap();
    let (mut app, mut io) = tui_with_two_ratings(&home.path().join("c"), "сидорова");
    let key = |c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    sobes::tui::step(&mut app, &mut io, key('A'));
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    t.draw(|f| sobes::tui::view::draw(f, &mut app)).unwrap();
    let screen: String = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("Расхождения рецензентов: 0"), "{screen}");
    assert!(!screen.contains("единогласно"), "{screen}");

    let csv = home.path().join("m.csv");
    io.apply(
        &mut app,
        vec![sobes::tui::ctx::Effect::Export(
            sobes::tui::ctx::ExportRequest {
                format: sobes::annex::Format::Csv,
                path: csv.clone(),
                force: false,
                allow_incomplete: true,
                letters: None,
            },
        )],
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let row = text.lines().find(|l| l.starts_with("uysky-mr;")).unwrap();
    assert!(!row.contains(";2;3;"), "{row}");
}

#[test]
fn the_tui_writes_the_lists_spelling_and_refuses_a_name_off_it() {
    use sobes::model::change::Change;
    let home = tempfile::tempdir().unwrap();
    let (mut app, _io) = tui_with_two_ratings(&home.path().join("c"), " сидорова ");
    app.ctx.current = "uysky-mr".into();
    let stamp = app.ctx.stamp();
    assert_eq!(stamp.by, "Сидорова");
    let change = Change::rating(
        &app.ctx.current_record(),
        "training",
        &stamp.by,
        Some(2),
        Some("так"),
        &stamp,
    );
    app.ctx.apply(&[change]).unwrap();
    let raters: Vec<String> = app.ctx.current_record().ratings["training"]
        .keys()
        .cloned()
        .collect();
    assert_eq!(raters, ["Иванова", "Петрова", "Сидорова"]);

    app.ctx.reviewer = Some("Кузнецова".into());
    let stamp = app.ctx.stamp();
    for change in [
        Change::rating(
            &app.ctx.current_record(),
            "training",
            &stamp.by,
            Some(2),
            Some("так"),
            &stamp,
        ),
        Change::decision(
            &app.ctx.current_record(),
            "training",
            Some(2),
            Some("так"),
            &stamp,
        ),
    ] {
        let err = app.ctx.apply(&[change]).unwrap_err().to_string();
        assert!(
            err.contains(
                "«Кузнецова» нет в списке рецензентов кампании: Иванова; Петрова; Сидорова"
            ),
            "{err}"
        );
    }
}
