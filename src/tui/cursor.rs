//! Moving a cursor through rows, written once for every screen and picker.

use super::action::Action;

/// The position after a movement action in `len` rows with pages of `page` rows; other
/// actions leave it where it is.
pub fn moved(pos: usize, len: usize, action: Action, page: usize) -> usize {
    let last = len.saturating_sub(1);
    match action {
        Action::Up => pos.saturating_sub(1),
        Action::Down => pos.saturating_add(1).min(last),
        Action::PageUp => pos.saturating_sub(page.max(1)),
        Action::PageDown => pos.saturating_add(page.max(1)).min(last),
        Action::First => 0,
        Action::Last => last,
        _ => pos.min(last),
    }
}

/// Whether the action moves a cursor.
pub fn is_movement(action: Action) -> bool {
    matches!(
        action,
        Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last
    )
}

/// The first row to draw so that the selected row is on screen.
pub fn scroll_offset(selected: usize, height: usize) -> usize {
    if height == 0 || selected < height {
        0
    } else {
        selected + 1 - height
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_stay_inside() {
        assert_eq!(moved(0, 5, Action::Up, 3), 0);
        assert_eq!(moved(4, 5, Action::Down, 3), 4);
        assert_eq!(moved(1, 5, Action::PageDown, 3), 4);
        assert_eq!(moved(4, 5, Action::PageUp, 3), 1);
        assert_eq!(moved(2, 5, Action::Last, 3), 4);
        assert_eq!(moved(2, 0, Action::Down, 3), 0);
        assert_eq!(scroll_offset(9, 5), 5);
        assert_eq!(scroll_offset(3, 5), 0);
    }
}
