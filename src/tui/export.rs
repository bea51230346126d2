//! The export dialog: format, file (in the user's documents folder unless another is
//! typed), confirmation before replacing a file or exporting with gaps, then the IO layer.

use super::ctx::{Ctx, Effect, ExportRequest};
use super::overlays::{Confirm, Overlay, Pending, PickFor, Picker, Prompt, PromptFor, Reply};
use super::screens::Cmd;
use crate::annex::Format;
use std::path::PathBuf;

const FORMATS: [(Format, &str, &str); 4] = [
    (
        Format::Docx,
        "приложение к письму — Word (.docx)",
        "приложение.docx",
    ),
    (
        Format::Markdown,
        "приложение к письму — Markdown (.md)",
        "приложение.md",
    ),
    (
        Format::Xlsx,
        "матрица кластеров — Excel (.xlsx)",
        "кластеры.xlsx",
    ),
    (
        Format::Csv,
        "матрица кластеров — CSV для Excel (.csv)",
        "кластеры.csv",
    ),
];

pub fn picker() -> Overlay {
    Overlay::Picker(Picker {
        title: "Выгрузить".into(),
        items: FORMATS
            .iter()
            .map(|(_, label, _)| label.to_string())
            .collect(),
        cursor: 0,
        purpose: PickFor::ExportFormat(FORMATS.iter().map(|(f, _, _)| *f).collect()),
    })
}

/// A file name with the campaign's year in it («приложение 2026.docx»): two campaigns never
/// suggest the same file, so Enter never offers to replace last year's annex. The year is
/// the interview's, else the last year the campaign's title names; without either, the
/// title itself.
fn named_for(ctx: &Ctx, name: &str) -> String {
    let meta = &ctx.campaign.meta;
    let from_start = meta
        .start
        .as_deref()
        .and_then(|d| d.get(..4))
        .map(str::to_string);
    let from_title = meta
        .title
        .split(|c: char| !c.is_ascii_digit())
        .rfind(|w| w.len() == 4 && (w.starts_with("20") || w.starts_with("19")))
        .map(str::to_string);
    let tag = from_start
        .or(from_title)
        .unwrap_or_else(|| crate::storage::portable_file_name(&meta.title));
    match name.rsplit_once('.') {
        Some((stem, ext)) if !tag.is_empty() => format!("{stem} {tag}.{ext}"),
        _ => name.to_string(),
    }
}

/// Takes the replies of the export dialog; `None` for replies that are not its own.
pub fn reply(ctx: &mut Ctx, reply: &Reply) -> Option<Vec<Cmd>> {
    Some(match reply {
        Reply::Picked(PickFor::ExportFormat(formats), i) => {
            let format = *formats.get(*i)?;
            let name = FORMATS.iter().find(|(f, _, _)| *f == format)?.2;
            let suggested = ctx.export_dir.join(named_for(ctx, name));
            vec![Cmd::Show(Overlay::Prompt(Prompt::new(
                "Куда записать? Путь можно исправить; имя без папки — в ту же папку",
                &suggested.display().to_string(),
                PromptFor::ExportPath(format),
            )))]
        }
        Reply::Text(PromptFor::ExportPath(format), text) => {
            let typed = PathBuf::from(text);
            let path = if typed.is_absolute() {
                typed
            } else {
                ctx.export_dir.join(typed)
            };
            step(
                ctx,
                ExportRequest {
                    format: *format,
                    path,
                    force: false,
                    allow_incomplete: false,
                },
            )
        }
        Reply::Confirmed(Pending::Export(request)) => step(ctx, request.clone()),
        _ => return None,
    })
}

/// The next step of an export: confirm replacing a file, confirm exporting with gaps, or
/// hand it to the IO layer.
fn step(ctx: &mut Ctx, request: ExportRequest) -> Vec<Cmd> {
    if !request.force && request.path.exists() {
        let question = format!("Файл {} уже есть. Заменить его?", request.path.display());
        let then = Pending::Export(ExportRequest {
            force: true,
            ..request
        });
        return vec![Cmd::Show(Overlay::Confirm(Confirm::new(question, then)))];
    }
    let gaps = crate::annex::gaps(&ctx.data, &ctx.campaign);
    if !request.allow_incomplete && !gaps.is_empty() {
        let question = format!(
            "Кампания не завершена.\n{}\nВыгрузить с пометками «не распределены»?",
            gap_summary(&gaps).join("\n")
        );
        let then = Pending::Export(ExportRequest {
            allow_incomplete: true,
            ..request
        });
        return vec![Cmd::Show(Overlay::Confirm(Confirm::new(question, then)))];
    }
    vec![Cmd::Io(Effect::Export(request))]
}

/// A few names and how many more: a dialog must keep its question and keys in view.
fn some_names(ms: &[&crate::model::registry::Municipality]) -> String {
    const SHOWN: usize = 3;
    let names: Vec<&str> = ms.iter().take(SHOWN).map(|m| m.name.as_str()).collect();
    match ms.len().saturating_sub(SHOWN) {
        0 => names.join(", "),
        more => format!("{} и ещё {more}", names.join(", ")),
    }
}

/// The gaps in a line each, names summarised.
fn gap_summary(gaps: &crate::annex::Gaps) -> Vec<String> {
    let mut out: Vec<String> = gaps
        .dims
        .iter()
        .filter(|(_, ms)| !ms.is_empty())
        .map(|(d, ms)| {
            format!(
                "• не распределены по измерению «{}»: {} ({})",
                d.title,
                ms.len(),
                some_names(ms)
            )
        })
        .collect();
    if !gaps.unfinished.is_empty() {
        out.push(format!(
            "• собеседование не завершено: {} ({})",
            gaps.unfinished.len(),
            some_names(&gaps.unfinished)
        ));
    }
    out
}
