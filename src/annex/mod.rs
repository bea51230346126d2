//! The annex of the letter, written from the campaign: the template's lists evaluated, the
//! placeholders filled, and the result as Markdown or DOCX; the cluster matrix as CSV or
//! XLSX. Nothing here is typed twice: counts are computed and names are canonical.

mod docx;
pub mod letter;
mod markdown;
mod matrix;
mod numbering;

use crate::data::DataSet;
use crate::model::campaign::{Campaign, Record, Status};
use crate::model::clusters::Dimension;
use crate::model::collate::plural_index;
use crate::model::registry::Municipality;
use crate::model::selector::Scope;
use crate::model::source::{Origin, Source, SourceError};
use crate::model::template::{self, Block, Piece, Template, check_template, parse_text};
use std::path::{Path, PathBuf};

pub use matrix::{agreement_rows, matrix_csv, matrix_header, matrix_rows, matrix_xlsx};

/// The template file looked for in a campaign directory.
pub const ANNEX_FILE: &str = "annex.ron";

/// A template as loaded, with its text for positions of problems.
#[derive(Clone, Debug)]
pub struct LoadedTemplate {
    pub template: Template,
    pub source: Source,
}

/// Loads the template from `--annex FILE`, else `annex.ron` in the campaign directory, else
/// the built-in one, and checks it against the protocol and dimensions.
pub fn load_template(
    flag: Option<&Path>,
    campaign_dir: Option<&Path>,
    data: &DataSet,
) -> Result<LoadedTemplate, Vec<SourceError>> {
    let source = crate::data::read_source(
        flag,
        campaign_dir,
        ANNEX_FILE,
        (template::BUILTIN_NAME, template::BUILTIN),
    )
    .map_err(|e| vec![e])?;
    let template = Template::parse(&source.text, &source.origin).map_err(|e| vec![e])?;
    let problems = check_template(&template, &data.protocol, &data.dimensions, &source);
    match (problems.is_empty(), &source.origin) {
        (true, _) => Ok(LoadedTemplate { template, source }),
        // The built-in letter speaks of the built-in protocol's questions: with another
        // protocol, one sentence instead of a line per reference.
        (false, Origin::Builtin(_)) => Err(vec![SourceError::whole(
            source.origin.clone(),
            format!(
                "встроенный шаблон приложения написан для протокола «{}» и не подходит к протоколу «{}» ({} несовпадений); положите свой шаблон в {} (образец — data/annex.ron) или укажите --annex ФАЙЛ",
                crate::model::protocol::Protocol::builtin().id,
                data.protocol.id,
                problems.len(),
                campaign_dir.map_or_else(
                    || ANNEX_FILE.to_string(),
                    |d| d.join(ANNEX_FILE).display().to_string()
                ),
            ),
        )]),
        (false, Origin::File(_)) => Err(problems),
    }
}

fn scope<'a>(data: &'a DataSet, campaign: &'a Campaign, template: &'a Template) -> Scope<'a> {
    Scope {
        registry: &data.registry,
        protocol: &data.protocol,
        dims: &data.dimensions,
        campaign,
        lists: &template.lists,
        monitoring: &data.monitoring,
    }
}

/// Every list of the template in template order, with its members in registry order.
pub fn lists<'a>(
    data: &'a DataSet,
    campaign: &'a Campaign,
    template: &'a Template,
) -> Vec<(&'a str, Vec<&'a Municipality>)> {
    scope(data, campaign, template).all_lists()
}

/// `sobes lists --tsv`: rows `key, municipality id, canonical name`.
pub fn lists_tsv(data: &DataSet, campaign: &Campaign, template: &Template) -> String {
    let mut out = String::new();
    for (key, members) in lists(data, campaign, template) {
        for m in members {
            out.push_str(&format!("{key}\t{}\t{}\n", m.id, m.name));
        }
    }
    out
}

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

/// The annex as a sequence of rendered blocks, the same for every output format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    /// Who issues it (the template's `author`), for the document's properties.
    pub author: String,
    /// The campaign's title, for the document's properties.
    pub campaign: String,
    pub nodes: Vec<Node>,
    /// The time of the latest change recorded in the campaign, for document properties.
    pub modified: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// Lines at the left margin: a letter's sender, its number and date.
    Left(Vec<String>),
    Right(Vec<String>),
    Title(String),
    Heading(String),
    Subheading(String),
    Paragraph(String),
    Item(String, String),
    /// A visible line about a gap, in the block «Требует внимания перед отправкой».
    Notice(String),
    /// A signature line: the position at the left, the name at the right margin.
    Signature(String, String),
    /// The sentence a section says when it has nothing else (`Block::Empty`); gone once
    /// the document is numbered (`numbering::renumber`).
    Empty(String),
}

