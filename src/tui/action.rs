//! Everything a key can do, with the words help and hints show for it (help words an action
//! that does something of its own on one screen itself).

use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
pub enum Action {
    Quit,
    Help,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    Open,
    Search,
    Filter,
    Review,
    Interview,
    Clusters,
    Next,
    Prev,
    NextOpen,
    Section,
    Choose,
    Pick(u8),
    Edit,
    Note,
    Clear,
    Accept,
    Preview,
    Export,
    Undo,
    Sync,
    Conflicts,
    History,
    Letter,
    Agreement,
    Finalize,
    Changes,
    Levels,
}

impl Action {
    /// A few words for the status line.
    pub fn short(self) -> String {
        match self {
            Action::Quit => "выход".into(),
            Action::Help => "помощь".into(),
            Action::Back => "назад".into(),
            Action::Up => "вверх".into(),
            Action::Down => "вниз".into(),
            Action::PageUp => "стр. вверх".into(),
            Action::PageDown => "стр. вниз".into(),
            Action::First => "в начало".into(),
            Action::Last => "в конец".into(),
            Action::Open => "открыть".into(),
            Action::Search => "поиск".into(),
            Action::Filter => "фильтр".into(),
            Action::Review => "свод".into(),
            Action::Interview => "вопросы".into(),
            Action::Clusters => "кластеры".into(),
            Action::Next => "следующий".into(),
            Action::Prev => "предыдущий".into(),
            Action::NextOpen => "к неотвеченному".into(),
            Action::Section => "раздел".into(),
            Action::Choose => "выбрать".into(),
            Action::Pick(n) => format!("вариант {n}"),
            Action::Edit => "ввести".into(),
            Action::Note => "заметка".into(),
            Action::Clear => "стереть".into(),
            Action::Accept => "принять".into(),
            Action::Preview => "приложение".into(),
            Action::Export => "выгрузить".into(),
            Action::Undo => "вернуть".into(),
            Action::Sync => "синхронизация".into(),
            Action::Conflicts => "конфликты".into(),
            Action::History => "история".into(),
            Action::Letter => "письмо".into(),
            Action::Agreement => "согласие".into(),
            Action::Finalize => "окончательно".into(),
            Action::Changes => "изменения".into(),
            Action::Levels => "мониторинг".into(),
        }
    }

    /// A sentence for the help screen.
    pub fn describe(self) -> String {
        match self {
            Action::Quit => "Выйти из sobes (всё уже сохранено)".into(),
            Action::Help => "Показать или скрыть эту справку".into(),
            Action::Back => "Вернуться на предыдущий экран".into(),
            Action::Up => "Строка или вариант выше".into(),
            Action::Down => "Строка или вариант ниже".into(),
            Action::PageUp => "На страницу вверх".into(),
            Action::PageDown => "На страницу вниз".into(),
            Action::First => "К первой строке".into(),
            Action::Last => "К последней строке".into(),
            Action::Open => "Открыть выбранное".into(),
            Action::Search => {
                "Искать муниципалитет по названию (можно в латинской раскладке)".into()
            }
            Action::Filter => "Показать только часть списка: по статусу или кластеру".into(),
            Action::Review => "Свод: кластеры по всем муниципалитетам".into(),
            Action::Interview => "Перейти к вопросам этого муниципалитета".into(),
            Action::Clusters => "Перейти к кластерам этого муниципалитета".into(),
            Action::Next => "Следующий вопрос (пропустить этот)".into(),
            Action::Prev => "Предыдущий вопрос".into(),
            Action::NextOpen => "Следующий обязательный вопрос без ответа".into(),
            Action::Section => "Перейти к разделу протокола".into(),
            Action::Choose => {
                "Выбрать вариант под курсором (в множественном выборе — отметить или снять)".into()
            }
            Action::Pick(n) => format!("Выбрать вариант или кластер {n}"),
            Action::Edit => "Ввести или исправить ответ-текст или число".into(),
            Action::Note => "Написать заметку к ответу".into(),
            Action::Clear => "Стереть ответ или решение (спросит подтверждение)".into(),
            Action::Accept => "Принять подсказанный кластер".into(),
            Action::Preview => "Посмотреть приложение к письму, собранное из кампании".into(),
            Action::Export => {
                "Выгрузить приложение (Word, Markdown) или матрицу кластеров (Excel, CSV)".into()
            }
            Action::Undo => "Вернуть ответ, который только что заменили".into(),
            Action::Conflicts => "Конфликты синхронизации: выбрать, какое значение оставить".into(),
            Action::History => {
                "История этого вопроса или решения: кто, когда, что было и что стало".into()
            }
            Action::Letter => "Факты письма этого года: номер, дата, сроки".into(),
            Action::Agreement => {
                "Согласие рецензентов: альфа, каппа, расхождения с правилами и между собой".into()
            }
            Action::Levels => {
                "Мониторинг: баллы и уровни по показателям, ввод баллов".into()
            }
            Action::Changes => {
                "Изменения с прошлого года: кто сменил кластер, таблица переходов".into()
            }
            Action::Finalize => {
                "Сделать кластер окончательным: общий выбор рецензентов или, при расхождении, выбранный с причиной".into()
            }
            Action::Sync => {
                "Синхронизировать с другими ноутбуками через узел (папка на флешке или в сети)"
                    .into()
            }
        }
    }
}
