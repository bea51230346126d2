//! Random key sequences over random terminal sizes on every screen: nothing panics, and
//! after every sequence the campaign reloaded from disk equals the one in memory.

use crate::common;

use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use sobes::data::DataSet;
use sobes::storage;
use sobes::tui::app::App;
use sobes::tui::keymap::Keymap;
use sobes::tui::keys::Key;
use sobes::tui::view::{MIN_HEIGHT, MIN_WIDTH};
use std::path::Path;
use std::sync::OnceLock;

fn data() -> &'static DataSet {
    static DATA: OnceLock<DataSet> = OnceLock::new();
    DATA.get_or_init(|| DataSet::load(&Default::default(), None).unwrap())
}

fn keymaps() -> &'static [Keymap; 2] {
    static KEYMAPS: OnceLock<[Keymap; 2]> = OnceLock::new();
    KEYMAPS.get_or_init(|| {
        [
            Keymap::builtin("default").unwrap(),
            Keymap::builtin("vim").unwrap(),
        ]
    })
}

fn clock() -> String {
    "2026-09-14T10:00:00Z".to_string()
}

#[derive(Clone, Debug)]
enum Op {
    Key(KeyEvent),
    Paste(String),
    /// Resize, then draw.
    Resize(u16, u16),
    /// Draw at the current size (drawing is the slow part, so not after every key).
    Draw,
}

const NAMED: &[&str] = &[
    "up",
    "down",
    "left",
    "right",
    "pageup",
    "pagedown",
    "home",
    "end",
    "enter",
    "esc",
    "tab",
    "shift-tab",
    "backspace",
    "delete",
    "space",
    "f1",
    "ctrl-a",
    "ctrl-e",
    "ctrl-u",
    "ctrl-w",
    "ctrl-k",
    "alt-b",
    "ctrl-left",
];

/// Keys that do things in the default and vim keymaps, and in text fields and overlays.
const CHARS: &[char] = &[
    '/', 'f', 'r', 'c', 'n', 's', 'e', 'm', 'i', 'a', '?', 'y', 'Y', 'N', 'д', 'н', 'т', 'j', 'k',
    'h', 'l', 'g', 'G', 'x', 'd', 'o', 'u', 'p', ' ', '0', '1', '2', '3', '4', '5', '6', '7', '8',
    '9', '-', 'я', 'Ё', 'A', 'C', 'M', 'F', 'K', 'L',
];

fn key(name: &str) -> KeyEvent {
    Key::parse(name).unwrap().event()
}

fn size() -> impl Strategy<Value = (u16, u16)> {
    prop_oneof![
        3 => (1u16..=4, 1u16..=4),
        3 => (1u16..MIN_WIDTH, 1u16..=40),
        2 => (1u16..=120, 1u16..MIN_HEIGHT),
        2 => Just((MIN_WIDTH, MIN_HEIGHT)),
        4 => (MIN_WIDTH..=100, MIN_HEIGHT..=30),
        1 => (100u16..=220, 30u16..=70),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => prop::sample::select(NAMED).prop_map(|n| Op::Key(key(n))),
        10 => prop::sample::select(CHARS)
            .prop_map(|c| Op::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))),
        1 => any::<char>().prop_map(|c| Op::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))),
        1 => Just(Op::Key(key("q"))),
        1 => "[a-zа-я0-9 \\n\\t]{0,12}".prop_map(Op::Paste),
        1 => any::<String>().prop_map(Op::Paste),
        2 => size().prop_map(|(w, h)| Op::Resize(w, h)),
        2 => Just(Op::Draw),
    ]
}

/// Keys that bring the default keymap to each screen first, so every screen gets its share.
fn start() -> impl Strategy<Value = Vec<&'static str>> {
    prop::sample::select(vec![
        vec![],
        vec!["enter"],
        vec!["enter", "down", "down"],
        vec!["c"],
        vec!["r"],
        vec!["r", "down", "enter"],
        vec!["enter", "c"],
        vec!["down", "down", "down", "enter", "s"],
        vec!["f"],
        vec!["/"],
        vec!["?"],
        vec!["A"],
        vec!["C"],
        vec!["M"],
        vec!["M", "right", "enter"],
        vec!["L"],
        vec!["K"],
        vec!["c", "F"],
    ])
}

fn scratch_dir() -> tempfile::TempDir {
    // tmpfs, where fsync costs nothing, when there is one.
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(d) = tempfile::tempdir_in(shm)
    {
        return d;
    }
    tempfile::tempdir().unwrap()
}

