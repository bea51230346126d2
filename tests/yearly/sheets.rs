//! Imported sheets: columns, formulas, sheet names, misspelt names, dates, damaged books.

use super::*;

/// `import-monitoring` as «Тест» in the campaign `dir` with `args` after it.
fn import(home: &Path, dir: &str, args: &[&str]) -> std::process::Output {
    let head = ["--campaign", dir, "--as", "Тест", "import-monitoring"];
    run(home, &[&head[..], args].concat())
}

/// A refused import: exit 1, nothing in the campaign changed; its standard error.
fn refused(home: &Path, dir: &str, args: &[&str]) -> String {
    let before = common::snapshot(Path::new(dir));
    let o = import(home, dir, args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(before, common::snapshot(Path::new(dir)), "nothing written");
    stderr(&o)
}

/// One cell of a test sheet: text, a number in General format, or a number in a format.
enum Cell<'a> {
    T(&'a str),
    N(f64),
    F(f64, &'a str),
}

fn write_cells(ws: &mut rust_xlsxwriter::Worksheet, rows: &[Vec<Cell>]) {
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                Cell::T(t) => ws.write_string(r, c, *t).map(|_| ()),
                Cell::N(n) => ws.write_number(r, c, *n).map(|_| ()),
                Cell::F(n, f) => {
                    let format = rust_xlsxwriter::Format::new().set_num_format(*f);
                    ws.write_number_with_format(r, c, *n, &format).map(|_| ())
                }
            }
            .unwrap();
        }
    }
}

/// Two columns for one indicator are refused naming both letters, in CSV and in XLSX where
/// «1.10» typed as a number reads 1.1; a number format that keeps the zero is read as shown.
#[test]
fn two_columns_for_one_indicator_are_refused() {
    use Cell::{F, N, T};
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let csv = tmp.path().join("дубль.csv");
    std::fs::write(&csv, "Муниципалитет;1.1;1.1\nУйский МР;1;2\n").unwrap();
    let err = refused(&home, &dir, &[csv.to_str().unwrap()]);
    assert!(
        err.contains("дубль.csv: строка 1, столбец C: показатель 1.1 уже в столбце B: один показатель в двух столбцах (B и C)"),
        "{err}"
    );
    // Not a bad row to skip: which column is 1.1 cannot be known.
    let err = refused(&home, &dir, &["--skip-bad-rows", csv.to_str().unwrap()]);
    assert!(err.contains("(B и C)"), "{err}");

    let xlsx = tmp.path().join("числа.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    write_cells(
        wb.add_worksheet(),
        &[
            vec![T("Муниципалитет"), N(1.1), N(1.10)],
            vec![T("Уйский МР"), N(1.0), N(2.0)],
        ],
    );
    wb.save(&xlsx).unwrap();
    let err = refused(&home, &dir, &[xlsx.to_str().unwrap()]);
    assert!(
        err.contains("числа.xlsx: строка 1, столбец C: показатель 1.1 уже в столбце B"),
        "{err}"
    );
    assert!(
        err.contains("введите номера показателей как текст"),
        "{err}"
    );

    // «1.10» in the format «0.00» shows as 1.10, and is indicator 1.10.
    let mut wb = rust_xlsxwriter::Workbook::new();
    write_cells(
        wb.add_worksheet(),
        &[
            vec![T("Муниципалитет"), N(1.1), F(1.10, "0.00")],
            vec![T("Уйский МР"), N(1.0), N(2.0)],
        ],
    );
    wb.save(&xlsx).unwrap();
    ok(import(&home, &dir, &[xlsx.to_str().unwrap()]));
    let tsv = ok(run(&home, &["--campaign", &dir, "levels", "--tsv"]));
    assert!(tsv.contains("uysky-mr\t1.1\t1\t"), "{tsv}");
    assert!(tsv.contains("uysky-mr\t1.10\t2\t"), "{tsv}");
}

