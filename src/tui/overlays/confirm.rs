//! A yes/no question before something that cannot be taken back.

use super::{Outcome, Pending, Reply};
use crate::tui::keys::{Code, Key};
use crate::tui::widgets::{DIM, popup, wrap_indented};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

/// The answer keys as the box says them: the Russian letter first, as it is meant.
pub const ANSWERS: &str = "д / y / Enter — да, н / n / Esc — нет";

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
            // A letter is read by its meaning in either layout: д and y are «да», н and n are
            // «нет» (н sits on y's key: read by its key, it erased the answer of someone who
            // meant «нет»). The other layout's letter of a word's key counts for the word
            // only where it means nothing else: l (д's key), т (n's key).
            Code::Char('y' | 'Y' | 'д' | 'Д' | 'l' | 'L') | Code::Enter => {
                Outcome::Reply(Reply::Confirmed(self.then.clone()))
            }
            Code::Esc | Code::Char('n' | 'N' | 'н' | 'Н' | 'т' | 'Т') => Outcome::Close,
            _ => Outcome::Keep,
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        // As tall as the question needs, so the answer keys stay visible.
        let width = area.width.saturating_sub(4).min(76);
        let inner = width.saturating_sub(2).max(1) as usize;
        // Lines that do not fit are cut, never the answer keys below them.
        let room = area.height.saturating_sub(4).max(1) as usize;
        // A point of a list goes on under its text, not under its bullet.
        let rows: Vec<String> = self
            .question
            .split('\n')
            .flat_map(|l| wrap_indented(l, inner, "", if l.starts_with("• ") { "  " } else { "" }))
            .collect();
        // One row is the keys': what does not fit above them ends in «…», even a first
        // paragraph taller than the window.
        let fits = room.saturating_sub(1).max(1);
        let mut lines: Vec<Line> = if rows.len() > fits {
            let mut cut: Vec<Line> = rows[..fits - 1].iter().cloned().map(Line::raw).collect();
            cut.push(Line::raw("…"));
            cut
        } else {
            rows.into_iter().map(Line::raw).collect()
        };
        lines.push(Line::styled(ANSWERS, DIM));
        let rect = popup(area, width, lines.len() as u16 + 2);
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(lines).block(Block::bordered().title(Line::from(" Подтвердите "))),
            rect,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key a confirmation reads, in both layouts, and what it means. The key of `y`
    /// types «н» in the Russian layout: it must mean «нет», as the letter says.
    const TABLE: &[(Code, bool)] = &[
        (Code::Enter, true),
        (Code::Char('y'), true),
        (Code::Char('Y'), true),
        (Code::Char('д'), true),
        (Code::Char('Д'), true),
        (Code::Char('l'), true),
        (Code::Esc, false),
        (Code::Char('n'), false),
        (Code::Char('N'), false),
        (Code::Char('н'), false),
        (Code::Char('Н'), false),
        (Code::Char('т'), false),
    ];

    #[test]
    fn answers_are_read_by_their_meaning_in_either_layout() {
        for (code, yes) in TABLE {
            let mut c = Confirm::new("Стереть ответ?", Pending::Quit);
            let key = Key {
                code: *code,
                ctrl: false,
                alt: false,
            };
            let got = c.handle(&key);
            let confirmed = matches!(got, Outcome::Reply(Reply::Confirmed(_)));
            let closed = matches!(got, Outcome::Close);
            assert!(if *yes { confirmed } else { closed }, "{code:?}: {got:?}");
        }
        let other = Key {
            code: Code::Char('x'),
            ctrl: false,
            alt: false,
        };
        assert!(matches!(
            Confirm::new("?", Pending::Quit).handle(&other),
            Outcome::Keep
        ));
        assert!(ANSWERS.starts_with("д / y") && ANSWERS.contains("н / n"));
    }
}
