//! Cluster dimensions, their clusters and the ordered rules that suggest one.

use super::answer::Answers;
use super::condition::Condition;
use super::protocol::Protocol;
use super::source::{Origin, SourceError, parse_ron};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Cluster {
    pub number: u8,
    pub short: String,
    pub meaning: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Rule {
    pub cluster: u8,
    pub when: Condition,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Dimension {
    pub id: String,
    pub title: String,
    /// A short column header; the first word of the title when absent.
    #[serde(default)]
    pub column: Option<String>,
    pub clusters: Vec<Cluster>,
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Dimensions(pub Vec<Dimension>);

/// A suggested cluster, the index of the rule that gave it, and the answers that made it hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub cluster: u8,
    pub rule: usize,
    pub because: Vec<String>,
}

impl Dimension {
    /// The suggested cluster alone, without building the explanation.
    pub fn suggested_cluster(&self, answers: &Answers) -> Option<u8> {
        self.suggested_rule(answers).map(|(_, c)| c)
    }

    /// The index of the rule that suggests, with its cluster, without the explanation.
    pub fn suggested_rule(&self, answers: &Answers) -> Option<(usize, u8)> {
        self.rules
            .iter()
            .position(|r| r.when.holds(answers))
            .map(|i| (i, self.rules[i].cluster))
    }

    /// The questions this dimension's rules read that are shown and still unanswered, in
    /// the protocol's order: what keeps a suggestion from being made. Empty when every one
    /// is answered and simply no rule fits.
    pub fn waiting_for<'a>(&self, answers: &Answers, protocol: &'a Protocol) -> Vec<&'a str> {
        let read: std::collections::BTreeSet<&str> =
            self.rules.iter().flat_map(|r| r.when.questions()).collect();
        protocol
            .questions()
            .map(|(_, q)| q)
            .filter(|q| read.contains(q.id.as_str()))
            .filter(|q| answers.value(&q.id).is_none() && protocol.is_visible(q, answers))
            .map(|q| q.id.as_str())
            .collect()
    }

    pub fn suggest(&self, answers: &Answers, protocol: &Protocol) -> Option<Suggestion> {
        self.rules
            .iter()
            .enumerate()
            .find(|(_, r)| r.when.holds(answers))
            .map(|(i, r)| Suggestion {
                cluster: r.cluster,
                rule: i,
                because: r
                    .when
                    .explain(answers, &|q| protocol.describe_answer(q, answers)),
            })
    }

    pub fn column(&self) -> String {
        self.column
            .clone()
            .unwrap_or_else(|| self.title.split_whitespace().next().unwrap_or("").into())
    }

    pub fn cluster(&self, number: u8) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.number == number)
    }
}

impl Dimensions {
    pub fn parse(text: &str, origin: &Origin) -> Result<Dimensions, SourceError> {
        parse_ron(text, origin)
    }

    pub fn builtin() -> Dimensions {
        Dimensions::parse(
            include_str!("../../data/clusters.ron"),
            &Origin::Builtin("data/clusters.ron"),
        )
        .expect("the built-in cluster rules are valid")
    }

    pub fn get(&self, id: &str) -> Option<&Dimension> {
        self.0.iter().find(|d| d.id == id)
    }

    /// The dimension a person names: by its id, its title, its column's short name
    /// («Обучение», «Пр.офис»), or the start of its title, whatever the case and ё/е; None
    /// when nothing or more than one fits.
    pub fn named(&self, word: &str) -> Option<&Dimension> {
        let fold = |s: &str| -> String {
            s.trim()
                .chars()
                .map(super::collate::fold_char)
                .collect::<String>()
        };
        let word = fold(word);
        if word.is_empty() {
            return None;
        }
        let exact = self.0.iter().find(|d| {
            [d.id.as_str(), &d.title, &d.column()]
                .iter()
                .any(|n| fold(n) == word)
        });
        if exact.is_some() {
            return exact;
        }
        let mut starting = self.0.iter().filter(|d| fold(&d.title).starts_with(&word));
        match (starting.next(), starting.next()) {
            (Some(d), None) => Some(d),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::answer::{Value, answers_of as answers};

    #[test]
    fn first_rule_wins_and_explains() {
        let p = Protocol::builtin();
        let d = Dimensions::builtin();
        let training = d.get("training").unwrap();
        let a = answers(&[
            ("host_bases", Value::Bool(false)),
            ("help_bases", Value::Bool(true)),
            ("need_consulting", Value::Bool(true)),
        ]);
        let s = training.suggest(&a, &p).unwrap();
        assert_eq!(s.cluster, 1);
        assert_eq!(s.because.len(), 1);
        assert!(s.because[0].contains("помогать"), "{:?}", s.because);
        assert!(s.because[0].ends_with("да"));

        let a = answers(&[
            ("host_bases", Value::Bool(false)),
            ("need_training", Value::Bool(true)),
            ("need_consulting", Value::Bool(true)),
        ]);
        assert_eq!(training.suggest(&a, &p).unwrap().cluster, 3);
        let a = answers(&[("need_training", Value::Bool(true))]);
        assert_eq!(training.suggest(&a, &p).unwrap().cluster, 2);
        assert_eq!(training.suggest(&Answers::default(), &p), None);
    }

    /// With every answer the rules read given and none fitting, nothing is waited for: the
    /// screen says no rule fits, not that answers are missing.
    #[test]
    fn what_a_suggestion_waits_for() {
        let p = Protocol::builtin();
        let d = Dimensions::builtin();
        let training = d.get("training").unwrap();
        let all_no = answers(&[
            ("host_bases", Value::Bool(false)),
            ("help_bases", Value::Bool(false)),
            ("need_training", Value::Bool(false)),
            ("need_consulting", Value::Bool(false)),
        ]);
        assert_eq!(training.suggest(&all_no, &p), None);
        assert!(training.waiting_for(&all_no, &p).is_empty());
        let some = answers(&[("host_bases", Value::Bool(false))]);
        let waiting = training.waiting_for(&some, &p);
        assert!(waiting.contains(&"need_consulting"), "{waiting:?}");
        assert!(!waiting.contains(&"host_bases"), "{waiting:?}");
    }

    #[test]
    fn not_and_range_explain_the_answers_behind_them() {
        let p = Protocol::builtin();
        let c = Condition::All(vec![
            Condition::InRange("methodists".into(), 1, 2),
            Condition::Not(Box::new(Condition::Equals(
                "org_form".into(),
                "center".into(),
            ))),
        ]);
        let a = answers(&[
            ("methodists", Value::Number(2)),
            ("org_form", Value::Choice("department".into())),
        ]);
        assert!(c.holds(&a));
        let why = c.explain(&a, &|q| p.describe_answer(q, &a));
        assert_eq!(why.len(), 2);
        assert!(why[0].ends_with("— 2"));
        assert!(why[1].ends_with("Отдел внутри управления образования"));
        let a = answers(&[("methodists", Value::Number(3))]);
        assert!(!c.holds(&a));
    }
}
