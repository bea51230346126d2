//! The interview protocol: sections of questions, each with a kind and an optional condition.

use super::answer::{Answers, Value};
use super::condition::Condition;
use super::source::{Origin, SourceError, parse_ron};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Choice {
    pub id: String,
    pub label: String,
    /// In a multiple choice: cannot be chosen together with another option («нет»).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclusive: bool,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub enum Kind {
    YesNo,
    SingleChoice(Vec<Choice>),
    MultipleChoice(Vec<Choice>),
    Number { min: i64, max: i64 },
    Text,
}

impl Kind {
    /// The name used in `sobes questions`.
    pub fn code(&self) -> &'static str {
        match self {
            Kind::YesNo => "yes_no",
            Kind::SingleChoice(_) => "single_choice",
            Kind::MultipleChoice(_) => "multiple_choice",
            Kind::Number { .. } => "number",
            Kind::Text => "text",
        }
    }

    pub fn choices(&self) -> &[Choice] {
        match self {
            Kind::SingleChoice(c) | Kind::MultipleChoice(c) => c,
            _ => &[],
        }
    }

    /// The options a cursor moves over: choices, or Да/Нет for a yes/no question.
    pub fn options(&self) -> Vec<(String, String)> {
        match self {
            Kind::YesNo => vec![("yes".into(), "Да".into()), ("no".into(), "Нет".into())],
            other => other
                .choices()
                .iter()
                .map(|c| (c.id.clone(), c.label.clone()))
                .collect(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Question {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub help: Option<String>,
    pub kind: Kind,
    pub required: bool,
    #[serde(default)]
    pub show_if: Option<Condition>,
    /// For a number: the id of another number question this one cannot exceed (part-time
    /// staff are some of the methodists, never more).
    #[serde(default)]
    pub at_most: Option<String>,
    /// An answer that rarely changes (the service's form, its licence): a new campaign may
    /// offer last year's to confirm.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub carry: bool,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub questions: Vec<Question>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Protocol {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub sections: Vec<Section>,
}

impl Protocol {
    pub fn parse(text: &str, origin: &Origin) -> Result<Protocol, SourceError> {
        parse_ron(text, origin)
    }

    pub fn builtin() -> Protocol {
        Protocol::parse(
            include_str!("../../data/protocol.ron"),
            &Origin::Builtin("data/protocol.ron"),
        )
        .expect("the built-in protocol is valid")
    }

    pub fn questions(&self) -> impl Iterator<Item = (&Section, &Question)> {
        self.sections
            .iter()
            .flat_map(|s| s.questions.iter().map(move |q| (s, q)))
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions().map(|(_, q)| q).find(|q| q.id == id)
    }

    /// Whether the question is asked given these answers; pass the live ones
    /// ([`Protocol::live`]), so that a hidden answer does not open another question.
    pub fn is_visible(&self, question: &Question, answers: &Answers) -> bool {
        question.show_if.as_ref().is_none_or(|c| c.holds(answers))
    }

    /// The answers that count: an answer to a question whose condition does not hold is
    /// kept on disk (it comes back when the condition holds again) but is left out here, and
    /// so is everything it alone made visible. Borrowed when nothing is hidden.
    pub fn live<'a>(&self, answers: &'a Answers) -> Cow<'a, Answers> {
        let hidden = |a: &Answers| -> Vec<String> {
            self.questions()
                .map(|(_, q)| q)
                .filter(|q| !self.is_visible(q, a) && a.value(&q.id).is_some())
                .map(|q| q.id.clone())
                .collect()
        };
        let mut gone = hidden(answers);
        if gone.is_empty() {
            return Cow::Borrowed(answers);
        }
        let mut live = answers.clone();
        // Each round removes at least one answer, so this ends.
        while !gone.is_empty() {
            for id in &gone {
                live.0.remove(id);
            }
            gone = hidden(&live);
        }
        Cow::Owned(live)
    }

    /// Answered questions whose condition does not hold now: kept, but not counted.
    pub fn dormant<'a>(&self, answers: &'a Answers) -> Vec<&'a str> {
        let live = self.live(answers);
        answers
            .0
            .iter()
            .filter(|(id, a)| {
                a.value.is_some() && self.question(id).is_some() && live.value(id).is_none()
            })
            .map(|(id, _)| id.as_str())
            .collect()
    }

    /// Required questions on the current path, and how many of them are answered (hidden
    /// answers do not count).
    pub fn progress(&self, answers: &Answers) -> Progress {
        let answers = &*self.live(answers);
        let mut p = Progress::default();
        for (_, q) in self.questions() {
            if q.required && self.is_visible(q, answers) {
                p.required += 1;
                if answers.value(&q.id).is_some() {
                    p.answered += 1;
                }
            }
        }
        p
    }

    /// «Вопрос: ответ» for explanations and listings.
    pub fn describe_answer(&self, id: &str, answers: &Answers) -> String {
        let Some(q) = self.question(id) else {
            return format!("{id}: неизвестный вопрос");
        };
        let shown = answers
            .value(id)
            .map_or_else(|| "нет ответа".to_string(), |v| self.show_value(q, v));
        format!("{} — {}", q.text, shown)
    }

    /// An answer as the panel reads it: option labels rather than ids.
    pub fn show_value(&self, q: &Question, v: &Value) -> String {
        let label = |id: &str| {
            q.kind
                .options()
                .into_iter()
                .find(|(o, _)| o == id)
                .map_or_else(|| id.to_string(), |(_, l)| l)
        };
        match v {
            Value::Bool(true) => "да".into(),
            Value::Bool(false) => "нет".into(),
            Value::Choice(c) => label(c),
            Value::Choices(cs) if cs.is_empty() => "ничего не выбрано".into(),
            Value::Choices(cs) => cs.iter().map(|c| label(c)).collect::<Vec<_>>().join("; "),
            Value::Number(n) => n.to_string(),
            Value::Text(t) => t.clone(),
            Value::Unknown => "нет сведений".into(),
        }
    }

    /// Parses a value typed on the command line for this question, or says what is allowed.
    pub fn parse_value(&self, q: &Question, raw: &str) -> Result<Value, ValueError> {
        let raw = raw.trim();
        if matches!(raw.to_lowercase().as_str(), "нет сведений" | "неизвестно")
        {
            return Ok(Value::Unknown);
        }
        let value = match &q.kind {
            Kind::YesNo => match raw.to_lowercase().as_str() {
                "да" | "yes" | "y" | "д" => Value::Bool(true),
                "нет" | "no" | "n" | "н" => Value::Bool(false),
                _ => return Err(ValueError::NotYesNo(q.text.clone(), raw.to_string())),
            },
            Kind::SingleChoice(_) => Value::Choice(raw.to_string()),
            Kind::MultipleChoice(opts) => {
                let mut picked: Vec<String> = Vec::new();
                for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    if !picked.iter().any(|p| p == part) {
                        picked.push(part.to_string());
                    }
                }
                // Unknown options are named by check_value below, in the order typed.
                match picked.iter().find(|p| !opts.iter().any(|c| &c.id == *p)) {
                    Some(bad) => {
                        return Err(ValueError::NoOption {
                            question: q.text.clone(),
                            raw: bad.clone(),
                            allowed: allowed(opts),
                            several: true,
                        });
                    }
                    None => Value::Choices(order_like(opts, picked)),
                }
            }
            Kind::Number { min, max } => match raw.parse::<i64>() {
                Ok(n) => Value::Number(n),
                Err(_) => {
                    return Err(ValueError::NotInRange {
                        question: q.text.clone(),
                        raw: raw.to_string(),
                        min: *min,
                        max: *max,
                    });
                }
            },
            Kind::Text => Value::Text(raw.to_string()),
        };
        self.check_value(q, &value)?;
        Ok(value)
    }

    /// Whether a value fits the question as the protocol defines it now, and if not, why.
    pub fn check_value(&self, q: &Question, v: &Value) -> Result<(), ValueError> {
        let no_option = |raw: &str, opts: &[Choice], several: bool| ValueError::NoOption {
            question: q.text.clone(),
            raw: raw.to_string(),
            allowed: allowed(opts),
            several,
        };
        match (&q.kind, v) {
            (_, Value::Unknown) | (Kind::YesNo, Value::Bool(_)) => Ok(()),
            (Kind::SingleChoice(o), Value::Choice(c)) if o.iter().any(|x| &x.id == c) => Ok(()),
            (Kind::SingleChoice(o), Value::Choice(c)) => Err(no_option(c, o, false)),
            (Kind::MultipleChoice(_), Value::Choices(cs)) if cs.is_empty() => {
                Err(ValueError::EmptyChoice(q.text.clone()))
            }
            (Kind::MultipleChoice(o), Value::Choices(cs)) => {
                if let Some(c) = cs.iter().find(|c| !o.iter().any(|x| &x.id == *c)) {
                    return Err(no_option(c, o, true));
                }
                let exclusive = o.iter().find(|x| x.exclusive && cs.contains(&x.id));
                match exclusive {
                    Some(x) if cs.len() > 1 => Err(ValueError::Exclusive {
                        question: q.text.clone(),
                        option: x.label.clone(),
                    }),
                    _ => Ok(()),
                }
            }
            (Kind::Number { min, max }, Value::Number(n)) if (*min..=*max).contains(n) => Ok(()),
            (Kind::Number { min, max }, Value::Number(n)) => Err(ValueError::NotInRange {
                question: q.text.clone(),
                raw: n.to_string(),
                min: *min,
                max: *max,
            }),
            (Kind::Text, Value::Text(t)) if t.trim().is_empty() => {
                Err(ValueError::EmptyText(q.text.clone()))
            }
            (Kind::Text, Value::Text(t)) if t.chars().count() > MAX_TEXT_CHARS => {
                Err(ValueError::TooLong {
                    question: q.text.clone(),
                    chars: t.chars().count(),
                })
            }
            (Kind::Text, Value::Text(_)) => Ok(()),
            (kind, _) => Err(ValueError::WrongKind {
                question: q.text.clone(),
                expected: kind.code(),
            }),
        }
    }

    /// Whether a number keeps within the other answer it may not exceed (`at_most`), given
    /// the other answers of the record.
    pub fn check_bounds(
        &self,
        q: &Question,
        v: &Value,
        answers: &Answers,
    ) -> Result<(), ValueError> {
        let (Some(other), Some(n)) = (&q.at_most, v.as_number()) else {
            return Ok(());
        };
        let Some(limit) = answers.value(other).and_then(Value::as_number) else {
            return Ok(());
        };
        if n <= limit {
            return Ok(());
        }
        let other_text = self
            .question(other)
            .map_or(other.as_str(), |o| o.text.as_str());
        Err(ValueError::AboveOther {
            question: q.text.clone(),
            value: n,
            other: other_text.to_string(),
            limit,
        })
    }

    /// Whether a stored value fits the question as the protocol defines it now.
    pub fn value_fits(&self, q: &Question, v: &Value) -> bool {
        self.check_value(q, v).is_ok()
    }
}

