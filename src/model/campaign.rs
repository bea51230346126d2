//! A campaign: one autumn's interviews. Per municipality: answers with notes, who and when,
//! the cluster decisions, and the status that follows from them.

pub use super::answer::{Answer, Answers, Value};
use super::clusters::{Dimension, Dimensions};
use super::conflict::{Conflict, Field};
pub use super::decision::Decision;
use super::protocol::Protocol;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The version of the campaign file format this build reads and writes.
pub const FORMAT: u32 = 1;

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    #[default]
    NotStarted,
    InProgress,
    Interviewed,
    Reviewed,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::NotStarted => "не начато",
            Status::InProgress => "идёт",
            Status::Interviewed => "опрошен",
            Status::Reviewed => "распределён",
        }
    }

    pub const ALL: [Status; 4] = [
        Status::NotStarted,
        Status::InProgress,
        Status::Interviewed,
        Status::Reviewed,
    ];
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Record {
    pub format: u32,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interviewer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default)]
    pub answers: Answers,
    #[serde(default)]
    pub decisions: BTreeMap<String, Decision>,
    /// Each reviewer's own cluster per dimension (dimension → reviewer → decision), when a
    /// campaign has several reviewers; keyed by reviewer so two laptops never collide.
    /// `decisions` holds the final ones.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ratings: BTreeMap<String, BTreeMap<String, Decision>>,
    /// Last year's answers to questions that rarely change, offered to confirm; not answers
    /// until confirmed (they count for nothing).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub carried: BTreeMap<String, Value>,
    /// The monitoring's points per indicator («1.3»), as recorded or imported.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scores: BTreeMap<String, Score>,
    /// Fields two laptops changed differently, with every version, until someone decides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

/// A monitoring score with who recorded it and when.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Score {
    pub value: i64,
    pub by: String,
    pub at: String,
}

impl Record {
    pub fn new(id: &str) -> Record {
        Record {
            format: FORMAT,
            id: id.to_string(),
            ..Record::default()
        }
    }

    /// Whether anything has been answered or decided (a note alone does not count).
    pub fn is_started(&self) -> bool {
        self.answers.0.values().any(|a| a.value.is_some()) || !self.decisions.is_empty()
    }

    /// The status that follows from the answers and decisions.
    pub fn derive_status(&self, protocol: &Protocol, dims: &Dimensions) -> Status {
        if !self.is_started() {
            return Status::NotStarted;
        }
        if !protocol.progress(&self.answers).complete() {
            return Status::InProgress;
        }
        if dims.0.iter().all(|d| self.decisions.contains_key(&d.id)) {
            Status::Reviewed
        } else {
            Status::Interviewed
        }
    }

    /// The record as everything but the interview screen reads it: the answers to hidden
    /// questions left out ([`Protocol::live`]); borrowed when nothing is hidden.
    pub fn live(&self, protocol: &Protocol) -> Cow<'_, Record> {
        match protocol.live(&self.answers) {
            Cow::Borrowed(_) => Cow::Borrowed(self),
            Cow::Owned(answers) => Cow::Owned(Record {
                answers,
                ..self.clone()
            }),
        }
    }

    /// The scores' values by indicator.
    pub fn score_values(&self) -> BTreeMap<String, i64> {
        self.scores
            .iter()
            .map(|(k, s)| (k.clone(), s.value))
            .collect()
    }

    /// The reviewers' clusters on a dimension, by reviewer (empty with one reviewer).
    pub fn ratings_on(&self, dimension: &str) -> impl Iterator<Item = (&String, &Decision)> {
        self.ratings.get(dimension).into_iter().flatten()
    }

    /// The cluster every reviewer who rated a dimension chose, when they all chose the same.
    pub fn unanimous(&self, dimension: &str) -> Option<u8> {
        let mut clusters = self.ratings_on(dimension).map(|(_, d)| d.cluster);
        let first = clusters.next()?;
        clusters.all(|c| c == first).then_some(first)
    }

    /// Whether reviewers chose different clusters on a dimension.
    pub fn disagreement(&self, dimension: &str) -> bool {
        self.ratings_on(dimension).next().is_some() && self.unanimous(dimension).is_none()
    }

    /// The state of one dimension for this municipality; of a live record ([`Record::live`]).
    pub fn mark(&self, dim: &Dimension) -> Mark {
        let suggestion = dim.suggested_cluster(&self.answers);
        match (self.decisions.get(&dim.id), suggestion) {
            (Some(d), Some(s)) if s == d.cluster => Mark::Confirmed(d.cluster),
            (Some(d), _) if d.reason.is_some() => Mark::Overridden(d.cluster),
            (Some(d), _) => Mark::Stale(d.cluster),
            (None, Some(s)) => Mark::Suggested(s),
            (None, None) => Mark::Unassigned,
        }
    }
}

