//! What a screen or an overlay asks of the app, a [`Cmd`]: go to a screen ([`Go`], which
//! names a [`Screen`]), go back, show an overlay, or work for the IO layer ([`Effect`]); and
//! [`Ctx::commit`], a change made as the command that saves it.

use super::ctx::{Ctx, Effect};
use super::keymap::Scope;
use super::overlays::Overlay;
use super::screen_table::with_screens;
use crate::model::change::Change;

/// The screens, one variant per screen of [`with_screens`], and each one's keymap scope.
macro_rules! define_screens {
    ($($variant:ident, $field:ident, $title:literal, $ty:ty, $new:expr);* $(;)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Screen {
            $($variant),*
        }

        impl Screen {
            pub fn scope(self) -> Scope {
                match self {
                    $(Screen::$variant => Scope::$variant),*
                }
            }
        }
    };
}
with_screens!(define_screens);

impl Screen {
    /// Screens about the selected municipality: moving between them replaces one with the
    /// other rather than stacking, so Esc goes back to where the municipality was chosen.
    pub fn is_municipality(self) -> bool {
        matches!(self, Screen::Interview | Screen::Clusters)
    }
}

/// Where to go: a screen, and for the clusters the dimension to open at. The interview opens
/// at the first open required question of the selected municipality.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Go {
    pub screen: Screen,
    pub dimension: Option<usize>,
}

impl Go {
    pub const fn to(screen: Screen) -> Go {
        Go {
            screen,
            dimension: None,
        }
    }

    /// The clusters of the selected municipality, at a dimension when given.
    pub const fn clusters(dimension: Option<usize>) -> Go {
        Go {
            screen: Screen::Clusters,
            dimension,
        }
    }

    pub fn screen(self) -> Screen {
        self.screen
    }
}

/// What a screen or overlay asks of the app.
#[derive(Debug)]
pub enum Cmd {
    Io(Effect),
    Go(Go),
    Back,
    Show(Overlay),
}

impl Ctx {
    /// [`Ctx::apply`] for a screen: the save to run, or the refusal on the status line.
    pub fn commit(&mut self, changes: &[Change]) -> Vec<Cmd> {
        match self.apply(changes) {
            Ok(effect) => vec![Cmd::Io(effect)],
            Err(e) => {
                self.error(e.to_string());
                Vec::new()
            }
        }
    }
}
