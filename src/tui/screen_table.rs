//! Every screen of the TUI, once. This list is what makes a screen exist: `keymap` makes
//! its keymap scope of it (the section of the keymap files and the heading in help), `cmd`
//! its [`Screen`](super::cmd::Screen) variant, and `screens` the module and the field of
//! [`Screens`](super::screens::Screens) that holds its state. A new screen is a file in
//! `screens/`, one line here, and its keys in `keymaps/*.ron`.

/// Hands the list of screens to the macro `$then`: per screen its variant, its field (the
/// module in `screens/`, the state's field and the keymap files' section), its title (help's
/// heading), the type of its state and how that is made from the [`Ctx`](super::ctx::Ctx).
macro_rules! with_screens {
    ($then:ident) => {
        $then! {
            List, list, "Список муниципалитетов", list::List, |ctx| list::List::new(ctx);
            Interview, interview, "Вопросы", interview::Interview,
                |ctx| interview::Interview::new(&ctx.data);
            Clusters, clusters, "Кластеры муниципалитета", clusters::Clusters, |_| Default::default();
            Review, review, "Свод", review::Review, |_| Default::default();
            Preview, preview, "Приложение к письму", preview::Preview, |_| Default::default();
            Conflicts, conflicts, "Конфликты синхронизации", conflicts::Conflicts,
                |_| Default::default();
            Letter, letter, "Факты письма", letter::Letter, |_| Default::default();
            Agreement, agreement, "Согласие рецензентов", agreement::Agreement,
                |_| Default::default();
            Changes, changes, "Изменения с прошлого года", changes::Changes,
                |_| Default::default();
            Levels, levels, "Мониторинг: уровни", levels::Levels, |_| Default::default();
        }
    };
}
pub(crate) use with_screens;
