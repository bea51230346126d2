//! The annex as it will be exported, scrolling.

use super::{Cmd, Component, Go};
use crate::tui::action::Action;
use crate::tui::ctx::Ctx;
use crate::tui::cursor::{is_movement, moved};
use crate::tui::widgets::{BOLD, ERROR};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

#[derive(Default)]
pub struct Preview {
    /// The annex as Markdown lines.
    pub lines: Vec<String>,
    pub scroll: usize,
}

const HINTS: &[Action] = &[Action::Down, Action::Export, Action::Help, Action::Back];

impl Component for Preview {
    fn title(&self, _ctx: &Ctx) -> String {
        "Приложение к письму".into()
    }

    fn hints(&self) -> &'static [Action] {
        HINTS
    }

    fn enter(&mut self, ctx: &mut Ctx, go: Option<Go>) {
        if go.is_none() {
            return;
        }
        ctx.ensure_template();
        self.scroll = 0;
        self.lines = match &ctx.template {
            Some(t) => crate::annex::render_markdown(&ctx.data, &ctx.campaign, t)
                .lines()
                .map(str::to_string)
                .collect(),
            None => vec!["Шаблон приложения не загружен".into()],
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
        // Markdown headings get a little emphasis; the rest is the text as it will be
        // exported.
        let lines: Vec<Line> = self
            .lines
            .iter()
            .skip(self.scroll)
            .take(height * 4)
            .map(|l| {
                if l.starts_with('#') {
                    Line::styled(l.trim_start_matches('#').trim().to_string(), BOLD)
                } else if l.contains("не распределены") || l.contains("Не распределены")
                {
                    Line::styled(l.clone(), ERROR)
                } else {
                    Line::raw(l.clone())
                }
            })
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
