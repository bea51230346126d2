//! The export and `check`: refusals, gaps, claims that follow the answers.

use super::*;

#[test]
fn export_refuses_gaps_and_existing_files() {
    let data = data();
    let campaign = recon_as_draft(&data);
    let t = Template::builtin();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("annex.md");
    let err = annex::export(
        &data,
        &campaign,
        Some(&t),
        Format::Markdown,
        &path,
        ExportOptions::default(),
    )
    .unwrap_err();
    assert!(err.contains("экспорт остановлен"), "{err}");
    assert!(
        err.contains("«Потребность в обучении» (2): Снежинский ГО, Южноуральский ГО"),
        "{err}"
    );
    assert!(err.contains("Октябрьский МР"), "{err}");
    assert!(err.contains("--allow-incomplete"), "{err}");
    assert!(!path.exists(), "при отказе файл не пишется");
    let opts = ExportOptions {
        force: false,
        allow_incomplete: true,
    };
    let written = annex::export(&data, &campaign, Some(&t), Format::Markdown, &path, opts).unwrap();
    assert!(written.is_absolute());
    std::fs::write(&path, "чужой файл").unwrap();
    let err = annex::export(&data, &campaign, Some(&t), Format::Docx, &path, opts).unwrap_err();
    assert!(err.contains("уже есть") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "чужой файл");
    let opts = ExportOptions {
        force: true,
        allow_incomplete: true,
    };
    annex::export(&data, &campaign, Some(&t), Format::Markdown, &path, opts).unwrap();
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("Не распределены")
    );
}

#[test]
fn export_of_a_complete_campaign_has_no_gap_lines() {
    // A campaign where every municipality is interviewed and decided: no refusal, no notice.
    let data = data();
    let mut campaign = recon(&data);
    let stamp = sobes::model::change::Stamp {
        by: "т".into(),
        at: "2022-10-18T00:00:00Z".into(),
    };
    for m in &data.registry.municipalities {
        let r = campaign.record_mut(&m.id);
        r.answers.0.clear();
        r.decisions.clear();
        for (_, q) in data.protocol.questions() {
            if !q.required {
                continue;
            }
            let raw = match &q.kind {
                sobes::model::protocol::Kind::YesNo => "no".to_string(),
                sobes::model::protocol::Kind::Number { .. } => "3".into(),
                sobes::model::protocol::Kind::Text => "текст".into(),
                k => k.choices().last().unwrap().id.clone(),
            };
            let v = data.protocol.parse_value(q, &raw).unwrap();
            let c = Change::answer(r, &q.id, Some(v), &stamp);
            *r = apply(r, &c, &data.protocol, &data.dimensions).unwrap();
        }
        for d in &data.dimensions.0 {
            let c = Change::decision(r, &d.id, Some(3), Some("тест"), &stamp);
            *r = apply(r, &c, &data.protocol, &data.dimensions).unwrap();
        }
    }
    assert!(
        annex::gaps(&data, &campaign).is_empty(),
        "{:?}",
        annex::gaps(&data, &campaign).lines()
    );
    let t = Template::builtin();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("m.csv");
    annex::export(
        &data,
        &campaign,
        Some(&t),
        Format::Csv,
        &path,
        ExportOptions::default(),
    )
    .unwrap();
    let md = annex::render_markdown(&data, &campaign, &t).replace('\u{a0}', " ");
    assert!(!md.contains("Не распределены"), "{md}");
    assert!(!md.contains("Требует внимания"), "{md}");
    assert!(
        !md.contains("ПРОЕКТ"),
        "a finished annex is not a draft: {md}"
    );
    let docx = annex::render_docx(&data, &campaign, &t).unwrap();
    let xml = &unzip(&docx)["word/document.xml"];
    assert!(
        !xml.contains("ПРОЕКТ") && !xml.contains("pageBreakBefore"),
        "{xml}"
    );
    assert!(
        md.contains("Третий кластер — формат взаимодействия не определён (43)"),
        "{md}"
    );
}

