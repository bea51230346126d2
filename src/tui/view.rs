//! Drawing the state. Reads the App; changes nothing but the page size it measured.

use super::action::Action;
use super::app::{App, EditTarget, Editing, Overlay, Screen};
use super::keymap::Scope;
use crate::model::campaign::{Mark, Value};
use crate::model::protocol::Kind;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);
const DIM: Style = Style::new().fg(Color::DarkGray);
const MATCH: Style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);

pub fn draw(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "Окно слишком маленькое: {}×{}, нужно хотя бы {MIN_WIDTH}×{MIN_HEIGHT}",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let [top, main, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let screen_name = match app.screen {
        Screen::List => "Муниципалитеты".to_string(),
        Screen::Interview => format!("Вопросы · {}", app.current_name()),
        Screen::Clusters => format!("Кластеры · {}", app.current_name()),
        Screen::Review => "Свод".to_string(),
        Screen::Preview => "Приложение к письму".to_string(),
    };
    let title = Line::from(vec![
        Span::styled(" sobes ", Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(format!("· {} · {screen_name}", app.campaign.meta.title)),
    ]);
    frame.render_widget(
        Paragraph::new(title).style(Style::new().bg(Color::Blue)),
        top,
    );
    match app.screen {
        Screen::List => draw_list(frame, app, main),
        Screen::Interview => draw_interview(frame, app, main),
        Screen::Clusters => draw_clusters(frame, app, main),
        Screen::Review => draw_review(frame, app, main),
        Screen::Preview => draw_preview(frame, app, main),
    }
    draw_status(frame, app, bottom);
    if app.overlay.is_some() {
        draw_overlay(frame, app, main);
    }
}

/// The status line: the last save or an error on the left, key hints from the keymap.
fn draw_status(frame: &mut Frame, app: &App, area: Rect) {
    let left = match (&app.message, &app.last_saved) {
        (Some((m, true)), _) => {
            Span::styled(m.clone(), Style::new().fg(Color::White).bg(Color::Red))
        }
        (Some((m, false)), _) => Span::raw(m.clone()),
        (None, Some(t)) => Span::styled(format!("сохранено {t}"), Style::new().fg(Color::Green)),
        (None, None) => Span::styled("изменений не было", DIM),
    };
    let hints = hints(app);
    let left_width = left.width() as u16;
    let hint_width = area.width.saturating_sub(left_width + 2);
    let hint: String = truncate(&hints, hint_width as usize);
    let [l, r] =
        Layout::horizontal([Constraint::Length(left_width + 1), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(Line::from(left)), l);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(hint, DIM))).right_aligned(),
        r,
    );
}

