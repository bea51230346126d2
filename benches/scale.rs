//! `cargo bench --bench scale`: the real code paths on the real 43 municipalities and on a
//! synthetic registry of 2,500, against the budgets of the performance issue.
//! Prints `name\tvalue\tunit\tbudget\tok|over` per figure and writes target/sobes-bench.tsv.
//! Budgets apply to medians, except key → frame, whose budget is for the p99; lines starting
//! with `#` are measured context (p99 of the median figures, the whole-campaign load).
//! SOBES_BENCH_KEEP=DIR leaves the synthetic campaign (with its registry.ron) in DIR.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sobes::data::{DataSet, Overrides};
use sobes::history::History;
use sobes::model::campaign::{Record, Value};
use sobes::model::change::{Change, Stamp, apply};
use sobes::model::protocol::Kind;
use sobes::storage;
use sobes::tui::app::App;
use sobes::tui::keymap::Keymap;
use sobes::tui::view;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn clock() -> String {
    "2026-09-14T10:00:00Z".into()
}

const PREFIXES: &[&str] = &[
    "Бел",
    "Вер",
    "Гор",
    "Дол",
    "Ель",
    "Жел",
    "Зар",
    "Кам",
    "Лес",
    "Мал",
    "Нов",
    "Озёр",
    "Пес",
    "Рад",
    "Сос",
    "Тал",
    "Ус",
    "Хол",
    "Чер",
    "Шир",
    "Юж",
    "Яр",
    "Бор",
    "Вол",
    "Глин",
    "Дуб",
    "Зел",
    "Кар",
    "Лип",
    "Мох",
    "Ник",
    "Ольх",
    "Пол",
    "Руд",
    "Сев",
    "Тих",
    "Ураль",
    "Чист",
    "Щук",
    "Берёз",
    "Вишн",
    "Гран",
    "Заг",
    "Клён",
    "Луг",
    "Мир",
    "Над",
    "Орл",
    "Прав",
    "Ряб",
];
const ROOTS: &[&str] = &[
    "ов",
    "ин",
    "ен",
    "ан",
    "огор",
    "оречен",
    "опол",
    "ополь",
    "оград",
    "озер",
    "оключ",
    "окамен",
    "олес",
    "оярск",
    "ополян",
    "овод",
    "обор",
    "олуг",
    "оскал",
    "одол",
    "окут",
    "ослав",
    "оруч",
    "омост",
    "оборск",
    "овраж",
    "осел",
    "оклин",
    "ород",
    "овет",
    "омыс",
    "оньев",
    "отрав",
    "оцвет",
    "озим",
    "олет",
    "орос",
    "оснеж",
    "отуман",
    "одуб",
    "ожар",
    "огрив",
    "оцарск",
    "оштат",
    "олуч",
    "орыб",
    "опесч",
    "отрост",
    "оверш",
    "охолм",
];

/// A deterministic registry of `n` municipalities with shared stems (ГО and МР of one stem).
fn synthetic_registry(n: usize) -> String {
    let mut out = String::from(
        "Registry(\n    region: \"Синтетическая страна\",\n    kinds: [\"ГО\", \"МР\", \"МО\"],\n    municipalities: [\n",
    );
    let mut made = 0;
    let mut k = 0;
    while made < n {
        let stem = format!(
            "{}{}ский",
            PREFIXES[k % PREFIXES.len()],
            ROOTS[(k / PREFIXES.len()) % ROOTS.len()]
        );
        let genitive = format!("{}ого", stem.trim_end_matches("ий"));
        let kinds: &[(&str, &str)] = if k % 12 == 0 {
            &[("ГО", "go"), ("МР", "mr")]
        } else if k % 5 == 0 {
            &[("МО", "mo")]
        } else {
            &[("МР", "mr")]
        };
        for (kind, tag) in kinds {
            if made == n {
                break;
            }
            out.push_str(&format!(
                "        (id: \"m{k:05}-{tag}\", name: \"{stem} {kind}\", kind: \"{kind}\", genitive: \"{genitive} {kind}\"),\n"
            ));
            made += 1;
        }
        k += 1;
    }
    out.push_str("    ],\n)\n");
    out
}