#[test]
fn cli_export_lists_and_check_on_the_reconstruction() {
    let (tmp, dir) = recon_copy();
    let d = dir.to_str().unwrap();
    let check = sobes(tmp.path(), &["--campaign", d, "check"]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // The letter left three municipalities out of the lists: the reconstruction says so,
    // as the letter's, not as its own gaps, and exports as the letter was.
    assert!(stdout.contains("как в документе «письмо Министерства от 18.10.2022 № 10211», ни к одному кластеру по измерению «Потребность в обучении» не отнесены (2): Снежинский ГО, Южноуральский ГО"), "{stdout}");
    assert!(!stdout.contains("пробел:"), "{stdout}");
    let out = tmp.path().join("a.docx");
    let o = out.to_str().unwrap();
    let sent = sobes(tmp.path(), &["--campaign", d, "export", "-o", o]);
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    assert!(String::from_utf8_lossy(&sent.stdout).contains("не отнесены (1): Октябрьский МР"));
    let xml = &unzip(&std::fs::read(&out).unwrap())["word/document.xml"];
    assert!(!xml.contains("ПРОЕКТ") && !xml.contains("не для отправки"));
    std::fs::remove_file(&out).unwrap();
    // A campaign of this year with the same gaps is stopped: it has no letter to follow.
    let meta = dir.join("campaign.ron");
    let text = std::fs::read_to_string(&meta).unwrap();
    let text: String = text
        .lines()
        .filter(|l| !l.contains("\"as_sent\""))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&meta, text).unwrap();
    let refused = sobes(tmp.path(), &["--campaign", d, "export", "-o", o]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("экспорт остановлен"));
    assert!(!out.exists());
    let ok = sobes(
        tmp.path(),
        &[
            "--campaign",
            d,
            "export",
            "--format",
            "docx",
            "-o",
            o,
            "--allow-incomplete",
        ],
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("записано:"));
    let first = std::fs::read(&out).unwrap();
    let again = sobes(
        tmp.path(),
        &["--campaign", d, "export", "-o", o, "--allow-incomplete"],
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let forced = sobes(
        tmp.path(),
        &[
            "--campaign",
            d,
            "export",
            "-o",
            o,
            "--allow-incomplete",
            "--force",
        ],
    );
    assert!(forced.status.success());
    assert_eq!(
        std::fs::read(&out).unwrap(),
        first,
        "другой процесс — те же байты"
    );
    let unknown = sobes(
        tmp.path(),
        &[
            "--campaign",
            d,
            "export",
            "-o",
            tmp.path().join("a.pdf").to_str().unwrap(),
        ],
    );
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--format"));
    // `new --from` refuses a non-empty directory and an unknown name.
    let again = sobes(tmp.path(), &["new", d, "--from", "chelyabinsk-2022"]);
    assert!(!again.status.success());
    let nothing = sobes(
        tmp.path(),
        &[
            "new",
            tmp.path().join("x").to_str().unwrap(),
            "--from",
            "tula-1999",
        ],
    );
    assert!(String::from_utf8_lossy(&nothing.stderr).contains("chelyabinsk-2022"));
}

#[test]
fn check_flags_a_bad_template_with_its_position() {
    let (tmp, dir) = recon_copy();
    let bad = Template::builtin();
    let _ = bad;
    let text = sobes::model::template::BUILTIN
        .replace(
            "Cluster(\"project_office\", 3)",
            "Cluster(\"project_offise\", 3)",
        )
        .replace(
            "Equals(\"org_form\", \"inspectors\")",
            "Equals(\"org_form\", \"wizards\")",
        )
        .replace("{names:po_1}", "{names:po_one}");
    std::fs::write(dir.join("annex.ron"), &text).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let out = sobes(tmp.path(), &["--campaign", dir.to_str().unwrap(), "check"]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let annex_file = dir.join("annex.ron").display().to_string();
    for (needle, what) in [
        ("project_offise", "нет измерения «project_offise»"),
        ("wizards", "нет варианта «wizards»"),
        ("{names:po_one}", "нет списка «po_one»"),
    ] {
        let want = format!("{annex_file}:{}:", line_of(needle));
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&want) && l.contains(what)),
            "{want} {what}\n{stdout}"
        );
    }
    let lists = sobes(tmp.path(), &["--campaign", dir.to_str().unwrap(), "lists"]);
    assert!(!lists.status.success());
}