/// How a municipality stands on one dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Unassigned,
    /// A rule suggests this cluster; nobody has confirmed it.
    Suggested(u8),
    Confirmed(u8),
    /// Decided against the suggestion, with a reason.
    Overridden(u8),
    /// Decided without a reason, but the answers now suggest something else.
    Stale(u8),
}

impl Mark {
    pub fn decided(self) -> Option<u8> {
        match self {
            Mark::Confirmed(n) | Mark::Overridden(n) | Mark::Stale(n) => Some(n),
            Mark::Unassigned | Mark::Suggested(_) => None,
        }
    }

    /// A short cell for tables: «2», «2?» suggested, «2*» overridden, «2!» stale, «—».
    pub fn cell(self) -> String {
        match self {
            Mark::Unassigned => "—".into(),
            Mark::Suggested(n) => format!("{n}?"),
            Mark::Confirmed(n) => n.to_string(),
            Mark::Overridden(n) => format!("{n}*"),
            Mark::Stale(n) => format!("{n}!"),
        }
    }
}

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
    /// Several reviewers rate each municipality before the final decision.
    pub fn several_reviewers(&self) -> bool {
        self.reviewers.len() > 1
    }

    /// Whether `reviewer` may see the other reviewers' clusters on a dimension of `record`:
    /// always with open review, otherwise once they have rated it themselves.
    pub fn may_see_others(&self, record: &Record, dimension: &str, reviewer: &str) -> bool {
        let me = person_key(reviewer);
        self.open_review
            || !self.several_reviewers()
            || record
                .ratings
                .get(dimension)
                .is_some_and(|r| r.keys().any(|k| !me.is_empty() && person_key(k) == me))
    }

    /// Whether a final decision on a dimension is kept from `reviewer` by the blind rule:
    /// one taken with no rating at all (before the list of reviewers was set) would show a
    /// reviewer who has not rated yet someone's cluster. A final taken after ratings is the
    /// panel's and shows to everyone.
    pub fn hides_decision(&self, record: &Record, dimension: &str, reviewer: &str) -> bool {
        record.decisions.contains_key(dimension)
            && record.ratings_on(dimension).next().is_none()
            && !self.may_see_others(record, dimension, reviewer)
    }

    /// The list's spelling of `name`, when the list names that person.
    pub fn listed_reviewer(&self, name: &str) -> Option<&str> {
        let key = person_key(name);
        if let Some(exact) = self.reviewers.iter().find(|r| person_key(r) == key) {
            return Some(exact);
        }
        // «петрова», «Петрова Б.Б.», «Петрова Б»: the surname and what initials were typed,
        // when only one person on the list fits them.
        let letters = |s: &str| -> Vec<String> {
            person_key(s)
                .split(|c: char| c.is_whitespace() || c == '.')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        };
        let typed = letters(name);
        let (surname, initials) = typed.split_first()?;
        let initials: String = initials.concat();
        let mut fits = self.reviewers.iter().filter(|r| {
            let theirs = letters(r);
            theirs.first() == Some(surname) && theirs[1..].concat().starts_with(&initials)
        });
        match (fits.next(), fits.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }

    /// How `name` is written beside a rating or a decision: the list's spelling. A campaign
    /// that names its reviewers takes no one else's clusters, or a typo would become one
    /// more reviewer in the agreement; one that names nobody takes any name, tidied.
    pub fn reviewer_for_writing(&self, name: &str) -> Result<String, String> {
        if self.reviewers.is_empty() {
            return Ok(tidy_name(name));
        }
        self.listed_reviewer(name)
            .map(str::to_string)
            .ok_or_else(|| {
                format!(
                    "«{}» нет в списке рецензентов кампании: {}",
                    tidy_name(name),
                    self.reviewers.join("; ")
                )
            })
    }

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
        no_controls(value).map_err(|e| format!("{what}: {e}"))?;
        match key {
            TITLE => {
                if value.is_empty() {
                    return Err(format!("{what}: не может быть пустым"));
                }
                self.title = value.to_string();
                Ok(value.to_string())
            }
            REVIEWERS => {
                self.reviewers = parse_reviewers(value).map_err(|e| format!("{what}: {e}"))?;
                Ok(self.reviewers.join("; "))
            }
            OPEN_REVIEW => {
                self.open_review = match value.to_lowercase().as_str() {
                    "да" | "yes" | "1" | "открыто" => true,
                    "нет" | "no" | "0" | "вслепую" | "" => false,
                    _ => {
                        return Err(format!("{what}: ожидалось «да» или «нет», а не «{value}»"));
                    }
                };
                Ok(if self.open_review { "да" } else { "нет" }.into())
            }
            PREVIOUS => {
                self.previous = (!value.is_empty()).then(|| value.to_string());
                Ok(value.to_string())
            }
            START | END => {
                let date = if value.is_empty() {
                    None
                } else {
                    Some(parse_date(value).map_err(|e| format!("{what}: {e}"))?)
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
                        "{what}: собеседования не могут закончиться ({}) раньше, чем начались ({})",
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
            _ if FACTS.iter().any(|(k, _)| *k == key) => {
                let value = if value.is_empty() {
                    String::new()
                } else {
                    match fact_kind(key) {
                        FactKind::Date => {
                            show_date(parse_date(value).map_err(|e| format!("{what}: {e}"))?)
                        }
                        FactKind::Year => parse_year(value)
                            .map_err(|e| format!("{what}: {e}"))?
                            .to_string(),
                        FactKind::Period => {
                            let (a, b) = parse_period(value).map_err(|e| format!("{what}: {e}"))?;
                            format!("{a}–{b}")
                        }
                        FactKind::Text => value.to_string(),
                    }
                };
                if value.is_empty() {
                    self.facts.remove(key);
                } else {
                    self.facts.insert(key.to_string(), value.clone());
                }
                Ok(value)
            }
            _ => {
                let known: Vec<String> = SETTINGS
                    .iter()
                    .chain(FACTS)
                    .map(|(k, what)| format!("{k} — {what}"))
                    .collect();
                Err(format!(
                    "нет такой настройки или факта письма «{key}»; есть:\n  {}",
                    known.join("\n  ")
                ))
            }
        }
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

/// A person's name as compared: case, ё and е, surrounding and repeated spaces do not
/// matter («Семёнова», «семенова », «Семенова» are one person). The one comparison of
/// reviewers' names, wherever they meet.
pub fn person_key(name: &str) -> String {
    super::collate::fold(name)
}

/// A control character in a fact or a name ends up in the documents and their properties,
/// which Word then refuses to open.
fn no_controls(value: &str) -> Result<(), String> {
    match value.chars().find(|c| c.is_control()) {
        Some(c) => Err(format!(
            "недопустимый управляющий символ U+{:04X}; введите значение заново",
            c as u32
        )),
        None => Ok(()),
    }
}

/// A name as kept: without surrounding and repeated spaces, letters as typed.
pub fn tidy_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The reviewers' list as typed («Иванова; Петрова»): an empty value is no list; an empty
/// name or one person twice is refused, since either would count as a reviewer of its own.
pub fn parse_reviewers(value: &str) -> Result<Vec<String>, String> {
    no_controls(value)?;
    if value.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut list: Vec<String> = Vec::new();
    for name in value.split([';', ',']).map(tidy_name) {
        if name.is_empty() {
            return Err(format!(
                "пустое имя в списке «{}»: между разделителями («;» или «,») должно стоять имя",
                value.trim()
            ));
        }
        if let Some(same) = list.iter().find(|n| person_key(n) == person_key(&name)) {
            return Err(format!(
                "«{same}» и «{name}» — одно имя (регистр, пробелы и ё/е не различаются); оставьте его один раз"
            ));
        }
        list.push(name);
    }
    Ok(list)
}

/// Whose eyes a reading command shows the reviewers' clusters to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reader {
    /// A reviewer (or someone unnamed, as the empty name): the blind rule applies.
    Reviewer(String),
    /// Asked for explicitly (the coordinator): every rating.
    All,
}

impl Reader {
    /// Whether this reader may see `rater`'s cluster on a dimension of `record`: their own
    /// always, the others' as [`Meta::may_see_others`] says.
    pub fn may_see(&self, meta: &Meta, record: &Record, dimension: &str, rater: &str) -> bool {
        match self {
            Reader::All => true,
            Reader::Reviewer(me) => {
                (!me.trim().is_empty() && person_key(me) == person_key(rater))
                    || meta.may_see_others(record, dimension, me)
            }
        }
    }
}

/// A setting's or a fact's Russian name, for messages.
pub fn field_name(key: &str) -> String {
    SETTINGS
        .iter()
        .chain(FACTS)
        .find(|(k, _)| *k == key)
        // The description up to what explains it: «дата письма (ДД.ММ.ГГГГ)», «рецензенты
        // через «;»; с двумя и более …».
        .map(|(_, what)| {
            what.split([';', '('])
                .next()
                .unwrap_or(what)
                .trim_end_matches([' ', '«', '»'])
                .trim_end_matches(" через")
                .to_string()
        })
        .unwrap_or_else(|| key.to_string())
}

/// What a fact holds, for checking it where it is typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactKind {
    Date,
    Year,
    Period,
    Text,
}

pub fn fact_kind(key: &str) -> FactKind {
    match key {
        "letter_date" | "outgoing_date" => FactKind::Date,
        "plan_year" | "plan_next_year" | "monitoring_year" => FactKind::Year,
        "plan_period" => FactKind::Period,
        _ => FactKind::Text,
    }
}

/// A date typed as ДД.ММ.ГГГГ (or as stored, ГГГГ-ММ-ДД).
pub fn parse_date(value: &str) -> Result<jiff::civil::Date, String> {
    jiff::civil::Date::strptime("%d.%m.%Y", value.trim())
        .or_else(|_| value.trim().parse::<jiff::civil::Date>())
        .map_err(|_| match no_such_day(value.trim()) {
            Some(why) => format!("такой даты нет: {why} («{value}»)"),
            None => format!("ожидалась дата ДД.ММ.ГГГГ (например, 14.09.2026), а не «{value}»"),
        })
}

/// For a date typed in the right form that the calendar does not have (31.02.2027): why.
fn no_such_day(value: &str) -> Option<String> {
    let mut parts = value.split('.');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || d.len() != 2 || m.len() != 2 || y.len() != 4 {
        return None;
    }
    let (d, m, y): (i8, i8, i16) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
    if !(1..=12).contains(&m) {
        return Some(format!("месяца {m:02} нет, месяцев 12"));
    }
    let days = jiff::civil::Date::new(y, m, 1).ok()?.days_in_month();
    const MONTHS: [&str; 12] = [
        "январе",
        "феврале",
        "марте",
        "апреле",
        "мае",
        "июне",
        "июле",
        "августе",
        "сентябре",
        "октябре",
        "ноябре",
        "декабре",
    ];
    (d < 1 || d > days).then(|| {
        format!(
            "в {} {y} года {days} {}",
            MONTHS[(m - 1) as usize],
            ["день", "дня", "дней"][super::collate::plural_index(days as usize)]
        )
    })
}

/// A date as it is typed and printed: ДД.ММ.ГГГГ.
pub fn show_date(d: jiff::civil::Date) -> String {
    format!("{:02}.{:02}.{:04}", d.day(), d.month(), d.year())
}

/// A period of plans: two years through a dash, the second later than the first.
pub fn parse_period(value: &str) -> Result<(i32, i32), String> {
    let (a, b) = value
        .split_once(['–', '-', '—'])
        .ok_or_else(|| format!("ожидались годы через тире («2025–2026»), а не «{value}»"))?;
    let (a, b) = (parse_year(a.trim())?, parse_year(b.trim())?);
    if b <= a {
        return Err(format!("второй год ({b}) должен быть позже первого ({a})"));
    }
    Ok((a, b))
}

/// A date as kept in a campaign (ГГГГ-ММ-ДД, or as typed in an older file) as people read
/// it: ДД.ММ.ГГГГ; what is not a date, as written.
pub fn show_stored_date(stored: &str) -> String {
    parse_date(stored).map_or_else(|_| stored.to_string(), show_date)
}

/// A year of plans: four digits, 2000–2100.
pub fn parse_year(value: &str) -> Result<i32, String> {
    match value.trim().parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) && value.trim().len() == 4 => Ok(y),
        _ => Err(format!(
            "ожидался год из четырёх цифр (например, 2026), а не «{value}»"
        )),
    }
}