/// A campaign with every visible question answered and every cluster decided.
fn fill_campaign(dir: &Path, data: &DataSet) {
    storage::create(
        dir,
        &sobes::session::new_meta(data, Some("Бенчмарк".into())),
    )
    .unwrap();
    let stamp = Stamp {
        by: "Бенчмарк".into(),
        at: clock(),
    };
    for (i, m) in data.registry.municipalities.iter().enumerate() {
        let mut record = sobes::model::campaign::Record::new(&m.id);
        for (_, q) in data.protocol.questions() {
            if !data.protocol.is_visible(q, &record.answers) {
                continue;
            }
            let pick = i % 3;
            let value = match &q.kind {
                Kind::YesNo => Value::Bool(pick != 1),
                Kind::SingleChoice(o) => Value::Choice(o[pick % o.len()].id.clone()),
                Kind::MultipleChoice(o) => Value::Choices(
                    o.iter()
                        .filter(|c| !c.exclusive)
                        .take(1 + pick)
                        .map(|c| c.id.clone())
                        .collect(),
                ),
                Kind::Number { min, max } => Value::Number((min + 3).min(*max)),
                Kind::Text => Value::Text(format!("Ответ {i} на вопрос {}", q.id)),
            };
            let mut changes = vec![Change::answer(&record, &q.id, Some(value), &stamp)];
            if i % 7 == 0 {
                changes.push(Change::note(&record, &q.id, "заметка комиссии", &stamp));
            }
            for c in changes {
                record = apply(&record, &c, &data.protocol, &data.dimensions).unwrap();
            }
        }
        for d in &data.dimensions.0 {
            let c = d.suggested_cluster(&record.answers).unwrap_or(1);
            let change = Change::decision(&record, &d.id, Some(c), Some("по справке"), &stamp);
            record = apply(&record, &change, &data.protocol, &data.dimensions).unwrap();
        }
        storage::save_record(dir, &record).unwrap();
    }
}

struct Case {
    label: &'static str,
    dir: PathBuf,
    overrides: Overrides,
}

/// What `sobes` does before its first frame: data files, the campaign as the TUI loads it
/// (a large one: the first screenful now, the rest in the background), the app, one draw.
fn first_frame(case: &Case) -> (App, Terminal<TestBackend>) {
    let data = DataSet::load(&case.overrides, Some(&case.dir)).unwrap();
    let (campaign, loading) = sobes::tui::load_for_tui(&case.dir, &data.registry).unwrap();
    let mut app = App::new(
        data,
        campaign,
        Keymap::builtin("default").unwrap(),
        Some("Бенчмарк".into()),
        clock,
        case.dir.clone(),
    );
    if let Some(rx) = loading {
        app.start_loading(rx);
    }
    let mut t = Terminal::new(TestBackend::new(200, 60)).unwrap();
    t.draw(|f| view::draw(f, &mut app)).unwrap();
    (app, t)
}

/// The first frame, then every record in memory.
fn load_app(case: &Case) -> (App, Terminal<TestBackend>) {
    let (mut app, t) = first_frame(case);
    app.finish_loading();
    assert!(app.ctx.fatal.is_none());
    (app, t)
}

/// Median and p99 of the first frame; the background loading of each run is joined outside
/// the timing so that runs do not overlap.
fn measure_first_frame(case: &Case, reps: usize) -> (f64, f64) {
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            let (mut app, _) = first_frame(case);
            let elapsed = t.elapsed();
            app.finish_loading();
            elapsed
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p99 = times[((reps as f64 * 0.99).ceil() as usize).min(reps) - 1];
    (ms(times[reps / 2]), ms(p99))
}

