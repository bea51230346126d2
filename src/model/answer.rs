//! Answers as recorded: the leaf of the domain, read by conditions, protocol, clusters and
//! campaign alike, so none of them has to import another to know what an answer is.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub enum Value {
    Bool(bool),
    Choice(String),
    Choices(Vec<String>),
    Number(i64),
    Text(String),
    /// Asked, but nothing is known: the answer counts as given and matches no condition
    /// («нет сведений»; the 2022 reconstruction marks what the letter does not tell so).
    Unknown,
}

impl Value {
    /// `Equals` in conditions: an option id, "yes"/"no", a number or a text.
    pub fn equals(&self, expected: &str) -> bool {
        match self {
            Value::Bool(b) => expected == if *b { "yes" } else { "no" },
            Value::Choice(c) => c == expected,
            Value::Choices(_) => false,
            Value::Number(n) => expected.parse::<i64>().is_ok_and(|e| e == *n),
            Value::Text(t) => t == expected,
            Value::Unknown => false,
        }
    }

    pub fn contains(&self, option: &str) -> bool {
        match self {
            Value::Choices(cs) => cs.iter().any(|c| c == option),
            Value::Choice(c) => c == option,
            _ => false,
        }
    }

    pub fn as_number(&self) -> Option<i64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Answer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub by: String,
    pub at: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Answers(pub BTreeMap<String, Answer>);

impl Answers {
    pub fn value(&self, question: &str) -> Option<&Value> {
        self.0.get(question).and_then(|a| a.value.as_ref())
    }

    pub fn note(&self, question: &str) -> Option<&str> {
        self.0.get(question).and_then(|a| a.note.as_deref())
    }
}

/// Answers with these values (and no notes, by nobody), for tests.
#[cfg(test)]
pub fn answers_of(pairs: &[(&str, Value)]) -> Answers {
    Answers(
        pairs
            .iter()
            .map(|(q, v)| {
                let answer = Answer {
                    value: Some(v.clone()),
                    ..Answer::default()
                };
                (q.to_string(), answer)
            })
            .collect(),
    )
}
