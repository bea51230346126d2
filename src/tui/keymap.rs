//! Keymaps as data: per-screen maps of key → action, built-ins in `keymaps/`, a user file
//! merged over the chosen one key by key.

use super::action::Action;
use super::keys::{Code, Key};
use super::screen_table::with_screens;
use crate::data::read_file;
use crate::model::collate::{latin_to_russian_layout, russian_to_latin_layout};
use crate::model::source::{Origin, SourceError, locate_quoted, parse_ron};
use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use std::path::Path;

/// The keymap scopes: `Global` and one per screen of [`with_screens`], in its order.
macro_rules! define_scopes {
    ($($variant:ident, $field:ident, $title:literal, $ty:ty, $new:expr);* $(;)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Scope {
            Global,
            $($variant),*
        }

        impl Scope {
            pub const ALL: &[Scope] = &[Scope::Global, $(Scope::$variant),*];

            /// The sections a keymap file may have, in [`Scope::ALL`]'s order.
            const FIELDS: &[&str] = &["global", $(stringify!($field)),*];

            /// The section of the keymap files.
            pub fn field(self) -> &'static str {
                Scope::FIELDS[self as usize]
            }

            /// The heading in help.
            pub fn title(self) -> &'static str {
                match self {
                    Scope::Global => "Везде",
                    $(Scope::$variant => $title),*
                }
            }
        }
    };
}
with_screens!(define_scopes);

impl Scope {
    fn from_field(field: &str) -> Option<Scope> {
        Scope::ALL.iter().copied().find(|s| s.field() == field)
    }
}

/// Bindings in file order; a key given twice is an error raised while parsing, so that RON
/// reports its position.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bindings(pub Vec<(Key, Action)>);

impl<'de> Deserialize<'de> for Bindings {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Bindings;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("словарь { \"клавиша\": Действие }")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Bindings, A::Error> {
                let mut out: Vec<(Key, Action)> = Vec::new();
                while let Some((k, a)) = map.next_entry::<Key, Action>()? {
                    if out.iter().any(|(seen, _)| *seen == k) {
                        return Err(serde::de::Error::custom(format!(
                            "клавиша «{k}» назначена дважды"
                        )));
                    }
                    out.push((k, a));
                }
                Ok(Bindings(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A keymap file: its sections by scope, in file order. A section that names no screen is an
/// error at its position (a misspelt section would otherwise bind nothing, silently).
#[derive(Debug, Default)]
struct KeymapFile(Vec<(Scope, Bindings)>);

impl KeymapFile {
    fn scope(&self, s: Scope) -> &Bindings {
        static EMPTY: Bindings = Bindings(Vec::new());
        self.0
            .iter()
            .find(|(scope, _)| *scope == s)
            .map_or(&EMPTY, |(_, b)| b)
    }
}

impl<'de> Deserialize<'de> for KeymapFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeymapFile;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("Keymap(раздел: { \"клавиша\": Действие }, …)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeymapFile, A::Error> {
                let mut out: Vec<(Scope, Bindings)> = Vec::new();
                while let Some(field) = map.next_key::<String>()? {
                    let Some(scope) = Scope::from_field(&field) else {
                        return Err(serde::de::Error::custom(format!(
                            "нет раздела «{field}»; есть: {}",
                            Scope::FIELDS.join(", ")
                        )));
                    };
                    if out.iter().any(|(s, _)| *s == scope) {
                        return Err(serde::de::Error::custom(format!("раздел «{field}» дважды")));
                    }
                    out.push((scope, map.next_value()?));
                }
                Ok(KeymapFile(out))
            }
        }
        d.deserialize_struct("Keymap", Scope::FIELDS, V)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    pub name: String,
    maps: Vec<(Scope, Bindings)>,
}

pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../keymaps/default.ron")),
    ("vim", include_str!("../../keymaps/vim.ron")),
];

fn parse_file(text: &str, origin: &Origin) -> Result<KeymapFile, SourceError> {
    let file: KeymapFile = parse_ron(text, origin)?;
    for scope in &Scope::ALL[1..] {
        for (key, action) in &file.scope(*scope).0 {
            if let Some((_, global)) = file.scope(Scope::Global).0.iter().find(|(k, _)| k == key)
                && global != action
            {
                let after = text.find(&format!("{}:", scope.field())).unwrap_or(0);
                let (line, col) = locate_quoted(&text[after..], &key.to_string(), 0);
                let line_offset = text[..after].matches('\n').count();
                return Err(SourceError::new(
                    origin.clone(),
                    line + line_offset,
                    col,
                    format!(
                        "клавиша «{key}» в {} ({action:?}) спорит с общей ({global:?}) в global",
                        scope.field()
                    ),
                ));
            }
        }
    }
    Ok(file)
}

impl Keymap {
    fn from_file(name: &str, file: KeymapFile) -> Keymap {
        Keymap {
            name: name.to_string(),
            maps: Scope::ALL
                .iter()
                .map(|s| (*s, file.scope(*s).clone()))
                .collect(),
        }
    }

