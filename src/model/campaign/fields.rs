//! The campaign's fields as typed: the settings and the facts of the letter there are, with
//! what each is, and how a date, a year, a period of plans, a person's name and a list of
//! reviewers are read and shown. What the campaign keeps is checked here, where it is typed.

pub(super) const TITLE: &str = "title";
pub(super) const REVIEWERS: &str = "reviewers";
pub(super) const OPEN_REVIEW: &str = "open_review";
pub(super) const START: &str = "start";
pub const PREVIOUS: &str = "previous";
pub(super) const END: &str = "end";

/// The campaign's settings besides the letter's facts, with what each is.
pub const SETTINGS: &[(&str, &str)] = &[
    (TITLE, "название кампании"),
    (START, "первый день собеседований (ДД.ММ.ГГГГ)"),
    (END, "последний день собеседований (ДД.ММ.ГГГГ)"),
    (
        PREVIOUS,
        "папка прошлогодней кампании, с которой сравнивать",
    ),
    (
        REVIEWERS,
        "рецензенты через «;»; с двумя и более каждый ставит свой кластер, затем — окончательное решение",
    ),
    (
        OPEN_REVIEW,
        "«да» — рецензенты видят чужие кластеры сразу; «нет» (по умолчанию) — только после своего",
    ),
];

/// The facts a letter needs, with what each is; a missing one prints as a blank to fill.
pub const FACTS: &[(&str, &str)] = &[
    ("letter_number", "номер письма Министерства"),
    ("letter_date", "дата письма (ДД.ММ.ГГГГ)"),
    (
        "program_letter",
        "письмо, которым доведена программа собеседования («от … № …»)",
    ),
    (
        "monitoring_year",
        "год мониторинга, с которым сопоставлены итоги",
    ),
    ("plan_year", "год, на который составляются планы («2023»)"),
    ("plan_next_year", "следующий год, на перспективу («2024»)"),
    ("plan_period", "период планов («2023–2024»)"),
    (
        "deadline_active_regulation",
        "срок: положение о региональном методическом активе",
    ),
    (
        "deadline_consulting",
        "срок: методический консалтинг по дорожным картам",
    ),
    (
        "deadline_site_section",
        "срок: раздел сайта для регионального актива",
    ),
    (
        "deadline_mms_internships",
        "срок: график стажировок руководителей ММС",
    ),
    (
        "deadline_council",
        "срок: совет руководителей ММС и план его работы",
    ),
    (
        "deadline_other_regions",
        "срок: план стажировок в других субъектах РФ",
    ),
    (
        "deadline_courses",
        "срок: курсы повышения квалификации для команд ММС",
    ),
    (
        "deadline_meetings",
        "срок: план информационно-методических совещаний",
    ),
    ("deadline_roadmap", "срок: дорожные карты муниципалитетов"),
    (
        "deadline_active_plan",
        "срок: нормативная база и план муниципального актива",
    ),
    (
        "ministry",
        "Министерство в родительном падеже («Министерства образования и науки …»)",
    ),
    ("institute", "институт, полное название"),
    ("institute_short", "институт, краткое название"),
    (
        "region_genitive",
        "регион в родительном падеже («Челябинской области»)",
    ),
    (
        "model_order",
        "приказ, которым утверждена модель методической работы, в творительном падеже («приказом Министерства от … № …»)",
    ),
    (
        "signer_position",
        "должность подписывающего письма муниципалитетам («Ректор ГБУ ДПО ЧИППКРО»)",
    ),
    (
        "signer_name",
        "подписывающий письма муниципалитетам: инициалы и фамилия",
    ),
    (
        "institute_address",
        "бланк письма муниципалитетам: почтовый адрес института",
    ),
    (
        "institute_contacts",
        "бланк письма муниципалитетам: телефон и e-mail института",
    ),
    (
        "outgoing_number",
        "исходящий номер писем института муниципалитетам",
    ),
    (
        "outgoing_date",
        "дата писем института муниципалитетам (ДД.ММ.ГГГГ)",
    ),
    (
        "executor",
        "исполнитель писем муниципалитетам: фамилия, инициалы, телефон",
    ),
    (
        "monitoring_order",
        "приказ, которым утверждены итоги мониторинга, в творительном падеже («приказом Министерства от … № …»)",
    ),
];

/// Facts that stay with the people, not the year: a new campaign made after last year's
/// takes them from it (shown, to confirm); the letter's number, date, deadlines and years
/// are this year's own and never carry.
pub const STANDING_FACTS: &[&str] = &[
    "ministry",
    "institute",
    "institute_short",
    "region_genitive",
    "model_order",
    "signer_position",
    "signer_name",
    "institute_address",
    "institute_contacts",
    "executor",
];

/// How a missing fact reads in the letter: a blank to fill in by hand, never a stale value.
pub const BLANK: &str = "____";

/// A setting's or a fact's Russian name, for messages.
pub fn field_name(key: &str) -> String {
    SETTINGS
        .iter()
        .chain(FACTS)
        .find(|(k, _)| *k == key)
        // The description up to what explains it: «дата письма (ДД.ММ.ГГГГ)», «рецензенты
        // через «;»; с двумя и более …».
        .map(|(_, what)| {
            what.split([';', '('])
                .next()
                .unwrap_or(what)
                .trim_end_matches([' ', '«', '»'])
                .trim_end_matches(" через")
                .to_string()
        })
        .unwrap_or_else(|| key.to_string())
}

