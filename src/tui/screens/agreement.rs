//! How far the reviewers agree: per dimension the share of unanimous municipalities,
//! Krippendorff's alpha, Cohen's kappa per pair, how often the final decision departs from
//! the rules; below, the queue of disagreements. Enter opens one on its clusters screen.
//! A reviewer who has not rated a dimension yet does not see the others' choices on it.

use super::Component;
use crate::model::agreement::{Agreement as Measured, measure};
use crate::tui::action::Action;
use crate::tui::cmd::{Cmd, Go};
use crate::tui::ctx::Ctx;
use crate::tui::cursor::{is_movement, moved};
use crate::tui::widgets::{BOLD, SELECTED, wrap_indented};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

#[derive(Default)]
pub struct Agreement {
    /// The selected disagreement.
    pub cursor: usize,
    /// The figures, measured again only after a change (by the campaign's generation).
    measured: Option<(u64, Measured)>,
    /// Rows the last drawing had, for scrolling when there is no disagreement to select.
    rows: usize,
}

const HINTS: &[Action] = &[Action::Open, Action::Help, Action::Back];

impl Agreement {
    fn measured(&mut self, ctx: &Ctx) -> &Measured {
        if self
            .measured
            .as_ref()
            .is_none_or(|(g, _)| *g != ctx.generation)
        {
            let ids = ctx.data.registry.ids();
            // Figures from the ratings this reviewer may see: a count of one unanimous
            // municipality would tell a hidden cluster as plainly as the queue.
            let me =
                crate::model::campaign::Reader::Reviewer(ctx.reviewer.clone().unwrap_or_default());
            let m = measure(
                &ctx.campaign.seen_by(&me).0,
                &ids,
                &ctx.data.dimensions,
                &ctx.data.protocol,
            );
            self.measured = Some((ctx.generation, m));
        }
        &self.measured.as_ref().expect("just measured").1
    }
}

impl Component for Agreement {
    fn title(&self, _ctx: &Ctx) -> String {
        "Согласие рецензентов".into()
    }

    fn hints(&self, _ctx: &Ctx) -> &'static [Action] {
        HINTS
    }

    fn enter(&mut self, ctx: &mut Ctx, _go: Option<Go>) {
        self.cursor = self
            .cursor
            .min(self.measured(ctx).queue.len().saturating_sub(1));
    }

    fn update(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        let cursor = self.cursor;
        let queue = &self.measured(ctx).queue;
        let len = queue.len();
        let selected = queue
            .get(cursor)
            .map(|q| (q.municipality.clone(), q.dimension.clone()));
        match action {
            // With nothing to select the arrows scroll the figures.
            a if is_movement(a) => {
                self.cursor = moved(cursor, if len == 0 { self.rows } else { len }, a, ctx.page)
            }
            Action::Open => {
                if let Some((id, dimension)) = selected {
                    let dims = &ctx.data.dimensions.0;
                    let dim = dims.iter().position(|d| d.id == dimension);
                    ctx.current = id;
                    return vec![Cmd::Go(Go::clusters(dim))];
                }
            }
            Action::Back => return vec![Cmd::Back],
            _ => {}
        }
        Vec::new()
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &mut Ctx) {
        ctx.page = area.height.max(1) as usize;
        let cursor = self.cursor;
        let ctx = &*ctx;
        let a = self.measured(ctx);
        let mut lines: Vec<(String, Style)> = vec![(format!(" {}", a.reviewers_line()), PLAIN)];
        for d in &a.dimensions {
            lines.push((String::new(), PLAIN));
            lines.push((format!(" {}", d.title), BOLD));
            lines.extend(d.lines().into_iter().map(|l| (format!("   {l}"), PLAIN)));
        }
        lines.push((String::new(), PLAIN));
        lines.push((format!(" Расхождения рецензентов: {}", a.queue.len()), BOLD));
        let first_item = lines.len();
        let queue = queue_lines(ctx, a);
        let len = queue.len();
        lines.extend(
            queue
                .into_iter()
                .enumerate()
                .map(|(k, text)| (text, if k == cursor { SELECTED } else { PLAIN })),
        );
        // Rows as the screen shows them, so the selected disagreement is scrolled into
        // view however the figures above it wrap (at 80×24 they fill the screen).
        let width = area.width.max(1) as usize;
        let mut rows: Vec<Line> = Vec::new();
        let mut selected_end = 0;
        for (i, (text, style)) in lines.into_iter().enumerate() {
            let body = text.trim_start();
            let lead = &text[..text.len() - body.len()];
            for row in wrap_indented(body, width, lead, &format!("{lead}   ")) {
                rows.push(Line::styled(row, style));
            }
            if i == first_item + cursor {
                selected_end = rows.len();
            }
        }
        let height = area.height as usize;
        let skip = if len == 0 {
            // Nothing to select: the arrows scroll the figures.
            self.cursor.min(rows.len().saturating_sub(height))
        } else {
            selected_end.saturating_sub(height)
        };
        self.rows = rows.len();
        let rows: Vec<Line> = rows.into_iter().skip(skip).collect();
        frame.render_widget(Paragraph::new(rows), area);
    }
}

const PLAIN: Style = Style::new();

/// One line per disagreement: the municipality, the dimension, the choices (hidden from a
/// reviewer who has not rated it yet) and the final decision.
fn queue_lines(ctx: &Ctx, a: &Measured) -> Vec<String> {
    let me = ctx.reviewer.clone().unwrap_or_default();
    a.queue
        .iter()
        .map(|q| {
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
            format!(" {name}, «{title}»: {choices}; {}", q.final_text())
        })
        .collect()
}
