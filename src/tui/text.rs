//! A one-line text field with a cursor that moves over chars, not bytes.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextField {
    chars: Vec<char>,
    cursor: usize,
}

/// What a key did to the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKey {
    Edited,
    Moved,
    Submit,
    Cancel,
    /// Not a key for the field: let the keymap have it.
    Ignored,
}

impl TextField {
    pub fn new(text: &str) -> TextField {
        let chars: Vec<char> = text.chars().collect();
        TextField {
            cursor: chars.len(),
            chars,
        }
    }

    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// The cursor position in chars (= terminal columns for the scripts sobes expects).
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn handle(&mut self, key: &KeyEvent) -> FieldKey {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => FieldKey::Submit,
            KeyCode::Esc => FieldKey::Cancel,
            KeyCode::Char('u') if ctrl => {
                self.chars.drain(..self.cursor);
                self.cursor = 0;
                FieldKey::Edited
            }
            KeyCode::Char('a') if ctrl => self.go(0),
            KeyCode::Char('e') if ctrl => self.go(self.chars.len()),
            KeyCode::Char(_) if ctrl || key.modifiers.contains(KeyModifiers::ALT) => {
                FieldKey::Ignored
            }
            KeyCode::Char(c) => {
                self.chars.insert(self.cursor, c);
                self.cursor += 1;
                FieldKey::Edited
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                self.chars.remove(self.cursor);
                FieldKey::Edited
            }
            KeyCode::Delete if self.cursor < self.chars.len() => {
                self.chars.remove(self.cursor);
                FieldKey::Edited
            }
            KeyCode::Backspace | KeyCode::Delete => FieldKey::Moved,
            KeyCode::Left => self.go(self.cursor.saturating_sub(1)),
            KeyCode::Right => self.go((self.cursor + 1).min(self.chars.len())),
            KeyCode::Home => self.go(0),
            KeyCode::End => self.go(self.chars.len()),
            _ => FieldKey::Ignored,
        }
    }

    fn go(&mut self, to: usize) -> FieldKey {
        self.cursor = to;
        FieldKey::Moved
    }

    /// Inserts pasted text at the cursor, line breaks as spaces.
    pub fn paste(&mut self, text: &str) {
        for c in text.chars() {
            let c = if c.is_control() { ' ' } else { c };
            self.chars.insert(self.cursor, c);
            self.cursor += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn cyrillic_editing_with_cursor() {
        let mut f = TextField::new("");
        for c in "Мисс".chars() {
            f.handle(&k(KeyCode::Char(c)));
        }
        f.handle(&k(KeyCode::Left));
        f.handle(&k(KeyCode::Left));
        f.handle(&k(KeyCode::Backspace));
        f.handle(&k(KeyCode::Char('а')));
        assert_eq!(f.text(), "Масс");
        assert_eq!(f.cursor(), 2);
        f.handle(&k(KeyCode::End));
        f.handle(&k(KeyCode::Char('ё')));
        assert_eq!(f.text(), "Массё");
        f.handle(&k(KeyCode::Home));
        f.handle(&k(KeyCode::Delete));
        assert_eq!(f.text(), "ассё");
        assert_eq!(f.handle(&k(KeyCode::Enter)), FieldKey::Submit);
        assert_eq!(f.handle(&k(KeyCode::Up)), FieldKey::Ignored);
    }
}
