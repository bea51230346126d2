//! clap's own errors said in Russian.

use crate::model::collate::escape_controls;
use std::process::ExitCode;

/// clap's own messages, in Russian; help and version as clap prints them.
pub fn clap_failure(e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ErrorKind};
    let context = |kind: ContextKind| {
        e.get(kind)
            .map(|v| escape_controls(&v.to_string()))
            .unwrap_or_default()
    };
    let message = match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            print!("{}", russian(&e.render().to_string()));
            return ExitCode::SUCCESS;
        }
        ErrorKind::InvalidUtf8 => {
            "в командной строке текст не в кодировке UTF-8; наберите его заново или сохраните в UTF-8"
                .to_string()
        }
        ErrorKind::UnknownArgument => format!(
            "непонятный аргумент «{}»; если это значение, начинающееся с «-», напишите его после «=»: --value=-1",
            context(ContextKind::InvalidArg)
        ),
        ErrorKind::InvalidSubcommand => {
            format!(
                "нет такой команды «{}»",
                context(ContextKind::InvalidSubcommand)
            )
        }
        ErrorKind::MissingRequiredArgument => {
            format!(
                "не хватает обязательного: {}",
                context(ContextKind::InvalidArg)
            )
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => format!(
            "недопустимое значение «{}» для {}{}",
            context(ContextKind::InvalidValue),
            context(ContextKind::InvalidArg),
            match context(ContextKind::ValidValue) {
                v if v.is_empty() => String::new(),
                v => format!("; можно: {v}"),
            }
        ),
        ErrorKind::ArgumentConflict => format!(
            "«{}» нельзя указывать вместе с «{}»",
            context(ContextKind::InvalidArg),
            context(ContextKind::PriorArg)
        ),
        ErrorKind::MissingSubcommand => "не указана команда".to_string(),
        _ => format!(
            "ошибка в командной строке: {}",
            escape_controls(&e.kind().to_string())
        ),
    };
    eprintln!("sobes: {message}\nсправка: sobes --help");
    ExitCode::from(2)
}

/// clap's help with its own words in Russian: headings, the usage line and its built-in
/// descriptions. sobes's own commands, parameters and value names are Russian already (doc
/// comments, `value_name`), so the columns stay aligned.
pub fn russian(help: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("Usage:", "Использование:"),
        ("Commands:", "Команды:"),
        ("Options:", "Параметры:"),
        ("Arguments:", "Аргументы:"),
        ("[OPTIONS]", "[ПАРАМЕТРЫ]"),
        ("[COMMAND]", "[КОМАНДА]"),
        ("<COMMAND>", "<КОМАНДА>"),
        (
            "Print this message or the help of the given subcommand(s)",
            "Показать эту справку или справку по команде",
        ),
        ("Print help", "Показать справку"),
        ("Print version", "Показать версию"),
        ("[default: ", "[по умолчанию: "),
        ("[possible values: ", "[можно: "),
    ];
    let mut out = help.to_string();
    for (en, ru) in WORDS {
        out = out.replace(en, ru);
    }
    out
}
