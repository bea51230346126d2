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

mod parse;
mod table;

use parse::*;
use std::collections::BTreeMap;
use std::path::Path;
use table::*;

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
                "{}: the module `{}` is not in LAYERS (tests/layers/table.rs): add it after every module it uses and before every module that uses it",
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
        "\nimports against LAYERS (tests/layers/table.rs): a module uses only those listed before it, and its own files\n{}\n",
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
