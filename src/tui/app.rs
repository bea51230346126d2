//! The TUI's coordinator. A key goes to the top overlay, else to the focused text field of
//! the screen, else through the keymap to an [`Action`] and the screen's `update`; what the
//! screens ask for (another screen, an overlay, work for the IO layer) is carried out here,
//! and the IO work is returned as [`Effect`]s. Nothing here touches the terminal or disk.

use super::action::Action;
use super::cmd::{Cmd, Go, Screen};
use super::ctx::{Ctx, Effect};
use super::export;
use super::keymap::Keymap;
use super::keys::{Code, Key};
use super::overlays::{
    Confirm, Help, Outcome, Overlay, Pending, PickFor, Prompt, PromptFor, Reply,
};
use super::saving::Step;
use super::screens::Screens;
use crate::data::DataSet;
use crate::model::campaign::Campaign;
use ratatui::crossterm::event::KeyEvent;
use std::path::PathBuf;

pub struct App {
    pub ctx: Ctx,
    pub screens: Screens,
    pub screen: Screen,
    /// Screens to go back to, the latest last.
    history: Vec<Screen>,
    /// Open overlays, the one on top last.
    pub overlays: Vec<Overlay>,
}

impl App {
    pub fn new(
        data: DataSet,
        campaign: Campaign,
        keymap: Keymap,
        reviewer: Option<String>,
        clock: fn() -> String,
        export_dir: PathBuf,
    ) -> App {
        let current = data
            .registry
            .municipalities
            .first()
            .map(|m| m.id.clone())
            .unwrap_or_default();
        let mut ctx = Ctx {
            data,
            campaign,
            keymap,
            reviewer: reviewer.filter(|r| !r.trim().is_empty()),
            clock,
            current,
            message: None,
            last_saved: None,
            page: 10,
            summaries: Vec::new(),
            generation: 0,
            loading: None,
            fatal: None,
            template: None,
            template_error: None,
            tz: jiff::tz::TimeZone::system(),
            hub: None,
            devices: Default::default(),
            export_dir,
            unsaved: Default::default(),
            save_error: None,
            quit_anyway: false,
        };
        // The list's spelling, so «иванова» in the config rates as the listed Иванова.
        if let Some(me) = ctx.reviewer.clone() {
            ctx.set_reviewer(&me);
        }
        ctx.summarize_all();
        let screens = Screens::new(&mut ctx);
        let mut app = App {
            ctx,
            screens,
            screen: Screen::List,
            history: Vec::new(),
            overlays: Vec::new(),
        };
        if app.ctx.reviewer.is_none() {
            app.overlays.push(Overlay::Prompt(Prompt::new(
                "Как вас записывать? Имя будет стоять у каждого ответа и решения",
                "",
                PromptFor::Reviewer,
            )));
        }
        app
    }

    /// The overlay on top, if any.
    pub fn overlay(&self) -> Option<&Overlay> {
        self.overlays.last()
    }

    pub fn handle_key(&mut self, event: KeyEvent) -> Vec<Effect> {
        let mut effects = self.key(event);
        // While a save has failed, every key tries again.
        if self.ctx.save_error.is_some() {
            for retry in self.ctx.retries() {
                if !effects.contains(&retry) {
                    effects.insert(0, retry);
                }
            }
        }
        effects
    }

    fn key(&mut self, event: KeyEvent) -> Vec<Effect> {
        self.poll_loading();
        let key = Key::from_event(&event);
        // Ctrl-C quits from anywhere, whatever the keymap and any open overlay say; nothing
        // typed is lost without a question.
        if key.ctrl && matches!(key.code, Code::Char('c' | 'с')) {
            return self.quit();
        }
        let action = self.ctx.keymap.action(self.screen.scope(), &key);
        if let Some(top) = self.overlays.last_mut() {
            return match top.handle(&key, &event, action) {
                Outcome::Keep => Vec::new(),
                Outcome::Close => {
                    self.overlays.pop();
                    Vec::new()
                }
                Outcome::Reply(reply) => {
                    self.overlays.pop();
                    // What was said before the overlay is old news once it is answered; the
                    // status line shows what the answer did, or the time it was saved.
                    self.ctx.message = None;
                    self.reply(reply)
                }
            };
        }
        let screen = self.screens.get_mut(self.screen);
        if screen.field_hints().is_some() {
            self.ctx.message = None;
        }
        if let Some(cmds) = screen.field_key(&mut self.ctx, &event) {
            return self.run(cmds);
        }
        match action {
            Some(action) => self.update(action),
            None => Vec::new(),
        }
    }

