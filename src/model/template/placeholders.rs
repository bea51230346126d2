//! The placeholders of a template's texts: a text split into plain text and [`Piece`]s
//! (`{count:KEY}`, `{names:KEY}`, `{fact:KEY}` …, listed in the template's module), each
//! placeholder checked as it is read and a bad one named as written.

use crate::model::campaign::FACTS;

/// A piece of a text with placeholders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Count {
        key: String,
        forms: Option<[String; 3]>,
    },
    Names(String),
    Genitive(String),
    /// A word that agrees with the number of a list, without the number: «имеет» for one,
    /// «имеют» for more (`{agree:key|имеет|имеют|имеют}`).
    Agree {
        key: String,
        forms: [String; 3],
    },
    Ranked(Vec<String>),
    /// A fact of the campaign's letter (`{fact:letter_number}`).
    Fact(String),
    Start,
    End,
    Total(Option<[String; 3]>),
    Region,
}

impl Piece {
    pub fn list_keys(&self) -> Vec<&str> {
        match self {
            Piece::Count { key, .. }
            | Piece::Agree { key, .. }
            | Piece::Names(key)
            | Piece::Genitive(key) => vec![key],
            Piece::Ranked(keys) => keys.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

/// A placeholder problem: the placeholder as written and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PieceError {
    pub token: String,
    pub message: String,
}

/// Splits a text into plain text and placeholders.
pub fn parse_text(text: &str) -> Result<Vec<Piece>, PieceError> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        plain.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            plain.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('}') {
            return Err(PieceError {
                token: "}".into(),
                message: "лишняя «}»; фигурная скобка в тексте пишется как «}}»".into(),
            });
        }
        let Some(end) = tail.find('}') else {
            return Err(PieceError {
                token: tail.chars().take(20).collect(),
                message: "подстановка не закрыта «}»".into(),
            });
        };
        let token = &tail[..=end];
        let inner = &tail[1..end];
        if !plain.is_empty() {
            out.push(Piece::Text(std::mem::take(&mut plain)));
        }
        out.push(parse_placeholder(inner).map_err(|message| PieceError {
            token: token.to_string(),
            message,
        })?);
        rest = &tail[end + 1..];
    }
    plain.push_str(rest);
    if !plain.is_empty() {
        out.push(Piece::Text(plain));
    }
    Ok(out)
}

fn parse_placeholder(inner: &str) -> Result<Piece, String> {
    let (kind, arg) = match inner.split_once(':') {
        Some((k, a)) => (k.trim(), Some(a.trim())),
        None => (inner.trim(), None),
    };
    let key = |arg: Option<&str>| -> Result<String, String> {
        match arg {
            Some(a) if !a.is_empty() && !a.contains('|') => Ok(a.to_string()),
            _ => Err(format!(
                "у подстановки «{kind}» нет ключа списка: {{{kind}:КЛЮЧ}}"
            )),
        }
    };
    let forms = |parts: &[&str]| -> Result<[String; 3], String> {
        match parts {
            [one, few, many] if !one.is_empty() && !few.is_empty() && !many.is_empty() => {
                Ok([one.to_string(), few.to_string(), many.to_string()])
            }
            _ => Err("после ключа нужны три формы слова: для 1, для 2–4 и для 5 и больше, например {count:КЛЮЧ|муниципалитет|муниципалитета|муниципалитетов}".into()),
        }
    };
    if let Some(rest) = inner.trim().strip_prefix("total|") {
        let parts: Vec<&str> = rest.split('|').map(str::trim).collect();
        return Ok(Piece::Total(Some(forms(&parts)?)));
    }
    match (kind, arg) {
        ("count", Some(a)) if a.contains('|') => {
            let parts: Vec<&str> = a.split('|').map(str::trim).collect();
            Ok(Piece::Count {
                key: parts[0].to_string(),
                forms: Some(forms(&parts[1..])?),
            })
        }
        ("agree", Some(a)) if a.contains('|') => {
            let parts: Vec<&str> = a.split('|').map(str::trim).collect();
            Ok(Piece::Agree {
                key: parts[0].to_string(),
                forms: forms(&parts[1..])?,
            })
        }
        ("agree", _) => {
            Err("у «agree» три формы слова: {agree:КЛЮЧ|для 1|для 2–4|для 5 и больше}".into())
        }
        ("ranked", Some(a)) => {
            let keys: Vec<String> = a.split(',').map(|k| k.trim().to_string()).collect();
            if keys.iter().any(String::is_empty) {
                return Err(
                    "у «ranked» списки перечисляются через запятую: {ranked:КЛЮЧ1,КЛЮЧ2}".into(),
                );
            }
            Ok(Piece::Ranked(keys))
        }
        ("count", a) => Ok(Piece::Count {
            key: key(a)?,
            forms: None,
        }),
        ("names", a) => Ok(Piece::Names(key(a)?)),
        ("fact", Some(a)) if FACTS.iter().any(|(k, _)| *k == a) => Ok(Piece::Fact(a.to_string())),
        ("fact", a) => Err(format!(
            "нет такого факта письма «{}»; есть: {}",
            a.unwrap_or(""),
            FACTS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
        )),
        ("genitive", a) => Ok(Piece::Genitive(key(a)?)),
        ("start", None) => Ok(Piece::Start),
        ("end", None) => Ok(Piece::End),
        ("total", None) => Ok(Piece::Total(None)),
        ("region", None) => Ok(Piece::Region),
        _ => Err(format!(
            "неизвестная подстановка «{{{inner}}}»; есть: count, agree, names, genitive, ranked, fact, start, end, total, region"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_parse() {
        let p =
            parse_text("в {count:a|городе|городах|городах} ({names:a}); {{x}} {start}").unwrap();
        assert_eq!(
            p,
            vec![
                Piece::Text("в ".into()),
                Piece::Count {
                    key: "a".into(),
                    forms: Some(["городе".into(), "городах".into(), "городах".into()])
                },
                Piece::Text(" (".into()),
                Piece::Names("a".into()),
                Piece::Text("); {x} ".into()),
                Piece::Start,
            ]
        );
        assert!(
            parse_text("{count:a")
                .unwrap_err()
                .message
                .contains("не закрыта")
        );
        assert!(
            parse_text("{cnt:a}")
                .unwrap_err()
                .message
                .contains("неизвестная")
        );
        assert!(
            parse_text("{count:a|x|y}")
                .unwrap_err()
                .message
                .contains("три формы")
        );
        assert!(
            parse_text("{names}")
                .unwrap_err()
                .message
                .contains("нет ключа")
        );
        assert!(parse_text("a } b").is_err());
    }
}
