//! Overlays: boxes over a screen that take every key while open (help, a confirmation, a
//! prompt, a picker). Each lives in its own file; what it was opened for is data
//! ([`Pending`], [`PromptFor`], [`PickFor`]) handed back as a [`Reply`] when it closes.

pub mod confirm;
pub mod help;
pub mod picker;
pub mod prompt;
pub mod text;

use super::action::Action;
use super::ctx::{Ctx, ExportRequest};
use super::filter::ListFilter;
use super::keymap::Scope;
use super::keys::Key;
use crate::annex::Format;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

pub use confirm::Confirm;
pub use help::Help;
pub use picker::Picker;
pub use prompt::Prompt;
pub use text::Text;

/// What a confirmation, once given, goes on to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pending {
    Quit,
    ClearAnswer(String),
    ClearDecision(String),
    ClearRating(String),
    Export(ExportRequest),
    /// Make a hub in this folder and sync with it.
    NewHub(std::path::PathBuf),
    /// Trust this ssh server (add the line to known_hosts) and sync with it.
    TrustHost(std::path::PathBuf, String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptFor {
    Reviewer,
    Hub,
    /// A token for the server hub that refused the login; typed, never shown.
    Token(std::path::PathBuf),
    /// Why this version of a conflicting field is kept: (municipality, conflict, version).
    Resolve(String, usize, usize),
    /// A fact of this year's letter.
    Fact(String),
    /// A monitoring score: (municipality, indicator).
    Score(String, String),
    /// A new value for a conflicting field: (municipality, conflict).
    NewValue(String, usize),
    /// Why that new value: (municipality, conflict, the value as typed).
    ResolveNew(String, usize, String),
    Reason {
        dim: String,
        cluster: u8,
    },
    /// Why this final cluster, when the reviewers chose differently.
    FinalReason {
        dim: String,
        cluster: u8,
    },
    ExportPath(Format, Option<crate::annex::Letters>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PickFor {
    /// Which value to keep of a field changed both here and on disk (`index`: the change).
    Conflict {
        id: String,
        index: usize,
    },
    Section,
    /// The final cluster on a dimension whose reviewers disagree.
    Final(String),
    Filter(Vec<ListFilter>),
    ExportFormat(Vec<(Format, Option<crate::annex::Letters>)>),
}

/// What an overlay hands back when it closes with an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Confirmed(Pending),
    Text(PromptFor, String),
    Picked(PickFor, usize),
}

/// What a key did to an overlay.
#[derive(Debug)]
pub enum Outcome {
    Keep,
    Close,
    Reply(Reply),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    Help(Help),
    Text(Text),
    Confirm(Confirm),
    Prompt(Prompt),
    Picker(Picker),
}

impl Overlay {
    /// `action` is what the keymap makes of the key on the screen below.
    pub fn handle(&mut self, key: &Key, event: &KeyEvent, action: Option<Action>) -> Outcome {
        match self {
            Overlay::Help(h) => h.handle(key, action),
            Overlay::Text(_) => Outcome::Close,
            Overlay::Confirm(c) => c.handle(key),
            Overlay::Prompt(p) => p.handle(event),
            Overlay::Picker(p) => p.handle(key, action),
        }
    }

    /// The status line's keys while this overlay is on top: the screen's own keys do not
    /// work under it, so they are not offered. The last one, the way out, is always shown.
    pub fn hints(&self) -> &'static str {
        match self {
            Overlay::Help(h) => h.hints(),
            Overlay::Text(_) => "любая клавиша закрывает",
            Overlay::Confirm(_) => "y да · n нет",
            Overlay::Prompt(p) => p.hints(),
            Overlay::Picker(_) => "Enter выбрать · ↑/↓ · Esc отменить",
        }
    }

    pub fn paste(&mut self, text: &str) {
        if let Overlay::Prompt(p) = self {
            p.field.paste(text);
        }
    }

    /// `scope`: the keys of the screen below, for help.
    pub fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx, scope: Scope) {
        match self {
            Overlay::Help(h) => h.draw(frame, area, ctx, scope),
            Overlay::Text(t) => t.draw(frame, area),
            Overlay::Confirm(c) => c.draw(frame, area),
            Overlay::Prompt(p) => p.draw(frame, area),
            Overlay::Picker(p) => p.draw(frame, area),
        }
    }
}
