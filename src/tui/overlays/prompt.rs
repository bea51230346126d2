//! One line of text: a name, a reason, a file name.

use super::{Outcome, PromptFor, Reply};
use crate::tui::text::{FieldKey, TextField};
use crate::tui::widgets::{DIM, ERROR, popup};
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    pub title: String,
    pub field: TextField,
    pub purpose: PromptFor,
    /// Said under the field after an Enter that could not be taken.
    pub error: Option<String>,
}

impl Prompt {
    pub fn new(title: impl Into<String>, text: &str, purpose: PromptFor) -> Prompt {
        Prompt {
            title: title.into(),
            field: TextField::new(text),
            purpose,
            error: None,
        }
    }

    pub fn handle(&mut self, event: &KeyEvent) -> Outcome {
        match self.field.handle(event) {
            FieldKey::Submit => {
                let text = self.field.text().trim().to_string();
                if text.is_empty() {
                    self.error = Some(match self.purpose {
                        PromptFor::Reviewer => "имя не может быть пустым".into(),
                        PromptFor::Reason { .. } | PromptFor::FinalReason { .. } => {
                            "причина не может быть пустой; Esc — не менять решение".into()
                        }
                        PromptFor::ExportPath(_) => "укажите файл; Esc — отменить".into(),
                        PromptFor::Hub => "укажите папку; Esc — отменить".into(),
                        PromptFor::Resolve(..) | PromptFor::ResolveNew(..) => {
                            "причина не может быть пустой; Esc — не решать сейчас".into()
                        }
                        PromptFor::NewValue(..) => "введите значение; Esc — отменить".into(),
                        PromptFor::Fact(_) => "введите значение; Esc — отменить".into(),
                        PromptFor::Score(..) => {
                            "введите балл или «-», чтобы стереть; Esc — отменить".into()
                        }
                    });
                    return Outcome::Keep;
                }
                Outcome::Reply(Reply::Text(self.purpose.clone(), text))
            }
            // Who writes must be known before anything is written.
            FieldKey::Cancel if self.purpose != PromptFor::Reviewer => Outcome::Close,
            _ => Outcome::Keep,
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let inner_width = area.width.saturating_sub(10).max(38);
        let title_rows = (self.title.chars().count() as u16).div_ceil(inner_width.max(1));
        let rect = popup(area, inner_width + 2, title_rows + 5);
        frame.render_widget(Clear, rect);
        let mut text = vec![
            Line::raw(self.title.clone()),
            Line::styled(
                format!("> {}", self.field.text()),
                Style::new().add_modifier(Modifier::UNDERLINED),
            ),
        ];
        match &self.error {
            Some(e) => text.push(Line::styled(e.clone(), ERROR)),
            None if self.purpose == PromptFor::Reviewer => {
                text.push(Line::styled("Enter — сохранить", DIM))
            }
            None => text.push(Line::styled("Enter — сохранить · Esc — отменить", DIM)),
        }
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(Line::from(" Ввод "))),
            rect,
        );
        let title_rows =
            (self.title.chars().count() as u16).div_ceil(rect.width.saturating_sub(2).max(1));
        let y = rect.y + 1 + title_rows;
        let x = rect.x + 3 + self.field.cursor() as u16;
        if y < rect.bottom().saturating_sub(1) {
            frame.set_cursor_position(Position::new(x.min(rect.right().saturating_sub(2)), y));
        }
    }
}
