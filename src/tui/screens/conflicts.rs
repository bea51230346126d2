//! Conflicts from syncing: fields two laptops changed differently. Each with its versions
//! side by side (value, who, when, device); a digit keeps that version (after a reason, for
//! a record's field), `e` types a new value. Campaign fields in conflict come first.

use super::Component;
use crate::model::change::Change;
use crate::model::conflict::{Conflict, Field, Held};
use crate::tui::action::Action;
use crate::tui::cmd::{Cmd, Go};
use crate::tui::ctx::Ctx;
use crate::tui::cursor::{is_movement, moved};
use crate::tui::overlays::{Overlay, Prompt, PromptFor, Reply};
use crate::tui::widgets::{BOLD, DIM, SELECTED};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

#[derive(Default)]
pub struct Conflicts {
    pub cursor: usize,
}

const HINTS: &[Action] = &[Action::Pick(1), Action::Edit, Action::Help, Action::Back];

/// Every open conflict: (municipality id, index in its record, the conflict).
fn all(ctx: &Ctx) -> Vec<(String, usize, Conflict)> {
    let mut out = Vec::new();
    for m in &ctx.data.registry.municipalities {
        if let Some(r) = ctx.campaign.record(&m.id) {
            for (i, c) in r.conflicts.iter().enumerate() {
                out.push((m.id.clone(), i, c.clone()));
            }
        }
    }
    out
}

fn field_words(ctx: &Ctx, field: &Field) -> String {
    field.words(&ctx.data.protocol, &ctx.data.dimensions)
}

fn shown(ctx: &Ctx, field: &Field, held: &Held) -> String {
    field.shown(held, &ctx.data.protocol)
}

impl Conflicts {
    /// Keeps version `v` of conflict `i` of municipality `id`.
    fn keep(&mut self, ctx: &mut Ctx, id: String, i: usize, v: usize, reason: String) -> Vec<Cmd> {
        ctx.current = id;
        let record = ctx.current_record();
        let Some(c) = record.conflicts.get(i) else {
            return Vec::new();
        };
        let Some(version) = c.versions.get(v) else {
            return Vec::new();
        };
        let stamp = ctx.stamp();
        let change = match (&c.field, &version.held) {
            (Field::Answer(q), Held::Value(value)) => {
                Change::answer(&record, q, value.clone(), &stamp)
            }
            (Field::Note(q), Held::Note(note)) => {
                Change::note(&record, q, note.as_deref().unwrap_or(""), &stamp)
            }
            (Field::Decision(d), Held::Decision(dec)) => Change::decision(
                &record,
                d,
                dec.as_ref().map(|d| d.cluster),
                Some(&reason),
                &stamp,
            ),
            (Field::Score(i), Held::Score(v)) => Change::score(&record, i, *v, &stamp),
            (Field::Rating(d, who), Held::Decision(dec)) => Change::rating(
                &record,
                d,
                who,
                dec.as_ref().map(|d| d.cluster),
                Some(&reason),
                &stamp,
            ),
            _ => return Vec::new(),
        };
        let change = Change {
            reason: Some(reason),
            ..change
        };
        ctx.commit(&[change])
    }

    /// Decides conflict `i` with a value typed anew (checked as any answer is).
    fn new_value(
        &mut self,
        ctx: &mut Ctx,
        id: &str,
        i: usize,
        typed: &str,
        reason: String,
    ) -> Vec<Cmd> {
        ctx.current = id.to_string();
        let record = ctx.current_record();
        let Some(c) = record.conflicts.get(i) else {
            return Vec::new();
        };
        let stamp = ctx.stamp();
        let change = match &c.field {
            Field::Answer(q) => {
                let Some(question) = ctx.data.protocol.question(q) else {
                    return Vec::new();
                };
                match ctx.data.protocol.parse_value(question, typed) {
                    Ok(v) => Change::answer(&record, q, Some(v), &stamp),
                    Err(e) => {
                        ctx.error(e.to_string());
                        return Vec::new();
                    }
                }
            }
            Field::Note(q) => Change::note(&record, q, typed, &stamp),
            Field::Score(i) => match ctx.data.monitoring.parse_score(i, typed) {
                Ok(v) => Change::score(&record, i, v, &stamp),
                Err(why) => {
                    ctx.error(why);
                    return Vec::new();
                }
            },
            Field::Decision(_) | Field::Rating(..) => match typed.trim().parse::<u8>() {
                Ok(n) => match &c.field {
                    Field::Rating(d, who) => {
                        Change::rating(&record, d, who, Some(n), Some(&reason), &stamp)
                    }
                    _ => Change::decision(&record, c.field.name(), Some(n), Some(&reason), &stamp),
                },
                Err(_) => {
                    ctx.error(format!("номер кластера — число, а не «{typed}»"));
                    return Vec::new();
                }
            },
        };
        let change = Change {
            reason: Some(reason),
            ..change
        };
        ctx.commit(&[change])
    }
}

impl Component for Conflicts {
    fn title(&self, _ctx: &Ctx) -> String {
        "Конфликты синхронизации".into()
    }

