//! The annex of the letter, written from the campaign: the template's lists evaluated, the
//! placeholders filled, and the result as Markdown or DOCX; the cluster matrix as CSV or
//! XLSX. Nothing here is typed twice: counts are computed and names are canonical.

mod docx;
mod markdown;
mod matrix;

use crate::data::DataSet;
use crate::model::campaign::{Campaign, Record, Status};
use crate::model::checks::Source;
use crate::model::clusters::Dimension;
use crate::model::registry::Municipality;
use crate::model::selector::Scope;
use crate::model::source::{Origin, SourceError};
use crate::model::template::{
    self, Block, Piece, Template, check_template, parse_text, plural_index,
};
use std::path::{Path, PathBuf};

pub use matrix::{matrix_csv, matrix_header, matrix_rows, matrix_xlsx};

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
    }
}

/// Every list of the template in template order, with its members in registry order.
pub fn lists<'a>(
    data: &'a DataSet,
    campaign: &'a Campaign,
    template: &'a Template,
) -> Vec<(&'a str, Vec<&'a Municipality>)> {
    let s = scope(data, campaign, template);
    template
        .lists
        .iter()
        .map(|l| (l.key.as_str(), s.list(&l.key).unwrap_or_default()))
        .collect()
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
    pub unfinished: Vec<&'a Municipality>,
    /// Municipalities in the registry.
    pub total: usize,
}

impl Gaps<'_> {
    pub fn is_empty(&self) -> bool {
        self.unfinished.is_empty() && self.dims.iter().all(|(_, ms)| ms.is_empty())
    }

    /// One line per gap, as the annex shows it.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .dims
            .iter()
            .filter(|(_, ms)| !ms.is_empty())
            .map(|(d, ms)| dim_gap_line(d, ms))
            .collect();
        if !self.unfinished.is_empty() {
            out.push(unfinished_line(&self.unfinished, self.total));
        }
        out
    }
}

/// What `sobes check` says about gaps: nothing for a campaign nobody has started, else one
/// line per gap. Gaps are not errors; they stop only an export.
pub fn gap_report(data: &DataSet, campaign: &Campaign) -> Vec<String> {
    if !campaign.records.values().any(Record::is_started) {
        return Vec::new();
    }
    gaps(data, campaign)
        .lines()
        .into_iter()
        .map(|l| format!("пробел: {l}"))
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
    let dims = data
        .dimensions
        .0
        .iter()
        .map(|d| {
            let missing = records
                .iter()
                .filter(|(_, r)| !r.decisions.contains_key(&d.id))
                .map(|(m, _)| *m)
                .collect();
            (d, missing)
        })
        .collect();
    let unfinished = records
        .iter()
        .filter(|(_, r)| r.derive_status(&data.protocol, &data.dimensions) < Status::Interviewed)
        .map(|(m, _)| *m)
        .collect();
    Gaps {
        dims,
        unfinished,
        total: data.registry.len(),
    }
}

/// The annex as a sequence of rendered blocks, the same for every output format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub nodes: Vec<Node>,
    /// The time of the latest change recorded in the campaign, for document properties.
    pub modified: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Right(Vec<String>),
    Title(String),
    Heading(String),
    Subheading(String),
    Paragraph(String),
    Item(String, String),
    /// A visible line about a gap («не распределены»).
    Notice(String),
}

fn join_names(ms: &[&Municipality]) -> String {
    if ms.is_empty() {
        return "—".into();
    }
    ms.iter()
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn join_genitive(ms: &[&Municipality]) -> String {
    if ms.is_empty() {
        return "—".into();
    }
    ms.iter()
        .map(|m| m.genitive.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// «2022-09-14» → «14.09.2022»; anything else is shown as written.
fn show_date(iso: Option<&str>) -> String {
    match iso {
        Some(d) if d.len() >= 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-' => {
            format!("{}.{}.{}", &d[8..10], &d[5..7], &d[..4])
        }
        Some(d) => d.to_string(),
        None => "(дата не указана)".into(),
    }
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

/// Evaluates the template over the campaign. Gap lines appear where the template places
/// them; gaps the template does not place are added at the end, so none goes unseen.
pub fn build(data: &DataSet, campaign: &Campaign, template: &Template) -> Document {
    let s = scope(data, campaign, template);
    let gaps = gaps(data, campaign);
    let fill = |text: &str| -> String {
        let pieces = parse_text(text).unwrap_or_else(|_| vec![Piece::Text(text.to_string())]);
        let mut out = String::new();
        for p in pieces {
            let members = |key: &str| s.list(key).unwrap_or_default();
            match p {
                Piece::Text(t) => out.push_str(&t),
                Piece::Count { key, forms } => {
                    let n = members(&key).len();
                    out.push_str(&n.to_string());
                    if let Some(forms) = forms {
                        out.push(' ');
                        out.push_str(&forms[plural_index(n)]);
                    }
                }
                Piece::Names(key) => out.push_str(&join_names(&members(&key))),
                Piece::Genitive(key) => out.push_str(&join_genitive(&members(&key))),
                Piece::Start => out.push_str(&show_date(campaign.meta.start.as_deref())),
                Piece::End => out.push_str(&show_date(campaign.meta.end.as_deref())),
                Piece::Total => out.push_str(&data.registry.len().to_string()),
                Piece::Region => out.push_str(&data.registry.region),
            }
        }
        out
    };
    let mut nodes = Vec::new();
    let mut placed_dims: Vec<&str> = Vec::new();
    let mut placed_unfinished = false;
    for b in &template.blocks {
        match b {
            Block::Right(t) => {
                nodes.push(Node::Right(fill(t).lines().map(str::to_string).collect()))
            }
            Block::Title(t) => nodes.push(Node::Title(fill(t))),
            Block::Heading(t) => nodes.push(Node::Heading(fill(t))),
            Block::Subheading(t) => nodes.push(Node::Subheading(fill(t))),
            Block::Paragraph(t) => nodes.push(Node::Paragraph(fill(t))),
            Block::Item(n, t) => nodes.push(Node::Item(fill(n), fill(t))),
            Block::Gaps(dim) => {
                placed_dims.push(dim);
                if let Some((d, ms)) = gaps.dims.iter().find(|(d, _)| &d.id == dim)
                    && !ms.is_empty()
                {
                    nodes.push(Node::Notice(dim_gap_line(d, ms)));
                }
            }
            Block::Unfinished => {
                placed_unfinished = true;
                if !gaps.unfinished.is_empty() {
                    nodes.push(Node::Notice(unfinished_line(&gaps.unfinished, gaps.total)));
                }
            }
        }
    }
    let mut rest: Vec<Node> = gaps
        .dims
        .iter()
        .filter(|(d, ms)| !ms.is_empty() && !placed_dims.contains(&d.id.as_str()))
        .map(|(d, ms)| Node::Notice(dim_gap_line(d, ms)))
        .collect();
    if !placed_unfinished && !gaps.unfinished.is_empty() {
        rest.push(Node::Notice(unfinished_line(&gaps.unfinished, gaps.total)));
    }
    if !rest.is_empty() {
        nodes.push(Node::Heading("Не распределены".into()));
        nodes.extend(rest);
    }
    Document {
        title: fill(&template.title),
        nodes,
        modified: latest_change(campaign),
    }
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
    let gaps = gaps(data, campaign);
    if !gaps.is_empty() && !opts.allow_incomplete {
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
