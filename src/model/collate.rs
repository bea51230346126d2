//! Russian text: folding for comparison and alphabetical order.

use std::cmp::Ordering;

/// Lowercase one char, keeping one char per char so that match indices stay valid.
pub fn lower_char(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Lowercase, ё folded to е: the form in which names are compared.
pub fn fold_char(c: char) -> char {
    match lower_char(c) {
        'ё' => 'е',
        other => other,
    }
}

/// Folded text with runs of white space (and the dash variants) normalised.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.trim().chars() {
        let c = match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c => c,
        };
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(fold_char(c));
    }
    out
}

/// A sort key in Russian alphabetical order: ё sorts with е; only as a tie-break does ё
/// come after е; then the text itself, so that the order is total.
pub fn collation_key(s: &str) -> (Vec<char>, Vec<(bool, char)>, String) {
    (
        s.chars().map(fold_char).collect(),
        s.chars()
            .map(|c| (lower_char(c) == 'ё', lower_char(c)))
            .collect(),
        s.to_string(),
    )
}

/// Russian alphabetical order, see [`collation_key`].
pub fn russian_cmp(a: &str, b: &str) -> Ordering {
    collation_key(a).cmp(&collation_key(b))
}

/// The Russian letter on the same key of a ЙЦУКЕН keyboard as an ASCII char typed in the
/// Latin layout.
pub fn latin_to_russian_layout(c: char) -> char {
    const LATIN: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
    const RUSSIAN: &str = "йцукенгшщзхъфывапролджэячсмитьбюё";
    let lower = c.to_ascii_lowercase();
    match LATIN.chars().position(|l| l == lower) {
        Some(i) => RUSSIAN.chars().nth(i).unwrap_or(c),
        None => c,
    }
}

/// The char the same key gives in the Latin layout, for a char typed in the Russian one:
/// `ь` → `m`, `Ь` → `M`, `.` → `/`, `,` → `?`. None for a char of no such key.
pub fn russian_to_latin_layout(c: char) -> Option<char> {
    const LATIN: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
    const SHIFTED: &str = "QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>~";
    const RUSSIAN: &str = "йцукенгшщзхъфывапролджэячсмитьбюё";
    match c {
        '.' => return Some('/'),
        ',' => return Some('?'),
        _ => {}
    }
    let lower = c.to_lowercase().next()?;
    let i = RUSSIAN.chars().position(|r| r == lower)?;
    let table = if lower == c { LATIN } else { SHIFTED };
    table.chars().nth(i)
}

pub fn to_russian_layout(text: &str) -> String {
    text.chars().map(latin_to_russian_layout).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yo_sorts_with_ye() {
        let mut v = vec!["Троицкий ГО", "Трёхгорный ГО", "Ёмкий", "Агаповский МР"];
        v.sort_by(|a, b| russian_cmp(a, b));
        assert_eq!(
            v,
            ["Агаповский МР", "Ёмкий", "Трёхгорный ГО", "Троицкий ГО"]
        );
        assert_eq!(russian_cmp("ель", "ёль"), Ordering::Less);
    }

    #[test]
    fn russian_keys_read_as_latin() {
        assert_eq!(russian_to_latin_layout('ь'), Some('m'));
        assert_eq!(russian_to_latin_layout('Ь'), Some('M'));
        assert_eq!(russian_to_latin_layout('й'), Some('q'));
        assert_eq!(russian_to_latin_layout('х'), Some('['));
        assert_eq!(russian_to_latin_layout('Ж'), Some(':'));
        assert_eq!(russian_to_latin_layout('.'), Some('/'));
        assert_eq!(russian_to_latin_layout('q'), None);
        for c in "qwertyuiopasdfghjklzxcvbnm".chars() {
            assert_eq!(russian_to_latin_layout(latin_to_russian_layout(c)), Some(c));
        }
    }

    #[test]
    fn fold_normalises() {
        assert_eq!(fold("  Трёхгорный\t  ГО "), "трехгорный го");
        assert_eq!(fold("Усть\u{2013}Катавский"), "усть-катавский");
    }

    #[test]
    fn layout() {
        assert_eq!(to_russian_layout("xtkz"), "челя");
        assert_eq!(to_russian_layout("Nhj"), "тро");
    }
}
