//! Campaign fields, decisions, reviewers and points merged field by field.

use super::*;

/// The campaign's own fields merge field by field; where both laptops changed one, this
/// laptop's stays and the summary says so.
#[test]
fn campaign_fields_merge_field_by_field() {
    let (_tmp, a, b, hub) = pair();
    let edit = |l: &Laptop, from: &str, to: &str| {
        let file = l.dir.join("campaign.ron");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(from), "{text}");
        std::fs::write(&file, text.replacen(from, to, 1)).unwrap();
    };
    edit(&a, "start: None", "start: Some(\"2026-09-14\")");
    edit(&b, "end: None", "end: Some(\"2026-09-29\")");
    assert!(a.sync(&hub).status.success());
    let o = b.sync(&hub);
    assert!(o.status.success());
    assert!(
        out(&o).contains("пришло: изменения данных письма и настроек кампании")
            && !out(&o).contains("ничего нового"),
        "what came in is said: {}",
        out(&o)
    );
    assert!(a.sync(&hub).status.success());
    for l in [&a, &b] {
        let text = std::fs::read_to_string(l.dir.join("campaign.ron")).unwrap();
        assert!(
            text.contains("2026-09-14") && text.contains("2026-09-29"),
            "{}: {text}",
            l.name
        );
    }
    edit(&a, "title: \"", "title: \"А: ");
    edit(&b, "title: \"", "title: \"Б: ");
    assert!(a.sync(&hub).status.success());
    // Changed differently on both: a conflict kept as data, never decided silently.
    let o = b.sync(&hub);
    assert_eq!(o.status.code(), Some(3), "{}", out(&o));
    assert!(
        out(&o).contains("внимание: campaign.ron: поле «title»"),
        "{}",
        out(&o)
    );
    for l in [&b, &a] {
        if l.name == a.name {
            let o = l.sync(&hub);
            assert_eq!(
                o.status.code(),
                Some(3),
                "the conflict travels: {}",
                out(&o)
            );
        }
        let o = l.run(&["conflicts"]);
        let text = out(&o);
        assert!(
            text.contains("кампания: поле «title»") && text.contains("А: ") && text.contains("Б: "),
            "{}: {text}",
            l.name
        );
        let o = l.run(&["export", "--output", "annex.md"]);
        assert!(!o.status.success(), "an export waits: {}", out(&o));
        assert!(out(&o).contains("кампания, поле «title»"), "{}", out(&o));
    }
    // Setting the field decides it, and the decision travels.
    let o = a.run(&["campaign", "set", "title", "Общее название"]);
    assert!(o.status.success(), "{}", out(&o));
    for l in [&a, &b, &a] {
        let o = l.sync(&hub);
        assert_eq!(o.status.code(), Some(0), "{}: {}", l.name, out(&o));
    }
    for l in [&a, &b] {
        let text = std::fs::read_to_string(l.dir.join("campaign.ron")).unwrap();
        assert!(
            text.contains("Общее название") && !text.contains("conflicts"),
            "{}: {text}",
            l.name
        );
    }
}

/// A decision overridden on one laptop while the answers change on the other: both arrive,
/// and the decision shows as no longer supported by the answers (a gap, not a silent change).
#[test]
fn a_decision_on_one_laptop_and_answers_on_the_other_both_arrive() {
    let (_tmp, a, b, hub) = pair();
    a.set("Уйский", "ra_format", "remote");
    assert!(a.sync(&hub).status.success() && b.sync(&hub).status.success());
    let o = a.run(&[
        "decide",
        "--municipality",
        "Уйский",
        "--dimension",
        "regional_active",
        "--cluster",
        "1",
        "--reason",
        "решили очно",
    ]);
    assert!(o.status.success(), "{}", out(&o));
    b.set("Уйский", "ra_format", "undecided");
    assert!(a.sync(&hub).status.success());
    assert_eq!(
        b.sync(&hub).status.code(),
        Some(0),
        "different fields: no conflict"
    );
    assert!(a.sync(&hub).status.success());
    assert_eq!(a.files(), b.files());
    let text = std::fs::read_to_string(a.dir.join("municipalities/uysky-mr.ron")).unwrap();
    assert!(
        text.contains("undecided") && text.contains("решили очно"),
        "{text}"
    );
}