/// Formulas whose values the file does not hold (a program wrote them and left the
/// placeholder 0, or nothing) are refused naming the cell; computed ones are read.
#[test]
fn formulas_without_saved_values_are_refused() {
    use rust_xlsxwriter::{CalculationMode, Formula, Workbook};
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let xlsx = tmp.path().join("формулы.xlsx");
    let book = |default: Option<&str>, mode: CalculationMode, result: &str| {
        let mut wb = Workbook::new();
        wb.set_calculation_mode(mode);
        let ws = wb.add_worksheet();
        if let Some(d) = default {
            ws.set_formula_result_default(d);
        }
        ws.write_string(0, 0, "Муниципалитет").unwrap();
        ws.write_string(0, 1, "1.1").unwrap();
        ws.write_string(1, 0, "Уйский МР").unwrap();
        let formula = Formula::new("=1+1");
        let formula = if result.is_empty() {
            formula
        } else {
            formula.set_result(result)
        };
        ws.write_formula(1, 1, formula).unwrap();
        wb.save(&xlsx).unwrap();
    };
    // Asked to be recalculated on opening (Automatic), or holding no value at all (Manual,
    // an empty result): either way the values are not in the file.
    for (default, mode) in [
        (None, CalculationMode::Automatic),
        (Some(""), CalculationMode::Automatic),
        (Some(""), CalculationMode::Manual),
    ] {
        book(default, mode, "");
        let err = refused(&home, &dir, &[xlsx.to_str().unwrap()]);
        assert!(
            err.contains(
                "формулы.xlsx: строка 2, столбец B: формула «=1+1» без сохранённого значения"
            ),
            "{err}"
        );
        assert!(
            err.contains("откройте файл в Excel или LibreOffice и сохраните его"),
            "{err}"
        );
    }
    // A book that holds its formulas' values, as Excel saves it, is read.
    book(None, CalculationMode::Manual, "2");
    ok(import(&home, &dir, &[xlsx.to_str().unwrap()]));
    let tsv = ok(run(&home, &["--campaign", &dir, "levels", "--tsv"]));
    assert!(tsv.contains("uysky-mr\t1.1\t2\t"), "{tsv}");
}

/// A table on the second sheet: without --sheet the first sheet's lack of a table is said
/// with the sheets there are; --sheet chooses one, and names it in the messages.
#[test]
fn the_sheet_is_chosen_by_name() {
    use Cell::{N, T};
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let xlsx = tmp.path().join("листы.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    write_cells(
        wb.add_worksheet().set_name("Инструкция").unwrap(),
        &[vec![T("Заполните лист «Данные»")]],
    );
    write_cells(
        wb.add_worksheet().set_name("Данные").unwrap(),
        &[
            vec![T("Муниципалитет"), T("1.1"), T("1.2")],
            vec![T("Уйский МР"), N(1.0), N(2.0)],
            vec![T("Ашинский МР"), N(7.0), N(0.0)],
        ],
    );
    wb.save(&xlsx).unwrap();
    let path = xlsx.to_str().unwrap();
    let err = refused(&home, &dir, &[path]);
    assert!(
        err.contains("листы.xlsx: на первом листе «Инструкция» нет таблицы мониторинга"),
        "{err}"
    );
    assert!(
        err.contains("листы в книге: «Инструкция», «Данные»"),
        "{err}"
    );
    assert!(err.contains("--sheet \"Данные\""), "{err}");
    let err = refused(&home, &dir, &["--sheet", "Итоги", path]);
    assert!(
        err.contains("листы.xlsx: листа «Итоги» в книге нет; листы: «Инструкция», «Данные»"),
        "{err}"
    );
    let err = refused(&home, &dir, &["--sheet", "Данные", path]);
    assert!(
        err.contains("листы.xlsx, лист «Данные»: строка 3, столбец B: показатель 1.1: ожидался целый балл от 0 до 2, а не «7»"),
        "{err}"
    );
    let out = ok(import(
        &home,
        &dir,
        &["--sheet", "Данные", "--skip-bad-rows", path],
    ));
    assert!(out.contains("загружено баллов: 2"), "{out}");
    // A CSV has no sheets to choose.
    let csv = tmp.path().join("m.csv");
    std::fs::write(&csv, "Муниципалитет;1.1\nУйский МР;1\n").unwrap();
    let err = refused(&home, &dir, &["--sheet", "Данные", csv.to_str().unwrap()]);
    assert!(err.contains("m.csv: --sheet выбирает лист книги"), "{err}");
}

