//! The monitoring: municipality × indicator, each cell the points with the level's symbol
//! and colour (red insufficient, yellow admissible, green optimal; the symbol reads without
//! colour), the total and overall level with last year's beside it; below, the selected
//! indicator's shares per level. Enter types the selected cell's points.

use super::Component;
use crate::model::change::Change;
use crate::model::monitoring::{Indicator, arrow, level_of};
use crate::model::registry::Municipality;
use crate::tui::action::Action;
use crate::tui::cmd::Cmd;
use crate::tui::ctx::Ctx;
use crate::tui::cursor::{is_movement, moved};
use crate::tui::overlays::{Overlay, Prompt, PromptFor, Reply};
use crate::tui::widgets::{BOLD, DIM, SELECTED, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

#[derive(Default)]
pub struct Levels {
    /// The selected municipality (registry order) and indicator.
    pub row: usize,
    pub col: usize,
}

const HINTS: &[Action] = &[Action::Edit, Action::Help, Action::Back];

fn level_style(index: usize, of: usize) -> Style {
    match (index, of) {
        (0, _) => Style::new().fg(Color::Red),
        (i, n) if i + 1 == n => Style::new().fg(Color::Green),
        _ => Style::new().fg(Color::Yellow),
    }
}

impl Component for Levels {
    fn title(&self, _ctx: &Ctx) -> String {
        "Мониторинг: уровни по показателям".into()
    }

    fn hints(&self, _ctx: &Ctx) -> &'static [Action] {
        HINTS
    }

    fn update(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        let rows = ctx.data.registry.len();
        let cols = ctx.data.monitoring.indicators().count();
        match action {
            Action::Next => self.col = (self.col + 1).min(cols.saturating_sub(1)),
            Action::Prev => self.col = self.col.saturating_sub(1),
            a if is_movement(a) => self.row = moved(self.row, rows, a, ctx.page),
            Action::Edit | Action::Open => {
                let (Some(m), Some((_, ind))) = (
                    ctx.data.registry.municipalities.get(self.row),
                    ctx.data.monitoring.indicators().nth(self.col),
                ) else {
                    return Vec::new();
                };
                let now = ctx
                    .campaign
                    .record_or_empty(&m.id)
                    .scores
                    .get(&ind.id)
                    .map(|s| s.value.to_string())
                    .unwrap_or_default();
                return vec![Cmd::Show(Overlay::Prompt(Prompt::new(
                    format!(
                        "{}: показатель {} «{}», балл от 0 до {} («-» — стереть)",
                        m.name, ind.id, ind.title, ind.max
                    ),
                    &now,
                    PromptFor::Score(m.id.clone(), ind.id.clone()),
                )))];
            }
            Action::Back => return vec![Cmd::Back],
            _ => {}
        }
        Vec::new()
    }

    fn reply(&mut self, ctx: &mut Ctx, reply: Reply) -> Vec<Cmd> {
        let Reply::Text(PromptFor::Score(id, indicator), typed) = reply else {
            return Vec::new();
        };
        let value = match ctx.data.monitoring.parse_score(&indicator, &typed) {
            Ok(v) => v,
            Err(why) => {
                ctx.error(why);
                return Vec::new();
            }
        };
        ctx.current = id;
        let change = Change::score(&ctx.current_record(), &indicator, value, &ctx.stamp());
        ctx.commit(&[change])
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &mut Ctx) {
        let m = &ctx.data.monitoring;
        let indicators: Vec<_> = m.indicators().map(|(_, i)| i).collect();
        // As many indicator columns as fit, scrolled so the selected one is in view.
        let fit = ((area.width as usize).saturating_sub(NAME_WIDTH + 22) / 5).max(1);
        let first = self.col.saturating_sub(fit - 1);
        let shown: Vec<(usize, &Indicator)> =
            indicators.iter().copied().enumerate().skip(first).take(fit).collect();
        let mut header = vec![Span::styled(
            format!("{:NAME_WIDTH$} {:>4} {:<16}", "Муниципалитет", "итог", "уровень"),
            BOLD,
        )];
        for (k, ind) in &shown {
            let style = if *k == self.col { SELECTED } else { BOLD };
            header.push(Span::styled(format!(" {:>4}", ind.id), style));
        }
        let mut lines = vec![Line::from(header)];
        // Two lines at the bottom say about the selected indicator and municipality.
        let height = (area.height as usize).saturating_sub(4).max(1);
        ctx.page = height;
        let offset = self.row.saturating_sub(height.saturating_sub(1));
        let registry = &ctx.data.registry.municipalities;
        for (r, mun) in registry.iter().enumerate().skip(offset).take(height) {
            lines.push(self.row_line(ctx, r, mun, &shown));
        }
        lines.push(Line::raw(""));
        if let Some(ind) = indicators.get(self.col) {
            lines.push(Line::styled(shares_line(ctx, ind), DIM));
        }
        frame.render_widget(Paragraph::new(lines), area);
    }
}

const NAME_WIDTH: usize = 20;

impl Levels {
    /// A municipality's row: its total and level (with ↑/↓ against last year's), and its
    /// points on the indicators shown, coloured by their level.
    fn row_line(
        &self,
        ctx: &Ctx,
        r: usize,
        mun: &Municipality,
        shown: &[(usize, &Indicator)],
    ) -> Line<'static> {
        let record = ctx.campaign.record_or_empty(&mun.id);
        let scores = record.score_values();
        let last = ctx.campaign.last_year.as_ref().and_then(|l| l.level(&mun.id));
        let (total, level) = match ctx.data.monitoring.overall_level(&scores) {
            Some((i, l)) => (
                scores.values().sum::<i64>().to_string(),
                format!("{}{}", l.name, arrow(last, i)),
            ),
            None => ("·".into(), "не все".into()),
        };
        let name = truncate(&mun.name, NAME_WIDTH);
        let row_style = if r == self.row { BOLD } else { Style::new() };
        let mut spans = vec![Span::styled(
            format!("{name:NAME_WIDTH$} {total:>4} {level:<16}"),
            row_style,
        )];
        for (k, ind) in shown {
            let (text, style) = match scores.get(&ind.id).map(|v| ind.cell(*v)) {
                Some((text, Some(i))) => (text, level_style(i, ind.levels.len())),
                Some((text, None)) => (text, Style::new()),
                None => ("·".into(), DIM),
            };
            let style = if r == self.row && *k == self.col {
                SELECTED
            } else {
                style
            };
            spans.push(Span::raw(" "));
            spans.push(Span::styled(format!("{text:>4}"), style));
        }
        Line::from(spans)
    }
}

/// How the municipalities with points on an indicator spread over its levels.
fn shares_line(ctx: &Ctx, ind: &Indicator) -> String {
    let mut at = vec![0usize; ind.levels.len()];
    for mun in &ctx.data.registry.municipalities {
        let record = ctx.campaign.record_or_empty(&mun.id);
        if let Some((i, _)) = record
            .scores
            .get(&ind.id)
            .and_then(|s| level_of(&ind.levels, s.value))
        {
            at[i] += 1;
        }
    }
    let rated: usize = at.iter().sum();
    let shares: Vec<String> = ind
        .levels
        .iter()
        .zip(&at)
        .map(|(l, n)| match rated {
            0 => format!("{} —", l.name),
            _ => format!("{} {:.0} %", l.name, 100.0 * *n as f64 / rated as f64),
        })
        .collect();
    format!(" {} «{}»: {}", ind.id, ind.title, shares.join(", "))
}
