//! Consistency checks: of the data files (in `checks/data.rs`), and of a campaign against
//! them: made for this region and protocol, values the protocol allows, decisions the
//! answers still support, ratings by someone off the list, answers to questions now hidden.

mod data;

use super::campaign::{Campaign, Mark, Meta, Record};
use super::clusters::Dimensions;
use super::protocol::Protocol;
use super::registry::Registry;
pub use data::{check_condition, check_dimensions, check_protocol};

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
