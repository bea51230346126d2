//! The clusters of one municipality: per dimension the suggestion with the answers it
//! follows from, the decision, and the keys to accept, choose another or clear it.

use super::{Cmd, Component, Go};
use crate::model::campaign::Mark;
use crate::model::change::{Change, ChangeError};
use crate::tui::action::Action;
use crate::tui::ctx::Ctx;
use crate::tui::overlays::{Confirm, Overlay, Pending, Prompt, PromptFor, Reply};
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

impl Clusters {
    /// Decides the selected dimension; a cluster that needs a reason asks for one.
    fn decide(&mut self, ctx: &mut Ctx, dim: &str, cluster: u8, reason: Option<&str>) -> Vec<Cmd> {
        let change = Change::decision(
            &ctx.current_record(),
            dim,
            Some(cluster),
            reason,
            &ctx.stamp(),
        );
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
}

impl Component for Clusters {
    fn title(&self, ctx: &Ctx) -> String {
        format!("Кластеры · {}", ctx.current_name())
    }

    fn hints(&self) -> &'static [Action] {
        HINTS
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
            let mark = record.mark(d);
            let decision = match record.decisions.get(&d.id) {
                Some(dec) => {
                    let c = d.cluster(dec.cluster).map_or("", |c| c.short.as_str());
                    let mut s = format!(
                        "   Решение: {} «{c}» — {}, {}",
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
