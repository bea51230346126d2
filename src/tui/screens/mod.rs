//! The screens. Each is a component in its own file with its own state, `update` and `draw`;
//! they share [`Ctx`] and ask the app for what lies outside them (another screen, an
//! overlay, work for the IO layer) with [`Cmd`]s. A new screen is a new file here and a line
//! in `screen_table.rs`, which makes its module, its field of [`Screens`], its [`Screen`]
//! variant and its keymap scope.

use super::action::Action;
use super::cmd::{Cmd, Go, Screen};
use super::ctx::Ctx;
use super::overlays::Reply;
use super::screen_table::with_screens;
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

/// The screens' modules and the state of each, made and reached by [`Screen`].
macro_rules! define_states {
    ($($variant:ident, $field:ident, $title:literal, $ty:ty, $new:expr);* $(;)?) => {
        $(pub mod $field;)*

        pub struct Screens {
            $(pub $field: $ty),*
        }

        impl Screens {
            pub fn new(ctx: &mut Ctx) -> Screens {
                Screens {
                    $($field: {
                        let make: fn(&mut Ctx) -> $ty = $new;
                        make(ctx)
                    }),*
                }
            }

            pub fn get(&self, screen: Screen) -> &dyn Component {
                match screen {
                    $(Screen::$variant => &self.$field),*
                }
            }

            pub fn get_mut(&mut self, screen: Screen) -> &mut dyn Component {
                match screen {
                    $(Screen::$variant => &mut self.$field),*
                }
            }
        }
    };
}
with_screens!(define_states);
