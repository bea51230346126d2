//! Last year beside this year: the municipalities whose final cluster moved, and per
//! dimension the table of moves. Enter opens the selected municipality's clusters.

use super::Component;
use crate::model::compare::{Comparison, compare, moves_words};
use crate::tui::action::Action;
use crate::tui::cmd::{Cmd, Go};
use crate::tui::ctx::Ctx;
use crate::tui::cursor::{is_movement, moved};
use crate::tui::widgets::{BOLD, DIM, SELECTED};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

#[derive(Default)]
pub struct Changes {
    /// The selected municipality among those that moved.
    pub cursor: usize,
    /// The comparison, made again only after a change (by the campaign's generation).
    compared: Option<(u64, Option<Comparison>)>,
}

const HINTS: &[Action] = &[Action::Open, Action::Help, Action::Back];

impl Changes {
    fn compared(&mut self, ctx: &Ctx) -> Option<&Comparison> {
        if self
            .compared
            .as_ref()
            .is_none_or(|(g, _)| *g != ctx.generation)
        {
            let c = ctx.campaign.last_year.as_ref().map(|before| {
                let ids = ctx.data.registry.ids();
                compare(
                    before,
                    &ctx.campaign,
                    &ids,
                    &ctx.data.dimensions,
                    (&ctx.data.monitoring, &ctx.data.protocol),
                )
            });
            self.compared = Some((ctx.generation, c));
        }
        self.compared.as_ref().and_then(|(_, c)| c.as_ref())
    }
}

/// The ids of the municipalities that moved, in registry order.
fn moved_ids(c: &Comparison) -> Vec<String> {
    c.rows
        .iter()
        .filter(|r| r.changed())
        .map(|r| r.municipality.clone())
        .collect()
}

impl Component for Changes {
    fn title(&self, _ctx: &Ctx) -> String {
        "Изменения с прошлого года".into()
    }

    fn hints(&self, _ctx: &Ctx) -> &'static [Action] {
        HINTS
    }

    fn update(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        let ids = self.compared(ctx).map(moved_ids).unwrap_or_default();
        match action {
            a if is_movement(a) => self.cursor = moved(self.cursor, ids.len(), a, ctx.page),
            Action::Open => {
                if let Some(id) = ids.get(self.cursor) {
                    ctx.current = id.clone();
                    return vec![Cmd::Go(Go::clusters(None))];
                }
            }
            Action::Back => return vec![Cmd::Back],
            _ => {}
        }
        Vec::new()
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &mut Ctx) {
        ctx.page = area.height.max(1) as usize;
        self.cursor = self.cursor.min(
            self.compared(ctx)
                .map_or(0, |c| moved_ids(c).len())
                .saturating_sub(1),
        );
        let cursor = self.cursor;
        let ctx = &*ctx;
        let Some(c) = self.compared(ctx) else {
            let lines = vec![
                Line::raw(" Прошлогодняя кампания не названа."),
                Line::styled(
                    " sobes campaign set previous ПАПКА — и здесь будет, кто сменил кластер.",
                    DIM,
                ),
            ];
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
            return;
        };
        let before = ctx
            .campaign
            .last_year
            .as_ref()
            .map_or("", |p| p.title.as_str());
        let moved: Vec<_> = c.rows.iter().filter(|r| r.changed()).collect();
        let mut lines = vec![Line::raw(format!(
            " Прошлый год: «{before}». Сменили кластер или уровень: {}",
            moved.len()
        ))];
        let mut selected_line = 0;
        for (k, r) in moved.iter().enumerate() {
            let name = ctx
                .data
                .registry
                .get(&r.municipality)
                .map_or(r.municipality.as_str(), |m| m.name.as_str());
            let text = format!(
                " {name}: {}",
                moves_words(r, &ctx.data.dimensions, &ctx.data.monitoring)
            );
            lines.push(if k == cursor {
                selected_line = lines.len();
                Line::styled(text, SELECTED)
            } else {
                Line::raw(text)
            });
        }
        for t in &c.tables {
            lines.push(Line::raw(""));
            lines.push(Line::styled(format!(" {}", t.title), BOLD));
            lines.extend(t.lines().into_iter().map(Line::raw));
        }
        let skip = (selected_line + 2).saturating_sub(area.height as usize);
        let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }
}