const TITLE: &str = "title";
const REVIEWERS: &str = "reviewers";
const OPEN_REVIEW: &str = "open_review";
const START: &str = "start";
pub const PREVIOUS: &str = "previous";
const END: &str = "end";

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

/// The campaign's settings besides the letter's facts, with what each is.
pub const SETTINGS: &[(&str, &str)] = &[
    (TITLE, "название кампании"),
    (START, "первый день собеседований (ДД.ММ.ГГГГ)"),
    (END, "последний день собеседований (ДД.ММ.ГГГГ)"),
    (
        PREVIOUS,
        "папка прошлогодней кампании, с которой сравнивать",
    ),
    (
        REVIEWERS,
        "рецензенты через «;»; с двумя и более каждый ставит свой кластер, затем — окончательное решение",
    ),
    (
        OPEN_REVIEW,
        "«да» — рецензенты видят чужие кластеры сразу; «нет» (по умолчанию) — только после своего",
    ),
];

/// The facts a letter needs, with what each is; a missing one prints as a blank to fill.
pub const FACTS: &[(&str, &str)] = &[
    ("letter_number", "номер письма Министерства"),
    ("letter_date", "дата письма (ДД.ММ.ГГГГ)"),
    (
        "program_letter",
        "письмо, которым доведена программа собеседования («от … № …»)",
    ),
    (
        "monitoring_year",
        "год мониторинга, с которым сопоставлены итоги",
    ),
    ("plan_year", "год, на который составляются планы («2023»)"),
    ("plan_next_year", "следующий год, на перспективу («2024»)"),
    ("plan_period", "период планов («2023–2024»)"),
    (
        "deadline_active_regulation",
        "срок: положение о региональном методическом активе",
    ),
    (
        "deadline_consulting",
        "срок: методический консалтинг по дорожным картам",
    ),
    (
        "deadline_site_section",
        "срок: раздел сайта для регионального актива",
    ),
    (
        "deadline_mms_internships",
        "срок: график стажировок руководителей ММС",
    ),
    (
        "deadline_council",
        "срок: совет руководителей ММС и план его работы",
    ),
    (
        "deadline_other_regions",
        "срок: план стажировок в других субъектах РФ",
    ),
    (
        "deadline_courses",
        "срок: курсы повышения квалификации для команд ММС",
    ),
    (
        "deadline_meetings",
        "срок: план информационно-методических совещаний",
    ),
    ("deadline_roadmap", "срок: дорожные карты муниципалитетов"),
    (
        "deadline_active_plan",
        "срок: нормативная база и план муниципального актива",
    ),
    (
        "ministry",
        "Министерство в родительном падеже («Министерства образования и науки …»)",
    ),
    ("institute", "институт, полное название"),
    ("institute_short", "институт, краткое название"),
    (
        "region_genitive",
        "регион в родительном падеже («Челябинской области»)",
    ),
    (
        "model_order",
        "приказ, которым утверждена модель методической работы, в творительном падеже («приказом Министерства от … № …»)",
    ),
    (
        "signer_position",
        "должность подписывающего письма муниципалитетам («Ректор ГБУ ДПО ЧИППКРО»)",
    ),
    (
        "signer_name",
        "подписывающий письма муниципалитетам: инициалы и фамилия",
    ),
    (
        "institute_address",
        "бланк письма муниципалитетам: почтовый адрес института",
    ),
    (
        "institute_contacts",
        "бланк письма муниципалитетам: телефон и e-mail института",
    ),
    (
        "outgoing_number",
        "исходящий номер писем института муниципалитетам",
    ),
    (
        "outgoing_date",
        "дата писем института муниципалитетам (ДД.ММ.ГГГГ)",
    ),
    (
        "executor",
        "исполнитель писем муниципалитетам: фамилия, инициалы, телефон",
    ),
    (
        "monitoring_order",
        "приказ, которым утверждены итоги мониторинга, в творительном падеже («приказом Министерства от … № …»)",
    ),
];

