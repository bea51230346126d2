//! The reports the command line prints: the protocol's questions, the campaign's status,
//! the reviewers' agreement and the comparison with last year; each as text for people or,
//! with `--tsv`, as rows for programs.

use super::out;
use crate::data::DataSet;
use crate::model::campaign::{Campaign, LastYear, LevelSource};
use crate::model::compare::{Comparison, compare, moves_words};
use crate::session::{Failure, Session};

/// `sobes status`.
pub fn cmd_status(ctx: &Session, tsv: bool) -> Result<(), Failure> {
    let campaign = ctx.load_campaign()?;
    out(&status_table(&ctx.data, &campaign, tsv))
}

/// `sobes agreement`: the ratings the reader may see (all of them with `all`).
pub fn cmd_agreement(ctx: &Session, tsv: bool, all: bool) -> Result<(), Failure> {
    let campaign = ctx.load_campaign()?;
    let (seen, hidden) = campaign.seen_by(&ctx.reader(&campaign.meta, all));
    ctx.say_hidden(hidden);
    out(&agreement_report(&ctx.data, &seen, tsv))
}

/// `sobes compare`, with the campaign the settings name as last year's.
pub fn cmd_compare(ctx: &Session, tsv: bool) -> Result<(), Failure> {
    let campaign = ctx.load_campaign()?;
    let Some(before) = ctx.last_year(&campaign.meta)? else {
        return Err(Failure::new(
            "прошлогодняя кампания не названа: sobes campaign set previous ПАПКА (или sobes new ПАПКА --previous СТАРАЯ)",
        ));
    };
    out(&compare_report(&ctx.data, &before, &campaign, tsv))
}

/// A municipality's name by its id; the id of one the registry no longer has.
fn name_of(data: &DataSet, id: &str) -> String {
    data.registry
        .get(id)
        .map_or(id.to_string(), |m| m.name.clone())
}

pub fn questions_tsv(data: &DataSet) -> String {
    let mut out = String::new();
    for (s, q) in data.protocol.questions() {
        let options: Vec<String> = q.kind.choices().iter().map(|c| c.id.clone()).collect();
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            q.id,
            s.id,
            q.kind.code(),
            if q.required { "yes" } else { "no" },
            options.join("|")
        ));
    }
    out
}

/// The agreement of reviewers per dimension, the pairs' kappa, the rules' departures and
/// the disagreement queue; as a table for programs with `tsv`.
pub fn agreement_report(data: &DataSet, campaign: &Campaign, tsv: bool) -> String {
    use crate::model::agreement::measure;
    let ids = data.registry.ids();
    let a = measure(campaign, &ids, &data.dimensions, &data.protocol);
    if tsv {
        return crate::annex::agreement_rows(data, &a)
            .iter()
            .map(|r| r.join("\t") + "\n")
            .collect();
    }
    let mut text = String::new();
    text.push_str(&(a.reviewers_line() + "\n"));
    for d in &a.dimensions {
        text.push_str(&format!("\n«{}» ({})\n", d.title, d.dimension));
        for line in d.lines() {
            text.push_str(&format!("  {line}\n"));
        }
    }
    text.push_str(&format!("\nРасхождения рецензентов: {}\n", a.queue.len()));
    for q in &a.queue {
        let title = data
            .dimensions
            .get(&q.dimension)
            .map_or(q.dimension.as_str(), |d| d.title.as_str());
        text.push_str(&format!(
            "  {}, «{title}»: {}; {}\n",
            name_of(data, &q.municipality),
            q.choices_text(true),
            q.final_text()
        ));
    }
    text
}

/// This year's final clusters beside last year's: the municipalities that moved, then a
/// table of moves per dimension; as rows for programs with `tsv`.
pub fn compare_report(data: &DataSet, before: &LastYear, now: &Campaign, tsv: bool) -> String {
    let c = compare(
        before,
        now,
        &data.registry.ids(),
        &data.dimensions,
        (&data.monitoring, &data.protocol),
    );
    if tsv {
        compare_rows(data, &c)
    } else {
        compare_text(data, before, &c)
    }
}

