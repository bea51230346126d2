//! Last year beside this year: per municipality and dimension the final cluster then and
//! now, and per dimension the table of moves (how many went from each cluster to each). The
//! municipalities are matched by id, so both campaigns must use the same registry ids. Last
//! year's outcome is read from its campaign here ([`LastYear::of`]).

use super::campaign::{Campaign, LastYear, LevelSource};
use super::clusters::Dimensions;
use super::monitoring::Monitoring;
use std::collections::BTreeMap;

/// One dimension of one municipality: the final cluster last year and this year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Move {
    pub before: Option<u8>,
    pub now: Option<u8>,
}

impl Move {
    /// Decided both years, differently; a municipality not decided yet this year has not
    /// moved.
    pub fn changed(self) -> bool {
        self.before.is_some() && self.now.is_some() && self.before != self.now
    }

    /// «3→1» when it moved, «2» when it stayed, «—→2» when new this year.
    pub fn cell(self) -> String {
        let show = |c: Option<u8>| c.map_or_else(|| "—".to_string(), |c| c.to_string());
        if self.before == self.now {
            show(self.now)
        } else {
            format!("{}→{}", show(self.before), show(self.now))
        }
    }
}

impl LastYear {
    /// The outcome of `campaign`, with its levels by `monitoring` (the interview's answer
    /// where a municipality has no points).
    pub fn of(
        campaign: &Campaign,
        monitoring: &Monitoring,
        protocol: &super::protocol::Protocol,
    ) -> LastYear {
        let mut out = LastYear {
            title: campaign.meta.title.clone(),
            ..LastYear::default()
        };
        for (id, r) in &campaign.records {
            let clusters: BTreeMap<String, u8> = r
                .decisions
                .iter()
                .map(|(d, x)| (d.clone(), x.cluster))
                .collect();
            if !clusters.is_empty() {
                out.clusters.insert(id.clone(), clusters);
            }
            if let Some((i, source)) = record_level(r, monitoring, protocol) {
                out.levels.insert(id.clone(), i);
                out.sources.insert(id.clone(), source);
            }
        }
        out
    }
}

/// A record's overall monitoring level (its index, from the lowest) and where it came from.
pub fn record_level(
    record: &super::campaign::Record,
    monitoring: &Monitoring,
    protocol: &super::protocol::Protocol,
) -> Option<(usize, LevelSource)> {
    if let Some((i, _)) = monitoring.overall_level(&record.score_values()) {
        return Some((i, LevelSource::Scores));
    }
    let q = protocol.question("monitoring_level")?;
    let value = record.answers.0.get("monitoring_level")?.value.as_ref()?;
    let label = protocol.show_value(q, value).to_lowercase();
    monitoring
        .overall
        .iter()
        .position(|l| l.name.to_lowercase() == label)
        .map(|i| (i, LevelSource::Interview))
}

/// The monitoring level's move in words: «ниже среднего → выше среднего ↑», with where the
/// levels came from when not both from points.
pub fn level_words(row: &Row, monitoring: &Monitoring) -> String {
    let name = |i: Option<u8>| {
        i.and_then(|i| monitoring.overall.get(i as usize))
            .map_or("—", |l| l.name.as_str())
    };
    let source = match row.sources {
        (Some(LevelSource::Scores) | None, Some(LevelSource::Scores) | None) => String::new(),
        (Some(a), Some(b)) if a == b => format!(" ({})", a.words()),
        (a, b) => format!(
            " (было — {}, стало — {})",
            a.map_or("нет данных", LevelSource::words),
            b.map_or("нет данных", LevelSource::words)
        ),
    };
    format!(
        "{} → {} {}",
        name(row.level.before),
        name(row.level.now),
        row.level_arrow()
    )
    .trim_end()
    .to_string()
        + &source
}

/// What moved, in words: «Обучение 3→1; мониторинг: средний → высокий ↑».
pub fn moves_words(row: &Row, dims: &Dimensions, monitoring: &Monitoring) -> String {
    let mut parts: Vec<String> = row
        .moves
        .iter()
        .zip(&dims.0)
        .filter(|(m, _)| m.changed())
        .map(|(m, d)| format!("{} {}", d.column(), m.cell()))
        .collect();
    if row.level.changed() {
        parts.push(format!("мониторинг: {}", level_words(row, monitoring)));
    }
    parts.join("; ")
}

/// A municipality's moves, one per dimension in the dimensions' order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub municipality: String,
    pub moves: Vec<Move>,
    /// The overall monitoring level (its index, from the lowest) last year and this year.
    pub level: Move,
    /// Where each of those levels came from.
    pub sources: (Option<LevelSource>, Option<LevelSource>),
}

impl Row {
    pub fn changed(&self) -> bool {
        self.moves.iter().any(|m| m.changed()) || self.level.changed()
    }

    /// «↑» when the monitoring level rose, «↓» when it fell, «» otherwise.
    pub fn level_arrow(&self) -> &'static str {
        match (self.level.before, self.level.now) {
            (Some(b), Some(n)) if n > b => "↑",
            (Some(b), Some(n)) if n < b => "↓",
            _ => "",
        }
    }
}

