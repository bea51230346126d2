//! The resolver against every registry the project ships: each municipality written the
//! ways people write it never resolves to another municipality with a plain «found».

use crate::common;

use proptest::prelude::*;
use sobes::model::collate::to_russian_layout;
use sobes::model::names::{Resolution, resolve};
use sobes::model::registry::{Municipality, Registry};
use sobes::model::source::Origin;

fn registries() -> Vec<Registry> {
    let primorsky = include_str!("data/primorsky.ron");
    vec![
        Registry::builtin(),
        Registry::parse(primorsky, Origin::Builtin("tests/data/primorsky.ron")).unwrap(),
    ]
}

/// The ways a name is written: (how, text).
fn forms(m: &Municipality, typo_at: usize, typo_char: char) -> Vec<(&'static str, String)> {
    let stem = m.stem().to_string();
    let kind = &m.kind;
    let mut out = vec![
        ("canonical", m.name.clone()),
        ("lower", m.name.to_lowercase()),
        ("е for ё", m.name.replace('ё', "е").replace('Ё', "Е")),
        ("genitive", m.genitive.clone()),
        ("stem", stem.clone()),
        ("latin layout", latin_layout(&m.name)),
        // «г. X» of a town, «X р-н» of a district.
        if kind == "МР" {
            ("р-н", format!("{stem} р-н"))
        } else {
            ("г.", format!("г. {stem}"))
        },
        ("quoted", format!("«{}»", m.name)),
        ("double quoted", format!("\"{}\"", m.name)),
        ("numbered", format!("3. {}", m.name)),
        ("trailing dot", format!("{}.", m.name)),
        (
            "look-alike",
            m.name.replacen('о', "o", 1).replacen('а', "a", 1),
        ),
        (
            "NFD",
            m.name.replace('й', "и\u{306}").replace('ё', "е\u{308}"),
        ),
        ("zero width", insert(&m.name, 2, '\u{200B}')),
        ("kind first", format!("{kind} {stem}")),
        ("no hyphen", m.name.replace('-', " ")),
    ];
    let chars: Vec<char> = stem.chars().collect();
    let at = typo_at % chars.len().max(1);
    let mut replaced = chars.clone();
    replaced[at] = typo_char;
    let mut missing = chars.clone();
    missing.remove(at);
    let mut extra = chars.clone();
    extra.insert(at, typo_char);
    for (how, c) in [
        ("typo: wrong", replaced),
        ("typo: missing", missing),
        ("typo: extra", extra),
    ] {
        out.push((how, format!("{} {kind}", c.into_iter().collect::<String>())));
    }
    out
}

fn insert(text: &str, at: usize, c: char) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    chars.insert(at.min(chars.len()), c);
    chars.into_iter().collect()
}

/// What a Russian name looks like typed with the keyboard left in the Latin layout.
fn latin_layout(text: &str) -> String {
    text.chars()
        .map(|c| {
            let lower = c.to_lowercase().next().unwrap_or(c);
            "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
                .chars()
                .find(|l| to_russian_layout(&l.to_string()).starts_with(lower))
                .unwrap_or(c)
        })
        .collect()
}

#[test]
fn each_plain_form_finds_its_own_municipality() {
    for registry in registries() {
        for m in &registry.municipalities {
            let shares_stem = registry
                .municipalities
                .iter()
                .filter(|o| o.stem() == m.stem())
                .count()
                > 1;
            for (how, text) in forms(m, 1, 'ъ') {
                match resolve(&registry, &text) {
                    Resolution::Found { municipality, .. } => {
                        assert_eq!(municipality.id, m.id, "{how}: «{text}»")
                    }
                    Resolution::Ambiguous(list) => assert!(
                        list.iter().any(|o| o.id == m.id),
                        "{how}: «{text}» → {list:?}"
                    ),
                    Resolution::Unknown { .. } => {
                        // Stems shared by two, and typos in short stems, may stay unknown;
                        // the full canonical forms never do.
                        assert!(
                            how.starts_with("typo") || how == "stem" && shares_stem,
                            "{how}: «{text}» unknown"
                        );
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::proptest_cases(256)))]

    /// With any one-letter typo anywhere, never another municipality with a plain «found».
    #[test]
    fn no_form_resolves_to_another_municipality(
        reg in 0usize..2,
        pick in any::<prop::sample::Index>(),
        at in 0usize..40,
        c in prop::sample::select("абвгдеёжзийклмнопрстуфхцчшщъыьэюя".chars().collect::<Vec<_>>()),
    ) {
        let registries = registries();
        let registry = &registries[reg];
        let m = pick.get(&registry.municipalities);
        for (how, text) in forms(m, at, c) {
            if let Resolution::Found { municipality, warning } = resolve(registry, &text) {
                let typo = how.starts_with("typo");
                prop_assert!(
                    municipality.id == m.id || (typo && warning.is_some()
                        && resolve(registry, &municipality.name) != resolve(registry, &m.name)
                        && typo_is_closer_to(&text, municipality, m)),
                    "{how}: «{text}» → {} (meant {})", municipality.name, m.name
                );
            }
        }
    }
}

/// A typo may land nearer another name than its own (one letter changed can make another
/// real name): then the resolver is right to say so, with its warning.
fn typo_is_closer_to(text: &str, got: &Municipality, meant: &Municipality) -> bool {
    let fold = sobes::model::collate::fold;
    let d = |a: &str, b: &str| sobes::model::names::distance(&fold(a), &fold(b));
    d(text, &got.name) <= d(text, &meant.name)
}

#[test]
fn a_prefix_of_two_names_names_both() {
    let registry = &registries()[1];
    match resolve(registry, "Спасск") {
        Resolution::Ambiguous(list) => {
            let names: Vec<&str> = list.iter().map(|m| m.name.as_str()).collect();
            assert!(
                names.contains(&"ГО Спасск-Дальний") && names.contains(&"Спасский МР"),
                "{names:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    let found = |q: &str| match resolve(registry, q) {
        Resolution::Found { municipality, .. } => municipality.name.clone(),
        other => panic!("{q}: {other:?}"),
    };
    assert_eq!(found("Спасский"), "Спасский МР");
    assert_eq!(found("Спасск-Дальний"), "ГО Спасск-Дальний");
    assert_eq!(found("г.о. Спасск-Дальний"), "ГО Спасск-Дальний");
}

/// What staff type and the resolver used to refuse: the town without a space after «г.», a
/// swap of two letters, and the ids the TSV outputs print. What it refuses stays refused.
#[test]
fn a_town_typed_tight_a_swap_and_an_id_resolve() {
    let r = sobes::model::registry::Registry::builtin();
    let found = |q: &str| match sobes::model::names::resolve(&r, q) {
        sobes::model::names::Resolution::Found { municipality, .. } => municipality.name.clone(),
        other => panic!("{q}: {other:?}"),
    };
    assert_eq!(found("г.Кыштым"), "Кыштымский ГО");
    assert_eq!(found("Нязепетровскйи МР"), "Нязепетровский МР");
    assert_eq!(found("agapovsky-mr"), "Агаповский МР");
    for refused in ["Троицкий", "г.", "xyz-mr", "Ку", "Нязепетровский ГО район"]
    {
        assert!(
            !matches!(
                sobes::model::names::resolve(&r, refused),
                sobes::model::names::Resolution::Found { .. }
            ),
            "{refused}"
        );
    }
}
