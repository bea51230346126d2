//! Reading Rust source without compiling it: comments and strings left out, tokens, the
//! paths a file names (every `use`, grouped or not, and paths in code) resolved to modules.

/// The code with comments, string and char literals blanked; lines stay where they were.
pub(crate) fn strip(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |out: &mut String, from: &[char]| {
        out.extend(from.iter().map(|&c| if c == '\n' { '\n' } else { ' ' }));
    };
    let mut i = 0;
    while i < chars.len() {
        let rest = &chars[i..];
        let end = if rest.starts_with(&['/', '/']) {
            rest.iter().position(|&c| c == '\n').unwrap_or(rest.len())
        } else if rest.starts_with(&['/', '*']) {
            block_comment_len(rest)
        } else if let Some(len) = string_len(rest, i == 0 || !is_ident(chars[i - 1])) {
            len
        } else if rest[0] == '\'' {
            char_literal_len(rest)
        } else {
            0
        };
        if end == 0 {
            out.push(rest[0]);
            i += 1;
        } else {
            blank(&mut out, &rest[..end]);
            i += end;
        }
    }
    out
}

pub(crate) fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The length of a `/* … */` comment, nested ones within.
pub(crate) fn block_comment_len(rest: &[char]) -> usize {
    let (mut depth, mut i) = (0, 0);
    while i < rest.len() {
        if rest[i..].starts_with(&['/', '*']) {
            depth += 1;
            i += 2;
        } else if rest[i..].starts_with(&['*', '/']) {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    rest.len()
}

/// The length of a string literal starting here (`"…"`, `b"…"`, `r#"…"#`, `br"…"`), if one
/// does; `word_start`: no identifier char just before.
pub(crate) fn string_len(rest: &[char], word_start: bool) -> Option<usize> {
    let mut i = 0;
    if word_start && matches!(rest.first(), Some('b' | 'c')) {
        i += 1;
    }
    let raw = word_start && rest.get(i) == Some(&'r');
    if raw {
        i += 1;
        let hashes = rest[i..].iter().take_while(|&&c| c == '#').count();
        i += hashes;
        if rest.get(i) != Some(&'"') {
            return None;
        }
        let close: Vec<char> = std::iter::once('"')
            .chain(std::iter::repeat_n('#', hashes))
            .collect();
        let from = i + 1;
        let at = (from..rest.len()).find(|&j| rest[j..].starts_with(&close))?;
        return Some(at + close.len());
    }
    if rest.get(i) != Some(&'"') || (i > 0 && !word_start) {
        return None;
    }
    let mut j = i + 1;
    while j < rest.len() && rest[j] != '"' {
        j += if rest[j] == '\\' { 2 } else { 1 };
    }
    Some((j + 1).min(rest.len()))
}

/// The length of a char literal (`'a'`, `'\n'`, `'\u{1F600}'`) starting here; 0 for a
/// lifetime or a label.
pub(crate) fn char_literal_len(rest: &[char]) -> usize {
    match rest.get(1) {
        Some('\\') => rest
            .get(3..)
            .and_then(|r| r.iter().position(|&c| c == '\''))
            .map_or(0, |at| at + 4),
        Some(_) if rest.get(2) == Some(&'\'') => 3,
        _ => 0,
    }
}

/// A token of stripped code with its line: a word, `::`, or one other char.
pub(crate) fn tokens(code: &str) -> Vec<(String, usize)> {
    let chars: Vec<char> = code.chars().collect();
    let (mut out, mut line, mut i) = (Vec::new(), 1, 0);
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if is_ident(c) {
            let len = chars[i..].iter().take_while(|&&c| is_ident(c)).count();
            out.push((chars[i..i + len].iter().collect(), line));
            i += len;
        } else if chars[i..].starts_with(&[':', ':']) {
            out.push(("::".to_string(), line));
            i += 2;
        } else {
            out.push((c.to_string(), line));
            i += 1;
        }
    }
    out
}

/// A path the code names, as written (`["super", "ctx", "Ctx"]`), with its line.
#[derive(Debug)]
pub(crate) struct Named {
    pub(crate) line: usize,
    /// The module the path is written in, inline modules included.
    pub(crate) within: Vec<String>,
    pub(crate) segments: Vec<String>,
}

/// Every path in a file's code: each path of every `use` (groups expanded), and every other
/// path of two or more segments.
pub(crate) fn named_paths(module: &[String], code: &str) -> Vec<Named> {
    let toks = tokens(code);
    let mut out = Vec::new();
    // Inline modules open: (name, brace depth inside it).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < toks.len() {
        let within: Vec<String> = module
            .iter()
            .cloned()
            .chain(inline.iter().map(|(n, _)| n.clone()))
            .collect();
        let word = toks[i].0.as_str();
        let at = |k: usize| toks.get(k).map_or("", |t| t.0.as_str());
        if word == "{" {
            depth += 1;
        } else if word == "}" {
            if inline.last().is_some_and(|(_, d)| *d == depth) {
                inline.pop();
            }
            depth -= 1;
        } else if word == "mod" && at(i + 2) == "{" {
            inline.push((at(i + 1).to_string(), depth + 1));
        } else if word == "use" {
            let mut paths = Vec::new();
            i += 1;
            use_tree(&toks, &mut i, &mut Vec::new(), &mut paths);
            out.extend(paths.into_iter().map(|(line, segments)| Named {
                line,
                within: within.clone(),
                segments,
            }));
            continue;
        } else if is_ident(word.chars().next().unwrap_or(' '))
            && at(i + 1) == "::"
            && !matches!(at(i.wrapping_sub(1)), "::" | "$")
        {
            let mut segments = vec![word.to_string()];
            let mut j = i + 1;
            while at(j) == "::" && at(j + 1).chars().next().is_some_and(is_ident) {
                segments.push(at(j + 1).to_string());
                j += 2;
            }
            out.push(Named {
                line: toks[i].1,
                within,
                segments,
            });
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

/// One use tree from `toks[*i]` on (`a::b::{c, d::e as f, self}`), each path it names pushed
/// to `out` with the line of its last segment; stops after the tree.
pub(crate) fn use_tree(
    toks: &[(String, usize)],
    i: &mut usize,
    prefix: &mut Vec<String>,
    out: &mut Vec<(usize, Vec<String>)>,
) {
    let at = |k: usize| toks.get(k).map_or("", |t| t.0.as_str());
    let start = prefix.len();
    let mut line = toks.get(*i).map_or(0, |t| t.1);
    loop {
        match at(*i) {
            "::" => *i += 1,
            "{" => {
                *i += 1;
                while !matches!(at(*i), "}" | "") {
                    use_tree(toks, i, prefix, out);
                    if at(*i) == "," {
                        *i += 1;
                    }
                }
                *i += 1;
                prefix.truncate(start);
                return;
            }
            "*" => {
                *i += 1;
                break;
            }
            w if w.chars().next().is_some_and(is_ident) && w != "as" => {
                if w != "self" || prefix.is_empty() {
                    prefix.push(w.to_string());
                }
                line = toks[*i].1;
                *i += 1;
            }
            _ => break,
        }
    }
    if at(*i) == "as" {
        *i += 2;
    }
    if at(*i) == ";" {
        *i += 1;
    }
    out.push((line, prefix.clone()));
    prefix.truncate(start);
}

/// The module a named path lands in, when it is one of the crate's: `crate::`, `super::`
/// and `self::` paths, the crate's own name in `main.rs`, and a child module's name in its
/// parent (`children`: the `mod x;` of the file). The longest module name the path starts
/// with (`crate::model::campaign::Record` → `model::campaign`).
pub(crate) fn resolve(
    named: &Named,
    file_module: &str,
    children: &[String],
    modules: &[&str],
) -> Option<String> {
    let mut segments = named.segments.iter().map(String::as_str).peekable();
    let mut absolute: Vec<&str> = match *segments.peek()? {
        "crate" => Vec::new(),
        "sobes" if file_module == "main" => Vec::new(),
        "self" | "super" => named.within.iter().map(String::as_str).collect(),
        child
            if children.iter().any(|c| c == child) && named.within.len() == depth(file_module) =>
        {
            return resolve_absolute(
                named
                    .within
                    .iter()
                    .map(String::as_str)
                    .chain(segments)
                    .collect(),
                modules,
            );
        }
        _ => return None,
    };
    if matches!(segments.peek(), Some(&("crate" | "sobes" | "self"))) {
        segments.next();
    }
    while segments.peek() == Some(&"super") {
        segments.next();
        absolute.pop();
    }
    absolute.extend(segments);
    resolve_absolute(absolute, modules)
}

pub(crate) fn depth(module: &str) -> usize {
    if matches!(module, "crate" | "main") {
        0
    } else {
        module.split("::").count()
    }
}

pub(crate) fn resolve_absolute(absolute: Vec<&str>, modules: &[&str]) -> Option<String> {
    (0..=absolute.len())
        .rev()
        .map(|n| absolute[..n].join("::"))
        .map(|m| if m.is_empty() { "crate".to_string() } else { m })
        .find(|m| modules.contains(&m.as_str()))
}

/// The `mod x;` a file declares (its children in files).
pub(crate) fn children(code: &str) -> Vec<String> {
    let toks = tokens(code);
    toks.windows(3)
        .filter(|w| w[0].0 == "mod" && w[2].0 == ";")
        .map(|w| w[1].0.clone())
        .collect()
}

/// Whether `a` is `b` or one of its files (`tui::screens::list` of `tui`); everything in the
/// library is of `crate`.
pub(crate) fn is_within(a: &str, b: &str) -> bool {
    a == b || (b == "crate" && a != "main") || a.starts_with(&format!("{b}::"))
}
