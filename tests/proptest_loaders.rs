//! Every loader of a file sobes reads, and the name resolver, given arbitrary or damaged
//! input: an error with a position, never a panic.

use crate::common;

use proptest::prelude::*;
use sobes::data::{DataSet, Overrides};
use sobes::model::clusters::Dimensions;
use sobes::model::names::{Resolution, resolve};
use sobes::model::protocol::Protocol;
use sobes::model::registry::Registry;
use sobes::model::source::{Origin, SourceError};
use sobes::storage;
use sobes::tui::keymap::Keymap;

const REGISTRY: &str = include_str!("../data/municipalities.ron");
const PROTOCOL: &str = include_str!("../data/protocol.ron");
const CLUSTERS: &str = include_str!("../data/clusters.ron");
const KEYMAP: &str = include_str!("../keymaps/default.ron");
const ANNEX: &str = include_str!("../data/annex.ron");
const RECORD: &str = "Record(\n    format: 1,\n    id: \"uysky-mr\",\n    status: InProgress,\n    interviewer: Some(\"Тест\"),\n    date: Some(\"2026-09-14\"),\n    answers: {\n        \"licence\": Answer(\n            value: Some(Bool(true)),\n            note: Some(\"заметка\"),\n            by: \"Тест\",\n            at: \"2026-09-14T10:00:00Z\",\n        ),\n        \"work_forms\": Answer(\n            value: Some(Choices([\"seminars\", \"other\"])),\n            by: \"Тест\",\n            at: \"2026-09-14T10:00:00Z\",\n        ),\n    },\n    decisions: {\n        \"training\": Decision(\n            cluster: 2,\n            suggested: Some(1),\n            reason: Some(\"так решили\"),\n            by: \"Тест\",\n            at: \"2026-09-14T10:00:00Z\",\n        ),\n    },\n)\n";

/// A damage to a text: what a bad copy, a crash or a careless edit does.
#[derive(Clone, Debug)]
enum Edit {
    Truncate(usize),
    Delete(usize, usize),
    Insert(usize, String),
    Replace(usize, char),
    Duplicate(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        1 => any::<usize>().prop_map(Edit::Truncate),
        2 => (any::<usize>(), 1usize..40).prop_map(|(p, n)| Edit::Delete(p, n)),
        3 => (any::<usize>(), prop_oneof![
                "[(){}\\[\\],:\"\\\\ a-zA-Z0-9_.#/*-]{1,6}",
                any::<String>(),
                Just("Some(".to_string()),
                Just("\"../x\"".to_string()),
                Just("99999999999999999999".to_string()),
                Just("-1".to_string()),
            ])
            .prop_map(|(p, s)| Edit::Insert(p, s)),
        2 => (any::<usize>(), prop_oneof![
                prop::sample::select(vec!['(', ')', '[', ']', '{', '}', ',', ':', '"', '\\', '\n', '0', 'x', 'я', '\u{0}']),
                any::<char>(),
            ])
            .prop_map(|(p, c)| Edit::Replace(p, c)),
        1 => (any::<usize>(), 1usize..200).prop_map(|(p, n)| Edit::Duplicate(p, n)),
    ]
}

fn damage(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let n = chars.len().max(1);
        match e {
            Edit::Truncate(p) => chars.truncate(p % n),
            Edit::Delete(p, len) => {
                let start = p % n;
                let end = (start + len).min(chars.len());
                if start < end {
                    chars.drain(start..end);
                }
            }
            Edit::Insert(p, s) => {
                let at = (p % n).min(chars.len());
                chars.splice(at..at, s.chars());
            }
            Edit::Replace(p, c) => {
                if !chars.is_empty() {
                    chars[p % n] = *c;
                }
            }
            Edit::Duplicate(p, len) => {
                let start = p % n;
                let end = (start + len).min(chars.len());
                let copy: Vec<char> = chars[start.min(end)..end].to_vec();
                chars.splice(end..end, copy);
            }
        }
    }
    chars.into_iter().collect()
}

/// A position in an error is 0 (the whole file) or inside the text, give or take the end.
fn sane(e: &SourceError, text: &str) -> Result<(), TestCaseError> {
    let lines = text.split('\n').count();
    prop_assert!(e.line <= lines + 1, "line {} of {lines}: {e}", e.line);
    prop_assert!(!e.message.is_empty());
    Ok(())
}

/// tmpfs, where fsync costs nothing, when there is one.
fn scratch_dir() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    if cfg!(unix)
        && shm.is_dir()
        && let Ok(d) = tempfile::tempdir_in(shm)
    {
        return d;
    }
    tempfile::tempdir().unwrap()
}

fn origin() -> Origin {
    Origin::Builtin("test")
}

fn dataset() -> &'static DataSet {
    static D: std::sync::OnceLock<DataSet> = std::sync::OnceLock::new();
    D.get_or_init(|| DataSet::load(&Overrides::default(), None).unwrap())
}

