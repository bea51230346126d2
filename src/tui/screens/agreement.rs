//! How far the reviewers agree: per dimension the share of unanimous municipalities,
//! Krippendorff's alpha, Cohen's kappa per pair, how often the final decision departs from
//! the rules; below, the queue of disagreements. Enter opens one on its clusters screen.
//! A reviewer who has not rated a dimension yet does not see the others' choices on it.

use super::{Cmd, Component, Go};
use crate::model::agreement::{Agreement as Measured, measure};
use crate::tui::action::Action;
use crate::tui::ctx::Ctx;
use crate::tui::cursor::{is_movement, moved};
use crate::tui::widgets::{BOLD, SELECTED};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

#[derive(Default)]
pub struct Agreement {
    /// The selected disagreement.
    pub cursor: usize,
}

const HINTS: &[Action] = &[Action::Open, Action::Help, Action::Back];

fn measured(ctx: &Ctx) -> Measured {
    let ids = ctx.data.registry.ids();
    measure(
        &ctx.campaign,
        &ids,
        &ctx.data.dimensions,
        &ctx.data.protocol,
    )
}

impl Component for Agreement {
    fn title(&self, _ctx: &Ctx) -> String {
        "Согласие рецензентов".into()
    }

    fn hints(&self) -> &'static [Action] {
        HINTS
    }

    fn enter(&mut self, ctx: &mut Ctx, _go: Option<Go>) {
        self.cursor = self.cursor.min(measured(ctx).queue.len().saturating_sub(1));
    }

    fn update(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        let queue = measured(ctx).queue;
        match action {
            a if is_movement(a) => self.cursor = moved(self.cursor, queue.len(), a, ctx.page),
            Action::Open => {
                if let Some(q) = queue.get(self.cursor) {
                    let dim = ctx
                        .data
                        .dimensions
                        .0
                        .iter()
                        .position(|d| d.id == q.dimension);
                    ctx.current = q.municipality.clone();
                    return vec![Cmd::Go(Go::Clusters(dim))];
                }
            }
            Action::Back => return vec![Cmd::Back],
            _ => {}
        }
        Vec::new()
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &mut Ctx) {
        ctx.page = area.height.max(1) as usize;
        let a = measured(ctx);
        let me = ctx.reviewer.clone().unwrap_or_default();
        let mut lines = Vec::new();
        lines.push(Line::raw(format!(" {}", a.reviewers_line())));
        for d in &a.dimensions {
            lines.push(Line::raw(""));
            lines.push(Line::styled(format!(" {}", d.title), BOLD));
            lines.extend(d.lines().into_iter().map(|l| Line::raw(format!("   {l}"))));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(" Расхождения рецензентов: {}", a.queue.len()),
            BOLD,
        ));
        let mut selected_line = 0;
        for (k, q) in a.queue.iter().enumerate() {
            let name = ctx
                .data
                .registry
                .get(&q.municipality)
                .map_or(q.municipality.as_str(), |m| m.name.as_str());
            let title = ctx
                .data
                .dimensions
                .get(&q.dimension)
                .map_or(q.dimension.as_str(), |d| d.title.as_str());
            let record = ctx.campaign.record_or_empty(&q.municipality);
            let choices = if ctx.campaign.meta.may_see_others(&record, &q.dimension, &me) {
                q.choices_text(true)
            } else {
                format!(
                    "оценок: {}; скрыты, пока вы не оцените сами",
                    q.choices.len()
                )
            };
            let text = format!(" {name}, «{title}»: {choices}; {}", q.final_text());
            lines.push(if k == self.cursor {
                selected_line = lines.len();
                Line::styled(text, SELECTED)
            } else {
                Line::raw(text)
            });
        }
        // Keep the selected disagreement on screen: scroll when it would fall below.
        let height = area.height as usize;
        let skip = (selected_line + 2).saturating_sub(height);
        let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }
}
