//! The facts of this year's letter (number, date, deadlines): what the annex prints, and a
//! blank to fill for each one not set. Enter edits one.

use super::Component;
use crate::model::campaign::{BLANK, FACTS, SETTINGS, field_name};
use crate::tui::action::Action;
use crate::tui::cmd::Cmd;
use crate::tui::ctx::{Ctx, Effect};
use crate::tui::cursor::{is_movement, moved, scroll_offset};
use crate::tui::overlays::{Overlay, Prompt, PromptFor, Reply};
use crate::tui::widgets::{DIM, SELECTED};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

#[derive(Default)]
pub struct Letter {
    pub cursor: usize,
}

const HINTS: &[Action] = &[Action::Edit, Action::Help, Action::Back];

/// The rows: the interview dates, then the letter's facts; (key, what it is).
fn rows() -> Vec<(&'static str, &'static str)> {
    let settings = |keys: &'static [&str]| SETTINGS.iter().filter(move |(k, _)| keys.contains(k));
    // The dates first, the campaign's title (rarely changed) last.
    settings(&["start", "end"])
        .chain(FACTS)
        .chain(settings(&["title"]))
        .copied()
        .collect()
}

/// A row's value as kept: a setting, or the campaign's own fact.
fn own_value(ctx: &Ctx, key: &str) -> Option<String> {
    if SETTINGS.iter().any(|(k, _)| *k == key) {
        Some(ctx.campaign.meta.setting(key)).filter(|v| !v.is_empty())
    } else {
        ctx.campaign.meta.facts.get(key).cloned()
    }
}

/// Sets a campaign field (which also decides a conflict over it) and asks for it to be saved.
/// The one place that knows each key (`Meta::set`): dates are checked, facts kept as typed.
/// A value refused opens the prompt again with the text as typed and the reason under it.
pub fn set_field(ctx: &mut Ctx, key: String, value: &str) -> Vec<Cmd> {
    match ctx.campaign.meta.set(&key, value) {
        Ok(_) => vec![Cmd::Io(Effect::SaveMeta(key))],
        Err(why) => {
            let mut prompt = Prompt::new(
                format!("{} (пусто — стереть)", field_name(&key)),
                value,
                PromptFor::Fact(key),
            );
            prompt.error = Some(why);
            vec![Cmd::Show(Overlay::Prompt(prompt))]
        }
    }
}

/// The value a campaign field holds now, for a prompt to start from.
pub fn field_value(ctx: &Ctx, key: &str) -> String {
    own_value(ctx, key).unwrap_or_default()
}

impl Component for Letter {
    fn title(&self, _ctx: &Ctx) -> String {
        "Факты письма".into()
    }

    fn hints(&self, _ctx: &Ctx) -> &'static [Action] {
        HINTS
    }

    fn update(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        match action {
            a if is_movement(a) => self.cursor = moved(self.cursor, rows().len(), a, ctx.page),
            Action::Edit | Action::Open => {
                let rows = rows();
                let (key, what) = rows[self.cursor.min(rows.len() - 1)];
                let now = own_value(ctx, key).unwrap_or_default();
                return vec![Cmd::Show(Overlay::Prompt(Prompt::new(
                    format!("{what} (пусто — стереть)"),
                    &now,
                    PromptFor::Fact(key.to_string()),
                )))];
            }
            Action::Back => return vec![Cmd::Back],
            _ => {}
        }
        Vec::new()
    }

    fn reply(&mut self, ctx: &mut Ctx, reply: Reply) -> Vec<Cmd> {
        let Reply::Text(PromptFor::Fact(key), value) = reply else {
            return Vec::new();
        };
        set_field(ctx, key, &value)
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &mut Ctx) {
        ctx.page = area.height.max(1) as usize;
        let mut lines = vec![Line::styled(
            " Что письмо этого года говорит о себе; чего нет — в приложении будет «____»",
            DIM,
        )];
        for (i, (key, what)) in rows().iter().enumerate() {
            let own = own_value(ctx, key);
            let default = ctx.template.as_ref().and_then(|t| t.facts.get(*key));
            let mut text = match (own, default) {
                (Some(v), _) => format!(" {what}: {v}"),
                (None, Some(d)) => format!(" {what}: {d} (из шаблона)"),
                (None, None) => format!(" {what}: {BLANK}"),
            };
            // A field two laptops changed differently: both versions, until it is set here.
            if let Some(c) = ctx.campaign.meta.conflicts.iter().find(|c| c.field == *key) {
                let versions: Vec<String> = c
                    .versions
                    .iter()
                    .map(|v| format!("«{}»", v.value))
                    .collect();
                text.push_str(&format!("  ⚠ конфликт: {}", versions.join(" или ")));
            }
            lines.push(if i == self.cursor {
                Line::styled(text, SELECTED)
            } else {
                Line::raw(text)
            });
        }
        // More rows than a small terminal has: scroll so the selected one (with the lines
        // it wraps into) is in view.
        let width = area.width.max(1) as usize;
        let bottom: usize = lines
            .iter()
            .take(self.cursor + 2)
            .map(|l| l.width().div_ceil(width).max(1))
            .sum::<usize>()
            - 1;
        let top = scroll_offset(bottom, area.height as usize);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((top as u16, 0)),
            area,
        );
    }
}