    fn hints(&self, _ctx: &Ctx) -> &'static [Action] {
        HINTS
    }

    fn update(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        let fields = ctx.campaign.meta.conflicts.len();
        let conflicts = all(ctx);
        let total = fields + conflicts.len();
        // The campaign's fields first: decided as on the letter screen.
        if let Some(c) = ctx.campaign.meta.conflicts.get(self.cursor).cloned() {
            match action {
                Action::Pick(n) if (1..=c.versions.len()).contains(&(n as usize)) => {
                    let value = c.versions[n as usize - 1].value.clone();
                    return super::letter::set_field(ctx, c.field, &value);
                }
                Action::Edit | Action::Open => {
                    let now = super::letter::field_value(ctx, &c.field);
                    return vec![Cmd::Show(Overlay::Prompt(Prompt::new(
                        format!("Новое значение: кампания, поле «{}»", c.field),
                        &now,
                        PromptFor::Fact(c.field),
                    )))];
                }
                _ => {}
            }
        }
        let selected = self
            .cursor
            .checked_sub(fields)
            .and_then(|i| conflicts.get(i));
        match action {
            a if is_movement(a) => self.cursor = moved(self.cursor, total, a, ctx.page),
            Action::Pick(n) => {
                if let Some((id, i, c)) = selected
                    && (1..=c.versions.len()).contains(&(n as usize))
                {
                    let name = ctx
                        .data
                        .registry
                        .get(id)
                        .map_or(id.as_str(), |m| m.name.as_str());
                    return vec![Cmd::Show(Overlay::Prompt(Prompt::new(
                        format!(
                            "{name}: оставить «{}»? Почему — попадёт в историю",
                            shown(ctx, &c.field, &c.versions[n as usize - 1].held)
                        ),
                        "",
                        PromptFor::Resolve(id.clone(), *i, n as usize - 1),
                    )))];
                }
            }
            Action::Edit => {
                if let Some((id, i, c)) = selected {
                    return vec![Cmd::Show(Overlay::Prompt(Prompt::new(
                        format!("Новое значение: {}", field_words(ctx, &c.field)),
                        "",
                        PromptFor::NewValue(id.clone(), *i),
                    )))];
                }
            }
            Action::Back => return vec![Cmd::Back],
            _ => {}
        }
        Vec::new()
    }

    fn reply(&mut self, ctx: &mut Ctx, reply: Reply) -> Vec<Cmd> {
        match reply {
            Reply::Text(PromptFor::NewValue(id, i), typed) => {
                vec![Cmd::Show(Overlay::Prompt(Prompt::new(
                    format!("Почему «{typed}»? Причина попадёт в историю"),
                    "",
                    PromptFor::ResolveNew(id, i, typed),
                )))]
            }
            Reply::Text(PromptFor::ResolveNew(id, i, typed), reason) => {
                self.new_value(ctx, &id, i, &typed, reason)
            }
            Reply::Text(PromptFor::Resolve(id, i, v), reason) => self.keep(ctx, id, i, v, reason),
            Reply::Text(PromptFor::Fact(key), value) => super::letter::set_field(ctx, key, &value),
            _ => Vec::new(),
        }
    }

    fn enter(&mut self, ctx: &mut Ctx, _go: Option<Go>) {
        let total = ctx.campaign.meta.conflicts.len() + all(ctx).len();
        self.cursor = self.cursor.min(total.saturating_sub(1));
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &mut Ctx) {
        ctx.page = area.height.max(1) as usize;
        let conflicts = all(ctx);
        let mut lines = Vec::new();
        if conflicts.is_empty() && ctx.campaign.meta.conflicts.is_empty() {
            lines.push(Line::styled(" Открытых конфликтов нет.", DIM));
        }
        let fields = ctx.campaign.meta.conflicts.len();
        for (k, c) in ctx.campaign.meta.conflicts.iter().enumerate() {
            let head = format!(" Кампания: поле «{}»", c.field);
            lines.push(Line::styled(
                head,
                if k == self.cursor { SELECTED } else { BOLD },
            ));
            for (n, v) in c.versions.iter().enumerate() {
                lines.push(Line::raw(format!(
                    "   {} «{}» — {}",
                    n + 1,
                    v.value,
                    ctx.devices.of(&v.device)
                )));
            }
        }
        for (k, (id, _, c)) in conflicts.iter().enumerate() {
            let k = k + fields;
            let name = ctx
                .data
                .registry
                .get(id)
                .map_or(id.as_str(), |m| m.name.as_str());
            let head = format!(" {name}: {}", field_words(ctx, &c.field));
            lines.push(if k == self.cursor {
                Line::styled(head, SELECTED)
            } else {
                Line::styled(head, BOLD)
            });
            if let Some(base) = &c.base {
                lines.push(Line::styled(
                    format!(
                        "   было до обоих изменений: «{}» — {}, {}",
                        shown(ctx, &c.field, &base.held),
                        base.by,
                        ctx.shown_time(&base.at)
                    ),
                    DIM,
                ));
            }
            for (n, v) in c.versions.iter().enumerate() {
                lines.push(Line::raw(format!(
                    "   {} «{}» — {}, {}, {}",
                    n + 1,
                    shown(ctx, &c.field, &v.held),
                    if v.by.is_empty() { "?" } else { &v.by },
                    ctx.shown_time(&v.at),
                    ctx.devices.of(&v.device)
                )));
            }
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }
}
