//! The annex or a letter as a sequence of rendered blocks, the same for every output
//! format (Markdown, DOCX, the TUI's preview), with what its properties say.

use crate::model::campaign::Campaign;

/// The annex as a sequence of rendered blocks, the same for every output format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    /// Who issues it (the template's `author`), for the document's properties.
    pub author: String,
    /// The campaign's title, for the document's properties.
    pub campaign: String,
    pub nodes: Vec<Node>,
    /// The time of the latest change recorded in the campaign, for document properties.
    pub modified: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// Lines at the left margin: a letter's sender, its number and date.
    Left(Vec<String>),
    Right(Vec<String>),
    Title(String),
    /// A letter's greeting, centred under its title («Уважаемая Анна Петровна!»).
    Salutation(String),
    Heading(String),
    Subheading(String),
    Paragraph(String),
    Item(String, String),
    /// A visible line about a gap, in the block «Требует внимания перед отправкой».
    Notice(String),
    /// A signature line: the position at the left, the name at the right margin.
    Signature(String, String),
    /// The sentence a section says when it has nothing else (`Block::Empty`); gone once
    /// the document is numbered (`numbering::renumber`).
    Empty(String),
}

/// The heading of the block of what needs attention before sending.
pub const GAPS_HEADING: &str = "Требует внимания перед отправкой: эта страница не для отправки";

/// What a document with gaps says at its top: it is a draft, not the letter.
pub const DRAFT: &str = "ПРОЕКТ";

/// The time of the latest change recorded in the campaign, for the document's properties:
/// the same campaign gives the same document, whenever it is made.
pub(super) fn latest_change(campaign: &Campaign) -> Option<String> {
    campaign
        .records
        .values()
        .flat_map(|r| {
            r.answers
                .0
                .values()
                .map(|a| a.at.as_str())
                .chain(r.decisions.values().map(|d| d.at.as_str()))
        })
        .filter(|at| !at.is_empty())
        .max()
        .map(str::to_string)
}
