//! A letter to one municipality: sender, number and date, addressee; its monitoring level
//! this year and last, its clusters, the recommendations addressed to its groups, per
//! criterion and indicator the advice for the level it sits at; the signature. Rendered
//! like the annex (same typography, Markdown or DOCX).

use super::build::fill;
use super::document::{DRAFT, Document, Node, latest_change};
use super::lists;
use super::typeset::{narrow, typeset};
use crate::data::DataSet;
use crate::model::campaign::{Campaign, LevelSource, Record};
use crate::model::compare::record_level;
use crate::model::monitoring::level_of;
use crate::model::person::FullName;
use crate::model::registry::Municipality;
use crate::model::selector::Selector;
use crate::model::template::{Block, Cond, Template};

/// The letter for municipality `m`, as an official letter: the sender with the letter's
/// number and date (blanks where unset), the addressee, the body — the monitoring level, the
/// clusters, the recommendations addressed to the groups it is in (the template's `rec_…`
/// lists) and per scored indicator the advice for its level — and the signature block.
pub fn letter(
    data: &DataSet,
    campaign: &Campaign,
    template: &Template,
    m: &Municipality,
) -> Document {
    let fact = fact_of(data, campaign, template);
    let record = campaign.record_or_empty(&m.id);
    let record = record.live(&data.protocol);
    let mut nodes = Vec::new();
    if !missing_facts(data, campaign, template).is_empty() {
        nodes.push(Node::Right(vec![DRAFT.into()]));
    }
    nodes.extend(opening(data, campaign, template, m));
    nodes.extend(monitoring_sentence(data, campaign, template, &record, m));
    nodes.push(Node::Paragraph(clusters_sentence(data, template, &record)));
    nodes.extend(recommendations(data, campaign, template, m));
    nodes.extend(advice(data, &record));
    nodes.push(Node::Signature(
        fact("signer_position"),
        fact("signer_name"),
    ));
    nodes.push(Node::Left(vec![format!("Исп. {}", fact("executor"))]));
    let registry = &data.registry;
    let nodes = introduce_abbreviations(nodes, &template.letter.abbreviations)
        .into_iter()
        .map(|n| match n {
            Node::Paragraph(t) => Node::Paragraph(typeset(&t, registry)),
            Node::Subheading(t) => Node::Subheading(typeset(&t, registry)),
            other => other,
        })
        .collect();
    Document {
        title: format!("Рекомендации: {}", m.name),
        author: template.author_for(&campaign.meta, &data.registry.facts),
        campaign: campaign.meta.title.clone(),
        nodes,
        modified: latest_change(campaign),
    }
}

/// A fact of the letter by key, as [`Template::fact`] finds it.
fn fact_of<'a>(
    data: &'a DataSet,
    campaign: &'a Campaign,
    template: &'a Template,
) -> impl Fn(&str) -> String + 'a {
    move |key| {
        template
            .fact(&campaign.meta, &data.registry.facts, key)
            .to_string()
    }
}

/// The letter's head and its first words: the sender with the letter's number and date, the
/// addressee, the title, the greeting, and what the letter is.
fn opening(
    data: &DataSet,
    campaign: &Campaign,
    template: &Template,
    m: &Municipality,
) -> [Node; 5] {
    let fact = fact_of(data, campaign, template);
    let sender = template.author_for(&campaign.meta, &data.registry.facts);
    let addressee = spelled_out(&m.genitive);
    // The head by name where the registry knows it and the name's forms are sure.
    let person = m
        .head
        .as_deref()
        .and_then(FullName::parse)
        .and_then(|f| Some((f.dative_with_initials()?, f.salutation())));
    [
        // The institute's letterhead and its own number and date, not the ministry's.
        Node::Left(vec![
            sender,
            fact("institute_address"),
            fact("institute_contacts"),
            format!("{} № {}", fact("outgoing_date"), fact("outgoing_number")),
        ]),
        // The position and the place, then the person on a line of their own.
        Node::Right(
            narrow(&format!(
                "Руководителю муниципальной методической службы {addressee}"
            ))
            .into_iter()
            .chain(person.as_ref().map(|(to, _)| to.clone()))
            .collect(),
        ),
        Node::Title("О рекомендациях по итогам собеседования и мониторинга".into()),
        Node::Salutation(person.map_or("Уважаемый коллега!".into(), |(_, dear)| dear)),
        Node::Paragraph(format!(
            "По итогам собеседования с руководителями муниципальных методических служб {}{} {} направляет рекомендации для {addressee}.",
            fact("region_genitive"),
            match (&campaign.meta.start, &campaign.meta.end) {
                (Some(_), Some(_)) => format!(
                    ", проведённого в период с {} по {},",
                    campaign.meta.setting("start"),
                    campaign.meta.setting("end")
                ),
                _ => String::new(),
            },
            fact("institute_short"),
        )),
    ]
}

