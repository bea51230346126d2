//! Several reviewers, issue 21: the blind rule holds in everything a reviewer can read
//! (agreement, its TSV, the CSV/XLSX matrix, the log), the coordinator sees everything only
//! with `--all`; names are people (case, spaces and ё/е do not make another reviewer, a
//! name off the list is refused), a reviewer can be renamed with their ratings, and ratings
//! of someone off the list are reported, never dropped.

use crate::common;
use common::{Env, stderr, stdout};
use sobes::model::campaign::{Campaign, Decision, Reader, Record};
use std::io::Read;
use std::process::Output;

mod blind;
mod names;
mod tui_screens;

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

fn decide(env: &Env, who: &str, m: &str, cluster: &str, more: &[&str]) -> Output {
    let mut args = vec![
        "--as",
        who,
        "decide",
        "--municipality",
        m,
        "--dimension",
        "training",
        "--cluster",
        cluster,
    ];
    args.extend(more);
    env.run(&args)
}

fn record(env: &Env, id: &str) -> Record {
    ron::from_str(&std::fs::read_to_string(env.record_file(id)).unwrap()).unwrap()
}

/// Иванова and Петрова have rated Уйский МР (training), each with a reason; Сидорова has not.
fn three_reviewers_two_rated() -> Env {
    let env = Env::new();
    ok(&env.run(&["campaign", "set", "reviewers", "Иванова; Петрова; Сидорова"]));
    ok(&env.set("Уйский", "host_bases", "yes"));
    ok(&decide(
        &env,
        "Иванова",
        "Уйский",
        "2",
        &["--reason", "площадки нет"],
    ));
    ok(&decide(
        &env,
        "Петрова",
        "Уйский",
        "3",
        &["--reason", "нужна дорожная карта"],
    ));
    env
}

/// The matrix's cells of one municipality by the header's column names.
fn csv_row(
    env: &Env,
    who: &[&str],
    id: &str,
) -> (std::collections::BTreeMap<String, String>, String) {
    let path = env.home().join(format!("m-{}.csv", who.join("-")));
    let mut args = who.to_vec();
    args.extend(["export", "-o", path.to_str().unwrap(), "--force"]);
    let o = env.run(&args);
    ok(&o);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<String> = lines.next().unwrap().split(';').map(String::from).collect();
    let row = lines.find(|l| l.starts_with(&format!("{id};"))).unwrap();
    (
        header
            .into_iter()
            .zip(row.split(';').map(String::from))
            .collect(),
        stderr(&o),
    )
}

fn xlsx_strings(env: &Env, who: &[&str]) -> (String, String) {
    let path = env.home().join(format!("m-{}.xlsx", who.join("-")));
    let mut args = who.to_vec();
    args.extend(["export", "-o", path.to_str().unwrap(), "--force"]);
    let o = env.run(&args);
    ok(&o);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut strings = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    (strings, stderr(&o))
}
