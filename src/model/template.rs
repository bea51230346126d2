//! The annex template: lists defined once by key, and blocks of text whose placeholders
//! name those lists. Placeholders in a text:
//!
//! - `{count:KEY}` — how many municipalities the list holds;
//! - `{count:KEY|муниципалитете|муниципалитетах|муниципалитетах}` — the number and the word
//!   agreeing with it (forms for 1, for 2–4, for 5 and more);
//! - `{names:KEY}` — canonical names, comma-separated, in alphabetical order;
//! - `{genitive:KEY}` — the same names in the genitive («Челябинского ГО»);
//! - `{ranked:KEY1,KEY2,…}` — the non-empty lists among these, most members first, each as
//!   its label and count: «нехватка кадров (12), …»;
//! - `{start}`, `{end}` — the campaign dates; `{total}` — municipalities in the registry,
//!   `{total|…|…|…}` with the agreeing word; `{region}` — the region;
//! - `{{` and `}}` — literal braces.
//!
//! Reading the placeholders is in `template/placeholders.rs`; here, the template and its
//! checks against the protocol and the dimensions.

mod placeholders;

use super::clusters::Dimensions;
use super::protocol::Protocol;
use super::selector::{ListDef, check_lists};
use super::source::{Origin, Source, SourceError, parse_ron};
pub use placeholders::{Piece, PieceError, parse_text};
use serde::{Deserialize, Serialize};

/// Facts of letters by key.
pub type Facts = std::collections::BTreeMap<String, String>;

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename = "Annex")]
pub struct Template {
    pub title: String,
    /// Who issues the document (its properties name it).
    #[serde(default)]
    pub author: String,
    /// Facts the region's letter has every year (the ministry, the institute, the region in
    /// the cases the text needs); a campaign's own facts win over these.
    #[serde(default)]
    pub facts: std::collections::BTreeMap<String, String>,
    pub lists: Vec<ListDef>,
    pub blocks: Vec<Block>,
    /// How a letter to one municipality says what the annex says of many.
    #[serde(default)]
    pub letter: LetterWords,
}

/// The annex's wording, as a letter to one municipality needs it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct LetterWords {
    /// Per dimension: how the annex names its clusters.
    #[serde(default)]
    pub clusters: std::collections::BTreeMap<String, ClusterWords>,
    /// Per subheading of the recommendations (its text as written): to whom its items go,
    /// said to one municipality («Органу местного самоуправления, …»).
    #[serde(default)]
    pub addressees: std::collections::BTreeMap<String, String>,
    /// Abbreviations and their words as the text uses them («ШИБЦ»: «школьных
    /// информационно-библиотечных центров»): a letter introduces each where it first means it.
    #[serde(default)]
    pub abbreviations: std::collections::BTreeMap<String, String>,
}

/// A dimension in the annex's words: the phrase that leads to it («по потребности в
/// обучении») and what each cluster is, first to last («команды, готовые …»).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct ClusterWords {
    pub by: String,
    pub clusters: Vec<String>,
}

/// When a block is said: a claim about municipalities appears only when the answers make it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub enum Cond {
    /// The list has members.
    Some(String),
    /// The list is empty.
    None(String),
    /// The first list holds more than half of the second, but not all of it, and the second
    /// has at least three: «большинство (5 из 8)» never reads «большинство (1 из 1)».
    Most(String, String),
    /// The first list holds all of the second, and the second has at least two: «все».
    Every(String, String),
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
}

impl Template {
    /// Who issues the documents: the institute the campaign or its region names, else the
    /// template's author.
    pub fn author_for(&self, meta: &super::campaign::Meta, region: &Facts) -> String {
        meta.facts
            .get("institute")
            .or_else(|| region.get("institute"))
            .cloned()
            .unwrap_or_else(|| self.author.clone())
    }

    /// A fact of the letter: the campaign's, else its region's (the registry's), else this
    /// template's default, else a blank to fill.
    pub fn fact<'a>(
        &'a self,
        meta: &'a super::campaign::Meta,
        region: &'a Facts,
        key: &str,
    ) -> &'a str {
        meta.facts
            .get(key)
            .or_else(|| region.get(key))
            .or_else(|| self.facts.get(key))
            .map_or(super::campaign::BLANK, String::as_str)
    }
}

impl Cond {
    /// The list keys the condition reads.
    pub fn keys(&self) -> Vec<&str> {
        match self {
            Cond::Some(k) | Cond::None(k) => vec![k],
            Cond::Most(a, b) | Cond::Every(a, b) => vec![a, b],
            Cond::All(cs) | Cond::Any(cs) => cs.iter().flat_map(Cond::keys).collect(),
            Cond::Not(c) => c.keys(),
        }
    }