/// Facts that stay with the people, not the year: a new campaign made after last year's
/// takes them from it (shown, to confirm); the letter's number, date, deadlines and years
/// are this year's own and never carry.
pub const STANDING_FACTS: &[&str] = &[
    "ministry",
    "institute",
    "institute_short",
    "region_genitive",
    "model_order",
    "signer_position",
    "signer_name",
    "institute_address",
    "institute_contacts",
    "executor",
];

/// How a missing fact reads in the letter: a blank to fill in by hand, never a stale value.
pub const BLANK: &str = "____";

/// A campaign in memory: a record for every municipality of the registry, in registry order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Campaign {
    pub meta: Meta,
    pub records: BTreeMap<String, Record>,
    /// Last year's outcome, attached when the campaign names last year's campaign, so the
    /// letter can say who moved.
    pub last_year: Option<LastYear>,
}

/// A reviewer renamed ([`Campaign::rename_reviewer`]): the campaign's settings and the
/// records to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Renamed {
    pub meta: Meta,
    pub records: Vec<Record>,
    pub from: String,
    pub to: String,
    /// Ratings that moved to the new name.
    pub moved: usize,
}

/// Last year's final clusters and monitoring levels, by municipality; read from last year's
/// campaign by [`LastYear::of`] (in [`crate::model::compare`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LastYear {
    /// Last year's campaign's title.
    pub title: String,
    /// Municipality → dimension → cluster.
    pub clusters: BTreeMap<String, BTreeMap<String, u8>>,
    /// Municipality → the overall monitoring level's index (from the lowest).
    pub levels: BTreeMap<String, usize>,
    /// Municipality → where its level came from (points, or the interview's answer).
    pub sources: BTreeMap<String, LevelSource>,
}

