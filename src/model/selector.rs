//! Selectors: which municipalities a list of the annex names. A selector reads the campaign
//! (answers, decisions, status) and the registry; the result is always in registry order
//! (Russian alphabetical order of canonical names), so nothing depends on typing order.

use super::campaign::{Campaign, Record, Status};
use super::checks::check_condition;
use super::clusters::Dimensions;
use super::condition::Condition;
use super::protocol::Protocol;
use super::registry::{Municipality, Registry};
use super::source::{Source, SourceError, locate_field};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub enum Selector {
    /// Every municipality of the registry.
    Everyone,
    All(Vec<Selector>),
    Any(Vec<Selector>),
    Not(Box<Selector>),
    /// The decided cluster on a dimension is this number.
    Cluster(String, u8),
    /// No decision on the dimension yet.
    Unassigned(String),
    /// A condition over the recorded answers, as in the protocol and cluster rules.
    Answer(Condition),
    Flag(Flag),
    /// The kind of municipality from the registry («ГО», «МР»).
    Kind(String),
    /// The members of another list of the same template.
    List(String),
    /// Last year's final cluster on a dimension was this number (nobody when the campaign
    /// names no last year's campaign).
    ClusterLastYear(String, u8),
    /// The overall monitoring level is higher than last year's.
    MonitoringRose,
    /// The overall monitoring level is lower than last year's.
    MonitoringFell,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub enum Flag {
    /// Some answer or decision is recorded.
    Started,
    /// Every required question on the path is answered.
    Interviewed,
    /// Interviewed and decided on every dimension.
    Reviewed,
    /// The decision on this dimension differs from the suggestion and carries a reason.
    Overridden(String),
    /// Decided on this dimension, but the answers now suggest another cluster.
    Stale(String),
}

/// A named list: the key the template's placeholders use, what it means, and its selector.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct ListDef {
    pub key: String,
    #[serde(default)]
    pub about: String,
    /// How the list is named inside a sentence (`{ranked:…}`); `about` when absent.
    #[serde(default)]
    pub label: Option<String>,
    pub select: Selector,
}

/// Everything a selector reads.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub registry: &'a Registry,
    pub protocol: &'a Protocol,
    pub dims: &'a Dimensions,
    pub campaign: &'a Campaign,
    pub lists: &'a [ListDef],
    pub monitoring: &'a super::monitoring::Monitoring,
}

