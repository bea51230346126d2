//! The reconstruction of 2022 against the letter: its lists, counts, genitives and order.

use super::*;

/// Where `sobes lists` on the reconstruction may differ from the letter, and why. Each entry:
/// (list key, municipality, present in the letter, the reason). Anything else fails the test.
const ALLOWED: &[(&str, &str, bool, &str)] = &[
    (
        "train_2",
        "Еманжелинский МР",
        true,
        "в письме и в 1-м, и во 2-м кластере по обучению; принят 1-й",
    ),
    (
        "train_2",
        "Кусинский МР",
        true,
        "в письме и в 1-м, и во 2-м кластере по обучению; принят 1-й",
    ),
    (
        "train_2",
        "Аргаяшский МР",
        true,
        "в письме и во 2-м, и в 3-м кластере по обучению; принят 3-й",
    ),
    (
        "rec_II2",
        "Еманжелинский МР",
        true,
        "II.2 — это 2-й кластер по обучению; см. train_2",
    ),
    (
        "rec_II2",
        "Кусинский МР",
        true,
        "II.2 — это 2-й кластер по обучению; см. train_2",
    ),
    (
        "rec_II2",
        "Аргаяшский МР",
        true,
        "II.2 — это 2-й кластер по обучению; см. train_2",
    ),
    (
        "ra_1",
        "Кусинский МР",
        true,
        "в письме и в 1-м («Кусинский ГО»), и во 2-м кластере по активу; принят 2-й",
    ),
    (
        "plan_consulting",
        "Верхнеуфалейский ГО",
        false,
        "план 2 в письме — 3-й кластер без двух имён, причина не названа; здесь план следует за кластером",
    ),
    (
        "plan_consulting",
        "Чесменский МР",
        false,
        "план 2 в письме — 3-й кластер без двух имён, причина не названа; здесь план следует за кластером",
    ),
    (
        "shibc_institutional",
        "Уйский МР",
        false,
        "в письме «в 12 муниципалитетах», а имён 11; Уйский МР — двенадцатый (нет ни среди имеющих ШИБЦ, ни в I.3)",
    ),
    (
        "rec_I3_shibc",
        "Ашинский МР",
        true,
        "в письме и среди имеющих ШИБЦ, и в I.3 для тех, у кого их нет; принят первый список",
    ),
    (
        "rec_II3_shibc",
        "Ашинский МР",
        true,
        "II.3.4 повторяет список I.3; см. rec_I3_shibc",
    ),
];

#[test]
fn lists_match_the_letter_except_its_own_contradictions() {
    let (tmp, dir) = recon_copy();
    let out = sobes(
        tmp.path(),
        &["--campaign", dir.to_str().unwrap(), "lists", "--tsv"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tsv = String::from_utf8(out.stdout).unwrap();
    let mut ours: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in tsv.lines() {
        let cells: Vec<&str> = line.split('\t').collect();
        assert_eq!(cells.len(), 3, "{line}");
        ours.entry(cells[0].into())
            .or_default()
            .push(cells[2].into());
    }
    let letter: serde_json_lite::Lists =
        serde_json_lite::read(include_str!("../data/letter-2022-lists.json"));
    assert_eq!(letter.len(), 31);
    let registry = data().registry;
    let mut unexplained = Vec::new();
    let mut used = BTreeSet::new();
    for (key, names) in &letter {
        let theirs: BTreeSet<&str> = names.iter().map(String::as_str).collect();
        let mine: Vec<&str> = ours
            .get(key)
            .map_or(vec![], |v| v.iter().map(String::as_str).collect());
        // Always in registry order, whatever order the letter used.
        let order: Vec<usize> = mine
            .iter()
            .map(|n| {
                registry
                    .municipalities
                    .iter()
                    .position(|m| &m.name == n)
                    .unwrap()
            })
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{key}: {mine:?}");
        let mine: BTreeSet<&str> = mine.into_iter().collect();
        for n in theirs.symmetric_difference(&mine) {
            let in_letter = theirs.contains(n);
            match ALLOWED
                .iter()
                .position(|(k, m, l, _)| k == key && m == n && *l == in_letter)
            {
                Some(i) => {
                    used.insert(i);
                }
                None => unexplained.push(format!(
                    "{key}: {n} {}",
                    if in_letter {
                        "есть в письме, у нас нет"
                    } else {
                        "есть у нас, в письме нет"
                    }
                )),
            }
        }
    }
    assert!(
        unexplained.is_empty(),
        "необъяснённые расхождения: {unexplained:#?}"
    );
    let unused: Vec<_> = (0..ALLOWED.len())
        .filter(|i| !used.contains(i))
        .map(|i| ALLOWED[i])
        .collect();
    assert!(
        unused.is_empty(),
        "разрешённые расхождения, которых нет: {unused:#?}"
    );
}

/// A tiny reader for the letter's JSON: keys and canonical names, enough for this test
/// (no JSON dependency in the project).
mod serde_json_lite {
    pub type Lists = Vec<(String, Vec<String>)>;

    fn strings_after<'a>(text: &'a str, field: &str) -> (&'a str, Vec<String>) {
        let start = text.find(&format!("\"{field}\"")).expect(field);
        let rest = &text[start..];
        let open = rest.find('[').unwrap();
        let close = rest.find(']').unwrap();
        let inner = &rest[open + 1..close];
        let items = inner
            .split('"')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, s)| s.to_string())
            .collect();
        (&rest[close..], items)
    }

    pub fn read(text: &str) -> Lists {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find("\"key\"") {
            let after = &rest[at + 5..];
            let q1 = after.find('"').unwrap();
            let q2 = after[q1 + 1..].find('"').unwrap();
            let key = after[q1 + 1..q1 + 1 + q2].to_string();
            let (tail, names) = strings_after(after, "canonical");
            out.push((key, names));
            rest = tail;
        }
        out
    }
}

