//! What the commands say: Russian messages, escaped control characters, closed pipes.

use super::*;
use crate::common::refused;

#[test]
fn control_characters_are_shown_escaped() {
    let env = Env::new();
    let evil = "Ответ\u{1b}]0;чужой заголовок\u{7}\u{1b}[2J";
    let o = env.set("Уйский", "reserves_detail", evil);
    assert!(o.status.success(), "{}", stderr(&o));
    let shown = stdout(&o);
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
        "{shown:?}"
    );
    assert!(shown.contains("\\u{1b}]0;чужой заголовок"), "{shown}");
    let o = env.bare(&["resolve", "Уйс\u{1b}[2Jкий\u{7}q"]);
    assert!(
        !stderr(&o).contains('\u{1b}') && !stdout(&o).contains('\u{1b}'),
        "{:?}",
        stderr(&o)
    );
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let env = Env::new();
    for _ in 0..3 {
        let mut child = env
            .command()
            .args(["--campaign", env.dir.to_str().unwrap(), "questions"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before sobes writes: `sobes questions | head -0`.
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        assert_ne!(o.status.code(), Some(101), "{}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
}

#[test]
fn command_line_mistakes_are_said_in_russian_and_hyphen_values_reach_the_validator() {
    let env = Env::new();
    let o = env.set("Уйский", "methodists", "-1");
    refused(&o, "ждёт целое число от 0 до 500, а не «-1»");
    let o = env.bare(&["status", "--tvs"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("непонятный аргумент «--tvs»"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("unexpected"), "{}", stderr(&o));
    let o = env.bare(&["statsu"]);
    assert!(
        stderr(&o).contains("нет такой команды «statsu»"),
        "{}",
        stderr(&o)
    );
    let o = env.bare(&["set", "--question", "x"]);
    assert!(
        stderr(&o).contains("не хватает обязательного"),
        "{}",
        stderr(&o)
    );
    let o = env.bare(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("Usage") || stdout(&o).contains("sobes"),
        "{}",
        stdout(&o)
    );
}

/// clap's own words are said in Russian: help of every command, and a command line that is
/// not UTF-8.
#[test]
fn help_and_command_line_errors_are_russian() {
    let env = Env::new();
    for cmd in [
        &[][..],
        &["set"],
        &["decide"],
        &["sync"],
        &["campaign", "set"],
        &["new"],
        &["resolve"],
        &["export"],
        &["log"],
    ] {
        let o = env.bare(&[cmd, &["--help"]].concat());
        assert!(o.status.success());
        let help = stdout(&o);
        assert!(
            help.contains("Использование:") && help.contains("Показать справку"),
            "{help}"
        );
        for english in [
            "Usage:",
            "Options:",
            "Commands:",
            "Arguments:",
            "Print help",
            "[OPTIONS]",
            "<NAME>",
            "<FILE>",
            "<DIR>",
            "<VALUE>",
        ] {
            assert!(!help.contains(english), "«{english}» in {cmd:?}: {help}");
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let o = env
            .command()
            .arg("resolve")
            .arg(std::ffi::OsStr::from_bytes(b"\xff\xfe"))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains("не в кодировке UTF-8"),
            "{}",
            stderr(&o)
        );
    }
}

/// The human log names municipalities and fields in words; the TSV keeps the ids in their
/// columns and adds the names after them. A document saved in the campaign folder is none of
/// the history's business: `check` does not warn about it.
#[test]
fn the_log_speaks_russian_and_check_ignores_stray_documents() {
    let env = Env::new();
    assert!(env.set("Агаповский", "host_bases", "yes").status.success());
    let log = stdout(&env.run(&["log"]));
    assert!(
        log.contains("Агаповский МР · ответ «")
            && !log.contains("agapovsky-mr")
            && !log.contains("host_bases"),
        "{log}"
    );
    let tsv = stdout(&env.run(&["log", "--tsv"]));
    let row: Vec<&str> = tsv.lines().last().unwrap().split('\t').collect();
    assert_eq!((row[3], row[4]), ("agapovsky-mr", "host_bases"), "{tsv}");
    assert_eq!(row[8], "Агаповский МР", "{tsv}");
    std::fs::write(env.dir.join("приложение.docx"), b"PK").unwrap();
    let check = stdout(&env.run(&["check"]));
    assert!(!check.contains("приложение.docx"), "{check}");
}
