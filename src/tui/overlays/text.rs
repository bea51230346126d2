//! A box of lines to read (the history of a field), each wrapped under its own text; any
//! key closes it.

use crate::tui::widgets::{DIM, popup, wrap_indented};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub title: String,
    pub lines: Vec<String>,
}

impl Text {
    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let room = area.height.saturating_sub(4) as usize;
        let width = area.width.saturating_sub(6).max(1) as usize;
        // Each entry wraps under its own text, not at the box's edge.
        let rows: Vec<String> = self
            .lines
            .iter()
            .flat_map(|l| wrap_indented(l, width, "", "  "))
            .collect();
        // The latest rows when there are more than fit.
        let skip = rows.len().saturating_sub(room.saturating_sub(1));
        let mut lines: Vec<Line> = rows.into_iter().skip(skip).map(Line::raw).collect();
        lines.push(Line::styled("любая клавиша закрывает", DIM));
        let rect = popup(area, area.width.saturating_sub(4), lines.len() as u16 + 2);
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(Line::from(format!(" {} ", self.title)))),
            rect,
        );
    }
}