    pub fn builtin(name: &str) -> Option<Keymap> {
        let (n, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        let file = parse_file(text, &Origin::Builtin("keymaps")).expect("built-in keymap is valid");
        Some(Keymap::from_file(n, file))
    }

    /// `choice` is a built-in name or a file; the user file, if it exists, is merged over it.
    pub fn load(choice: Option<&str>, user_file: Option<&Path>) -> Result<Keymap, SourceError> {
        let choice = choice.unwrap_or("default");
        let mut map = match Keymap::builtin(choice) {
            Some(m) => m,
            None => {
                let path = Path::new(choice);
                if !path.exists() {
                    let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                    return Err(SourceError::whole(
                        Origin::File(path.to_path_buf()),
                        format!(
                            "нет такой раскладки или файла; встроенные: {}",
                            names.join(", ")
                        ),
                    ));
                }
                let text = read_file(path)?;
                Keymap::from_file(choice, parse_file(&text, &Origin::from(path))?)
            }
        };
        if let Some(path) = user_file.filter(|p| p.exists()) {
            let text = read_file(path)?;
            let user = parse_file(&text, &Origin::from(path))?;
            map.merge(&user);
            map.name = format!("{} + {}", map.name, path.display());
        }
        Ok(map)
    }

    fn merge(&mut self, over: &KeymapFile) {
        for (scope, bindings) in &mut self.maps {
            for (key, action) in &over.scope(*scope).0 {
                match bindings.0.iter_mut().find(|(k, _)| k == key) {
                    Some(slot) => slot.1 = *action,
                    None => bindings.0.push((*key, *action)),
                }
            }
        }
    }

    pub fn bindings(&self, scope: Scope) -> &[(Key, Action)] {
        self.maps
            .iter()
            .find(|(s, _)| *s == scope)
            .map_or(&[], |(_, b)| b.0.as_slice())
    }

    /// The action of a key on a screen: the screen's map first, then the global one. A key
    /// of the Russian layout with no binding of its own acts as the key in the same place
    /// of the Latin layout (`ь` as `m`), so commands work whatever layout is on.
    pub fn action(&self, scope: Scope, key: &Key) -> Option<Action> {
        self.bound(scope, key).or_else(|| {
            let Code::Char(c) = key.code else {
                return None;
            };
            let latin = russian_to_latin_layout(c)?;
            self.bound(
                scope,
                &Key {
                    code: Code::Char(latin),
                    ..*key
                },
            )
        })
    }

    fn bound(&self, scope: Scope, key: &Key) -> Option<Action> {
        [scope, Scope::Global].iter().find_map(|s| {
            self.bindings(*s)
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, a)| *a)
        })
    }

    /// The key of the Russian layout that does what `key` does on this screen, for help to
    /// show beside it («m / ь»); None when that key is bound to something of its own.
    pub fn russian_twin(&self, scope: Scope, key: &Key) -> Option<Key> {
        let Code::Char(c) = key.code else {
            return None;
        };
        if key.ctrl || key.alt {
            return None;
        }
        let twin = latin_to_russian_layout(c);
        let twin = if c.is_ascii_uppercase() {
            twin.to_uppercase().next()?
        } else {
            twin
        };
        let twin = Key {
            code: Code::Char(twin),
            ..*key
        };
        (twin != *key && self.bound(scope, &twin).is_none()).then_some(twin)
    }

    /// The keys bound to an action on a screen (screen map first), for help and hints.
    pub fn keys_for(&self, scope: Scope, action: Action) -> Vec<Key> {
        let mut keys: Vec<Key> = Vec::new();
        for s in [scope, Scope::Global] {
            for (k, a) in self.bindings(s) {
                if *a == action && self.action(scope, k) == Some(action) && !keys.contains(k) {
                    keys.push(*k);
                }
            }
        }
        keys
    }