fn hints(app: &App) -> String {
    // A focused text field takes the keys itself; its hints are not in the keymap.
    if app.screen == Screen::Interview && app.editing.is_some() {
        return "Enter сохранить · Esc отменить".into();
    }
    if app.screen == Screen::List && app.searching {
        return "печатайте название · Enter готово · Esc сбросить".into();
    }
    let scope = app.screen.scope();
    let wanted: &[Action] = match app.screen {
        Screen::List => &[
            Action::Open,
            Action::Search,
            Action::Filter,
            Action::Review,
            Action::Preview,
            Action::Export,
            Action::Help,
            Action::Quit,
        ],
        Screen::Interview => &[
            Action::Choose,
            Action::Next,
            Action::Prev,
            Action::Note,
            Action::Clusters,
            Action::Help,
            Action::Back,
        ],
        Screen::Clusters => &[
            Action::Accept,
            Action::Pick(1),
            Action::Clear,
            Action::Interview,
            Action::Help,
            Action::Back,
        ],
        Screen::Review => &[
            Action::Open,
            Action::Preview,
            Action::Export,
            Action::Help,
            Action::Back,
        ],
        Screen::Preview => &[Action::Down, Action::Export, Action::Help, Action::Back],
    };
    wanted
        .iter()
        .filter_map(|a| {
            app.keymap.keys_for(scope, *a).first().map(|k| match a {
                Action::Pick(_) => format!("{k}… по номеру"),
                _ => format!("{k} {}", a.short()),
            })
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn scroll_offset(selected: usize, height: usize) -> usize {
    if height == 0 || selected < height {
        0
    } else {
        selected + 1 - height
    }
}

fn mark_style(mark: Mark) -> Style {
    match mark {
        Mark::Confirmed(_) => Style::new(),
        Mark::Suggested(_) => Style::new().fg(Color::Yellow),
        Mark::Overridden(_) => Style::new().fg(Color::Magenta),
        Mark::Stale(_) => Style::new().fg(Color::Red),
        Mark::Unassigned => DIM,
    }
}

fn draw_list(frame: &mut Frame, app: &mut App, area: Rect) {
    let [bar, table_area, legend] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let mut bar_spans = vec![Span::raw(" Поиск: ")];
    let query = app.search.text();
    if app.searching || !query.is_empty() {
        bar_spans.push(Span::styled(
            query.clone(),
            Style::new().add_modifier(Modifier::UNDERLINED),
        ));
    } else {
        bar_spans.push(Span::styled("/ — искать", DIM));
    }
    bar_spans.push(Span::raw(format!(
        "   Показано {} из {} · {}",
        app.visible.len(),
        app.data.registry.len(),
        app.filter_label(&app.list_filter)
    )));
    frame.render_widget(Paragraph::new(Line::from(bar_spans)), bar);
    if app.searching {
        let x = bar.x + 8 + app.search.cursor() as u16;
        frame.set_cursor_position(Position::new(x.min(bar.right().saturating_sub(1)), bar.y));
    }

    let height = table_area.height.saturating_sub(1) as usize;
    app.page = height.max(1);
    let offset = scroll_offset(app.cursor, height);
    let dims = &app.data.dimensions.0;
    // Rows are padded lines written straight into the buffer, only as wide as the columns:
    // this screen is redrawn on every key of the search field, and a wide terminal then
    // costs nothing for its empty right-hand part.
    let name_width = app
        .visible
        .iter()
        .skip(offset)
        .take(height)
        .map(|(i, _)| app.data.registry.municipalities[*i].name.chars().count())
        .max()
        .unwrap_or(0)
        .max(18);
    let pad = |text: &str, width: usize| {
        let n = text.chars().count();
        format!("{text}{} ", " ".repeat(width.saturating_sub(n)))
    };
    // Cluster columns are 8 wide, or 4 when the window is too narrow for all of them.
    let fixed = name_width + 1 + 4 + 7 + 12;
    let mark_width = if fixed + 9 * dims.len() <= table_area.width as usize {
        8
    } else {
        4
    };
    let mut header = pad("Муниципалитет", name_width) + &pad("Вид", 3) + &pad("Ответы", 6);
    header += &pad("Статус", 11);
    for d in dims {
        header += &pad(
            &d.column().chars().take(mark_width).collect::<String>(),
            mark_width,
        );
    }
    let mut lines = vec![Line::styled(
        header,
        Style::new().add_modifier(Modifier::BOLD),
    )];
    for (row_i, (i, hits)) in app.visible.iter().enumerate().skip(offset).take(height) {
        let m = &app.data.registry.municipalities[*i];
        let mut spans = highlighted(&m.name, hits);
        spans.push(Span::raw(
            " ".repeat(name_width + 1 - m.name.chars().count()),
        ));
        spans.push(Span::raw(pad(&m.kind, 3)));
        match &app.summaries[*i] {
            Some(summary) => {
                let p = summary.progress;
                spans.push(Span::raw(pad(&format!("{}/{}", p.answered, p.required), 6)));
                spans.push(Span::raw(pad(summary.status.label(), 11)));
                for mark in &summary.marks {
                    spans.push(Span::styled(
                        pad(&mark.cell(), mark_width),
                        mark_style(*mark),
                    ));
                }
            }
            None => spans.push(Span::styled(pad("…", 6) + "загрузка", DIM)),
        }
        let line = Line::from(spans);
        lines.push(if row_i == app.cursor {
            line.style(SELECTED)
        } else {
            line
        });
    }
    let width = ((fixed + (mark_width + 1) * dims.len()) as u16).min(table_area.width);
    // Straight into the buffer: no wrapping or truncation machinery is needed for rows
    // that are cut to the width anyway.
    let buf = frame.buffer_mut();
    for (k, line) in lines.iter().enumerate().take(table_area.height as usize) {
        let y = table_area.y + k as u16;
        buf.set_line(table_area.x, y, line, width);
        if line.style != Style::default() {
            buf.set_style(Rect::new(table_area.x, y, width, 1), line.style);
        }
    }
    if app.visible.is_empty() {
        let msg = Paragraph::new("  Ничего не найдено. Esc — сбросить поиск и фильтр.").style(DIM);
        frame.render_widget(
            msg,
            Rect {
                y: table_area.y + 1,
                height: 1,
                ..table_area
            },
        );
    }
    frame.render_widget(
        Paragraph::new(
            " кластер: 2 решено · 2? подсказан · 2* изменён с причиной · 2! расходится с ответами",
        )
        .style(DIM),
        legend,
    );
}

/// The name with the matched chars highlighted, as runs rather than a span per char.
fn highlighted<'a>(name: &'a str, hits: &[usize]) -> Vec<Span<'a>> {
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

/// A text field being edited: its label, the text, and the error of the last Enter.
/// Returns the line and column of the cursor.
fn push_field(lines: &mut Vec<Line>, label: String, e: &Editing) -> (usize, usize) {
    lines.push(Line::raw(label));
    let at = (lines.len(), e.field.cursor());
    lines.push(Line::styled(
        format!(" > {}", e.field.text()),
        Style::new().add_modifier(Modifier::UNDERLINED),
    ));
    if let Some(err) = &e.error {
        lines.push(Line::styled(format!(" {err}"), Style::new().fg(Color::Red)));
    }
    at
}

fn draw_interview(frame: &mut Frame, app: &mut App, area: Rect) {
    let record = app.current_record();
    let protocol = &app.data.protocol;
    let progress = protocol.progress(&record.answers);
    let (section_i, _) = app.flat[app.question];
    let section = &protocol.sections[section_i];
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    frame.render_widget(
        Paragraph::new(format!(
            " {} · обязательных осталось {} из {}",
            section.title,
            progress.required - progress.answered,
            progress.required
        )),
        head,
    );
    let left_width = (body.width / 3).clamp(20, 34);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Min(1)]).areas(body);

    // Questions of this section: ✓ answered, • required and open, hidden ones left out.
    let mut items = Vec::new();
    for (i, (s, _)) in app.flat.iter().enumerate() {
        if *s != section_i || !app.is_visible_at(i, &record) {
            continue;
        }
        let q = app.question_at(i);
        let answered = record.answers.value(&q.id).is_some();
        let marker = match (answered, q.required) {
            (true, _) => "✓",
            (false, true) => "•",
            (false, false) => " ",
        };
        let label = truncate(
            &format!("{marker} {}", q.text),
            left_width.saturating_sub(2) as usize,
        );
        let style = if i == app.question {
            SELECTED
        } else if !answered && q.required {
            Style::new().fg(Color::Yellow)
        } else {
            Style::new()
        };
        items.push(Line::styled(label, style));
    }
    frame.render_widget(
        Paragraph::new(items).block(Block::default().borders(Borders::RIGHT)),
        left,
    );

    let q = app.current_question().clone();
    let mut lines = vec![Line::from(vec![
        Span::styled(
            if q.required { "* " } else { "  " },
            Style::new().fg(Color::Yellow),
        ),
        Span::styled(q.text.clone(), Style::new().add_modifier(Modifier::BOLD)),
    ])];
    if let Some(h) = &q.help {
        lines.push(Line::styled(format!("  {h}"), DIM));
    }
    lines.push(Line::raw(""));
    let value = record.answers.value(&q.id).cloned();
    let options = q.kind.options();
    let multi = matches!(q.kind, Kind::MultipleChoice(_));
    for (i, (id, label)) in options.iter().enumerate() {
        let chosen = value
            .as_ref()
            .is_some_and(|v| v.equals(id) || v.contains(id));
        let mark = match (multi, chosen) {
            (true, true) => "[x]",
            (true, false) => "[ ]",
            (false, true) => "(•)",
            (false, false) => "( )",
        };
        let text = format!(" {} {mark} {label}", i + 1);
        lines.push(if i == app.option {
            Line::styled(text, SELECTED)
        } else {
            Line::raw(text)
        });
    }
    let mut cursor_at = None;
    if let Kind::Text | Kind::Number { .. } = q.kind {
        let range = match q.kind {
            Kind::Number { min, max } => format!(" (целое от {min} до {max})"),
            _ => String::new(),
        };
        match &app.editing {
            Some(e) if e.target == EditTarget::Value => {
                cursor_at = Some(push_field(&mut lines, format!(" Ответ{range}:"), e));
            }
            _ => {
                let shown = match &value {
                    Some(Value::Text(t)) => t.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => "— нет ответа (Enter — ввести)".into(),
                };
                lines.push(Line::raw(format!(" Ответ{range}: {shown}")));
            }
        }
    }
    lines.push(Line::raw(""));
    match &app.editing {
        Some(e) if e.target == EditTarget::Note => {
            cursor_at = Some(push_field(&mut lines, " Заметка:".into(), e));
        }
        _ => {
            if let Some(n) = record.answers.note(&q.id) {
                lines.push(Line::styled(
                    format!(" Заметка: {n}"),
                    Style::new().fg(Color::Cyan),
                ));
            }
        }
    }
    if let Some(a) = record.answers.0.get(&q.id) {
        lines.push(Line::styled(
            format!(" записал(а) {} · {}", a.by, a.at),
            DIM,
        ));
    }
    let inner = Rect {
        x: right.x + 1,
        width: right.width.saturating_sub(1),
        ..right
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    if let Some((line, col)) = cursor_at {
        // Lines above the field may wrap; the field's row is found by counting wrapped rows.
        let y = inner.y + line as u16;
        let x = inner.x + 3 + col as u16;
        if y < inner.bottom() {
            frame.set_cursor_position(Position::new(x.min(inner.right().saturating_sub(1)), y));
        }
    }
}

fn draw_clusters(frame: &mut Frame, app: &mut App, area: Rect) {
    let record = app.current_record();
    let protocol = &app.data.protocol;
    let mut lines = Vec::new();
    let p = protocol.progress(&record.answers);
    if !p.complete() {
        lines.push(Line::styled(
            format!(
                " Интервью не закончено: {} из {} обязательных ответов",
                p.answered, p.required
            ),
            Style::new().fg(Color::Yellow),
        ));
    }
    let (mut selected_start, mut selected_end) = (0, 0);
    for (i, d) in app.data.dimensions.0.iter().enumerate() {
        let selected = i == app.dim;
        if selected {
            selected_start = lines.len();
        }
        let title = format!("{} {}", if selected { "▶" } else { " " }, d.title);
        lines.push(Line::styled(
            title,
            if selected {
                SELECTED
            } else {
                Style::new().add_modifier(Modifier::BOLD)
            },
        ));
        match d.suggest(&record.answers, protocol) {
            Some(s) => {
                let c = d.cluster(s.cluster);
                lines.push(Line::raw(format!(
                    "   Подсказка: {} «{}»",
                    s.cluster,
                    c.map_or("", |c| c.short.as_str())
                )));
                for b in &s.because {
                    lines.push(Line::styled(format!("     потому что: {b}"), DIM));
                }
            }
            None => lines.push(Line::styled("   Подсказки нет: не хватает ответов", DIM)),
        }
        let mark = record.mark(d);
        let decision = match (record.decisions.get(&d.id), mark) {
            (Some(dec), _) => {
                let c = d.cluster(dec.cluster).map_or("", |c| c.short.as_str());
                let mut s = format!("   Решение: {} «{c}» — {}, {}", dec.cluster, dec.by, dec.at);
                if let Some(r) = &dec.reason {
                    s.push_str(&format!("; причина: {r}"));
                }
                if let Mark::Stale(_) = mark {
                    s.push_str("  (ответы изменились: подсказка теперь другая)");
                }
                s
            }
            (None, _) => "   Решение: не принято".into(),
        };
        lines.push(Line::styled(decision, mark_style(mark)));
        let choices: Vec<String> = d
            .clusters
            .iter()
            .map(|c| format!("{} {}", c.number, c.short))
            .collect();
        lines.push(Line::styled(
            format!("   Кластеры: {}", choices.join(" · ")),
            DIM,
        ));
        if selected {
            selected_end = lines.len();
        }
        lines.push(Line::raw(""));
    }
    // When the selected dimension would end below the screen, start at its first line.
    let rows = |l: &Line| (l.width().max(1) as u16).div_ceil(area.width.max(1));
    let through_selected: u16 = lines.iter().take(selected_end).map(rows).sum();
    let skip = if through_selected > area.height {
        selected_start
    } else {
        0
    };
    let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn draw_review(frame: &mut Frame, app: &mut App, area: Rect) {
    let height = area.height as usize;
    app.page = height.max(1);
    let cursor = app.review_cursor;
    let rows = app.review_rows();
    let selected = rows
        .iter()
        .enumerate()
        .position(|(i, r)| i >= cursor && r.municipality.is_some())
        .unwrap_or(usize::MAX);
    let offset = scroll_offset(selected.min(rows.len()), height);
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, r)| {
            if i == selected {
                Line::styled(r.text.clone(), SELECTED)
            } else if r.header {
                Line::styled(r.text.clone(), Style::new().add_modifier(Modifier::BOLD))
            } else {
                Line::raw(r.text.clone())
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_preview(frame: &mut Frame, app: &mut App, area: Rect) {
    let height = area.height as usize;
    app.page = height.max(1);
    // Markdown headings and list lines get a little emphasis; the rest is the text as it
    // will be exported.
    let lines: Vec<Line> = app
        .preview
        .iter()
        .skip(app.preview_scroll)
        .take(height * 4)
        .map(|l| {
            if l.starts_with('#') {
                Line::styled(
                    l.trim_start_matches('#').trim().to_string(),
                    Style::new().add_modifier(Modifier::BOLD),
                )
            } else if l.contains("не распределены") || l.contains("Не распределены")
            {
                Line::styled(l.clone(), Style::new().fg(Color::Red))
            } else {
                Line::raw(l.clone())
            }
        })
        .collect();
    let block = Block::default()
        .borders(Borders::BOTTOM)
        .title_bottom(Line::from(format!(
            " строка {} из {} ",
            app.preview_scroll + 1,
            app.preview.len()
        )));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn draw_overlay(frame: &mut Frame, app: &App, area: Rect) {
    let Some(overlay) = &app.overlay else { return };
    match overlay {
        Overlay::Help => {
            let scope = app.screen.scope();
            let mut lines = Vec::new();
            for (title, s) in [
                (scope.title(), scope),
                (Scope::Global.title(), Scope::Global),
            ] {
                lines.push(Line::styled(
                    title.to_string(),
                    Style::new().add_modifier(Modifier::BOLD),
                ));
                let mut picks = Vec::new();
                for (action, keys) in app.keymap.help(s) {
                    if s != Scope::Global
                        && keys.iter().all(|k| {
                            app.keymap
                                .bindings(Scope::Global)
                                .iter()
                                .any(|(g, _)| g == k)
                        })
                    {
                        continue;
                    }
                    let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
                    // The numbered picks share one line: «1…9».
                    if let Action::Pick(_) = action {
                        picks.extend(keys);
                        continue;
                    }
                    lines.push(Line::raw(format!(
                        "  {:<16} {}",
                        keys.join(", "),
                        action.describe()
                    )));
                }
                if let (Some(first), Some(last)) = (picks.first(), picks.last()) {
                    let keys = if picks.len() > 1 {
                        format!("{first}…{last}")
                    } else {
                        first.clone()
                    };
                    lines.push(Line::raw(format!(
                        "  {keys:<16} Выбрать вариант или кластер по номеру"
                    )));
                }
                if s == Scope::Global {
                    break;
                }
            }
            lines.push(Line::styled(
                format!("Раскладка: {} · любая клавиша закрывает", app.keymap.name),
                DIM,
            ));
            let rect = popup(area, area.width.saturating_sub(4), lines.len() as u16 + 4);
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .block(Block::bordered().title(Line::from(" Клавиши "))),
                rect,
            );
        }
        Overlay::Confirm { question, .. } => {
            // As tall as the question needs, so the answer keys stay visible.
            let width = area.width.saturating_sub(4).min(76);
            let inner = width.saturating_sub(2).max(1) as usize;
            let rows = question
                .split('\n')
                .map(|l| (l.chars().count().max(1)).div_ceil(inner) as u16)
                .sum::<u16>();
            let rect = popup(area, width, rows + 5);
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(vec![
                    Line::raw(question.clone()),
                    Line::styled("y / Enter — да, n / Esc — нет", DIM),
                ])
                .wrap(Wrap { trim: true })
                .block(Block::bordered().title(Line::from(" Подтвердите "))),
                rect,
            );
        }
        Overlay::Prompt { title, field, .. } => {
            let rect = popup(area, area.width.saturating_sub(8).max(40), 6);
            frame.render_widget(Clear, rect);
            let text = vec![
                Line::raw(title.clone()),
                Line::styled(
                    format!("> {}", field.text()),
                    Style::new().add_modifier(Modifier::UNDERLINED),
                ),
                Line::styled("Enter — сохранить", DIM),
            ];
            frame.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: false })
                    .block(Block::bordered().title(Line::from(" Ввод "))),
                rect,
            );
            let title_rows =
                (title.chars().count() as u16).div_ceil(rect.width.saturating_sub(2).max(1));
            let y = rect.y + 1 + title_rows;
            let x = rect.x + 3 + field.cursor() as u16;
            if y < rect.bottom().saturating_sub(1) {
                frame.set_cursor_position(Position::new(x.min(rect.right().saturating_sub(2)), y));
            }
        }
        Overlay::Picker {
            title,
            items,
            cursor,
            ..
        } => {
            let h = (items.len() as u16 + 2).min(area.height);
            let w = items.iter().map(|i| i.chars().count()).max().unwrap_or(10) as u16 + 6;
            let rect = popup(area, w, h);
            let visible = rect.height.saturating_sub(2) as usize;
            let offset = scroll_offset(*cursor, visible);
            let lines: Vec<Line> = items
                .iter()
                .enumerate()
                .skip(offset)
                .take(visible)
                .map(|(i, t)| {
                    if i == *cursor {
                        Line::styled(format!(" {t}"), SELECTED)
                    } else {
                        Line::raw(format!(" {t}"))
                    }
                })
                .collect();
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(lines)
                    .block(Block::bordered().title(Line::from(format!(" {title} ")))),
                rect,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
