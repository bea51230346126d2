//! Numbers are computed from what is printed, never copied from the template: an item the
//! data leaves out must not take its number with it (a letter going out with «1., 3., 4.»
//! reads as a page lost). Sections with nothing to say are left out, or say why, as the
//! template chooses with `Empty("…")`.

use super::document::Node;

/// A heading's written number: «10. Мероприятия» → (10, «Мероприятия»).
fn heading_number(text: &str) -> Option<&str> {
    let (number, rest) = text.split_once(". ")?;
    (!number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())).then_some(rest)
}

/// A subheading's Roman number: «II. Руководителям…» → «Руководителям…».
fn roman_number(text: &str) -> Option<&str> {
    let (number, rest) = text.split_once(". ")?;
    (!number.is_empty() && number.bytes().all(|b| b"IVXLC".contains(&b))).then_some(rest)
}

fn roman(mut n: usize) -> String {
    const DIGITS: [(usize, &str); 9] = [
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, digits) in DIGITS {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// A paragraph that opens a lettered group of items: «2) Руководителям…» → «Руководителям…».
fn paren_number(text: &str) -> Option<&str> {
    let (number, rest) = text.split_once(") ")?;
    (!number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())).then_some(rest)
}

/// An item's written number split into its parts and what ends it: «4.1.» → ([4, 1], «.»).
fn item_number(n: &str) -> Option<(Vec<usize>, &str)> {
    let (body, end) = match n.strip_suffix('.') {
        Some(b) => (b, "."),
        None => (n.strip_suffix(')')?, ")"),
    };
    let parts: Option<Vec<usize>> = body.split('.').map(|p| p.parse().ok()).collect();
    parts
        .filter(|p| !p.is_empty() && p.len() <= 2)
        .map(|p| (p, end))
}

/// Whether a node says something (a heading alone does not).
fn says(node: &Node) -> bool {
    matches!(
        node,
        Node::Paragraph(_)
            | Node::Item(..)
            | Node::Notice(_)
            | Node::Right(_)
            | Node::Salutation(_)
    )
}

/// Leaves out headings and subheadings with nothing under them, unless their section has
/// an `Empty` sentence, which is then said instead; drops the sentences of sections that do
/// have something.
fn drop_empty(nodes: Vec<Node>) -> Vec<Node> {
    // Section by section (a heading up to the next), subsections likewise.
    let level = |n: &Node| match n {
        Node::Title(_) => Some(0),
        Node::Heading(_) => Some(1),
        Node::Subheading(_) => Some(2),
        _ => None,
    };
    let mut out: Vec<Node> = Vec::with_capacity(nodes.len());
    let mut i = 0;
    while i < nodes.len() {
        let Some(l) = level(&nodes[i]).filter(|l| *l > 0) else {
            if !matches!(nodes[i], Node::Empty(_)) {
                out.push(nodes[i].clone());
            }
            i += 1;
            continue;
        };
        let end = (i + 1..nodes.len())
            .find(|&j| level(&nodes[j]).is_some_and(|m| m <= l))
            .unwrap_or(nodes.len());
        let section = &nodes[i + 1..end];
        if section.iter().any(says) {
            out.push(nodes[i].clone());
            i += 1;
            continue;
        }
        // Nothing under it: its own sentence of why, or nothing at all. A subsection's
        // sentence belongs to the subsection.
        let own_end = (i + 1..end)
            .find(|&j| level(&nodes[j]).is_some())
            .unwrap_or(end);
        if let Some(Node::Empty(why)) = nodes[i + 1..own_end]
            .iter()
            .find(|n| matches!(n, Node::Empty(_)))
        {
            out.push(nodes[i].clone());
            out.push(Node::Paragraph(why.clone()));
        }
        i = end;
    }
    out
}

/// The document's nodes with empty sections left out and every number computed: headings
/// 1, 2, 3…; subheadings I, II…; «1)» groups within a heading or subheading; items 1., 2.…
/// within a group, sub-items «N.1.» under the item they belong to (one whose item is not
/// printed takes the next number of its own).
pub fn renumber(nodes: Vec<Node>) -> Vec<Node> {
    let mut heading = 0;
    let mut sub = 0;
    let mut group = 0;
    let mut item = 0;
    let mut subitem = 0;
    // The template's number of the last item printed, for its sub-items.
    let mut parent: Option<usize> = None;
    let mut out = Vec::new();
    for node in drop_empty(nodes) {
        out.push(match node {
            Node::Heading(t) => {
                (sub, group, item, subitem, parent) = (0, 0, 0, 0, None);
                match heading_number(&t) {
                    Some(rest) => {
                        heading += 1;
                        Node::Heading(format!("{heading}. {rest}"))
                    }
                    None => Node::Heading(t),
                }
            }
            Node::Subheading(t) => {
                (group, item, subitem, parent) = (0, 0, 0, None);
                match roman_number(&t) {
                    Some(rest) => {
                        sub += 1;
                        Node::Subheading(format!("{}. {rest}", roman(sub)))
                    }
                    None => Node::Subheading(t),
                }
            }
            Node::Paragraph(t) => match paren_number(&t) {
                Some(rest) => {
                    group += 1;
                    (item, subitem, parent) = (0, 0, None);
                    Node::Paragraph(format!("{group}) {rest}"))
                }
                None => Node::Paragraph(t),
            },
            Node::Item(n, t) => match item_number(&n) {
                Some((parts, end)) if parts.len() == 2 && parent == Some(parts[0]) => {
                    subitem += 1;
                    Node::Item(format!("{item}.{subitem}{end}"), t)
                }
                Some((parts, end)) => {
                    item += 1;
                    subitem = 0;
                    parent = (parts.len() == 1).then_some(parts[0]);
                    Node::Item(format!("{item}{end}"), t)
                }
                None => Node::Item(n, t),
            },
            other => other,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(nodes: &[Node]) -> Vec<String> {
        nodes
            .iter()
            .map(|n| match n {
                Node::Heading(t) | Node::Subheading(t) | Node::Paragraph(t) => t.clone(),
                Node::Item(n, t) => format!("{n} {t}"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    /// A section with nothing says its own sentence when it has one, and is left out when it
    /// has none; a section with something drops its sentence; the numbers follow.
    #[test]
    fn empty_sections_say_why_or_go() {
        let nodes = vec![
            Node::Heading("1. Пусто со словами".into()),
            Node::Empty("Сведений не представлено.".into()),
            Node::Heading("2. Пусто без слов".into()),
            Node::Heading("3. Есть что сказать".into()),
            Node::Empty("Сведений не представлено.".into()),
            Node::Item("1.".into(), "первый".into()),
            Node::Item("3.".into(), "третий".into()),
            Node::Item("3.1.".into(), "его часть".into()),
            Node::Item("5.1.".into(), "часть без пункта".into()),
        ];
        assert_eq!(
            texts(&renumber(nodes)),
            [
                "1. Пусто со словами",
                "Сведений не представлено.",
                "2. Есть что сказать",
                "1. первый",
                "2. третий",
                "2.1. его часть",
                "3. часть без пункта",
            ]
        );
    }
}
