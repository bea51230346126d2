//! Year after year (issue 11): last year's campaign beside this year's.

use crate::common;
use common::{ok, sobes as run, stderr};
use std::path::{Path, PathBuf};

mod compare;
mod letters;
mod scores;
mod sheets;

/// Gives Нязепетровский МР the same points on every built-in indicator, through a sheet.
fn import_uniform(home: &Path, tmp: &Path, dir: &str, value: &str) {
    let ids: Vec<String> = sobes::model::monitoring::Monitoring::builtin()
        .indicators()
        .map(|(_, i)| i.id.clone())
        .collect();
    let csv = tmp.join(format!("{value}.csv"));
    let header = format!("Муниципалитет;{}\n", ids.join(";"));
    let row = format!("Нязепетровский МР;{}\n", vec![value; ids.len()].join(";"));
    std::fs::write(&csv, header + &row).unwrap();
    let args = [
        "--campaign",
        dir,
        "--as",
        "Тест",
        "import-monitoring",
        csv.to_str().unwrap(),
    ];
    ok(run(home, &args));
}

/// `sobes set` as «Тест» in the campaign `dir`; its output.
fn set(home: &Path, dir: &str, municipality: &str, question: &str, value: &str) -> String {
    let args = common::set_args(municipality, question, value);
    ok(run(home, &[&["--campaign", dir][..], &args].concat()))
}

fn campaign(tmp: &Path) -> (std::path::PathBuf, String) {
    let home = tmp.join("home");
    let dir = tmp.join("c");
    ok(run(&home, &["new", dir.to_str().unwrap()]));
    (home, dir.to_str().unwrap().to_string())
}

/// Last year's campaign (empty, or a shipped one) and this year's made from it, under one
/// private home: the home and the two folders.
fn two_years(tmp: &Path, from: Option<&str>) -> (PathBuf, String, String) {
    let home = tmp.join("home");
    let path = |name: &str| tmp.join(name).to_str().unwrap().to_string();
    let (old, new) = (path("old"), path("new"));
    let mut made = vec!["new", old.as_str()];
    made.extend(from.map(|f| ["--from", f]).into_iter().flatten());
    ok(run(&home, &made));
    ok(run(&home, &["new", &new, "--previous", &old]));
    (home, old, new)
}
