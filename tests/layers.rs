//! No import circles: every source file has a place in [`LAYERS`], and a file uses only what
//! is listed before it. Pure file reading, nothing compiled.
//!
//! The table, lowest first:
//! - `crate` (`lib.rs`, which only declares the modules);
//! - the domain, `model`, with neither terminal nor file system (checked here too): the
//!   leaves (`answer`, `collate`, `source`, `parallel`, `decision`), what the data files hold
//!   (`condition`, `protocol`, `clusters`, `registry`, `fuzzy`, `names`, `monitoring`), the
//!   campaign (`conflict`, `campaign`), what works on it (`compare`, `change`, `merge`,
//!   `scores`, `checks`, `agreement`), and the annex's `selector` and `template`;
//! - the machine and the files on disk: `clock`, `storage`, `paths`, `data`, `campaigns`;
//! - the documents: `annex`;
//! - the campaign's history and the hub: `boundary`, `history`, `session`, `sync`;
//! - the terminal UI, `tui`: keys, actions and keymaps at the bottom, then `ctx` (what the
//!   screens share), the overlays, `cmd` (what screens and overlays ask of the app), the
//!   screens, the app, the view and the IO loop;
//! - the command line, `cli`, which starts the TUI; and the binary's `main.rs`.
//!
//! A module is a file: `src/x.rs` or `src/x/mod.rs` is `x`, `src/x/y.rs` is `x::y`, a file
//! of `x`; `lib.rs` is `crate`, `main.rs` is `main`. Inline modules (`mod tests { … }`) are
//! part of their file. The rule:
//!
//! - a module may use the modules listed before it in [`LAYERS`], never one after it;
//! - a module and the files it is split into (its descendants) may use each other freely —
//!   `use super::…` in a child, `pub use child::…` or `child::f()` in the parent: it is one
//!   module talking to itself — so a module's files are listed right after it, lowest first,
//!   and to every other module the whole block is one module at one place in the table.
//!
//! So the imports between the files of one folder, and between whole modules, go one way
//! only: there is no circle. An import is any path the code names: `use crate::…`,
//! `use super::…` and `use self::…` (grouped, and over several lines), `crate::x::f()` and
//! `super::x::Y` in code, and a child module's name in its parent; comments and strings do
//! not count. A method call is no path: the methods an `impl` adds to a type of another
//! module (`impl Ctx` in `tui/saving.rs` and `tui/cmd.rs`, `impl LastYear` in
//! `model/compare.rs`) belong to the module the `impl` is in, and only modules above it
//! call them.

use std::collections::BTreeMap;
use std::path::Path;

/// Every module, lowest first: each may use only those before it, and its own files (which
/// follow it). A new file needs a line here, where what it uses is all above it.
const LAYERS: &[&str] = &[
    "crate",
    // The domain: no terminal, no file system.
    "model",
    "model::answer",
    "model::collate",
    "model::person",
    "model::source",
    "model::parallel",
    "model::decision",
    "model::condition",
    "model::protocol",
    "model::clusters",
    "model::registry",
    "model::fuzzy",
    "model::names",
    "model::monitoring",
    "model::monitoring::import",
    "model::conflict",
    "model::campaign",
    "model::campaign::fields",
    "model::campaign::meta",
    "model::campaign::reviewers",
    "model::compare",
    "model::change",
    "model::change::apply",
    "model::merge",
    "model::scores",
    "model::checks",
    "model::checks::data",
    "model::agreement",
    "model::selector",
    "model::template",
    "model::template::placeholders",
    // The machine and the files on disk.
    "clock",
    "storage",
    "storage::names",
    "storage::atomic",
    "storage::remove",
    "storage::lock",
    "storage::scores",
    "storage::records",
    "paths",
    "data",
    "campaigns",
    // The documents.
    "annex",
    "annex::document",
    "annex::typeset",
    "annex::numbering",
    "annex::markdown",
    "annex::docx",
    "annex::matrix",
    "annex::gaps",
    "annex::build",
    "annex::letter",
    // The campaign's history and the hub.
    "boundary",
    "boundary::objects",
    "boundary::tree",
    "history",
    "history::objects",
    "history::commit",
    "history::log",
    "history::setup",
    "history::repair",
    "history::heal",
    "history::devices",
    "session",
    "session::failure",
    "session::write",
    "sync",
    "sync::watch",
    "sync::report",
    "sync::hub",
    "sync::meta",
    "sync::merge",
    "sync::push",
    "sync::fetch",
    // The terminal UI.
    "tui",
    "tui::screen_table",
    "tui::keys",
    "tui::action",
    "tui::keymap",
    "tui::cursor",
    "tui::text",
    "tui::widgets",
    "tui::ctx",
    "tui::filter",
    "tui::overlays",
    "tui::overlays::text",
    "tui::overlays::confirm",
    "tui::overlays::prompt",
    "tui::overlays::picker",
    "tui::overlays::help",
    "tui::saving",
    "tui::cmd",
    "tui::screens",
    "tui::screens::preview",
    "tui::screens::review",
    "tui::screens::changes",
    "tui::screens::agreement",
    "tui::screens::levels",
    "tui::screens::letter",
    "tui::screens::conflicts",
    "tui::screens::clusters",
    "tui::screens::interview",
    "tui::screens::interview::draw",
    "tui::screens::list",
    "tui::export",
    "tui::app",
    "tui::view",
    "tui::syncing",
    "tui::start",
    // The command line, which starts the TUI.
    "cli",
    "cli::args",
    "cli::usage",
    "cli::reports",
    "cli::export",
    "cli::monitoring",
    "cli::monitoring::book",
    "cli::sync",
    "cli::commands",
    "cli::check",
    // The binary.
    "main",
];