/// The heading of the block of what needs attention before sending.
pub const GAPS_HEADING: &str = "Требует внимания перед отправкой: эта страница не для отправки";

/// What a document with gaps says at its top: it is a draft, not the letter.
pub const DRAFT: &str = "ПРОЕКТ";

/// A hyphen that never breaks a line: «Усть‑Катавский», «Катав‑Ивановский» stay whole.
pub const NB_HYPHEN: char = '\u{2011}';

/// Russian typesetting: a name is not torn from its ГО/МР at the end of a line, nor split at
/// its hyphen, nor «№» from its number, nor a number from the word it counts («43
/// муниципальных», «IV квартал»), nor a dash from the word before it.
pub fn typeset(text: &str, registry: &crate::model::registry::Registry) -> String {
    const NBSP: char = '\u{a0}';
    let mut out = text.replace("№ ", "№\u{a0}").replace(" — ", "\u{a0}— ");
    for kind in &registry.kinds {
        out = out.replace(&format!(" {kind}"), &format!("{NBSP}{kind}"));
        // «ГО Спасск-Дальний»: the kind written first keeps to its name too.
        out = out.replace(&format!("{kind} "), &format!("{kind}{NBSP}"));
    }
    glue_numbers(&keep_hyphenated_names(&out))
}

/// A hyphen inside a capitalised word («Усть-Катавский», «Катав-Ивановского», «IT-кубы»)
/// does not break: names are read whole. Found in the text itself, not by looking up every
/// name of the registry (thousands of them, for every sentence of the annex).
fn keep_hyphenated_names(text: &str) -> String {
    if !text.contains('-') {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut word_start = 0;
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() && c != '-' {
            word_start = i + 1;
        }
        let inside = c == '-'
            && i > 0
            && chars[i - 1].is_alphabetic()
            && chars.get(i + 1).is_some_and(|n| n.is_alphabetic())
            && chars[word_start].is_uppercase();
        out.push(if inside { NB_HYPHEN } else { c });
    }
    out
}

/// A number (Arabic, or Roman as in «IV квартал») keeps to the word after it.
fn glue_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            let number = !word.is_empty()
                && (word.chars().all(|c| c.is_ascii_digit())
                    || word.len() <= 4 && word.chars().all(|c| matches!(c, 'I' | 'V' | 'X')));
            let next_is_word = chars.peek().is_some_and(|n| n.is_alphabetic());
            out.push(if number && next_is_word {
                '\u{a0}'
            } else {
                ' '
            });
            word.clear();
        } else {
            out.push(c);
            if c.is_whitespace() || c == '(' || c == '«' {
                word.clear();
            } else {
                word.push(c);
            }
        }
    }
    out
}

