//! Turning what staff type or paste into a municipality of the registry.
//!
//! First the text is tidied as a person would read it: look-alike Latin letters, NFD forms,
//! invisible marks, quotes, a list number, trailing punctuation, «г.», «город», «р-н»,
//! «м.р.», «г.о.». Then: exact name; folded (case, ё/е, spaces) name, genitive or alias;
//! declined or suffix-less forms by the stem; a wrong suffix where the stem is unique (with a
//! warning); a prefix of one name only; one wrong, missing or extra letter where only one
//! name is that close (with a warning). All of it is tried again with a Latin-layout query
//! mapped to Russian. Where two municipalities fit, both are returned: the resolver never
//! guesses. Anything but an exact name or alias needs three letters at least.

use super::collate::{fold, to_russian_layout, unmangle};
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
        .split([' ', '-'])
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

/// What was typed, as a person would read it (see the module's header), folded.
fn tidy(input: &str, kinds: &[String]) -> String {
    let text: String = unmangle(input)
        .chars()
        .filter(|c| !matches!(c, '«' | '»' | '"' | '„' | '“' | '”' | '‘' | '’' | '\''))
        .collect();
    let text = fold(&text)
        .replace("м. р.", "м.р.")
        .replace("г. о.", "г.о.");
    let text = text.trim_end_matches(['.', ',', ';', ':', '!', '?', ' ']);
    let mut words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    // «1. Кусинский МР», «2) …»
    if words.len() > 1
        && let Some(n) = words[0].strip_suffix(['.', ')'])
        && !n.is_empty()
        && n.chars().all(|c| c.is_ascii_digit())
    {
        words.remove(0);
    }
    let kinds: Vec<String> = kinds.iter().map(|k| fold(k)).collect();
    let mut out: Vec<String> = words
        .iter()
        .map(|w| {
            match *w {
                "м.р." | "м.р" | "мр." | "р-н" | "р-на" | "р-не" | "р.н." | "р-он" => {
                    "мр"
                }
                "г.о." | "г.о" | "го." => "го",
                w => w,
            }
            .to_string()
        })
        .collect();
    // «г. Миасс», «город Миасс»: the town is the alias of its district; «г.Кыштым», typed
    // without the space, too.
    if out.len() > 1 && matches!(out[0].as_str(), "г." | "г" | "гор." | "город") {
        out.remove(0);
    } else if let Some(rest) = out
        .first()
        .and_then(|w| w.strip_prefix("г.").or_else(|| w.strip_prefix("гор.")))
        .filter(|rest| rest.chars().next().is_some_and(char::is_alphabetic))
    {
        out[0] = rest.to_string();
    }
    // «ГО Спасск-Дальний»: a kind written first reads as one written last.
    if out.len() > 1 && kinds.contains(&out[0]) {
        let kind = out.remove(0);
        out.push(kind);
    }
    out.join(" ")
}

pub fn resolve<'a>(registry: &'a Registry, input: &str) -> Resolution<'a> {
    // The ids that `status --tsv` and the exports print are names too.
    if let Some(m) = registry
        .municipalities
        .iter()
        .find(|m| m.name == input || m.id == input.trim())
    {
        return Resolution::Found {
            municipality: m,
            warning: None,
        };
    }
    let folded = tidy(input, &registry.kinds);
    if folded.is_empty() {
        return Resolution::Unknown {
            closest: Vec::new(),
        };
    }
    let latin = input
        .is_ascii()
        .then(|| tidy(&to_russian_layout(input), &registry.kinds));
    let mut result = resolve_folded(registry, &folded);
    if let (Resolution::Unknown { .. }, Some(mapped)) = (&result, &latin) {
        let mapped = resolve_folded(registry, mapped);
        if !matches!(mapped, Resolution::Unknown { .. }) {
            result = mapped;
        }
    }
    if matches!(result, Resolution::Unknown { .. }) {
        result = typo(registry, &folded);
    }
    if let (Resolution::Unknown { .. }, Some(mapped)) = (&result, &latin) {
        result = typo(registry, mapped);
    }
    if matches!(result, Resolution::Unknown { .. }) {
        result = Resolution::Unknown {
            closest: closest(registry, input, 3),
        };
    }
    result
}