/// Median and p99 of `reps` runs of `f`, in milliseconds.
fn measure(reps: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p99 = times[((reps as f64 * 0.99).ceil() as usize).min(reps) - 1];
    (ms(times[reps / 2]), ms(p99))
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

struct Report {
    rows: Vec<String>,
}

impl Report {
    /// A measured figure without a budget of its own (the budget applies to the median, or
    /// it is context), printed as a comment line.
    fn info(&mut self, name: &str, value: f64, unit: &str) {
        let line = format!("# {name}\t{value:.3}\t{unit}");
        println!("{line}");
        self.rows.push(line);
    }

    fn add(&mut self, name: &str, value: f64, unit: &str, budget: f64) {
        let ok = if value < budget { "ok" } else { "over" };
        let budget = if budget.is_infinite() {
            "-".to_string()
        } else if budget.fract() == 0.0 {
            format!("{budget:.0}")
        } else {
            format!("{budget:.3}")
        };
        let line = format!("{name}\t{value:.3}\t{unit}\t{budget}\t{ok}");
        println!("{line}");
        self.rows.push(line);
    }
}

fn peak_rss_mb(case: &Case) -> f64 {
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
fn measure_commits(cases: &[Case]) -> Vec<f64> {
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
fn measure_sync(case: &Case, data: &DataSet, scratch: &Path) -> f64 {
    let root = scratch.join(format!("sync-{}", case.label));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let hub = root.join("hub");
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
fn measure_log(case: &Case, scratch: &Path) -> f64 {
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

/// The levels table over the 2,500 campaign with every indicator scored; and the import of
/// a 2,500-row XLSX through the real binary (reading, resolving every name, checking every
/// cell, writing the table of points and one commit), into a copy of the campaign.
fn measure_monitoring(case: &Case, scratch: &Path) -> (f64, f64) {
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
fn measure_compare(case: &Case) -> f64 {
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
fn measure_agreement(case: &Case) -> (f64, f64) {
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

fn main() {
    let started = Instant::now();
    let scratch = tempfile::tempdir().unwrap();
    let base = DataSet::load(&Overrides::default(), None).unwrap();

    let small_dir = scratch.path().join("c43");
    fill_campaign(&small_dir, &base);
    let big_dir = match std::env::var_os("SOBES_BENCH_KEEP") {
        Some(d) => PathBuf::from(d),
        None => scratch.path().join("c2500"),
    };
    if big_dir.exists() {
        std::fs::remove_dir_all(&big_dir).unwrap();
    }
    std::fs::create_dir_all(&big_dir).unwrap();
    let registry_file = big_dir.join("registry.ron.src");
    std::fs::write(&registry_file, synthetic_registry(2500)).unwrap();
    let big_overrides = Overrides {
        registry: Some(registry_file.clone()),
        ..Overrides::default()
    };
    let big_data = DataSet::load(&big_overrides, None).unwrap();
    assert_eq!(big_data.registry.len(), 2500);
    let campaign_dir = big_dir.join("campaign");
    fill_campaign(&campaign_dir, &big_data);
    // The campaign carries its registry, as a campaign of another region would.
    std::fs::copy(&registry_file, campaign_dir.join("registry.ron")).unwrap();

    let cases = [
        Case {
            label: "43",
            dir: small_dir,
            overrides: Overrides::default(),
        },
        Case {
            label: "2500",
            dir: campaign_dir,
            overrides: Overrides::default(),
        },
    ];
    let mut report = Report { rows: Vec::new() };
    let mut save_medians = Vec::new();
    for case in &cases {
        let big = case.label == "2500";
        let l = case.label;
        let (load_med, load_p99) = measure_first_frame(case, if big { 15 } else { 50 });
        report.add(
            &format!("load_first_frame_{l}_median"),
            load_med,
            "ms",
            if big { 150.0 } else { 20.0 },
        );
        report.info(&format!("load_first_frame_{l}_p99"), load_p99, "ms");

        let (all_med, _) = measure(if big { 5 } else { 20 }, || {
            load_app(case);
        });
        // Not a budget figure: when the last record of a large campaign is in memory.
        report.info(&format!("load_whole_campaign_{l}_median"), all_med, "ms");

        let key_budget = if big { 8.0 } else { 1.0 };
        let (mut app, mut term) = load_app(case);
        let mut down = 0;
        let (_, p99) = measure(400, || {
            down += 1;
            let code = if down % 100 < 50 {
                KeyCode::Down
            } else {
                KeyCode::Up
            };
            app.handle_key(key(code));
            term.draw(|f| view::draw(f, &mut app)).unwrap();
        });
        report.add(&format!("key_frame_move_{l}_p99"), p99, "ms", key_budget);

        app.handle_key(key(KeyCode::Char('/')));
        let letters: Vec<char> = "черсмакотнил".chars().collect();
        let mut n = 0;
        let (_, p99) = measure(400, || {
            n += 1;
            if n % 4 == 0 {
                app.handle_key(key(KeyCode::Backspace));
                app.handle_key(key(KeyCode::Backspace));
                app.handle_key(key(KeyCode::Backspace));
            }
            app.handle_key(key(KeyCode::Char(letters[n % letters.len()])));
            term.draw(|f| view::draw(f, &mut app)).unwrap();
        });
        report.add(&format!("key_frame_filter_{l}_p99"), p99, "ms", key_budget);
        app.handle_key(key(KeyCode::Esc));

        // Answering: the first question is a single choice; alternate its two first options.
        app.handle_key(key(KeyCode::Enter));
        let mut flip = false;
        let (_, p99) = measure(400, || {
            flip = !flip;
            app.handle_key(key(KeyCode::Left));
            app.handle_key(key(KeyCode::Char(if flip { '1' } else { '2' })));
            term.draw(|f| view::draw(f, &mut app)).unwrap();
        });
        report.add(&format!("key_frame_answer_{l}_p99"), p99, "ms", key_budget);

        let record = app.ctx.current_record();
        // As the TUI saves: the file read back first (never overwritten blind), then written;
        // after the disk has written back what building the campaign left (as `measure_commits`).
        unsafe { libc::sync() };
        let (save_med, _) = measure(60, || {
            std::hint::black_box(storage::read_record(&case.dir, &record.id).unwrap());
            storage::save_record(&case.dir, &record).unwrap();
        });
        save_medians.push(save_med);
        report.add(
            &format!("save_answer_{l}_median"),
            save_med,
            "ms",
            if big {
                save_medians[0] * 1.5
            } else {
                f64::INFINITY
            },
        );

        // Review counts after a decision.
        app.handle_key(key(KeyCode::Esc));
        app.handle_key(key(KeyCode::Char('c')));
        let (_, p99) = measure(100, || {
            app.handle_key(key(KeyCode::Up));
            app.handle_key(key(KeyCode::Enter));
            std::hint::black_box(sobes::tui::screens::review::counts(&app.ctx));
        });
        report.add(
            &format!("review_counts_{l}_p99"),
            p99,
            "ms",
            if big { 5.0 } else { 1.0 },
        );

        // The annex, rendered from the campaign in memory as the export does.
        let template = sobes::annex::load_template(None, Some(&case.dir), &app.ctx.data)
            .unwrap()
            .template;
        let export_budget = if big { 300.0 } else { 20.0 };
        for (format, name) in [
            (sobes::annex::Format::Markdown, "md"),
            (sobes::annex::Format::Docx, "docx"),
        ] {
            let (med, p99) = measure(if big { 10 } else { 40 }, || {
                let bytes =
                    sobes::annex::render(&app.ctx.data, &app.ctx.campaign, Some(&template), format)
                        .unwrap();
                std::hint::black_box(bytes);
            });
            report.add(
                &format!("export_{name}_{l}_median"),
                med,
                "ms",
                export_budget,
            );
            report.info(&format!("export_{name}_{l}_p99"), p99, "ms");
        }

        let data = DataSet::load(&case.overrides, Some(&case.dir)).unwrap();
        let sync_med = measure_sync(case, &data, scratch.path());
        report.add(
            &format!("sync_two_laptops_{l}_median"),
            sync_med,
            "ms",
            if big { 5000.0 } else { 500.0 },
        );

        let rss = peak_rss_mb(case);
        report.add(
            &format!("status_peak_rss_{l}"),
            rss,
            "MB",
            if big { 150.0 } else { 30.0 },
        );
    }
    let commits = measure_commits(&cases);
    for (case, med) in cases.iter().zip(&commits) {
        let budget = if case.label == "2500" {
            5.0_f64.min(1.5 * commits[0])
        } else {
            5.0
        };
        report.add(
            &format!("save_with_commit_{}_median", case.label),
            *med,
            "ms",
            budget,
        );
    }
    let (levels_ms, import_ms) = measure_monitoring(&cases[1], scratch.path());
    report.add("levels_2500x18_median", levels_ms, "ms", 50.0);
    report.add("import_monitoring_2500_rows_median", import_ms, "ms", 500.0);
    let compare_ms = measure_compare(&cases[1]);
    report.add("compare_with_last_year_2500_median", compare_ms, "ms", 50.0);
    let (agreement_ms, departures_ms) = measure_agreement(&cases[1]);
    report.add(
        "agreement_2500x5_reviewers_median",
        agreement_ms,
        "ms",
        20.0,
    );
    report.add("rule_departures_2500_median", departures_ms, "ms", 30.0);
    let log_ms = measure_log(&cases[0], scratch.path());
    report.add("log_one_answer_after_2000_commits", log_ms, "ms", 50.0);
    let total = started.elapsed().as_secs_f64();
    report.add("bench_total", total, "s", 300.0);
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/sobes-bench.tsv");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    std::fs::write(&out, report.rows.join("\n") + "\n").unwrap();
    println!("written {}", out.display());
}
