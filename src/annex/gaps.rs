//! What keeps a campaign from a clean export, in words: municipalities without a decision
//! or with reviewers' ratings and no final one, unfinished interviews, decisions the answers
//! no longer support, open conflicts; and the municipalities a letter already sent left
//! unassigned.

use super::typeset::join_names;
use crate::data::DataSet;
use crate::model::campaign::{Campaign, Record, Status};
use crate::model::clusters::Dimension;
use crate::model::registry::Municipality;

/// What keeps the campaign from a clean export: per dimension the municipalities without a
/// decision, and the municipalities whose interview is unfinished.
#[derive(Debug)]
pub struct Gaps<'a> {
    pub dims: Vec<(&'a Dimension, Vec<&'a Municipality>)>,
    /// Per dimension the municipalities reviewers have rated with no final decision yet.
    pub awaiting_final: Vec<(&'a Dimension, Vec<&'a Municipality>)>,
    pub unfinished: Vec<&'a Municipality>,
    /// Decisions the answers no longer support, a sentence each.
    pub stale: Vec<String>,
    /// Fields two laptops changed differently, not yet decided, a sentence each.
    pub conflicts: Vec<String>,
    /// Municipalities in the registry.
    pub total: usize,
    /// In a campaign that reproduces a letter already sent ([`AS_SENT`]): per dimension the
    /// municipalities that letter put in no cluster. They are the letter's, not gaps of the
    /// campaign: the annex leaves them out as it did, and the export says so.
    pub as_sent: Vec<(&'a Dimension, Vec<&'a Municipality>)>,
}

/// The fact naming the letter a campaign reproduces as it was sent («письмо Министерства от
/// 18.10.2022 № 10211»): its unassigned municipalities are the letter's.
pub const AS_SENT: &str = "as_sent";

impl Gaps<'_> {
    pub fn is_empty(&self) -> bool {
        self.unfinished.is_empty()
            && self.stale.is_empty()
            && self.conflicts.is_empty()
            && self.dims.iter().all(|(_, ms)| ms.is_empty())
            && self.awaiting_final.iter().all(|(_, ms)| ms.is_empty())
    }

    /// One line per gap, as the annex shows it.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .dims
            .iter()
            .filter(|(_, ms)| !ms.is_empty())
            .map(|(d, ms)| dim_gap_line(d, ms))
            .collect();
        out.extend(
            self.awaiting_final
                .iter()
                .filter(|(_, ms)| !ms.is_empty())
                .map(|(d, ms)| {
                    format!(
                        "Оценены рецензентами, но без окончательного решения по измерению «{}» ({}): {}.",
                        d.title,
                        ms.len(),
                        join_names(ms)
                    )
                }),
        );
        if !self.unfinished.is_empty() {
            out.push(unfinished_line(&self.unfinished, self.total));
        }
        out.extend(self.stale.iter().map(|l| sentence(l)));
        out.extend(self.conflicts.iter().map(|l| sentence(l)));
        out
    }

    /// What the export says of a reproduced letter's unassigned municipalities, one line per
    /// dimension; empty for a campaign of this year.
    pub fn as_sent_lines(&self, letter: &str) -> Vec<String> {
        self.as_sent
            .iter()
            .filter(|(_, ms)| !ms.is_empty())
            .map(|(d, ms)| {
                format!(
                    "как в документе «{letter}», ни к одному кластеру по измерению «{}» не отнесены ({}): {}",
                    d.title,
                    ms.len(),
                    join_names(ms)
                )
            })
            .collect()
    }
}

/// What `sobes check` says about gaps: nothing for a campaign nobody has started, else one
/// line per gap. Gaps are not errors; they stop only an export.
pub fn gap_report(data: &DataSet, campaign: &Campaign) -> Vec<String> {
    if !campaign.records.values().any(Record::is_started) {
        return Vec::new();
    }
    let gaps = gaps(data, campaign);
    let letter = campaign.meta.facts.get(AS_SENT);
    gaps.lines()
        .into_iter()
        .map(|l| format!("пробел: {l}"))
        .chain(letter.map_or(Vec::new(), |l| gaps.as_sent_lines(l)))
        .collect()
}

