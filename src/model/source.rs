//! Parsing RON text with errors that point at the file, line and column, several problems
//! as one message ([`join_errors`]), and a data file as read ([`Source`]), which finds where
//! in it a problem is.

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

/// One message of several problems, a line each.
pub fn join_errors<E: std::fmt::Display>(errors: &[E]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses a hand-written data file: an optional field may be written without `Some(...)`.
pub fn parse_ron<T: DeserializeOwned>(text: &str, origin: &Origin) -> Result<T, SourceError> {
    parse_with(text, origin, true)
}

fn parse_with<T: DeserializeOwned>(
    text: &str,
    origin: &Origin,
    implicit_some: bool,
) -> Result<T, SourceError> {
    if text.trim().is_empty() {
        return Err(SourceError::new(
            origin.clone(),
            1,
            1,
            "файл пуст, а ожидалась запись RON (файл повреждён или копирование оборвалось)",
        ));
    }
    let options = if implicit_some {
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
    } else {
        ron::Options::default()
    };
    options
        .from_str::<T>(text)
        .map_err(|e| {
            let (line, col) = (e.span.start.line, e.span.start.col);
            let mut message = ron_message(&e.code);
            if cut_short(text, line, col, &e.code) {
                message.push_str(
                    " — на этом месте файл обрывается: похоже, он обрезан (сбой при записи или копировании)",
                );
            }
            SourceError::new(origin.clone(), line, col, message)
        })
}

/// Whether a parse error at (line, col) looks like the text simply ending too early: a
/// truncated file, not a typo.
fn cut_short(text: &str, line: usize, col: usize, code: &ron::Error) -> bool {
    if matches!(code, ron::Error::Eof) {
        // Its message already says so.
        return false;
    }
    let line_start = if line <= 1 {
        Some(0)
    } else {
        text.match_indices('\n').nth(line - 2).map(|(at, _)| at + 1)
    };
    let Some(start) = line_start else {
        return false;
    };
    let at = text[start..]
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(text.len(), |(i, _)| start + i);
    let rest = &text[at..];
    // A string that never closes runs to the end of a file that was cut inside it.
    if matches!(code, ron::Error::ExpectedStringEnd) {
        return !rest.chars().skip(1).any(|c| c == '"');
    }
    // On the last line of a file that does not end as sobes ends files: what is left is
    // the end of the cut, or a closing bracket or two the parser stopped before.
    let last_line = !text.ends_with('\n') && !rest.contains('\n');
    rest.trim().is_empty()
        || last_line && (!rest.contains([')', ']', '}']) || rest.trim().chars().count() <= 2)
}

fn one_of(alts: &[&str]) -> String {
    let quoted: Vec<String> = alts.iter().map(|a| format!("«{a}»")).collect();
    match quoted.len() {
        0 => "здесь ничего не ожидалось".into(),
        1 => format!("ожидалось {}", quoted[0]),
        _ => format!("ожидалось одно из: {}", quoted.join(", ")),
    }
}

fn inside(outer: &Option<String>) -> String {
    outer
        .as_ref()
        .map_or(String::new(), |o| format!(" в «{o}»"))
}

/// The parser's complaint in Russian: what was found and what was expected.
pub fn ron_message(code: &ron::Error) -> String {
    use ron::Error as E;
    match code {
        E::Eof => "файл обрывается раньше времени: запись не закончена (файл обрезан?)".into(),
        E::ExpectedArray => "ожидалась «[» (список)".into(),
        E::ExpectedArrayEnd => "ожидалась «]» (конец списка) или запятая".into(),
        E::ExpectedBoolean => "ожидалось true или false".into(),
        E::ExpectedComma => "ожидалась запятая".into(),
        E::ExpectedInteger | E::ExpectedFloat => "ожидалось число".into(),
        E::IntegerOutOfBounds => "число слишком большое или отрицательное для этого поля".into(),
        E::InvalidIntegerDigit { digit, .. } => format!("в числе не может быть знака «{digit}»"),
        E::ExpectedOption => "ожидалось Some(...) или None".into(),
        E::ExpectedOptionEnd | E::ExpectedStructLikeEnd => {
            "ожидалась «)» (конец записи) или запятая".into()
        }
        E::ExpectedMap => "ожидалась «{» (таблица)".into(),
        E::ExpectedMapColon => "ожидалось двоеточие «:» после ключа".into(),
        E::ExpectedMapEnd => "ожидалась «}» (конец таблицы) или запятая".into(),
        E::ExpectedDifferentStructName { expected, found } => {
            format!("ожидалась запись {expected}, а здесь {found}")
        }
        E::ExpectedStructLike => "ожидалась «(» (начало записи)".into(),
        E::ExpectedNamedStructLike("") => "ожидалась «(» (начало записи)".into(),
        E::ExpectedNamedStructLike(name) => format!("ожидалась запись {name}(...)"),
        E::ExpectedUnit => "ожидалось ()".into(),
        E::ExpectedString => "ожидалась строка в кавычках \"...\"".into(),
        E::ExpectedStringEnd => "строка не закрыта: ожидалась кавычка «\"»".into(),
        E::ExpectedIdentifier => "ожидалось имя поля или варианта".into(),
        E::ExpectedChar | E::ExpectedByteLiteral | E::ExpectedByteString => {
            "ожидался символ или строка".into()
        }
        E::InvalidEscape(what) => format!("неверная последовательность с «\\» в строке ({what})"),
        E::UnclosedBlockComment => "комментарий /* не закрыт */".into(),
        E::UnexpectedChar(c) => format!("неожиданный знак {c:?}"),
        E::Utf8Error(_) => "файл не в кодировке UTF-8".into(),
        E::TrailingCharacters => {
            "после конца записи есть лишний текст (запись уже закрыта скобкой)".into()
        }
        E::InvalidValueForType { expected, found } => {
            format!("ожидалось {expected}, а здесь {found}")
        }
        E::ExpectedDifferentLength { expected, found } => {
            format!("ожидалось {expected}, а элементов {found}")
        }
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => format!(
            "нет варианта «{found}»{}; {}",
            inside(outer),
            one_of(expected)
        ),
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => format!("нет поля «{found}»{}; {}", inside(outer), one_of(expected)),
        E::MissingStructField { field, outer } => {
            format!("не хватает поля «{field}»{}", inside(outer))
        }
        E::DuplicateStructField { field, outer } => {
            format!("поле «{field}» указано дважды{}", inside(outer))
        }
        E::ExceededRecursionLimit => "слишком глубокая вложенность скобок".into(),
        E::ExpectedStructName(name) => format!("ожидалось имя записи {name}(...)"),
        E::Message(m) => m.clone(),
        other => format!("ошибка RON: {other}"),
    }
}

pub fn position_at(text: &str, byte: usize) -> (usize, usize) {
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The 1-based position of the `nth` (0-based) occurrence of the quoted string `"id"` in
/// `text`, or (0, 0). Problems found after parsing (an unknown id, a duplicate) no longer have
/// RON positions, so the quoted id is looked up in the text.
pub fn locate_quoted(text: &str, id: &str, nth: usize) -> (usize, usize) {
    quoted_forms(id)
        .into_iter()
        .find_map(|quoted| text.match_indices(&quoted).nth(nth))
        .map_or((0, 0), |(at, _)| position_at(text, at))
}

/// How a string may be written in a file: as is, or with escapes (`"x\ny"`, `"\u{7}"`).
fn quoted_forms(id: &str) -> Vec<String> {
    let plain = format!("\"{id}\"");
    let escaped = format!("{id:?}");
    if escaped == plain {
        vec![plain]
    } else {
        vec![plain, escaped]
    }
}

/// Like [`locate_quoted`], counting only occurrences written as `field: "id"`.
pub fn locate_field(text: &str, field: &str, id: &str, nth: usize) -> (usize, usize) {
    quoted_forms(id)
        .into_iter()
        .find_map(|quoted| {
            text.match_indices(&quoted)
                .filter(|(at, _)| {
                    text[..*at]
                        .trim_end()
                        .strip_suffix(':')
                        .is_some_and(|b| b.trim_end().ends_with(field))
                })
                .nth(nth)
        })
        .map_or((0, 0), |(at, _)| position_at(text, at))
}

/// A data file as read: where from, and its text (for positions of problems).
#[derive(Clone, Debug)]
pub struct Source {
    pub origin: Origin,
    pub text: String,
}

impl Source {
    /// An error at the `nth` quoted occurrence of `id`.
    pub fn at(&self, id: &str, nth: usize, message: String) -> SourceError {
        let (line, col) = locate_quoted(&self.text, id, nth);
        SourceError::new(self.origin.clone(), line, col, message)
    }

    /// The same text with everything before `line:col` blanked (newlines kept): searches
    /// then find what stands from there on, at the file's own lines and columns, so an error
    /// points into its own entry rather than at an earlier one that names the same thing.
    pub fn from(&self, line: usize, col: usize) -> Source {
        let at = byte_at(&self.text, line, col);
        let text = self
            .text
            .char_indices()
            .map(|(i, c)| if i < at && c != '\n' { ' ' } else { c })
            .collect();
        Source {
            origin: self.origin.clone(),
            text,
        }
    }

    /// [`Source::from`] the `rule`-th `cluster:` in the `rules` of the `nth` definition
    /// `id: "id"`.
    pub fn rule(&self, id: &str, nth: usize, rule: usize) -> Source {
        let (line, col) = locate_field(&self.text, "id", id, nth);
        let start = byte_at(&self.text, line, col);
        let rules = self.text[start..]
            .find("rules")
            .map_or(start, |at| start + at);
        let at = self.text[rules..]
            .match_indices("cluster:")
            .nth(rule)
            .map_or(rules, |(at, _)| rules + at);
        let (line, col) = position_at(&self.text, at);
        self.from(line, col)
    }

    /// An error at the `nth` definition `id: "id"`.
    pub fn at_def(&self, id: &str, nth: usize, message: String) -> SourceError {
        let (line, col) = locate_field(&self.text, "id", id, nth);
        SourceError::new(self.origin.clone(), line, col, message)
    }
}

/// The byte offset of a 1-based line and column (0, 0 when not found).
fn byte_at(text: &str, line: usize, col: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    text[line_start..]
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(line_start, |(i, _)| line_start + i)
}