    /// Quitting: a draft in a text field is saved first; a draft that cannot be saved, or
    /// text typed into a prompt, is asked about. Asked twice, it quits.
    fn quit(&mut self) -> Vec<Effect> {
        let ask = |why: String| {
            Overlay::Confirm(Confirm::new(
                format!("{why} Выйти без этого? (n — остаться)"),
                Pending::Quit,
            ))
        };
        match self.overlays.last() {
            Some(Overlay::Confirm(c)) if c.then == Pending::Quit => return vec![Effect::Quit],
            Some(Overlay::Prompt(p)) if !p.field.text().trim().is_empty() => {
                let why = format!(
                    "Введённое в поле «{}» не сохранится.",
                    p.field.text().trim()
                );
                self.overlays.push(ask(why));
                return Vec::new();
            }
            _ => {}
        }
        match self.screens.get_mut(self.screen).flush(&mut self.ctx) {
            Ok(cmds) => {
                let mut effects = self.run(cmds);
                effects.push(Effect::Quit);
                effects
            }
            Err(why) => {
                self.overlays
                    .push(ask(format!("Черновик не сохранён: {why}.")));
                Vec::new()
            }
        }
    }

    pub fn handle_paste(&mut self, text: &str) {
        match self.overlays.last_mut() {
            Some(top) => top.paste(text),
            None => self.screens.get_mut(self.screen).paste(&mut self.ctx, text),
        }
    }

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        self.ctx.message = None;
        match action {
            Action::Quit => return vec![Effect::Quit],
            Action::Help => {
                self.overlays.push(Overlay::Help(Help::default()));
                return Vec::new();
            }
            _ => {}
        }
        if self.screens.get(self.screen).needs_records(action) {
            self.finish_loading();
        }
        let cmds = match action {
            Action::Preview => vec![Cmd::Go(Go::to(Screen::Preview))],
            Action::Export => {
                self.ctx.ensure_template();
                vec![Cmd::Show(export::picker(&self.ctx))]
            }
            // The hub is asked for once; afterwards one key syncs with it.
            Action::Sync => match &self.ctx.hub {
                Some(hub) => vec![Cmd::Io(Effect::Sync(hub.clone(), false))],
                None => vec![Cmd::Show(Overlay::Prompt(Prompt::new(
                    "Папка узла синхронизации (на флешке или в общей сетевой папке) или адрес узла на сервере (https://…)",
                    "",
                    PromptFor::Hub,
                )))],
            },
            _ => self
                .screens
                .get_mut(self.screen)
                .update(&mut self.ctx, action),
        };
        self.run(cmds)
    }

    fn reply(&mut self, reply: Reply) -> Vec<Effect> {
        if reply == Reply::Confirmed(Pending::Quit) {
            self.ctx.quit_anyway = true;
            return vec![Effect::Quit];
        }
        if let Reply::Picked(PickFor::Conflict { id, index }, choice) = &reply {
            return match self.ctx.resolve(id, *index, *choice == 1) {
                Step::Write(_) => vec![Effect::Save(id.clone())],
                Step::Ask(overlay) => {
                    self.overlays.push(overlay);
                    Vec::new()
                }
                Step::Nothing => Vec::new(),
            };
        }
        if let Reply::Text(PromptFor::Hub, folder) = &reply {
            // A folder named without its place would be looked for (and a hub made) wherever
            // sobes happened to be started: the TUI asks for the whole path.
            let folder = PathBuf::from(folder.trim());
            let server = crate::sync::address::Address::of(&folder).is_some();
            if !folder.is_absolute() && !server {
                self.ctx.error(format!(
                    "«{}»: укажите папку узла полностью, от диска или корня (например, E:\\sobes или /media/флешка/sobes), или адрес сервера (https://…, ssh://…); ничего не сделано",
                    folder.display()
                ));
                return Vec::new();
            }
            return vec![Effect::Sync(folder, false)];
        }
        if let Reply::Text(PromptFor::Token(hub), token) = &reply {
            let Some(address) = crate::sync::address::Address::of(hub) else {
                return Vec::new();
            };
            let sync = Effect::Sync(address.with_secret(token), false);
            // A key's passphrase serves this sync only; a token is kept as hub login keeps it.
            if address.is_ssh() {
                return vec![sync];
            }
            return vec![Effect::StoreToken(hub.clone(), token.clone()), sync];
        }
        if let Reply::Confirmed(Pending::TrustHost(hub, line)) = &reply {
            return vec![
                Effect::TrustHost(line.clone()),
                Effect::Sync(hub.clone(), false),
            ];
        }
        if let Reply::Confirmed(Pending::NewHub(folder)) = &reply {
            return vec![Effect::Sync(folder.clone(), true)];
        }
        if let Reply::Text(PromptFor::Reviewer, name) = &reply {
            self.ctx.set_reviewer(name);
            return vec![Effect::SaveConfig];
        }
        let cmds = match export::reply(&mut self.ctx, &reply) {
            Some(cmds) => cmds,
            None => self
                .screens
                .get_mut(self.screen)
                .reply(&mut self.ctx, reply),
        };
        self.run(cmds)
    }

    fn run(&mut self, cmds: Vec<Cmd>) -> Vec<Effect> {
        let mut effects = Vec::new();
        for cmd in cmds {
            match cmd {
                Cmd::Io(e) => effects.push(e),
                Cmd::Go(go) => self.go(go),
                Cmd::Back => self.back(),
                Cmd::Show(o) => self.overlays.push(o),
            }
        }
        effects
    }

    /// Opens a screen. Going to a screen already on the way back returns to it; moving
    /// between the screens of one municipality replaces rather than stacks.
    pub fn go(&mut self, go: Go) {
        let target = go.screen();
        if let Some(at) = self.history.iter().position(|s| *s == target) {
            self.history.truncate(at);
        } else if target != self.screen
            && !(target.is_municipality() && self.screen.is_municipality())
        {
            self.history.push(self.screen);
        }
        self.screen = target;
        self.screens.get_mut(target).enter(&mut self.ctx, Some(go));
    }

    fn back(&mut self) {
        self.screen = self.history.pop().unwrap_or(Screen::List);
        self.screens.get_mut(self.screen).enter(&mut self.ctx, None);
    }

    // ---- loading ---------------------------------------------------------------------

    pub fn start_loading(&mut self, rx: super::ctx::Loading) {
        self.ctx.start_loading(rx);
    }

    pub fn is_loading(&self) -> bool {
        self.ctx.is_loading()
    }

    pub fn poll_loading(&mut self) {
        if self.ctx.poll_loading() {
            self.screens.list.refilter(&mut self.ctx);
        }
    }

    pub fn finish_loading(&mut self) {
        if self.ctx.finish_loading() {
            self.screens.list.refilter(&mut self.ctx);
        }
    }

    // ---- reports from the IO layer ------------------------------------------------------

    /// After a sync: the campaign as it is on disk now, and what the sync did.
    pub fn synced(&mut self, campaign: Campaign, said: String) {
        self.ctx.campaign = campaign;
        // The list may have come in changed: the name as it spells it now.
        if let Some(me) = self.ctx.reviewer.clone() {
            self.ctx.set_reviewer(&me);
        }
        self.ctx.summarize_all();
        self.ctx.generation += 1;
        self.screens.list.refilter(&mut self.ctx);
        self.ctx.say(said);
    }

    pub fn exported(&mut self, result: Result<PathBuf, String>) {
        match result {
            Ok(path) => self.ctx.say(format!("записано: {}", path.display())),
            Err(e) => self.ctx.error(format!("не выгружено: {e}")),
        }
    }

    pub fn saved(&mut self, id: &str, result: Result<(), String>) {
        match result {
            Ok(()) => {
                self.ctx.unsaved.remove(id);
                if self.ctx.unsaved.is_empty() {
                    self.ctx.save_error = None;
                }
                self.written();
            }
            Err(e) => self.ctx.save_error = Some(e),
        }
    }

    /// Something is on disk now (a record, the campaign's own file): the status line's
    /// time of the last save follows every save, whichever file it was.
    pub fn written(&mut self) {
        let at = (self.ctx.clock)();
        self.ctx.last_saved = Some(crate::clock::local_time_in(&at, &self.ctx.tz));
    }

    /// A hub folder typed that is missing or empty, or an empty repository on a server: made
    /// a hub only when the user says so.
    pub fn ask_new_hub(&mut self, folder: PathBuf) {
        let question = match crate::sync::address::Address::of(&folder) {
            Some(a) => format!(
                "Хранилище на сервере {} пусто. Сделать его новым узлом синхронизации? (y — сделать, n — нет)",
                a.shown()
            ),
            None => format!(
                "В папке {} нет узла синхронизации. Создать в ней новый узел? (y — создать, n — нет)",
                folder.display()
            ),
        };
        self.overlays.push(Overlay::Confirm(Confirm::new(
            question,
            Pending::NewHub(folder),
        )));
    }

    /// An ssh server this computer does not know: trusted only when the user says so, having
    /// seen its fingerprint.
    pub fn ask_trust(&mut self, hub: PathBuf, why: &str, line: String) {
        self.overlays.push(Overlay::Confirm(Confirm::new(
            format!("{why}\nДоверять этому серверу? (y — да, запомнить его ключ; n — нет)"),
            Pending::TrustHost(hub, line),
        )));
    }

    /// A server hub that refused every credential: a token is asked for, said why.
    pub fn ask_token(&mut self, hub: PathBuf, why: &str) {
        let ssh = crate::sync::address::Address::of(&hub).is_some_and(|a| a.is_ssh());
        let what = if ssh {
            "Пароль ключа ssh (если ключ защищён паролем; не сохраняется):"
        } else {
            "Токен сервера (Gitea: Настройки → Приложения; GitLab: Preferences → Access tokens); сохранится только для этого пользователя компьютера:"
        };
        self.overlays.push(Overlay::Prompt(Prompt::new(
            format!("{why}\n{what}"),
            "",
            PromptFor::Token(hub),
        )));
    }

    /// Quitting with changes not on disk asks first, naming them.
    pub fn ask_to_quit(&mut self, lost: &str) {
        let already =
            matches!(self.overlays.last(), Some(Overlay::Confirm(c)) if c.then == Pending::Quit);
        if !already {
            self.overlays.push(Overlay::Confirm(Confirm::new(
                format!(
                    "Не записаны на диск изменения: {lost}. Выйти и потерять их? (n — остаться)"
                ),
                Pending::Quit,
            )));
        }
    }
}
