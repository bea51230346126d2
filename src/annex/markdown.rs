//! The annex as Markdown: headings, paragraphs, items with their written numbers, and gap
//! lines as quoted bold notices.

use super::document::{Document, GAPS_HEADING, Node};
use super::typeset::NB_HYPHEN;

/// Escapes what Markdown would read as markup at the start of a line or inside it.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub fn render(doc: &Document) -> String {
    let mut out = String::new();
    for node in &doc.nodes {
        match node {
            Node::Right(lines) => {
                let lines: Vec<String> = lines.iter().map(|l| escape(l)).collect();
                out.push_str(&lines.join("  \n"));
            }
            Node::Left(lines) => {
                let lines: Vec<String> = lines.iter().map(|l| escape(l)).collect();
                out.push_str(&lines.join("  \n"));
            }
            Node::Signature(position, name) => {
                out.push_str(&format!("{}  \n{}", escape(position), escape(name)))
            }
            Node::Title(t) => out.push_str(&format!("# {}", escape(t))),
            Node::Heading(t) if t == GAPS_HEADING => {
                out.push_str(&format!("---\n\n## {}", escape(t)))
            }
            Node::Heading(t) => out.push_str(&format!("## {}", escape(t))),
            Node::Subheading(t) => out.push_str(&format!("### {}", escape(t))),
            Node::Paragraph(t) | Node::Salutation(t) => out.push_str(&escape(t)),
            Node::Item(n, t) => out.push_str(&format!("{} {}", escape(n), escape(t))),
            Node::Notice(t) => out.push_str(&format!("> **{}**", escape(t))),
            Node::Empty(_) => continue,
        }
        out.push_str("\n\n");
    }
    // A no-break hyphen is for the page; plain text keeps the hyphen people search for.
    let mut out = out.replace(NB_HYPHEN, "-");
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}
