//! Russian typesetting of a document's text: names never torn at a line's end or at their
//! hyphen, a number kept with its word, a title's last word not alone, the corner block
//! wrapped to its narrow column, lists of names joined.

use crate::model::registry::{Municipality, Registry};

/// A hyphen that never breaks a line: «Усть‑Катавский», «Катав‑Ивановский» stay whole.
pub const NB_HYPHEN: char = '\u{2011}';

/// Russian typesetting: a name is not torn from its ГО/МР at the end of a line, nor split at
/// its hyphen, nor «№» from its number, nor a number from the word it counts («43
/// муниципальных», «IV квартал»), nor a dash from the word before it.
pub fn typeset(text: &str, registry: &Registry) -> String {
    const NBSP: char = '\u{a0}';
    let mut out = text.replace("№ ", "№\u{a0}").replace(" — ", "\u{a0}— ");
    for kind in &registry.kinds {
        out = out.replace(&format!(" {kind}"), &format!("{NBSP}{kind}"));
        // «ГО Спасск-Дальний»: the kind written first keeps to its name too.
        out = out.replace(&format!("{kind} "), &format!("{kind}{NBSP}"));
    }
    glue_numbers(&keep_hyphenated_names(&out))
}

/// A hyphen inside a capitalised word («Усть-Катавский», «Катав-Ивановского», «IT-кубы»)
/// does not break: names are read whole. Found in the text itself, not by looking up every
/// name of the registry (thousands of them, for every sentence of the annex).
fn keep_hyphenated_names(text: &str) -> String {
    if !text.contains('-') {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut word_start = 0;
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() && c != '-' {
            word_start = i + 1;
        }
        let inside = c == '-'
            && i > 0
            && chars[i - 1].is_alphabetic()
            && chars.get(i + 1).is_some_and(|n| n.is_alphabetic())
            && chars[word_start].is_uppercase();
        out.push(if inside { NB_HYPHEN } else { c });
    }
    out
}

/// A number (Arabic, or Roman as in «IV квартал») keeps to the word after it.
fn glue_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            let number = !word.is_empty()
                && (word.chars().all(|c| c.is_ascii_digit())
                    || word.len() <= 4 && word.chars().all(|c| matches!(c, 'I' | 'V' | 'X')));
            let next_is_word = chars.peek().is_some_and(|n| n.is_alphabetic());
            out.push(if number && next_is_word {
                '\u{a0}'
            } else {
                ' '
            });
            word.clear();
        } else {
            out.push(c);
            if c.is_whitespace() || c == '(' || c == '«' {
                word.clear();
            } else {
                word.push(c);
            }
        }
    }
    out
}

pub(super) fn join_names(ms: &[&Municipality]) -> String {
    join(ms.iter().map(|m| m.name.clone()))
}

/// Names in a document's text: each unbreakable, so «ГО Большой Камень» never ends one
/// line with «Большой» and starts the next with «Камень».
pub(super) fn join_whole<'a>(names: impl Iterator<Item = &'a str>) -> String {
    join(names.map(|n| n.replace(' ', "\u{a0}")))
}

fn join(names: impl Iterator<Item = String>) -> String {
    let names: Vec<String> = names.collect();
    if names.is_empty() {
        return "—".into();
    }
    names.join(", ")
}

/// A title's last word never stands alone on its line («служб»): it keeps to the word
/// before it.
pub(super) fn no_widow(title: &str) -> String {
    match title.rfind(' ') {
        Some(at) => format!("{}\u{a0}{}", &title[..at], &title[at + 1..]),
        None => title.to_string(),
    }
}

/// The corner block («Приложение к письму …») is a narrow column at the right margin, as
/// in a ministry's letter: a line longer than that is wrapped at its spaces, whatever the
/// length of the ministry's name a region's fact gives.
pub(super) fn narrow(line: &str) -> Vec<String> {
    const WIDTH: usize = 34;
    let mut out: Vec<String> = Vec::new();
    for word in line.split(' ') {
        match out.last_mut() {
            Some(last) if last.chars().count() + 1 + word.chars().count() <= WIDTH => {
                last.push(' ');
                last.push_str(word);
            }
            _ => out.push(word.to_string()),
        }
    }
    out
}
