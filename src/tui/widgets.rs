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
/// `rest` (usually spaces as wide as `first`), so that wrapped text keeps its indent. A word
/// longer than a row starts a row of its own and is cut where the rows end.
pub fn wrap_indented(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let rest_width = rest.chars().count();
    let mut rows = vec![first.to_string()];
    let mut empty = true;
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let later_row = rows.len() > 1;
            let last = rows.last_mut().expect("one row at least");
            let len = last.chars().count();
            let space = usize::from(!empty);
            if len + space + word.len() <= width {
                if !empty {
                    last.push(' ');
                }
                last.extend(word.iter());
                empty = false;
                break;
            }
            if !empty || !(later_row || len <= rest_width) {
                // A new row has more room.
                rows.push(rest.to_string());
                empty = true;
                continue;
            }
            let room = width.saturating_sub(len);
            if room == 0 {
                // Not even a char fits: the word stays whole rather than lost.
                last.extend(word.iter());
                empty = false;
                break;
            }
            last.extend(word.drain(..room));
            rows.push(rest.to_string());
        }
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

/// A text field being edited, `width` columns wide: its label, the text wrapped under
/// ` > `, and the error of the last Enter. Returns the line and column of the cursor.
pub fn push_field(
    lines: &mut Vec<Line>,
    label: String,
    field: &TextField,
    error: Option<&str>,
    width: usize,
) -> (usize, usize) {
    lines.extend(
        wrap_indented(&label, width, "", "   ")
            .into_iter()
            .map(Line::raw),
    );
    let underlined = Style::new().add_modifier(Modifier::UNDERLINED);
    let wrapped = field.wrapped(width.saturating_sub(FIELD_INDENT));
    let at = (
        lines.len() + wrapped.cursor.0,
        FIELD_INDENT + wrapped.cursor.1,
    );
    for (i, row) in wrapped.rows.into_iter().enumerate() {
        let lead = if i == 0 { " > " } else { "   " };
        lines.push(Line::from(vec![
            Span::raw(lead),
            Span::styled(row, underlined),
        ]));
    }
    if let Some(err) = error {
        lines.extend(
            wrap_indented(err, width, " ", " ")
                .into_iter()
                .map(|r| Line::styled(r, ERROR)),
        );
    }
    at
}

/// Columns before a field's text: ` > `.
pub const FIELD_INDENT: usize = 3;

/// `label` and then `text`, wrapped to `width`; the rows after the first start under the
/// text, or a little in when the label takes a third of the width or more.
pub fn labelled(label: &str, text: &str, width: usize) -> Vec<String> {
    let label_width = label.chars().count();
    let rest = if label_width * 3 <= width {
        " ".repeat(label_width)
    } else {
        "   ".to_string()
    };
    wrap_indented(text, width, label, &rest)
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
            [
                " 1 ( ) один",
                "       два",
                "       три",
                "       четыр",
                "       е"
            ]
        );
        assert_eq!(wrap_indented("", 10, "> ", "  "), ["> "]);
        assert_eq!(
            wrap_indented("путь /очень/длинный/путь/к/файлу", 12, "> ", "  "),
            ["> путь", "  /очень/дли", "  нный/путь/", "  к/файлу"]
        );
        assert_eq!(
            labelled(" Заметка: ", "первая вторая третья четвёртая", 30),
            [" Заметка: первая вторая третья", "          четвёртая"]
        );
        // A label too wide to keep the text under it: the rows go on a little in.
        assert_eq!(
            labelled(" Заметка: ", "первая вторая третья", 22),
            [" Заметка: первая", "   вторая третья"]
        );
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
