//! Fuzzy matching that works for Russian names: fuzzy-matcher compares chars as they are,
//! so both sides are folded (lowercase, ё→е) and a query typed in the Latin layout is also
//! tried as the Russian letters on the same keys.

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

/// A query folded once, with its Russian-layout reading when it is all ASCII.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    folded: String,
    layout: Option<String>,
}

impl Query {
    pub fn new(query: &str) -> Query {
        let query = query.trim();
        Query {
            folded: fold_str(query),
            layout: query
                .is_ascii()
                .then(|| fold_str(&to_russian_layout(query)))
                .filter(|l| !l.is_empty()),
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
        if let Some(layout) = &query.layout {
            let mapped = self.one(folded_text, layout);
            if mapped.as_ref().map(Hit::rank) < best.as_ref().map(Hit::rank) || best.is_none() {
                best = mapped.or(best);
            }
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
