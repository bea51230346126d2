//! The frame around the screens: the title bar, the status line with the key hints, the
//! overlays on top, and the message when the window is too small.

use super::action::Action;
use super::app::App;
use super::ctx::Ctx;
use super::screens::Component;
use super::widgets::{DIM, truncate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
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
    let [top, main, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let screen = app.screens.get_mut(app.screen);
    let title = Line::from(vec![
        Span::styled(" sobes ", Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(format!(
            "· {} · {}",
            app.ctx.campaign.meta.title,
            screen.title(&app.ctx)
        )),
    ]);
    frame.render_widget(
        Paragraph::new(title).style(Style::new().bg(Color::Blue)),
        top,
    );
    screen.draw(frame, main, &mut app.ctx);
    let scope = app.screen.scope();
    draw_status(frame, &app.ctx, &*screen, scope, bottom);
    for overlay in &app.overlays {
        overlay.draw(frame, main, &app.ctx, app.screen);
    }
}

/// The status line: the last save or an error on the left, key hints from the keymap.
fn draw_status(
    frame: &mut Frame,
    ctx: &Ctx,
    screen: &dyn Component,
    scope: super::keymap::Scope,
    area: Rect,
) {
    let unsaved = ctx.save_error.as_ref().map(|e| {
        format!(
            "НЕ СОХРАНЕНО: {} — {e}; каждое действие пробует снова",
            ctx.unsaved_summary().unwrap_or_default()
        )
    });
    let left = match (&unsaved, &ctx.message, &ctx.last_saved) {
        (Some(u), _, _) => Span::styled(u.clone(), Style::new().fg(Color::White).bg(Color::Red)),
        (None, message, last_saved) => left_of(message, last_saved),
    };
    // A focused text field takes the keys itself; its hints are not in the keymap.
    let hints = match screen.field_hints() {
        Some(h) => h.to_string(),
        None => screen
            .hints(ctx)
            .iter()
            .filter_map(|a| {
                ctx.keymap.keys_for(scope, *a).first().map(|k| match a {
                    Action::Pick(_) => format!("{}… по номеру", k.label()),
                    _ => format!("{} {}", k.label(), a.short()),
                })
            })
            .collect::<Vec<_>>()
            .join(" · "),
    };
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

/// The left of the status line when everything is saved: the last message or the last save.
fn left_of(message: &Option<(String, bool)>, last_saved: &Option<String>) -> Span<'static> {
    match (message, last_saved) {
        (Some((m, true)), _) => {
            Span::styled(m.clone(), Style::new().fg(Color::White).bg(Color::Red))
        }
        (Some((m, false)), _) => Span::raw(m.clone()),
        (None, Some(t)) => Span::styled(format!("сохранено {t}"), Style::new().fg(Color::Green)),
        (None, None) => Span::styled("изменений не было", DIM),
    }
}