impl LastYear {
    /// Last year's final cluster of a municipality on a dimension.
    pub fn cluster(&self, id: &str, dim: &str) -> Option<u8> {
        self.clusters.get(id)?.get(dim).copied()
    }

    /// Last year's overall monitoring level (its index) of a municipality.
    pub fn level(&self, id: &str) -> Option<usize> {
        self.levels.get(id).copied()
    }
}

/// Where a municipality's monitoring level comes from: the points imported, or, where it
/// has none, the interview's own answer (`monitoring_level`), the level staff know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LevelSource {
    Scores,
    Interview,
}

impl LevelSource {
    /// The source in words, for a report.
    pub fn words(self) -> &'static str {
        match self {
            LevelSource::Scores => "по баллам",
            LevelSource::Interview => "по собеседованию",
        }
    }
}

impl Campaign {
    /// The named reviewers, then anyone else who has rated, in first-seen order.
    pub fn reviewers(&self) -> Vec<String> {
        let mut out = self.meta.reviewers.clone();
        let named = out.len();
        // A handful of reviewers over thousands of records: a short list beats a set.
        for who in self
            .records
            .values()
            .flat_map(|r| r.ratings.values().flat_map(|m| m.keys()))
        {
            if !out.contains(who) {
                out.push(who.clone());
            }
        }
        out[named..].sort();
        out
    }