/// What a fact holds, for checking it where it is typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactKind {
    Date,
    Year,
    Period,
    Text,
}

pub fn fact_kind(key: &str) -> FactKind {
    match key {
        "letter_date" | "outgoing_date" => FactKind::Date,
        "plan_year" | "plan_next_year" | "monitoring_year" => FactKind::Year,
        "plan_period" => FactKind::Period,
        _ => FactKind::Text,
    }
}

/// A date typed as ДД.ММ.ГГГГ (or as stored, ГГГГ-ММ-ДД).
pub fn parse_date(value: &str) -> Result<jiff::civil::Date, String> {
    jiff::civil::Date::strptime("%d.%m.%Y", value.trim())
        .or_else(|_| value.trim().parse::<jiff::civil::Date>())
        .map_err(|_| match no_such_day(value.trim()) {
            Some(why) => format!("такой даты нет: {why} («{value}»)"),
            None => format!("ожидалась дата ДД.ММ.ГГГГ (например, 14.09.2026), а не «{value}»"),
        })
}

/// For a date typed in the right form that the calendar does not have (31.02.2027): why.
fn no_such_day(value: &str) -> Option<String> {
    let mut parts = value.split('.');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || d.len() != 2 || m.len() != 2 || y.len() != 4 {
        return None;
    }
    let (d, m, y): (i8, i8, i16) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
    if !(1..=12).contains(&m) {
        return Some(format!("месяца {m:02} нет, месяцев 12"));
    }
    let days = jiff::civil::Date::new(y, m, 1).ok()?.days_in_month();
    const MONTHS: [&str; 12] = [
        "январе",
        "феврале",
        "марте",
        "апреле",
        "мае",
        "июне",
        "июле",
        "августе",
        "сентябре",
        "октябре",
        "ноябре",
        "декабре",
    ];
    (d < 1 || d > days).then(|| {
        format!(
            "в {} {y} года {days} {}",
            MONTHS[(m - 1) as usize],
            ["день", "дня", "дней"][crate::model::collate::plural_index(days as usize)]
        )
    })
}

/// A date as it is typed and printed: ДД.ММ.ГГГГ.
pub fn show_date(d: jiff::civil::Date) -> String {
    format!("{:02}.{:02}.{:04}", d.day(), d.month(), d.year())
}

/// A period of plans: two years through a dash, the second later than the first.
pub fn parse_period(value: &str) -> Result<(i32, i32), String> {
    let (a, b) = value
        .split_once(['–', '-', '—'])
        .ok_or_else(|| format!("ожидались годы через тире («2025–2026»), а не «{value}»"))?;
    let (a, b) = (parse_year(a.trim())?, parse_year(b.trim())?);
    if b <= a {
        return Err(format!("второй год ({b}) должен быть позже первого ({a})"));
    }
    Ok((a, b))
}

/// A date as kept in a campaign (ГГГГ-ММ-ДД, or as typed in an older file) as people read
/// it: ДД.ММ.ГГГГ; what is not a date, as written.
pub fn show_stored_date(stored: &str) -> String {
    parse_date(stored).map_or_else(|_| stored.to_string(), show_date)
}

/// A year of plans: four digits, 2000–2100.
pub fn parse_year(value: &str) -> Result<i32, String> {
    match value.trim().parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) && value.trim().len() == 4 => Ok(y),
        _ => Err(format!(
            "ожидался год из четырёх цифр (например, 2026), а не «{value}»"
        )),
    }
}

/// A person's name as compared: case, ё and е, surrounding and repeated spaces do not
/// matter («Семёнова», «семенова », «Семенова» are one person). The one comparison of
/// reviewers' names, wherever they meet.
pub fn person_key(name: &str) -> String {
    crate::model::collate::fold(name)
}

/// A control character in a fact or a name ends up in the documents and their properties,
/// which Word then refuses to open.
pub(super) fn no_controls(value: &str) -> Result<(), String> {
    match value.chars().find(|c| c.is_control()) {
        Some(c) => Err(format!(
            "недопустимый управляющий символ U+{:04X}; введите значение заново",
            c as u32
        )),
        None => Ok(()),
    }
}

/// A name as kept: without surrounding and repeated spaces, letters as typed.
pub fn tidy_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The reviewers' list as typed («Иванова; Петрова»): an empty value is no list; an empty
/// name or one person twice is refused, since either would count as a reviewer of its own.
pub fn parse_reviewers(value: &str) -> Result<Vec<String>, String> {
    no_controls(value)?;
    if value.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut list: Vec<String> = Vec::new();
    for name in value.split([';', ',']).map(tidy_name) {
        if name.is_empty() {
            return Err(format!(
                "пустое имя в списке «{}»: между разделителями («;» или «,») должно стоять имя",
                value.trim()
            ));
        }
        if let Some(same) = list.iter().find(|n| person_key(n) == person_key(&name)) {
            return Err(format!(
                "«{same}» и «{name}» — одно имя (регистр, пробелы и ё/е не различаются); оставьте его один раз"
            ));
        }
        list.push(name);
    }
    Ok(list)
}