/// Letters in a text.
fn letters(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphabetic()).count()
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
    // «Ю», «Ок»: too little to tell a municipality by.
    if letters(stem) < 3 {
        return Resolution::Unknown {
            closest: Vec::new(),
        };
    }
    let key = stem_key(stem);
    let mut candidates: Vec<&Municipality> = list
        .iter()
        .filter(|m| stem_key(&fold(m.stem())) == key)
        .collect();
    // A stem that begins other names (or aliases) too names them all: «Спасск» is Спасский
    // МР and ГО Спасск-Дальний alike.
    let begins = |text: &str| text.starts_with(stem) && text != stem;
    for m in list {
        let prefix = begins(&fold(m.stem())) || m.aliases.iter().any(|a| begins(&fold(a)));
        if prefix && !candidates.iter().any(|c| c.id == m.id) {
            candidates.push(m);
        }
    }
    if candidates.is_empty() {
        return Resolution::Unknown {
            closest: Vec::new(),
        };
    }
    candidates.sort_by_key(|m| list.iter().position(|o| o.id == m.id));
    pick(candidates, kind.as_deref())
}

/// One wrong, missing or extra letter, where only one municipality is that close; said.
fn typo<'a>(registry: &'a Registry, query: &str) -> Resolution<'a> {
    let unknown = Resolution::Unknown {
        closest: Vec::new(),
    };
    let (stem, kind) = split_kind(query, &registry.kinds);
    if letters(stem) < 5 {
        return unknown;
    }
    let key = stem_key(stem);
    let near: Vec<&Municipality> = registry
        .municipalities
        .iter()
        .filter(|m| {
            let own = fold(m.stem());
            distance(stem, &own) <= 1
                || distance(&key, &stem_key(&own)) <= 1
                || m.aliases.iter().any(|a| distance(stem, &fold(a)) <= 1)
        })
        .collect();
    match pick(near, kind.as_deref()) {
        Resolution::Found { municipality, .. } => Resolution::Found {
            municipality,
            warning: Some(format!(
                "похоже на опечатку: понято как «{}»",
                municipality.name
            )),
        },
        Resolution::Ambiguous(list) if !list.is_empty() => Resolution::Ambiguous(list),
        _ => unknown,
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

/// Levenshtein distance in chars.
/// Edits between two words: a letter wrong, missing or extra, or two neighbours swapped
/// («Нязепетровскйи») — each one edit, as a typist makes them.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: two back for a swap.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (prev[j - 1] + cost).min(prev[j] + 1).min(row[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut prev, row);
    }
    prev[b.len()]
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
    fn names_as_people_write_them() {
        let r = Registry::builtin();
        let cases = [
            ("г. Миасс", "Миасский ГО", false),
            ("город Миасс", "Миасский ГО", false),
            ("Сосновский р-н", "Сосновский МР", false),
            ("Сосновский м.р.", "Сосновский МР", false),
            ("Копейский г.о.", "Копейский ГО", false),
            ("«Уйский МР»", "Уйский МР", false),
            ("\"Уйский\"", "Уйский МР", false),
            ("Уйский МР.", "Уйский МР", false),
            ("1. Кусинский МР", "Кусинский МР", false),
            ("12) Кусинский", "Кусинский МР", false),
            ("Усть Катавский", "Усть-Катавский ГО", false),
            ("Кoпейский", "Копейский ГО", false),
            ("Уи\u{0306}ский", "Уйский МР", false),
            ("Уйс\u{200B}кий", "Уйский МР", false),
            ("Челябенский", "Челябинский ГО", true),
            ("Кусинскийй МР", "Кусинский МР", true),
            ("Нагайбаский", "Нагайбакский МР", true),
        ];
        for (q, want, warned) in cases {
            assert_eq!(found(&r, q), (want.to_string(), warned), "{q}");
        }
        for short in ["Ю", "Ок", "ок", "уй"] {
            assert!(
                matches!(resolve(&r, short), Resolution::Unknown { .. }),
                "{short}"
            );
        }
        // A typo never picks between two equally close names.
        assert_eq!(ambiguous(&r, "Троицкй"), ["Троицкий ГО", "Троицкий МР"]);
        // A stem that begins two names names both.
        assert_eq!(
            ambiguous(&r, "Верхнеу"),
            ["Верхнеуральский МР", "Верхнеуфалейский ГО"]
        );
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
        match resolve(&r, "Чилябенскей") {
            Resolution::Unknown { closest } => assert_eq!(closest[0].name, "Челябинский ГО"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(resolve(&r, ""), Resolution::Unknown { .. }));
    }
}
