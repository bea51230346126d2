//! The review: clusters × dimensions with their members computed from the decisions, the
//! municipalities not yet assigned, and the unfinished interviews.

use super::Component;
use crate::model::campaign::Mark;
use crate::model::protocol::Progress;
use crate::tui::action::Action;
use crate::tui::cmd::{Cmd, Go, Screen};
use crate::tui::ctx::Ctx;
use crate::tui::cursor::{is_movement, moved, scroll_offset};
use crate::tui::widgets::{BOLD, SELECTED, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// The review's facts: `marks[dimension][municipality]`, and unfinished interviews.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counts {
    pub marks: Vec<Vec<Mark>>,
    pub incomplete: Vec<(usize, Progress)>,
}

/// A line of the review; lines with a municipality can be selected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub text: String,
    pub municipality: Option<String>,
    pub dim: Option<usize>,
    pub header: bool,
}

#[derive(Default)]
pub struct Review {
    pub cursor: usize,
    /// The lines, and the change count they were built at.
    rows: Option<(u64, Vec<Row>)>,
}

const HINTS: &[Action] = &[
    Action::Open,
    Action::Preview,
    Action::Export,
    Action::Help,
    Action::Back,
];

/// Who is where: per dimension the marks of every municipality (registry order), and the
/// unfinished interviews with their progress, from the summaries.
pub fn counts(ctx: &Ctx) -> Counts {
    let marks = (0..ctx.data.dimensions.0.len())
        .map(|d| {
            ctx.summaries
                .iter()
                .map(|s| s.as_ref().map_or(Mark::Unassigned, |s| s.marks[d]))
                .collect()
        })
        .collect();
    let incomplete = ctx
        .summaries
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.as_ref().map(|s| (i, s.progress)))
        .filter(|(_, p)| !p.complete())
        .collect();
    Counts { marks, incomplete }
}

fn build_rows(ctx: &Ctx) -> Vec<Row> {
    let review = counts(ctx);
    let reg = &ctx.data.registry.municipalities;
    let mut rows = Vec::new();
    let header = |text: String| Row {
        text,
        municipality: None,
        dim: None,
        header: true,
    };
    let member = |i: usize, dim: Option<usize>, note: String| Row {
        text: format!("      {}{note}", reg[i].name),
        municipality: Some(reg[i].id.clone()),
        dim,
        header: false,
    };
    for (di, d) in ctx.data.dimensions.0.iter().enumerate() {
        let marks = &review.marks[di];
        rows.push(header(format!("■ {}", d.title)));
        for c in &d.clusters {
            let members: Vec<usize> = (0..reg.len())
                .filter(|&i| marks[i].decided() == Some(c.number))
                .collect();
            rows.push(header(format!(
                "  Кластер {} «{}» — {}",
                c.number,
                c.short,
                members.len()
            )));
            for i in members {
                let flag = match marks[i] {
                    Mark::Overridden(_) => {
                        let reason = ctx
                            .campaign
                            .record(&reg[i].id)
                            .and_then(|r| r.decisions.get(&d.id))
                            .and_then(|dec| dec.reason.clone())
                            .unwrap_or_default();
                        format!("  (изменено вручную: {reason})")
                    }
                    Mark::Stale(_) => "  (расходится с ответами)".into(),
                    _ => String::new(),
                };
                rows.push(member(i, Some(di), flag));
            }
        }
        let open: Vec<usize> = (0..reg.len())
            .filter(|&i| marks[i].decided().is_none())
            .collect();
        rows.push(header(format!("  Не распределены — {}", open.len())));
        for i in open {
            let hint = match marks[i] {
                Mark::Suggested(n) => format!("  (подсказан {n}, не подтверждён)"),
                _ => String::new(),
            };
            rows.push(member(i, Some(di), hint));
        }
    }
    rows.push(header(format!(
        "■ Интервью не закончено — {}",
        review.incomplete.len()
    )));
    for (i, p) in &review.incomplete {
        rows.push(member(
            *i,
            None,
            format!("  ({} из {})", p.answered, p.required),
        ));
    }
    rows
}

impl Review {
    /// The lines, rebuilt only after a change.
    pub fn rows(&mut self, ctx: &Ctx) -> &[Row] {
        if self.rows.as_ref().is_none_or(|(g, _)| *g != ctx.generation) {
            self.rows = Some((ctx.generation, build_rows(ctx)));
        }
        self.rows.as_ref().map_or(&[], |(_, r)| r.as_slice())
    }
}

impl Component for Review {
    fn title(&self, _ctx: &Ctx) -> String {
        "Свод".into()
    }

    fn hints(&self, _ctx: &Ctx) -> &'static [Action] {
        HINTS
    }

    fn update(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        let cursor = self.cursor;
        let selectable: Vec<(usize, String, Option<usize>)> = self
            .rows(ctx)
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.municipality.clone().map(|m| (i, m, r.dim)))
            .collect();
        let pos = selectable
            .iter()
            .position(|(i, _, _)| *i >= cursor)
            .unwrap_or(0);
        match action {
            a if is_movement(a) => {
                let p = moved(pos, selectable.len(), a, ctx.page);
                self.cursor = selectable.get(p).map_or(0, |(i, _, _)| *i);
            }
            Action::Open => {
                if let Some((_, municipality, dim)) = selectable.get(pos).cloned() {
                    ctx.current = municipality;
                    return vec![Cmd::Go(match dim {
                        Some(d) => Go::clusters(Some(d)),
                        None => Go::to(Screen::Interview),
                    })];
                }
            }
            Action::Back => return vec![Cmd::Back],
            _ => {}
        }
        Vec::new()
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &mut Ctx) {
        let height = area.height as usize;
        ctx.page = height.max(1);
        let cursor = self.cursor;
        let rows = self.rows(ctx);
        let selected = rows
            .iter()
            .enumerate()
            .position(|(i, r)| i >= cursor && r.municipality.is_some())
            .unwrap_or(usize::MAX);
        let offset = scroll_offset(selected.min(rows.len()), height);
        let lines: Vec<Line> = rows
            .iter()
            .enumerate()
            .skip(offset)
            .take(height)
            .map(|(i, r)| {
                // A long reason is cut where it leaves the window, and says so.
                let text = truncate(&r.text, area.width as usize);
                if i == selected {
                    Line::styled(text, SELECTED)
                } else if r.header {
                    Line::styled(text, BOLD)
                } else {
                    Line::raw(text)
                }
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
    }
}