/// «label (n), label (n)»: the non-empty lists, most members first (ties in the given order).
fn ranked<'a>(
    template: &Template,
    keys: &[String],
    members: &dyn Fn(&str) -> Vec<&'a Municipality>,
) -> String {
    let mut counted: Vec<(usize, usize, String)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let def = template.list(k);
            let label = def
                .and_then(|d| d.label.clone())
                .or_else(|| def.map(|d| d.about.clone()))
                .unwrap_or_else(|| k.clone());
            (members(k).len(), i, label)
        })
        .filter(|(n, _, _)| *n > 0)
        .collect();
    counted.sort_by_key(|(n, i, _)| (std::cmp::Reverse(*n), *i));
    counted
        .into_iter()
        .map(|(n, _, label)| format!("{label} ({n})"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn join_names(ms: &[&Municipality]) -> String {
    join(ms.iter().map(|m| m.name.clone()))
}

/// Names in a document's text: each unbreakable, so «ГО Большой Камень» never ends one
/// line with «Большой» and starts the next with «Камень».
fn join_whole<'a>(names: impl Iterator<Item = &'a str>) -> String {
    join(names.map(|n| n.replace(' ', "\u{a0}")))
}

fn join(names: impl Iterator<Item = String>) -> String {
    let names: Vec<String> = names.collect();
    if names.is_empty() {
        return "—".into();
    }
    names.join(", ")
}

/// A title's last word never stands alone on its line («служб»): it keeps to the word
/// before it.
fn no_widow(title: &str) -> String {
    match title.rfind(' ') {
        Some(at) => format!("{}\u{a0}{}", &title[..at], &title[at + 1..]),
        None => title.to_string(),
    }
}

/// The corner block («Приложение к письму …») is a narrow column at the right margin, as
/// in a ministry's letter: a line longer than that is wrapped at its spaces, whatever the
/// length of the ministry's name a region's fact gives.
pub(super) fn narrow(line: &str) -> Vec<String> {
    const WIDTH: usize = 34;
    let mut out: Vec<String> = Vec::new();
    for word in line.split(' ') {
        match out.last_mut() {
            Some(last) if last.chars().count() + 1 + word.chars().count() <= WIDTH => {
                last.push(' ');
                last.push_str(word);
            }
            _ => out.push(word.to_string()),
        }
    }
    out
}

/// A campaign date as people read it; one not set is a blank to fill in by hand, like a
/// fact.
fn show_date(stored: Option<&str>) -> String {
    stored.map_or_else(
        || crate::model::campaign::BLANK.into(),
        crate::model::campaign::show_stored_date,
    )
}

fn latest_change(campaign: &Campaign) -> Option<String> {
    campaign
        .records
        .values()
        .flat_map(|r| {
            r.answers
                .0
                .values()
                .map(|a| a.at.as_str())
                .chain(r.decisions.values().map(|d| d.at.as_str()))
        })
        .filter(|at| !at.is_empty())
        .max()
        .map(str::to_string)
}

/// The members of list `key` among the lists computed.
fn members_of<'a>(computed: &[(&str, Vec<&'a Municipality>)], key: &str) -> Vec<&'a Municipality> {
    computed
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, ms)| ms.clone())
        .unwrap_or_default()
}

/// A text of the template with its placeholders filled from the lists computed, the
/// campaign and the data, typeset.
fn fill(
    data: &DataSet,
    campaign: &Campaign,
    template: &Template,
    computed: &[(&str, Vec<&Municipality>)],
    text: &str,
) -> String {
    let members = |key: &str| members_of(computed, key);
    let total = data.registry.len();
    let pieces = parse_text(text).unwrap_or_else(|_| vec![Piece::Text(text.to_string())]);
    let mut out = String::new();
    let counted = |n: usize, forms: &Option<[String; 3]>| match forms {
        Some(forms) => format!("{n} {}", forms[plural_index(n)]),
        None => n.to_string(),
    };
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(&t),
            Piece::Count { key, forms } => out.push_str(&counted(members(&key).len(), &forms)),
            Piece::Agree { key, forms } => out.push_str(&forms[plural_index(members(&key).len())]),
            Piece::Names(key) => {
                out.push_str(&join_whole(members(&key).iter().map(|m| m.name.as_str())))
            }
            Piece::Genitive(key) => out.push_str(&join_whole(
                members(&key).iter().map(|m| m.genitive.as_str()),
            )),
            Piece::Ranked(keys) => out.push_str(&ranked(template, &keys, &members)),
            Piece::Fact(key) => {
                out.push_str(template.fact(&campaign.meta, &data.registry.facts, &key))
            }
            Piece::Start => out.push_str(&show_date(campaign.meta.start.as_deref())),
            Piece::End => out.push_str(&show_date(campaign.meta.end.as_deref())),
            Piece::Total(forms) => out.push_str(&counted(total, &forms)),
            Piece::Region => out.push_str(&data.registry.region),
        }
    }
    typeset(&out, &data.registry)
}