/// A misspelt name is matched as the resolver matches it, with its warning per row.
#[test]
fn a_misspelt_name_is_warned_of_per_row() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let csv = tmp.path().join("опечатка.csv");
    std::fs::write(&csv, "Муниципалитет;1.1\nАшинский МР;1\nУйскй МР;2\n").unwrap();
    let o = import(&home, &dir, &[csv.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(
            "опечатка.csv: строка 3, столбец A: «Уйскй МР» → «Уйский МР»: похоже на опечатку"
        ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let tsv = ok(run(&home, &["--campaign", &dir, "levels", "--tsv"]));
    assert!(tsv.contains("uysky-mr\t1.1\t2\t"), "{tsv}");
    // A cell's text is quoted in what is said, never sent to the terminal as it is: an
    // escape sequence in a skipped row arrives escaped.
    std::fs::write(
        &csv,
        "Муниципалитет;1.1\nАшинский МР;1\n\u{1b}[2JНетакой;2\n",
    )
    .unwrap();
    let o = import(&home, &dir, &[csv.to_str().unwrap(), "--skip-bad-rows"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains('\u{1b}'), "{:?}", stderr(&o));
}

/// Without a municipality column the header cell is named: the first column holds
/// municipalities.
#[test]
fn the_first_column_must_hold_municipalities() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let csv = tmp.path().join("без.csv");
    std::fs::write(&csv, "1.1;1.2\n1;2\n2;0\n").unwrap();
    let err = refused(&home, &dir, &[csv.to_str().unwrap()]);
    assert!(
        err.contains("без.csv: строка 1, столбец A: в заголовке «1.1», а первый столбец должен содержать муниципалитеты"),
        "{err}"
    );
    assert!(!err.contains("не найден"), "{err}");
    std::fs::write(&csv, "№;1.1\n1;2\n2;0\n").unwrap();
    let err = refused(&home, &dir, &[csv.to_str().unwrap()]);
    assert!(
        err.contains("без.csv: строка 1, столбец A: первый столбец должен содержать муниципалитеты, а в нём под заголовком «№» числа («1», «2», …)"),
        "{err}"
    );
    assert!(!err.contains("не найден"), "{err}");
}

/// A header Excel turned into a date is said to be a date, shown as a date.
#[test]
fn a_date_header_is_named_as_a_date() {
    use Cell::{F, N, T};
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let xlsx = tmp.path().join("дата.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    write_cells(
        wb.add_worksheet(),
        &[
            vec![T("Муниципалитет"), T("1.1"), F(46113.0, "d.mmm")],
            vec![T("Уйский МР"), N(1.0), N(2.0)],
        ],
    );
    wb.save(&xlsx).unwrap();
    let err = refused(&home, &dir, &[xlsx.to_str().unwrap()]);
    assert!(
        err.contains(
            "дата.xlsx: строка 1, столбец C: заголовок — дата «01.04.2026», а не номер показателя"
        ),
        "{err}"
    );
    assert!(err.contains("('1.4)"), "{err}");
    assert!(!err.contains("46113"), "{err}");
}

/// A damaged XLSX is named so in Russian, with the library's words only after it.
#[test]
fn a_damaged_book_is_named_in_russian() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, dir) = campaign(tmp.path());
    let xlsx = tmp.path().join("битый.xlsx");
    std::fs::write(&xlsx, b"PK\x03\x04 not a zip at all").unwrap();
    let err = refused(&home, &dir, &[xlsx.to_str().unwrap()]);
    assert!(
        err.contains("битый.xlsx: файл повреждён или это не книга XLSX (техническая причина: "),
        "{err}"
    );
    let russian = err.split("техническая причина").next().unwrap_or("");
    assert!(!russian.contains("error"), "{err}");
}
