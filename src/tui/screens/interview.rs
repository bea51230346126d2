//! The interview of one municipality: one question at a time, its options, a typed answer
//! or a note, the section's questions on the left (drawn in `draw.rs`).

mod draw;

use super::Component;
use crate::data::DataSet;
use crate::model::campaign::{Answers, Value};
use crate::model::change::Change;
use crate::model::protocol::{Kind, Question, order_like};
use crate::tui::action::Action;
use crate::tui::cmd::{Cmd, Go};
use crate::tui::ctx::Ctx;
use crate::tui::cursor::{is_movement, moved};
use crate::tui::overlays::{Confirm, Overlay, Pending, PickFor, Picker, Reply};
use crate::tui::text::{FieldKey, TextField};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditTarget {
    Value,
    Note,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Editing {
    pub target: EditTarget,
    pub field: TextField,
    pub error: Option<String>,
}

pub struct Interview {
    /// Questions in protocol order as (section, question) indices.
    pub flat: Vec<(usize, usize)>,
    pub question: usize,
    pub option: usize,
    pub editing: Option<Editing>,
    /// The last answer a single key replaced: its question and the value before, for Undo.
    pub replaced: Option<(String, Option<Value>)>,
}

/// Most used first: the status line shows as many as fit, and help the rest.
const HINTS: &[Action] = &[
    Action::Choose,
    Action::Next,
    Action::Prev,
    Action::Note,
    Action::Back,
    Action::Clusters,
    Action::NextOpen,
    Action::Section,
    Action::Edit,
];
/// A number or a text is typed, not chosen.
const TYPED_HINTS: &[Action] = &[
    Action::Edit,
    Action::Next,
    Action::Prev,
    Action::Note,
    Action::Back,
    Action::Clusters,
    Action::NextOpen,
    Action::Section,
];

impl Interview {
    pub fn new(data: &DataSet) -> Interview {
        Interview {
            flat: data
                .protocol
                .sections
                .iter()
                .enumerate()
                .flat_map(|(s, sec)| (0..sec.questions.len()).map(move |q| (s, q)))
                .collect(),
            question: 0,
            option: 0,
            editing: None,
            replaced: None,
        }
    }

    pub fn question_at<'a>(&self, ctx: &'a Ctx, i: usize) -> &'a Question {
        let (s, q) = self.flat[i];
        &ctx.data.protocol.sections[s].questions[q]
    }

    pub fn current_question<'a>(&self, ctx: &'a Ctx) -> &'a Question {
        self.question_at(ctx, self.question)
    }

    /// `live`: the answers that count ([`crate::model::protocol::Protocol::live`]).
    fn is_visible_at(&self, ctx: &Ctx, i: usize, live: &Answers) -> bool {
        ctx.data.protocol.is_visible(self.question_at(ctx, i), live)
    }

    fn is_open_at(&self, ctx: &Ctx, i: usize, live: &Answers) -> bool {
        let q = self.question_at(ctx, i);
        q.required && self.is_visible_at(ctx, i, live) && live.value(&q.id).is_none()
    }

    fn go_question(&mut self, ctx: &Ctx, i: usize, forward: bool) {
        let live = ctx.live_answers();
        let n = self.flat.len();
        let mut j = i.min(n.saturating_sub(1));
        // Hidden questions are skipped in the direction of travel.
        for _ in 0..n {
            if self.is_visible_at(ctx, j, &live) {
                break;
            }
            j = if forward {
                (j + 1) % n
            } else {
                (j + n - 1) % n
            };
        }
        self.question = j;
        self.editing = None;
        let q = self.current_question(ctx);
        // The cursor on the answer, or on last year's offered one, so Enter confirms it.
        let carried = ctx.current_record().carried.get(&q.id).cloned();
        self.option = match live.value(&q.id).or(carried.as_ref()) {
            Some(v) => q
                .kind
                .options()
                .iter()
                .position(|(id, _)| v.equals(id) || v.contains(id))
                .unwrap_or(0),
            None => 0,
        };
    }

    fn step_question(&mut self, ctx: &mut Ctx, forward: bool) {
        let live = ctx.live_answers();
        let n = self.flat.len();
        let mut j = self.question;
        loop {
            let next = if forward { j + 1 } else { j.wrapping_sub(1) };
            if next >= n {
                let done = !(0..n).any(|i| self.is_open_at(ctx, i, &live));
                ctx.say(match (forward, done) {
                    (true, true) => {
                        "это последний вопрос протокола; все обязательные отвечены · c — кластеры"
                    }
                    (true, false) => {
                        "это последний вопрос протокола; есть обязательные без ответа · n — к ним"
                    }
                    (false, _) => "это первый вопрос протокола",
                });
                return;
            }
            j = next;
            if self.is_visible_at(ctx, j, &live) {
                self.go_question(ctx, j, forward);
                return;
            }
        }
    }

    fn next_open(&mut self, ctx: &mut Ctx) {
        let live = ctx.live_answers();
        let n = self.flat.len();
        let found = (1..=n)
            .map(|k| (self.question + k) % n)
            .find(|&i| self.is_open_at(ctx, i, &live));
        match found {
            Some(i) => self.go_question(ctx, i, true),
            None => ctx.say("все обязательные вопросы отвечены: можно переходить к кластерам"),
        }
    }

    fn start_edit(&mut self, ctx: &Ctx, target: EditTarget) {
        let record = ctx.current_record();
        let q = self.current_question(ctx);
        let text = match target {
            EditTarget::Note => record.answers.note(&q.id).unwrap_or("").to_string(),
            EditTarget::Value => match record.answers.value(&q.id) {
                Some(Value::Text(t)) => t.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            },
        };
        self.editing = Some(Editing {
            target,
            field: TextField::new(&text),
            error: None,
        });
    }

    fn commit_edit(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        let Some(editing) = self.editing.take() else {
            return Vec::new();
        };
        let q = self.current_question(ctx).clone();
        let text = editing.field.text();
        let record = ctx.current_record();
        let stamp = ctx.stamp();
        let change = match editing.target {
            EditTarget::Note => Ok(Change::note(&record, &q.id, &text, &stamp)),
            EditTarget::Value if text.trim().is_empty() => {
                Ok(Change::answer(&record, &q.id, None, &stamp))
            }
            EditTarget::Value => ctx
                .data
                .protocol
                .parse_value(&q, &text)
                .map(|v| Change::answer(&record, &q.id, Some(v), &stamp))
                .map_err(|e| e.to_string()),
        };
        let answered = editing.target == EditTarget::Value && !text.trim().is_empty();
        match change.and_then(|c| ctx.apply(&[c]).map_err(|e| e.to_string())) {
            // A number or a text typed and taken: on to the next question without an answer,
            // as after a choice.
            Ok(effect) if answered => {
                self.next_unanswered(ctx);
                vec![Cmd::Io(effect)]
            }
            Ok(effect) => vec![Cmd::Io(effect)],
            Err(e) => {
                self.editing = Some(Editing {
                    error: Some(e),
                    ..editing
                });
                Vec::new()
            }
        }
    }

    fn choose(&mut self, ctx: &mut Ctx, option: usize) -> Vec<Cmd> {
        let q = self.current_question(ctx).clone();
        let options = q.kind.options();
        let Some((opt, _)) = options.get(option) else {
            if matches!(q.kind, Kind::Text | Kind::Number { .. }) {
                self.start_edit(ctx, EditTarget::Value);
            }
            return Vec::new();
        };
        let record = ctx.current_record();
        let (value, advance) = match &q.kind {
            Kind::YesNo => (Some(Value::Bool(opt == "yes")), true),
            Kind::SingleChoice(_) => (Some(Value::Choice(opt.clone())), true),
            Kind::MultipleChoice(choices) => {
                let mut picked = match record.answers.value(&q.id) {
                    Some(Value::Choices(cs)) => cs.clone(),
                    _ => Vec::new(),
                };
                if let Some(pos) = picked.iter().position(|c| c == opt) {
                    picked.remove(pos);
                } else {
                    picked.push(opt.clone());
                }
                let picked = order_like(choices, picked);
                (
                    (!picked.is_empty()).then_some(Value::Choices(picked)),
                    false,
                )
            }
            Kind::Number { .. } | Kind::Text => return Vec::new(),
        };
        let before = record.answers.value(&q.id).cloned();
        let change = Change::answer(&record, &q.id, value.clone(), &ctx.stamp());
        let cmds = ctx.commit(&[change]);
        if cmds.is_empty() || !advance {
            return cmds;
        }
        // A single key that replaced an answer says so and can be taken back.
        if let Some(old) = before.as_ref().filter(|old| Some(*old) != value.as_ref()) {
            let shown = |v: &Value| ctx.data.protocol.show_value(&q, v);
            let now = value.as_ref().map_or_else(String::new, shown);
            let undo = ctx
                .keymap
                .keys_for(crate::tui::keymap::Scope::Interview, Action::Undo);
            let undo = undo
                .first()
                .map_or_else(String::new, |k| format!(" · {k} — вернуть"));
            ctx.say(format!(
                "ответ изменён: было «{}», стало «{now}»{undo}",
                shown(old)
            ));
            self.replaced = Some((q.id.clone(), before));
        } else {
            self.replaced = None;
        }
        self.next_unanswered(ctx);
        cmds
    }

    /// After a choice: the next question still without an answer, searching on from here
    /// and then from the start, so a choice never lands on an answered question.
    fn next_unanswered(&mut self, ctx: &mut Ctx) {
        let live = ctx.live_answers();
        let n = self.flat.len();
        let found = (1..n).map(|k| (self.question + k) % n).find(|&i| {
            self.is_visible_at(ctx, i, &live) && live.value(&self.question_at(ctx, i).id).is_none()
        });
        match found {
            Some(i) => self.go_question(ctx, i, true),
            None if ctx.message.is_none() => {
                ctx.say("на все вопросы есть ответы: собеседование завершено · c — кластеры")
            }
            None => {}
        }
    }

    fn undo(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        let Some((question, before)) = self.replaced.take() else {
            ctx.say("возвращать нечего");
            return Vec::new();
        };
        let change = Change::answer(&ctx.current_record(), &question, before, &ctx.stamp());
        let cmds = ctx.commit(&[change]);
        if let Some(i) = self
            .flat
            .iter()
            .position(|&(s, q)| ctx.data.protocol.sections[s].questions[q].id == question)
        {
            self.go_question(ctx, i, true);
        }
        if !cmds.is_empty() {
            ctx.say("прежний ответ возвращён");
        }
        cmds
    }

    fn section_picker(&self, ctx: &Ctx) -> Overlay {
        Overlay::Picker(Picker {
            title: "Раздел".into(),
            items: ctx
                .data
                .protocol
                .sections
                .iter()
                .map(|s| s.title.clone())
                .collect(),
            cursor: self.flat[self.question].0,
            purpose: PickFor::Section,
        })
    }
}

