//! How far reviewers agree on the clusters, and how far the final decisions depart from the
//! rules' suggestions. Krippendorff's alpha (nominal: any number of reviewers, missing
//! ratings allowed) per dimension, Cohen's kappa per pair of reviewers, and the share of
//! municipalities where everyone chose the same. A statistic that is undefined (nobody to
//! compare, one category only) says why instead of printing NaN.

use super::campaign::{Campaign, Decision, Record};
use super::clusters::{Dimension, Dimensions};
use super::protocol::Protocol;
use std::collections::BTreeMap;

/// A statistic, or why it cannot be computed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stat {
    Value(f64),
    Undefined(&'static str),
}

impl Stat {
    /// For reading: «0,743», or the reason in words.
    pub fn shown(self) -> String {
        match self {
            Stat::Value(v) => format!("{v:.3}").replace('.', ","),
            Stat::Undefined(why) => format!("не определено: {why}"),
        }
    }

    /// For a table a program reads: «0.743», or empty.
    pub fn cell(self) -> String {
        match self {
            Stat::Value(v) => format!("{v:.3}"),
            Stat::Undefined(_) => String::new(),
        }
    }

    pub fn value(self) -> Option<f64> {
        match self {
            Stat::Value(v) => Some(v),
            Stat::Undefined(_) => None,
        }
    }
}

const NOBODY_TO_COMPARE: &str = "нет муниципалитетов, оценённых двумя и более рецензентами";
const ONE_CATEGORY: &str = "все оценки в одном кластере, согласие не с чем сравнить";
const NO_OVERLAP: &str = "нет муниципалитетов, оценённых обоими";

/// Krippendorff's alpha for nominal data. Each unit holds the values its raters gave (any
/// number, missing ones left out); units with fewer than two values do not count.
pub fn alpha_nominal<'a>(units: impl IntoIterator<Item = &'a [u8]>) -> Stat {
    // Observed disagreement from the coincidence matrix, without building it: a unit of m
    // values adds (m² − Σ n_c²)/(m − 1) off-diagonal coincidences.
    let mut observed = 0.0;
    let mut totals = [0.0f64; 256];
    let mut pairable = 0usize;
    let mut sorted: Vec<u8> = Vec::new();
    for unit in units.into_iter().filter(|u| u.len() > 1) {
        pairable += 1;
        let m = unit.len() as f64;
        sorted.clear();
        sorted.extend_from_slice(unit);
        sorted.sort_unstable();
        let same: f64 = sorted
            .chunk_by(|a, b| a == b)
            .map(|run| (run.len() * run.len()) as f64)
            .sum();
        for v in unit {
            totals[*v as usize] += 1.0;
        }
        observed += (m * m - same) / (m - 1.0);
    }
    if pairable == 0 {
        return Stat::Undefined(NOBODY_TO_COMPARE);
    }
    let n: f64 = totals.iter().sum();
    let expected = n * n - totals.iter().map(|c| c * c).sum::<f64>();
    if expected == 0.0 {
        return Stat::Undefined(ONE_CATEGORY);
    }
    Stat::Value(1.0 - (n - 1.0) * observed / expected)
}

/// Cohen's kappa for two raters over the units both rated: (pₒ − pₑ)/(1 − pₑ).
pub fn cohen_kappa(pairs: &[(u8, u8)]) -> Stat {
    if pairs.is_empty() {
        return Stat::Undefined(NO_OVERLAP);
    }
    let n = pairs.len() as f64;
    let agree = pairs.iter().filter(|(a, b)| a == b).count() as f64;
    let (mut first, mut second) = ([0.0f64; 256], [0.0f64; 256]);
    for (a, b) in pairs {
        first[*a as usize] += 1.0;
        second[*b as usize] += 1.0;
    }
    let chance: f64 = first.iter().zip(&second).map(|(a, b)| a / n * b / n).sum();
    if chance >= 1.0 {
        return Stat::Undefined(ONE_CATEGORY);
    }
    Stat::Value((agree / n - chance) / (1.0 - chance))
}

/// Cohen's kappa of one pair of reviewers on one dimension.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    pub first: String,
    pub second: String,
    /// Municipalities both rated.
    pub both: usize,
    pub kappa: Stat,
}

