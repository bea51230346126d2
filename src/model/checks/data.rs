//! The data files checked on their own and against each other: the protocol (ids once,
//! options, bounds, what follows «Другое», conditions, no circle of conditions) and the
//! cluster dimensions against the protocol. Every problem names its line in the file.

use crate::model::clusters::Dimensions;
use crate::model::condition::Condition;
use crate::model::protocol::{Kind, Protocol, Question};
use crate::model::source::{Source, SourceError, position_at};
use std::collections::{HashMap, HashSet};

/// Checks the protocol on its own: duplicates, conditions, cycles.
pub fn check_protocol(protocol: &Protocol, src: &Source) -> Vec<SourceError> {
    let mut problems = Vec::new();
    let mut seen = HashMap::new();
    for s in &protocol.sections {
        duplicate(
            &mut seen,
            &format!("section {}", s.id),
            &s.id,
            src,
            &mut problems,
        );
    }
    let mut seen = HashMap::new();
    for (_, q) in protocol.questions() {
        duplicate(&mut seen, &q.id, &q.id, src, &mut problems);
        check_question(q, protocol, src, &mut problems);
    }
    if let Some(cycle) = condition_cycle(protocol) {
        problems.push(src.at_def(
            &cycle[0],
            0,
            format!(
                "условия показа вопросов замкнуты в круг: {}",
                cycle.join(" → ")
            ),
        ));
    }
    problems
}

/// One question: its options each once, its bounds, the question it may not exceed, what
/// follows its «Другое», and its condition.
fn check_question(
    q: &Question,
    protocol: &Protocol,
    src: &Source,
    problems: &mut Vec<SourceError>,
) {
    let mut options = HashSet::new();
    for c in q.kind.choices() {
        if !options.insert(&c.id) {
            problems.push(src.at_def(
                &c.id,
                1,
                format!("у вопроса «{}» вариант «{}» повторяется", q.id, c.id),
            ));
        }
    }
    if let Kind::Number { min, max } = q.kind
        && min > max
    {
        problems.push(src.at_def(
            &q.id,
            0,
            format!("у вопроса «{}» min {min} больше max {max}", q.id),
        ));
    }
    if let Some(other) = &q.at_most
        && !matches!(
            protocol.question(other).map(|o| &o.kind),
            Some(Kind::Number { .. })
        )
    {
        problems.push(src.at_def(
            &q.id,
            0,
            format!("at_most вопроса «{}»: «{other}» — не вопрос-число", q.id),
        ));
    }
    check_other_followed(q, protocol, src, problems);
    if let Some(c) = &q.show_if {
        check_condition(
            c,
            protocol,
            src,
            &format!("show_if вопроса «{}»", q.id),
            problems,
        );
    }
}

/// «Другое» says nothing without what it is: a text question must follow it.
fn check_other_followed(
    q: &Question,
    protocol: &Protocol,
    src: &Source,
    problems: &mut Vec<SourceError>,
) {
    for c in q
        .kind
        .choices()
        .iter()
        .filter(|c| is_other(&c.id, &c.label))
    {
        let followed = protocol.questions().any(|(_, f)| {
            matches!(f.kind, Kind::Text)
                && f.show_if.as_ref().is_some_and(|cond| {
                    cond.questions().contains(&q.id.as_str()) && condition_names(cond, &c.id)
                })
        });
        if !followed {
            problems.push(src.at_def(
                &c.id,
                0,
                format!(
                    "у варианта «{}» вопроса «{}» нет вопроса-уточнения: добавьте текстовый вопрос с show_if: Some(Contains(\"{}\", \"{}\"))",
                    c.label, q.id, q.id, c.id
                ),
            ));
        }
    }
}

/// The position of the first `word` that is not blanked out.
fn locate_after(text: &str, word: &str) -> (usize, usize) {
    text.find(word).map_or((0, 0), |at| position_at(text, at))
}

fn is_other(id: &str, label: &str) -> bool {
    id == "other" || label.trim().to_lowercase().starts_with("другое")
}

fn condition_names(c: &Condition, option: &str) -> bool {
    match c {
        Condition::All(cs) | Condition::Any(cs) => cs.iter().any(|c| condition_names(c, option)),
        Condition::Not(_) => false,
        Condition::Equals(_, o) | Condition::Contains(_, o) => o == option,
        Condition::InRange(..) | Condition::Answered(_) => false,
    }
}

