//! Conditions over answers: the language of `show_if` in the protocol and of cluster rules.

use super::answer::{Answers, Value};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    /// A single choice is this option, or a yes/no answer is "yes"/"no".
    Equals(String, String),
    /// A multiple choice includes this option.
    Contains(String, String),
    /// A number within min..=max.
    InRange(String, i64, i64),
    Answered(String),
}

impl Condition {
    pub fn holds(&self, answers: &Answers) -> bool {
        match self {
            Condition::All(cs) => cs.iter().all(|c| c.holds(answers)),
            Condition::Any(cs) => cs.iter().any(|c| c.holds(answers)),
            Condition::Not(c) => !c.holds(answers),
            Condition::Equals(q, v) => answers.value(q).is_some_and(|a| a.equals(v)),
            Condition::Contains(q, o) => answers.value(q).is_some_and(|a| a.contains(o)),
            Condition::InRange(q, lo, hi) => answers
                .value(q)
                .and_then(Value::as_number)
                .is_some_and(|n| (*lo..=*hi).contains(&n)),
            // «Нет сведений» is no answer a condition can read.
            Condition::Answered(q) => answers.value(q).is_some_and(|v| *v != Value::Unknown),
        }
    }

    /// The question ids this condition reads, in order of appearance.
    pub fn questions(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Condition::All(cs) | Condition::Any(cs) => cs.iter().for_each(|c| c.collect(out)),
            Condition::Not(c) => c.collect(out),
            Condition::Equals(q, _)
            | Condition::Contains(q, _)
            | Condition::InRange(q, _, _)
            | Condition::Answered(q) => out.push(q),
        }
    }

    /// Why the condition holds, as short facts about answers (for a condition that holds).
    /// For Any only the first branch that holds is named; for Not the facts are the
    /// answers that keep the inner condition false.
    /// `describe` says one answer in words (the protocol knows how).
    pub fn explain(&self, answers: &Answers, describe: &dyn Fn(&str) -> String) -> Vec<String> {
        let mut out = Vec::new();
        self.explain_into(answers, describe, true, &mut out);
        out
    }

    fn explain_into(
        &self,
        answers: &Answers,
        describe: &dyn Fn(&str) -> String,
        want: bool,
        out: &mut Vec<String>,
    ) {
        match self {
            Condition::All(cs) if want => cs
                .iter()
                .for_each(|c| c.explain_into(answers, describe, true, out)),
            Condition::Any(cs) if !want => cs
                .iter()
                .for_each(|c| c.explain_into(answers, describe, false, out)),
            Condition::All(cs) | Condition::Any(cs) => {
                if let Some(c) = cs.iter().find(|c| c.holds(answers) == want) {
                    c.explain_into(answers, describe, want, out);
                }
            }
            Condition::Not(c) => c.explain_into(answers, describe, !want, out),
            Condition::Equals(q, _)
            | Condition::Contains(q, _)
            | Condition::InRange(q, _, _)
            | Condition::Answered(q) => out.push(describe(q)),
        }
    }
}
