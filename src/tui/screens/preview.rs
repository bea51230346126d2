//! The annex as it will be exported, scrolling.

use super::Component;
use crate::annex::{Document, Node};
use crate::tui::action::Action;
use crate::tui::cmd::{Cmd, Go};
use crate::tui::ctx::Ctx;
use crate::tui::cursor::{is_movement, moved};
use crate::tui::widgets::{BOLD, ERROR};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

#[derive(Default)]
pub struct Preview {
    /// The annex as it reads: headings bold, notices red, a blank line between blocks.
    pub lines: Vec<Line<'static>>,
    pub scroll: usize,
}

/// The annex's blocks as lines of text, styled as the document shows them.
fn lines_of(doc: &Document) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for node in &doc.nodes {
        match node {
            Node::Right(rs) => {
                lines.extend(rs.iter().map(|r| Line::raw(r.clone()).right_aligned()));
            }
            Node::Left(rs) => lines.extend(rs.iter().map(|r| Line::raw(r.clone()))),
            Node::Signature(position, name) => {
                lines.push(Line::raw(format!("{position}    {name}")))
            }
            Node::Title(t) => lines.push(Line::styled(t.clone(), BOLD).centered()),
            Node::Salutation(t) => lines.push(Line::raw(t.clone()).centered()),
            Node::Heading(t) => lines.push(Line::styled(t.clone(), BOLD)),
            Node::Subheading(t) => {
                lines.push(Line::styled(t.clone(), BOLD.add_modifier(Modifier::ITALIC)))
            }
            Node::Paragraph(t) => lines.push(Line::raw(format!("    {t}"))),
            Node::Item(n, t) => lines.push(Line::raw(format!("{n} {t}"))),
            Node::Notice(t) => {
                lines.push(Line::styled(t.clone(), ERROR.add_modifier(Modifier::BOLD)))
            }
            Node::Empty(_) => continue,
        }
        lines.push(Line::raw(""));
    }
    lines.pop();
    lines
}

const HINTS: &[Action] = &[Action::Down, Action::Export, Action::Help, Action::Back];

impl Component for Preview {
    fn title(&self, _ctx: &Ctx) -> String {
        "Приложение к письму".into()
    }

    fn hints(&self, _ctx: &Ctx) -> &'static [Action] {
        HINTS
    }

    fn enter(&mut self, ctx: &mut Ctx, go: Option<Go>) {
        if go.is_none() {
            return;
        }
        ctx.ensure_template();
        self.scroll = 0;
        self.lines = match &ctx.template {
            Some(t) => lines_of(&crate::annex::build(&ctx.data, &ctx.campaign, t)),
            None => {
                let why = ctx
                    .template_error
                    .as_deref()
                    .unwrap_or("шаблон приложения не загружен");
                why.lines()
                    .map(|l| Line::styled(l.to_string(), ERROR))
                    .collect()
            }
        };
    }

    fn update(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        match action {
            a if is_movement(a) => self.scroll = moved(self.scroll, self.lines.len(), a, ctx.page),
            Action::Back => return vec![Cmd::Back],
            _ => {}
        }
        Vec::new()
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &mut Ctx) {
        let height = area.height as usize;
        ctx.page = height.max(1);
        let lines: Vec<Line> = self
            .lines
            .iter()
            .skip(self.scroll)
            .take(height * 4)
            .cloned()
            .collect();
        let block = Block::default()
            .borders(Borders::BOTTOM)
            .title_bottom(Line::from(format!(
                " строка {} из {} ",
                self.scroll + 1,
                self.lines.len()
            )));
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(block),
            area,
        );
    }
}
