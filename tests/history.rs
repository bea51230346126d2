//! Every saved change is a commit in the campaign's own history (libgit2, no git program):
//! author the reviewer with the device, the change in Russian and in RON; what a killed
//! writer left is committed next time; an older campaign is put under history as it is.

mod common;
use common::{Env, stderr};
use git2::Repository;

/// (author name, author email, message) of every commit, newest first.
fn log(dir: &std::path::Path) -> Vec<(String, String, String)> {
    let repo = Repository::open(dir).expect("the campaign has a history");
    let mut walk = repo.revwalk().unwrap();
    walk.push_head().unwrap();
    walk.map(|oid| {
        let c = repo.find_commit(oid.unwrap()).unwrap();
        let a = c.author();
        (
            a.name().unwrap_or("").to_string(),
            a.email().unwrap_or("").to_string(),
            c.message().unwrap_or("").to_string(),
        )
    })
    .collect()
}

#[test]
fn every_saved_change_is_a_commit_that_says_what_changed() {
    let env = Env::new();
    // No git program needed: nothing on PATH.
    let set = |value: &str| {
        env.command()
            .env("PATH", "")
            .args([
                "--campaign",
                env.dir.to_str().unwrap(),
                "--as",
                "Анна",
                "set",
            ])
            .args([
                "--municipality",
                "Уйский",
                "--question",
                "methodists",
                "--value",
                value,
            ])
            .output()
            .unwrap()
    };
    let o = set("3");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(set("4").status.success());
    let log = log(&env.dir);
    assert_eq!(log.len(), 3, "{log:?}");
    let (name, email, message) = &log[0];
    assert_eq!(name, "Анна");
    assert!(
        email.ends_with("@sobes") && email.len() > 7,
        "the device: {email}"
    );
    assert!(
        message.starts_with("Уйский МР: «Сколько человек выполняют работу методистов?» = 4"),
        "{message}"
    );
    assert!(
        message.contains("before: Some(Number(3))") && message.contains("after: Some(Number(4))"),
        "{message}"
    );
    assert!(
        log[2].2.starts_with("Кампания поставлена под историю"),
        "{}",
        log[2].2
    );
    // The same device on every commit of this computer.
    assert_eq!(log[1].1, *email);
}

#[test]
fn a_change_written_but_not_committed_is_committed_next_time() {
    let env = Env::new();
    assert!(env.set("Уйский", "methodists", "3").status.success());
    // A writer killed after its rename and before its commit: the file is there, the commit
    // is not. A stale git lock file from a killed commit is there too.
    let file = env.record_file("uysky-mr");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Number(3)", "Number(7)");
    std::fs::write(&file, text).unwrap();
    std::fs::write(env.dir.join(".git/index.lock"), b"").unwrap();
    let o = env.set("Ашинский", "methodists", "2");
    assert!(o.status.success(), "{}", stderr(&o));
    let log = log(&env.dir);
    assert!(log[0].2.starts_with("Ашинский МР:"), "{}", log[0].2);
    assert!(
        log[1]
            .2
            .starts_with("Изменения без записи в истории: municipalities/uysky-mr.ron"),
        "{}",
        log[1].2
    );
}

#[test]
fn a_campaign_without_history_gets_one_keeping_its_files() {
    let env = Env::new();
    assert!(env.set("Уйский", "methodists", "3").status.success());
    // As an older sobes left it: no history at all.
    std::fs::remove_dir_all(env.dir.join(".git")).unwrap();
    let before = std::fs::read_to_string(env.record_file("uysky-mr")).unwrap();
    assert!(env.set("Ашинский", "methodists", "2").status.success());
    let log = log(&env.dir);
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log[1].2.starts_with("Кампания поставлена под историю"));
    let repo = Repository::open(&env.dir).unwrap();
    let first = repo
        .find_commit(
            repo.head()
                .unwrap()
                .peel_to_commit()
                .unwrap()
                .parent_id(0)
                .unwrap(),
        )
        .unwrap();
    let blob = first
        .tree()
        .unwrap()
        .get_path(std::path::Path::new("municipalities/uysky-mr.ron"))
        .unwrap()
        .to_object(&repo)
        .unwrap()
        .peel_to_blob()
        .unwrap();
    assert_eq!(
        std::str::from_utf8(blob.content()).unwrap(),
        before,
        "the file as it was"
    );
}

#[test]
fn check_names_a_file_the_history_does_not_tell() {
    let env = Env::new();
    assert!(env.set("Уйский", "methodists", "3").status.success());
    assert!(env.set("Ашинский", "methodists", "3").status.success());
    let quiet = common::stdout(&env.run(&["check"]));
    assert!(!quiet.contains("история:"), "{quiet}");
    let file = env.record_file("uysky-mr");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Number(3)", "Number(8)");
    std::fs::write(&file, text).unwrap();
    let said = common::stdout(&env.run(&["check"]));
    assert!(
        said.contains("история: municipalities/uysky-mr.ron отличается"),
        "{said}"
    );
    assert!(!said.contains("ashinsky"), "{said}");
}
