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
        let rows = self
            .question
            .split('\n')
            .map(|l| (l.chars().count().max(1)).div_ceil(inner) as u16)
            .sum::<u16>();
        let rect = popup(area, width, rows + 5);
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(vec![
                Line::raw(self.question.clone()),
                Line::styled("y / Enter — да, n / Esc — нет", DIM),
            ])
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title(Line::from(" Подтвердите "))),
            rect,
        );
    }
}
