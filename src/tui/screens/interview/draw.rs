//! How the interview is drawn: the heading (section and what is left), the section's
//! questions on the left, and on the right the question with its options, its typed answer,
//! its note and who answered. Every row is wrapped here, keeping its indent, so a line is a
//! screen row and the row in focus scrolls into view.

use super::{EditTarget, Interview};
use crate::model::campaign::{Answer, Answers, Value};
use crate::model::protocol::{Kind, Protocol, Question};
use crate::tui::ctx::Ctx;
use crate::tui::cursor::scroll_offset;
use crate::tui::widgets::{BOLD, DIM, SELECTED, labelled, push_field, truncate, wrap_indented};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// The right pane's rows, the row to keep in view, and where the text cursor is (row, column).
struct Pane<'a> {
    lines: Vec<Line<'a>>,
    focus: usize,
    cursor: Option<(usize, usize)>,
}

impl Interview {
    pub(super) fn draw_all(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let record = ctx.current_record();
        let protocol = &ctx.data.protocol;
        let live = protocol.live(&record.answers);
        let (section_i, _) = self.flat[self.question];
        let [head, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        let heading = heading(protocol, &record.answers, &live, section_i, head.width);
        frame.render_widget(Paragraph::new(heading), head);
        let left_width = (body.width / 3).clamp(20, 34);
        let [left, right] =
            Layout::horizontal([Constraint::Length(left_width), Constraint::Min(1)]).areas(body);
        let items = self.question_list(ctx, &record.answers, &live, section_i, left_width);
        frame.render_widget(
            Paragraph::new(items).block(Block::default().borders(Borders::RIGHT)),
            left,
        );
        let inner = Rect {
            x: right.x + 1,
            width: right.width.saturating_sub(1),
            ..right
        };
        let pane = self.question_pane(ctx, &record.answers, inner.width as usize);
        let height = inner.height as usize;
        let focus = pane.cursor.map_or(pane.focus, |(line, _)| line);
        let offset = scroll_offset(focus, height);
        let lines: Vec<Line> = pane.lines.into_iter().skip(offset).collect();
        frame.render_widget(Paragraph::new(lines), inner);
        if let Some((line, col)) = pane.cursor {
            let y = inner.y + (line - offset) as u16;
            let x = inner.x + col as u16;
            if y < inner.bottom() && x < inner.right() {
                frame.set_cursor_position(Position::new(x, y));
            }
        }
    }

    /// Questions of this section, numbered so that two never read the same when cut:
    /// ✓ answered, • required and open, ✎ with a note; hidden ones left out.
    fn question_list(
        &self,
        ctx: &Ctx,
        answers: &Answers,
        live: &Answers,
        section_i: usize,
        width: u16,
    ) -> Vec<Line<'static>> {
        let mut items = Vec::new();
        for (i, (s, n)) in self.flat.iter().enumerate() {
            if *s != section_i || !self.is_visible_at(ctx, i, live) {
                continue;
            }
            let q = self.question_at(ctx, i);
            let answered = answers.value(&q.id).is_some();
            let marker = match (answered, q.required) {
                (true, _) => "✓",
                (false, true) => "•",
                (false, false) => " ",
            };
            let note = if answers.note(&q.id).is_some() {
                "✎"
            } else {
                " "
            };
            let label = truncate(
                &format!("{marker}{note}{}. {}", n + 1, q.text),
                width.saturating_sub(2) as usize,
            );
            let style = if i == self.question {
                SELECTED
            } else if !answered && q.required {
                Style::new().fg(Color::Yellow)
            } else {
                Style::new()
            };
            items.push(Line::styled(label, style));
        }
        items
    }

    /// The question, its help, last year's answer to confirm, its options or typed answer,
    /// its note and who answered it.
    fn question_pane<'a>(&self, ctx: &'a Ctx, answers: &'a Answers, width: usize) -> Pane<'a> {
        let q = self.current_question(ctx);
        let protocol = &ctx.data.protocol;
        let mut lines = question_text(q, width);
        lines.push(Line::raw(""));
        let record = ctx.current_record();
        let value = answers.value(&q.id);
        if let (None, Some(last)) = (value, record.carried.get(&q.id)) {
            let shown = protocol.show_value(q, last);
            let text = format!("В прошлом году: «{shown}» — Enter подтвердит; пока это не ответ");
            let carried = Style::new().fg(Color::Yellow);
            let rows = wrap_indented(&text, width, " ", " ");
            lines.extend(rows.into_iter().map(|r| Line::styled(r, carried)));
            lines.push(Line::raw(""));
        }
        let focus = self.option_lines(q, value, width, &mut lines);
        let mut cursor = self.typed_answer(q, value, width, &mut lines);
        lines.push(Line::raw(""));
        match &self.editing {
            Some(e) if e.target == EditTarget::Note => {
                let error = e.error.as_deref();
                let label = " Заметка:".to_string();
                cursor = Some(push_field(&mut lines, label, &e.field, error, width));
            }
            _ => {
                if let Some(n) = answers.note(&q.id) {
                    let note = Style::new().fg(Color::Cyan);
                    let rows = labelled(" Заметка: ", n, width);
                    lines.extend(rows.into_iter().map(|r| Line::styled(r, note)));
                }
            }
        }
        if let Some(a) = answers.0.get(&q.id) {
            lines.extend(answered_by(ctx, a, width));
        }
        Pane {
            lines,
            focus,
            cursor,
        }
    }

