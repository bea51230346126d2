//! Crash safety under SIGKILL and one writer per campaign.

use super::*;

/// A small xorshift generator; the seed is printed so a failure can be replayed with
/// SOBES_TEST_SEED.
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let seed = std::env::var("SOBES_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("seed: SOBES_TEST_SEED={seed}");
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

// ---- crash safety -------------------------------------------------------------------------

#[test]
fn sigkill_during_set_loses_no_answer_that_was_confirmed() {
    let env = Env::new();
    let municipalities = [
        ("Уйский", "uysky-mr"),
        ("Каслинский", "kaslinsky-mr"),
        ("Агаповский", "agapovsky-mr"),
    ];
    let questions = ["other_proposals", "reserves_detail", "active_changes"];
    let keys: Vec<(&str, &str, &str)> = municipalities
        .iter()
        .flat_map(|(name, id)| questions.iter().map(move |q| (*name, *id, *q)))
        .collect();
    let spawn = |key: (&str, &str, &str), value: &str| {
        env.command()
            .arg("--campaign")
            .arg(&env.dir)
            .args(["--as", "Тест", "set", "--municipality", key.0])
            .args(["--question", key.2, "--value", value])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // How long an uninterrupted `set` takes, so kills land all over its run.
    let mut times = Vec::new();
    for (i, key) in keys.iter().take(5).enumerate() {
        let t = Instant::now();
        let o = env.set(key.0, key.2, &format!("разогрев {i}"));
        assert!(o.status.success(), "{}", stderr(&o));
        times.push(t.elapsed());
    }
    times.sort();
    let window = (times[2].as_micros() as u64 * 13 / 10).max(2_000);

    let mut rng = Rng::seeded();
    let mut attempts: Vec<usize> = Vec::new(); // attempt number → key index
    let mut last_success: BTreeMap<usize, usize> = BTreeMap::new(); // key → attempt
    let (mut kills, mut successes) = (0, 0);
    let started = Instant::now();
    while (kills < 200 || attempts.len() < 300) && attempts.len() < 3000 {
        let n = attempts.len();
        let k = rng.below(keys.len() as u64) as usize;
        attempts.push(k);
        let mut child = spawn(keys[k], &format!("попытка {n}"));
        std::thread::sleep(Duration::from_micros(rng.below(window)));
        let _ = child.kill(); // SIGKILL on unix
        let status = child.wait().unwrap();
        if status.success() {
            successes += 1;
            last_success.insert(k, n);
        } else if status.signal() == Some(9) {
            kills += 1;
        } else {
            let o = env.set(keys[k].0, keys[k].2, "проверка");
            panic!(
                "set failed without being killed ({status:?}); a rerun says: {}",
                stderr(&o)
            );
        }
    }
    eprintln!(
        "{} attempts, {kills} killed, {successes} succeeded, window {window} µs, {:?}",
        attempts.len(),
        started.elapsed()
    );
    assert!(
        kills >= 200,
        "only {kills} kills in {} attempts",
        attempts.len()
    );
    assert!(
        successes > 0,
        "no set ever finished: the window is too short"
    );

    // Every file parses, `check` passes.
    let campaign = env.load();
    let o = env.run(&["check"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("ошибок нет"), "{}", stdout(&o));
    // Every confirmed set is on disk, or a later attempt on the same answer replaced it.
    for (k, key) in keys.iter().enumerate() {
        let value = campaign.records[key.1].answers.value(key.2);
        let Some(&confirmed) = last_success.get(&k) else {
            continue;
        };
        let Some(Value::Text(text)) = value else {
            panic!(
                "{}/{}: confirmed attempt {confirmed} is lost: {value:?}",
                key.1, key.2
            );
        };
        let n: usize = text
            .strip_prefix("попытка ")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{}/{}: unexpected value {text}", key.1, key.2));
        assert_eq!(attempts[n], k, "{text} was an attempt on another answer");
        assert!(
            n >= confirmed,
            "{}/{}: confirmed attempt {confirmed} lost, disk has the older {n}",
            key.1,
            key.2
        );
    }
    // The backups beside the files are whole previous versions.
    for e in std::fs::read_dir(env.dir.join("municipalities")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "bak") {
            let text = std::fs::read_to_string(&p).unwrap();
            parse_ron::<Record>(&text, &Origin::from(p.as_path()))
                .unwrap_or_else(|e| panic!("backup damaged: {e}"));
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }
}

// ---- one writer ----------------------------------------------------------------------------

#[test]
fn a_second_writer_is_refused_naming_the_holder_readers_still_work() {
    let env = Env::new();
    assert!(env.set("Уйский", "licence", "yes").status.success());
    let before = snapshot(&env.dir);
    let lock = storage::Lock::acquire(&env.dir).unwrap();
    let holder = format!("процесс {} на {} с ", std::process::id(), hostname());

    let o = env.set("Уйский", "licence", "no");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(&holder), "{err}");
    assert!(err.contains("кампанию уже открыл другой sobes"), "{err}");
    // «с 24.11.2026 08:49»: since when, in local time.
    let since = err.split(&holder).nth(1).unwrap();
    let date: Vec<char> = since.chars().take(16).collect();
    assert!(
        date[2] == '.' && date[5] == '.' && date[10] == ' ' && date[13] == ':',
        "{err}"
    );

    let o = env.run(&[
        "--as",
        "Тест",
        "decide",
        "--municipality",
        "Уйский",
        "--dimension",
        "training",
        "--cluster",
        "1",
        "--reason",
        "так решили",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(&holder), "{}", stderr(&o));

    // The TUI is refused before it touches the terminal.
    let o = env.run(&["--as", "Тест"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(&holder), "{}", stderr(&o));
    assert!(
        o.stdout.is_empty(),
        "the terminal was touched: {:?}",
        stdout(&o)
    );

    // Readers do not need the lock.
    let o = env.run(&["status", "--tsv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("uysky-mr"));
    let o = env.run(&["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(snapshot(&env.dir), before, "a refused writer changed files");

    drop(lock);
    let o = env.set("Уйский", "licence", "no");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        env.load().records["uysky-mr"].answers.value("licence"),
        Some(&Value::Bool(false))
    );
}

#[test]
fn a_lock_held_by_another_process_blocks_until_it_dies_and_a_stale_file_never_blocks() {
    let env = Env::new();
    let lock_file = env.dir.join(storage::LOCK_FILE);
    std::fs::write(
        &lock_file,
        "процесс 4194303 на другой-ноутбук с 2022-09-14T10:00:00Z",
    )
    .unwrap();
    // A stale lock file from a dead process does not block.
    let o = env.set("Уйский", "licence", "yes");
    assert!(o.status.success(), "{}", stderr(&o));

    // Another process (flock(1), the same flock(2) lock sobes takes) holds it.
    if Command::new("flock").arg("--version").output().is_err() {
        eprintln!("flock(1) is not installed: the two-process half of this test is skipped");
        return;
    }
    std::fs::write(
        &lock_file,
        "процесс 777 на соседний-ноутбук с 2022-09-14T10:00:00Z",
    )
    .unwrap();
    let mut holder = Command::new("flock")
        .args(["--exclusive", "--no-fork"])
        .arg(&lock_file)
        .args(["sleep", "60"])
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let o = env.set("Уйский", "licence", "no");
        if !o.status.success() {
            assert!(
                stderr(&o).contains("процесс 777 на соседний-ноутбук с 2022-09-14T10:00:00Z"),
                "{}",
                stderr(&o)
            );
            break;
        }
        assert!(Instant::now() < deadline, "flock never took the lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    holder.kill().unwrap();
    holder.wait().unwrap();
    let o = env.set("Уйский", "licence", "no");
    assert!(o.status.success(), "{}", stderr(&o));
}
