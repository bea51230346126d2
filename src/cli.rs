//! The command line: the TUI by default, and commands for scripts and tests.

use crate::data::{DataSet, Overrides};
use crate::model::campaign::Campaign;
use crate::model::change::Change;
use crate::model::checks::check_campaign;
use crate::model::collate::escape_controls;
use crate::model::names::{Resolution, resolve};
use crate::paths::{Config, Paths};
use crate::session::{Failure, Options, Session, join_errors, new_meta};
use crate::storage::{self, StoreError};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "sobes",
    version,
    about = "Собеседование с руководителями муниципальных методических служб"
)]
pub struct Cli {
    /// Каталог кампании (по умолчанию — кампания в каталоге данных пользователя)
    #[arg(long, global = true, value_name = "DIR")]
    pub campaign: Option<PathBuf>,
    /// Реестр муниципалитетов другого региона
    #[arg(long, global = true, value_name = "FILE")]
    pub registry: Option<PathBuf>,
    /// Другой протокол собеседования
    #[arg(long, global = true, value_name = "FILE")]
    pub protocol: Option<PathBuf>,
    /// Другие правила кластеров
    #[arg(long, global = true, value_name = "FILE")]
    pub clusters: Option<PathBuf>,
    /// Раскладка клавиш: default, vim или файл
    #[arg(long, global = true, value_name = "NAME|FILE")]
    pub keymap: Option<String>,
    /// Чьё имя записать при ответе или решении (вместо имени из настроек)
    #[arg(long = "as", global = true, value_name = "NAME")]
    pub as_name: Option<String>,
    /// Другой шаблон приложения к письму (по умолчанию — annex.ron кампании или встроенный)
    #[arg(long, global = true, value_name = "FILE")]
    pub annex: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Создать пустую кампанию в пустом каталоге
    New {
        dir: PathBuf,
        #[arg(long)]
        title: Option<String>,
        /// Взять встроенную кампанию (chelyabinsk-2022 — собеседование 2022 года по письму)
        #[arg(long, value_name = "NAME", conflicts_with = "title")]
        from: Option<String>,
    },
    /// Найти муниципалитет по тому, как его написали
    Resolve { name: String },
    /// Протокол в TSV: id, раздел, вид, обязательный, варианты
    Questions,
    /// Записать ответ
    Set {
        #[arg(long)]
        municipality: String,
        #[arg(long)]
        question: String,
        #[arg(long, allow_hyphen_values = true)]
        value: String,
        #[arg(long, allow_hyphen_values = true)]
        note: Option<String>,
    },
    /// Записать решение о кластере
    Decide {
        #[arg(long)]
        municipality: String,
        #[arg(long)]
        dimension: String,
        #[arg(long)]
        cluster: u8,
        #[arg(long, allow_hyphen_values = true)]
        reason: Option<String>,
    },
    /// Состояние всех муниципалитетов
    Status {
        #[arg(long)]
        tsv: bool,
    },
    /// Проверить данные и кампанию
    Check,
    /// Выгрузить приложение к письму (md, docx) или матрицу кластеров (csv, xlsx)
    Export {
        /// md, docx, csv или xlsx; по умолчанию — по расширению файла
        #[arg(long, value_name = "FORMAT", value_parser = crate::annex::Format::NAMES)]
        format: Option<String>,
        /// Куда записать
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// Заменить существующий файл
        #[arg(long)]
        force: bool,
        /// Выгрузить, даже если не все распределены: в приложении будут строки «не распределены»
        #[arg(long)]
        allow_incomplete: bool,
    },
    /// Списки приложения: ключ, id муниципалитета, имя
    Lists {
        #[arg(long)]
        tsv: bool,
    },
}

fn overrides(cli: &Cli) -> Overrides {
    Overrides {
        registry: cli.registry.clone(),
        protocol: cli.protocol.clone(),
        clusters: cli.clusters.clone(),
    }
}

/// Writes to standard output. A reader that went away (`sobes lists | head -1`) ends the
/// command quietly; what comes from files and users is printed with control characters
/// escaped, so a value cannot clear the screen or retitle the terminal.
fn out(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let text = escape_controls(text);
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Failure {
            message: String::new(),
            code: 0,
        }),
        Err(e) => Err(Failure::new(format!(
            "стандартный вывод: {}",
            storage::describe_io(&e)
        ))),
    }
}

