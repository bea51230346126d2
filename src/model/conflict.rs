//! A field two laptops changed differently, as data: which field, every version with who,
//! when and on which device, and what it held before. A record keeps its conflicts until
//! someone decides; [`crate::model::merge`] finds them.

use super::answer::Value;
use super::clusters::Dimensions;
use super::decision::Decision;
use super::protocol::Protocol;
use serde::{Deserialize, Serialize};

/// A field of a record as the merge sees it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Field {
    Answer(String),
    Note(String),
    Decision(String),
    /// A reviewer's own cluster: (dimension, reviewer).
    Rating(String, String),
    /// The monitoring's points on an indicator.
    Score(String),
}

/// What a field holds on one side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Held {
    Value(Option<Value>),
    Note(Option<String>),
    Decision(Option<Decision>),
    Score(Option<i64>),
}

/// One side's version of a field, with who wrote it, when, and on which device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub held: Held,
    pub by: String,
    pub at: String,
    #[serde(default)]
    pub device: String,
}

/// A field changed differently on two devices: the versions, oldest first, and what the
/// field held before either change (the base), when it held anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub field: Field,
    pub versions: Vec<Version>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Version>,
}

impl Field {
    pub fn name(&self) -> &str {
        match self {
            Field::Answer(q)
            | Field::Note(q)
            | Field::Decision(q)
            | Field::Rating(q, _)
            | Field::Score(q) => q,
        }
    }

    /// The field in words: «ответ «…»», «заметка к «…»», «решение «…»».
    pub fn words(&self, protocol: &Protocol, dims: &Dimensions) -> String {
        let question = |q: &str| {
            protocol
                .question(q)
                .map_or(q.to_string(), |q| q.text.clone())
        };
        match self {
            Field::Answer(q) => format!("ответ «{}»", question(q)),
            Field::Note(q) => format!("заметка к «{}»", question(q)),
            Field::Decision(d) => {
                let title = dims.get(d).map_or(d.as_str(), |d| d.title.as_str());
                format!("решение «{title}»")
            }
            Field::Rating(d, who) => {
                let title = dims.get(d).map_or(d.as_str(), |d| d.title.as_str());
                format!("оценка «{title}» ({who})")
            }
            Field::Score(i) => format!("балл мониторинга, показатель {i}"),
        }
    }

    /// A version of this field in words, as the panel reads values.
    pub fn shown(&self, held: &Held, protocol: &Protocol) -> String {
        match held {
            Held::Value(Some(v)) => protocol
                .question(self.name())
                .map_or_else(|| format!("{v:?}"), |q| protocol.show_value(q, v)),
            Held::Note(Some(n)) => n.clone(),
            Held::Decision(Some(d)) => match &d.reason {
                Some(r) => format!("кластер {} ({r})", d.cluster),
                None => format!("кластер {}", d.cluster),
            },
            Held::Score(Some(v)) => v.to_string(),
            Held::Value(None) | Held::Note(None) | Held::Decision(None) | Held::Score(None) => {
                "(стёрто)".into()
            }
        }
    }
}