    /// The campaign as `reader` may read it: the ratings the blind rule hides from them left
    /// out (final decisions stay), and how many were left out. Borrowed when none is.
    pub fn seen_by(&self, reader: &Reader) -> (Cow<'_, Campaign>, usize) {
        let hidden = |r: &Record| {
            r.ratings
                .iter()
                .flat_map(|(d, by)| by.keys().map(move |who| (d, who)))
                .filter(|(d, who)| !reader.may_see(&self.meta, r, d, who))
                .count()
        };
        let count: usize = self.records.values().map(hidden).sum();
        if count == 0 {
            return (Cow::Borrowed(self), 0);
        }
        let mut seen = self.clone();
        for (id, record) in seen.records.iter_mut() {
            let Some(original) = self.records.get(id) else {
                continue;
            };
            for (d, by) in record.ratings.iter_mut() {
                by.retain(|who, _| reader.may_see(&self.meta, original, d, who));
            }
            record.ratings.retain(|_, by| !by.is_empty());
        }
        (Cow::Owned(seen), count)
    }

    /// Renames a reviewer: `old` on the list (or a name someone rated under that is not on
    /// it) becomes `new`, and every rating under any spelling of `old` moves to `new` with
    /// its cluster, reason and time. A rename is a relabel of the whole campaign, not a
    /// change of clusters: no rating is re-decided, so an override's reason and time stay
    /// as given. Refused, with nothing changed, when it would join two people's ratings of
    /// one municipality (named with `name_of`). Records returned are only those that change.
    pub fn rename_reviewer(
        &self,
        old: &str,
        new: &str,
        name_of: &dyn Fn(&str) -> String,
    ) -> Result<Renamed, String> {
        let list = self.meta.reviewers.join("; ");
        if self.meta.reviewers.is_empty() {
            return Err("в кампании нет списка рецензентов: задайте его (sobes campaign set reviewers \"Иванова; Петрова\")".into());
        }
        // One name, as an entry of the list would be: «Вера, Галина» is two people.
        let to = match parse_reviewers(new) {
            Ok(names) if names.len() == 1 => names[0].clone(),
            Ok(names) if names.is_empty() => return Err("новое имя рецензента пустое".into()),
            Ok(_) => {
                return Err(format!(
                    "новое имя рецензента «{}» — это несколько имён (через «;» или «,»); укажите одно",
                    new.trim()
                ));
            }
            Err(e) => return Err(format!("новое имя рецензента: {e}")),
        };
        let old_key = person_key(old);
        let listed_old = self.meta.listed_reviewer(old).map(str::to_string);
        let listed_new = self.meta.listed_reviewer(&to).map(str::to_string);
        let rated_as_old = self
            .records
            .values()
            .flat_map(|r| r.ratings.values().flat_map(|by| by.keys()))
            .any(|k| person_key(k) == old_key);
        let (from, to, reviewers) = match (&listed_old, &listed_new) {
            (Some(from), Some(other)) if person_key(from) != person_key(other) => {
                return Err(format!(
                    "«{other}» уже в списке рецензентов ({list}): переименование соединило бы оценки двух людей"
                ));
            }
            (Some(from), _) => {
                let reviewers: Vec<String> = self
                    .meta
                    .reviewers
                    .iter()
                    .map(|r| if r == from { to.clone() } else { r.clone() })
                    .collect();
                (from.clone(), to, reviewers)
            }
            // Ratings under a name that is not on the list go to someone who is.
            (None, Some(listed)) if rated_as_old => {
                (tidy_name(old), listed.clone(), self.meta.reviewers.clone())
            }
            (None, None) if rated_as_old => {
                return Err(format!(
                    "«{to}» нет в списке рецензентов ({list}): оценки «{}» можно перенести только рецензенту из списка",
                    tidy_name(old)
                ));
            }
            (None, _) => {
                return Err(format!(
                    "«{}» нет в списке рецензентов кампании: {list}",
                    tidy_name(old)
                ));
            }
        };
        let mut records = Vec::new();
        let mut collisions = Vec::new();
        let mut moved = 0;
        for (id, record) in &self.records {
            let mut changed = record.clone();
            for (d, by) in changed.ratings.iter_mut() {
                let sources: Vec<String> = by
                    .keys()
                    .filter(|k| person_key(k) == old_key)
                    .cloned()
                    .collect();
                if sources.is_empty() || sources == [to.clone()] {
                    continue;
                }
                let taken = by.contains_key(&to) && !sources.contains(&to);
                if taken || sources.len() > 1 {
                    collisions.push(format!("{} ({d})", name_of(id)));
                    continue;
                }
                for k in sources {
                    if let Some(rating) = by.remove(&k) {
                        by.insert(to.clone(), rating);
                        moved += 1;
                    }
                }
            }
            for c in changed.conflicts.iter_mut() {
                if let Field::Rating(_, who) = &mut c.field
                    && person_key(who) == old_key
                {
                    *who = to.clone();
                }
            }
            if changed != *record {
                records.push(changed);
            }
        }
        if !collisions.is_empty() {
            return Err(format!(
                "у «{to}» уже есть своя оценка там же, где у «{from}»: {}; сначала уберите одну из них",
                collisions.join(", ")
            ));
        }
        if reviewers == self.meta.reviewers && records.is_empty() {
            return Err(format!(
                "«{from}» уже записан как «{to}»: переименовывать нечего"
            ));
        }
        let mut meta = self.meta.clone();
        meta.reviewers = reviewers;
        Ok(Renamed {
            meta,
            records,
            from,
            to,
            moved,
        })
    }

