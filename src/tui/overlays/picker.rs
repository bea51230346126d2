//! Choose one of a few items: a section, a filter, an export format.

use super::{Outcome, PickFor, Reply};
use crate::tui::action::Action;
use crate::tui::cursor::{is_movement, moved, scroll_offset};
use crate::tui::keys::{Code, Key};
use crate::tui::widgets::{SELECTED, popup};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picker {
    pub title: String,
    pub items: Vec<String>,
    pub cursor: usize,
    pub purpose: PickFor,
}

impl Picker {
    pub fn handle(&mut self, key: &Key, action: Option<Action>) -> Outcome {
        match (action, key.code) {
            (_, Code::Esc) | (Some(Action::Back), _) => Outcome::Close,
            (Some(Action::Open | Action::Choose | Action::Accept), _) | (_, Code::Enter) => {
                Outcome::Reply(Reply::Picked(self.purpose.clone(), self.cursor))
            }
            (Some(a), _) if is_movement(a) => {
                self.cursor = moved(self.cursor, self.items.len(), a, self.items.len());
                Outcome::Keep
            }
            _ => Outcome::Keep,
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let h = (self.items.len() as u16 + 2).min(area.height);
        let w = self
            .items
            .iter()
            .map(|i| i.chars().count())
            .max()
            .unwrap_or(10) as u16
            + 6;
        let rect = popup(area, w, h);
        let visible = rect.height.saturating_sub(2) as usize;
        let offset = scroll_offset(self.cursor, visible);
        let lines: Vec<Line> = self
            .items
            .iter()
            .enumerate()
            .skip(offset)
            .take(visible)
            .map(|(i, t)| {
                if i == self.cursor {
                    Line::styled(format!(" {t}"), SELECTED)
                } else {
                    Line::raw(format!(" {t}"))
                }
            })
            .collect();
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(lines)
                .block(Block::bordered().title(Line::from(format!(" {} ", self.title)))),
            rect,
        );
    }
}
