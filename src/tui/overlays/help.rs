//! The keys of the current screen and the global ones, generated from the active keymap so
//! that help always says what the keys really do. Longer than the window, it scrolls; it
//! closes with Esc, q or the help key, so a stray key does not hide what is being read.

use super::Outcome;
use crate::tui::action::Action;
use crate::tui::ctx::Ctx;
use crate::tui::cursor::{is_movement, moved};
use crate::tui::keymap::Scope;
use crate::tui::keys::{Code, Key};
use crate::tui::widgets::{BOLD, DIM, popup, wrap_indented};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};
use std::cell::Cell;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Help {
    /// The first line shown.
    pub offset: usize,
    /// As last drawn: the lines that fit and the largest offset; the keys scroll by these.
    shown: Cell<Option<(usize, usize)>>,
}

/// What the help's last row says about its keys.
const KEYS_SCROLL: &str = "↑/↓, PgUp/PgDn — листать · Esc, q, ? — закрыть";
const KEYS_CLOSE: &str = "Esc, q, ? — закрыть";

impl Help {
    /// `action` is what the keymap makes of the key on the screen below, so the keymap's
    /// own movement keys (j/k in vim) scroll here too.
    pub fn handle(&mut self, key: &Key, action: Option<Action>) -> Outcome {
        let closes = matches!(key.code, Code::Esc | Code::Char('q' | 'й' | '?' | ','))
            || matches!(action, Some(Action::Help | Action::Back | Action::Quit));
        if closes {
            return Outcome::Close;
        }
        // The arrows whatever the keymap says, else the keymap's own movement keys.
        let movement = match key.code {
            Code::Up => Some(Action::Up),
            Code::Down => Some(Action::Down),
            Code::PageUp => Some(Action::PageUp),
            Code::PageDown => Some(Action::PageDown),
            Code::Home => Some(Action::First),
            Code::End => Some(Action::Last),
            _ => action.filter(|a| is_movement(*a)),
        };
        // Before help is first drawn there is nothing on screen to move through.
        if let (Some(movement), Some((page, last))) = (movement, self.shown.get()) {
            self.offset = moved(self.offset, last + 1, movement, page.saturating_sub(1));
        }
        Outcome::Keep
    }

    /// The status line's keys while help is open.
    pub fn hints(&self) -> &'static str {
        "↑/↓ листать · Esc закрыть"
    }

    /// The help's lines for a box `width` columns wide inside.
    pub fn lines(ctx: &Ctx, scope: Scope, width: usize) -> Vec<Line<'static>> {
        let keymap = &ctx.keymap;
        let mut lines = Vec::new();
        for s in [scope, Scope::Global] {
            lines.extend(
                wrap_indented(s.title(), width, "", "  ")
                    .into_iter()
                    .map(|r| Line::styled(r, BOLD)),
            );
            let mut picks = Vec::new();
            for (action, keys) in keymap.help(s) {
                // A screen's own list leaves out what the global list says anyway.
                let global = |k: &_| keymap.bindings(Scope::Global).iter().any(|(g, _)| g == k);
                if s != Scope::Global && keys.iter().all(global) {
                    continue;
                }
                let keys: Vec<String> = keys
                    .iter()
                    .map(|k| match keymap.russian_twin(scope, k) {
                        Some(twin) => format!("{} / {}", k.label(), twin.label()),
                        None => k.label(),
                    })
                    .collect();
                // The numbered picks share one line: «1…9».
                if let Action::Pick(_) = action {
                    picks.extend(keys);
                    continue;
                }
                let keys = keys.join(", ");
                lines.extend(entry(&keys, &describe_in(action, s), width));
            }
            if let (Some(first), Some(last)) = (picks.first(), picks.last()) {
                let keys = if picks.len() > 1 {
                    format!("{first}…{last}")
                } else {
                    first.clone()
                };
                lines.extend(entry(&keys, "Выбрать вариант или кластер по номеру", width));
            }
            if s == Scope::Global {
                break;
            }
        }
        let layout = format!("Раскладка: {}", keymap.name);
        lines.extend(
            wrap_indented(&layout, width, "", "  ")
                .into_iter()
                .map(|r| Line::styled(r, DIM)),
        );
        lines
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx, scope: Scope) {
        // A column clear of the right border, so no word touches it.
        let width = area.width.saturating_sub(7) as usize;
        // Every line is wrapped already, so a line is a row and the offset counts rows.
        let lines = Help::lines(ctx, scope, width);
        let rect = popup(area, area.width.saturating_sub(4), lines.len() as u16 + 3);
        let room = rect.height.saturating_sub(3) as usize;
        let last = lines.len().saturating_sub(room);
        self.shown.set(Some((room, last)));
        let offset = self.offset.min(last);
        let mut shown: Vec<Line> = lines.into_iter().skip(offset).take(room).collect();
        shown.resize(room, Line::raw(""));
        let keys = if last > 0 { KEYS_SCROLL } else { KEYS_CLOSE };
        shown.push(Line::styled(keys, DIM));
        let mut block = Block::bordered().title(Line::from(" Клавиши "));
        if last > 0 {
            let total = last + room;
            let to = (offset + room).min(total);
            block = block.title_bottom(
                Line::from(format!(" {}–{to} из {total} ", offset + 1)).right_aligned(),
            );
        }
        frame.render_widget(Clear, rect);
        frame.render_widget(Paragraph::new(shown).block(block), rect);
    }
}

/// An action's sentence on one screen's help: its own words where it does something of its
/// own there, else [`Action::describe`].
fn describe_in(action: Action, scope: Scope) -> String {
    match (action, scope) {
        (Action::Back, Scope::List) => "Сбросить поиск и фильтр".into(),
        (Action::Accept | Action::Pick(_), Scope::Clusters) => format!(
            "{} (при нескольких рецензентах — ваша оценка)",
            action.describe()
        ),
        (Action::Edit | Action::Open, Scope::Levels) => {
            "Ввести балл выбранного муниципалитета по выбранному показателю".into()
        }
        (Action::Next, Scope::Levels) => "Следующий показатель".into(),
        (Action::Prev, Scope::Levels) => "Предыдущий показатель".into(),
        (Action::Open, Scope::Changes) => "Открыть кластеры муниципалитета".into(),
        (Action::Open, Scope::Agreement) => "Открыть расхождение на экране кластеров".into(),
        (Action::Open, Scope::Review) => {
            "Открыть муниципалитет: кластеры или незаконченные вопросы".into()
        }
        _ => action.describe(),
    }
}

/// One key and what it does; a description too long for the line goes on under itself, so
/// the keys' column stays clear.
fn entry(keys: &str, text: &str, width: usize) -> Vec<Line<'static>> {
    const KEYS: usize = 16;
    let pad = " ".repeat(KEYS + 3);
    let mut out = Vec::new();
    let first = if keys.chars().count() > KEYS {
        out.push(Line::raw(format!("  {keys}")));
        pad.clone()
    } else {
        format!("  {keys:<KEYS$} ")
    };
    out.extend(
        wrap_indented(text, width.max(KEYS + 16), &first, &pad)
            .into_iter()
            .map(Line::raw),
    );
    out
}
