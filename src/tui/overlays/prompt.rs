//! One line of text: a name, a reason, a file name. The question above it may run over
//! several lines (`\n` starts a new one).

use super::{Outcome, Pending, PromptFor, Reply};
use crate::tui::cursor::scroll_offset;
use crate::tui::text::{FieldKey, TextField};
use crate::tui::widgets::{DIM, ERROR, popup, wrap_indented};
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

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
                        PromptFor::Reviewer => {
                            "имя не может быть пустым; Esc — выйти из sobes".into()
                        }
                        PromptFor::Reason { .. } | PromptFor::FinalReason { .. } => {
                            "причина не может быть пустой; Esc — не менять решение".into()
                        }
                        PromptFor::ExportPath(..) => "укажите файл; Esc — отменить".into(),
                        PromptFor::Hub => "укажите папку; Esc — отменить".into(),
                        PromptFor::Token(_) => "вставьте токен; Esc — отменить".into(),
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
            // Who writes must be known before anything is written: without a name the way
            // out is to quit, and nothing has been written yet.
            FieldKey::Cancel if self.purpose == PromptFor::Reviewer => {
                Outcome::Reply(Reply::Confirmed(Pending::Quit))
            }
            FieldKey::Cancel => Outcome::Close,
            _ => Outcome::Keep,
        }
    }

    /// The status line's keys while the prompt is open.
    pub fn hints(&self) -> &'static str {
        match self.purpose {
            PromptFor::Reviewer => "Enter сохранить · Esc выйти из sobes",
            _ => "Enter сохранить · Esc отменить",
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let box_width = area.width.saturating_sub(8).max(40).min(area.width);
        let width = box_width.saturating_sub(2) as usize;
        // Every row is wrapped here, so the cursor's row is its index among them.
        let mut text: Vec<Line> = self
            .title
            .split('\n')
            .flat_map(|l| wrap_indented(l, width, "", ""))
            .map(Line::raw)
            .collect();
        let field = self.field.wrapped(width.saturating_sub(2));
        let cursor_line = text.len() + field.cursor.0;
        let underlined = Style::new().add_modifier(Modifier::UNDERLINED);
        let secret = matches!(self.purpose, PromptFor::Token(_));
        for (i, row) in field.rows.into_iter().enumerate() {
            let lead = if i == 0 { "> " } else { "  " };
            // A token is typed in front of others: only how long it is shows.
            let row = if secret {
                "•".repeat(row.chars().count())
            } else {
                row
            };
            text.push(Line::from(vec![
                Span::raw(lead),
                Span::styled(row, underlined),
            ]));
        }
        let (under, style) = match &self.error {
            Some(e) => (e.clone(), ERROR),
            None if self.purpose == PromptFor::Reviewer => {
                ("Enter — сохранить · Esc — выйти из sobes".to_string(), DIM)
            }
            None => ("Enter — сохранить · Esc — отменить".to_string(), DIM),
        };
        text.extend(
            wrap_indented(&under, width, "", "")
                .into_iter()
                .map(|r| Line::styled(r, style)),
        );
        let rect = popup(area, box_width, text.len() as u16 + 2);
        // Taller than the screen: the rows from the cursor's up to fill the box.
        let offset = scroll_offset(cursor_line, rect.height.saturating_sub(2) as usize);
        let text: Vec<Line> = text.into_iter().skip(offset).collect();
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(text).block(Block::bordered().title(Line::from(" Ввод "))),
            rect,
        );
        let y = rect.y + 1 + (cursor_line - offset) as u16;
        let x = rect.x + 3 + field.cursor.1 as u16;
        if y < rect.bottom().saturating_sub(1) && x < rect.right().saturating_sub(1) {
            frame.set_cursor_position(Position::new(x, y));
        }
    }
}