fn run_case(
    vim: bool,
    named: bool,
    seeded: bool,
    (w, h): (u16, u16),
    start: Vec<&'static str>,
    ops: Vec<Op>,
) -> Result<(), TestCaseError> {
    let tmp = scratch_dir();
    let dir = tmp.path().join("c");
    let data = data().clone();
    storage::create(&dir, &sobes::session::new_meta(&data, None)).unwrap();
    if seeded {
        // An answer to a question the protocol no longer has, and some real answers.
        std::fs::write(
            dir.join("municipalities/agapovsky-mr.ron"),
            "Record(format: 1, id: \"agapovsky-mr\", answers: {\"old_question\": Answer(value: Some(Bool(true)), by: \"А\", at: \"2022-09-14T10:00:00Z\"), \"licence\": Answer(value: Some(Bool(true)), note: Some(\"заметка\"), by: \"А\", at: \"2022-09-14T10:00:00Z\")}, decisions: {\"training\": Decision(cluster: 2, reason: Some(\"так\"), by: \"А\", at: \"2022-09-14T10:00:00Z\")})",
        )
        .unwrap();
    }
    let campaign = storage::load(&dir, &data.registry).unwrap();
    let keymap = keymaps()[usize::from(vim)].clone();
    let reviewer = named.then(|| "Тест".to_string());
    // Exports the random keys reach go into the scratch directory, nowhere else.
    let exports = tmp.path().join("exports");
    std::fs::create_dir(&exports).unwrap();
    let mut app = App::new(data.clone(), campaign, keymap, reviewer, clock, exports);
    // The seeded half keeps a history, as a campaign does: every save is then a commit too.
    let history = seeded.then(|| {
        let h = sobes::history::History::open(&dir, "ноутбук-1").unwrap();
        h.commit_pending("Тест").unwrap();
        h
    });
    let mut io = sobes::tui::Io::new(
        dir.clone(),
        tmp.path().join("config/config.ron"),
        Default::default(),
        history,
    );
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut events: Vec<Op> = Vec::new();
    if !named {
        events.push(Op::Paste("Тест".into()));
        events.push(Op::Key(key("enter")));
    }
    events.extend(start.iter().map(|n| Op::Key(key(n))));
    events.extend(ops);
    events.push(Op::Draw);
    for op in events {
        let quit = match op {
            Op::Key(k) => sobes::tui::step(&mut app, &mut io, Event::Key(k)),
            Op::Paste(p) => sobes::tui::step(&mut app, &mut io, Event::Paste(p)),
            Op::Resize(w, h) => {
                terminal.backend_mut().resize(w, h);
                terminal
                    .resize(ratatui::layout::Rect::new(0, 0, w, h))
                    .unwrap();
                draw(&mut terminal, &mut app)?;
                false
            }
            Op::Draw => {
                draw(&mut terminal, &mut app)?;
                false
            }
        };
        if quit {
            break;
        }
    }
    let on_disk = storage::load(&dir, &data.registry)
        .map_err(|e| TestCaseError::fail(format!("{}", e[0])))?;
    prop_assert_eq!(&on_disk, &app.ctx.campaign);
    if seeded {
        // Everything saved is in the history: no file differs from the last commit.
        let history = sobes::history::History::read(&dir).unwrap().unwrap();
        prop_assert_eq!(history.uncommitted().unwrap(), Vec::<String>::new());
        prop_assert!(
            on_disk.records["agapovsky-mr"]
                .answers
                .0
                .contains_key("old_question")
        );
    }
    Ok(())
}

/// Draws; below the minimum size the screen says the window is too small.
fn draw(terminal: &mut Terminal<TestBackend>, app: &mut App) -> Result<(), TestCaseError> {
    terminal.draw(|f| sobes::tui::view::draw(f, app)).unwrap();
    let buffer = terminal.backend().buffer();
    let area = buffer.area;
    if (area.width < MIN_WIDTH || area.height < MIN_HEIGHT) && area.width >= 4 {
        let first: String = (0..area.width)
            .map(|x| buffer[(x, 0)].symbol().to_string())
            .collect();
        prop_assert!(
            first.starts_with("Окно"),
            "{}×{}: {first}",
            area.width,
            area.height
        );
    }
    Ok(())
}

/// `cases`, or SOBES_PROPTEST_CASES for a quicker or a longer run.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: common::proptest_cases(cases),
        max_shrink_iters: 2000,
        ..ProptestConfig::default()
    }
}

// 4 × 2,500 = 10,000 sequences; the two halves of each keymap run in parallel.
proptest! {
    #![proptest_config(config(2500))]

    #[test]
    fn default_keymap_short_sequences(
        named in prop::bool::weighted(0.9),
        seeded in any::<bool>(),
        size in size(),
        start in start(),
        ops in prop::collection::vec(op(), 0..8),
    ) {
        run_case(false, named, seeded, size, start, ops)?;
    }

    #[test]
    fn vim_keymap_short_sequences(
        named in prop::bool::weighted(0.9),
        seeded in any::<bool>(),
        size in size(),
        start in start(),
        ops in prop::collection::vec(op(), 0..8),
    ) {
        run_case(true, named, seeded, size, start, ops)?;
    }
}

proptest! {
    #![proptest_config(config(2500))]

    #[test]
    fn default_keymap_long_sequences(
        seeded in any::<bool>(),
        size in size(),
        start in start(),
        ops in prop::collection::vec(op(), 8..20),
    ) {
        run_case(false, true, seeded, size, start, ops)?;
    }

    #[test]
    fn mixed_keymap_long_sequences(
        vim in any::<bool>(),
        seeded in any::<bool>(),
        size in size(),
        start in start(),
        ops in prop::collection::vec(op(), 8..20),
    ) {
        run_case(vim, true, seeded, size, start, ops)?;
    }
}
