//! Last year beside this year: per municipality and dimension the final cluster then and
//! now, and per dimension the table of moves (how many went from each cluster to each). The
//! municipalities are matched by id, so both campaigns must use the same registry ids.

use super::campaign::Campaign;
use super::clusters::Dimensions;

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

/// A municipality's moves, one per dimension in the dimensions' order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub municipality: String,
    pub moves: Vec<Move>,
}

impl Row {
    pub fn changed(&self) -> bool {
        self.moves.iter().any(|m| m.changed())
    }
}

/// How many municipalities went from each cluster (rows) to each (columns) on a dimension;
/// the last row and column are «no decision».
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transitions {
    pub dimension: String,
    pub title: String,
    pub clusters: Vec<u8>,
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
        let label = |i: usize| {
            self.clusters
                .get(i)
                .map_or_else(|| "—".to_string(), |c| c.to_string())
        };
        let n = self.clusters.len() + 1;
        let mut out = vec![format!(
            "  было \\ стало {}",
            (0..n)
                .map(|j| format!("{:>4}", label(j)))
                .collect::<String>()
        )];
        for i in 0..n {
            out.push(format!(
                "  {:>12} {}",
                label(i),
                (0..n)
                    .map(|j| format!("{:>4}", self.counts[i][j]))
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

/// Compares last year's campaign with this year's over the municipalities `ids`.
pub fn compare(before: &Campaign, now: &Campaign, ids: &[&str], dims: &Dimensions) -> Comparison {
    let mut tables: Vec<Transitions> = dims
        .0
        .iter()
        .map(|d| {
            let clusters: Vec<u8> = d.clusters.iter().map(|c| c.number).collect();
            let n = clusters.len() + 1;
            Transitions {
                dimension: d.id.clone(),
                title: d.title.clone(),
                clusters,
                counts: vec![vec![0; n]; n],
            }
        })
        .collect();
    let decided = |c: &Campaign, id: &str, dim: &str| {
        c.record(id)
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
                        before: decided(before, id, &d.id),
                        now: decided(now, id, &d.id),
                    };
                    let (i, j) = (t.index(m.before), t.index(m.now));
                    t.counts[i][j] += 1;
                    m
                })
                .collect();
            Row {
                municipality: id.to_string(),
                moves,
            }
        })
        .collect();
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
