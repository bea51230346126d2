//! Parsing RON text with errors that point at the file, line and column.

use serde::de::DeserializeOwned;
use std::fmt;
use std::path::{Path, PathBuf};

/// Where a data file came from: a file on disk or a default compiled into the binary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    File(PathBuf),
    Builtin(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(p) => write!(f, "{}", p.display()),
            Origin::Builtin(name) => write!(f, "<встроенный {name}>"),
        }
    }
}

impl From<&Path> for Origin {
    fn from(p: &Path) -> Self {
        Origin::File(p.to_path_buf())
    }
}

/// A problem in a data file. `line` and `col` are 1-based; 0 means "the whole file".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    pub origin: Origin,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl SourceError {
    pub fn new(origin: Origin, line: usize, col: usize, message: impl Into<String>) -> Self {
        SourceError {
            origin,
            line,
            col,
            message: message.into(),
        }
    }

    pub fn whole(origin: Origin, message: impl Into<String>) -> Self {
        Self::new(origin, 0, 0, message)
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.origin, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.origin, self.line, self.col, self.message
            )
        }
    }
}

impl std::error::Error for SourceError {}

pub fn parse_ron<T: DeserializeOwned>(text: &str, origin: &Origin) -> Result<T, SourceError> {
    // Hand-written files may write an optional field without Some(...).
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str::<T>(text)
        .map_err(|e| {
            SourceError::new(
                origin.clone(),
                e.span.start.line,
                e.span.start.col,
                e.code.to_string(),
            )
        })
}

fn position_at(text: &str, byte: usize) -> (usize, usize) {
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The 1-based position of the `nth` (0-based) occurrence of the quoted string `"id"` in
/// `text`, or (0, 0). Problems found after parsing (an unknown id, a duplicate) no longer have
/// RON positions, so the quoted id is looked up in the text.
pub fn locate_quoted(text: &str, id: &str, nth: usize) -> (usize, usize) {
    let quoted = format!("\"{id}\"");
    text.match_indices(&quoted)
        .nth(nth)
        .map_or((0, 0), |(at, _)| position_at(text, at))
}

/// Like [`locate_quoted`], counting only occurrences written as `field: "id"`.
pub fn locate_field(text: &str, field: &str, id: &str, nth: usize) -> (usize, usize) {
    let quoted = format!("\"{id}\"");
    text.match_indices(&quoted)
        .filter(|(at, _)| {
            text[..*at]
                .trim_end()
                .strip_suffix(':')
                .is_some_and(|b| b.trim_end().ends_with(field))
        })
        .nth(nth)
        .map_or((0, 0), |(at, _)| position_at(text, at))
}
