//! The frame around the screens: the title bar, the status line with the key hints, the
//! overlays on top, and the message when the window is too small.

use super::action::Action;
use super::app::App;
use super::ctx::Ctx;
use super::screens::Component;
use super::widgets::{DIM, truncate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

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
    let scope = app.screen.scope();
    let screen = app.screens.get_mut(app.screen);
    let hints = match app.overlays.last() {
        Some(o) => Hints::overlay(o.hints()),
        None => screen_hints(&app.ctx, &*screen, scope),
    };
    let status = status_lines(&app.ctx, &hints, area.width as usize, area.height as usize);
    let [top, main, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(status.len() as u16),
    ])
    .areas(area);
    // Whose ratings and answers these are, always in sight: a shared laptop changes hands.
    let screen_title = match &app.ctx.me() {
        Some(who) => format!("{} · вы: {who}", screen.title(&app.ctx)),
        None => screen.title(&app.ctx),
    };
    let title = title_line(
        &app.ctx.campaign.meta.title,
        &screen_title,
        area.width as usize,
    );
    frame.render_widget(
        Paragraph::new(title).style(Style::new().bg(Color::Blue)),
        top,
    );
    screen.draw(frame, main, &mut app.ctx);
    frame.render_widget(Paragraph::new(status), bottom);
    for overlay in &app.overlays {
        overlay.draw(frame, main, &app.ctx, app.screen.scope());
    }
}

/// The title bar: the screen's title (with the municipality) whole; the campaign's title
/// shortened, or left out, to make room for it.
fn title_line(campaign: &str, screen: &str, width: usize) -> Line<'static> {
    const APP: &str = " sobes ";
    let fixed = APP.chars().count() + "· ".chars().count() + " · ".chars().count();
    let room = width.saturating_sub(fixed + screen.chars().count());
    let text = if campaign.chars().count() <= room {
        format!("· {campaign} · {screen}")
    } else if room >= 8 {
        format!("· {} · {screen}", truncate(campaign, room))
    } else {
        truncate(
            &format!("· {screen}"),
            width.saturating_sub(APP.chars().count()),
        )
    };
    Line::from(vec![
        Span::styled(APP, Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(text),
    ])
}

/// The keys the status line offers: the screen's, most used first, and the help key, which
/// is always shown last.
struct Hints {
    items: Vec<String>,
    last: Option<String>,
}

impl Hints {
    fn split(text: &str, last: Option<String>) -> Hints {
        Hints {
            items: text.split(" · ").map(str::to_string).collect(),
            last,
        }
    }

    /// An overlay's keys: its way out, said last, is always shown.
    fn overlay(text: &str) -> Hints {
        let mut items: Vec<String> = text.split(" · ").map(str::to_string).collect();
        let last = items.pop();
        Hints { items, last }
    }
}

fn screen_hints(ctx: &Ctx, screen: &dyn Component, scope: super::keymap::Scope) -> Hints {
    // A focused text field takes the keys itself; its hints are not in the keymap, and
    // the help key types itself there.
    if let Some(h) = screen.field_hints() {
        return Hints::split(h, None);
    }
    let label = |a: Action| {
        ctx.keymap.keys_for(scope, a).first().map(|k| match a {
            Action::Pick(_) => format!("{}… по номеру", k.label()),
            _ => format!("{} {}", k.label(), a.short()),
        })
    };
    Hints {
        items: screen
            .hints(ctx)
            .iter()
            .filter(|a| **a != Action::Help)
            .filter_map(|a| label(*a))
            .collect(),
        last: label(Action::Help),
    }
}

/// The status line: the last save, a message or an error on the left, the keys on the right,
/// as many as fit. A message too long for the row beside the help key goes on over more
/// rows, up to a quarter of the window, so it is read whole.
fn status_lines(ctx: &Ctx, hints: &Hints, width: usize, height: usize) -> Vec<Line<'static>> {
    let (left, style) = left_of(ctx);
    let left_width = left.chars().count();
    let last_width = hints.last.as_ref().map_or(0, |l| l.chars().count());
    let keys = |room: usize| fitting(hints, room);
    if left_width + 2 + last_width <= width {
        let keys = keys(width - left_width - 2);
        return vec![row(vec![Span::styled(left, style)], keys, width)];
    }
    let most = (height / 4).max(2);
    let mut rows = crate::tui::widgets::wrap_indented(&left, width, "", "");
    // The keys go beside the message's last row when it all fits, else on a row below.
    let beside = rows.len() <= most
        && rows
            .last()
            .is_some_and(|r| r.chars().count() + 2 + last_width <= width);
    let room = if beside { most } else { most - 1 };
    if rows.len() > room {
        rows.truncate(room);
        if let Some(r) = rows.last_mut() {
            *r = truncate(&format!("{r} …"), width);
        }
    }
    let mut lines: Vec<Line> = rows
        .into_iter()
        .map(|r| Line::from(Span::styled(r, style)))
        .collect();
    let tail = if beside {
        lines.pop().map(|l| l.spans).unwrap_or_default()
    } else {
        Vec::new()
    };
    let used: usize = tail.iter().map(|s| s.width()).sum();
    lines.push(row(tail, keys(width.saturating_sub(used + 2)), width));
    lines
}

/// As many hints as fit in `room` columns, in order, and the last one always.
fn fitting(hints: &Hints, room: usize) -> String {
    let mut shown: Vec<&str> = Vec::new();
    let mut used = hints.last.as_ref().map_or(0, |l| l.chars().count());
    for item in &hints.items {
        let need = item.chars().count() + if used > 0 { 3 } else { 0 };
        if used + need > room {
            break;
        }
        used += need;
        shown.push(item);
    }
    if let Some(last) = &hints.last {
        shown.push(last);
    }
    truncate(&shown.join(" · "), room)
}

/// One row: `left` at the start, `keys` dimmed at the right edge.
fn row(mut left: Vec<Span<'static>>, keys: String, width: usize) -> Line<'static> {
    let used: usize = left.iter().map(|s| s.width()).sum();
    let gap = width.saturating_sub(used + keys.chars().count());
    left.push(Span::raw(" ".repeat(gap)));
    left.push(Span::styled(keys, DIM));
    Line::from(left)
}

/// The left of the status line: a save that failed, else the last message, else the last
/// save.
fn left_of(ctx: &Ctx) -> (String, Style) {
    let alarm = Style::new().fg(Color::White).bg(Color::Red);
    if let Some(e) = &ctx.save_error {
        let text = format!(
            "НЕ СОХРАНЕНО: {} — {e}; каждое действие пробует снова",
            ctx.unsaved_summary().unwrap_or_default()
        );
        return (text, alarm);
    }
    match (&ctx.message, &ctx.last_saved) {
        (Some((m, true)), _) => (m.clone(), alarm),
        (Some((m, false)), _) => (m.clone(), Style::new()),
        (None, Some(t)) => (format!("сохранено {t}"), Style::new().fg(Color::Green)),
        (None, None) => ("изменений не было".into(), DIM),
    }
}
