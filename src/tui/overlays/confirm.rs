//! A yes/no question before something that cannot be taken back.

use super::{Outcome, Pending, Reply};
use crate::tui::keys::{Code, Key};
use crate::tui::widgets::{DIM, popup};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    pub question: String,
    pub then: Pending,
}

impl Confirm {
    pub fn new(question: impl Into<String>, then: Pending) -> Confirm {
        Confirm {
            question: question.into(),
            then,
        }
    }

    pub fn handle(&mut self, key: &Key) -> Outcome {
        match key.code {
            // Yes in both layouts: y/д, and the same keys read in the other layout (н is
            // y's key in ЙЦУКЕН, l is д's key in QWERTY).
            Code::Char('y' | 'Y' | 'д' | 'Д' | 'н' | 'l') | Code::Enter => {
                Outcome::Reply(Reply::Confirmed(self.then.clone()))
            }
            Code::Esc | Code::Char('n' | 'N' | 'т' | 'Т') => Outcome::Close,
            _ => Outcome::Keep,
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        // As tall as the question needs, so the answer keys stay visible.
        let width = area.width.saturating_sub(4).min(76);
        let inner = width.saturating_sub(2).max(1) as usize;
        // Lines that do not fit are cut, never the answer keys below them.
        let room = area.height.saturating_sub(4).max(1) as usize;
        let mut lines = Vec::new();
        let mut rows = 0;
        for l in self.question.split('\n') {
            let need = l.chars().count().max(1).div_ceil(inner);
            if rows + need > room.saturating_sub(1) && !lines.is_empty() {
                lines.push(Line::raw("…"));
                rows += 1;
                break;
            }
            lines.push(Line::raw(l.to_string()));
            rows += need;
        }
        lines.push(Line::styled("y / Enter — да, n / Esc — нет", DIM));
        let rect = popup(area, width, rows as u16 + 4);
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: true })
                .block(Block::bordered().title(Line::from(" Подтвердите "))),
            rect,
        );
    }
}