impl<'a> Scope<'a> {
    /// The members of the list `key`, in registry order; `None` for an unknown key or a
    /// list that refers to itself.
    pub fn list(&self, key: &str) -> Option<Vec<&'a Municipality>> {
        let def = self.lists.iter().find(|l| l.key == key)?;
        self.select(&def.select)
    }

    /// Every list at once, in one pass over the municipalities: each record is made live
    /// once and each list evaluated once per municipality (lists that use other lists share
    /// the results). A list that refers to itself or an unknown list is empty.
    pub fn all_lists(&self) -> Vec<(&'a str, Vec<&'a Municipality>)> {
        let mut out: Vec<(&'a str, Vec<&'a Municipality>)> = self
            .lists
            .iter()
            .map(|l| (l.key.as_str(), Vec::new()))
            .collect();
        let mut memo = HashMap::new();
        for m in &self.registry.municipalities {
            let record = self.campaign.record_or_empty(&m.id);
            let record = record.live(self.protocol);
            memo.clear();
            for (i, l) in self.lists.iter().enumerate() {
                let memo_key = (l.key.clone(), m.id.clone());
                let holds = match memo.get(&memo_key) {
                    Some(v) => Some(*v),
                    None => self.holds(&l.select, m, &record, &mut memo, 0),
                };
                if let Some(v) = holds {
                    memo.insert(memo_key, v);
                    if v {
                        out[i].1.push(m);
                    }
                }
            }
        }
        out
    }

    /// The municipalities a selector picks, in registry order; `None` when it refers to an
    /// unknown list or the lists refer to each other in a circle.
    pub fn select(&self, selector: &Selector) -> Option<Vec<&'a Municipality>> {
        let mut memo = HashMap::new();
        let mut out = Vec::new();
        for m in &self.registry.municipalities {
            let record = self.campaign.record_or_empty(&m.id);
            let record = record.live(self.protocol);
            if self.holds(selector, m, &record, &mut memo, 0)? {
                out.push(m);
            }
        }
        Some(out)
    }

    fn holds(
        &self,
        s: &Selector,
        m: &Municipality,
        record: &Record,
        memo: &mut HashMap<(String, String), bool>,
        depth: usize,
    ) -> Option<bool> {
        if depth > 64 {
            return None;
        }
        Some(match s {
            Selector::Everyone => true,
            Selector::All(ss) => {
                for s in ss {
                    if !self.holds(s, m, record, memo, depth + 1)? {
                        return Some(false);
                    }
                }
                true
            }
            Selector::Any(ss) => {
                for s in ss {
                    if self.holds(s, m, record, memo, depth + 1)? {
                        return Some(true);
                    }
                }
                false
            }
            Selector::Not(s) => !self.holds(s, m, record, memo, depth + 1)?,
            Selector::Cluster(dim, n) => record.decisions.get(dim).is_some_and(|d| d.cluster == *n),
            Selector::Unassigned(dim) => !record.decisions.contains_key(dim),
            Selector::Answer(c) => c.holds(&record.answers),
            Selector::Flag(f) => self.flag(f, record),
            Selector::Kind(k) => &m.kind == k,
            Selector::ClusterLastYear(dim, n) => {
                self.campaign
                    .last_year
                    .as_ref()
                    .and_then(|l| l.clusters.get(&m.id))
                    .and_then(|c| c.get(dim))
                    == Some(n)
            }
            Selector::MonitoringRose | Selector::MonitoringFell => {
                let before = self
                    .campaign
                    .last_year
                    .as_ref()
                    .and_then(|l| l.levels.get(&m.id));
                let now = super::compare::record_level(record, self.monitoring, self.protocol)
                    .map(|(i, _)| i);
                match (before, now) {
                    (Some(b), Some(n)) => {
                        if matches!(s, Selector::MonitoringRose) {
                            n > *b
                        } else {
                            n < *b
                        }
                    }
                    _ => false,
                }
            }
            Selector::List(key) => {
                let memo_key = (key.clone(), m.id.clone());
                if let Some(v) = memo.get(&memo_key) {
                    return Some(*v);
                }
                let def = self.lists.iter().find(|l| &l.key == key)?;
                let v = self.holds(&def.select, m, record, memo, depth + 1)?;
                memo.insert(memo_key, v);
                v
            }
        })
    }

    fn flag(&self, f: &Flag, record: &Record) -> bool {
        let status = record.derive_status(self.protocol, self.dims);
        let mark = |dim: &str| self.dims.get(dim).map(|d| record.mark(d));
        match f {
            Flag::Started => status != Status::NotStarted,
            Flag::Interviewed => status >= Status::Interviewed,
            Flag::Reviewed => status == Status::Reviewed,
            Flag::Overridden(dim) => {
                matches!(mark(dim), Some(super::campaign::Mark::Overridden(_)))
            }
            Flag::Stale(dim) => matches!(mark(dim), Some(super::campaign::Mark::Stale(_))),
        }
    }
}

/// Checks every list: duplicate keys, unknown questions, options, dimensions, clusters and
/// lists, and lists that refer to each other in a circle. Positions come from `src`.
pub fn check_lists(
    lists: &[ListDef],
    protocol: &Protocol,
    dims: &Dimensions,
    src: &Source,
) -> Vec<SourceError> {
    let mut problems = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for l in lists {
        let n = seen.entry(l.key.as_str()).or_insert(0);
        *n += 1;
        if *n == 2 {
            problems.push(at_key(
                src,
                &l.key,
                1,
                format!("список «{}» определён дважды", l.key),
            ));
        }
        let context = format!("список «{}»", l.key);
        // Errors of a list point into its own entry.
        let (line, col) = locate_field(&src.text, "key", &l.key, 0);
        let own = src.from(line, col);
        check_selector(
            &l.select,
            lists,
            protocol,
            dims,
            &own,
            &context,
            &mut problems,
        );
    }
    for l in lists {
        if let Some(cycle) = list_cycle(&l.key, lists, &mut Vec::new()) {
            problems.push(at_key(
                src,
                &l.key,
                0,
                format!(
                    "списки ссылаются друг на друга по кругу: {}",
                    cycle.join(" → ")
                ),
            ));
            break;
        }
    }
    problems
}

/// An error at the `nth` definition `key: "key"`.
pub fn at_key(src: &Source, key: &str, nth: usize, message: String) -> SourceError {
    let (line, col) = locate_field(&src.text, "key", key, nth);
    SourceError::new(src.origin.clone(), line, col, message)
}

