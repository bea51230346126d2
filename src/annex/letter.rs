//! A letter to one municipality: its monitoring level this year and last, its clusters, and
//! per criterion and indicator the recommendations for the level it sits at. Rendered like
//! the annex (same typography, Markdown or DOCX).

use super::{Document, Node, latest_change, typeset};
use crate::data::DataSet;
use crate::model::campaign::{Campaign, Record};
use crate::model::monitoring::level_of;
use crate::model::registry::Municipality;

/// The overall level's name of a record, or why there is none.
fn level_text(data: &DataSet, record: &Record) -> Result<String, usize> {
    let scores = record.score_values();
    match data.monitoring.overall_level(&scores) {
        Some((_, l)) => Ok(l.name.clone()),
        None => Err(data
            .monitoring
            .indicators()
            .filter(|(_, i)| scores.contains_key(&i.id))
            .count()),
    }
}

/// The letter for municipality `m`; last year's level from the campaign's `last_year`.
pub fn letter(data: &DataSet, campaign: &Campaign, author: &str, m: &Municipality) -> Document {
    let record = campaign.record_or_empty(&m.id);
    let record = record.live(&data.protocol);
    let total = data.monitoring.indicators().count();
    let mut nodes = vec![
        Node::Right(vec![
            "Руководителю муниципальной".into(),
            "методической службы".into(),
            m.genitive.clone(),
        ]),
        Node::Title("Рекомендации по итогам мониторинга и собеседования".into()),
    ];
    let now = level_text(data, &record);
    let before = campaign
        .last_year
        .as_ref()
        .and_then(|l| l.level(&m.id))
        .and_then(|i| data.monitoring.overall.get(i))
        .map(|l| l.name.clone());
    nodes.push(Node::Paragraph(match (&now, &before) {
        (Ok(now), Some(before)) if now != before => format!(
            "По итогам мониторинга уровень методической работы — «{now}» (в прошлом году — «{before}»)."
        ),
        (Ok(now), Some(_)) => {
            format!("По итогам мониторинга уровень методической работы — «{now}», как и в прошлом году.")
        }
        (Ok(now), None) => format!("По итогам мониторинга уровень методической работы — «{now}»."),
        (Err(scored), _) => format!(
            "Уровень по мониторингу не определён: баллы есть по {scored} из {total} показателей."
        ),
    }));
    let clusters: Vec<String> = data
        .dimensions
        .0
        .iter()
        .filter_map(|d| {
            let c = record.decisions.get(&d.id)?.cluster;
            let short = d.cluster(c).map_or("", |c| c.short.as_str());
            Some(format!("«{}» — кластер {c} («{short}»)", d.title))
        })
        .collect();
    if !clusters.is_empty() {
        nodes.push(Node::Paragraph(format!(
            "По итогам собеседования: {}.",
            clusters.join("; ")
        )));
    }
    let mut unscored = Vec::new();
    for criterion in &data.monitoring.criteria {
        let scored: Vec<_> = criterion
            .indicators
            .iter()
            .filter_map(|i| record.scores.get(&i.id).map(|s| (i, s.value)))
            .collect();
        unscored.extend(
            criterion
                .indicators
                .iter()
                .filter(|i| !record.scores.contains_key(&i.id))
                .map(|i| i.id.clone()),
        );
        if scored.is_empty() {
            continue;
        }
        nodes.push(Node::Heading(format!(
            "Критерий {}. {}",
            criterion.id, criterion.title
        )));
        for (ind, value) in scored {
            let Some((_, level)) = level_of(&ind.levels, value) else {
                continue;
            };
            nodes.push(Node::Subheading(format!(
                "Показатель {}. {} — {value} из {}, уровень «{}»",
                ind.id, ind.title, ind.max, level.name
            )));
            for (k, advice) in level.advice.iter().enumerate() {
                nodes.push(Node::Item(format!("{}.", k + 1), advice.clone()));
            }
        }
    }
    if !unscored.is_empty() {
        nodes.push(Node::Notice(format!(
            "Нет баллов по показателям: {}.",
            unscored.join(", ")
        )));
    }
    let registry = &data.registry;
    let nodes = nodes
        .into_iter()
        .map(|n| match n {
            Node::Paragraph(t) => Node::Paragraph(typeset(&t, registry)),
            Node::Subheading(t) => Node::Subheading(typeset(&t, registry)),
            other => other,
        })
        .collect();
    Document {
        title: format!("Рекомендации: {}", m.name),
        author: author.to_string(),
        campaign: campaign.meta.title.clone(),
        nodes,
        modified: latest_change(campaign),
    }
}