fn registry() -> &'static Registry {
    static R: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    R.get_or_init(Registry::builtin)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::proptest_cases(400)))]

    #[test]
    fn parsers_take_any_string(text in any::<String>()) {
        if let Err(es) = Registry::parse(&text, origin()) {
            for e in &es {
                sane(e, &text)?;
            }
        }
        if let Err(e) = Protocol::parse(&text, &origin()) {
            sane(&e, &text)?;
        }
        if let Err(e) = Dimensions::parse(&text, &origin()) {
            sane(&e, &text)?;
        }
    }

    #[test]
    fn damaged_registries_are_errors(edits in prop::collection::vec(edit(), 1..4)) {
        let text = damage(REGISTRY, &edits);
        match Registry::parse(&text, origin()) {
            Ok(r) => prop_assert!(r.municipalities.iter().all(|m| sobes::model::registry::is_safe_id(&m.id))),
            Err(es) => {
                prop_assert!(!es.is_empty());
                for e in &es {
                    sane(e, &text)?;
                }
            }
        }
    }

    #[test]
    fn damaged_protocols_and_rules_are_errors(
        edits in prop::collection::vec(edit(), 1..4),
        which in any::<bool>(),
    ) {
        // Through DataSet::load, so the consistency checks run on whatever still parses.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.ron");
        let text = damage(if which { PROTOCOL } else { CLUSTERS }, &edits);
        std::fs::write(&file, &text).unwrap();
        let over = Overrides {
            protocol: which.then(|| file.clone()),
            clusters: (!which).then(|| file.clone()),
            ..Overrides::default()
        };
        if let Err(es) = DataSet::load(&over, None) {
            prop_assert!(!es.is_empty());
            for e in &es {
                if e.origin == Origin::File(file.clone()) {
                    sane(e, &text)?;
                }
            }
        }
    }

    #[test]
    fn damaged_annex_templates_are_errors(edits in prop::collection::vec(edit(), 1..4)) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("annex.ron");
        let text = damage(ANNEX, &edits);
        std::fs::write(&file, &text).unwrap();
        if let Err(es) = sobes::annex::load_template(Some(&file), None, dataset()) {
            prop_assert!(!es.is_empty());
            for e in &es {
                sane(e, &text)?;
            }
        }
    }

    #[test]
    fn damaged_keymaps_are_errors(edits in prop::collection::vec(edit(), 1..4)) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keys.ron");
        let text = damage(KEYMAP, &edits);
        std::fs::write(&file, &text).unwrap();
        if let Err(e) = Keymap::load(Some(file.to_str().unwrap()), None) {
            sane(&e, &text)?;
        }
        // The same file as the user's keymap, merged over a built-in one.
        if let Err(e) = Keymap::load(Some("vim"), Some(&file)) {
            sane(&e, &text)?;
        }
    }

    #[test]
    fn damaged_campaign_files_are_errors_naming_the_file(
        edits in prop::collection::vec(edit(), 1..4),
        meta in any::<bool>(),
        raw in prop::option::weighted(0.2, prop::collection::vec(any::<u8>(), 0..300)),
    ) {
        let dir = scratch_dir();
        let c = dir.path().join("c");
        storage::create(&c, &sobes::session::new_meta(dataset(), None)).unwrap();
        let file = if meta {
            c.join(storage::META_FILE)
        } else {
            c.join("municipalities").join("uysky-mr.ron")
        };
        let good = if meta {
            std::fs::read_to_string(&file).unwrap()
        } else {
            RECORD.to_string()
        };
        let bytes = raw.unwrap_or_else(|| damage(&good, &edits).into_bytes());
        std::fs::write(&file, &bytes).unwrap();
        match storage::load(&c, registry()) {
            Ok(campaign) => {
                // Whatever loads saves back and loads again the same.
                for r in campaign.records.values() {
                    storage::save_record(&c, r).unwrap();
                }
                let again = storage::load(&c, registry()).map_err(|e| TestCaseError::fail(e[0].to_string()))?;
                prop_assert_eq!(again, campaign);
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in &errors {
                    prop_assert!(e.to_string().starts_with(&file.display().to_string()), "{}", e);
                }
                prop_assert_eq!(std::fs::read(&file).unwrap(), bytes);
            }
        }
    }

    #[test]
    fn user_config_takes_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.ron");
        std::fs::write(&file, &bytes).unwrap();
        if let Err(e) = sobes::paths::Config::load(&file) {
            prop_assert!(e.to_string().starts_with(&file.display().to_string()), "{}", e);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::proptest_cases(1000)))]

    #[test]
    fn the_resolver_takes_any_string(input in any::<String>()) {
        check_resolution(&input)?;
    }

    #[test]
    fn the_resolver_takes_mangled_names(
        index in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 0..3),
        upper in any::<bool>(),
    ) {
        let names: Vec<&str> = registry()
            .municipalities
            .iter()
            .flat_map(|m| [m.name.as_str(), m.genitive.as_str()])
            .collect();
        let name: &str = index.get::<&str>(&names);
        let mut input = damage(name, &edits);
        if upper {
            input = input.to_uppercase();
        }
        check_resolution(&input)?;
    }
}

fn check_resolution(input: &str) -> Result<(), TestCaseError> {
    let reg = registry();
    let known = |id: &str| reg.get(id).is_some();
    match resolve(reg, input) {
        Resolution::Found { municipality, .. } => prop_assert!(known(&municipality.id)),
        Resolution::Ambiguous(list) => {
            prop_assert!(list.len() >= 2);
            prop_assert!(list.iter().all(|m| known(&m.id)));
        }
        Resolution::Unknown { closest } => {
            prop_assert!(closest.len() <= 3);
            prop_assert!(closest.iter().all(|m| known(&m.id)));
        }
    }
    Ok(())
}

#[test]
fn every_exact_name_resolves_to_itself() {
    for m in &registry().municipalities {
        match resolve(registry(), &m.name) {
            Resolution::Found { municipality, .. } => assert_eq!(municipality.id, m.id),
            other => panic!("{}: {other:?}", m.name),
        }
    }
}
