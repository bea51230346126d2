//! The regional monitoring: criteria and their indicators, each scored in points, with
//! levels that follow from thresholds on the score and recommendations per level; and the
//! municipality's overall level from the sum of its scores. Another region brings its own
//! file (`data/monitoring.ron` is Chelyabinsk's). Reading the monitoring's spreadsheet into
//! scores is in `monitoring/import.rs`.

mod import;

use super::source::{Origin, Source, SourceError, parse_ron};
pub use import::{
    CellKind, Import, Planned, Resolved, Table, TableError, column_name, has_table, plan_import,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// A level: reached from `from` points up; recommendations for those who sit at it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Level {
    pub name: String,
    pub from: i64,
    #[serde(default)]
    pub advice: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Indicator {
    pub id: String,
    pub title: String,
    /// The most points the indicator gives.
    pub max: i64,
    pub levels: Vec<Level>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Criterion {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Monitoring {
    /// The municipality's level by the sum of its scores.
    pub overall: Vec<Level>,
    pub criteria: Vec<Criterion>,
}

/// The level a score reaches: the last whose threshold it meets, with its index.
pub fn level_of(levels: &[Level], score: i64) -> Option<(usize, &Level)> {
    levels
        .iter()
        .enumerate()
        .take_while(|(_, l)| l.from <= score)
        .last()
}

/// A level's symbol, readable without colour: «−» the lowest, «+» the highest, «±» between.
pub fn level_symbol(index: usize, of: usize) -> &'static str {
    match (index, of) {
        (0, _) => "−",
        (i, n) if i + 1 == n => "+",
        _ => "±",
    }
}

impl Indicator {
    /// A score as a table shows it («2+»), with the index of its level.
    pub fn cell(&self, value: i64) -> (String, Option<usize>) {
        match level_of(&self.levels, value) {
            Some((i, _)) => (
                format!("{value}{}", level_symbol(i, self.levels.len())),
                Some(i),
            ),
            None => (value.to_string(), None),
        }
    }
}

/// «↑» when the level `now` is above last year's, «↓» when below, «» otherwise or unknown.
pub fn arrow(before: Option<usize>, now: usize) -> &'static str {
    match before {
        Some(b) if now > b => " ↑",
        Some(b) if now < b => " ↓",
        _ => "",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("нет показателя «{id}»; есть: {known}")]
    UnknownIndicator { id: String, known: String },
    #[error("показатель {id}: {value} — вне шкалы, ожидалось от 0 до {max} баллов")]
    OutOfRange { id: String, value: i64, max: i64 },
}

impl Monitoring {
    /// Parses and checks the file: thresholds from 0 up, strictly increasing, within the
    /// indicator's points; ids unique; at least three levels per indicator.
    pub fn parse(text: &str, origin: &Origin) -> Result<Monitoring, Vec<SourceError>> {
        let m: Monitoring = parse_ron(text, origin).map_err(|e| vec![e])?;
        let src = Source {
            origin: origin.clone(),
            text: text.to_string(),
        };
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        let thresholds = |levels: &[Level], max: Option<i64>| -> Option<String> {
            if levels.first().is_none_or(|l| l.from != 0) {
                return Some("первый уровень должен начинаться с 0".into());
            }
            if levels.windows(2).any(|w| w[0].from >= w[1].from) {
                return Some("пороги уровней должны возрастать".into());
            }
            match (max, levels.last()) {
                (Some(max), Some(l)) if l.from > max => Some(format!(
                    "порог «{}» ({}) больше максимума {max}",
                    l.name, l.from
                )),
                _ => None,
            }
        };
        if let Some(why) = thresholds(&m.overall, Some(m.max_total())) {
            let at = text.find("overall").unwrap_or(0);
            let line = text[..at].matches('\n').count() + 1;
            let col = text[..at]
                .rsplit('\n')
                .next()
                .map_or(0, |l| l.chars().count())
                + 1;
            problems.push(SourceError::new(
                origin.clone(),
                line,
                col,
                format!("общие уровни: {why}"),
            ));
        }
        for (_, ind) in m.indicators() {
            if !seen.insert(ind.id.clone()) {
                problems.push(src.at_def(
                    &ind.id,
                    1,
                    format!("показатель {} описан дважды", ind.id),
                ));
            }
            if ind.levels.len() < 3 {
                problems.push(src.at_def(
                    &ind.id,
                    0,
                    format!("у показателя {} меньше трёх уровней", ind.id),
                ));
            }
            if ind.max <= 0 {
                problems.push(src.at_def(
                    &ind.id,
                    0,
                    format!("у показателя {}: max должен быть больше 0", ind.id),
                ));
            }
            if let Some(why) = thresholds(&ind.levels, Some(ind.max)) {
                problems.push(src.at_def(&ind.id, 0, format!("показатель {}: {why}", ind.id)));
            }
        }
        if problems.is_empty() {
            Ok(m)
        } else {
            Err(problems)
        }
    }

    pub fn builtin() -> Monitoring {
        Monitoring::parse(
            include_str!("../../data/monitoring.ron"),
            &Origin::Builtin("data/monitoring.ron"),
        )
        .expect("the built-in monitoring is valid")
    }

    pub fn indicators(&self) -> impl Iterator<Item = (&Criterion, &Indicator)> {
        self.criteria
            .iter()
            .flat_map(|c| c.indicators.iter().map(move |i| (c, i)))
    }

    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators().map(|(_, i)| i).find(|i| i.id == id)
    }

    pub fn max_total(&self) -> i64 {
        self.indicators().map(|(_, i)| i.max).sum()
    }

    /// The indicator a score is for, checked against its scale.
    pub fn check_score(&self, id: &str, value: i64) -> Result<&Indicator, ScoreError> {
        let ind = self
            .indicator(id)
            .ok_or_else(|| ScoreError::UnknownIndicator {
                id: id.to_string(),
                known: self
                    .indicators()
                    .map(|(_, i)| i.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        if !(0..=ind.max).contains(&value) {
            return Err(ScoreError::OutOfRange {
                id: id.to_string(),
                value,
                max: ind.max,
            });
        }
        Ok(ind)
    }

    /// A score as typed (a whole number; «-» or nothing clears it), checked against the
    /// indicator's scale.
    pub fn parse_score(&self, id: &str, typed: &str) -> Result<Option<i64>, String> {
        let value = match typed.trim() {
            "" | "-" | "—" => None,
            t => Some(
                t.parse::<i64>()
                    .map_err(|_| format!("балл — целое число, а не «{t}»"))?,
            ),
        };
        match value {
            Some(v) => self.check_score(id, v).map_err(|e| e.to_string())?,
            None => self
                .indicator(id)
                .ok_or_else(|| format!("нет показателя «{id}»"))?,
        };
        Ok(value)
    }

    /// The overall level of a municipality's scores; None until every indicator is scored.
    pub fn overall_level(&self, scores: &BTreeMap<String, i64>) -> Option<(usize, &Level)> {
        let mut total = 0;
        for (_, ind) in self.indicators() {
            total += scores.get(&ind.id)?;
        }
        level_of(&self.overall, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn sample() -> &'static str {
        r#"Monitoring(
    overall: [(name: "низкий", from: 0), (name: "средний", from: 2), (name: "высокий", from: 4)],
    criteria: [(id: "1", title: "К", indicators: [
        (id: "1.1", title: "А", max: 2, levels: [
            (name: "недостаточный", from: 0, advice: ["Сделать."]),
            (name: "допустимый", from: 1),
            (name: "оптимальный", from: 2),
        ]),
        (id: "1.2", title: "Б", max: 3, levels: [
            (name: "недостаточный", from: 0),
            (name: "допустимый", from: 2),
            (name: "оптимальный", from: 3),
        ]),
    ])],
)"#
    }

    #[test]
    fn levels_at_every_threshold_boundary() {
        let m = Monitoring::parse(sample(), &Origin::Builtin("t")).unwrap();
        let b = m.indicator("1.2").unwrap();
        let name = |s| level_of(&b.levels, s).unwrap().1.name.clone();
        assert_eq!(name(0), "недостаточный");
        assert_eq!(name(1), "недостаточный");
        assert_eq!(name(2), "допустимый");
        assert_eq!(name(3), "оптимальный");
        let scores = |a, b| BTreeMap::from([("1.1".to_string(), a), ("1.2".to_string(), b)]);
        assert_eq!(m.overall_level(&scores(0, 1)).unwrap().1.name, "низкий");
        assert_eq!(m.overall_level(&scores(1, 1)).unwrap().1.name, "средний");
        assert_eq!(m.overall_level(&scores(1, 2)).unwrap().1.name, "средний");
        assert_eq!(m.overall_level(&scores(2, 2)).unwrap().1.name, "высокий");
        assert!(
            m.overall_level(&BTreeMap::from([("1.1".into(), 2)]))
                .is_none()
        );
        assert_eq!(
            m.check_score("1.1", 3).unwrap_err().to_string(),
            "показатель 1.1: 3 — вне шкалы, ожидалось от 0 до 2 баллов"
        );
        assert!(m.check_score("9.9", 1).is_err());
    }

    #[test]
    fn bad_thresholds_are_named_with_their_place() {
        let bad = sample().replace(
            "(name: \"допустимый\", from: 2)",
            "(name: \"допустимый\", from: 0)",
        );
        let e = Monitoring::parse(&bad, &Origin::Builtin("t")).unwrap_err();
        assert!(
            e[0].message
                .contains("1.2: пороги уровней должны возрастать"),
            "{e:?}"
        );
        assert!(e[0].line > 1, "{e:?}");
    }

    #[test]
    fn the_builtin_monitoring_has_the_regions_18_indicators() {
        let m = Monitoring::builtin();
        let ids: Vec<&str> = m.indicators().map(|(_, i)| i.id.as_str()).collect();
        assert_eq!(ids.len(), 18);
        assert_eq!(ids[0], "1.1");
        assert_eq!(ids[10], "1.11");
        assert_eq!(ids[17], "3.4");
        assert_eq!(m.criteria.len(), 4);
        assert_eq!(m.overall.len(), 5);
    }
}