macro_rules! outln {
    ($($arg:tt)*) => {
        out(&format!("{}\n", format!($($arg)*)))
    };
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_failure(e),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if !f.message.is_empty() {
                eprintln!("sobes: {}", escape_controls(&f.message));
            }
            ExitCode::from(f.code)
        }
    }
}

/// clap's own messages, in Russian; help and version as clap prints them.
fn clap_failure(e: clap::Error) -> ExitCode {
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
            let _ = e.print();
            return ExitCode::SUCCESS;
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

pub fn run(cli: Cli) -> Result<(), Failure> {
    if let Some(Command::New {
        dir,
        from: Some(name),
        ..
    }) = &cli.command
    {
        let over = overrides(&cli);
        let data = DataSet::load(&over, None).map_err(|e| Failure::new(join_errors(&e)))?;
        crate::campaigns::create_from(dir, name, &data).map_err(Failure::new)?;
        outln!("создана кампания {} из «{name}»", dir.display())?;
        return Ok(());
    }
    if let Some(Command::New { dir, title, .. }) = &cli.command {
        let over = overrides(&cli);
        let data = DataSet::load(&over, None).map_err(|e| Failure::new(join_errors(&e)))?;
        storage::create(dir, &new_meta(&data, title.clone()))?;
        // The campaign keeps the data it was made with, so it reopens with them.
        let own = [
            (&cli.registry, crate::data::REGISTRY_FILE),
            (&cli.protocol, crate::data::PROTOCOL_FILE),
            (&cli.clusters, crate::data::CLUSTERS_FILE),
        ];
        for (flag, file) in own {
            if let Some(path) = flag {
                let text = storage::read_text(path)?;
                storage::atomic_write(&dir.join(file), text.as_bytes())?;
            }
        }
        outln!("создана кампания {}", dir.display())?;
        return Ok(());
    }
    if matches!(cli.command, Some(Command::Check)) {
        return cmd_check(&cli);
    }
    let ctx = Session::open(Options {
        campaign: cli.campaign.clone(),
        data: overrides(&cli),
        keymap: cli.keymap.clone(),
        as_name: cli.as_name.clone(),
        annex: cli.annex.clone(),
    })?;
    match cli.command {
        None => crate::tui::run(ctx),
        Some(Command::New { .. }) => unreachable!("handled above"),
        Some(Command::Resolve { name }) => cmd_resolve(&ctx, &name),
        Some(Command::Questions) => out(&questions_tsv(&ctx.data)),
        Some(Command::Set {
            municipality,
            question,
            value,
            note,
        }) => cmd_set(&ctx, &municipality, &question, &value, note.as_deref()),
        Some(Command::Decide {
            municipality,
            dimension,
            cluster,
            reason,
        }) => cmd_decide(&ctx, &municipality, &dimension, cluster, reason.as_deref()),
        Some(Command::Status { tsv }) => {
            let campaign = ctx.load_campaign()?;
            out(&status_table(&ctx.data, &campaign, tsv))
        }
        Some(Command::Check) => unreachable!("handled above"),
        Some(Command::Export {
            format,
            output,
            force,
            allow_incomplete,
        }) => cmd_export(
            &ctx,
            cli.annex.as_deref(),
            format.as_deref(),
            &output,
            crate::annex::ExportOptions {
                force,
                allow_incomplete,
            },
        ),
        Some(Command::Lists { tsv }) => cmd_lists(&ctx, cli.annex.as_deref(), tsv),
    }
}

fn cmd_resolve(ctx: &Session, name: &str) -> Result<(), Failure> {
    match resolve(&ctx.data.registry, name) {
        Resolution::Found {
            municipality,
            warning,
        } => {
            outln!("{}", municipality.name)?;
            if let Some(w) = warning {
                eprintln!("sobes: {w}");
            }
            Ok(())
        }
        Resolution::Ambiguous(list) => {
            for m in &list {
                outln!("{}", m.name)?;
            }
            Err(Failure {
                message: String::new(),
                code: 2,
            })
        }
        Resolution::Unknown { closest } => {
            for m in &closest {
                outln!("{}", m.name)?;
            }
            Err(Failure {
                message: format!("«{name}» не найден; выше — ближайшие имена"),
                code: 1,
            })
        }
    }
}

pub fn questions_tsv(data: &DataSet) -> String {
    let mut out = String::new();
    for (s, q) in data.protocol.questions() {
        let options: Vec<String> = q.kind.choices().iter().map(|c| c.id.clone()).collect();
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            q.id,
            s.id,
            q.kind.code(),
            if q.required { "yes" } else { "no" },
            options.join("|")
        ));
    }
    out
}