/// What `model` must not name: the terminal, and the file system (files, folders, paths,
/// the environment, input and output).
const NOT_IN_MODEL: &[&str] = &[
    "ratatui",
    "crossterm",
    "git2",
    "directories",
    "std::fs",
    "std::io",
    "std::env",
    "std::path",
];

/// The one exception: `Origin::File` names the file an error points into, a `PathBuf` kept
/// as a name and never opened.
const NOT_IN_MODEL_EXCEPT: &[(&str, &str)] = &[("src/model/source.rs", "std::path")];

/// A source file: its module's name (`tui::screens::list`), its path from the crate
/// (`src/tui/screens/list.rs`) and its text.
struct File {
    module: String,
    path: String,
    text: String,
}

fn source_files() -> Vec<File> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect(&root.join("src"), &mut Vec::new(), &mut files);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

fn collect(dir: &Path, folders: &mut Vec<String>, out: &mut Vec<File>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            folders.push(name);
            collect(&path, folders, out);
            folders.pop();
        } else if let Some(stem) = name.strip_suffix(".rs") {
            let mut segments = folders.clone();
            if !matches!(stem, "mod" | "lib") {
                segments.push(stem.to_string());
            }
            let module = match (segments.is_empty(), stem) {
                (true, _) => "crate".to_string(),
                (false, "main") if folders.is_empty() => "main".to_string(),
                _ => segments.join("::"),
            };
            let mut shown = vec!["src".to_string()];
            shown.extend(folders.iter().cloned());
            shown.push(name);
            out.push(File {
                module,
                path: shown.join("/"),
                text: std::fs::read_to_string(&path).unwrap(),
            });
        }
    }
}

