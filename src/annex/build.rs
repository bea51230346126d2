//! The annex built from its template: the lists evaluated, the placeholders filled, the
//! blocks under `When` kept when their condition holds, the items numbered, and the gaps in
//! a marked block at the end.

use super::document::{DRAFT, Document, GAPS_HEADING, Node, latest_change};
use super::gaps::gaps;
use super::lists;
use super::numbering;
use super::typeset::{join_whole, narrow, no_widow, typeset};
use crate::data::DataSet;
use crate::model::campaign::Campaign;
use crate::model::collate::plural_index;
use crate::model::registry::Municipality;
use crate::model::template::{Block, Piece, Template, parse_text};

/// «label (n), label (n)»: the non-empty lists, most members first (ties in the given order).
fn ranked<'a>(
    template: &Template,
    keys: &[String],
    members: &dyn Fn(&str) -> Vec<&'a Municipality>,
) -> String {
    let mut counted: Vec<(usize, usize, String)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let def = template.list(k);
            let label = def
                .and_then(|d| d.label.clone())
                .or_else(|| def.map(|d| d.about.clone()))
                .unwrap_or_else(|| k.clone());
            (members(k).len(), i, label)
        })
        .filter(|(n, _, _)| *n > 0)
        .collect();
    counted.sort_by_key(|(n, i, _)| (std::cmp::Reverse(*n), *i));
    counted
        .into_iter()
        .map(|(n, _, label)| format!("{label} ({n})"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A campaign date as people read it; one not set is a blank to fill in by hand, like a
/// fact.
fn show_date(stored: Option<&str>) -> String {
    stored.map_or_else(
        || crate::model::campaign::BLANK.into(),
        crate::model::campaign::show_stored_date,
    )
}

/// The members of list `key` among the lists computed.
fn members_of<'a>(computed: &[(&str, Vec<&'a Municipality>)], key: &str) -> Vec<&'a Municipality> {
    computed
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, ms)| ms.clone())
        .unwrap_or_default()
}

/// A text of the template with its placeholders filled from the lists computed, the
/// campaign and the data, typeset.
pub(super) fn fill(
    data: &DataSet,
    campaign: &Campaign,
    template: &Template,
    computed: &[(&str, Vec<&Municipality>)],
    text: &str,
) -> String {
    let members = |key: &str| members_of(computed, key);
    let total = data.registry.len();
    let pieces = parse_text(text).unwrap_or_else(|_| vec![Piece::Text(text.to_string())]);
    let mut out = String::new();
    let counted = |n: usize, forms: &Option<[String; 3]>| match forms {
        Some(forms) => format!("{n} {}", forms[plural_index(n)]),
        None => n.to_string(),
    };
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(&t),
            Piece::Count { key, forms } => out.push_str(&counted(members(&key).len(), &forms)),
            Piece::Agree { key, forms } => out.push_str(&forms[plural_index(members(&key).len())]),
            Piece::Names(key) => {
                out.push_str(&join_whole(members(&key).iter().map(|m| m.name.as_str())))
            }
            Piece::Genitive(key) => out.push_str(&join_whole(
                members(&key).iter().map(|m| m.genitive.as_str()),
            )),
            Piece::Ranked(keys) => out.push_str(&ranked(template, &keys, &members)),
            Piece::Fact(key) => {
                out.push_str(template.fact(&campaign.meta, &data.registry.facts, &key))
            }
            Piece::Start => out.push_str(&show_date(campaign.meta.start.as_deref())),
            Piece::End => out.push_str(&show_date(campaign.meta.end.as_deref())),
            Piece::Total(forms) => out.push_str(&counted(total, &forms)),
            Piece::Region => out.push_str(&data.registry.region),
        }
    }
    typeset(&out, &data.registry)
}

/// Evaluates the template over the campaign. Blocks under `When` appear only when their
/// condition holds; everything that still needs attention (unassigned, unfinished, decisions
/// the answers no longer support) goes into one marked block at the end.
pub fn build(data: &DataSet, campaign: &Campaign, template: &Template) -> Document {
    let computed = lists(data, campaign, template);
    let gaps = gaps(data, campaign);
    let members = |key: &str| members_of(&computed, key);
    let fill = |text: &str| fill(data, campaign, template, &computed, text);
    let count = |key: &str| members(key).len();
    let mut nodes = Vec::new();
    let mut todo: Vec<&Block> = template.blocks.iter().rev().collect();
    while let Some(b) = todo.pop() {
        match b {
            Block::Right(t) => nodes.push(Node::Right(fill(t).lines().flat_map(narrow).collect())),
            Block::Title(t) => nodes.push(Node::Title(no_widow(&fill(t)))),
            Block::Heading(t) => nodes.push(Node::Heading(fill(t))),
            Block::Subheading(t) => nodes.push(Node::Subheading(fill(t))),
            Block::Paragraph(t) => nodes.push(Node::Paragraph(fill(t))),
            Block::Item(n, t) => nodes.push(Node::Item(fill(n), fill(t))),
            Block::Empty(t) => nodes.push(Node::Empty(fill(t))),
            // Gaps are said once, together, at the end.
            Block::Gaps(_) | Block::Unfinished => {}
            Block::When(cond, blocks) => {
                if cond.holds(&count) {
                    todo.extend(blocks.iter().rev());
                }
            }
        }
    }
    let mut nodes = numbering::renumber(nodes);
    let lines = gaps.lines();
    if !lines.is_empty() {
        // A draft says so where an editor looks first, and its gaps stand apart, on a last
        // page of their own, never mixed into the text that will be sent.
        nodes.insert(0, Node::Right(vec![DRAFT.into()]));
        nodes.push(Node::Heading(GAPS_HEADING.into()));
        nodes.extend(
            lines
                .iter()
                .map(|l| Node::Notice(typeset(l, &data.registry))),
        );
    }
    Document {
        title: fill(&template.title),
        author: template.author_for(&campaign.meta, &data.registry.facts),
        campaign: campaign.meta.title.clone(),
        nodes,
        modified: latest_change(campaign),
    }
}
