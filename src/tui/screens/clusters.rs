//! The clusters of one municipality: per dimension the suggestion with the answers it
//! follows from, the decision, and the keys to accept, choose another or clear it.

use super::{Cmd, Component, Go};
use crate::model::campaign::Mark;
use crate::model::change::{Change, ChangeError};
use crate::tui::action::Action;
use crate::tui::ctx::Ctx;
use crate::tui::overlays::{Confirm, Overlay, Pending, PickFor, Picker, Prompt, PromptFor, Reply};
use crate::tui::widgets::{BOLD, DIM, SELECTED, mark_style};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

#[derive(Default)]
pub struct Clusters {
    /// The selected dimension.
    pub dim: usize,
}

const HINTS: &[Action] = &[
    Action::Accept,
    Action::Pick(1),
    Action::Clear,
    Action::Interview,
    Action::Help,
    Action::Back,
];

const HINTS_SEVERAL: &[Action] = &[
    Action::Accept,
    Action::Pick(1),
    Action::Finalize,
    Action::Clear,
    Action::Interview,
    Action::Help,
    Action::Back,
];

/// Whether this campaign has several reviewers, each rating before a final decision.
fn several(ctx: &Ctx) -> bool {
    ctx.campaign.meta.several_reviewers()
}

impl Clusters {
    /// Decides the selected dimension (with several reviewers: this reviewer's own
    /// cluster); a cluster that needs a reason asks for one.
    fn decide(&mut self, ctx: &mut Ctx, dim: &str, cluster: u8, reason: Option<&str>) -> Vec<Cmd> {
        let record = ctx.current_record();
        let stamp = ctx.stamp();
        let change = if several(ctx) {
            Change::rating(&record, dim, &stamp.by, Some(cluster), reason, &stamp)
        } else {
            Change::decision(&record, dim, Some(cluster), reason, &stamp)
        };
        match ctx.apply(&[change]) {
            Ok(effect) => {
                if self.dim + 1 < ctx.data.dimensions.0.len() {
                    self.dim += 1;
                }
                vec![Cmd::Io(effect)]
            }
            Err(ChangeError::ReasonNeeded { suggested, cluster }) if reason.is_none() => {
                let question = match suggested {
                    Some(s) => format!("Почему кластер {cluster}, а не {s}?"),
                    None => format!("Почему кластер {cluster}? Подсказки по ответам нет."),
                };
                vec![Cmd::Show(Overlay::Prompt(Prompt::new(
                    format!("{question} Причина попадёт в файл и в свод"),
                    "",
                    PromptFor::Reason {
                        dim: dim.to_string(),
                        cluster,
                    },
                )))]
            }
            Err(e) => {
                ctx.error(e.to_string());
                Vec::new()
            }
        }
    }

    /// The final decision: what every reviewer chose, at once; when they differ, a cluster
    /// picked from a list and a reason.
    fn finalize(&mut self, ctx: &mut Ctx, dim: &crate::model::clusters::Dimension) -> Vec<Cmd> {
        let record = ctx.current_record();
        if !several(ctx) {
            ctx.say("рецензент один: его решение и так окончательное");
            return Vec::new();
        }
        if record.ratings_on(&dim.id).next().is_none() {
            ctx.error("никто из рецензентов ещё не оценил это измерение");
            return Vec::new();
        }
        if let Some(cluster) = record.unanimous(&dim.id) {
            let change = Change::decision(&record, &dim.id, Some(cluster), None, &ctx.stamp());
            return ctx.commit(&[change]);
        }
        let items = dim
            .clusters
            .iter()
            .map(|c| {
                let who: Vec<&str> = record
                    .ratings_on(&dim.id)
                    .filter(|(_, d)| d.cluster == c.number)
                    .map(|(who, _)| who.as_str())
                    .collect();
                if who.is_empty() {
                    format!("{} «{}»", c.number, c.short)
                } else {
                    format!("{} «{}» — {}", c.number, c.short, who.join(", "))
                }
            })
            .collect();
        vec![Cmd::Show(Overlay::Picker(Picker {
            title: format!("Окончательно · {}", dim.column()),
            items,
            cursor: 0,
            purpose: PickFor::Final(dim.id.clone()),
        }))]
    }
}

