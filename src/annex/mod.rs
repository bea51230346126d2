//! The annex of the letter, written from the campaign: the template's lists evaluated, the
//! placeholders filled, and the result as Markdown or DOCX; the cluster matrix as CSV or
//! XLSX; letters to municipalities. Nothing here is typed twice: counts are computed and
//! names are canonical.
//!
//! Here: loading the template, its lists, and the exports with their checks. Its files:
//! `document` (the rendered blocks), `typeset` (Russian typesetting), `numbering`,
//! `markdown` and `docx` (the renderings; `docx_patch` writes into docx-rs's package what it
//! cannot set), `matrix` (the cluster matrix), `gaps` (what stops an export), `build` (the
//! annex from its template) and `letter` (to one municipality).

mod build;
mod document;
mod docx;
mod docx_patch;
mod gaps;
pub mod letter;
mod markdown;
mod matrix;
mod numbering;
mod typeset;

use crate::data::DataSet;
use crate::model::campaign::Campaign;
use crate::model::registry::Municipality;
use crate::model::selector::Scope;
use crate::model::source::{Origin, Source, SourceError};
use crate::model::template::{self, Template, check_template};
use std::path::{Path, PathBuf};

pub use build::build;
pub use document::{DRAFT, Document, GAPS_HEADING, Node};
pub use gaps::{AS_SENT, Gaps, gap_report, gaps};
pub use matrix::{agreement_rows, matrix_csv, matrix_header, matrix_rows, matrix_xlsx};
pub use typeset::{NB_HYPHEN, typeset};

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