fn allowed(opts: &[Choice]) -> String {
    opts.iter()
        .map(|c| format!("{} ({})", c.id, c.label))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a value does not fit its question.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("вопрос «{0}» ждёт да/нет (или yes/no), а не «{1}»")]
    NotYesNo(String, String),
    #[error(
        "у вопроса «{question}» нет варианта «{raw}»; можно{}: {allowed}",
        if *several { " (через запятую)" } else { "" }
    )]
    NoOption {
        question: String,
        raw: String,
        allowed: String,
        several: bool,
    },
    #[error("вопрос «{question}» ждёт целое число от {min} до {max}, а не «{raw}»")]
    NotInRange {
        question: String,
        raw: String,
        min: i64,
        max: i64,
    },
    #[error("на вопрос «{0}» не выбрано ни одного варианта; чтобы стереть ответ, сотрите его")]
    EmptyChoice(String),
    #[error(
        "«{question}»: вариант «{option}» не сочетается с другими; выберите либо его, либо остальные"
    )]
    Exclusive { question: String, option: String },
    #[error("вопрос «{0}» ждёт непустой текст")]
    EmptyText(String),
    #[error("ответ на «{question}» слишком длинный: {chars} знаков, можно до {MAX_TEXT_CHARS}")]
    TooLong { question: String, chars: usize },
    #[error("«{question}»: {value} — больше, чем ответ на «{other}» ({limit})")]
    AboveOther {
        question: String,
        value: i64,
        other: String,
        limit: i64,
    },
    #[error("ответ на «{question}» не того вида: вопрос ждёт {expected}")]
    WrongKind {
        question: String,
        expected: &'static str,
    },
}