fn dim_gap_line(d: &Dimension, ms: &[&Municipality]) -> String {
    format!(
        "Не распределены по измерению «{}» ({}): {}.",
        d.title,
        ms.len(),
        join_names(ms)
    )
}

fn unfinished_line(ms: &[&Municipality], total: usize) -> String {
    if ms.len() == total && total > 1 {
        return format!(
            "Не распределены окончательно: собеседование не завершено ни в одном муниципалитете, ответы неполные у всех {total}."
        );
    }
    format!(
        "Не распределены окончательно: собеседование не завершено, ответы неполные ({}): {}.",
        ms.len(),
        join_names(ms)
    )
}

pub fn gaps<'a>(data: &'a DataSet, campaign: &Campaign) -> Gaps<'a> {
    let records: Vec<(&Municipality, std::borrow::Cow<Record>)> = data
        .registry
        .municipalities
        .iter()
        .map(|m| (m, campaign.record_or_empty(&m.id)))
        .collect();
    let without_final = |rated: bool| {
        data.dimensions
            .0
            .iter()
            .map(|d| {
                let missing = records
                    .iter()
                    .filter(|(_, r)| !r.decisions.contains_key(&d.id))
                    .filter(|(_, r)| r.ratings_on(&d.id).next().is_some() == rated)
                    .map(|(m, _)| *m)
                    .collect();
                (d, missing)
            })
            .collect()
    };
    let mut dims = without_final(false);
    let mut as_sent = Vec::new();
    if campaign.meta.facts.contains_key(AS_SENT) {
        as_sent = dims;
        dims = as_sent.iter().map(|(d, _)| (*d, Vec::new())).collect();
    }
    let awaiting_final = without_final(true);
    let unfinished = records
        .iter()
        .filter(|(_, r)| r.derive_status(&data.protocol, &data.dimensions) < Status::Interviewed)
        .map(|(m, _)| *m)
        .collect();
    Gaps {
        dims,
        awaiting_final,
        unfinished,
        stale: crate::model::checks::stale_report(
            campaign,
            &data.registry,
            &data.protocol,
            &data.dimensions,
        ),
        conflicts: conflict_lines(data, campaign),
        total: data.registry.len(),
        as_sent,
    }
}

/// «Конфликт: Уйский МР, methodists: 4 (Анна) или 6 (Борис)».
fn conflict_lines(data: &DataSet, campaign: &Campaign) -> Vec<String> {
    let mut out: Vec<String> = campaign
        .meta
        .conflicts
        .iter()
        .map(|c| {
            let versions: Vec<String> = c
                .versions
                .iter()
                .map(|v| format!("«{}» (устройство {})", v.value, v.device))
                .collect();
            format!(
                "конфликт: кампания, поле «{}»: {} — выберите одно",
                c.field,
                versions.join(" или ")
            )
        })
        .collect();
    for m in &data.registry.municipalities {
        let Some(r) = campaign.record(&m.id) else {
            continue;
        };
        for c in &r.conflicts {
            let what = c.field.words(&data.protocol, &data.dimensions);
            let versions: Vec<String> = c
                .versions
                .iter()
                .map(|v| {
                    let shown = c.field.shown(&v.held, &data.protocol);
                    format!("«{shown}» ({})", if v.by.is_empty() { "?" } else { &v.by })
                })
                .collect();
            out.push(format!(
                "конфликт: {}, {what}: {} — выберите одно",
                m.name,
                versions.join(" или ")
            ));
        }
    }
    out
}

/// The text as a sentence: a capital first letter and a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    let mut out = first + chars.as_str();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}
