//! The clusters of one municipality: per dimension the suggestion with the answers it
//! follows from, the decision, and the keys to accept, choose another or clear it.

use super::Component;
use crate::model::campaign::{Mark, Record};
use crate::model::clusters::Dimension;
use crate::model::change::{Change, ChangeError};
use crate::tui::action::Action;
use crate::tui::cmd::{Cmd, Go, Screen};
use crate::tui::ctx::Ctx;
use crate::tui::overlays::{Confirm, Overlay, Pending, PickFor, Picker, Prompt, PromptFor, Reply};
use crate::tui::widgets::{BOLD, DIM, SELECTED, labelled, mark_style};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

#[derive(Default)]
pub struct Clusters {
    /// The selected dimension.
    pub dim: usize,
    /// The municipality `dim` was chosen for: another one opens on the first dimension.
    of: String,
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
            // The selection stays where it is: a key pressed next acts on what the person
            // sees selected, never on a dimension the screen moved to by itself.
            Ok(effect) => vec![Cmd::Io(effect)],
            Err(ChangeError::ReasonNeeded { suggested, cluster }) if reason.is_none() => {
                let question = match suggested {
                    Some(s) => format!("почему кластер {cluster}, а не подсказанный {s}?"),
                    None => format!("почему кластер {cluster}? Подсказки по ответам нет."),
                };
                let shown: Vec<u8> = [Some(cluster), suggested].into_iter().flatten().collect();
                vec![Cmd::Show(Overlay::Prompt(Prompt::new(
                    reason_question(ctx, dim, &question, &shown),
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
        if self.of != ctx.current {
            self.of = ctx.current.clone();
            self.dim = 0;
        }
        if let Some(Go {
            screen: Screen::Clusters,
            dimension: Some(dim),
        }) = go
        {
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
            Action::Interview => return vec![Cmd::Go(Go::to(Screen::Interview))],
            Action::History => {
                return vec![Cmd::Io(crate::tui::ctx::Effect::History(
                    crate::model::conflict::Field::Decision(d.id.clone()),
                ))];
            }
            Action::Review => return vec![Cmd::Go(Go::to(Screen::Review))],
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
                let question = format!("почему окончательно кластер {cluster}?");
                vec![Cmd::Show(Overlay::Prompt(Prompt::new(
                    reason_question(ctx, &dim, &question, &[cluster]),
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
        // Every row is wrapped here, keeping its indent, so a line is a screen row.
        let width = area.width as usize;
        let mut lines = Vec::new();
        let p = protocol.progress(&record.answers);
        if !p.complete() {
            let text = format!(
                "Интервью не закончено: {} из {} обязательных ответов",
                p.answered, p.required
            );
            let unfinished = Style::new().fg(Color::Yellow);
            push(&mut lines, " ", &text, width, unfinished);
        }
        let (mut selected_start, mut selected_end) = (0, 0);
        for (i, d) in ctx.data.dimensions.0.iter().enumerate() {
            let selected = i == self.dim;
            if selected {
                selected_start = lines.len();
            }
            let lead = if selected { "▶ " } else { "  " };
            let style = if selected { SELECTED } else { BOLD };
            push(&mut lines, lead, &d.title, width, style);
            lines.extend(dimension_lines(ctx, &record, d, width));
            if selected {
                selected_end = lines.len();
            }
            lines.push(Line::raw(""));
        }
        // The selected dimension in view, its end at the bottom when it would fall below,
        // never its start above the top; the rows before it fill the screen.
        let height = area.height as usize;
        let skip = selected_end.saturating_sub(height).min(selected_start);
        let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
        frame.render_widget(Paragraph::new(lines), area);
    }
}

/// A dimension under its title: the suggestion and why (or why there is none), the
/// reviewers' ratings, the decision, the clusters to choose from.
fn dimension_lines(ctx: &Ctx, record: &Record, d: &Dimension, width: usize) -> Vec<Line<'static>> {
    let protocol = &ctx.data.protocol;
    let mut lines = Vec::new();
    match d.suggest(&record.answers, protocol) {
        Some(s) => {
            let c = d.cluster(s.cluster);
            let text = format!("{} «{}»", s.cluster, c.map_or("", |c| c.short.as_str()));
            push(&mut lines, "   Подсказка: ", &text, width, Style::new());
            for b in &s.because {
                push(&mut lines, "     потому что: ", b, width, DIM);
            }
        }
        None => {
            let waiting = d.waiting_for(&record.answers, protocol);
            let text = if waiting.is_empty() {
                "Подсказки нет: ответы есть, но ни одно правило к ним не подходит — выберите кластер цифрой".to_string()
            } else {
                format!(
                    "Подсказки нет: не хватает ответов, от которых она зависит ({})",
                    waiting.len()
                )
            };
            push(&mut lines, "   ", &text, width, DIM)
        }
    }
    if several(ctx) {
        lines.extend(ratings_lines(ctx, record, d, width));
    }
    let label = if several(ctx) {
        "   Окончательно: "
    } else {
        "   Решение: "
    };
    let (decision, style) = decision_text(ctx, record, d);
    push(&mut lines, label, &decision, width, style);
    let choices: Vec<String> = d
        .clusters
        .iter()
        .map(|c| format!("{} {}", c.number, c.short))
        .collect();
    push(&mut lines, "   Кластеры: ", &choices.join(" · "), width, DIM);
    lines
}

/// The final decision on a dimension as this reviewer may see it, and its style.
fn decision_text(ctx: &Ctx, record: &Record, d: &Dimension) -> (String, Style) {
    let mark = record.mark(d);
    let me = ctx.stamp().by;
    let meta = &ctx.campaign.meta;
    if meta.hides_decision(record, &d.id, &me) {
        let by = record.decisions.get(&d.id).map_or("", |dec| dec.by.as_str());
        let text = format!("принято до списка рецензентов ({by}); скрыто, пока вы не оцените сами");
        return (text, DIM);
    }
    let text = match record.decisions.get(&d.id) {
        Some(dec) => {
            let c = d.cluster(dec.cluster).map_or("", |c| c.short.as_str());
            let at = ctx.shown_time(&dec.at);
            let mut s = format!("{} «{c}» — {}, {at}", dec.cluster, dec.by);
            if let Some(r) = &dec.reason {
                s.push_str(&format!("; причина: {r}"));
            }
            if let Mark::Stale(_) = mark {
                s.push_str("  (ответы изменились: подсказка теперь другая)");
            }
            s
        }
        None if several(ctx) && !meta.may_see_others(record, &d.id, &me) => "не решено".into(),
        None if several(ctx) => undecided(ctx, record, d),
        None => "не принято".into(),
    };
    (text, mark_style(mark))
}

/// What the ratings say of a dimension with no final decision yet. One of two agreeing with
/// himself is not «all»: how many rated is said.
fn undecided(ctx: &Ctx, record: &Record, d: &Dimension) -> String {
    match record.unanimous(&d.id) {
        Some(c) => {
            let rated = record.ratings_on(&d.id).count();
            let listed = ctx.campaign.meta.reviewers.len();
            if rated >= listed {
                format!("не решено; все рецензенты выбрали {c} — F")
            } else {
                format!(
                    "не решено; оценили {rated} из {listed}, выбрали {c}; F — решить, не дожидаясь остальных"
                )
            }
        }
        None if record.disagreement(&d.id) => {
            "не решено; оценки расходятся — F, выбрать и объяснить".into()
        }
        None => "не решено".into(),
    }
}

/// `text` after `label`, wrapped to `width` with the rows after the first under the text.
fn push(lines: &mut Vec<Line<'static>>, label: &str, text: &str, width: usize, style: Style) {
    lines.extend(
        labelled(label, text, width)
            .into_iter()
            .map(|r| Line::styled(r, style)),
    );
}

/// The question of a reason prompt, naming the dimension and what the clusters it is about
/// mean, so the reason is written knowing what was chosen against what.
fn reason_question(ctx: &Ctx, dim: &str, question: &str, clusters: &[u8]) -> String {
    let Some(d) = ctx.data.dimensions.get(dim) else {
        return format!("{question}\nПричина попадёт в файл и в свод");
    };
    let mut lines = vec![format!("«{}»: {question}", d.title)];
    for n in clusters {
        if let Some(c) = d.cluster(*n) {
            lines.push(format!("{n} «{}»: {}", c.short, c.meaning));
        }
    }
    lines.push("Причина попадёт в файл и в свод".into());
    lines.join("\n")
}

/// This reviewer's cluster and, once they have rated (or with open review), the others'.
fn ratings_lines(
    ctx: &Ctx,
    record: &crate::model::campaign::Record,
    d: &crate::model::clusters::Dimension,
    width: usize,
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
    match mine {
        Some(dec) => push(
            &mut lines,
            "   Ваша оценка: ",
            &show(dec),
            width,
            Style::new(),
        ),
        None => push(
            &mut lines,
            "   Ваша оценка: ",
            "не поставлена — Enter принимает подсказку, цифра выбирает",
            width,
            DIM,
        ),
    }
    let others: Vec<_> = record
        .ratings_on(&d.id)
        .filter(|(w, _)| **w != me)
        .collect();
    if others.is_empty() {
        return lines;
    }
    if ctx.campaign.meta.may_see_others(record, &d.id, &me) {
        for (who, dec) in others {
            push(
                &mut lines,
                &format!("   {who}: "),
                &show(dec),
                width,
                Style::new(),
            );
        }
    } else {
        let text = format!(
            "Оценки других ({}) скрыты, пока вы не поставите свою",
            others.len()
        );
        push(&mut lines, "   ", &text, width, DIM);
    }
    lines
}