/// Evaluates the template over the campaign. Blocks under `When` appear only when their
/// condition holds; everything that still needs attention (unassigned, unfinished, decisions
/// the answers no longer support) goes into one marked block at the end.
pub fn build(data: &DataSet, campaign: &Campaign, template: &Template) -> Document {
    let computed = lists(data, campaign, template);
    let gaps = gaps(data, campaign);
    let members = |key: &str| members_of(&computed, key);
    let fill = |text: &str| fill(data, campaign, template, &computed, text);
    let count = |key: &str| members(key).len();
    let mut nodes = Vec::new();
    let mut todo: Vec<&Block> = template.blocks.iter().rev().collect();
    while let Some(b) = todo.pop() {
        match b {
            Block::Right(t) => nodes.push(Node::Right(fill(t).lines().flat_map(narrow).collect())),
            Block::Title(t) => nodes.push(Node::Title(no_widow(&fill(t)))),
            Block::Heading(t) => nodes.push(Node::Heading(fill(t))),
            Block::Subheading(t) => nodes.push(Node::Subheading(fill(t))),
            Block::Paragraph(t) => nodes.push(Node::Paragraph(fill(t))),
            Block::Item(n, t) => nodes.push(Node::Item(fill(n), fill(t))),
            Block::Empty(t) => nodes.push(Node::Empty(fill(t))),
            // Gaps are said once, together, at the end.
            Block::Gaps(_) | Block::Unfinished => {}
            Block::When(cond, blocks) => {
                if cond.holds(&count) {
                    todo.extend(blocks.iter().rev());
                }
            }
        }
    }
    let mut nodes = numbering::renumber(nodes);
    let lines = gaps.lines();
    if !lines.is_empty() {
        // A draft says so where an editor looks first, and its gaps stand apart, on a last
        // page of their own, never mixed into the text that will be sent.
        nodes.insert(0, Node::Right(vec![DRAFT.into()]));
        nodes.push(Node::Heading(GAPS_HEADING.into()));
        nodes.extend(
            lines
                .iter()
                .map(|l| Node::Notice(typeset(l, &data.registry))),
        );
    }
    Document {
        title: fill(&template.title),
        author: template.author_for(&campaign.meta, &data.registry.facts),
        campaign: campaign.meta.title.clone(),
        nodes,
        modified: latest_change(campaign),
    }
}

/// Which letters to municipalities an export writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Letters {
    /// The letter to this municipality (its id), into the file given.
    One(String),
    /// A letter to every municipality, a file each, into the folder given.
    All,
}

/// A file for each municipality's letter in `dir`, named by the municipality: names
/// Windows can hold, and two names alike but for case (one file on Windows and macOS) told
/// apart by the id.
pub fn letter_targets<'a>(
    registry: &'a crate::model::registry::Registry,
    dir: &std::path::Path,
    ext: &str,
) -> Vec<(&'a Municipality, PathBuf)> {
    let mut taken = std::collections::BTreeSet::new();
    registry
        .municipalities
        .iter()
        .map(|m| {
            let mut stem = crate::storage::portable_file_name(&m.name);
            if !taken.insert(stem.to_lowercase()) {
                stem = format!("{stem} ({})", m.id);
            }
            (m, dir.join(format!("{stem}.{ext}")))
        })
        .collect()
}

/// Letters to municipalities, one file each: (municipality, file). Every file is checked
/// before any is written: none is replaced without `force`.
pub fn export_letters(
    data: &DataSet,
    campaign: &Campaign,
    template: &Template,
    targets: &[(&Municipality, PathBuf)],
    format: Format,
    opts: ExportOptions,
) -> Result<Vec<PathBuf>, String> {
    if matches!(format, Format::Csv | Format::Xlsx) {
        return Err("письмо муниципалитету выгружается в md или docx".into());
    }
    let force = opts.force;
    // A letter without its letterhead, number, signer or executor is a draft, made only
    // when asked for.
    let missing = letter::missing_facts(data, campaign, template);
    if !missing.is_empty() && !opts.allow_incomplete {
        let named: Vec<String> = missing
            .iter()
            .map(|k| format!("  {k} — {}", crate::model::campaign::field_name(k)))
            .collect();
        return Err(format!(
            "письма не выгружены: не записаны факты письма\n{}\nзапишите их (sobes campaign set КЛЮЧ ЗНАЧЕНИЕ или экран L) или добавьте --allow-incomplete: письма выйдут с пометкой ПРОЕКТ и местами для заполнения",
            named.join("\n")
        ));
    }
    if !force {
        let existing: Vec<String> = targets
            .iter()
            .filter(|(_, p)| p.exists())
            .map(|(_, p)| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(format!(
                "файлы уже есть; чтобы заменить их, добавьте --force: {}",
                existing.join(", ")
            ));
        }
    }
    let mut written = Vec::new();
    for (m, path) in targets {
        let doc = letter::letter(data, campaign, template, m);
        let bytes = match format {
            Format::Docx => docx::render(&doc)?,
            _ => markdown::render(&doc).into_bytes(),
        };
        crate::storage::write_document(path, &bytes).map_err(|e| e.to_string())?;
        written.push(std::path::absolute(path).unwrap_or_else(|_| path.clone()));
    }
    Ok(written)
}

