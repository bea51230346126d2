//! The screens. Each is a component in its own file with its own state, `update` and `draw`;
//! they share [`Ctx`] and ask the app for what lies outside them (another screen, an
//! overlay, work for the IO layer) with [`Cmd`]s. A new screen is a new file, a field of
//! [`Screens`] here, a [`Screen`] variant (in `cmd.rs`) and its keymap scope.

pub mod agreement;
pub mod changes;
pub mod clusters;
pub mod conflicts;
pub mod interview;
pub mod letter;
pub mod levels;
pub mod list;
pub mod preview;
pub mod review;

use super::action::Action;
use super::cmd::{Cmd, Go, Screen};
use super::ctx::Ctx;
use super::overlays::Reply;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

pub trait Component {
    /// The title bar's words for this screen.
    fn title(&self, ctx: &Ctx) -> String;
    /// The actions the status line offers, in order.
    fn hints(&self, ctx: &Ctx) -> &'static [Action];
    /// The status line while a text field has the focus (its keys are not in the keymap).
    fn field_hints(&self) -> Option<&'static str> {
        None
    }
    /// The screen is opened (`Some`) or returned to (`None`).
    fn enter(&mut self, _ctx: &mut Ctx, _go: Option<Go>) {}
    /// A key for a focused text field, before the keymap: `Some` when the field took it.
    fn field_key(&mut self, _ctx: &mut Ctx, _event: &KeyEvent) -> Option<Vec<Cmd>> {
        None
    }
    fn paste(&mut self, _ctx: &mut Ctx, _text: &str) {}
    /// Before quitting: saves what is typed in a text field, or says why it cannot be.
    fn flush(&mut self, _ctx: &mut Ctx) -> Result<Vec<Cmd>, String> {
        Ok(Vec::new())
    }
    /// Whether the action needs every record (a large campaign still loading is then
    /// waited for).
    fn needs_records(&self, _action: Action) -> bool {
        true
    }
    fn update(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd>;
    /// An answer from an overlay this screen opened.
    fn reply(&mut self, _ctx: &mut Ctx, _reply: Reply) -> Vec<Cmd> {
        Vec::new()
    }
    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &mut Ctx);
}

pub struct Screens {
    pub list: list::List,
    pub interview: interview::Interview,
    pub clusters: clusters::Clusters,
    pub review: review::Review,
    pub preview: preview::Preview,
    pub conflicts: conflicts::Conflicts,
    pub letter: letter::Letter,
    pub agreement: agreement::Agreement,
    pub changes: changes::Changes,
    pub levels: levels::Levels,
}

impl Screens {
    pub fn new(ctx: &mut Ctx) -> Screens {
        Screens {
            list: list::List::new(ctx),
            interview: interview::Interview::new(&ctx.data),
            clusters: clusters::Clusters::default(),
            review: review::Review::default(),
            preview: preview::Preview::default(),
            conflicts: conflicts::Conflicts::default(),
            letter: letter::Letter::default(),
            agreement: agreement::Agreement::default(),
            changes: changes::Changes::default(),
            levels: levels::Levels::default(),
        }
    }

    pub fn get(&self, screen: Screen) -> &dyn Component {
        match screen {
            Screen::List => &self.list,
            Screen::Interview => &self.interview,
            Screen::Clusters => &self.clusters,
            Screen::Review => &self.review,
            Screen::Preview => &self.preview,
            Screen::Conflicts => &self.conflicts,
            Screen::Letter => &self.letter,
            Screen::Agreement => &self.agreement,
            Screen::Changes => &self.changes,
            Screen::Levels => &self.levels,
        }
    }

    pub fn get_mut(&mut self, screen: Screen) -> &mut dyn Component {
        match screen {
            Screen::List => &mut self.list,
            Screen::Interview => &mut self.interview,
            Screen::Clusters => &mut self.clusters,
            Screen::Review => &mut self.review,
            Screen::Preview => &mut self.preview,
            Screen::Conflicts => &mut self.conflicts,
            Screen::Letter => &mut self.letter,
            Screen::Agreement => &mut self.agreement,
            Screen::Changes => &mut self.changes,
            Screen::Levels => &mut self.levels,
        }
    }
}
