//! The figures measured beside the TUI's: memory, commits, sync, log, monitoring,
//! compare and agreement.

use super::*;

pub(crate) fn peak_rss_mb(case: &Case) -> f64 {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sobes"));
    cmd.args(["status", "--tsv", "--campaign"]).arg(&case.dir);
    if let Some(r) = &case.overrides.registry {
        cmd.arg("--registry").arg(r);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The largest resident set among the children waited for so far: each case's status run
    // is measured after the smaller one, so the maximum is this run's.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss as f64 / 1024.0
}

/// Saving one answer with its commit, as every save is, in both campaigns by turns: the
/// disk's state (a file system slows down as files are made and removed) is then the same
/// for both medians the budget compares.
pub(crate) fn measure_commits(cases: &[Case]) -> Vec<f64> {
    struct Side {
        dir: PathBuf,
        data: DataSet,
        history: History,
        id: String,
        times: Vec<f64>,
    }
    let mut sides: Vec<Side> = cases
        .iter()
        .map(|case| {
            let data = DataSet::load(&case.overrides, Some(&case.dir)).unwrap();
            let history = History::open(&case.dir, "bench").unwrap();
            history.commit_pending("bench").unwrap();
            let id = data.registry.municipalities[0].id.clone();
            Side {
                dir: case.dir.clone(),
                data,
                history,
                id,
                times: Vec::new(),
            }
        })
        .collect();
    // What the benchmark wrote before (syncs of 2,500 records, copies) is flushed first: a
    // save's fsync otherwise waits behind the disk writing back megabytes it did not write.
    unsafe { libc::sync() };
    for n in 0..60i64 {
        for side in &mut sides {
            let started = Instant::now();
            let record = storage::read_record(&side.dir, &side.id).unwrap().unwrap();
            let stamp = Stamp {
                by: "Бенчмарк".into(),
                at: format!("2026-09-14T10:{:02}:{:02}Z", n / 60 % 60, n % 60),
            };
            let value = Value::Number(n % 7 + 10);
            let change = Change::answer(&record, "methodists", Some(value), &stamp);
            let (p, d) = (&side.data.protocol, &side.data.dimensions);
            let record = apply(&record, &change, p, d).unwrap();
            let files = storage::save_record(&side.dir, &record).unwrap();
            side.history
                .commit_changes(&side.data, &side.id, &[change], &files)
                .unwrap();
            side.times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    sides
        .into_iter()
        .map(|mut side| {
            side.times.sort_by(f64::total_cmp);
            side.times[side.times.len() / 2]
        })
        .collect()
}

/// Two laptops with the campaign, each changing a different half of the municipalities, then
/// one syncs with what the other pushed: fetch, merge record by record, push. The median of a
/// few rounds.
pub(crate) fn measure_sync(case: &Case, data: &DataSet, scratch: &Path) -> f64 {
    let root = scratch.join(format!("sync-{}", case.label));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    two_laptops(case, data, &root, &root.join("hub"))
}

/// [`measure_sync`] through `hub`: a folder, or a server's address (an empty repository).
pub(crate) fn two_laptops(case: &Case, data: &DataSet, root: &Path, hub: &Path) -> f64 {
    let hub = hub.to_path_buf();
    let a = History::open(&case.dir, "a").unwrap();
    a.commit_pending("a").unwrap();
    let new_hub = sobes::sync::Hub {
        folder: &hub,
        create: true,
    };
    sobes::sync::sync(&a, &case.dir, &new_hub, data).unwrap();
    let existing = sobes::sync::Hub {
        folder: &hub,
        create: false,
    };
    let b_dir = root.join("b");
    let _ = std::fs::remove_dir_all(&b_dir);
    std::fs::create_dir_all(&b_dir).unwrap();
    let b = History::open(&b_dir, "b").unwrap();
    sobes::sync::join(&b, &b_dir, &hub, data).unwrap();
    let ids: Vec<String> = data
        .registry
        .municipalities
        .iter()
        .map(|m| m.id.clone())
        .collect();
    let half = ids.len() / 2;
    let mut times = Vec::new();
    for round in 0..3i64 {
        let edit = |dir: &Path, history: &History, part: &[String], who: &str| {
            for (k, id) in part.iter().enumerate() {
                let record = storage::read_record(dir, id)
                    .unwrap()
                    .unwrap_or_else(|| Record::new(id));
                let stamp = Stamp {
                    by: who.into(),
                    at: format!("2026-09-15T1{round}:{:02}:{:02}Z", k / 60 % 60, k % 60),
                };
                let c = Change::note(&record, "methodists", &format!("{who} {round}"), &stamp);
                let record = apply(&record, &c, &data.protocol, &data.dimensions).unwrap();
                storage::save_record(dir, &record).unwrap();
            }
            history.commit_pending(who).unwrap();
        };
        edit(&case.dir, &a, &ids[..half], "a");
        edit(&b_dir, &b, &ids[half..], "b");
        sobes::sync::sync(&b, &b_dir, &existing, data).unwrap();
        let t = Instant::now();
        sobes::sync::sync(&a, &case.dir, &existing, data).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// `sobes log` of one answer after 2,000 commits: the history read and filtered as the
/// command does. The commits are made as a day in the TUI makes them, through one handle.
pub(crate) fn measure_log(case: &Case, scratch: &Path) -> f64 {
    let dir = scratch.join("log-2000");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = DataSet::load(&case.overrides, None).unwrap();
    storage::create(&dir, &sobes::session::new_meta(&data, None)).unwrap();
    let history = History::open(&dir, "log").unwrap();
    history.commit_pending("log").unwrap();
    let ids: Vec<String> = data
        .registry
        .municipalities
        .iter()
        .map(|m| m.id.clone())
        .collect();
    for n in 0..2000i64 {
        let id = &ids[n as usize % ids.len()];
        let record = storage::read_record(&dir, id)
            .unwrap()
            .unwrap_or_else(|| Record::new(id));
        let stamp = Stamp {
            by: "Бенчмарк".into(),
            at: format!(
                "2026-09-16T{:02}:{:02}:{:02}Z",
                n / 3600 % 24,
                n / 60 % 60,
                n % 60
            ),
        };
        let c = Change::answer(&record, "methodists", Some(Value::Number(n % 400)), &stamp);
        let record = apply(&record, &c, &data.protocol, &data.dimensions).unwrap();
        let files = storage::save_record(&dir, &record).unwrap();
        history.commit_changes(&data, id, &[c], &files).unwrap();
    }
    let (med, _) = measure(5, || {
        let h = History::read(&dir).unwrap().unwrap();
        let rows = h
            .entries_about(Some(&ids[0]))
            .unwrap()
            .into_iter()
            .flat_map(|e| e.changes)
            .filter(|c| c.municipality == ids[0])
            .count();
        std::hint::black_box(rows);
    });
    med
}

/// Naming the laptops, read from the newest commits of each branch when the TUI starts and
/// after each sync: twenty laptops' branches over the history of 2,000 commits
/// [`measure_log`] made.
pub(crate) fn measure_device_names(scratch: &Path) -> f64 {
    let dir = scratch.join("log-2000");
    let history = History::open(&dir, "names").unwrap();
    let head = history.repo.head().unwrap().target().unwrap();
    for i in 0..20 {
        let name = format!("refs/hub/laptop-{i:02}");
        history.repo.reference(&name, head, true, "bench").unwrap();
    }
    let (med, _) = measure(5, || {
        std::hint::black_box(history.device_names());
    });
    med
}

/// The levels table over the 2,500 campaign with every indicator scored; and the import of
/// a 2,500-row XLSX through the real binary (reading, resolving every name, checking every
/// cell, writing the table of points and one commit), into a copy of the campaign.
pub(crate) fn measure_monitoring(case: &Case, scratch: &Path) -> (f64, f64) {
    let data = DataSet::load(&case.overrides, Some(&case.dir)).unwrap();
    let mut campaign = storage::load(&case.dir, &data.registry).unwrap();
    let indicators: Vec<(String, i64)> = data
        .monitoring
        .indicators()
        .map(|(_, i)| (i.id.clone(), i.max))
        .collect();
    let score = |n: usize, k: usize, max: i64| ((n + k) as i64) % (max + 1);
    for (n, m) in data.registry.municipalities.iter().enumerate() {
        let record = campaign.record_mut(&m.id);
        for (k, (id, max)) in indicators.iter().enumerate() {
            record.scores.insert(
                id.clone(),
                sobes::model::campaign::Score {
                    value: score(n, k, *max),
                    by: "Бенчмарк".into(),
                    at: "2026-05-01T10:00:00Z".into(),
                },
            );
        }
    }
    let (levels, _) = measure(15, || {
        let text = sobes::cli::monitoring::levels_report(&data, &campaign, false);
        std::hint::black_box(text.len());
    });
    // The same campaign each round, a sheet with other points each time, so every round
    // changes all 2,500 rows; the first round also takes in what the copy left pending.
    let copy = scratch.join("import");
    let _ = std::fs::remove_dir_all(&copy);
    copy_dir(&case.dir, &copy);
    let mut times = Vec::new();
    for round in 0..4 {
        let sheet = scratch.join(format!("monitoring-{round}.xlsx"));
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "Муниципалитет").unwrap();
        for (k, (id, _)) in indicators.iter().enumerate() {
            ws.write_string(0, k as u16 + 1, id).unwrap();
        }
        for (n, m) in data.registry.municipalities.iter().enumerate() {
            let r = n as u32 + 1;
            ws.write_string(r, 0, &m.name).unwrap();
            for (k, (_, max)) in indicators.iter().enumerate() {
                ws.write_number(r, k as u16 + 1, score(n + round, k, *max) as f64)
                    .unwrap();
            }
        }
        wb.save(&sheet).unwrap();
        let started = Instant::now();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_sobes"))
            .env("SOBES_HOME", scratch.join("import-home"))
            .arg("--campaign")
            .arg(&copy)
            .args(["--as", "Бенчмарк", "import-monitoring"])
            .arg(&sheet)
            .output()
            .unwrap();
        if round > 0 {
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    times.sort_by(f64::total_cmp);
    (levels, times[1])
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

/// Last year beside this year over the 2,500 campaign: last year's is this one with every
/// seventh municipality's clusters moved.
pub(crate) fn measure_compare(case: &Case) -> f64 {
    let data = DataSet::load(&case.overrides, Some(&case.dir)).unwrap();
    let now = storage::load(&case.dir, &data.registry).unwrap();
    let mut before = now.clone();
    for (i, record) in before.records.values_mut().enumerate() {
        if i % 7 == 0 {
            for d in record.decisions.values_mut() {
                d.cluster = d.cluster % 3 + 1;
            }
        }
    }
    let before = sobes::model::campaign::LastYear::of(&before, &data.monitoring, &data.protocol);
    let ids = data.registry.ids();
    let (med, _) = measure(15, || {
        let c = sobes::model::compare::compare(
            &before,
            &now,
            &ids,
            &data.dimensions,
            (&data.monitoring, &data.protocol),
        );
        assert!(c.rows.iter().any(|r| r.changed()));
    });
    med
}

/// Agreement over the 2,500 campaign with five reviewers rating every dimension of every
/// municipality (a deterministic spread of clusters, a third of them disagreeing).
pub(crate) fn measure_agreement(case: &Case) -> (f64, f64) {
    let data = DataSet::load(&case.overrides, Some(&case.dir)).unwrap();
    let mut campaign = storage::load(&case.dir, &data.registry).unwrap();
    let reviewers = ["Анна", "Борис", "Вера", "Глеб", "Дина"];
    campaign.meta.reviewers = reviewers.iter().map(|r| r.to_string()).collect();
    for (i, m) in data.registry.municipalities.iter().enumerate() {
        let record = campaign.record_mut(&m.id);
        for (k, d) in data.dimensions.0.iter().enumerate() {
            for (j, who) in reviewers.iter().enumerate() {
                let cluster = if (i + k) % 3 == 0 {
                    ((i + j) % 3 + 1) as u8
                } else {
                    ((i + k) % 3 + 1) as u8
                };
                record.ratings.entry(d.id.clone()).or_default().insert(
                    who.to_string(),
                    sobes::model::campaign::Decision {
                        cluster,
                        suggested: None,
                        reason: None,
                        by: who.to_string(),
                        at: "2026-09-14T10:00:00Z".into(),
                    },
                );
            }
        }
    }
    let ids = data.registry.ids();
    let (agree, _) = measure(15, || {
        let a = sobes::model::agreement::agree(&campaign, &ids, &data.dimensions);
        assert_eq!(a.dimensions.len(), data.dimensions.0.len());
    });
    let (departures, _) = measure(15, || {
        let d =
            sobes::model::agreement::departures(&campaign, &ids, &data.dimensions, &data.protocol);
        assert_eq!(d.len(), data.dimensions.0.len());
    });
    (agree, departures)
}