    /// The options, the chosen ones marked; returns the row that ends the selected one.
    fn option_lines(
        &self,
        q: &Question,
        value: Option<&Value>,
        width: usize,
        lines: &mut Vec<Line>,
    ) -> usize {
        let multi = matches!(q.kind, Kind::MultipleChoice(_));
        let mut focus = 0;
        for (i, (id, label)) in q.kind.options().iter().enumerate() {
            let chosen = value.is_some_and(|v| v.equals(id) || v.contains(id));
            let mark = match (multi, chosen) {
                (true, true) => "[x]",
                (true, false) => "[ ]",
                (false, true) => "(•)",
                (false, false) => "( )",
            };
            let first = format!(" {} {mark} ", i + 1);
            let rest = " ".repeat(first.chars().count());
            let style = if i == self.option {
                SELECTED
            } else {
                Style::new()
            };
            let rows = wrap_indented(label, width, &first, &rest);
            lines.extend(rows.into_iter().map(|r| Line::styled(r, style)));
            if i == self.option {
                focus = lines.len() - 1;
            }
        }
        focus
    }

    /// A text or number answer: the field being typed (returns its cursor), or the value.
    fn typed_answer(
        &self,
        q: &Question,
        value: Option<&Value>,
        width: usize,
        lines: &mut Vec<Line>,
    ) -> Option<(usize, usize)> {
        let range = match q.kind {
            Kind::Number { min, max } => format!(" (целое от {min} до {max})"),
            Kind::Text => String::new(),
            _ => return None,
        };
        match &self.editing {
            Some(e) if e.target == EditTarget::Value => {
                let label = format!(" Ответ{range}:");
                Some(push_field(lines, label, &e.field, e.error.as_deref(), width))
            }
            _ => {
                let shown = match value {
                    Some(Value::Text(t)) => t.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => "— нет ответа (Enter — ввести)".into(),
                };
                let rows = labelled(&format!(" Ответ{range}: "), &shown, width);
                lines.extend(rows.into_iter().map(Line::raw));
                None
            }
        }
    }
}

/// « Section · обязательных осталось N» in the longest wording that fits; the section's
/// title gives way first. Answers to questions hidden now are kept, and said to be kept.
fn heading(
    protocol: &Protocol,
    answers: &Answers,
    live: &Answers,
    section_i: usize,
    width: u16,
) -> String {
    let section = &protocol.sections[section_i];
    let progress = protocol.progress(live);
    let left = progress.required - progress.answered;
    let dormant = protocol.dormant(answers).len();
    // No total: it grows as answers open follow-up questions, and «23 из 24» after the first
    // answer reads as if something went wrong.
    let (all, few) = match left {
        0 => ("все обязательные отвечены".to_string(), "всё отвечено".to_string()),
        _ => (
            format!("обязательных осталось {left}"),
            format!("осталось {left}"),
        ),
    };
    let tails = if dormant > 0 {
        vec![
            format!("{all} · скрытых ответов: {dormant} (сохранены, не учитываются)"),
            format!("{all} · скрытых ответов: {dormant}"),
            format!("{few} · скрыто {dormant}"),
        ]
    } else {
        vec![all, few]
    };
    let room = width as usize;
    tails
        .iter()
        .map(|tail| format!(" {} · {tail}", section.title))
        .find(|s| s.chars().count() <= room)
        .unwrap_or_else(|| {
            let tail = format!(" · {}", tails[tails.len() - 1]);
            let title = room.saturating_sub(tail.chars().count() + 1);
            format!(" {}{tail}", truncate(&section.title, title))
        })
}

/// The question's text in bold behind a yellow «*» when required, then its help, dimmed.
fn question_text(q: &Question, width: usize) -> Vec<Line<'static>> {
    let star = if q.required { "* " } else { "  " };
    let mut lines: Vec<Line> = wrap_indented(&q.text, width, star, "  ")
        .into_iter()
        .map(|row| {
            let text: String = row.chars().skip(2).collect();
            let lead: String = row.chars().take(2).collect();
            Line::from(vec![
                Span::styled(lead, Style::new().fg(Color::Yellow)),
                Span::styled(text, BOLD),
            ])
        })
        .collect();
    if let Some(h) = &q.help {
        let rows = wrap_indented(h, width, "  ", "  ");
        lines.extend(rows.into_iter().map(|r| Line::styled(r, DIM)));
    }
    lines
}

/// «записал(а) Петрова Б. Б. · 14.09.2026 10:15», dimmed.
fn answered_by(ctx: &Ctx, a: &Answer, width: usize) -> Vec<Line<'static>> {
    let by = format!("записал(а) {} · {}", a.by, ctx.shown_time(&a.at));
    wrap_indented(&by, width, " ", " ")
        .into_iter()
        .map(|r| Line::styled(r, DIM))
        .collect()
}