fn duplicate(
    seen: &mut HashMap<String, usize>,
    key: &str,
    id: &str,
    src: &Source,
    problems: &mut Vec<SourceError>,
) {
    let n = seen.entry(key.to_string()).or_insert(0);
    *n += 1;
    if *n == 2 {
        problems.push(src.at_def(id, 1, format!("id «{id}» встречается дважды")));
    }
}

/// Checks that a condition names questions and options that exist, with a fitting test.
pub fn check_condition(
    c: &Condition,
    protocol: &Protocol,
    src: &Source,
    context: &str,
    problems: &mut Vec<SourceError>,
) {
    let question = |id: &str, problems: &mut Vec<SourceError>| {
        let q = protocol.question(id);
        if q.is_none() {
            problems.push(src.at(id, 0, format!("{context}: нет вопроса «{id}»")));
        }
        q
    };
    match c {
        Condition::All(cs) | Condition::Any(cs) => cs
            .iter()
            .for_each(|c| check_condition(c, protocol, src, context, problems)),
        Condition::Not(c) => check_condition(c, protocol, src, context, problems),
        Condition::Answered(q) => {
            question(q, problems);
        }
        Condition::Equals(qid, v) => {
            if let Some(q) = question(qid, problems)
                && let Some(allowed) = not_equal_to(&q.kind, v)
            {
                problems.push(src.at(
                    v,
                    0,
                    format!("{context}: у вопроса «{qid}» нет варианта «{v}»; можно: {allowed}"),
                ));
            }
        }
        Condition::Contains(qid, o) => {
            if let Some(q) = question(qid, problems)
                && !q.kind.choices().iter().any(|c| &c.id == o)
            {
                problems.push(src.at(
                    o,
                    0,
                    format!("{context}: у вопроса «{qid}» нет варианта «{o}»"),
                ));
            }
        }
        Condition::InRange(qid, lo, hi) => {
            if let Some(q) = question(qid, problems) {
                if !matches!(q.kind, Kind::Number { .. }) {
                    problems.push(src.at(
                        qid,
                        0,
                        format!("{context}: InRange для вопроса «{qid}», который не число"),
                    ));
                } else if lo > hi {
                    problems.push(src.at(qid, 0, format!("{context}: пустой диапазон {lo}..{hi}")));
                }
            }
        }
    }
}