/// Two reviewers on two laptops rate the same municipality differently: both ratings arrive
/// on both laptops with no conflict (they are keyed by reviewer); the final decision made on
/// one laptop travels to the other.
#[test]
fn two_reviewers_on_two_laptops_never_conflict() {
    let (_tmp, a, b, hub) = pair();
    let o = a.run(&["campaign", "set", "reviewers", "Анна; Борис"]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(a.sync(&hub).status.success() && b.sync(&hub).status.success());
    let decide = |l: &Laptop, cluster: &str, reason: &str, extra: &[&str]| {
        let mut args = vec![
            "decide",
            "--municipality",
            "Уйский",
            "--dimension",
            "training",
            "--cluster",
            cluster,
            "--reason",
            reason,
        ];
        args.extend(extra);
        l.run(&args)
    };
    let o = decide(&a, "1", "сами ведут курсы", &[]);
    assert!(out(&o).contains("оценка: Анна"), "{}", out(&o));
    let o = decide(&b, "3", "нужен консалтинг", &[]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(a.sync(&hub).status.success());
    let o = b.sync(&hub);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(a.sync(&hub).status.success());
    assert_eq!(a.files(), b.files());
    let o = a.run(&["conflicts"]);
    assert!(
        o.status.success() && !out(&o).contains("Уйский"),
        "{}",
        out(&o)
    );
    let record: Record =
        ron::from_str(&std::fs::read_to_string(a.dir.join("municipalities/uysky-mr.ron")).unwrap())
            .unwrap();
    let ratings = &record.ratings["training"];
    assert_eq!(ratings["Анна"].cluster, 1);
    assert_eq!(ratings["Борис"].cluster, 3);
    assert!(record.conflicts.is_empty(), "{:?}", record.conflicts);
    assert!(!record.decisions.contains_key("training"), "no final yet");
    // The final decision: refused without a reason, taken with one, and it travels.
    let o = decide(&a, "3", "", &["--final"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("рецензенты разошлись"), "{}", out(&o));
    let o = decide(&a, "3", "консалтинг нужнее", &["--final"]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(a.sync(&hub).status.success() && b.sync(&hub).status.success());
    let record: Record =
        ron::from_str(&std::fs::read_to_string(b.dir.join("municipalities/uysky-mr.ron")).unwrap())
            .unwrap();
    assert_eq!(record.decisions["training"].cluster, 3);
    assert_eq!(record.ratings["training"].len(), 2);
}

/// The monitoring's points live in one table (`scores.ron`): points of different
/// municipalities from two laptops both arrive; one point changed differently is one
/// conflict with both values, and a new point decides it on both laptops.
#[test]
fn points_merge_point_by_point_and_a_clash_is_a_conflict() {
    let (_tmp, a, b, hub) = pair();
    let score = |l: &Laptop, m: &str, i: &str, v: &str| {
        let o = l.run(&["score", "--municipality", m, "--indicator", i, "--value", v]);
        assert!(o.status.success(), "{}", out(&o));
    };
    score(&a, "Ашинский", "1.1", "1");
    score(&a, "Уйский", "1.1", "1");
    score(&b, "Уйский", "1.2", "2");
    score(&b, "Копейский", "1.1", "0");
    assert!(a.sync(&hub).status.success());
    let o = b.sync(&hub);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(
        out(&o).contains("Ашинский") && out(&o).contains("Уйский"),
        "points that came in are named: {}",
        out(&o)
    );
    assert_eq!(a.sync(&hub).status.code(), Some(0));
    let table = |l: &Laptop| std::fs::read_to_string(l.dir.join("scores.ron")).unwrap();
    assert_eq!(table(&a), table(&b));
    let levels = b.run(&["levels", "--tsv"]);
    assert!(levels.status.success(), "{}", out(&levels));
    // Every point of both laptops is there, and the record files hold none.
    let t = table(&a);
    for (id, i, v) in [
        ("ashinsky-mr", "1.1", 1),
        ("uysky-mr", "1.1", 1),
        ("uysky-mr", "1.2", 2),
        ("kopeysky-go", "1.1", 0),
    ] {
        let row = t
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("\"{id}\"")))
            .unwrap_or_else(|| panic!("{id}: {t}"));
        assert!(row.contains(&format!("\"{i}\": {v}")), "{id} {i}: {row}");
    }
    assert!(a.files().iter().all(|(_, text)| !text.contains("scores")));

    score(&a, "Уйский", "1.2", "1");
    score(&b, "Уйский", "1.2", "0");
    assert!(a.sync(&hub).status.success());
    assert_eq!(b.sync(&hub).status.code(), Some(3));
    assert_eq!(a.sync(&hub).status.code(), Some(3), "the conflict travels");
    for l in [&a, &b] {
        let o = l.run(&["conflicts", "--tsv"]);
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        let rows: Vec<&str> = text.lines().collect();
        assert_eq!(rows.len(), 1, "{}: {text}", l.name);
        assert!(
            rows[0].starts_with("uysky-mr\tscore:1.2\t")
                && rows[0].contains("\t1\tАнна\t")
                && rows[0].contains("\t0\tБорис\t"),
            "{}: {}",
            l.name,
            rows[0]
        );
    }
    score(&b, "Уйский", "1.2", "2");
    for l in [&b, &a, &b] {
        assert_eq!(l.sync(&hub).status.code(), Some(0), "{}", l.name);
    }
    assert_eq!(table(&a), table(&b));
    assert!(!table(&a).contains("conflicts"), "{}", table(&a));
}