#[test]
fn counts_genitives_and_order_in_the_annex() {
    let data = data();
    let campaign = recon_as_draft(&data);
    let t = Template::builtin();
    // Non-breaking spaces keep names with their ГО/МР; compare words as words.
    let md = annex::render_markdown(&data, &campaign, &t).replace('\u{a0}', " ");
    // Counts are computed: eleven centres (the letter says «ten»), twelve with ШИБЦ.
    assert!(
        md.contains("как самостоятельные организации действуют в 11 муниципальных образованиях:"),
        "{md}"
    );
    assert!(
        md.contains("созданы в 12 муниципальных образованиях"),
        "{md}"
    );
    assert!(md.contains("ШИБЦ как муниципальный ресурс создан в 2 муниципальных образованиях: Златоустовский ГО, Чебаркульский МР."), "{md}");
    assert!(md.contains(
        "имеют 4 муниципальных образования: Златоустовский ГО, Магнитогорский ГО, Саткинский МР, Челябинский ГО."
    ), "{md}");
    // An abbreviation is spelled out where it is first used; the title's last word keeps
    // to the one before it.
    let raw = annex::render_markdown(&data, &campaign, &t);
    let first = md.find("ЦНППМ").expect("ЦНППМ");
    assert_eq!(
        first,
        md.find("(далее — ЦНППМ)").unwrap() + "(далее — ".len()
    );
    assert!(raw.contains("методических\u{a0}служб"), "{raw}");
    // One municipality: the verb agrees with it.
    let mut one = campaign.clone();
    for id in ["zlatoustovsky-go", "magnitogorsky-go", "satkinsky-mr"] {
        one.records
            .get_mut(id)
            .unwrap()
            .answers
            .0
            .remove("monitoring_level");
    }
    let md_one = annex::render_markdown(&data, &one, &t).replace('\u{a0}', " ");
    assert!(
        md_one.contains(
            "по результатам мониторинга имеет 1 муниципальное образование: Челябинский ГО."
        ),
        "{md_one}"
    );
    // Genitive forms from the registry, alphabetical.
    assert!(md.contains("на базе образовательных организаций Ашинского МР, Карталинского МР, Магнитогорского ГО, Саткинского МР, Снежинского ГО, Челябинского ГО;"), "{md}");
    assert!(
        md.contains("методические центры Магнитогорского ГО, Челябинского ГО."),
        "{md}"
    );
    // Ё sorts with Е: Трёхгорный before Троицкий.
    assert!(md.contains("Трёхгорный ГО, Троицкий ГО"));
    // Gaps of the letter stay gaps, visibly, in the block at the end.
    let (_, end) = md
        .split_once("## Требует внимания перед отправкой")
        .expect("the block");
    assert!(end.contains("Не распределены по измерению «Потребность в обучении» (2): Снежинский ГО, Южноуральский ГО."));
    assert!(end.contains(
        "Не распределены по измерению «Формат работы с региональным активом» (1): Октябрьский МР."
    ));
    assert!(!md.contains('{'), "незаполненная подстановка: {md}");
}
