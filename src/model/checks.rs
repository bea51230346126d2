//! Consistency checks of the data files and of a campaign against them.

use super::campaign::{Campaign, Mark, Meta, Record};
use super::clusters::Dimensions;
use super::condition::Condition;
use super::protocol::{Kind, Protocol};
use super::registry::Registry;
use super::source::{Source, SourceError, position_at};
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
        // «Другое» says nothing without what it is: a text question must follow it.
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
        if let Some(c) = &q.show_if {
            check_condition(
                c,
                protocol,
                src,
                &format!("show_if вопроса «{}»", q.id),
                &mut problems,
            );
        }
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
            if let Some(q) = question(qid, problems) {
                let ok = match &q.kind {
                    Kind::YesNo => v == "yes" || v == "no",
                    Kind::SingleChoice(o) => o.iter().any(|c| &c.id == v),
                    Kind::MultipleChoice(_) => false,
                    Kind::Number { .. } => v.parse::<i64>().is_ok(),
                    Kind::Text => true,
                };
                if !ok {
                    let allowed = match &q.kind {
                        Kind::YesNo => "\"yes\" или \"no\"".to_string(),
                        Kind::MultipleChoice(_) => {
                            "для множественного выбора — Contains, а не Equals".to_string()
                        }
                        Kind::Number { .. } => "целое число".to_string(),
                        k => k
                            .options()
                            .into_iter()
                            .map(|(id, _)| id)
                            .collect::<Vec<_>>()
                            .join(", "),
                    };
                    problems.push(src.at(
                        v,
                        0,
                        format!(
                            "{context}: у вопроса «{qid}» нет варианта «{v}»; можно: {allowed}"
                        ),
                    ));
                }
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

/// Whether the campaign was made for this registry and protocol: a campaign of another
/// region or protocol must not be written with these data.
pub fn fit_problems(meta: &Meta, registry: &Registry, protocol: &Protocol) -> Vec<String> {
    let mut problems = Vec::new();
    if meta.protocol_id != protocol.id {
        problems.push(format!(
            "campaign.ron: кампания ведётся по протоколу «{}», а загружен протокол «{}»; положите protocol.ron кампании в её каталог или укажите --protocol",
            meta.protocol_id, protocol.id
        ));
    }
    if meta.region != registry.region {
        problems.push(format!(
            "campaign.ron: кампания — «{}», а загружен реестр «{}»; положите registry.ron кампании в её каталог или укажите --registry",
            meta.region, registry.region
        ));
    }
    problems
}

/// Problems of a campaign against the registry, protocol and dimensions. Each names the file
/// (relative to the campaign) and the field.
pub fn check_campaign(
    campaign: &Campaign,
    registry: &Registry,
    protocol: &Protocol,
    dims: &Dimensions,
) -> Vec<String> {
    let mut problems = fit_problems(&campaign.meta, registry, protocol);
    for (id, record) in &campaign.records {
        let file = format!("municipalities/{id}.ron");
        if registry.get(id).is_none() {
            problems.push(format!("{file}: муниципалитета «{id}» нет в реестре"));
        }
        problems.extend(
            check_record(record, protocol, dims)
                .into_iter()
                .map(|p| format!("{file}: {p}")),
        );
    }
    problems
}

/// Ratings under a name that is not on the campaign's list of reviewers, one line per
/// name with where. They still count in the agreement as a reviewer of their own; the line
/// says how to bring them to someone on the list.
pub fn unlisted_report(campaign: &Campaign, registry: &Registry, dims: &Dimensions) -> Vec<String> {
    let mut by_name: Vec<(String, Vec<String>)> = Vec::new();
    for (who, id, d) in campaign.unlisted_ratings() {
        let name = registry.get(&id).map_or(id.clone(), |m| m.name.clone());
        let title = dims.get(&d).map_or(d.clone(), |d| d.title.clone());
        let place = format!("{name} — «{title}»");
        match by_name.iter_mut().find(|(n, _)| *n == who) {
            Some((_, places)) => places.push(place),
            None => by_name.push((who, vec![place])),
        }
    }
    let list = campaign.meta.reviewers.join("; ");
    by_name
        .into_iter()
        .map(|(who, places)| {
            let how = match campaign.meta.listed_reviewer(&who) {
                Some(listed) => format!(
                    "имя записано не так, как в списке («{listed}»): sobes campaign rename-reviewer \"{who}\" \"{listed}\""
                ),
                None => format!(
                    "добавьте «{who}» в список (sobes campaign set reviewers) или перенесите оценки рецензенту из списка: sobes campaign rename-reviewer \"{who}\" ИМЯ"
                ),
            };
            format!(
                "оценки рецензента «{who}», которого нет в списке рецензентов ({list}): {}; в согласии они учитываются как оценки отдельного рецензента; {how}",
                places.join(", ")
            )
        })
        .collect()
}

/// Answers kept on disk whose question is not asked now (its condition does not hold): they
/// count for nothing until it holds again. Not errors; `check` lists them so nobody wonders.
pub fn dormant_report(
    campaign: &Campaign,
    registry: &Registry,
    protocol: &Protocol,
) -> Vec<String> {
    let mut out = Vec::new();
    for m in &registry.municipalities {
        let Some(record) = campaign.record(&m.id) else {
            continue;
        };
        for qid in protocol.dormant(&record.answers) {
            let (Some(q), Some(v)) = (protocol.question(qid), record.answers.value(qid)) else {
                continue;
            };
            out.push(format!(
                "скрыто: {}: «{}» = {} — вопрос сейчас не задаётся (его условие не выполнено); ответ сохранён, но не учитывается",
                m.name,
                q.text,
                protocol.show_value(q, v)
            ));
        }
    }
    out
}

/// Decisions the answers no longer support (`2!`): decided without a reason while the
/// answers now suggest another cluster, with the answers the new suggestion follows from.
pub fn stale_report(
    campaign: &Campaign,
    registry: &Registry,
    protocol: &Protocol,
    dims: &Dimensions,
) -> Vec<String> {
    let mut out = Vec::new();
    for m in &registry.municipalities {
        let Some(record) = campaign.record(&m.id) else {
            continue;
        };
        let live = record.live(protocol);
        for d in &dims.0 {
            let Mark::Stale(cluster) = live.mark(d) else {
                continue;
            };
            let now = match d.suggest(&live.answers, protocol) {
                Some(s) => format!("по ответам теперь {} ({})", s.cluster, s.because.join("; ")),
                None => "по ответам теперь подсказки нет".into(),
            };
            out.push(format!(
                "расходится с ответами: {}, «{}»: решён кластер {cluster}, {now}; подтвердите или измените решение",
                m.name, d.title
            ));
        }
    }
    out
}

fn check_record(record: &Record, protocol: &Protocol, dims: &Dimensions) -> Vec<String> {
    let mut problems: Vec<String> = record
        .answers
        .0
        .keys()
        .filter(|qid| protocol.question(qid).is_none())
        .map(|qid| {
            format!(
                "answers.{qid}: такого вопроса в протоколе «{}» версии {} нет; ответ сохранён, но не учитывается",
                protocol.id, protocol.version
            )
        })
        .collect();
    problems.extend(impossible_values(record, protocol, dims));
    problems
}

/// What in a record no sobes could have written: a value that does not fit its question (a
/// number out of range, several choices for one, an unknown option), a note, text or reason
/// longer than one may type, a decision or rating on a dimension or cluster that does not
/// exist. A record from a hub with any of these is refused before it is written; answers
/// kept for questions this protocol no longer has are not among them.
pub fn impossible_values(record: &Record, protocol: &Protocol, dims: &Dimensions) -> Vec<String> {
    let mut problems = Vec::new();
    let too_long = |t: &str| t.chars().count() > super::protocol::MAX_TEXT_CHARS;
    for (qid, answer) in &record.answers.0 {
        if let (Some(q), Some(v)) = (protocol.question(qid), &answer.value)
            && !protocol.value_fits(q, v)
        {
            problems.push(format!(
                "answers.{qid}: ответ {v:?} не подходит к вопросу ({})",
                q.kind.code()
            ));
        }
        if answer.note.as_deref().is_some_and(too_long) {
            problems.push(format!("answers.{qid}: заметка длиннее, чем можно ввести"));
        }
    }
    let ratings = record
        .ratings
        .iter()
        .flat_map(|(did, by)| by.values().map(move |d| (format!("ratings.{did}"), did, d)));
    let decisions = record
        .decisions
        .iter()
        .map(|(did, d)| (format!("decisions.{did}"), did, d));
    for (field, did, decision) in decisions.chain(ratings) {
        match dims.get(did) {
            None => problems.push(format!("{field}: такого измерения нет")),
            Some(d) if d.cluster(decision.cluster).is_none() => problems.push(format!(
                "{field}: кластера {} в измерении нет",
                decision.cluster
            )),
            Some(_) => {}
        }
        if decision.reason.as_deref().is_some_and(too_long) {
            problems.push(format!("{field}: причина длиннее, чем можно ввести"));
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
        let text = include_str!("../../data/protocol.ron");
        assert_eq!(check_protocol(&p, &src(text)), vec![]);
        let d = Dimensions::builtin();
        let text = include_str!("../../data/clusters.ron");
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