/// The longest text answer or note accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Chosen options kept in the protocol's order, so files and lists do not depend on the
/// order in which they were ticked.
pub fn order_like(options: &[Choice], picked: Vec<String>) -> Vec<String> {
    options
        .iter()
        .filter(|o| picked.contains(&o.id))
        .map(|o| o.id.clone())
        .collect()
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub answered: usize,
    pub required: usize,
}

impl Progress {
    pub fn complete(&self) -> bool {
        self.answered == self.required
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::answer::answers_of as answers;

    #[test]
    fn hidden_answers_and_what_they_opened_do_not_count() {
        let p = Protocol::builtin();
        let yes = Value::Bool(true);
        let centre = answers(&[
            ("org_form", Value::Choice("center".into())),
            ("licence", yes.clone()),
            ("own_courses", yes.clone()),
        ]);
        assert!(matches!(p.live(&centre), Cow::Borrowed(_)));
        assert!(p.dormant(&centre).is_empty());
        let none = answers(&[
            ("org_form", Value::Choice("inspectors".into())),
            ("licence", yes.clone()),
            ("own_courses", yes),
        ]);
        let live = p.live(&none);
        assert_eq!(live.value("licence"), None);
        // own_courses is asked only after «licence = yes», itself hidden now.
        assert_eq!(live.value("own_courses"), None);
        assert_eq!(p.dormant(&none), ["licence", "own_courses"]);
        let own = p.question("own_courses").unwrap();
        assert!(!p.is_visible(own, &live));
        let with = p.progress(&centre);
        let without = p.progress(&none);
        assert_eq!(with.required, without.required + 2);
        assert_eq!(with.answered, without.answered + 2);
    }
}
