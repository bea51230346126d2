//! A box of lines to read (the history of a field); any key closes it.

use crate::tui::widgets::{DIM, popup};
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
        // The latest lines when there are more than fit.
        let skip = self.lines.len().saturating_sub(room.saturating_sub(1));
        let mut lines: Vec<Line> = self
            .lines
            .iter()
            .skip(skip)
            .map(|l| Line::raw(l.clone()))
            .collect();
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