fn cmd_set(
    ctx: &Session,
    name: &str,
    question: &str,
    raw: &str,
    note: Option<&str>,
) -> Result<(), Failure> {
    let m = ctx.municipality(name)?;
    let protocol = &ctx.data.protocol;
    let q = protocol.question(question).ok_or_else(|| {
        let ids: Vec<&str> = protocol.questions().map(|(_, q)| q.id.as_str()).collect();
        Failure::new(format!(
            "в протоколе нет вопроса «{question}»; есть: {}",
            ids.join(", ")
        ))
    })?;
    let value = protocol
        .parse_value(q, raw)
        .map_err(|e| Failure::new(e.to_string()))?;
    let stamp = ctx.stamp()?;
    ctx.change(&m.id, |record| {
        if !ctx
            .data
            .protocol
            .is_visible(q, &ctx.data.protocol.live(&record.answers))
        {
            eprintln!(
                "sobes: вопрос «{}» сейчас скрыт условием; ответ всё равно записан",
                q.id
            );
        }
        let mut changes = vec![Change::answer(record, &q.id, Some(value), &stamp)];
        if let Some(n) = note {
            changes.push(Change::note(record, &q.id, n, &stamp));
        }
        changes
    })?;
    outln!("{}: {} = {}", m.name, q.id, raw.trim())?;
    Ok(())
}

fn cmd_decide(
    ctx: &Session,
    name: &str,
    dimension: &str,
    cluster: u8,
    reason: Option<&str>,
) -> Result<(), Failure> {
    let m = ctx.municipality(name)?;
    let dims = &ctx.data.dimensions;
    let dim = dims.get(dimension).ok_or_else(|| {
        let ids: Vec<&str> = dims.0.iter().map(|d| d.id.as_str()).collect();
        Failure::new(format!(
            "нет измерения «{dimension}»; есть: {}",
            ids.join(", ")
        ))
    })?;
    let stamp = ctx.stamp()?;
    ctx.change(&m.id, |record| {
        vec![Change::decision(
            record,
            &dim.id,
            Some(cluster),
            reason,
            &stamp,
        )]
    })
    .map_err(|f| Failure::new(format!("{}: {}", m.name, f.message)))?;
    outln!("{}: {} = {cluster}", m.name, dim.id)?;
    Ok(())
}