/// How often the final decision departs from one rule's suggestion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleDeparture {
    /// The rule's index in the dimension's list; None for «no rule suggested anything».
    pub rule: Option<usize>,
    pub cluster: Option<u8>,
    pub decided: usize,
    pub departed: usize,
}

/// One dimension's agreement.
#[derive(Clone, Debug, PartialEq)]
pub struct DimensionAgreement {
    pub dimension: String,
    pub title: String,
    /// Municipalities rated by two or more reviewers, and among them those where all agree.
    pub rated_by_several: usize,
    pub unanimous: usize,
    pub alpha: Stat,
    pub pairs: Vec<Pair>,
    /// Final decisions against the suggestions: per rule that fired, and in all.
    pub rules: Vec<RuleDeparture>,
}

impl Agreement {
    /// «Рецензенты: Анна, Борис», or how to name them.
    pub fn reviewers_line(&self) -> String {
        if self.reviewers.is_empty() {
            "Рецензенты: не названы (sobes campaign set reviewers \"…; …\")".into()
        } else {
            format!("Рецензенты: {}", self.reviewers.join(", "))
        }
    }
}

impl DimensionAgreement {
    pub fn percent(&self) -> Stat {
        if self.rated_by_several == 0 {
            return Stat::Undefined(NOBODY_TO_COMPARE);
        }
        Stat::Value(100.0 * self.unanimous as f64 / self.rated_by_several as f64)
    }

    /// The dimension's figures in lines of Russian, for the screen and the command line.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.rated_by_several == 0 {
            out.push(format!("Согласие: {}", NOBODY_TO_COMPARE));
        } else {
            let percent = self.percent().value().unwrap_or(0.0);
            out.push(format!(
                "Оценены двумя и более: {}; единогласно: {} ({percent:.0} %)",
                self.rated_by_several, self.unanimous
            ));
            out.push(format!("Альфа Криппендорфа: {}", self.alpha.shown()));
            for p in &self.pairs {
                out.push(match p.kappa {
                    Stat::Value(_) => format!(
                        "Каппа Коэна, {} и {}: {} (оба оценили: {})",
                        p.first,
                        p.second,
                        p.kappa.shown(),
                        p.both
                    ),
                    Stat::Undefined(_) => format!(
                        "Каппа Коэна, {} и {}: {}",
                        p.first,
                        p.second,
                        p.kappa.shown()
                    ),
                });
            }
        }
        let (decided, departed) = self.departures();
        let per_rule: Vec<String> = self
            .rules
            .iter()
            .filter_map(|r| {
                let (i, c) = (r.rule?, r.cluster?);
                Some(format!(
                    "правило {} (кластер {c}): {} из {}",
                    i + 1,
                    r.departed,
                    r.decided
                ))
            })
            .collect();
        if decided == 0 {
            out.push("Окончательных решений там, где правила что-то подсказали, пока нет".into());
        } else {
            out.push(format!(
                "Окончательное решение против подсказки правил: {departed} из {decided} ({})",
                per_rule.join("; ")
            ));
        }
        if let Some(none) = self.rules.iter().find(|r| r.rule.is_none()) {
            out.push(format!(
                "Решено без подсказки (ни одно правило не сработало): {}",
                none.decided
            ));
        }
        out
    }

    /// Final decisions with a suggestion, and how many of them depart from it.
    pub fn departures(&self) -> (usize, usize) {
        self.rules
            .iter()
            .filter(|r| r.rule.is_some())
            .fold((0, 0), |(d, x), r| (d + r.decided, x + r.departed))
    }
}

/// A municipality whose reviewers chose different clusters on a dimension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    pub municipality: String,
    pub dimension: String,
    /// Each reviewer's choice, in reviewer order.
    pub choices: Vec<(String, Decision)>,
    /// The final cluster, when one has been decided.
    pub final_cluster: Option<u8>,
}