/// The template's recommendations to the groups this municipality is in, under the body
/// each is addressed to, numbered from 1 under each.
fn recommendations(
    data: &DataSet,
    campaign: &Campaign,
    template: &Template,
    m: &Municipality,
) -> Vec<Node> {
    let computed = lists(data, campaign, template);
    // A letter to one names no one else: every list read as this municipality or nobody.
    let own: Vec<(&str, Vec<&Municipality>)> = computed
        .iter()
        .map(|(k, ms)| (*k, ms.iter().copied().filter(|x| x.id == m.id).collect()))
        .collect();
    let addressed = addressed_items(template, &computed, m);
    let mut nodes = Vec::new();
    if !addressed.is_empty() {
        nodes.push(Node::Heading("Рекомендации по итогам собеседования".into()));
    }
    let mut heading = None;
    let mut number = 0;
    for item in addressed {
        if heading != Some(item.heading) {
            heading = Some(item.heading);
            number = 0;
            if let Some(to) = item.heading.map(|h| addressee_of(template, h)) {
                nodes.push(Node::Subheading(format!("{to}:")));
            }
        }
        number += 1;
        let text = fill(data, campaign, template, &own, &without_names(item.text));
        nodes.push(Node::Item(format!("{number}."), text));
    }
    nodes
}

/// Per criterion, the advice for the level each scored indicator sits at; then the
/// indicators without points, named once.
fn advice(data: &DataSet, record: &Record) -> Vec<Node> {
    let mut nodes = Vec::new();
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
        let which = if unscored.len() == data.monitoring.indicators().count() {
            "по показателям мониторинга".to_string()
        } else {
            format!("по показателям {}", unscored.join(", "))
        };
        nodes.push(Node::Paragraph(format!(
            "Рекомендации {which} будут направлены дополнительно, после подведения итогов мониторинга."
        )));
    }
    nodes
}

/// Facts a letter to a municipality cannot go without: its letterhead, its own number and
/// date, who signs it and who prepared it. Any missing makes the letter a draft.
pub const LETTER_FACTS: &[&str] = &[
    "institute_address",
    "institute_contacts",
    "outgoing_number",
    "outgoing_date",
    "signer_position",
    "signer_name",
    "executor",
];

/// The facts of [`LETTER_FACTS`] neither the campaign, its region nor the template give.
pub fn missing_facts(
    data: &DataSet,
    campaign: &Campaign,
    template: &Template,
) -> Vec<&'static str> {
    LETTER_FACTS
        .iter()
        .copied()
        .filter(|k| {
            template.fact(&campaign.meta, &data.registry.facts, k) == crate::model::campaign::BLANK
        })
        .collect()
}

/// A name in the genitive with its kind spelled out, as a letter writes it: «Нязепетровского
/// муниципального района», «городского округа Спасск-Дальний».
pub fn spelled_out(genitive: &str) -> String {
    const KINDS: [(&str, &str); 3] = [
        ("МР", "муниципального района"),
        ("ГО", "городского округа"),
        ("МО", "муниципального округа"),
    ];
    for (short, long) in KINDS {
        // The kind's words stay together on a line («муниципального района»).
        let long = long.replace(' ', "\u{a0}");
        if let Some(name) = genitive.strip_suffix(&format!(" {short}")) {
            return format!("{name} {long}");
        }
        if let Some(name) = genitive.strip_prefix(&format!("{short} ")) {
            return format!("{long} {name}");
        }
    }
    genitive.to_string()
}