/// How many municipalities went from each cluster (rows) to each (columns) on a dimension;
/// the last row and column are «no decision».
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transitions {
    pub dimension: String,
    pub title: String,
    pub clusters: Vec<u8>,
    /// How each of `clusters` reads in the table.
    pub labels: Vec<String>,
    pub counts: Vec<Vec<usize>>,
}

impl Transitions {
    fn index(&self, c: Option<u8>) -> usize {
        c.and_then(|c| self.clusters.iter().position(|x| *x == c))
            .unwrap_or(self.clusters.len())
    }

    /// How many went from `before` to `now`.
    pub fn count(&self, before: Option<u8>, now: Option<u8>) -> usize {
        self.counts[self.index(before)][self.index(now)]
    }

    /// The table as lines: a header of this year's clusters, a row per last year's.
    pub fn lines(&self) -> Vec<String> {
        let label = |i: usize| self.labels.get(i).map_or("—", String::as_str);
        let n = self.clusters.len() + 1;
        let w = (0..n)
            .map(|i| label(i).chars().count())
            .max()
            .unwrap_or(1)
            .max(12);
        let c = (0..n)
            .map(|i| label(i).chars().count())
            .max()
            .unwrap_or(1)
            .max(3)
            + 1;
        let pad =
            |s: &str, w: usize| format!("{}{s}", " ".repeat(w.saturating_sub(s.chars().count())));
        let mut out = vec![format!(
            "  {} {}",
            pad("было \\ стало", w),
            (0..n).map(|j| pad(label(j), c)).collect::<String>()
        )];
        for i in 0..n {
            out.push(format!(
                "  {} {}",
                pad(label(i), w),
                (0..n)
                    .map(|j| pad(&self.counts[i][j].to_string(), c))
                    .collect::<String>()
            ));
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// Every municipality of `ids`, in that order.
    pub rows: Vec<Row>,
    pub tables: Vec<Transitions>,
}

/// Compares last year's outcome with this year's campaign over the municipalities `ids`: the final
/// clusters, and the overall monitoring level (the last table).
pub fn compare(
    before: &LastYear,
    now: &Campaign,
    ids: &[&str],
    dims: &Dimensions,
    (monitoring, protocol): (&Monitoring, &super::protocol::Protocol),
) -> Comparison {
    let table = |dimension: &str, title: &str, clusters: Vec<u8>, labels: Vec<String>| {
        let n = clusters.len() + 1;
        Transitions {
            dimension: dimension.to_string(),
            title: title.to_string(),
            clusters,
            labels,
            counts: vec![vec![0; n]; n],
        }
    };
    let mut tables: Vec<Transitions> = dims
        .0
        .iter()
        .map(|d| {
            let clusters: Vec<u8> = d.clusters.iter().map(|c| c.number).collect();
            let labels = clusters.iter().map(u8::to_string).collect();
            table(&d.id, &d.title, clusters, labels)
        })
        .collect();
    let mut levels = table(
        "monitoring",
        "Уровень по мониторингу",
        (0..monitoring.overall.len() as u8).collect(),
        monitoring.overall.iter().map(|l| l.name.clone()).collect(),
    );
    let level_now = |id: &str| record_level(now.record(id)?, monitoring, protocol);
    let decided_now = |id: &str, dim: &str| {
        now.record(id)
            .and_then(|r| r.decisions.get(dim))
            .map(|d| d.cluster)
    };
    let rows = ids
        .iter()
        .map(|id| {
            let moves = dims
                .0
                .iter()
                .zip(tables.iter_mut())
                .map(|(d, t)| {
                    let m = Move {
                        before: before.cluster(id, &d.id),
                        now: decided_now(id, &d.id),
                    };
                    let (i, j) = (t.index(m.before), t.index(m.now));
                    t.counts[i][j] += 1;
                    m
                })
                .collect();
            let now_level = level_now(id);
            let level = Move {
                before: before.level(id).map(|i| i as u8),
                now: now_level.map(|(i, _)| i as u8),
            };
            let (i, j) = (levels.index(level.before), levels.index(level.now));
            levels.counts[i][j] += 1;
            Row {
                municipality: id.to_string(),
                moves,
                level,
                sources: (before.sources.get(*id).copied(), now_level.map(|(_, s)| s)),
            }
        })
        .collect();
    tables.push(levels);
    Comparison { rows, tables }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_say_the_move() {
        let m = |before, now| Move { before, now };
        assert_eq!(m(Some(3), Some(1)).cell(), "3→1");
        assert_eq!(m(Some(2), Some(2)).cell(), "2");
        assert_eq!(m(None, Some(2)).cell(), "—→2");
        assert_eq!(m(Some(2), None).cell(), "2→—");
        assert!(m(Some(3), Some(1)).changed());
        assert!(!m(None, Some(1)).changed(), "new this year is not a move");
        assert!(!m(Some(1), None).changed(), "not decided yet this year");
    }
}