impl Disagreement {
    /// «Анна — 2 (площадки нет); Борис — 1», reasons left out with `reasons` false.
    pub fn choices_text(&self, reasons: bool) -> String {
        self.choices
            .iter()
            .map(|(who, d)| match &d.reason {
                Some(r) if reasons => format!("{who} — {} ({r})", d.cluster),
                _ => format!("{who} — {}", d.cluster),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// «окончательно 2» or «окончательного нет».
    pub fn final_text(&self) -> String {
        self.final_cluster.map_or_else(
            || "окончательного нет".to_string(),
            |c| format!("окончательно {c}"),
        )
    }
}

/// Agreement on every dimension, and the queue of disagreements in registry order.
#[derive(Clone, Debug, PartialEq)]
pub struct Agreement {
    pub reviewers: Vec<String>,
    pub dimensions: Vec<DimensionAgreement>,
    pub queue: Vec<Disagreement>,
}

/// Measures the campaign over the municipalities `ids` (registry order): the reviewers'
/// agreement ([`agree`]) and the final decisions against the rules ([`departures`]).
pub fn measure(
    campaign: &Campaign,
    ids: &[&str],
    dims: &Dimensions,
    protocol: &Protocol,
) -> Agreement {
    let mut a = agree(campaign, ids, dims);
    for (d, rules) in a
        .dimensions
        .iter_mut()
        .zip(departures(campaign, ids, dims, protocol))
    {
        d.rules = rules;
    }
    a
}

/// The reviewers' agreement per dimension and the disagreement queue; no rules involved
/// (`rules` is left empty).
pub fn agree(campaign: &Campaign, ids: &[&str], dims: &Dimensions) -> Agreement {
    let reviewers = campaign.reviewers();
    let records: Vec<(&str, &Record)> = ids
        .iter()
        .filter_map(|id| campaign.record(id).map(|r| (*id, r)))
        .collect();
    let mut dimensions = Vec::new();
    let mut queue = Vec::new();
    for dim in &dims.0 {
        let (d, q) = one_dimension(dim, &records, &reviewers);
        dimensions.push(d);
        queue.extend(q);
    }
    Agreement {
        reviewers,
        dimensions,
        queue,
    }
}

/// Agreement on one dimension, and its disagreements in the records' order.
fn one_dimension(
    dim: &Dimension,
    records: &[(&str, &Record)],
    reviewers: &[String],
) -> (DimensionAgreement, Vec<Disagreement>) {
    let mut queue = Vec::new();
    // Every pairable unit's values one after another, with where each ends.
    let (mut values, mut ends): (Vec<u8>, Vec<usize>) = (Vec::new(), Vec::new());
    let mut unanimous = 0;
    let r = reviewers.len();
    let mut pair_values: Vec<Vec<(u8, u8)>> = vec![Vec::new(); r * r];
    let mut by: Vec<(usize, &Decision)> = Vec::with_capacity(r);
    for (id, record) in records {
        by.clear();
        if let Some(rated) = record.ratings.get(&dim.id) {
            by.extend(
                reviewers
                    .iter()
                    .enumerate()
                    .filter_map(|(i, who)| rated.get(who).map(|d| (i, d))),
            );
        }
        if by.len() < 2 {
            continue;
        }
        let first = by[0].1.cluster;
        if by.iter().all(|(_, d)| d.cluster == first) {
            unanimous += 1;
        } else {
            queue.push(Disagreement {
                municipality: id.to_string(),
                dimension: dim.id.clone(),
                choices: by
                    .iter()
                    .map(|(i, d)| (reviewers[*i].clone(), (*d).clone()))
                    .collect(),
                final_cluster: record.decisions.get(&dim.id).map(|d| d.cluster),
            });
        }
        for (x, (i, a)) in by.iter().enumerate() {
            for (j, b) in &by[x + 1..] {
                pair_values[i * r + j].push((a.cluster, b.cluster));
            }
        }
        values.extend(by.iter().map(|(_, d)| d.cluster));
        ends.push(values.len());
    }
    let mut pairs = Vec::new();
    for i in 0..r {
        for j in i + 1..r {
            let values = &pair_values[i * r + j];
            pairs.push(Pair {
                first: reviewers[i].clone(),
                second: reviewers[j].clone(),
                both: values.len(),
                kappa: cohen_kappa(values),
            });
        }
    }
    let units = ends.iter().scan(0, |start, end| {
        let unit = &values[*start..*end];
        *start = *end;
        Some(unit)
    });
    let agreement = DimensionAgreement {
        dimension: dim.id.clone(),
        title: dim.title.clone(),
        rated_by_several: ends.len(),
        unanimous,
        alpha: alpha_nominal(units),
        pairs,
        rules: Vec::new(),
    };
    (agreement, queue)
}

/// Per dimension, per rule that suggested (in the rules' order, «no rule» last): how many
/// final decisions there are and how many depart from that rule's suggestion.
pub fn departures(
    campaign: &Campaign,
    ids: &[&str],
    dims: &Dimensions,
    protocol: &Protocol,
) -> Vec<Vec<RuleDeparture>> {
    let mut per_dim: Vec<BTreeMap<Option<usize>, RuleDeparture>> =
        vec![BTreeMap::new(); dims.0.len()];
    for record in ids.iter().filter_map(|id| campaign.record(id)) {
        if record.decisions.is_empty() {
            continue;
        }
        // The answers that count (hidden ones left out), once per record.
        let live = protocol.live(&record.answers);
        for (k, dim) in dims.0.iter().enumerate() {
            let Some(final_decision) = record.decisions.get(&dim.id) else {
                continue;
            };
            let suggestion = dim.suggested_rule(&live);
            let key = suggestion.map(|(rule, _)| rule);
            let entry = per_dim[k].entry(key).or_insert(RuleDeparture {
                rule: key,
                cluster: suggestion.map(|(_, c)| c),
                decided: 0,
                departed: 0,
            });
            entry.decided += 1;
            if suggestion.is_some_and(|(_, c)| c != final_decision.cluster) {
                entry.departed += 1;
            }
        }
    }
    per_dim
        .into_iter()
        .map(|rules| {
            let mut rules: Vec<RuleDeparture> = rules.into_values().collect();
            rules.sort_by_key(|r| r.rule.map_or(usize::MAX, |i| i));
            rules
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Krippendorff's own worked example is in tests/reviewers.rs, through a whole campaign.
    fn alpha(units: &[Vec<u8>]) -> Stat {
        alpha_nominal(units.iter().map(Vec::as_slice))
    }

    fn round(s: Stat, digits: i32) -> f64 {
        let f = 10f64.powi(digits);
        (s.value().expect("defined") * f).round() / f
    }

    /// The textbook 2×2 examples (Wikipedia, «Cohen's kappa»): κ = 0.4, 0.1304, 0.2593.
    #[test]
    fn cohen_textbook_examples() {
        let table = |yy: usize, yn: usize, ny: usize, nn: usize| {
            let mut v = Vec::new();
            v.extend(std::iter::repeat_n((1, 1), yy));
            v.extend(std::iter::repeat_n((1, 2), yn));
            v.extend(std::iter::repeat_n((2, 1), ny));
            v.extend(std::iter::repeat_n((2, 2), nn));
            v
        };
        assert_eq!(round(cohen_kappa(&table(20, 5, 10, 15)), 4), 0.4);
        assert_eq!(round(cohen_kappa(&table(45, 15, 25, 15)), 4), 0.1304);
        assert_eq!(round(cohen_kappa(&table(25, 35, 5, 35)), 4), 0.2593);
    }

    #[test]
    fn undefined_statistics_say_why() {
        assert_eq!(alpha(&[]), Stat::Undefined(NOBODY_TO_COMPARE));
        assert_eq!(
            alpha(&[vec![1], vec![2]]),
            Stat::Undefined(NOBODY_TO_COMPARE)
        );
        assert_eq!(
            alpha(&[vec![2, 2], vec![2, 2, 2]]),
            Stat::Undefined(ONE_CATEGORY)
        );
        assert_eq!(cohen_kappa(&[]), Stat::Undefined(NO_OVERLAP));
        assert_eq!(
            cohen_kappa(&[(3, 3), (3, 3)]),
            Stat::Undefined(ONE_CATEGORY)
        );
        assert!(!Stat::Undefined(ONE_CATEGORY).shown().contains("NaN"));
        assert_eq!(Stat::Value(0.74342).shown(), "0,743");
    }

    #[test]
    fn perfect_and_systematic_disagreement() {
        assert_eq!(alpha(&[vec![1, 1], vec![2, 2]]), Stat::Value(1.0));
        assert!(alpha(&[vec![1, 2], vec![2, 1]]).value().unwrap() < 0.0);
        assert_eq!(cohen_kappa(&[(1, 1), (2, 2)]), Stat::Value(1.0));
    }
}
