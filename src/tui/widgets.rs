//! Drawing pieces more than one screen uses: styles, truncation, popups, a text field.

use super::text::TextField;
use crate::model::campaign::Mark;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

pub const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);
pub const DIM: Style = Style::new().fg(Color::DarkGray);
pub const BOLD: Style = Style::new().add_modifier(Modifier::BOLD);
pub const MATCH: Style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
pub const ERROR: Style = Style::new().fg(Color::Red);

pub fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

pub fn mark_style(mark: Mark) -> Style {
    match mark {
        Mark::Confirmed(_) => Style::new(),
        Mark::Suggested(_) => Style::new().fg(Color::Yellow),
        Mark::Overridden(_) => Style::new().fg(Color::Magenta),
        Mark::Stale(_) => ERROR,
        Mark::Unassigned => DIM,
    }
}

/// Word-wraps `text` to `width` columns: the first row after `first`, the others after
/// `rest` (usually spaces as wide as `first`), so that wrapped text keeps its indent.
pub fn wrap_indented(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut rows = vec![first.to_string()];
    let mut empty = true;
    for word in text.split_whitespace() {
        let last = rows.last_mut().expect("one row at least");
        let len = last.chars().count();
        if !empty && len + 1 + word.chars().count() > width {
            rows.push(format!("{rest}{word}"));
        } else {
            if !empty {
                last.push(' ');
            }
            last.push_str(word);
        }
        empty = false;
    }
    rows
}

/// A box of at most `width`×`height` in the middle of `area`.
pub fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// A text field being edited: its label, the text, and the error of the last Enter.
/// Returns the line and column of the cursor.
pub fn push_field(
    lines: &mut Vec<Line>,
    label: String,
    field: &TextField,
    error: Option<&str>,
) -> (usize, usize) {
    lines.push(Line::raw(label));
    let at = (lines.len(), field.cursor());
    lines.push(Line::styled(
        format!(" > {}", field.text()),
        Style::new().add_modifier(Modifier::UNDERLINED),
    ));
    if let Some(err) = error {
        lines.push(Line::styled(format!(" {err}"), ERROR));
    }
    at
}

/// The name with the matched chars highlighted, as runs rather than a span per char.
pub fn highlighted<'a>(name: &'a str, hits: &[usize]) -> Vec<Span<'a>> {
    if hits.is_empty() {
        return vec![Span::raw(name)];
    }
    let mut spans = Vec::new();
    let mut start = 0;
    let mut in_match = false;
    for (ci, (byte, _)) in name.char_indices().enumerate() {
        let hit = hits.contains(&ci);
        if hit != in_match && byte > start {
            let part = &name[start..byte];
            spans.push(if in_match {
                Span::styled(part, MATCH)
            } else {
                Span::raw(part)
            });
            start = byte;
        }
        in_match = hit;
    }
    let part = &name[start..];
    spans.push(if in_match {
        Span::styled(part, MATCH)
    } else {
        Span::raw(part)
    });
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_rows_keep_their_indent() {
        let rows = wrap_indented("один два три четыре", 12, " 1 ( ) ", "       ");
        assert_eq!(
            rows,
            [" 1 ( ) один", "       два", "       три", "       четыре"]
        );
        assert_eq!(wrap_indented("", 10, "> ", "  "), ["> "]);
    }

    #[test]
    fn matched_letters_are_runs() {
        let spans = highlighted("Челябинский ГО", &[0, 1, 2, 3, 12]);
        let parts: Vec<(&str, bool)> = spans
            .iter()
            .map(|s| (s.content.as_ref(), s.style == MATCH))
            .collect();
        assert_eq!(
            parts,
            [
                ("Челя", true),
                ("бинский ", false),
                ("Г", true),
                ("О", false)
            ]
        );
        assert_eq!(highlighted("Уйский МР", &[]).len(), 1);
    }
}