/// The whole annex as Markdown.
pub fn render_markdown(data: &DataSet, campaign: &Campaign, template: &Template) -> String {
    markdown::render(&build(data, campaign, template))
}

/// The whole annex as a DOCX package; the same campaign and template give the same bytes.
pub fn render_docx(
    data: &DataSet,
    campaign: &Campaign,
    template: &Template,
) -> Result<Vec<u8>, String> {
    docx::render(&build(data, campaign, template))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Docx,
    Csv,
    Xlsx,
}

impl Format {
    pub const NAMES: [&'static str; 4] = ["md", "docx", "csv", "xlsx"];

    pub fn parse(name: &str) -> Option<Format> {
        match name.trim().trim_start_matches('.').to_lowercase().as_str() {
            "md" | "markdown" => Some(Format::Markdown),
            "docx" => Some(Format::Docx),
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// The format a file name asks for by its extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        path.extension()
            .and_then(|e| Format::parse(&e.to_string_lossy()))
    }
}

/// The campaign as an export to `format` shows it to `reader`, and how many ratings that
/// hides: only the matrix shows the reviewers' own clusters; the annex (and the gaps that
/// stop it) is the same whoever exports.
pub fn seen_for_export<'a>(
    campaign: &'a Campaign,
    format: Format,
    reader: &crate::model::campaign::Reader,
) -> (std::borrow::Cow<'a, Campaign>, usize) {
    match format {
        Format::Csv | Format::Xlsx => campaign.seen_by(reader),
        Format::Markdown | Format::Docx => (std::borrow::Cow::Borrowed(campaign), 0),
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct ExportOptions {
    /// Replace an existing file.
    pub force: bool,
    /// Export a campaign with gaps; the annex shows a «не распределены» line for each.
    pub allow_incomplete: bool,
}

/// The bytes of an export, without the checks of [`export`].
/// The annex needs a template; the cluster matrix does not (`template` may be None).
pub fn render(
    data: &DataSet,
    campaign: &Campaign,
    template: Option<&Template>,
    format: Format,
) -> Result<Vec<u8>, String> {
    let template = || template.ok_or_else(|| "шаблон приложения не загружен".to_string());
    match format {
        Format::Markdown => Ok(render_markdown(data, campaign, template()?).into_bytes()),
        Format::Docx => render_docx(data, campaign, template()?),
        Format::Csv => Ok(matrix_csv(data, campaign)),
        Format::Xlsx => matrix_xlsx(data, campaign),
    }
}

/// Checks and writes an export: refuses to overwrite an existing file without `force`, and
/// refuses a campaign with gaps (listed) without `allow_incomplete`. Returns where it wrote.
pub fn export(
    data: &DataSet,
    campaign: &Campaign,
    template: Option<&Template>,
    format: Format,
    path: &Path,
    opts: ExportOptions,
) -> Result<PathBuf, String> {
    if path.exists() && !opts.force {
        return Err(format!(
            "{}: файл уже есть; чтобы заменить его, добавьте --force",
            path.display()
        ));
    }
    if path.is_dir() {
        return Err(format!("{}: это каталог, а нужен файл", path.display()));
    }
    // The annex says only what is decided; the matrix is a working table that shows gaps
    // (marked), so it is not stopped by them.
    let gaps = gaps(data, campaign);
    let annex = matches!(format, Format::Markdown | Format::Docx);
    if annex && !gaps.is_empty() && !opts.allow_incomplete {
        let mut message = String::from("экспорт остановлен: кампания не завершена\n");
        for line in gaps.lines() {
            message.push_str("  ");
            message.push_str(&line);
            message.push('\n');
        }
        message.push_str(
            "примите решения и завершите собеседования или добавьте --allow-incomplete: тогда в приложении будет строка «не распределены» для каждого пробела",
        );
        return Err(message);
    }
    let bytes = render(data, campaign, template, format)?;
    crate::storage::remove_dead_temps_of(path);
    crate::storage::write_document(path, &bytes).map_err(|e| e.to_string())?;
    Ok(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}