/// The comparison for programs: a row per municipality (clusters before and now per
/// dimension, levels and where they came from), then a row per cell of each table of moves.
fn compare_rows(data: &DataSet, c: &Comparison) -> String {
    let level_name = |i: Option<u8>| {
        i.and_then(|i| data.monitoring.overall.get(i as usize))
            .map_or_else(String::new, |l| l.name.clone())
    };
    let show = |x: Option<u8>| x.map_or_else(String::new, |x| x.to_string());
    let source = |s: Option<LevelSource>| s.map_or("", LevelSource::words).to_string();
    let mut text = String::new();
    for row in &c.rows {
        let mut cells = vec!["муниципалитет".to_string(), row.municipality.clone()];
        for m in &row.moves {
            cells.push(show(m.before));
            cells.push(show(m.now));
        }
        cells.push(level_name(row.level.before));
        cells.push(level_name(row.level.now));
        cells.push(source(row.sources.0));
        cells.push(source(row.sources.1));
        text.push_str(&(cells.join("\t") + "\n"));
    }
    for t in &c.tables {
        let labels: Vec<Option<u8>> = t.clusters.iter().map(|c| Some(*c)).chain([None]).collect();
        for b in &labels {
            for n in &labels {
                text.push_str(&format!(
                    "переход\t{}\t{}\t{}\t{}\n",
                    t.dimension,
                    show(*b),
                    show(*n),
                    t.count(*b, *n)
                ));
            }
        }
    }
    text
}

/// The comparison for people: who moved, in words, then each dimension's table of moves.
fn compare_text(data: &DataSet, before: &LastYear, c: &Comparison) -> String {
    let moved: Vec<String> = c
        .rows
        .iter()
        .filter(|r| r.changed())
        .map(|r| {
            format!(
                "  {}: {}\n",
                name_of(data, &r.municipality),
                moves_words(r, &data.dimensions, &data.monitoring)
            )
        })
        .collect();
    let mut text = format!(
        "Прошлый год: «{}». Сменили кластер или уровень: {}\n",
        before.title,
        moved.len()
    );
    text.extend(moved);
    for t in &c.tables {
        text.push_str(&format!("\n«{}»\n", t.title));
        for line in t.lines() {
            text.push_str(&line);
            text.push('\n');
        }
    }
    text
}

pub fn status_table(data: &DataSet, campaign: &Campaign, tsv: bool) -> String {
    let mut rows = Vec::new();
    for m in &data.registry.municipalities {
        let record = campaign.record_or_empty(&m.id);
        let progress = data.protocol.progress(&record.answers);
        let mut row = vec![
            m.id.clone(),
            m.name.clone(),
            m.kind.clone(),
            progress.answered.to_string(),
            progress.required.to_string(),
        ];
        // The TSV is for programs: the decided cluster alone. People read the TUI's marks
        // (an override is «1*», a suggestion «1?»), with a legend under the table.
        let live = record.live(&data.protocol);
        for d in &data.dimensions.0 {
            row.push(
                match tsv {
                    true => record.decisions.get(&d.id).map(|d| d.cluster.to_string()),
                    false => Some(live.mark(d).cell()),
                }
                .unwrap_or_default(),
            );
        }
        row.push(
            record
                .derive_status(&data.protocol, &data.dimensions)
                .label()
                .to_string(),
        );
        rows.push(row);
    }
    if tsv {
        return rows.iter().map(|r| r.join("\t") + "\n").collect();
    }
    // People read names: the id column is the TSV's, the dimensions go by their headers.
    let mut header: Vec<String> = ["муниципалитет", "вид", "отв.", "обяз."]
        .map(String::from)
        .to_vec();
    header.extend(data.dimensions.0.iter().map(|d| d.column().to_string()));
    header.push("статус".into());
    let mut all = vec![header];
    all.extend(rows.into_iter().map(|mut r| {
        r.remove(0);
        r
    }));
    let widths: Vec<usize> = (0..all[0].len())
        .map(|i| all.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    all.iter()
        .map(|r| {
            let cells: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
                .collect();
            cells.join("  ").trim_end().to_string() + "\n"
        })
        .chain([MARKS_LEGEND.to_string()])
        .collect()
}

/// The marks of the people's status table, as the TUI's list shows them.
const MARKS_LEGEND: &str = "\n1 — решено; 1? — подсказка, не подтверждена; 1* — решено вопреки подсказке, с причиной; 1! — решено, но ответы теперь подсказывают другое; — — нет\n";
