//! The command line: the TUI by default, and commands for scripts and tests.

/// A line to standard output through [`out`].
macro_rules! outln {
    ($($arg:tt)*) => {
        out(&format!("{}\n", format!($($arg)*)))
    };
}

mod check;
pub mod monitoring;
mod sync;
mod usage;

use crate::data::{DataSet, Overrides};
use crate::model::campaign::{Campaign, LastYear, Meta, Value};
use crate::model::change::Change;
use crate::model::collate::escape_controls;
use crate::model::names::{Resolution, resolve};
use crate::model::source::join_errors;
use crate::session::{Failure, Options, Session, new_meta};
use crate::storage;
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
    #[arg(long, global = true, value_name = "ПАПКА")]
    pub campaign: Option<PathBuf>,
    /// Реестр муниципалитетов другого региона
    #[arg(long, global = true, value_name = "ФАЙЛ")]
    pub registry: Option<PathBuf>,
    /// Другой протокол собеседования
    #[arg(long, global = true, value_name = "ФАЙЛ")]
    pub protocol: Option<PathBuf>,
    /// Другие правила кластеров
    #[arg(long, global = true, value_name = "ФАЙЛ")]
    pub clusters: Option<PathBuf>,
    /// Другие показатели мониторинга
    #[arg(long, global = true, value_name = "ФАЙЛ")]
    pub monitoring: Option<PathBuf>,
    /// Раскладка клавиш: default, vim или файл
    #[arg(long, global = true, value_name = "ИМЯ|ФАЙЛ")]
    pub keymap: Option<String>,
    /// Кто вы: чьё имя записать при ответе или решении и кому показывать оценки рецензентов
    /// (вместо имени из настроек)
    #[arg(long = "as", global = true, value_name = "ИМЯ")]
    pub as_name: Option<String>,
    /// Другой шаблон приложения к письму (по умолчанию — annex.ron кампании или встроенный)
    #[arg(long, global = true, value_name = "ФАЙЛ")]
    pub annex: Option<PathBuf>,
    /// Показать все оценки рецензентов, в том числе скрытые вслепую (для координатора):
    /// agreement, log, матрица csv/xlsx
    #[arg(long, global = true)]
    pub all: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum CampaignAction {
    /// Показать факты письма: что записано и чего не хватает
    Show,
    /// Записать факт письма (пустое значение стирает его)
    Set {
        /// Что записать (список: sobes campaign show)
        #[arg(value_name = "КЛЮЧ")]
        key: String,
        /// Значение; пустое стирает
        #[arg(value_name = "ЗНАЧЕНИЕ", allow_hyphen_values = true)]
        value: String,
    },
    /// Переименовать рецензента в списке; его оценки во всех муниципалитетах переходят к новому имени
    RenameReviewer {
        /// Имя в списке рецензентов (или имя, под которым есть оценки не из списка)
        #[arg(value_name = "СТАРОЕ")]
        old: String,
        /// Новое имя
        #[arg(value_name = "НОВОЕ")]
        new: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Создать пустую кампанию в пустом каталоге
    New {
        /// Папка новой кампании (её не должно быть или она пуста)
        #[arg(value_name = "ПАПКА")]
        dir: PathBuf,
        /// Название кампании
        #[arg(value_name = "НАЗВАНИЕ", long)]
        title: Option<String>,
        /// Взять встроенную кампанию (chelyabinsk-2022 — собеседование 2022 года по письму)
        #[arg(long, value_name = "ИМЯ", conflicts_with = "title")]
        from: Option<String>,
        /// Присоединиться к кампании узла синхронизации (папка на флешке или в общей сети)
        #[arg(long, value_name = "УЗЕЛ", conflicts_with_all = ["title", "from"])]
        from_hub: Option<PathBuf>,
        /// Прошлогодняя кампания, с которой сравнивать
        #[arg(long, value_name = "СТАРАЯ", conflicts_with = "from_hub")]
        previous: Option<PathBuf>,
        /// Предложить прошлогодние ответы на редко меняющиеся вопросы (их нужно подтвердить)
        #[arg(long, requires = "previous")]
        carry: bool,
    },
    /// Найти муниципалитет по тому, как его написали
    Resolve {
        /// Название, как его написали
        #[arg(value_name = "НАЗВАНИЕ")]
        name: String,
    },
    /// Протокол в TSV: id, раздел, вид, обязательный, варианты
    Questions,
    /// Записать ответ
    Set {
        /// Муниципалитет: как его пишут («Уйский», «г. Кыштым») или id («uysky-mr»)
        #[arg(value_name = "МУНИЦИПАЛИТЕТ", long)]
        municipality: String,
        /// id вопроса (список: sobes questions)
        #[arg(value_name = "ВОПРОС", long)]
        question: String,
        /// Ответ: число, id варианта, варианты через запятую, да/нет, текст; пусто — стереть
        #[arg(value_name = "ЗНАЧЕНИЕ", long, allow_hyphen_values = true)]
        value: String,
        /// Заметка к ответу
        #[arg(value_name = "ЗАМЕТКА", long, allow_hyphen_values = true)]
        note: Option<String>,
    },
    /// Записать решение о кластере
    Decide {
        /// Муниципалитет: как его пишут («Уйский», «г. Кыштым») или id («uysky-mr»)
        #[arg(value_name = "МУНИЦИПАЛИТЕТ", long)]
        municipality: String,
        /// id измерения: training, project_office или regional_active
        #[arg(value_name = "ИЗМЕРЕНИЕ", long)]
        dimension: String,
        /// Номер кластера
        #[arg(value_name = "КЛАСТЕР", long)]
        cluster: u8,
        /// Почему кластер не тот, что подсказывают ответы
        #[arg(value_name = "ПРИЧИНА", long, allow_hyphen_values = true)]
        reason: Option<String>,
        /// Окончательное решение (при нескольких рецензентах; без флага — своя оценка)
        #[arg(long = "final")]
        final_: bool,
    },
    /// Согласие рецензентов: альфа Криппендорфа, каппа Коэна, расхождения с правилами
    Agreement {
        /// Таблица через табуляцию: для скриптов и Excel
        #[arg(long)]
        tsv: bool,
    },
    /// Записать балл мониторинга по показателю
    Score {
        /// Муниципалитет: как его пишут («Уйский», «г. Кыштым») или id («uysky-mr»)
        #[arg(value_name = "МУНИЦИПАЛИТЕТ", long)]
        municipality: String,
        /// Номер показателя, например 1.3
        #[arg(value_name = "ПОКАЗАТЕЛЬ", long)]
        indicator: String,
        /// Балл (пусто — стереть)
        #[arg(value_name = "ЗНАЧЕНИЕ", long, allow_hyphen_values = true)]
        value: String,
    },
    /// Уровни мониторинга: муниципалитет × показатель, доли по уровням
    Levels {
        /// Таблица через табуляцию: для скриптов и Excel
        #[arg(long)]
        tsv: bool,
    },
    /// Загрузить баллы мониторинга из таблицы (XLSX или CSV): муниципалитет, затем показатели
    ImportMonitoring {
        #[arg(value_name = "ФАЙЛ")]
        file: PathBuf,
        /// Лист книги с таблицей (по умолчанию — первый)
        #[arg(long, value_name = "ЛИСТ")]
        sheet: Option<String>,
        /// Пропустить строки с ошибками (они будут перечислены), записать остальные
        #[arg(long)]
        skip_bad_rows: bool,
    },
    /// Сравнение с прошлогодней кампанией: кто в каком кластере был и стал
    Compare {
        /// Таблица через табуляцию: для скриптов и Excel
        #[arg(long)]
        tsv: bool,
    },
    /// Состояние всех муниципалитетов
    Status {
        /// Таблица через табуляцию: для скриптов и Excel
        #[arg(long)]
        tsv: bool,
    },
    /// Проверить данные и кампанию
    Check,
    /// Выгрузить приложение к письму (md, docx) или матрицу кластеров (csv, xlsx)
    Export {
        /// md, docx, csv или xlsx; по умолчанию — по расширению файла
        #[arg(long, value_name = "ФОРМАТ", value_parser = crate::annex::Format::NAMES)]
        format: Option<String>,
        /// Куда записать
        #[arg(short = 'o', long = "output", value_name = "ФАЙЛ")]
        output: PathBuf,
        /// Заменить существующий файл
        #[arg(long)]
        force: bool,
        /// Выгрузить, даже если не все распределены: в приложении будут строки «не распределены»
        #[arg(long)]
        allow_incomplete: bool,
        /// Письмо одному муниципалитету (уровень мониторинга и рекомендации по показателям)
        #[arg(long, value_name = "ИМЯ", conflicts_with = "per_municipality")]
        municipality: Option<String>,
        /// Письма всем муниципалитетам: по файлу на каждый в папку -o
        #[arg(long)]
        per_municipality: bool,
    },
    /// Списки приложения: ключ, id муниципалитета, имя
    Lists {
        /// Таблица через табуляцию: для скриптов и Excel
        #[arg(long)]
        tsv: bool,
    },
    /// Синхронизировать кампанию через узел (папка на флешке или в общей сети)
    Sync {
        /// Папка узла
        #[arg(value_name = "УЗЕЛ")]
        hub: PathBuf,
        /// Создать новый узел в этой папке (её не было или она пуста; папка над ней должна быть)
        #[arg(long)]
        new_hub: bool,
    },
    /// Восстановить повреждённую историю кампании (ответы в файлах не трогаются)
    Repair,
    /// Открытые конфликты: поля, которые на разных ноутбуках изменили по-разному
    Conflicts {
        /// Таблица через табуляцию: для скриптов и Excel
        #[arg(long)]
        tsv: bool,
    },
    /// Факты письма этого года: номер и дата, сроки (show — показать, set — записать)
    Campaign {
        #[command(subcommand)]
        action: CampaignAction,
    },
    /// История изменений: кто, когда, на каком устройстве, что было и что стало
    Log {
        /// Только этот муниципалитет
        #[arg(value_name = "МУНИЦИПАЛИТЕТ", long)]
        municipality: Option<String>,
        /// Только этот вопрос (id)
        #[arg(value_name = "ВОПРОС", long, conflicts_with = "dimension")]
        question: Option<String>,
        /// Только это измерение (id)
        #[arg(value_name = "ИЗМЕРЕНИЕ", long)]
        dimension: Option<String>,
        /// Таблица через табуляцию: для скриптов и Excel
        #[arg(long)]
        tsv: bool,
    },
}

fn overrides(cli: &Cli) -> Overrides {
    Overrides {
        registry: cli.registry.clone(),
        protocol: cli.protocol.clone(),
        clusters: cli.clusters.clone(),
        monitoring: cli.monitoring.clone(),
    }
}

/// Writes to standard output. A reader that went away (`sobes lists | head -1`) ends the
/// command quietly; what comes from files and users is printed with control characters
/// escaped, so a value cannot clear the screen or retitle the terminal.
pub(crate) fn out(text: &str) -> Result<(), Failure> {
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

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage::clap_failure(e),
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

pub fn run(cli: Cli) -> Result<(), Failure> {
    if let Some(Command::New {
        dir,
        from_hub: Some(hub),
        ..
    }) = &cli.command
    {
        let ctx = Session::open(Options {
            campaign: Some(dir.clone()),
            data: overrides(&cli),
            keymap: cli.keymap.clone(),
            as_name: cli.as_name.clone(),
            annex: cli.annex.clone(),
        })?;
        return sync::cmd_join(&ctx, hub);
    }
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
    if let Some(Command::New {
        dir,
        title,
        previous,
        carry,
        ..
    }) = &cli.command
    {
        let over = overrides(&cli);
        let data = DataSet::load(&over, None).map_err(|e| Failure::new(join_errors(&e)))?;
        let mut meta = new_meta(&data, title.clone());
        let mut carried = Vec::new();
        if let Some(old) = previous {
            let old = std::path::absolute(old).unwrap_or_else(|_| old.clone());
            let folder = crate::session::previous_folder(dir, &old.display().to_string())?;
            // The same institute and the same signer next year: their facts come along.
            let (last, _) = storage::open(std::path::Path::new(&folder))
                .map_err(|e| crate::session::damaged(&e))?;
            for key in crate::model::campaign::STANDING_FACTS {
                if let Some(value) = last.facts.get(*key) {
                    meta.facts.insert(key.to_string(), value.clone());
                    carried.push(format!("  {key} = {value}"));
                }
            }
            meta.previous = Some(folder);
        }
        storage::create(dir, &meta)?;
        if !carried.is_empty() {
            outln!(
                "из прошлогодней кампании взяты факты письма, которые не меняются с годом (проверьте; изменить: sobes campaign set КЛЮЧ ЗНАЧЕНИЕ):\n{}",
                carried.join("\n")
            )?;
        }
        if *carry {
            let offered = carry_over(dir, &meta, &data)?;
            outln!("предложено подтвердить прошлогодних ответов: {offered}")?;
        }
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
        return check::cmd_check(&cli);
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
            final_,
        }) => cmd_decide(
            &ctx,
            &municipality,
            &dimension,
            cluster,
            reason.as_deref(),
            final_,
        ),
        Some(Command::Score {
            municipality,
            indicator,
            value,
        }) => cmd_score(&ctx, &municipality, &indicator, &value),
        Some(Command::Levels { tsv }) => {
            let campaign = ctx.load_campaign()?;
            out(&monitoring::levels_report(&ctx.data, &campaign, tsv))
        }
        Some(Command::ImportMonitoring {
            file,
            sheet,
            skip_bad_rows,
        }) => monitoring::cmd_import(&ctx, &file, sheet.as_deref(), skip_bad_rows),
        Some(Command::Compare { tsv }) => {
            let campaign = ctx.load_campaign()?;
            let Some(before) = ctx.last_year(&campaign.meta)? else {
                return Err(Failure::new(
                    "прошлогодняя кампания не названа: sobes campaign set previous ПАПКА (или sobes new ПАПКА --previous СТАРАЯ)",
                ));
            };
            out(&compare_report(&ctx.data, &before, &campaign, tsv))
        }
        Some(Command::Agreement { tsv }) => {
            let campaign = ctx.load_campaign()?;
            let (seen, hidden) = campaign.seen_by(&ctx.reader(&campaign.meta, cli.all));
            ctx.say_hidden(hidden);
            out(&agreement_report(&ctx.data, &seen, tsv))
        }
        Some(Command::Status { tsv }) => {
            let campaign = ctx.load_campaign()?;
            out(&status_table(&ctx.data, &campaign, tsv))
        }
        Some(Command::Check) => unreachable!("handled above"),
        Some(Command::Export {
            format,
            output,
            force,
            municipality,
            per_municipality,
            allow_incomplete,
        }) if municipality.is_some() || per_municipality => cmd_letters(
            &ctx,
            cli.annex.as_deref(),
            format.as_deref(),
            &output,
            municipality.as_deref(),
            crate::annex::ExportOptions {
                force,
                allow_incomplete,
            },
        ),
        Some(Command::Export {
            format,
            output,
            force,
            allow_incomplete,
            ..
        }) => cmd_export(
            &ctx,
            cli.annex.as_deref(),
            format.as_deref(),
            &output,
            crate::annex::ExportOptions {
                force,
                allow_incomplete,
            },
            cli.all,
        ),
        Some(Command::Lists { tsv }) => cmd_lists(&ctx, cli.annex.as_deref(), tsv),
        Some(Command::Sync { hub, new_hub }) => sync::cmd_sync(&ctx, &hub, new_hub),
        Some(Command::Repair) => sync::cmd_repair(&ctx),
        Some(Command::Conflicts { tsv }) => sync::cmd_conflicts(&ctx, tsv, cli.all),
        Some(Command::Campaign { action }) => cmd_campaign(&ctx, action),
        Some(Command::Log {
            municipality,
            question,
            dimension,
            tsv,
        }) => sync::cmd_log(
            &ctx,
            municipality.as_deref(),
            question.as_deref(),
            dimension.as_deref(),
            tsv,
            cli.all,
        ),
    }
}