impl Component for Interview {
    fn title(&self, ctx: &Ctx) -> String {
        format!("Вопросы · {}", ctx.current_name())
    }

    fn hints(&self, ctx: &Ctx) -> &'static [Action] {
        match self.current_question(ctx).kind {
            Kind::Text | Kind::Number { .. } => TYPED_HINTS,
            _ => HINTS,
        }
    }

    fn field_hints(&self) -> Option<&'static str> {
        self.editing
            .as_ref()
            .map(|_| "Enter сохранить · Esc отменить")
    }

    /// Opens at the first required question still open on the path.
    fn enter(&mut self, ctx: &mut Ctx, go: Option<Go>) {
        if go.is_none() {
            return;
        }
        self.replaced = None;
        let live = ctx.live_answers();
        let first_open = (0..self.flat.len()).find(|&i| self.is_open_at(ctx, i, &live));
        self.editing = None;
        self.go_question(ctx, first_open.unwrap_or(0), true);
    }

    fn field_key(&mut self, ctx: &mut Ctx, event: &KeyEvent) -> Option<Vec<Cmd>> {
        let editing = self.editing.as_mut()?;
        match editing.field.handle(event) {
            FieldKey::Submit => Some(self.commit_edit(ctx)),
            FieldKey::Cancel => {
                self.editing = None;
                Some(Vec::new())
            }
            // Ctrl keys the field does not know go on to the keymap.
            FieldKey::Ignored if event.modifiers.contains(KeyModifiers::CONTROL) => None,
            _ => Some(Vec::new()),
        }
    }

    fn flush(&mut self, ctx: &mut Ctx) -> Result<Vec<Cmd>, String> {
        if self.editing.is_none() {
            return Ok(Vec::new());
        }
        let cmds = self.commit_edit(ctx);
        match self.editing.as_ref().and_then(|e| e.error.clone()) {
            Some(error) => Err(error),
            None => Ok(cmds),
        }
    }

    fn paste(&mut self, _ctx: &mut Ctx, text: &str) {
        if let Some(e) = &mut self.editing {
            e.field.paste(text);
        }
    }

    fn update(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        let q = self.current_question(ctx).clone();
        let options = q.kind.options();
        match action {
            Action::Up | Action::Down | Action::First | Action::Last => {
                self.option = moved(self.option, options.len(), action, ctx.page);
            }
            a if is_movement(a) => {}
            Action::Next => self.step_question(ctx, true),
            Action::Prev => self.step_question(ctx, false),
            Action::NextOpen => self.next_open(ctx),
            Action::Section => return vec![Cmd::Show(self.section_picker(ctx))],
            Action::Choose => return self.choose(ctx, self.option),
            // On a number question a digit starts the number.
            Action::Pick(n) if matches!(q.kind, Kind::Number { .. }) => {
                self.start_edit(ctx, EditTarget::Value);
                if let Some(editing) = &mut self.editing {
                    editing.field = TextField::new(&n.to_string());
                }
            }
            Action::Pick(n) if (1..=options.len()).contains(&(n as usize)) => {
                self.option = n as usize - 1;
                return self.choose(ctx, self.option);
            }
            Action::Edit => match q.kind {
                Kind::Text | Kind::Number { .. } => self.start_edit(ctx, EditTarget::Value),
                _ => ctx.say("здесь выбирают вариант: стрелки и пробел или цифра"),
            },
            Action::Note => self.start_edit(ctx, EditTarget::Note),
            Action::Undo => return self.undo(ctx),
            Action::History => {
                return vec![Cmd::Io(crate::tui::ctx::Effect::History(
                    crate::model::conflict::Field::Answer(q.id.clone()),
                ))];
            }
            Action::Clear if ctx.current_record().answers.0.contains_key(&q.id) => {
                return vec![Cmd::Show(Overlay::Confirm(Confirm::new(
                    format!("Стереть ответ и заметку на «{}»?", q.text),
                    Pending::ClearAnswer(q.id.clone()),
                )))];
            }
            Action::Clusters => return vec![Cmd::Go(Go::clusters(None))],
            Action::Back => {
                self.editing = None;
                return vec![Cmd::Back];
            }
            _ => {}
        }
        Vec::new()
    }

    fn reply(&mut self, ctx: &mut Ctx, reply: Reply) -> Vec<Cmd> {
        match reply {
            Reply::Picked(PickFor::Section, section) => {
                if let Some(i) = self.flat.iter().position(|(s, _)| *s == section) {
                    self.go_question(ctx, i, true);
                }
                Vec::new()
            }
            Reply::Confirmed(Pending::ClearAnswer(q)) => {
                let record = ctx.current_record();
                let stamp = ctx.stamp();
                let changes = [
                    Change::answer(&record, &q, None, &stamp),
                    Change::note(&record, &q, "", &stamp),
                ];
                ctx.commit(&changes)
            }
            _ => Vec::new(),
        }
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &mut Ctx) {
        self.draw_all(frame, area, ctx);
    }
}