/// An empty campaign's annex names nobody and claims nothing about anyone: every sentence
/// about municipalities stands under a condition on the answers.
#[test]
fn an_empty_campaign_makes_no_claim() {
    let data = data();
    let campaign = empty_campaign(&data);
    let md = annex::render_markdown(&data, &campaign, &Template::builtin()).replace('\u{a0}', " ");
    let (text, _) = md.split_once("## Требует внимания").unwrap_or((&md, ""));
    for m in &data.registry.municipalities {
        assert!(
            !text.contains(&m.name) && !text.contains(&m.genitive),
            "{}: {text}",
            m.name
        );
    }
    for claim in [
        "Большинство",
        "назвали",
        "действуют в",
        "приняли участие",
        "(в скобках",
        "поддержали",
        "заявили",
        "просят",
        "Первый кластер —",
    ] {
        assert!(
            !text.contains(claim),
            "«{claim}» in an empty campaign: {text}"
        );
    }
}

/// «Большинство» only for more than half of those interviewed; reasons and priorities in
/// order of how many named them, with counts, and only those named.
#[test]
fn majorities_and_rankings_follow_the_answers() {
    let data = data();
    let t = Template::builtin();
    let mut campaign = empty_campaign(&data);
    answer_first(&data, &mut campaign, 3, "innovation_centres", "inside");
    answer_first(&data, &mut campaign, 4, "methodists", "3");
    let md = |c: &Campaign| annex::render_markdown(&data, c, &t).replace('\u{a0}', " ");
    // Four took part; three say «inside»: a majority.
    let text = md(&campaign);
    assert!(
        text.contains("Большинство руководителей ММС (3 из 4) рассматривают"),
        "{text}"
    );
    answer_first(&data, &mut campaign, 8, "methodists", "3");
    assert!(
        !md(&campaign).contains("Большинство руководителей ММС (3 из"),
        "3 of 8 is no majority"
    );

    answer_first(&data, &mut campaign, 5, "shortfall_reasons", "part_time");
    answer_first(
        &data,
        &mut campaign,
        2,
        "shortfall_reasons",
        "low_pay,part_time",
    );
    let text = md(&campaign);
    assert!(
        text.contains("назвали (в скобках — число муниципальных образований): выполнение методической работы совместителями (5); недостаточное материальное стимулирование (2)."),
        "{text}"
    );
    assert!(
        !text.contains("выполнение поручений"),
        "a reason nobody named is not named"
    );
}

/// Gaps are one marked block at the end, not red lines in the text; a decision the answers
/// no longer support is one of them.
#[test]
fn gaps_are_one_block_at_the_end_and_include_stale_decisions() {
    let data = data();
    let mut campaign = recon(&data);
    let stamp = sobes::model::change::Stamp {
        by: "т".into(),
        at: "2026-09-14T10:00:00Z".into(),
    };
    // Ашинский МР: decided 1 (in person); the answer now says remote.
    let r = campaign.record_mut("ashinsky-mr");
    let c = Change::answer(
        r,
        "ra_format",
        Some(sobes::model::campaign::Value::Choice("remote".into())),
        &stamp,
    );
    *r = apply(r, &c, &data.protocol, &data.dimensions).unwrap();
    let md = annex::render_markdown(&data, &campaign, &Template::builtin()).replace('\u{a0}', " ");
    let (text, end) = md
        .split_once("## Требует внимания перед отправкой")
        .expect("the block");
    assert!(!text.contains("> **"), "no notices inside the text");
    assert!(end.contains("Расходится с ответами: Ашинский МР"), "{end}");
    assert!(!annex::gaps(&data, &campaign).stale.is_empty());
}