    /// Actions of a screen and their keys, in the order of the action list.
    pub fn help(&self, scope: Scope) -> Vec<(Action, Vec<Key>)> {
        let mut actions: Vec<Action> = [scope, Scope::Global]
            .iter()
            .flat_map(|s| self.bindings(*s).iter().map(|(_, a)| *a))
            .collect();
        actions.sort();
        actions.dedup();
        actions
            .into_iter()
            .map(|a| (a, self.keys_for(scope, a)))
            .filter(|(_, keys)| !keys.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key::parse(s).unwrap()
    }

    #[test]
    fn builtins_parse_and_quit_is_everywhere() {
        for (name, _) in BUILTIN {
            let m = Keymap::builtin(name).unwrap();
            for &scope in Scope::ALL {
                assert_eq!(
                    m.action(scope, &key("ctrl-c")),
                    Some(Action::Quit),
                    "{name}"
                );
                assert_eq!(m.action(scope, &key("?")), Some(Action::Help), "{name}");
            }
            assert_eq!(m.action(Scope::List, &key("q")), Some(Action::Quit));
            assert_eq!(m.action(Scope::List, &key("/")), Some(Action::Search));
        }
        let vim = Keymap::builtin("vim").unwrap();
        assert_eq!(vim.action(Scope::List, &key("j")), Some(Action::Down));
        assert_eq!(vim.action(Scope::List, &key("G")), Some(Action::Last));
    }

    /// Staff keep the Russian layout on: every letter or sign bound in a built-in keymap acts
    /// the same when typed with the key in the same place of the Russian layout (`ь` as `m`,
    /// `Л` as `K`, `,` as `?`), on every screen; no built-in binds a Russian letter that would
    /// take that place from a Latin command.
    #[test]
    fn every_letter_key_works_in_both_layouts() {
        // The key's place in the Russian layout; signs are not in the letters' table.
        let twin = |c: char| match c {
            '/' => Some('.'),
            '?' => Some(','),
            _ => {
                let r = latin_to_russian_layout(c);
                let r = if c.is_ascii_uppercase() {
                    r.to_uppercase().next()?
                } else {
                    r
                };
                (r != c).then_some(r)
            }
        };
        let mut checked = 0;
        for (name, _) in BUILTIN {
            let m = Keymap::builtin(name).unwrap();
            for &scope in Scope::ALL {
                for (k, _) in m.bindings(scope).iter().chain(m.bindings(Scope::Global)) {
                    let Code::Char(c) = k.code else { continue };
                    let Some(r) = twin(c).filter(|_| !k.ctrl && !k.alt) else {
                        continue;
                    };
                    let typed = Key {
                        code: Code::Char(r),
                        ..*k
                    };
                    assert_eq!(
                        m.action(scope, &typed),
                        m.action(scope, k),
                        "{name}, {scope:?}: «{c}» and «{r}» in its place"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 50, "{checked}");
    }

    fn load_text(text: &str) -> Result<Keymap, SourceError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.ron");
        std::fs::write(&path, text).unwrap();
        Keymap::load(Some(path.to_str().unwrap()), None)
    }

    #[test]
    fn errors_name_line_and_key() {
        let e = load_text("Keymap(\n  list: {\n    \"up\": Up,\n    \"q\": Leave,\n  },\n)")
            .unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        assert!(e.message.contains("Leave"), "{e}");

        let e =
            load_text("Keymap(\n  list: {\n    \"ctrl-q\": Quit,\n    \"cntrl-x\": Up,\n  },\n)")
                .unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        assert!(e.message.contains("cntrl-x"), "{e}");

        let e =
            load_text("Keymap(\n  list: {\n    \"j\": Down,\n    \"j\": Up,\n  },\n)").unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        assert!(e.message.contains("«j» назначена дважды"), "{e}");

        // A section that names no screen binds nothing: said, with the sections there are.
        let e = load_text("Keymap(\n  list: { \"x\": Up },\n  lsit: {\n    \"y\": Down,\n  },\n)")
            .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(
            e.message
                .contains("нет раздела «lsit»; есть: global, list, interview"),
            "{e}"
        );

        let e =
            load_text("Keymap(\n  global: { \"x\": Help },\n  list: {\n    \"x\": Quit,\n  },\n)")
                .unwrap_err();
        assert_eq!((e.line, e.col), (4, 5), "{e}");
        assert!(e.message.contains("спорит"), "{e}");
        assert!(e.to_string().contains("k.ron:4:5:"), "{e}");
    }

    #[test]
    fn user_file_merges_key_by_key() {
        let dir = tempfile::tempdir().unwrap();
        let user = dir.path().join("keymap.ron");
        std::fs::write(&user, "Keymap(list: { \"x\": Review, \"r\": Filter })").unwrap();
        let m = Keymap::load(Some("default"), Some(&user)).unwrap();
        assert_eq!(m.action(Scope::List, &key("x")), Some(Action::Review));
        assert_eq!(m.action(Scope::List, &key("r")), Some(Action::Filter));
        assert_eq!(m.action(Scope::List, &key("down")), Some(Action::Down));
        let missing = Keymap::load(Some("emacs"), None).unwrap_err();
        assert!(missing.message.contains("default, vim"));
    }
}