    /// Who has rated without being on the campaign's list (left it, or a name typed another
    /// way before names were checked), with where: (name, municipality id, dimension).
    /// They still count in the agreement, each as a reviewer of their own.
    pub fn unlisted_ratings(&self) -> Vec<(String, String, String)> {
        if self.meta.reviewers.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (id, record) in &self.records {
            for (d, by) in &record.ratings {
                for who in by.keys() {
                    if !self.meta.reviewers.contains(who) {
                        out.push((who.clone(), id.clone(), d.clone()));
                    }
                }
            }
        }
        out
    }

    pub fn record(&self, id: &str) -> Option<&Record> {
        self.records.get(id)
    }

    /// The record, borrowed, or an empty one for a municipality nobody has started.
    pub fn record_or_empty(&self, id: &str) -> Cow<'_, Record> {
        match self.records.get(id) {
            Some(r) => Cow::Borrowed(r),
            None => Cow::Owned(Record::new(id)),
        }
    }

    /// Gives every listed municipality without a file an empty record.
    pub fn add_missing<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) {
        for id in ids {
            if !self.records.contains_key(id) {
                self.records.insert(id.to_string(), Record::new(id));
            }
        }
    }

    pub fn record_mut(&mut self, id: &str) -> &mut Record {
        self.records
            .entry(id.to_string())
            .or_insert_with(|| Record::new(id))
    }
}
