//! The campaign's settings and the facts of its letter ([`Meta`]): setting one by key with
//! its value checked, showing one, and the facts that contradict each other.

use super::fields::{
    END, FACTS, FactKind, OPEN_REVIEW, PREVIOUS, REVIEWERS, SETTINGS, START, TITLE, fact_kind,
    field_name, no_controls, parse_date, parse_period, parse_reviewers, parse_year, show_date,
    show_stored_date,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Meta {
    pub format: u32,
    /// What tells this campaign from any other on one hub (last year's and this year's from
    /// one laptop): made with the campaign, carried by those who join it. Campaigns made
    /// before it get one at their first sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub title: String,
    pub region: String,
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
    pub protocol_id: String,
    pub protocol_version: u32,
    /// The facts of this year's letter (number, date, deadlines …), by key ([`FACTS`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, String>,
    /// Who puts municipalities into clusters. With two or more, each records their own
    /// cluster and a final decision follows; with one or none, a decision is final at once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviewers: Vec<String>,
    /// Whether a reviewer sees the others' clusters before deciding; off (blind) by default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub open_review: bool,
    /// Last year's campaign (its folder), to compare with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// Campaign fields two laptops changed differently: this laptop's value stays in the
    /// field and every version is here until someone sets the field again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<FieldConflict>,
}

impl Meta {
    /// Sets a setting or a fact of the letter (see [`Meta::set_value`]); setting a field in
    /// conflict decides it.
    pub fn set(&mut self, key: &str, value: &str) -> Result<String, String> {
        let shown = self.set_value(key, value)?;
        self.conflicts.retain(|c| c.field != key);
        Ok(shown)
    }

    /// Sets a setting or a fact of the letter by key; an empty value clears it. The reply
    /// is the value as stored, for the user to see.
    fn set_value(&mut self, key: &str, value: &str) -> Result<String, String> {
        let value = value.trim();
        let what = field_name(key);
        let named = |e: String| format!("{what}: {e}");
        no_controls(value).map_err(named)?;
        match key {
            TITLE => {
                if value.is_empty() {
                    return Err(format!("{what}: не может быть пустым"));
                }
                self.title = value.to_string();
                Ok(value.to_string())
            }
            REVIEWERS => {
                self.reviewers = parse_reviewers(value).map_err(named)?;
                Ok(self.reviewers.join("; "))
            }
            OPEN_REVIEW => {
                self.open_review = parse_open_review(value).map_err(named)?;
                Ok(if self.open_review { "да" } else { "нет" }.into())
            }
            PREVIOUS => {
                self.previous = (!value.is_empty()).then(|| value.to_string());
                Ok(value.to_string())
            }
            START | END => self.set_day(key, value).map_err(named),
            _ if FACTS.iter().any(|(k, _)| *k == key) => self.set_fact(key, value).map_err(named),
            _ => Err(unknown_field(key)),
        }
    }

    /// Sets the first or the last day of the interviews, which may not end before they begin.
    fn set_day(&mut self, key: &str, value: &str) -> Result<String, String> {
        let date = if value.is_empty() {
            None
        } else {
            Some(parse_date(value)?)
        };
        // The other date is only read, to compare: it stays as it is stored.
        let other = |d: &Option<String>| d.as_deref().and_then(|d| parse_date(d).ok());
        let (start, end) = if key == START {
            (date, other(&self.end))
        } else {
            (other(&self.start), date)
        };
        if let (Some(s), Some(e)) = (start, end)
            && s > e
        {
            return Err(format!(
                "собеседования не могут закончиться ({}) раньше, чем начались ({})",
                show_date(e),
                show_date(s)
            ));
        }
        let stored = date.map(|d| d.to_string());
        if key == START {
            self.start = stored;
        } else {
            self.end = stored;
        }
        Ok(date.map(show_date).unwrap_or_default())
    }

    /// Sets a fact of the letter, kept as people write it: a date as ДД.ММ.ГГГГ, a period
    /// with its dash.
    fn set_fact(&mut self, key: &str, value: &str) -> Result<String, String> {
        let value = match fact_kind(key) {
            _ if value.is_empty() => String::new(),
            FactKind::Date => show_date(parse_date(value)?),
            FactKind::Year => parse_year(value)?.to_string(),
            FactKind::Period => {
                let (a, b) = parse_period(value)?;
                format!("{a}–{b}")
            }
            FactKind::Text => value.to_string(),
        };
        if value.is_empty() {
            self.facts.remove(key);
        } else {
            self.facts.insert(key.to_string(), value.clone());
        }
        Ok(value)
    }

    /// A setting as `sobes campaign show` prints it: dates as they are typed (ДД.ММ.ГГГГ).
    pub fn setting(&self, key: &str) -> String {
        let date = |d: &Option<String>| d.as_deref().map(show_stored_date).unwrap_or_default();
        match key {
            REVIEWERS => self.reviewers.join("; "),
            OPEN_REVIEW => if self.open_review { "да" } else { "нет" }.into(),
            TITLE => self.title.clone(),
            START => date(&self.start),
            PREVIOUS => self.previous.clone().unwrap_or_default(),
            END => date(&self.end),
            _ => String::new(),
        }
    }

    /// Facts and settings that contradict each other, in words, for `sobes check`.
    pub fn contradictions(&self) -> Vec<String> {
        let mut out = Vec::new();
        let date = |d: Option<&str>| d.and_then(|d| parse_date(d).ok());
        let (start, end) = (date(self.start.as_deref()), date(self.end.as_deref()));
        if let (Some(s), Some(e)) = (start, end)
            && s > e
        {
            out.push(format!(
                "собеседования кончаются ({}) раньше, чем начинаются ({})",
                show_date(e),
                show_date(s)
            ));
        }
        if let (Some(letter), Some(e)) =
            (date(self.facts.get("letter_date").map(String::as_str)), end)
            && letter < e
        {
            out.push(format!(
                "дата письма ({}) раньше последнего дня собеседований ({})",
                show_date(letter),
                show_date(e)
            ));
        }
        let year = |k: &str| self.facts.get(k).and_then(|v| parse_year(v).ok());
        if let (Some(a), Some(b)) = (year("plan_year"), year("plan_next_year"))
            && b != a + 1
        {
            out.push(format!(
                "{} ({b}) — не следующий год после года планов ({a})",
                field_name("plan_next_year")
            ));
        }
        if let (Some(a), Some(period)) = (year("plan_year"), self.facts.get("plan_period"))
            && let Ok((p, q)) = parse_period(period)
            && !(p..=q).contains(&a)
        {
            out.push(format!(
                "год планов ({a}) не входит в период планов ({period})"
            ));
        }
        if let (Some(s), Some(a)) = (start, year("plan_year"))
            && a < s.year() as i32
        {
            out.push(format!(
                "год планов ({a}) раньше года собеседований ({})",
                s.year()
            ));
        }
        out
    }
}

/// Open review as typed: «да» or «нет» (blind, the default), in a few spellings.
fn parse_open_review(value: &str) -> Result<bool, String> {
    match value.to_lowercase().as_str() {
        "да" | "yes" | "1" | "открыто" => Ok(true),
        "нет" | "no" | "0" | "вслепую" | "" => Ok(false),
        _ => Err(format!("ожидалось «да» или «нет», а не «{value}»")),
    }
}

/// A key that is neither a setting nor a fact, with the list of those there are.
fn unknown_field(key: &str) -> String {
    let known: Vec<String> = SETTINGS
        .iter()
        .chain(FACTS)
        .map(|(k, what)| format!("{k} — {what}"))
        .collect();
    format!(
        "нет такой настройки или факта письма «{key}»; есть:\n  {}",
        known.join("\n  ")
    )
}

/// A campaign field (a setting or a fact of the letter, by its key) changed differently on
/// two devices.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct FieldConflict {
    pub field: String,
    pub versions: Vec<FieldVersion>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct FieldVersion {
    pub value: String,
    pub device: String,
}