    /// Whether it holds, given how many members each list has.
    pub fn holds(&self, count: &dyn Fn(&str) -> usize) -> bool {
        match self {
            Cond::Some(k) => count(k) > 0,
            Cond::None(k) => count(k) == 0,
            Cond::Most(a, b) => count(b) >= 3 && 2 * count(a) > count(b) && count(a) < count(b),
            Cond::Every(a, b) => count(b) >= 2 && count(a) == count(b),
            Cond::All(cs) => cs.iter().all(|c| c.holds(count)),
            Cond::Any(cs) => cs.iter().any(|c| c.holds(count)),
            Cond::Not(c) => !c.holds(count),
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub enum Block {
    /// Lines set to the right margin (the «Приложение к письму …» stamp); `\n` breaks lines.
    Right(String),
    /// The centred title of the annex.
    Title(String),
    Heading(String),
    Subheading(String),
    Paragraph(String),
    /// A numbered item with its number written out: `Item("4.1.", "…")`.
    Item(String, String),
    /// The line «не распределены» for a dimension, shown only while some municipality has no
    /// decision on it.
    Gaps(String),
    /// The line for unfinished interviews, shown only while there are some.
    Unfinished,
    /// Blocks said only when the condition holds.
    When(Cond, Vec<Block>),
    /// What the section (or subsection) it stands in says when nothing else in it is
    /// printed; a section without one is then left out with its heading.
    Empty(String),
}

impl Block {
    /// The texts of the block that may hold placeholders.
    pub fn texts(&self) -> Vec<&str> {
        match self {
            Block::Right(t)
            | Block::Title(t)
            | Block::Heading(t)
            | Block::Subheading(t)
            | Block::Paragraph(t)
            | Block::Empty(t) => vec![t],
            Block::Item(n, t) => vec![n, t],
            Block::Gaps(_) | Block::Unfinished => vec![],
            Block::When(_, blocks) => blocks.iter().flat_map(Block::texts).collect(),
        }
    }

    /// This block and the blocks inside it, depth first.
    pub fn all(&self) -> Vec<&Block> {
        let mut out = vec![self];
        if let Block::When(_, blocks) = self {
            out.extend(blocks.iter().flat_map(Block::all));
        }
        out
    }
}

impl Template {
    pub fn parse(text: &str, origin: &Origin) -> Result<Template, SourceError> {
        parse_ron(text, origin)
    }

    pub fn builtin() -> Template {
        Template::parse(BUILTIN, &Origin::Builtin(BUILTIN_NAME))
            .expect("the built-in annex template is valid")
    }

    pub fn list(&self, key: &str) -> Option<&ListDef> {
        self.lists.iter().find(|l| l.key == key)
    }
}

pub const BUILTIN: &str = include_str!("../../data/annex.ron");
pub const BUILTIN_NAME: &str = "data/annex.ron";

/// Checks the template against the protocol and the dimensions: selectors, placeholders,
/// dimensions of the gap lines. Every problem names the line and column in `src`.
pub fn check_template(
    t: &Template,
    protocol: &Protocol,
    dims: &Dimensions,
    src: &Source,
) -> Vec<SourceError> {
    let mut problems = check_lists(&t.lists, protocol, dims, src);
    let at_token = |token: &str, message: String| {
        let (line, col) = src
            .text
            .find(token)
            .map_or((0, 0), |byte| position_at(&src.text, byte));
        SourceError::new(src.origin.clone(), line, col, message)
    };
    for b in t.blocks.iter().flat_map(Block::all) {
        for text in b
            .texts()
            .into_iter()
            .filter(|_| !matches!(b, Block::When(..)))
        {
            match parse_text(text) {
                Err(e) => problems.push(at_token(&e.token, e.message)),
                Ok(pieces) => {
                    for key in pieces.iter().flat_map(Piece::list_keys) {
                        if t.list(key).is_none() {
                            let token = ["count", "agree", "names", "genitive"]
                                .iter()
                                .flat_map(|k| [format!("{{{k}:{key}}}"), format!("{{{k}:{key}|")])
                                .find(|t| src.text.contains(t.as_str()))
                                .unwrap_or_else(|| key.to_string());
                            problems.push(at_token(&token, format!("нет списка «{key}»")));
                        }
                    }
                }
            }
        }
        if let Block::When(cond, _) = b {
            for key in cond.keys() {
                if t.list(key).is_none() {
                    problems.push(src.at(key, 0, format!("When: нет списка «{key}»")));
                }
            }
        }
        if let Block::Gaps(dim) = b
            && dims.get(dim).is_none()
        {
            let known: Vec<&str> = dims.0.iter().map(|d| d.id.as_str()).collect();
            problems.push(src.at(
                dim,
                0,
                format!("Gaps: нет измерения «{dim}»; есть: {}", known.join(", ")),
            ));
        }
    }
    problems.extend(check_letter_words(t, dims, src));
    problems
}

/// The letter's words name dimensions that exist, a word for each of their clusters, and
/// subheadings the template has.
fn check_letter_words(t: &Template, dims: &Dimensions, src: &Source) -> Vec<SourceError> {
    let mut problems = Vec::new();
    let known: Vec<&str> = dims.0.iter().map(|d| d.id.as_str()).collect();
    for (dim, words) in &t.letter.clusters {
        match dims.get(dim) {
            None => problems.push(src.at(
                dim,
                0,
                format!(
                    "letter.clusters: нет измерения «{dim}»; есть: {}",
                    known.join(", ")
                ),
            )),
            Some(d) if d.clusters.len() != words.clusters.len() => problems.push(src.at(
                dim,
                0,
                format!(
                    "letter.clusters: у измерения «{dim}» кластеров {}, а слов для них {}",
                    d.clusters.len(),
                    words.clusters.len()
                ),
            )),
            Some(_) => {}
        }
    }
    let subheadings: Vec<&str> = t
        .blocks
        .iter()
        .flat_map(Block::all)
        .filter_map(|b| match b {
            Block::Subheading(text) => Some(text.as_str()),
            _ => None,
        })
        .collect();
    for heading in t.letter.addressees.keys() {
        if !subheadings.contains(&heading.as_str()) {
            problems.push(src.at(
                heading,
                0,
                format!("letter.addressees: в шаблоне нет подзаголовка «{heading}»"),
            ));
        }
    }
    problems
}

fn position_at(text: &str, byte: usize) -> (usize, usize) {
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_template_is_clean() {
        let t = Template::builtin();
        let src = Source {
            origin: Origin::Builtin(BUILTIN_NAME),
            text: BUILTIN.into(),
        };
        let problems = check_template(&t, &Protocol::builtin(), &Dimensions::builtin(), &src);
        assert_eq!(problems, vec![]);
    }

    #[test]
    fn template_problems_have_positions() {
        let text = r#"Annex(title: "t", lists: [
  (key: "a", select: Everyone),
], blocks: [
  Paragraph("всего {count:a}"),
  Paragraph("и {names:b}"),
  Paragraph("и {frobnicate}"),
  Gaps("nowhere"),
])"#;
        let shown = problems(text);
        assert_eq!(shown.len(), 3, "{shown:#?}");
        assert!(
            shown[0].contains(":5:") && shown[0].contains("нет списка «b»"),
            "{shown:#?}"
        );
        assert!(
            shown[1].contains(":6:") && shown[1].contains("frobnicate"),
            "{shown:#?}"
        );
        assert!(
            shown[2].contains(":7:") && shown[2].contains("nowhere"),
            "{shown:#?}"
        );
    }

    /// What `check_template` says of a template's text, each problem with its position.
    fn problems(text: &str) -> Vec<String> {
        let t = Template::parse(text, &Origin::Builtin("t.ron")).unwrap();
        let src = Source {
            origin: Origin::Builtin("t.ron"),
            text: text.into(),
        };
        check_template(&t, &Protocol::builtin(), &Dimensions::builtin(), &src)
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn letter_words_name_what_exists() {
        let text = r#"Annex(title: "t", lists: [], blocks: [
  Subheading("I. Кому-то"),
], letter: (
  clusters: {
    "nowhere": (by: "по чему-то", clusters: []),
    "training": (by: "по обучению", clusters: ["один", "два"]),
  },
  addressees: {
    "I. Кому-то": "Кому-то одному",
    "II. Никому": "Никому",
  },
))"#;
        let shown = problems(text);
        assert_eq!(shown.len(), 3, "{shown:#?}");
        assert!(
            shown[0].contains(":5:") && shown[0].contains("нет измерения «nowhere»"),
            "{shown:#?}"
        );
        assert!(
            shown[1].contains(":6:") && shown[1].contains("кластеров 3, а слов для них 2"),
            "{shown:#?}"
        );
        assert!(
            shown[2].contains(":10:") && shown[2].contains("нет подзаголовка «II. Никому»"),
            "{shown:#?}"
        );
    }
}
