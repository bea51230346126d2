//! Turning what staff type or paste into a municipality of the registry.
//!
//! Order: exact name; folded (case, ё/е, spaces) name, genitive or alias; declined or
//! suffix-less forms by the stem; a wrong suffix where the stem is unique (with a warning);
//! a unique prefix. All of it is tried again with a Latin-layout query mapped to Russian.
//! Where two municipalities fit, both are returned: the resolver never guesses.

use super::collate::{fold, to_russian_layout};
use super::fuzzy::Fuzzy;
use super::registry::{Municipality, Registry};

#[derive(Debug, PartialEq, Eq)]
pub enum Resolution<'a> {
    Found {
        municipality: &'a Municipality,
        warning: Option<String>,
    },
    Ambiguous(Vec<&'a Municipality>),
    Unknown {
        closest: Vec<&'a Municipality>,
    },
}

/// Long forms of the kind abbreviations, in the cases they appear in running text.
const KIND_FORMS: &[(&str, &[&str])] = &[
    (
        "го",
        &[
            "городской округ",
            "городского округа",
            "городскому округу",
            "городским округом",
            "городском округе",
        ],
    ),
    (
        "мр",
        &[
            "муниципальный район",
            "муниципального района",
            "муниципальному району",
            "муниципальным районом",
            "муниципальном районе",
            "район",
            "района",
            "районе",
        ],
    ),
    (
        "мо",
        &[
            "муниципальный округ",
            "муниципального округа",
            "муниципальному округу",
            "муниципальным округом",
            "муниципальном округе",
        ],
    ),
];

const ADJECTIVE_ENDINGS: &[&str] = &[
    "ого", "его", "ому", "ему", "ими", "ыми", "ий", "ый", "ой", "ая", "ое", "ые", "ие", "им", "ым",
    "ом", "ем", "ую",
];

/// The word with its adjective ending cut off, so that every case of a name has one key.
fn word_key(word: &str) -> &str {
    for ending in ADJECTIVE_ENDINGS {
        if let Some(stem) = word.strip_suffix(ending)
            && stem.chars().count() >= 3
        {
            return stem;
        }
    }
    word
}

fn stem_key(folded_stem: &str) -> String {
    folded_stem
        .split(' ')
        .map(word_key)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Splits a folded query into its stem and the folded kind, if it names one.
fn split_kind<'q>(query: &'q str, kinds: &[String]) -> (&'q str, Option<String>) {
    for kind in kinds {
        let k = fold(kind);
        if let Some(stem) = query.strip_suffix(&k)
            && (stem.is_empty() || stem.ends_with(' '))
        {
            return (stem.trim_end(), Some(k));
        }
        if let Some((_, forms)) = KIND_FORMS.iter().find(|(abbr, _)| *abbr == k) {
            for form in *forms {
                if let Some(stem) = query.strip_suffix(form)
                    && stem.ends_with(' ')
                {
                    return (stem.trim_end(), Some(k.clone()));
                }
            }
        }
    }
    (query, None)
}

pub fn resolve<'a>(registry: &'a Registry, input: &str) -> Resolution<'a> {
    if let Some(m) = registry.municipalities.iter().find(|m| m.name == input) {
        return Resolution::Found {
            municipality: m,
            warning: None,
        };
    }
    let folded = fold(input);
    if folded.is_empty() {
        return Resolution::Unknown {
            closest: Vec::new(),
        };
    }
    let mut result = resolve_folded(registry, &folded);
    if matches!(result, Resolution::Unknown { .. }) && input.is_ascii() {
        let mapped = resolve_folded(registry, &fold(&to_russian_layout(input)));
        if !matches!(mapped, Resolution::Unknown { .. }) {
            result = mapped;
        }
    }
    if matches!(result, Resolution::Unknown { .. }) {
        result = Resolution::Unknown {
            closest: closest(registry, input, 3),
        };
    }
    result
}

fn resolve_folded<'a>(registry: &'a Registry, query: &str) -> Resolution<'a> {
    let list = &registry.municipalities;
    if let Some(m) = list.iter().find(|m| {
        fold(&m.name) == query
            || fold(&m.genitive) == query
            || m.aliases.iter().any(|a| fold(a) == query)
    }) {
        return Resolution::Found {
            municipality: m,
            warning: None,
        };
    }
    let (stem, kind) = split_kind(query, &registry.kinds);
    if stem.is_empty() {
        return Resolution::Unknown {
            closest: Vec::new(),
        };
    }
    let key = stem_key(stem);
    let same_stem: Vec<&Municipality> = list
        .iter()
        .filter(|m| stem_key(&fold(m.stem())) == key)
        .collect();
    if !same_stem.is_empty() {
        return pick(same_stem, kind.as_deref());
    }
    let by_prefix: Vec<&Municipality> = list
        .iter()
        .filter(|m| fold(m.stem()).starts_with(stem))
        .collect();
    if !by_prefix.is_empty() {
        return pick(by_prefix, kind.as_deref());
    }
    Resolution::Unknown {
        closest: Vec::new(),
    }
}

