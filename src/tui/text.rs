//! A text field with a cursor that moves over chars, not bytes. It is one line of text,
//! shown wrapped over as many rows as it needs.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextField {
    chars: Vec<char>,
    cursor: usize,
}

/// A field's text broken into rows, and where its cursor is among them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wrapped {
    pub rows: Vec<String>,
    /// (row, column) of the cursor, counted in chars from the start of its row.
    pub cursor: (usize, usize),
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

    /// The text in rows of at most `width` chars, broken after a space where there is one
    /// (a word longer than a row is cut). The cursor is in the row that holds the char it
    /// stands before; at the end of a full row it starts the next one, as typing goes on
    /// there, so it is never drawn past the right edge.
    pub fn wrapped(&self, width: usize) -> Wrapped {
        let width = width.max(1);
        let len = self.chars.len();
        let mut starts = vec![0];
        let mut start = 0;
        while len - start > width {
            let end = (start + 1..=start + width)
                .rev()
                .find(|&i| self.chars[i - 1] == ' ')
                .unwrap_or(start + width);
            starts.push(end);
            start = end;
        }
        let mut rows: Vec<String> = starts
            .iter()
            .enumerate()
            .map(|(r, &s)| {
                let end = starts.get(r + 1).copied().unwrap_or(len);
                self.chars[s..end].iter().collect()
            })
            .collect();
        let row = starts.iter().rposition(|&s| s <= self.cursor).unwrap_or(0);
        let mut cursor = (row, self.cursor - starts[row]);
        if cursor.1 >= width {
            rows.push(String::new());
            cursor = (row + 1, 0);
        }
        Wrapped { rows, cursor }
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

    #[test]
    fn wrapped_rows_hold_the_cursor_where_typing_goes() {
        let f = TextField::new("раз два три");
        let w = f.wrapped(8);
        assert_eq!(w.rows, ["раз два ", "три"]);
        assert_eq!(w.cursor, (1, 3));
        let mut f = TextField::new("абвгдеёжзий");
        assert_eq!(f.wrapped(4).rows, ["абвг", "деёж", "зий"]);
        f.handle(&k(KeyCode::Home));
        for _ in 0..4 {
            f.handle(&k(KeyCode::Right));
        }
        // Before «д»: the start of the second row, not past the end of the first.
        assert_eq!(f.wrapped(4).cursor, (1, 0));
        let full = TextField::new("абвг");
        let w = full.wrapped(4);
        assert_eq!(w.rows, ["абвг", ""]);
        assert_eq!(w.cursor, (1, 0));
        let empty = TextField::new("");
        assert_eq!(empty.wrapped(4).rows, [""]);
        assert_eq!(empty.wrapped(0).cursor, (0, 0));
        // Every char is in exactly one row, in order, whatever the width.
        let long = TextField::new("Очень длинная заметка о работе методической службы района");
        for width in 1..30 {
            let w = long.wrapped(width);
            assert_eq!(w.rows.concat(), long.text(), "{width}");
            assert!(w.rows.iter().all(|r| r.chars().count() <= width), "{width}");
            assert!(w.cursor.1 < width, "{width}");
        }
    }
}