pub fn status_table(data: &DataSet, campaign: &Campaign, tsv: bool) -> String {
    let mut rows = Vec::new();
    for m in &data.registry.municipalities {
        let record = campaign.record_or_empty(&m.id);
        let progress = data.protocol.progress(&record.answers);
        let mut row = vec![
            m.id.clone(),
            m.name.clone(),
            m.kind.clone(),
            progress.answered.to_string(),
            progress.required.to_string(),
        ];
        for d in &data.dimensions.0 {
            let decided = record.decisions.get(&d.id).map(|d| d.cluster.to_string());
            row.push(decided.unwrap_or_default());
        }
        row.push(
            record
                .derive_status(&data.protocol, &data.dimensions)
                .label()
                .to_string(),
        );
        rows.push(row);
    }
    if tsv {
        return rows.iter().map(|r| r.join("\t") + "\n").collect();
    }
    let mut header = vec!["id", "муниципалитет", "вид", "отв.", "обяз."];
    header.extend(data.dimensions.0.iter().map(|d| d.id.as_str()));
    header.push("статус");
    let mut all = vec![header.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    all.extend(rows);
    let widths: Vec<usize> = (0..all[0].len())
        .map(|i| all.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    all.iter()
        .map(|r| {
            let cells: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
                .collect();
            cells.join("  ").trim_end().to_string() + "\n"
        })
        .collect()
}

/// Checks everything sobes reads: the user config, the keymap, the data files and every
/// file of the campaign. Damaged files are all listed (with their backups), not only the
/// first; then the campaign is checked against the data.
fn cmd_check(cli: &Cli) -> Result<(), Failure> {
    let paths = Paths::from_env().map_err(Failure::new)?;
    let mut damaged: Vec<String> = Vec::new();
    let config = Config::load(&paths.config_file())
        .map_err(|e| damaged.push(e.with_backup()))
        .unwrap_or_default();
    let keymap = cli.keymap.clone().or_else(|| config.keymap.clone());
    if let Err(e) = crate::tui::keymap::Keymap::load(keymap.as_deref(), Some(&paths.user_keymap()))
    {
        damaged.push(e.to_string());
    }
    let campaign_dir = cli
        .campaign
        .clone()
        .unwrap_or_else(|| paths.default_campaign());
    let over = overrides(cli);
    let data = DataSet::load(&over, Some(&campaign_dir))
        .map_err(|e| damaged.extend(e.iter().map(|e| e.to_string())))
        .ok();
    let registry = data
        .as_ref()
        .map_or_else(crate::model::registry::Registry::builtin, |d| {
            d.registry.clone()
        });
    // The default campaign not made yet is checked as an empty one; nothing is created.
    let unmade_default = cli.campaign.is_none() && !campaign_dir.join(storage::META_FILE).exists();
    let campaign = match &data {
        Some(data) if unmade_default => Some(crate::session::empty_campaign(data)),
        None if unmade_default => None,
        _ => storage::load(&campaign_dir, &registry)
            .map_err(|errors| damaged.extend(errors.iter().map(StoreError::with_backup)))
            .ok(),
    };
    let (Some(data), Some(campaign), true) = (&data, campaign, damaged.is_empty()) else {
        // The annex template too, so that every damaged file is in this one list; without
        // the data it can only be parsed, not checked against them.
        match &data {
            Some(data) => {
                if let Err(errors) =
                    crate::annex::load_template(cli.annex.as_deref(), Some(&campaign_dir), data)
                {
                    damaged.extend(errors.iter().map(|e| e.to_string()));
                }
            }
            None => {
                let path = cli
                    .annex
                    .clone()
                    .unwrap_or_else(|| campaign_dir.join(crate::annex::ANNEX_FILE));
                if path.exists() {
                    let parsed = storage::read_text(&path).and_then(|text| {
                        crate::model::template::Template::parse(&text, &path.as_path().into())
                            .map_err(StoreError::Parse)
                    });
                    if let Err(e) = parsed {
                        damaged.push(e.to_string());
                    }
                }
            }
        }
        return Err(Failure::new(format!(
            "{}\nповреждённых файлов и ошибок в данных: {}; sobes ничего в них не менял",
            damaged.join("\n"),
            damaged.len()
        )));
    };
    let mut problems = check_campaign(&campaign, &data.registry, &data.protocol, &data.dimensions);
    for p in problems.iter_mut() {
        *p = format!("{}: {p}", campaign_dir.display());
    }
    if let Err(errors) =
        crate::annex::load_template(cli.annex.as_deref(), Some(&campaign_dir), data)
    {
        problems.extend(errors.iter().map(|e| e.to_string()));
    }
    for line in crate::annex::gap_report(data, &campaign) {
        outln!("{line}")?;
    }
    let dormant = crate::model::checks::dormant_report(&campaign, &data.registry, &data.protocol);

    for line in dormant {
        outln!("{line}")?;
    }
    for temp in storage::leftover_temps(&campaign_dir) {
        outln!(
            "временный файл: {}: остался от прерванной записи; его уберёт следующий sobes, который откроет кампанию на запись",
            temp.display()
        )?;
    }

    if problems.is_empty() {
        outln!(
            "ошибок нет: данные и кампания {} в порядке",
            campaign_dir.display()
        )?;
        Ok(())
    } else {
        for p in &problems {
            outln!("{p}")?;
        }
        Err(Failure::new(format!("найдено проблем: {}", problems.len())))
    }
}

fn load_annex(
    ctx: &Session,
    flag: Option<&std::path::Path>,
) -> Result<crate::annex::LoadedTemplate, Failure> {
    crate::annex::load_template(flag, Some(&ctx.campaign_dir), &ctx.data)
        .map_err(|e| Failure::new(join_errors(&e)))
}

fn cmd_export(
    ctx: &Session,
    annex: Option<&std::path::Path>,
    format: Option<&str>,
    output: &std::path::Path,
    opts: crate::annex::ExportOptions,
) -> Result<(), Failure> {
    use crate::annex::Format;
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
    let campaign = ctx.load_campaign()?;
    let written = crate::annex::export(
        &ctx.data,
        &campaign,
        template.as_ref().map(|t| &t.template),
        format,
        output,
        opts,
    )
    .map_err(Failure::new)?;
    outln!("записано: {}", written.display())?;
    Ok(())
}

fn cmd_lists(ctx: &Session, annex: Option<&std::path::Path>, tsv: bool) -> Result<(), Failure> {
    let template = load_annex(ctx, annex)?;
    let campaign = ctx.load_campaign()?;
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
