//! Russian text: folding for comparison, alphabetical order, and the form of a noun after a
//! number.

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

/// Text as a person meant it: Cyrillic letters written as a letter and a combining mark
/// (NFD) joined (й, ё), zero-width and direction marks dropped, and Latin look-alike letters
/// inside an otherwise Cyrillic word read as the Cyrillic ones («Кoпейский» with a Latin o).
pub fn unmangle(text: &str) -> String {
    let words: Vec<String> = text
        .split(' ')
        .map(|word| {
            let cyrillic = word
                .chars()
                .any(|c| matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё'));
            if cyrillic {
                word.chars().map(latin_look_alike).collect()
            } else {
                word.to_string()
            }
        })
        .collect();
    let mut out = String::with_capacity(text.len());
    for c in words.join(" ").chars() {
        match c {
            '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}' => {}
            '\u{0306}' | '\u{0308}' => {
                let composed = match (out.pop(), c) {
                    (Some('и'), '\u{0306}') => Some('й'),
                    (Some('И'), '\u{0306}') => Some('Й'),
                    (Some('е'), '\u{0308}') => Some('ё'),
                    (Some('Е'), '\u{0308}') => Some('Ё'),
                    (prev, _) => {
                        out.extend(prev);
                        None
                    }
                };
                out.extend(composed);
            }
            c => out.push(c),
        }
    }
    out
}

/// The Cyrillic letter a Latin one looks like, else the char itself.
fn latin_look_alike(c: char) -> char {
    const LATIN: &str = "aceopxykmthbABCEHKMOPTXY";
    const CYRILLIC: &str = "асеорхукмтнвАВСЕНКМОРТХУ";
    LATIN
        .chars()
        .position(|l| l == c)
        .and_then(|i| CYRILLIC.chars().nth(i))
        .unwrap_or(c)
}

/// Text safe to print on a terminal: control characters (escape sequences, the bell, C1
/// codes, DEL) shown as `\u{1b}`; line breaks and tabs stay.
pub fn escape_controls(text: &str) -> String {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return text.to_string();
    }
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c.to_string(),
            c if c.is_control() => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
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

/// The form of a Russian noun after the number `n`: index 0 for 1, 21, …; 1 for 2–4, 22–24,
/// …; 2 for 0, 5–20, 25–30, ….
pub fn plural_index(n: usize) -> usize {
    let (d, h) = (n % 10, n % 100);
    if d == 1 && h != 11 {
        0
    } else if (2..=4).contains(&d) && !(12..=14).contains(&h) {
        1
    } else {
        2
    }
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
    fn controls_are_shown_not_obeyed() {
        assert_eq!(escape_controls("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape_controls("x\u{7}\u{9b}y"), "x\\u{7}\\u{9b}y");
        assert_eq!(escape_controls("строка\nи\tтаб"), "строка\nи\tтаб");
    }

    #[test]
    fn mangled_text_is_read_as_meant() {
        assert_eq!(unmangle("Кoпейский"), "Копейский");
        assert_eq!(unmangle("Уи\u{0306}скии\u{0306}"), "Уйский");
        assert_eq!(unmangle("Трe\u{0308}хгорный"), "Трёхгорный");
        assert_eq!(unmangle("Уйс\u{200B}кий\u{200F}"), "Уйский");
        assert_eq!(unmangle("xtkz"), "xtkz", "a Latin word stays Latin");
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

    #[test]
    fn plural_forms() {
        let got: Vec<usize> = [0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111, 43]
            .iter()
            .map(|n| plural_index(*n))
            .collect();
        assert_eq!(got, [2, 0, 1, 1, 2, 2, 2, 2, 0, 1, 2, 0, 2, 1]);
    }
}