fn list_cycle(key: &str, lists: &[ListDef], path: &mut Vec<String>) -> Option<Vec<String>> {
    if let Some(start) = path.iter().position(|k| k == key) {
        let mut cycle = path[start..].to_vec();
        cycle.push(key.to_string());
        return Some(cycle);
    }
    let def = lists.iter().find(|l| l.key == key)?;
    path.push(key.to_string());
    let mut refs = Vec::new();
    def.select.references(&mut refs);
    for r in refs {
        if let Some(c) = list_cycle(r, lists, path) {
            return Some(c);
        }
    }
    path.pop();
    None
}

impl Selector {
    /// The keys of the lists this selector refers to.
    pub fn references<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Selector::All(ss) | Selector::Any(ss) => ss.iter().for_each(|s| s.references(out)),
            Selector::Not(s) => s.references(out),
            Selector::List(k) => out.push(k),
            _ => {}
        }
    }
}

pub fn check_selector(
    s: &Selector,
    lists: &[ListDef],
    protocol: &Protocol,
    dims: &Dimensions,
    src: &Source,
    context: &str,
    problems: &mut Vec<SourceError>,
) {
    let dimension = |id: &str, problems: &mut Vec<SourceError>| {
        let d = dims.get(id);
        if d.is_none() {
            let known: Vec<&str> = dims.0.iter().map(|d| d.id.as_str()).collect();
            problems.push(src.at(
                id,
                0,
                format!(
                    "{context}: нет измерения «{id}»; есть: {}",
                    known.join(", ")
                ),
            ));
        }
        d
    };
    match s {
        Selector::Everyone => {}
        Selector::All(ss) | Selector::Any(ss) => ss
            .iter()
            .for_each(|s| check_selector(s, lists, protocol, dims, src, context, problems)),
        Selector::Not(s) => check_selector(s, lists, protocol, dims, src, context, problems),
        Selector::Cluster(id, n) | Selector::ClusterLastYear(id, n) => {
            if let Some(d) = dimension(id, problems)
                && d.cluster(*n).is_none()
            {
                let known: Vec<String> = d.clusters.iter().map(|c| c.number.to_string()).collect();
                problems.push(src.at(
                    id,
                    0,
                    format!(
                        "{context}: в измерении «{id}» нет кластера {n}; есть: {}",
                        known.join(", ")
                    ),
                ));
            }
        }
        Selector::Unassigned(id)
        | Selector::Flag(Flag::Overridden(id))
        | Selector::Flag(Flag::Stale(id)) => {
            dimension(id, problems);
        }
        Selector::Flag(_)
        | Selector::Kind(_)
        | Selector::MonitoringRose
        | Selector::MonitoringFell => {}
        Selector::Answer(c) => check_condition(c, protocol, src, context, problems),
        Selector::List(key) => {
            if !lists.iter().any(|l| &l.key == key) {
                problems.push(src.at(key, 0, format!("{context}: нет списка «{key}»")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::campaign::{Answer, Decision, Meta, Value};
    use crate::model::source::Origin;
    use std::collections::BTreeMap;

    fn campaign(
        reg: &Registry,
        set: &[(&str, &str, Value)],
        decide: &[(&str, &str, u8)],
    ) -> Campaign {
        let mut records = BTreeMap::new();
        for m in &reg.municipalities {
            records.insert(m.id.clone(), Record::new(&m.id));
        }
        for (id, q, v) in set {
            let r = records.get_mut(*id).unwrap();
            r.answers.0.insert(
                q.to_string(),
                Answer {
                    value: Some(v.clone()),
                    ..Answer::default()
                },
            );
        }
        for (id, d, c) in decide {
            records.get_mut(*id).unwrap().decisions.insert(
                d.to_string(),
                Decision {
                    cluster: *c,
                    suggested: None,
                    reason: Some("тест".into()),
                    by: "т".into(),
                    at: "2022-10-18T00:00:00Z".into(),
                },
            );
        }
        Campaign {
            meta: Meta {
                format: 1,
                id: None,
                title: "t".into(),
                region: "r".into(),
                start: None,
                end: None,
                protocol_id: "mms-interview".into(),
                protocol_version: 1,
                facts: Default::default(),
                reviewers: Vec::new(),
                open_review: false,
                previous: None,
                conflicts: Vec::new(),
            },
            records,
            last_year: None,
        }
    }

    fn names(v: &[&Municipality]) -> Vec<String> {
        v.iter().map(|m| m.name.clone()).collect()
    }

    fn ron(text: &str) -> Selector {
        crate::model::source::parse_ron(text, &Origin::Builtin("t")).unwrap()
    }

    #[test]
    fn selectors_pick_in_registry_order() {
        let reg = Registry::builtin();
        let p = Protocol::builtin();
        let d = Dimensions::builtin();
        let c = campaign(
            &reg,
            &[
                (
                    "chelyabinsky-go",
                    "org_form",
                    Value::Choice("center".into()),
                ),
                ("agapovsky-mr", "org_form", Value::Choice("center".into())),
                ("trekhgorny-go", "org_form", Value::Choice("center".into())),
                ("troitsky-go", "methodists", Value::Number(2)),
                ("troitsky-mr", "methodists", Value::Number(3)),
            ],
            &[
                ("chelyabinsky-go", "training", 1),
                ("troitsky-go", "training", 2),
            ],
        );
        let lists = vec![
            ListDef {
                key: "centers".into(),
                about: String::new(),
                label: None,
                select: ron(r#"Answer(Equals("org_form", "center"))"#),
            },
            ListDef {
                key: "centers_go".into(),
                about: String::new(),
                label: None,
                select: ron(r#"All([List("centers"), Kind("ГО")])"#),
            },
        ];
        let s = Scope {
            registry: &reg,
            protocol: &p,
            dims: &d,
            campaign: &c,
            lists: &lists,
            monitoring: &crate::model::monitoring::Monitoring::builtin(),
        };
        assert_eq!(
            names(&s.list("centers").unwrap()),
            ["Агаповский МР", "Трёхгорный ГО", "Челябинский ГО"]
        );
        assert_eq!(
            names(&s.list("centers_go").unwrap()),
            ["Трёхгорный ГО", "Челябинский ГО"]
        );
        let small = ron(r#"Answer(InRange("methodists", 1, 2))"#);
        assert_eq!(names(&s.select(&small).unwrap()), ["Троицкий ГО"]);
        let t1 = ron(r#"Cluster("training", 1)"#);
        assert_eq!(names(&s.select(&t1).unwrap()), ["Челябинский ГО"]);
        let un = s.select(&ron(r#"Unassigned("training")"#)).unwrap();
        assert_eq!(un.len(), 41);
        let not = ron(r#"Not(Any([Cluster("training", 1), Cluster("training", 2)]))"#);
        assert_eq!(s.select(&not).unwrap().len(), 41);
        // A decision with a reason and no suggestion counts as overridden.
        let over = ron(r#"Flag(Overridden("training"))"#);
        assert_eq!(
            names(&s.select(&over).unwrap()),
            ["Троицкий ГО", "Челябинский ГО"]
        );
        assert!(s.select(&ron(r#"Flag(Interviewed)"#)).unwrap().is_empty());
        assert_eq!(s.select(&ron(r#"Flag(Started)"#)).unwrap().len(), 5);
        assert_eq!(s.list("nothing"), None);
        assert_eq!(s.select(&ron(r#"List("nothing")"#)), None);
    }

    #[test]
    fn check_names_unknown_things_with_lines() {
        let p = Protocol::builtin();
        let d = Dimensions::builtin();
        let text = r#"[
 (key: "a", select: Answer(Equals("org_form", "castle"))),
 (key: "b", select: Cluster("trainin", 1)),
 (key: "c", select: Cluster("training", 7)),
 (key: "d", select: List("zzz")),
 (key: "a", select: Answer(Answered("no_such_question"))),
 (key: "e", select: List("f")),
 (key: "f", select: Not(List("e"))),
]"#;
        let lists: Vec<ListDef> =
            crate::model::source::parse_ron(text, &Origin::Builtin("t.ron")).unwrap();
        let src = Source {
            origin: Origin::Builtin("t.ron"),
            text: text.into(),
        };
        let shown: Vec<String> = check_lists(&lists, &p, &d, &src)
            .iter()
            .map(|e| e.to_string())
            .collect();
        let has =
            |line: &str, what: &str| shown.iter().any(|s| s.contains(line) && s.contains(what));
        assert!(has(":2:", "castle"), "{shown:#?}");
        assert!(has(":3:", "нет измерения «trainin»"), "{shown:#?}");
        assert!(has(":4:", "нет кластера 7"), "{shown:#?}");
        assert!(has(":5:", "нет списка «zzz»"), "{shown:#?}");
        assert!(has(":6:", "«a» определён дважды"), "{shown:#?}");
        assert!(has(":6:", "no_such_question"), "{shown:#?}");
        assert!(has(":7:", "по кругу: e → f → e"), "{shown:#?}");
        assert_eq!(shown.len(), 7, "{shown:#?}");
    }
}
