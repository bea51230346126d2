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
}

fn fold_str(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

impl Fuzzy {
    pub fn matches(&self, text: &str, query: &str) -> Option<Hit> {
        let query = query.trim();
        if query.is_empty() {
            return Some(Hit {
                score: 0,
                indices: Vec::new(),
            });
        }
        let text = fold_str(text);
        let mut best = self.one(&text, &fold_str(query));
        if query.is_ascii() {
            let mapped = self.one(&text, &fold_str(&to_russian_layout(query)));
            if mapped.as_ref().map(|h| h.score) > best.as_ref().map(|h| h.score) {
                best = mapped;
            }
        }
        best
    }

    fn one(&self, text: &str, query: &str) -> Option<Hit> {
        self.matcher
            .fuzzy_indices(text, query)
            .map(|(score, indices)| Hit { score, indices })
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
}
