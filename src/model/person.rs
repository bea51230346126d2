//! A person's name in the forms a letter and a screen need: «ноутбук Петровой» (genitive),
//! «Руководителю … А. П. Ивановой» (dative, initials first), «Уважаемая Анна Петровна!».
//! Only forms that are sure are made: a surname whose declension is not certain is left as
//! written, and without a patronymic nobody's gender is guessed.

/// Masculine or feminine, as a patronymic tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
}

/// A full name «Фамилия Имя Отчество», as the registry may give the head of a service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FullName {
    pub surname: String,
    pub first: String,
    pub patronymic: String,
    pub gender: Gender,
}

impl FullName {
    /// Three words, the last a patronymic («…вич», «…ична», «…вна»); None otherwise.
    pub fn parse(text: &str) -> Option<FullName> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let [surname, first, patronymic] = words[..] else {
            return None;
        };
        let gender = if patronymic.ends_with("ич") {
            Gender::Male
        } else if patronymic.ends_with("вна") || patronymic.ends_with("чна") {
            Gender::Female
        } else {
            return None;
        };
        Some(FullName {
            surname: surname.into(),
            first: first.into(),
            patronymic: patronymic.into(),
            gender,
        })
    }

    /// «А. П. Ивановой»: initials, then the surname in the dative; None when the surname's
    /// dative is not certain.
    pub fn dative_with_initials(&self) -> Option<String> {
        let surname = dative_surname(&self.surname, self.gender)?;
        Some(format!("{}\u{a0}{surname}", self.initials()))
    }

    /// «Уважаемая Анна Петровна!»
    pub fn salutation(&self) -> String {
        let dear = match self.gender {
            Gender::Male => "Уважаемый",
            Gender::Female => "Уважаемая",
        };
        format!("{dear} {} {}!", self.first, self.patronymic)
    }

    fn initials(&self) -> String {
        let initial = |w: &str| w.chars().next().map_or(String::new(), |c| format!("{c}."));
        format!(
            "{}\u{a0}{}",
            initial(&self.first),
            initial(&self.patronymic)
        )
    }
}

/// Endings of surnames whose forms are sure, and their replacements.
const FEMININE_GENITIVE: [(&str, &str); 7] = [
    ("ова", "овой"),
    ("ева", "евой"),
    ("ёва", "ёвой"),
    ("ина", "иной"),
    ("ына", "ыной"),
    ("ская", "ской"),
    ("цкая", "цкой"),
];
const MASCULINE_GENITIVE: [(&str, &str); 6] = [
    ("ов", "ова"),
    ("ев", "ева"),
    ("ёв", "ёва"),
    ("ин", "ина"),
    ("ский", "ского"),
    ("цкий", "цкого"),
];
const MASCULINE_DATIVE: [(&str, &str); 6] = [
    ("ов", "ову"),
    ("ев", "еву"),
    ("ёв", "ёву"),
    ("ин", "ину"),
    ("ский", "скому"),
    ("цкий", "цкому"),
];

/// A surname in the dative; feminine surnames of these kinds have the genitive's form.
fn dative_surname(surname: &str, gender: Gender) -> Option<String> {
    match gender {
        Gender::Female => with_ending(surname, &FEMININE_GENITIVE),
        Gender::Male => with_ending(surname, &MASCULINE_DATIVE),
    }
}

fn with_ending(word: &str, endings: &[(&str, &str)]) -> Option<String> {
    let (stem, ending) = endings
        .iter()
        .find_map(|(from, to)| word.strip_suffix(from).map(|stem| (stem, *to)))?;
    // A stem this short is a first name or a word, not a surname sobes can decline.
    (stem.chars().count() >= 2).then(|| format!("{stem}{ending}"))
}

/// A person's name as written («Петрова Б. Б.») with the surname in the genitive, the
/// gender read from the ending («Петрова» → «Петровой», «Иванов» → «Иванова»); None for a
/// surname whose form is not sure («Ким», «Шевченко»).
pub fn genitive_surname(name: &str) -> Option<String> {
    let (surname, rest) = name.split_once(' ').unwrap_or((name, ""));
    let declined = with_ending(surname, &FEMININE_GENITIVE)
        .or_else(|| with_ending(surname, &MASCULINE_GENITIVE))?;
    Some(if rest.is_empty() {
        declined
    } else {
        format!("{declined} {rest}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_take_only_the_forms_that_are_sure() {
        let f = FullName::parse("Иванова Анна Петровна").unwrap();
        assert_eq!(f.gender, Gender::Female);
        assert_eq!(
            f.dative_with_initials().unwrap(),
            "А.\u{a0}П.\u{a0}Ивановой"
        );
        assert_eq!(f.salutation(), "Уважаемая Анна Петровна!");
        let m = FullName::parse("Задорожский Илья Ильич").unwrap();
        assert_eq!(
            m.dative_with_initials().unwrap(),
            "И.\u{a0}И.\u{a0}Задорожскому"
        );
        assert_eq!(m.salutation(), "Уважаемый Илья Ильич!");
        let k = FullName::parse("Ким Олег Петрович").unwrap();
        assert_eq!(k.dative_with_initials(), None);
        assert_eq!(FullName::parse("Иванова А. П."), None);
        assert_eq!(FullName::parse("Иванова Анна"), None);
        assert_eq!(
            genitive_surname("Петрова Б. Б.").as_deref(),
            Some("Петровой Б. Б.")
        );
        assert_eq!(genitive_surname("Ильин").as_deref(), Some("Ильина"));
        assert_eq!(
            genitive_surname("Вишневская О.").as_deref(),
            Some("Вишневской О.")
        );
        assert_eq!(genitive_surname("Задорожная"), None);
        assert_eq!(genitive_surname("Ов"), None);
    }
}
