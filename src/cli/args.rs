//! The command line's arguments, as clap reads them: the global flags and every command
//! with its own.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

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
pub enum HubAction {
    /// Сохранить токен сервера-узла (Gitea, GitLab) для этого пользователя компьютера; токен
    /// читается со стандартного ввода, одной строкой
    Login {
        /// Адрес узла на сервере (https://…)
        #[arg(value_name = "АДРЕС")]
        address: String,
    },
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
    /// Узел на сервере: login — сохранить токен
    Hub {
        #[command(subcommand)]
        action: HubAction,
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
