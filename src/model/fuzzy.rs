//! Fuzzy matching that works for Russian names: fuzzy-matcher compares chars as they are,
//! so both sides are folded (lowercase, ё→е) and a query typed in the Latin layout is also
//! tried as the Russian letters on the same keys, and as a name written in Latin letters
//! («Kopeysk», against the name transliterated).

use super::collate::{fold_char, to_russian_layout};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

pub struct Fuzzy {
    matcher: SkimMatcherV2,
}

impl Default for Fuzzy {
    fn default() -> Self {
        Fuzzy {
            matcher: SkimMatcherV2::default().ignore_case(),
        }
    }
}

/// A match: its score and the char indices of the matched letters in the original text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub score: i64,
    pub indices: Vec<usize>,
    /// How the query sits in the text: 0 at its start, 1 at the start of a later word, 2
    /// whole inside a word, 3 scattered. A person typing a stem means the first kinds.
    pub tier: u8,
}

impl Hit {
    /// Sorts better matches first: by tier, then by score.
    pub fn rank(&self) -> (u8, std::cmp::Reverse<i64>) {
        (self.tier, std::cmp::Reverse(self.score))
    }
}

fn tier(text: &str, query: &str) -> u8 {
    if text.starts_with(query) {
        return 0;
    }
    let mut inside = false;
    for (at, _) in text.match_indices(query) {
        if text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| !c.is_alphanumeric())
        {
            return 1;
        }
        inside = true;
    }
    if inside { 2 } else { 3 }
}

fn fold_str(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// A query folded once, with its Russian-layout reading when it is all ASCII, and itself
/// as Latin letters to match against transliterated names when it is all Latin letters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    folded: String,
    layout: Option<String>,
    latin: Option<String>,
}

/// A folded Cyrillic letter in Latin letters, as names are commonly written (Копейск →
/// kopeysk, Челябинск → chelyabinsk); other chars as they are.
fn latin_of(c: char) -> &'static str {
    const TABLE: [(char, &str); 32] = [
        ('а', "a"),
        ('б', "b"),
        ('в', "v"),
        ('г', "g"),
        ('д', "d"),
        ('е', "e"),
        ('ж', "zh"),
        ('з', "z"),
        ('и', "i"),
        ('й', "y"),
        ('к', "k"),
        ('л', "l"),
        ('м', "m"),
        ('н', "n"),
        ('о', "o"),
        ('п', "p"),
        ('р', "r"),
        ('с', "s"),
        ('т', "t"),
        ('у', "u"),
        ('ф', "f"),
        ('х', "kh"),
        ('ц', "ts"),
        ('ч', "ch"),
        ('ш', "sh"),
        ('щ', "shch"),
        ('ъ', ""),
        ('ы', "y"),
        ('ь', ""),
        ('э', "e"),
        ('ю', "yu"),
        ('я', "ya"),
    ];
    TABLE.iter().find(|(k, _)| *k == c).map_or("", |(_, v)| v)
}

/// A folded text in Latin letters, and for each of its chars the index of the char of the
/// text it came from (to highlight the original).
fn transliterated(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut from = Vec::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        let latin = latin_of(c);
        if latin.is_empty() && !matches!(c, 'ъ' | 'ь') {
            out.push(c);
            from.push(i);
        } else {
            out.push_str(latin);
            from.extend(std::iter::repeat_n(i, latin.len()));
        }
    }
    (out, from)
}

impl Query {
    pub fn new(query: &str) -> Query {
        let query = query.trim();
        let folded = fold_str(query);
        Query {
            layout: query
                .is_ascii()
                .then(|| fold_str(&to_russian_layout(query)))
                .filter(|l| !l.is_empty()),
            latin: folded
                .chars()
                .any(|c| c.is_ascii_alphabetic())
                .then(|| folded.clone())
                .filter(|q| {
                    q.chars()
                        .all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '-')
                }),
            folded,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.folded.is_empty()
    }
}

/// A text folded once for repeated matching.
pub fn fold_text(text: &str) -> String {
    fold_str(text)
}

impl Fuzzy {
    pub fn matches(&self, text: &str, query: &str) -> Option<Hit> {
        self.matches_folded(&fold_str(text), &Query::new(query))
    }

    /// Matching with both sides folded beforehand; the hot path of the search field.
    pub fn matches_folded(&self, folded_text: &str, query: &Query) -> Option<Hit> {
        if query.is_empty() {
            return Some(Hit {
                score: 0,
                indices: Vec::new(),
                tier: 0,
            });
        }
        let mut best = self.one(folded_text, &query.folded);
        let mut consider = |other: Option<Hit>| {
            if other.as_ref().map(Hit::rank) < best.as_ref().map(Hit::rank) || best.is_none() {
                best = other.or(best.take());
            }
        };
        if let Some(layout) = &query.layout {
            consider(self.one(folded_text, layout));
        }
        if let Some(latin) = &query.latin
            && !folded_text.is_ascii()
        {
            let (text, from) = transliterated(folded_text);
            consider(self.one(&text, latin).map(|mut hit| {
                hit.indices = hit
                    .indices
                    .iter()
                    .filter_map(|&i| from.get(i).copied())
                    .collect();
                hit.indices.dedup();
                hit
            }));
        }
        best
    }

    fn one(&self, text: &str, query: &str) -> Option<Hit> {
        let (score, mut indices) = self.matcher.fuzzy_indices(text, query)?;
        let tier = tier(text, query);
        if tier < 3 {
            // The skim matcher may pick scattered letters even where the query stands whole;
            // highlight where it stands.
            let at = text.match_indices(query).map(|(at, _)| at).find(|&at| {
                tier != 1
                    || text[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| !c.is_alphanumeric())
            });
            if let Some(at) = at {
                let start = text[..at].chars().count();
                indices = (start..start + query.chars().count()).collect();
            }
        }
        Some(Hit {
            score,
            indices,
            tier,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_case_yo_and_layout() {
        let f = Fuzzy::default();
        assert!(f.matches("Челябинский ГО", "челя").is_some());
        assert!(f.matches("Трёхгорный ГО", "ТРЕХ").is_some());
        let hit = f.matches("Челябинский ГО", "xtkz").expect("layout");
        assert_eq!(hit.indices, vec![0, 1, 2, 3]);
        assert!(f.matches("Агаповский МР", "xtkz").is_none());
    }

    #[test]
    fn a_name_written_in_latin_letters_is_found() {
        let f = Fuzzy::default();
        let hit = f.matches("Копейский ГО", "Kopeysk").expect("Kopeysk");
        assert_eq!(hit.tier, 0);
        assert_eq!(hit.indices, (0..7).collect::<Vec<_>>());
        assert!(f.matches("Челябинский ГО", "Chelyabinsk").is_some());
        assert!(f.matches("Трёхгорный ГО", "trekhgor").is_some());
        assert!(f.matches("Агаповский МР", "Kopeysk").is_none());
    }

    #[test]
    fn a_stem_ranks_above_scattered_letters() {
        let f = Fuzzy::default();
        let uy = f.matches("Уйский МР", "уйск").unwrap();
        let vu = f.matches("Верхнеуфалейский ГО", "уйск").unwrap();
        assert!(uy.rank() < vu.rank(), "{uy:?} {vu:?}");
        assert_eq!(f.matches("Усть-Катавский ГО", "катав").unwrap().tier, 1);
        assert_eq!(
            f.matches("Усть-Катавский ГО", "катав").unwrap().indices,
            [5, 6, 7, 8, 9]
        );
        assert_eq!(f.matches("Катав-Ивановский МР", "катав").unwrap().tier, 0);
    }
}
