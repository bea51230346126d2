//! The synthetic registry of 2,500 municipalities and a campaign filled on it.

use super::*;

const PREFIXES: &[&str] = &[
    "Бел",
    "Вер",
    "Гор",
    "Дол",
    "Ель",
    "Жел",
    "Зар",
    "Кам",
    "Лес",
    "Мал",
    "Нов",
    "Озёр",
    "Пес",
    "Рад",
    "Сос",
    "Тал",
    "Ус",
    "Хол",
    "Чер",
    "Шир",
    "Юж",
    "Яр",
    "Бор",
    "Вол",
    "Глин",
    "Дуб",
    "Зел",
    "Кар",
    "Лип",
    "Мох",
    "Ник",
    "Ольх",
    "Пол",
    "Руд",
    "Сев",
    "Тих",
    "Ураль",
    "Чист",
    "Щук",
    "Берёз",
    "Вишн",
    "Гран",
    "Заг",
    "Клён",
    "Луг",
    "Мир",
    "Над",
    "Орл",
    "Прав",
    "Ряб",
];
const ROOTS: &[&str] = &[
    "ов",
    "ин",
    "ен",
    "ан",
    "огор",
    "оречен",
    "опол",
    "ополь",
    "оград",
    "озер",
    "оключ",
    "окамен",
    "олес",
    "оярск",
    "ополян",
    "овод",
    "обор",
    "олуг",
    "оскал",
    "одол",
    "окут",
    "ослав",
    "оруч",
    "омост",
    "оборск",
    "овраж",
    "осел",
    "оклин",
    "ород",
    "овет",
    "омыс",
    "оньев",
    "отрав",
    "оцвет",
    "озим",
    "олет",
    "орос",
    "оснеж",
    "отуман",
    "одуб",
    "ожар",
    "огрив",
    "оцарск",
    "оштат",
    "олуч",
    "орыб",
    "опесч",
    "отрост",
    "оверш",
    "охолм",
];

/// A deterministic registry of `n` municipalities with shared stems (ГО and МР of one stem).
pub(crate) fn synthetic_registry(n: usize) -> String {
    let mut out = String::from(
        "Registry(\n    region: \"Синтетическая страна\",\n    kinds: [\"ГО\", \"МР\", \"МО\"],\n    municipalities: [\n",
    );
    let mut made = 0;
    let mut k = 0;
    while made < n {
        let stem = format!(
            "{}{}ский",
            PREFIXES[k % PREFIXES.len()],
            ROOTS[(k / PREFIXES.len()) % ROOTS.len()]
        );
        let genitive = format!("{}ого", stem.trim_end_matches("ий"));
        let kinds: &[(&str, &str)] = if k % 12 == 0 {
            &[("ГО", "go"), ("МР", "mr")]
        } else if k % 5 == 0 {
            &[("МО", "mo")]
        } else {
            &[("МР", "mr")]
        };
        for (kind, tag) in kinds {
            if made == n {
                break;
            }
            out.push_str(&format!(
                "        (id: \"m{k:05}-{tag}\", name: \"{stem} {kind}\", kind: \"{kind}\", genitive: \"{genitive} {kind}\"),\n"
            ));
            made += 1;
        }
        k += 1;
    }
    out.push_str("    ],\n)\n");
    out
}

/// A campaign with every visible question answered and every cluster decided.
pub(crate) fn fill_campaign(dir: &Path, data: &DataSet) {
    storage::create(
        dir,
        &sobes::session::new_meta(data, Some("Бенчмарк".into())),
    )
    .unwrap();
    let stamp = Stamp {
        by: "Бенчмарк".into(),
        at: clock(),
    };
    for (i, m) in data.registry.municipalities.iter().enumerate() {
        let mut record = sobes::model::campaign::Record::new(&m.id);
        for (_, q) in data.protocol.questions() {
            if !data.protocol.is_visible(q, &record.answers) {
                continue;
            }
            let pick = i % 3;
            let value = match &q.kind {
                Kind::YesNo => Value::Bool(pick != 1),
                Kind::SingleChoice(o) => Value::Choice(o[pick % o.len()].id.clone()),
                Kind::MultipleChoice(o) => Value::Choices(
                    o.iter()
                        .filter(|c| !c.exclusive)
                        .take(1 + pick)
                        .map(|c| c.id.clone())
                        .collect(),
                ),
                Kind::Number { min, max } => Value::Number((min + 3).min(*max)),
                Kind::Text => Value::Text(format!("Ответ {i} на вопрос {}", q.id)),
            };
            let mut changes = vec![Change::answer(&record, &q.id, Some(value), &stamp)];
            if i % 7 == 0 {
                changes.push(Change::note(&record, &q.id, "заметка комиссии", &stamp));
            }
            for c in changes {
                record = apply(&record, &c, &data.protocol, &data.dimensions).unwrap();
            }
        }
        for d in &data.dimensions.0 {
            let c = d.suggested_cluster(&record.answers).unwrap_or(1);
            let change = Change::decision(&record, &d.id, Some(c), Some("по справке"), &stamp);
            record = apply(&record, &change, &data.protocol, &data.dimensions).unwrap();
        }
        storage::save_record(dir, &record).unwrap();
    }
}
