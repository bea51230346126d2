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

mod synthetic;
use synthetic::*;
mod measures;
use measures::*;
// The tests' harness: the loopback git servers and the real binary.
#[cfg(unix)]
#[allow(unused_imports)]
#[path = "../../tests/common/mod.rs"]
mod common;
#[cfg(unix)]
mod network;

fn clock() -> String {
    "2026-09-14T10:00:00Z".into()
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
    #[cfg(unix)]
    {
        let data = DataSet::load(&cases[0].overrides, Some(&cases[0].dir)).unwrap();
        for (transport, ms) in network::measure_server_syncs(&cases[0], &data) {
            let name = format!("sync_two_laptops_43_{transport}_server_median");
            report.add(&name, ms, "ms", 1000.0);
        }
    }
    let log_ms = measure_log(&cases[0], scratch.path());
    report.add("log_one_answer_after_2000_commits", log_ms, "ms", 50.0);
    let names_ms = measure_device_names(scratch.path());
    report.add("laptop_names_20_branches_median", names_ms, "ms", 50.0);
    let total = started.elapsed().as_secs_f64();
    report.add("bench_total", total, "s", 300.0);
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/sobes-bench.tsv");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    std::fs::write(&out, report.rows.join("\n") + "\n").unwrap();
    println!("written {}", out.display());
}