/// What a question of this kind may equal, in words, when it cannot equal `v`.
fn not_equal_to(kind: &Kind, v: &str) -> Option<String> {
    let ok = match kind {
        Kind::YesNo => v == "yes" || v == "no",
        Kind::SingleChoice(o) => o.iter().any(|c| c.id == v),
        Kind::MultipleChoice(_) => false,
        Kind::Number { .. } => v.parse::<i64>().is_ok(),
        Kind::Text => true,
    };
    (!ok).then(|| match kind {
        Kind::YesNo => "\"yes\" или \"no\"".to_string(),
        Kind::MultipleChoice(_) => "для множественного выбора — Contains, а не Equals".to_string(),
        Kind::Number { .. } => "целое число".to_string(),
        k => k
            .options()
            .into_iter()
            .map(|(id, _)| id)
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// A cycle in "question A is shown depending on question B", if any, as a path of ids.
fn condition_cycle(protocol: &Protocol) -> Option<Vec<String>> {
    let mut deps: HashMap<&str, Vec<&str>> = HashMap::new();
    for (_, q) in protocol.questions() {
        let entry = deps.entry(q.id.as_str()).or_default();
        if let Some(c) = &q.show_if {
            entry.extend(c.questions());
        }
    }
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Open,
        Done,
    }
    fn visit<'a>(
        id: &'a str,
        deps: &HashMap<&'a str, Vec<&'a str>>,
        state: &mut HashMap<&'a str, State>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match state.get(id) {
            Some(State::Done) => return None,
            Some(State::Open) => {
                let start = path.iter().position(|p| *p == id).unwrap_or(0);
                let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
                cycle.push(id.to_string());
                return Some(cycle);
            }
            None => {}
        }
        state.insert(id, State::Open);
        path.push(id);
        for d in deps.get(id).into_iter().flatten() {
            if let Some(c) = visit(d, deps, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(id, State::Done);
        None
    }
    let mut state = HashMap::new();
    let mut ids: Vec<&str> = deps.keys().copied().collect();
    ids.sort_unstable();
    ids.into_iter()
        .find_map(|id| visit(id, &deps, &mut state, &mut Vec::new()))
}

/// Checks the cluster dimensions against the protocol.
pub fn check_dimensions(dims: &Dimensions, protocol: &Protocol, src: &Source) -> Vec<SourceError> {
    let mut problems = Vec::new();
    let mut seen = HashMap::new();
    for d in &dims.0 {
        duplicate(&mut seen, &d.id, &d.id, src, &mut problems);
        if d.rules.is_empty() {
            problems.push(src.at_def(&d.id, 0, format!("у измерения «{}» нет правил", d.id)));
        }
        let mut numbers = HashSet::new();
        for c in &d.clusters {
            if !numbers.insert(c.number) {
                problems.push(src.at_def(
                    &d.id,
                    0,
                    format!("в измерении «{}» кластер {} описан дважды", d.id, c.number),
                ));
            }
        }
        for (i, r) in d.rules.iter().enumerate() {
            let context = format!("правило {} измерения «{}»", i + 1, d.id);
            // Errors of a rule point into the rule itself.
            let rule = src.rule(&d.id, 0, i);
            if d.cluster(r.cluster).is_none() {
                let (line, col) = locate_after(&rule.text, "cluster:");
                problems.push(SourceError::new(
                    src.origin.clone(),
                    line,
                    col,
                    format!(
                        "{context}: кластера {} нет среди кластеров измерения",
                        r.cluster
                    ),
                ));
            }
            check_condition(&r.when, protocol, &rule, &context, &mut problems);
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::source::Origin;

    fn src(text: &str) -> Source {
        Source {
            origin: Origin::Builtin("test.ron"),
            text: text.to_string(),
        }
    }

    #[test]
    fn builtin_data_is_clean() {
        let p = Protocol::builtin();
        let text = include_str!("../../../data/protocol.ron");
        assert_eq!(check_protocol(&p, &src(text)), vec![]);
        let d = Dimensions::builtin();
        let text = include_str!("../../../data/clusters.ron");
        assert_eq!(check_dimensions(&d, &p, &src(text)), vec![]);
    }

    #[test]
    fn protocol_problems_named_with_lines() {
        let text = r#"Protocol(id: "p", version: 1, title: "t", sections: [(id: "s", title: "S", questions: [
    (id: "a", text: "A", kind: YesNo, required: true, show_if: Some(Equals("b", "yes"))),
    (id: "b", text: "B", kind: YesNo, required: true, show_if: Some(Equals("a", "maybe"))),
    (id: "c", text: "C", kind: SingleChoice([(id: "x", label: "X")]), required: true, show_if: Some(Contains("zzz", "y"))),
    (id: "a", text: "A2", kind: Text, required: false),
])])"#;
        let p = Protocol::parse(text, &Origin::Builtin("test.ron")).unwrap();
        let problems = check_protocol(&p, &src(text));
        let shown: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(
            shown
                .iter()
                .any(|s| s.contains("test.ron>:5:") && s.contains("«a» встречается дважды")),
            "{shown:#?}"
        );
        assert!(
            shown
                .iter()
                .any(|s| s.contains(":3:") && s.contains("нет варианта «maybe»")),
            "{shown:#?}"
        );
        assert!(
            shown
                .iter()
                .any(|s| s.contains(":4:") && s.contains("нет вопроса «zzz»")),
            "{shown:#?}"
        );
        assert!(
            shown.iter().any(|s| s.contains("в круг: a → b → a")),
            "{shown:#?}"
        );
    }

    #[test]
    fn dimension_without_rules_and_bad_option() {
        let p = Protocol::builtin();
        let text = r#"Dimensions([
  (id: "d", title: "D", clusters: [(number: 1, short: "a", meaning: "b")], rules: []),
  (id: "e", title: "E", clusters: [(number: 1, short: "a", meaning: "b")], rules: [(cluster: 2, when: Equals("ra_format", "by_pigeon"))]),
])"#;
        let d = Dimensions::parse(text, &Origin::Builtin("test.ron")).unwrap();
        let shown: Vec<String> = check_dimensions(&d, &p, &src(text))
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert!(
            shown
                .iter()
                .any(|s| s.contains(":2:") && s.contains("нет правил")),
            "{shown:#?}"
        );
        assert!(
            shown.iter().any(|s| s.contains("кластера 2 нет")),
            "{shown:#?}"
        );
        assert!(
            shown
                .iter()
                .any(|s| s.contains(":3:") && s.contains("by_pigeon")),
            "{shown:#?}"
        );
    }
}