/// Last year's answers to the questions marked `carry` become offers in the new campaign's
/// records (never answers): the interview shows each to confirm.
fn carry_over(dir: &std::path::Path, meta: &Meta, data: &DataSet) -> Result<usize, Failure> {
    let Some(old) = &meta.previous else {
        return Ok(0);
    };
    let old = std::path::Path::new(old);
    let old_data = DataSet::load(&Overrides::default(), Some(old))
        .map_err(|e| Failure::new(join_errors(&e)))?;
    let before = storage::load(old, &old_data.registry).map_err(|e| crate::session::damaged(&e))?;
    let mut offered = 0;
    for m in &data.registry.municipalities {
        let Some(last) = before.record(&m.id) else {
            continue;
        };
        let live = old_data.protocol.live(&last.answers);
        let mut record = crate::model::campaign::Record::new(&m.id);
        for (_, q) in data.protocol.questions().filter(|(_, q)| q.carry) {
            if let Some(v) = live.value(&q.id).filter(|v| **v != Value::Unknown) {
                record.carried.insert(q.id.clone(), v.clone());
            }
        }
        if !record.carried.is_empty() {
            offered += record.carried.len();
            storage::save_record(dir, &record)?;
        }
    }
    Ok(offered)
}

fn cmd_campaign(ctx: &Session, action: CampaignAction) -> Result<(), Failure> {
    match action {
        CampaignAction::Set { key, value } => {
            let stored = ctx.set_fact(&key, &value)?;
            outln!("{key} = «{stored}»")?;
            // Ratings of someone the new list leaves out still count; said now, not at the
            // next check.
            if key == "reviewers" {
                let campaign = ctx.load_campaign()?;
                let unlisted = crate::model::checks::unlisted_report(
                    &campaign,
                    &ctx.data.registry,
                    &ctx.data.dimensions,
                );
                for line in unlisted {
                    crate::session::warn(&line);
                }
            }
            Ok(())
        }
        CampaignAction::RenameReviewer { old, new } => {
            let renamed = ctx.rename_reviewer(&old, &new)?;
            outln!(
                "рецензент «{}» теперь «{}»; оценок перенесено: {}; рецензенты: {}",
                renamed.from,
                renamed.to,
                renamed.moved,
                renamed.meta.reviewers.join("; ")
            )
        }
        CampaignAction::Show => {
            let campaign = ctx.load_campaign()?;
            let mut text = String::new();
            for (key, what) in crate::model::campaign::SETTINGS {
                let value = campaign.meta.setting(key);
                text.push_str(&format!("{key}\t{value}\t{what}\n"));
            }
            let template = load_annex(ctx, None).ok();
            for (key, what) in crate::model::campaign::FACTS {
                let region = ctx.data.registry.facts.get(*key);
                let default = template.as_ref().and_then(|t| t.template.facts.get(*key));
                let value = match (campaign.meta.facts.get(*key), region, default) {
                    (Some(v), _, _) => v.clone(),
                    (None, Some(d), _) => format!("{d} (из реестра региона)"),
                    (None, None, Some(d)) => format!("{d} (из шаблона приложения)"),
                    (None, None, None) => format!(
                        "{} (не записано: в письме будет место для заполнения)",
                        crate::model::campaign::BLANK
                    ),
                };
                text.push_str(&format!("{key}\t{value}\t{what}\n"));
            }
            out(&text)
        }
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
                crate::session::warn(&w);
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

fn cmd_score(ctx: &Session, name: &str, indicator: &str, raw: &str) -> Result<(), Failure> {
    let m = ctx.municipality(name)?;
    let value = ctx
        .data
        .monitoring
        .parse_score(indicator, raw)
        .map_err(Failure::new)?;
    let stamp = ctx.stamp()?;
    ctx.change(&m.id, |record| {
        vec![Change::score(record, indicator, value, &stamp)]
    })
    .map_err(|f| Failure::new(format!("{}: {}", m.name, f.message)))?;
    outln!("{}: {indicator} = {}", m.name, raw.trim())?;
    Ok(())
}

fn cmd_decide(
    ctx: &Session,
    name: &str,
    dimension: &str,
    cluster: u8,
    reason: Option<&str>,
    final_: bool,
) -> Result<(), Failure> {
    let m = ctx.municipality(name)?;
    let meta = ctx.load_campaign()?.meta;
    let several = meta.several_reviewers();
    let rating = several && !final_;
    let dims = &ctx.data.dimensions;
    let dim = dims.named(dimension).ok_or_else(|| {
        let names: Vec<String> = dims
            .0
            .iter()
            .map(|d| format!("«{}» ({})", d.column(), d.id))
            .collect();
        Failure::new(format!(
            "нет измерения «{dimension}»; есть: {}",
            names.join(", ")
        ))
    })?;
    // The list's spelling («иванова» rates as Иванова); a name off the list is refused under
    // the lock, with the change (`change::check_writers`).
    let mut stamp = ctx.stamp()?;
    if let Some(listed) = meta.listed_reviewer(&stamp.by) {
        stamp.by = listed.to_string();
    }
    ctx.change(&m.id, |record| {
        vec![if rating {
            Change::rating(record, &dim.id, &stamp.by, Some(cluster), reason, &stamp)
        } else {
            Change::decision(record, &dim.id, Some(cluster), reason, &stamp)
        }]
    })
    .map_err(|f| Failure::new(format!("{}: {}", m.name, f.message)))?;
    // Said in the dimension's words, as the screen says it.
    let said = format!("{}: «{}» — кластер {cluster}", m.name, dim.title);
    if rating {
        outln!(
            "{said} (оценка: {}; окончательное решение — decide --final)",
            stamp.by
        )?;
    } else if several {
        outln!("{said} (окончательно)")?;
    } else {
        outln!("{said}")?;
    }
    Ok(())
}

/// The agreement of reviewers per dimension, the pairs' kappa, the rules' departures and
/// the disagreement queue; as a table for programs with `tsv`.
pub fn agreement_report(data: &DataSet, campaign: &Campaign, tsv: bool) -> String {
    use crate::model::agreement::measure;
    let ids = data.registry.ids();
    let a = measure(campaign, &ids, &data.dimensions, &data.protocol);
    let name = |id: &str| {
        data.registry
            .get(id)
            .map_or(id.to_string(), |m| m.name.clone())
    };
    if tsv {
        return crate::annex::agreement_rows(data, &a)
            .iter()
            .map(|r| r.join("\t") + "\n")
            .collect();
    }
    let mut text = String::new();
    text.push_str(&(a.reviewers_line() + "\n"));
    for d in &a.dimensions {
        text.push_str(&format!("\n«{}» ({})\n", d.title, d.dimension));
        for line in d.lines() {
            text.push_str(&format!("  {line}\n"));
        }
    }
    text.push_str(&format!("\nРасхождения рецензентов: {}\n", a.queue.len()));
    for q in &a.queue {
        let title = data
            .dimensions
            .get(&q.dimension)
            .map_or(q.dimension.as_str(), |d| d.title.as_str());
        text.push_str(&format!(
            "  {}, «{title}»: {}; {}\n",
            name(&q.municipality),
            q.choices_text(true),
            q.final_text()
        ));
    }
    text
}

/// This year's final clusters beside last year's: the municipalities that moved, then a
/// table of moves per dimension; as rows for programs with `tsv`.
pub fn compare_report(data: &DataSet, before: &LastYear, now: &Campaign, tsv: bool) -> String {
    use crate::model::compare::compare;
    let c = compare(
        before,
        now,
        &data.registry.ids(),
        &data.dimensions,
        (&data.monitoring, &data.protocol),
    );
    let level_name = |i: Option<u8>| {
        i.and_then(|i| data.monitoring.overall.get(i as usize))
            .map_or_else(String::new, |l| l.name.clone())
    };
    let name = |id: &str| {
        data.registry
            .get(id)
            .map_or(id.to_string(), |m| m.name.clone())
    };
    let show = |x: Option<u8>| x.map_or_else(String::new, |x| x.to_string());
    let mut text = String::new();
    if tsv {
        for row in &c.rows {
            let mut cells = vec!["муниципалитет".to_string(), row.municipality.clone()];
            for m in &row.moves {
                cells.push(show(m.before));
                cells.push(show(m.now));
            }
            let source = |s: Option<crate::model::campaign::LevelSource>| {
                s.map_or("", crate::model::campaign::LevelSource::words)
                    .to_string()
            };
            cells.push(level_name(row.level.before));
            cells.push(level_name(row.level.now));
            cells.push(source(row.sources.0));
            cells.push(source(row.sources.1));
            text.push_str(&(cells.join("\t") + "\n"));
        }
        for t in &c.tables {
            let labels: Vec<Option<u8>> =
                t.clusters.iter().map(|c| Some(*c)).chain([None]).collect();
            for b in &labels {
                for n in &labels {
                    text.push_str(&format!(
                        "переход\t{}\t{}\t{}\t{}\n",
                        t.dimension,
                        show(*b),
                        show(*n),
                        t.count(*b, *n)
                    ));
                }
            }
        }
        return text;
    }
    let moved: Vec<String> = c
        .rows
        .iter()
        .filter(|r| r.changed())
        .map(|r| {
            format!(
                "  {}: {}\n",
                name(&r.municipality),
                crate::model::compare::moves_words(r, &data.dimensions, &data.monitoring)
            )
        })
        .collect();
    text.push_str(&format!(
        "Прошлый год: «{}». Сменили кластер или уровень: {}\n",
        before.title,
        moved.len()
    ));
    text.extend(moved);
    for t in &c.tables {
        text.push_str(&format!("\n«{}»\n", t.title));
        for line in t.lines() {
            text.push_str(&line);
            text.push('\n');
        }
    }
    text
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
        // The TSV is for programs: the decided cluster alone. People read the TUI's marks
        // (an override is «1*», a suggestion «1?»), with a legend under the table.
        let live = record.live(&data.protocol);
        for d in &data.dimensions.0 {
            row.push(
                match tsv {
                    true => record.decisions.get(&d.id).map(|d| d.cluster.to_string()),
                    false => Some(live.mark(d).cell()),
                }
                .unwrap_or_default(),
            );
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
    // People read names: the id column is the TSV's, the dimensions go by their headers.
    let mut header: Vec<String> = ["муниципалитет", "вид", "отв.", "обяз."]
        .map(String::from)
        .to_vec();
    header.extend(data.dimensions.0.iter().map(|d| d.column().to_string()));
    header.push("статус".into());
    let mut all = vec![header];
    all.extend(rows.into_iter().map(|mut r| {
        r.remove(0);
        r
    }));
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
        .chain([MARKS_LEGEND.to_string()])
        .collect()
}

/// The marks of the people's status table, as the TUI's list shows them.
const MARKS_LEGEND: &str = "\n1 — решено; 1? — подсказка, не подтверждена; 1* — решено вопреки подсказке, с причиной; 1! — решено, но ответы теперь подсказывают другое; — — нет\n";

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
    all: bool,
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
fn cmd_letters(
    ctx: &Session,
    annex: Option<&std::path::Path>,
    format: Option<&str>,
    output: &std::path::Path,
    name: Option<&str>,
    opts: crate::annex::ExportOptions,
) -> Result<(), Failure> {
    use crate::annex::Format;
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

fn cmd_lists(ctx: &Session, annex: Option<&std::path::Path>, tsv: bool) -> Result<(), Failure> {
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