/// The monitoring's word for this municipality: the year, its points of the maximum, its
/// level and last year's, the order that published the results; where the points are not
/// all in, nothing (the letter names the indicators without points at its end).
fn monitoring_sentence(
    data: &DataSet,
    campaign: &Campaign,
    template: &Template,
    record: &Record,
    m: &Municipality,
) -> Option<Node> {
    let fact = fact_of(data, campaign, template);
    let (index, source) = record_level(record, &data.monitoring, &data.protocol)?;
    let now = data.monitoring.overall.get(index)?.name.clone();
    let before = campaign
        .last_year
        .as_ref()
        .and_then(|l| l.level(&m.id))
        .and_then(|i| data.monitoring.overall.get(i))
        .map(|l| l.name.clone());
    let since = match &before {
        Some(b) if *b != now => format!(" (в прошлом году — «{b}»)"),
        Some(_) => ", как и в прошлом году".into(),
        None => String::new(),
    };
    if source == LevelSource::Interview {
        return Some(Node::Paragraph(format!(
            "По данным собеседования уровень методической работы по последнему мониторингу — «{now}»{since}."
        )));
    }
    let points: i64 = record.scores.values().map(|s| s.value).sum();
    let max: i64 = data.monitoring.indicators().map(|(_, i)| i.max).sum();
    Some(Node::Paragraph(format!(
        "По итогам мониторинга {} года, результаты которого утверждены {}, муниципальное образование набрало {points} из {max} баллов; уровень методической работы — «{now}»{since}.",
        fact("monitoring_year"),
        fact("monitoring_order"),
    )))
}

/// An item of the template said to a group this municipality is in, with the subheading
/// it stands under (the body it is addressed to).
struct Addressed<'a> {
    heading: Option<&'a str>,
    text: &'a str,
}

/// The items of the template said to a group this municipality is in: those under
/// `When(Some("rec_…"), …)` whose list holds it (the template names the addressees of its
/// recommendations `rec_…`). A list that only repeats another's members (`List("rec_…")`,
/// «то же, что …») adds nothing to a letter that already has that list's items.
fn addressed_items<'a>(
    template: &'a Template,
    computed: &[(&str, Vec<&Municipality>)],
    m: &Municipality,
) -> Vec<Addressed<'a>> {
    struct Walk<'a, 'b> {
        template: &'a Template,
        holds: &'b dyn Fn(&str) -> bool,
        heading: Option<&'a str>,
        taken: Vec<&'a str>,
        out: Vec<Addressed<'a>>,
    }
    impl<'a> Walk<'a, '_> {
        fn blocks(&mut self, blocks: &'a [Block], inside: bool) {
            for b in blocks {
                match b {
                    Block::Subheading(h) => self.heading = Some(h),
                    Block::Item(_, text) if inside => self.out.push(Addressed {
                        heading: self.heading,
                        text,
                    }),
                    Block::When(Cond::Some(key), inner) if key.starts_with("rec_") => {
                        let again = match self.template.list(key).map(|l| &l.select) {
                            Some(Selector::List(of)) => self.taken.contains(&of.as_str()),
                            _ => false,
                        };
                        if (self.holds)(key) && !again {
                            self.taken.push(key);
                            self.blocks(inner, true);
                        }
                    }
                    Block::When(_, inner) => self.blocks(inner, inside),
                    _ => {}
                }
            }
        }
    }
    let holds = |key: &str| {
        computed
            .iter()
            .any(|(k, ms)| *k == key && ms.iter().any(|x| x.id == m.id))
    };
    let mut walk = Walk {
        template,
        holds: &holds,
        heading: None,
        taken: Vec::new(),
        out: Vec::new(),
    };
    walk.blocks(&template.blocks, false);
    walk.out
}

/// An item's text without the names it closes with («…: {names:rec_…}.»): a letter to one
/// municipality does not end its sentences with that municipality's name.
fn without_names(text: &str) -> String {
    let mut out = text.to_string();
    while let Some(at) = out.find(": {names:") {
        let Some(end) = out[at..].find('}') else {
            break;
        };
        out.replace_range(at..at + end + 1, "");
    }
    out
}

