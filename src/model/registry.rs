//! The municipalities of one region.

use super::collate::collation_key;
use super::source::{Origin, SourceError, locate_field, locate_quoted, parse_ron};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Municipality {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub genitive: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The head of the municipality's methodological service, «Фамилия Имя Отчество», when
    /// the registry knows it: a letter is then addressed to the person.
    #[serde(default)]
    pub head: Option<String>,
}

impl Municipality {
    /// The name without its kind suffix («Троицкий» for «Троицкий ГО»).
    /// The name without its kind, written after it («Уйский МР») or before («ГО
    /// Спасск-Дальний»).
    pub fn stem(&self) -> &str {
        self.name
            .strip_suffix(&self.kind)
            .map(str::trim_end)
            .or_else(|| self.name.strip_prefix(&self.kind).map(str::trim_start))
            .filter(|s| !s.is_empty())
            .unwrap_or(&self.name)
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename = "Registry")]
pub struct RegistryFile {
    pub region: String,
    pub kinds: Vec<String>,
    /// The region's standing facts for its letters (its ministry, its institute, the order
    /// that set its model): the template is shared by every region and holds none.
    #[serde(default)]
    pub facts: std::collections::BTreeMap<String, String>,
    pub municipalities: Vec<Municipality>,
}

/// The registry, in Russian alphabetical order of names.
#[derive(Clone, Debug)]
pub struct Registry {
    pub region: String,
    pub kinds: Vec<String>,
    /// The region's standing facts ([`RegistryFile::facts`]).
    pub facts: std::collections::BTreeMap<String, String>,
    pub municipalities: Vec<Municipality>,
    pub origin: Origin,
}

/// A file name must be a plain, short, lowercase Latin id that every laptop can hold:
/// lowercase only (Windows and macOS do not tell case apart), and none of the names Windows
/// keeps for devices, which it refuses with any extension (`con.ron`).
pub fn is_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !id.starts_with('-')
        && !is_reserved_on_windows(id)
}

/// Names Windows gives to devices: `con`, `prn`, `aux`, `nul`, `com0`–`com9`, `lpt0`–`lpt9`.
pub fn is_reserved_on_windows(stem: &str) -> bool {
    let stem = stem.to_ascii_lowercase();
    let stem = stem
        .split('.')
        .next()
        .unwrap_or("")
        .trim_end_matches([' ', '.']);
    matches!(stem, "con" | "prn" | "aux" | "nul")
        || (stem.len() == 4
            && (stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.as_bytes()[3].is_ascii_digit())
}

impl Registry {
    pub fn parse(text: &str, origin: Origin) -> Result<Registry, Vec<SourceError>> {
        let file: RegistryFile = parse_ron(text, &origin).map_err(|e| vec![e])?;
        let mut problems = Vec::new();
        let at = |id: &str, nth: usize, msg: String| {
            let (line, col) = locate_field(text, "id", id, nth);
            SourceError::new(origin.clone(), line, col, msg)
        };
        let mut seen_ids = std::collections::HashMap::new();
        for m in &file.municipalities {
            let n = seen_ids.entry(m.id.clone()).or_insert(0usize);
            if *n == 1 {
                problems.push(at(&m.id, 1, format!("id «{}» встречается дважды", m.id)));
            }
            *n += 1;
            if !is_safe_id(&m.id) {
                problems.push(at(
                    &m.id,
                    0,
                    format!(
                        "id «{}» не годится как имя файла: нужны строчные латинские буквы, цифры, «-» или «_», и не имя устройства Windows (con, prn, aux, nul, com1, lpt1 …)",
                        m.id
                    ),
                ));
            }
            if !file.kinds.contains(&m.kind) {
                problems.push(at(
                    &m.id,
                    0,
                    format!(
                        "у «{}» вид «{}», а в kinds есть только {:?}",
                        m.name, m.kind, file.kinds
                    ),
                ));
            }
        }
        problems.extend(alias_collisions(&file.municipalities, text, &origin));
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut municipalities = file.municipalities;
        municipalities.sort_by_cached_key(|m| collation_key(&m.name));
        Ok(Registry {
            region: file.region,
            kinds: file.kinds,
            facts: file.facts,
            municipalities,
            origin,
        })
    }

    pub fn builtin() -> Registry {
        Registry::parse(
            include_str!("../../data/municipalities.ron"),
            Origin::Builtin("data/municipalities.ron"),
        )
        .expect("the built-in registry is valid")
    }

    pub fn get(&self, id: &str) -> Option<&Municipality> {
        self.municipalities.iter().find(|m| m.id == id)
    }

    /// Every id, in registry order.
    pub fn ids(&self) -> Vec<&str> {
        self.municipalities.iter().map(|m| m.id.as_str()).collect()
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.municipalities.iter().position(|m| m.id == id)
    }

    pub fn len(&self) -> usize {
        self.municipalities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.municipalities.is_empty()
    }
}

/// Every name, alias and genitive form must point at one municipality only.
fn alias_collisions(list: &[Municipality], text: &str, origin: &Origin) -> Vec<SourceError> {
    use super::collate::fold;
    let mut owner: std::collections::HashMap<String, &Municipality> = Default::default();
    let mut problems = Vec::new();
    for m in list {
        let forms = std::iter::once(&m.name)
            .chain(std::iter::once(&m.genitive))
            .chain(m.aliases.iter());
        for form in forms {
            let key = fold(form);
            match owner.get(&key) {
                Some(other) if other.id != m.id => {
                    let (line, col) = locate_quoted(text, form, 0);
                    problems.push(SourceError::new(
                        origin.clone(),
                        line,
                        col,
                        format!(
                            "имя «{form}» указывает и на «{}», и на «{}»",
                            other.name, m.name
                        ),
                    ));
                }
                _ => {
                    owner.insert(key, m);
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_has_all_and_sorted() {
        let r = Registry::builtin();
        assert_eq!(r.len(), 43);
        assert_eq!(
            r.municipalities.iter().filter(|m| m.kind == "ГО").count(),
            16
        );
        let names: Vec<_> = r.municipalities.iter().map(|m| m.name.as_str()).collect();
        let tr = names.iter().position(|n| *n == "Трёхгорный ГО").unwrap();
        let tro = names.iter().position(|n| *n == "Троицкий ГО").unwrap();
        assert!(tr < tro);
        assert_eq!(names[0], "Агаповский МР");
    }

    #[test]
    fn alias_collision_named_with_line() {
        let text = "Registry(region: \"X\", kinds: [\"ГО\"], municipalities: [\n (id: \"a\", name: \"А ГО\", kind: \"ГО\", genitive: \"А ГО\", aliases: [\"Город\"]),\n (id: \"b\", name: \"Б ГО\", kind: \"ГО\", genitive: \"Б ГО\", aliases: [\"город\"]),\n])";
        let errs = Registry::parse(text, Origin::Builtin("t")).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 3);
        assert!(errs[0].message.contains("«А ГО»"), "{}", errs[0]);
    }

    #[test]
    fn unsafe_id_refused() {
        let text = "Registry(region: \"X\", kinds: [\"ГО\"], municipalities: [(id: \"../x\", name: \"А ГО\", kind: \"ГО\", genitive: \"А ГО\")])";
        let errs = Registry::parse(text, Origin::Builtin("t")).unwrap_err();
        assert!(errs[0].message.contains("имя файла"));
    }
}