impl Component for Clusters {
    fn title(&self, ctx: &Ctx) -> String {
        format!("Кластеры · {}", ctx.current_name())
    }

    fn hints(&self, ctx: &Ctx) -> &'static [Action] {
        if several(ctx) { HINTS_SEVERAL } else { HINTS }
    }

    fn enter(&mut self, ctx: &mut Ctx, go: Option<Go>) {
        if let Some(Go::Clusters(Some(dim))) = go {
            self.dim = dim.min(ctx.data.dimensions.0.len().saturating_sub(1));
        }
    }

    fn update(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        let dims = ctx.data.dimensions.0.len();
        let Some(d) = ctx.data.dimensions.0.get(self.dim).cloned() else {
            return Vec::new();
        };
        match action {
            Action::Up | Action::Down | Action::First | Action::Last => {
                self.dim = crate::tui::cursor::moved(self.dim, dims, action, ctx.page);
            }
            Action::Accept => match d.suggested_cluster(&ctx.live_answers()) {
                Some(s) => return self.decide(ctx, &d.id, s, None),
                None => ctx.error("подсказки нет: выберите кластер цифрой и назовите причину"),
            },
            Action::Pick(n) if d.cluster(n).is_some() => return self.decide(ctx, &d.id, n, None),
            Action::Finalize => return self.finalize(ctx, &d),
            Action::Clear
                if several(ctx)
                    && ctx
                        .current_record()
                        .ratings
                        .get(&d.id)
                        .is_some_and(|r| r.contains_key(&ctx.stamp().by)) =>
            {
                return vec![Cmd::Show(Overlay::Confirm(Confirm::new(
                    format!("Стереть вашу оценку по измерению «{}»?", d.title),
                    Pending::ClearRating(d.id.clone()),
                )))];
            }
            Action::Clear if ctx.current_record().decisions.contains_key(&d.id) => {
                return vec![Cmd::Show(Overlay::Confirm(Confirm::new(
                    format!("Стереть решение по измерению «{}»?", d.title),
                    Pending::ClearDecision(d.id.clone()),
                )))];
            }
            Action::Interview => return vec![Cmd::Go(Go::Interview)],
            Action::History => {
                return vec![Cmd::Io(crate::tui::ctx::Effect::History(
                    crate::model::merge::Field::Decision(d.id.clone()),
                ))];
            }
            Action::Review => return vec![Cmd::Go(Go::Review)],
            Action::Back => return vec![Cmd::Back],
            _ => {}
        }
        Vec::new()
    }

    fn reply(&mut self, ctx: &mut Ctx, reply: Reply) -> Vec<Cmd> {
        match reply {
            Reply::Text(PromptFor::Reason { dim, cluster }, reason) => {
                self.decide(ctx, &dim, cluster, Some(&reason))
            }
            Reply::Picked(PickFor::Final(dim), index) => {
                let Some(cluster) = ctx
                    .data
                    .dimensions
                    .get(&dim)
                    .and_then(|d| d.clusters.get(index))
                    .map(|c| c.number)
                else {
                    return Vec::new();
                };
                vec![Cmd::Show(Overlay::Prompt(Prompt::new(
                    format!(
                        "Почему окончательно кластер {cluster}? Причина попадёт в файл и в свод"
                    ),
                    "",
                    PromptFor::FinalReason { dim, cluster },
                )))]
            }
            Reply::Text(PromptFor::FinalReason { dim, cluster }, reason) => {
                let record = ctx.current_record();
                let change =
                    Change::decision(&record, &dim, Some(cluster), Some(&reason), &ctx.stamp());
                ctx.commit(&[change])
            }
            Reply::Confirmed(Pending::ClearRating(dim)) => {
                let record = ctx.current_record();
                let stamp = ctx.stamp();
                let change = Change::rating(&record, &dim, &stamp.by, None, None, &stamp);
                ctx.commit(&[change])
            }
            Reply::Confirmed(Pending::ClearDecision(dim)) => {
                let change =
                    Change::decision(&ctx.current_record(), &dim, None, None, &ctx.stamp());
                ctx.commit(&[change])
            }
            _ => Vec::new(),
        }
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &mut Ctx) {
        let protocol = &ctx.data.protocol;
        let record = ctx.current_record().live(protocol).into_owned();
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
        for (i, d) in ctx.data.dimensions.0.iter().enumerate() {
            let selected = i == self.dim;
            if selected {
                selected_start = lines.len();
            }
            let title = format!("{} {}", if selected { "▶" } else { " " }, d.title);
            lines.push(Line::styled(title, if selected { SELECTED } else { BOLD }));
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
            if several(ctx) {
                lines.extend(ratings_lines(ctx, &record, d));
            }
            let mark = record.mark(d);
            let label = if several(ctx) {
                "Окончательно"
            } else {
                "Решение"
            };
            let decision = match record.decisions.get(&d.id) {
                Some(dec) => {
                    let c = d.cluster(dec.cluster).map_or("", |c| c.short.as_str());
                    let mut s = format!(
                        "   {label}: {} «{c}» — {}, {}",
                        dec.cluster,
                        dec.by,
                        ctx.shown_time(&dec.at)
                    );
                    if let Some(r) = &dec.reason {
                        s.push_str(&format!("; причина: {r}"));
                    }
                    if let Mark::Stale(_) = mark {
                        s.push_str("  (ответы изменились: подсказка теперь другая)");
                    }
                    s
                }
                None if several(ctx)
                    && !ctx
                        .campaign
                        .meta
                        .may_see_others(&record, &d.id, &ctx.stamp().by) =>
                {
                    "   Окончательно: не решено".into()
                }
                None if several(ctx) => match record.unanimous(&d.id) {
                    Some(c) => format!("   Окончательно: не решено; все оценившие выбрали {c} — F"),
                    None if record.disagreement(&d.id) => {
                        "   Окончательно: не решено; оценки расходятся — F, выбрать и объяснить"
                            .into()
                    }
                    None => "   Окончательно: не решено".into(),
                },
                None => "   Решение: не принято".into(),
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
}

/// This reviewer's cluster and, once they have rated (or with open review), the others'.
fn ratings_lines(
    ctx: &Ctx,
    record: &crate::model::campaign::Record,
    d: &crate::model::clusters::Dimension,
) -> Vec<Line<'static>> {
    let me = ctx.stamp().by;
    let show = |dec: &crate::model::campaign::Decision| {
        let c = d.cluster(dec.cluster).map_or("", |c| c.short.as_str());
        let mut s = format!("{} «{c}», {}", dec.cluster, ctx.shown_time(&dec.at));
        if let Some(r) = &dec.reason {
            s.push_str(&format!("; причина: {r}"));
        }
        s
    };
    let mut lines = Vec::new();
    let mine = record.ratings.get(&d.id).and_then(|r| r.get(&me));
    lines.push(match mine {
        Some(dec) => Line::raw(format!("   Ваша оценка: {}", show(dec))),
        None => Line::styled(
            "   Ваша оценка: не поставлена — Enter принимает подсказку, цифра выбирает",
            DIM,
        ),
    });
    let others: Vec<_> = record
        .ratings_on(&d.id)
        .filter(|(w, _)| **w != me)
        .collect();
    if others.is_empty() {
        return lines;
    }
    if ctx.campaign.meta.may_see_others(record, &d.id, &me) {
        for (who, dec) in others {
            lines.push(Line::raw(format!("   {who}: {}", show(dec))));
        }
    } else {
        lines.push(Line::styled(
            format!(
                "   Оценки других ({}) скрыты, пока вы не поставите свою",
                others.len()
            ),
            DIM,
        ));
    }
    lines
}