/// The code with comments, string and char literals blanked; lines stay where they were.
fn strip(src: &str) -> String {
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

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The length of a `/* … */` comment, nested ones within.
fn block_comment_len(rest: &[char]) -> usize {
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
fn string_len(rest: &[char], word_start: bool) -> Option<usize> {
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
fn char_literal_len(rest: &[char]) -> usize {
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
fn tokens(code: &str) -> Vec<(String, usize)> {
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
struct Named {
    line: usize,
    /// The module the path is written in, inline modules included.
    within: Vec<String>,
    segments: Vec<String>,
}

/// Every path in a file's code: each path of every `use` (groups expanded), and every other
/// path of two or more segments.
fn named_paths(module: &[String], code: &str) -> Vec<Named> {
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
fn use_tree(
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
fn resolve(
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

fn depth(module: &str) -> usize {
    if matches!(module, "crate" | "main") {
        0
    } else {
        module.split("::").count()
    }
}

fn resolve_absolute(absolute: Vec<&str>, modules: &[&str]) -> Option<String> {
    (0..=absolute.len())
        .rev()
        .map(|n| absolute[..n].join("::"))
        .map(|m| if m.is_empty() { "crate".to_string() } else { m })
        .find(|m| modules.contains(&m.as_str()))
}

/// The `mod x;` a file declares (its children in files).
fn children(code: &str) -> Vec<String> {
    let toks = tokens(code);
    toks.windows(3)
        .filter(|w| w[0].0 == "mod" && w[2].0 == ";")
        .map(|w| w[1].0.clone())
        .collect()
}

/// Whether `a` is `b` or one of its files (`tui::screens::list` of `tui`); everything in the
/// library is of `crate`.
fn is_within(a: &str, b: &str) -> bool {
    a == b || (b == "crate" && a != "main") || a.starts_with(&format!("{b}::"))
}

/// The modules of the crate a file names, except itself: (line, module), as often as named.
fn file_imports(file: &File, modules: &[&str]) -> Vec<(usize, String)> {
    let code = strip(&file.text);
    let own: Vec<String> = match file.module.as_str() {
        "crate" | "main" => Vec::new(),
        m => m.split("::").map(str::to_string).collect(),
    };
    let kids = children(&code);
    named_paths(&own, &code)
        .iter()
        .filter_map(|n| Some((n.line, resolve(n, &file.module, &kids, modules)?)))
        .filter(|(_, to)| *to != file.module)
        .collect()
}

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|m| *m == module)
}

/// The imports in `files` that `layers` does not allow, each with its file and line, the
/// two modules and their places.
fn against_layers(files: &[File], layers: &[&str]) -> Vec<String> {
    let rank = |m: &str| layers.iter().position(|x| *x == m);
    let mut problems = Vec::new();
    for f in files {
        let Some(from) = rank(&f.module) else {
            continue;
        };
        for (line, to) in file_imports(f, layers) {
            let Some(up) = rank(&to) else {
                continue;
            };
            if up > from && !is_within(&f.module, &to) && !is_within(&to, &f.module) {
                problems.push(format!(
                    "{}:{line}: `{}` (#{from} in LAYERS) uses `{to}` (#{up}), which is listed after it. Move what it uses into a module listed before `{}`; or, when nothing of `{to}` uses `{}`, list `{}` after `{to}`",
                    f.path, f.module, f.module, f.module, f.module
                ));
            }
        }
        // One line for the items one `use` names from one module.
        problems.dedup();
    }
    problems
}

#[test]
fn every_source_file_is_in_the_table_once() {
    let files = source_files();
    let mut problems = Vec::new();
    for f in &files {
        if rank(&f.module).is_none() {
            problems.push(format!(
                "{}: the module `{}` is not in LAYERS (tests/layers.rs): add it after every module it uses and before every module that uses it",
                f.path, f.module
            ));
        }
    }
    let mut seen = BTreeMap::new();
    for m in LAYERS {
        *seen.entry(*m).or_insert(0) += 1;
        if !files.iter().any(|f| f.module == *m) {
            problems.push(format!("LAYERS lists `{m}`, which has no file"));
        }
    }
    for (m, n) in seen.into_iter().filter(|(_, n)| *n > 1) {
        problems.push(format!("LAYERS lists `{m}` {n} times"));
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn each_module_in_the_table_follows_its_parent_with_its_siblings() {
    let mut problems = Vec::new();
    for (i, m) in LAYERS.iter().enumerate().skip(1) {
        let parent = match m.rsplit_once("::") {
            Some((p, _)) => p,
            None if *m == "main" => continue,
            None => "crate",
        };
        let Some(p) = rank(parent) else {
            problems.push(format!(
                "LAYERS: `{m}` is listed, its parent `{parent}` is not"
            ));
            continue;
        };
        if let Some(stray) = LAYERS[p + 1..i].iter().find(|x| !is_within(x, parent)) {
            problems.push(format!(
                "LAYERS: `{m}` must follow `{parent}` and its other files, but `{stray}` stands between them"
            ));
        }
        if p > i {
            problems.push(format!("LAYERS: `{m}` comes before its parent `{parent}`"));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn every_import_goes_down_the_layers() {
    let problems = against_layers(&source_files(), LAYERS);
    assert!(
        problems.is_empty(),
        "\nimports against LAYERS (tests/layers.rs): a module uses only those listed before it, and its own files\n{}\n",
        problems.join("\n")
    );
}

#[test]
fn an_import_up_the_table_is_named_with_its_file_line_and_modules() {
    let layers = ["crate", "a", "a::x", "a::y", "b"];
    let file = |module: &str, path: &str, text: &str| File {
        module: module.into(),
        path: path.into(),
        text: text.into(),
    };
    let files = [
        // Up to a sibling: refused.
        file("a::x", "src/a/x.rs", "use super::y::Thing;\n"),
        // Down to a sibling and up to its parent: allowed.
        file(
            "a::y",
            "src/a/y.rs",
            "use super::x::Other;\nuse super::Parent;\n",
        ),
        // Down to its files, and up to `b`, refused.
        file(
            "a",
            "src/a/mod.rs",
            "mod x;\nmod y;\npub use y::Thing;\nfn f() {\n    crate::b::g();\n}\n",
        ),
        file("b", "src/b.rs", "use crate::a::x::Other;\n"),
    ];
    let found = against_layers(&files, &layers);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with("src/a/x.rs:1: `a::x` (#2 in LAYERS) uses `a::y` (#3)"),
        "{found:#?}"
    );
    assert!(
        found[1].starts_with("src/a/mod.rs:5: `a` (#1 in LAYERS) uses `b` (#4)"),
        "{found:#?}"
    );
}

#[test]
fn the_model_has_neither_terminal_nor_file_system() {
    let mut problems = Vec::new();
    for f in source_files()
        .iter()
        .filter(|f| is_within(&f.module, "model"))
    {
        let code = strip(&f.text);
        for named in named_paths(&[], &code) {
            let path = named.segments.join("::");
            for bad in NOT_IN_MODEL {
                let hit = path == *bad || path.starts_with(&format!("{bad}::"));
                if hit && !NOT_IN_MODEL_EXCEPT.contains(&(f.path.as_str(), bad)) {
                    problems.push(format!(
                        "{}:{}: `{path}` in the model, which has no terminal and no file system",
                        f.path, named.line
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn the_parser_finds_imports_in_any_form_and_ignores_comments_and_strings() {
    let sample = r##"
//! Docs naming crate::history::History do not count.
use super::{Cmd, Component,
    Go};
use crate::{
    model::campaign::{self, Record},
    storage,
};
use crate::tui::keys::Key as K;
use std::fs;
/* crate::sync::sync_with /* nested */ crate::paths::Paths */
fn f() {
    let s = "crate::boundary::place";
    let c = '"';
    let r = r#"crate::clock::now"#;
    crate::session::warn(s);
    super::super::widgets::popup();
    child::go();
}
mod tests {
    use super::*;
    use super::super::list::List;
}
"##;
    let modules = [
        "crate",
        "model",
        "model::campaign",
        "storage",
        "tui",
        "tui::keys",
        "tui::widgets",
        "tui::screens",
        "tui::screens::list",
        "tui::screens::review",
        "tui::screens::review::child",
        "session",
        "history",
        "sync",
        "paths",
        "boundary",
        "clock",
    ];
    let file = File {
        module: "tui::screens::review".into(),
        path: "src/tui/screens/review.rs".into(),
        text: sample.replace("fn f()", "mod child;\nfn f()"),
    };
    let found = file_imports(&file, &modules);
    let lines = |m: &str| -> Vec<usize> {
        found
            .iter()
            .filter(|(_, to)| to == m)
            .map(|(l, _)| *l)
            .collect()
    };
    assert_eq!(lines("tui::screens"), [3, 3, 4], "{found:?}");
    assert_eq!(lines("model::campaign"), [6, 6], "{found:?}");
    assert_eq!(lines("storage"), [7], "{found:?}");
    assert_eq!(lines("tui::keys"), [9], "{found:?}");
    assert_eq!(lines("session"), [17], "{found:?}");
    assert_eq!(lines("tui::widgets"), [18], "{found:?}");
    assert_eq!(lines("tui::screens::review::child"), [19], "{found:?}");
    assert_eq!(lines("tui::screens::list"), [23], "{found:?}");
    for absent in ["history", "sync", "paths", "boundary", "clock", "crate"] {
        assert!(lines(absent).is_empty(), "{absent} in {found:?}");
    }
    // `use super::*` in `mod tests` is the file itself.
    assert_eq!(found.len(), 11, "{found:?}");
}
