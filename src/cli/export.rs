//! `sobes export` and `sobes lists`: the annex, the cluster matrix and the letters to
//! municipalities written to files, and the template's lists.

use super::out;
use crate::annex::{ExportOptions, Format, LoadedTemplate};
use crate::model::source::join_errors;
use crate::session::{Failure, Session};
use crate::storage;
use std::path::{Path, PathBuf};

/// The annex template: `--annex`, else the campaign's own, else the built-in one.
pub fn load_annex(ctx: &Session, flag: Option<&Path>) -> Result<LoadedTemplate, Failure> {
    crate::annex::load_template(flag, Some(&ctx.campaign_dir), &ctx.data)
        .map_err(|e| Failure::new(join_errors(&e)))
}

/// `sobes export`: the annex or the cluster matrix into `output`, in the format asked for or
/// the file's.
pub fn cmd_export(
    ctx: &Session,
    annex: Option<&Path>,
    format: Option<&str>,
    output: &Path,
    opts: ExportOptions,
    all: bool,
) -> Result<(), Failure> {
    let format = match format {
        Some(f) => Format::parse(f),
        None => Format::from_path(output),
    }
    .ok_or_else(|| {
        Failure::new(format!(
            "не понял формат для {}: укажите --format {}",
            output.display(),
            Format::NAMES.join("|")
        ))
    })?;
    // The cluster matrix needs no template: a campaign with its own protocol exports it
    // whether or not it has its own letter.
    let template = match format {
        Format::Csv | Format::Xlsx => None,
        Format::Markdown | Format::Docx => Some(load_annex(ctx, annex)?),
    };
    let mut campaign = ctx.load_campaign()?;
    campaign.last_year = ctx.last_year(&campaign.meta)?;
    let (seen, hidden) =
        crate::annex::seen_for_export(&campaign, format, &ctx.reader(&campaign.meta, all));
    ctx.say_hidden(hidden);
    let written = crate::annex::export(
        &ctx.data,
        &seen,
        template.as_ref().map(|t| &t.template),
        format,
        output,
        opts,
    )
    .map_err(Failure::new)?;
    outln!("записано: {}", written.display())?;
    if let Some(letter) = seen.meta.facts.get(crate::annex::AS_SENT) {
        for line in crate::annex::gaps(&ctx.data, &seen).as_sent_lines(letter) {
            outln!("{line}")?;
        }
    }
    Ok(())
}

/// Letters to one municipality (`name`) into the file `output`, or to every one into the
/// folder `output`.
pub fn cmd_letters(
    ctx: &Session,
    annex: Option<&Path>,
    format: Option<&str>,
    output: &Path,
    name: Option<&str>,
    opts: ExportOptions,
) -> Result<(), Failure> {
    let format = match (format, name) {
        (Some(f), _) => Format::parse(f),
        (None, Some(_)) => Format::from_path(output),
        (None, None) => Some(Format::Docx),
    }
    .ok_or_else(|| Failure::new("письмо муниципалитету: укажите --format md или docx"))?;
    let campaign = ctx.load_campaign()?;
    let mut campaign = campaign;
    campaign.last_year = ctx.last_year(&campaign.meta)?;
    // A letter does not need the annex template; a damaged one only costs its author.
    let template = load_annex(ctx, annex)
        .map(|t| t.template)
        .unwrap_or_else(|_| crate::model::template::Template::builtin());
    let ext = match format {
        Format::Docx => "docx",
        _ => "md",
    };
    let targets: Vec<(&crate::model::registry::Municipality, PathBuf)> = match name {
        Some(name) => vec![(ctx.municipality(name)?, output.to_path_buf())],
        None => {
            std::fs::create_dir_all(output).map_err(|e| {
                Failure::new(format!(
                    "{}: {}",
                    output.display(),
                    storage::describe_io(&e)
                ))
            })?;
            crate::annex::letter_targets(&ctx.data.registry, output, ext)
        }
    };
    let written =
        crate::annex::export_letters(&ctx.data, &campaign, &template, &targets, format, opts)
            .map_err(Failure::new)?;
    for path in &written {
        outln!("записано: {}", path.display())?;
    }
    Ok(())
}

/// `sobes lists`: each list of the template with its members.
pub fn cmd_lists(ctx: &Session, annex: Option<&Path>, tsv: bool) -> Result<(), Failure> {
    let template = load_annex(ctx, annex)?;
    let mut campaign = ctx.load_campaign()?;
    campaign.last_year = ctx.last_year(&campaign.meta)?;
    if tsv {
        return out(&crate::annex::lists_tsv(
            &ctx.data,
            &campaign,
            &template.template,
        ));
    }
    for (key, members) in crate::annex::lists(&ctx.data, &campaign, &template.template) {
        let about = template
            .template
            .list(key)
            .map(|l| l.about.as_str())
            .unwrap_or("");
        outln!("{key} ({}) — {about}", members.len())?;
        for m in members {
            outln!("    {}\t{}", m.id, m.name)?;
        }
    }
    Ok(())
}