/// To whom the items under a subheading go, said to one municipality: the template's
/// `letter.addressees`, else the subheading without its number.
fn addressee_of(template: &Template, heading: &str) -> String {
    match template.letter.addressees.get(heading) {
        Some(to) => to.clone(),
        None => heading
            .split_once(". ")
            .filter(|(n, _)| n.chars().all(|c| c.is_ascii_alphanumeric()))
            .map_or(heading, |(_, rest)| rest)
            .to_string(),
    }
}

/// Which cluster the municipality is in on each dimension, in the annex's words where the
/// template gives them («по использованию формата проектного офиса — к третьему кластеру
/// (формат проектного офиса не применяется)»).
fn clusters_sentence(data: &DataSet, template: &Template, record: &Record) -> String {
    const DATIVE: [&str; 9] = [
        "первому",
        "второму",
        "третьему",
        "четвёртому",
        "пятому",
        "шестому",
        "седьмому",
        "восьмому",
        "девятому",
    ];
    let parts: Vec<String> = data
        .dimensions
        .0
        .iter()
        .filter_map(|d| {
            let c = record.decisions.get(&d.id)?.cluster;
            let ordinal = DATIVE
                .get(usize::from(c).wrapping_sub(1))
                .map_or(format!("кластеру {c}"), |o| {
                    format!("{}{o} кластеру", if c == 2 { "ко " } else { "к " })
                });
            let words = template.letter.clusters.get(&d.id);
            let what = words
                .and_then(|w| w.clusters.get(usize::from(c).wrapping_sub(1)))
                .cloned()
                .or_else(|| d.cluster(c).map(|c| format!("«{}»", c.short)))
                .unwrap_or_default();
            let by = words.map_or(format!("по измерению «{}»", d.title), |w| {
                w.by.clone()
            });
            Some(format!("{by} — {ordinal} ({what})"))
        })
        .collect();
    if parts.is_empty() {
        return "Решения о кластерах по итогам собеседования ещё не приняты.".into();
    }
    format!(
        "По итогам собеседования муниципальное образование отнесено {}.",
        parts.join("; ")
    )
}

/// An abbreviation a letter uses is introduced where it is first meant, as in the annex: the
/// words the first time with «(далее — ШИБЦ)», or, where the abbreviation comes first, the
/// words in its place. `spelled` maps an abbreviation to its words as the text uses them
/// (after «развития», «создание»: the genitive).
fn introduce_abbreviations(
    mut nodes: Vec<Node>,
    spelled: &std::collections::BTreeMap<String, String>,
) -> Vec<Node> {
    fn text_of(n: &mut Node) -> Option<&mut String> {
        match n {
            Node::Paragraph(t) | Node::Item(_, t) => Some(t),
            _ => None,
        }
    }
    for (short, words) in spelled {
        let mentions = |t: &str| t.contains(short.as_str()) || t.contains(words.as_str());
        let Some(first) = nodes
            .iter_mut()
            .position(|n| text_of(n).is_some_and(|t| mentions(t)))
        else {
            continue;
        };
        let later_nodes = nodes[first + 1..].iter().any(
            |n| matches!(n, Node::Paragraph(t) | Node::Item(_, t) if t.contains(short.as_str())),
        );
        let text = text_of(&mut nodes[first]).expect("a text");
        let introduced = format!("{words} (далее — {short})");
        match (text.find(words.as_str()), text.find(short.as_str())) {
            // The words first: «(далее — …)» only when the abbreviation follows somewhere.
            (Some(w), s)
                if s.is_none_or(|s| w < s)
                    && (later_nodes || text[w + words.len()..].contains(short.as_str())) =>
            {
                text.replace_range(w..w + words.len(), &introduced);
            }
            (Some(_), None) => {}
            // The abbreviation first: the words in its place, and «(далее — …)» when it is
            // used again.
            (_, Some(s)) => {
                let again = later_nodes || text[s + short.len()..].contains(short.as_str());
                let put = if again { &introduced } else { words };
                text.replace_range(s..s + short.len(), put);
            }
            _ => {}
        }
    }
    nodes
}