fn pick<'a>(candidates: Vec<&'a Municipality>, kind: Option<&str>) -> Resolution<'a> {
    let of_kind: Vec<&Municipality> = match kind {
        Some(k) => candidates
            .iter()
            .copied()
            .filter(|m| fold(&m.kind) == k)
            .collect(),
        None => candidates.clone(),
    };
    match (of_kind.len(), candidates.len()) {
        (1, _) => Resolution::Found {
            municipality: of_kind[0],
            warning: None,
        },
        (0, 1) => {
            let m = candidates[0];
            Resolution::Found {
                municipality: m,
                warning: Some(format!(
                    "такого сочетания нет: с этим названием есть только «{}» ({})",
                    m.name, m.kind
                )),
            }
        }
        (0, _) => Resolution::Ambiguous(candidates),
        _ => Resolution::Ambiguous(of_kind),
    }
}

/// The registry names nearest to a query: fuzzy matches first, then by edit distance.
pub fn closest<'a>(registry: &'a Registry, input: &str, n: usize) -> Vec<&'a Municipality> {
    let fuzzy = Fuzzy::default();
    let mut fuzzy_hits: Vec<(i64, &Municipality)> = registry
        .municipalities
        .iter()
        .filter_map(|m| fuzzy.matches(&m.name, input).map(|h| (h.score, m)))
        .collect();
    fuzzy_hits.sort_by_key(|h| std::cmp::Reverse(h.0));
    let mut out: Vec<&Municipality> = fuzzy_hits.into_iter().take(n).map(|(_, m)| m).collect();
    if out.len() < n {
        let q = fold(input);
        let q_layout = fold(&to_russian_layout(input));
        let mut by_distance: Vec<(usize, &Municipality)> = registry
            .municipalities
            .iter()
            .filter(|m| !out.iter().any(|o| o.id == m.id))
            .map(|m| {
                let name = fold(m.stem());
                (distance(&q, &name).min(distance(&q_layout, &name)), m)
            })
            .collect();
        by_distance.sort_by_key(|(d, _)| *d);
        out.extend(by_distance.into_iter().take(n - out.len()).map(|(_, m)| m));
    }
    out
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(r: &Registry, q: &str) -> (String, bool) {
        match resolve(r, q) {
            Resolution::Found {
                municipality,
                warning,
            } => (municipality.name.clone(), warning.is_some()),
            other => panic!("{q}: {other:?}"),
        }
    }

    fn ambiguous(r: &Registry, q: &str) -> Vec<String> {
        match resolve(r, q) {
            Resolution::Ambiguous(v) => v.iter().map(|m| m.name.clone()).collect(),
            other => panic!("{q}: {other:?}"),
        }
    }

    #[test]
    fn every_form_of_the_letter() {
        let r = Registry::builtin();
        let cases = [
            ("Челябинский ГО", "Челябинский ГО", false),
            ("  челябинский   го ", "Челябинский ГО", false),
            ("каслинский МР", "Каслинский МР", false),
            ("Трехгорный ГО", "Трёхгорный ГО", false),
            ("Трехгорный", "Трёхгорный ГО", false),
            ("Катав-Ивановский", "Катав-Ивановский МР", false),
            ("Челябинского ГО", "Челябинский ГО", false),
            ("Саткинском МР", "Саткинский МР", false),
            (
                "Магнитогорского городского округа",
                "Магнитогорский ГО",
                false,
            ),
            ("Саткинский ГО", "Саткинский МР", true),
            ("Верхнеуфалейский МР", "Верхнеуфалейский ГО", true),
            ("Карталинского ГО", "Карталинский МР", true),
            ("xtkz", "Челябинский ГО", false),
            ("Xtkz,bycrbq UJ", "Челябинский ГО", false),
            ("Троицкий МР", "Троицкий МР", false),
            ("Троицкого ГО", "Троицкий ГО", false),
            ("Златоуст", "Златоустовский ГО", false),
            ("Усть–Катавский", "Усть-Катавский ГО", false),
        ];
        for (q, want, warned) in cases {
            assert_eq!(found(&r, q), (want.to_string(), warned), "{q}");
        }
    }

    #[test]
    fn shared_stems_are_never_guessed() {
        let r = Registry::builtin();
        assert_eq!(ambiguous(&r, "Троицкий"), ["Троицкий ГО", "Троицкий МР"]);
        assert_eq!(
            ambiguous(&r, "чебаркульского"),
            ["Чебаркульский ГО", "Чебаркульский МР"]
        );
        assert_eq!(ambiguous(&r, "nhjbw"), ["Троицкий ГО", "Троицкий МР"]);
    }

    #[test]
    fn unknown_offers_closest() {
        let r = Registry::builtin();
        match resolve(&r, "Челябенский") {
            Resolution::Unknown { closest } => assert_eq!(closest[0].name, "Челябинский ГО"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(resolve(&r, ""), Resolution::Unknown { .. }));
    }
}
