//! The keys of the current screen and the global ones, generated from the active keymap so
//! that help always says what the keys really do.

use crate::tui::action::Action;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::Scope;
use crate::tui::widgets::{BOLD, DIM, popup, wrap_indented};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Help;

impl Help {
    /// The help's lines for a box `width` columns wide inside.
    pub fn lines(ctx: &Ctx, scope: Scope, width: usize) -> Vec<Line<'static>> {
        let keymap = &ctx.keymap;
        let mut lines = Vec::new();
        for s in [scope, Scope::Global] {
            lines.push(Line::styled(s.title().to_string(), BOLD));
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
                lines.extend(entry(&keys, &action.describe_in(s), width));
            }
            if let (Some(first), Some(last)) = (picks.first(), picks.last()) {
                let keys = if picks.len() > 1 {
                    format!("{first}…{last}")
                } else {
                    first.clone()
                };
                lines.push(Line::raw(format!(
                    "  {keys:<16} Выбрать вариант или кластер по номеру"
                )));
            }
            if s == Scope::Global {
                break;
            }
        }
        lines.push(Line::styled(
            format!("Раскладка: {} · любая клавиша закрывает", keymap.name),
            DIM,
        ));
        lines
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx, scope: Scope) {
        let width = area.width.saturating_sub(6) as usize;
        let lines = Help::lines(ctx, scope, width);
        let rect = popup(area, area.width.saturating_sub(4), lines.len() as u16 + 4);
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(Line::from(" Клавиши "))),
            rect,
        );
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
