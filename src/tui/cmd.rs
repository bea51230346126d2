//! What a screen or an overlay asks of the app, a [`Cmd`]: go to a screen ([`Go`], which
//! names a [`Screen`]), go back, show an overlay, or work for the IO layer ([`Effect`]); and
//! [`Ctx::commit`], a change made as the command that saves it.

use super::ctx::{Ctx, Effect};
use super::keymap::Scope;
use super::overlays::Overlay;
use crate::model::change::Change;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    List,
    Interview,
    Clusters,
    Review,
    Preview,
    Conflicts,
    Letter,
    Agreement,
    Changes,
    Levels,
}

impl Screen {
    pub fn scope(self) -> Scope {
        match self {
            Screen::List => Scope::List,
            Screen::Interview => Scope::Interview,
            Screen::Clusters => Scope::Clusters,
            Screen::Review => Scope::Review,
            Screen::Preview => Scope::Preview,
            Screen::Conflicts => Scope::Conflicts,
            Screen::Letter => Scope::Letter,
            Screen::Agreement => Scope::Agreement,
            Screen::Changes => Scope::Changes,
            Screen::Levels => Scope::Levels,
        }
    }

    /// Screens about the selected municipality: moving between them replaces one with the
    /// other rather than stacking, so Esc goes back to where the municipality was chosen.
    pub fn is_municipality(self) -> bool {
        matches!(self, Screen::Interview | Screen::Clusters)
    }
}

/// Where to go, with what the screen opens at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Go {
    List,
    /// The interview of the selected municipality at its first open required question.
    Interview,
    /// The clusters of the selected municipality, at a dimension when given.
    Clusters(Option<usize>),
    Review,
    Preview,
    Conflicts,
    Letter,
    Agreement,
    Changes,
    Levels,
}

impl Go {
    pub fn screen(self) -> Screen {
        match self {
            Go::List => Screen::List,
            Go::Interview => Screen::Interview,
            Go::Clusters(_) => Screen::Clusters,
            Go::Review => Screen::Review,
            Go::Preview => Screen::Preview,
            Go::Conflicts => Screen::Conflicts,
            Go::Letter => Screen::Letter,
            Go::Agreement => Screen::Agreement,
            Go::Changes => Screen::Changes,
            Go::Levels => Screen::Levels,
        }
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
