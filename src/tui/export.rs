//! The export dialog: format, file (in the user's documents folder unless another is
//! typed), confirmation before replacing a file or exporting with gaps, then the IO layer.

use super::cmd::Cmd;
use super::ctx::{Ctx, Effect, ExportRequest};
use super::overlays::{Confirm, Overlay, Pending, PickFor, Picker, Prompt, PromptFor, Reply};
use crate::annex::{Format, Letters};
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

/// What the export offers: the four documents of the campaign, then the letter to the
/// municipality selected and the letters to all, each with the name it suggests.
fn choices(ctx: &Ctx) -> Vec<(Format, Option<Letters>, String, String)> {
    let mut out: Vec<(Format, Option<Letters>, String, String)> = FORMATS
        .iter()
        .map(|(f, label, name)| (*f, None, label.to_string(), named_for(ctx, name)))
        .collect();
    let name = ctx.current_name();
    out.push((
        Format::Docx,
        Some(Letters::One(ctx.current.clone())),
        format!("письмо: {name} — Word (.docx)"),
        named_for(
            ctx,
            &format!("{}.docx", crate::storage::portable_file_name(name)),
        ),
    ));
    out.push((
        Format::Docx,
        Some(Letters::All),
        "письма всем муниципалитетам — Word, в папку".into(),
        named_for(ctx, "письма.d")
            .trim_end_matches(".d")
            .to_string(),
    ));
    out
}

pub fn picker(ctx: &Ctx) -> Overlay {
    let choices = choices(ctx);
    Overlay::Picker(Picker {
        title: "Выгрузить".into(),
        items: choices.iter().map(|c| c.2.clone()).collect(),
        cursor: 0,
        purpose: PickFor::ExportFormat(choices.into_iter().map(|c| (c.0, c.1)).collect()),
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
            let (format, letters) = formats.get(*i)?.clone();
            let name = choices(ctx).get(*i)?.3.clone();
            let suggested = ctx.export_dir.join(name);
            let question = match letters {
                Some(Letters::All) => "В какую папку записать письма? Путь можно исправить",
                _ => "Куда записать? Путь можно исправить; имя без папки — в ту же папку",
            };
            vec![Cmd::Show(Overlay::Prompt(Prompt::new(
                question,
                &suggested.display().to_string(),
                PromptFor::ExportPath(format, letters),
            )))]
        }
        Reply::Text(PromptFor::ExportPath(format, letters), text) => {
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
                    letters: letters.clone(),
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
    if request.letters.is_some() {
        return letters_step(ctx, request);
    }
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

/// The next step of an export of letters: confirm replacing what is there, confirm a
/// draft when facts of the letter are missing, or hand it to the IO layer.
fn letters_step(ctx: &mut Ctx, request: ExportRequest) -> Vec<Cmd> {
    let all = request.letters == Some(Letters::All);
    let there = if all {
        std::fs::read_dir(&request.path).is_ok_and(|mut d| d.next().is_some())
    } else {
        request.path.exists()
    };
    if !request.force && there {
        let question = match all {
            true => format!(
                "В папке {} уже есть файлы. Заменить письма в ней?",
                request.path.display()
            ),
            false => format!("Файл {} уже есть. Заменить его?", request.path.display()),
        };
        let then = Pending::Export(ExportRequest {
            force: true,
            ..request
        });
        return vec![Cmd::Show(Overlay::Confirm(Confirm::new(question, then)))];
    }
    let template = ctx
        .template
        .clone()
        .unwrap_or_else(crate::model::template::Template::builtin);
    let missing = crate::annex::letter::missing_facts(&ctx.data, &ctx.campaign, &template);
    if !request.allow_incomplete && !missing.is_empty() {
        let named: Vec<String> = missing
            .iter()
            .map(|k| format!("• {}", crate::model::campaign::field_name(k)))
            .collect();
        let question = format!(
            "Не записаны факты письма (экран L):\n{}\nВыгрузить проект с пометкой ПРОЕКТ?",
            named.join("\n")
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
