//! What the commands write: exports, temporary files, spreadsheet cells, OS errors.

use super::*;

#[test]
fn export_to_a_bare_file_name_writes_a_document_to_send() {
    let env = Env::new();
    let out = env.home().join("out");
    std::fs::create_dir(&out).unwrap();
    let export = |force: bool| {
        let mut c = env.command();
        c.current_dir(&out).arg("--campaign").arg(&env.dir);
        c.args([
            "export",
            "--format",
            "md",
            "-o",
            "annex.md",
            "--allow-incomplete",
        ]);
        if force {
            c.arg("--force");
        }
        c.output().unwrap()
    };
    let o = export(false);
    assert!(o.status.success(), "{}", stderr(&o));
    let file = out.join("annex.md");
    assert!(
        stdout(&o).contains(&file.display().to_string()),
        "the full path: {}",
        stdout(&o)
    );
    let o = export(true);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !out.join("annex.md.bak").exists(),
        "no backup beside a document"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_ne!(mode, 0o600, "the user's usual permissions, not private");
        assert_eq!(
            mode & 0o044,
            0o044 & !umask(),
            "readable as the umask allows"
        );
    }
}

/// The process umask, read back by setting it (tests in this binary do not race on it:
/// they only create files, and set it back at once).
#[cfg(unix)]
fn umask() -> u32 {
    let out = std::process::Command::new("sh")
        .args(["-c", "umask"])
        .output()
        .unwrap();
    u32::from_str_radix(String::from_utf8_lossy(&out.stdout).trim(), 8).unwrap_or(0o022)
}

#[test]
fn temp_files_of_killed_writers_are_removed_by_the_next_writer() {
    let env = Env::new();
    assert!(env.set("Уйский", "methodists", "3").status.success());
    let records = env.dir.join("municipalities");
    let stale = [
        records.join(".uysky-mr.ron.tmp999999"),
        env.dir.join(".campaign.ron.tmp999998"),
    ];
    let kept = [records.join("notes.txt"), records.join(".x.ron.tmpabc")];
    for f in stale.iter().chain(&kept) {
        std::fs::write(f, b"half a record").unwrap();
    }
    let o = env.run(&["check"]);
    assert!(
        stdout(&o).contains(".uysky-mr.ron.tmp999999"),
        "check lists them: {}",
        stdout(&o)
    );
    assert!(env.set("Уйский", "methodists", "4").status.success());
    for f in &stale {
        assert!(!f.exists(), "{} removed", f.display());
    }
    for f in &kept {
        assert!(f.exists(), "{} kept", f.display());
    }
}

#[test]
fn spreadsheet_cells_never_become_formulas() {
    let env = Env::new();
    let reasons = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@SUM(A1)"];
    let dims = ["training", "project_office", "regional_active"];
    for (i, reason) in reasons.iter().take(3).enumerate() {
        let o = env.run(&[
            "--as",
            "Т",
            "decide",
            "--municipality",
            "Уйский",
            "--dimension",
            dims[i],
            "--cluster",
            "1",
            "--reason",
            reason,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = env.run(&[
        "--as",
        "Т",
        "decide",
        "--municipality",
        "Ашинский",
        "--dimension",
        "training",
        "--cluster",
        "1",
        "--reason",
        reasons[3],
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = env.home().join("m.csv");
    let o = env.run(&["export", "--allow-incomplete", "-o", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&csv).unwrap();
    for cell in [
        "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
        ";'+1",
        ";'-2",
        ";'@SUM(A1)",
    ] {
        assert!(text.contains(cell), "{cell} in {text}");
    }
    let xlsx = env.home().join("m.xlsx");
    let o = env.run(&["export", "--allow-incomplete", "-o", xlsx.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&xlsx).unwrap()).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    assert!(
        !sheet.contains("<f>") && !sheet.contains("<f "),
        "no formula cells"
    );
    let mut strings = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/sharedStrings.xml").unwrap(),
        &mut strings,
    )
    .unwrap();
    assert!(strings.contains("=HYPERLINK"), "the text is kept as text");
}

#[test]
fn os_errors_are_said_in_russian_naming_the_path() {
    let env = Env::new();
    let missing = env.home().join("нет-такой-папки").join("x.md");
    let o = env.run(&[
        "export",
        "--allow-incomplete",
        "-o",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("нет такого файла или каталога"), "{err}");
    assert!(
        !err.contains("No such file") && !err.contains("os error"),
        "{err}"
    );
}

/// Where the system shows which processes run (/proc); elsewhere a temp file is judged by its
/// age (`tests/portable.rs`).
#[cfg(target_os = "linux")]
#[test]
fn an_export_removes_temp_files_of_dead_exports() {
    let env = Env::new();
    let out = env.home().join("a.md");
    let dead = env.home().join(".a.md.tmp999999");
    let alive = env.home().join(format!(".a.md.tmp{}", std::process::id()));
    std::fs::write(&dead, b"half").unwrap();
    std::fs::write(&alive, b"being written").unwrap();
    let o = env.run(&["export", "--allow-incomplete", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!dead.exists(), "a dead export's temp file goes");
    assert!(alive.exists(), "a living process's stays");
}

/// An export replaces only a plain file: a link or a FIFO in its place (as a device node
/// would be) is refused and left as it was.
#[cfg(unix)]
#[test]
fn an_export_writes_only_plain_files() {
    let env = Env::new();
    let target = env.home().join("чужой.txt");
    std::fs::write(&target, "не трогать").unwrap();
    let link = env.home().join("приложение.md");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let fifo = env.home().join("труба.md");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    for path in [&link, &fifo] {
        let o = env.run(&[
            "export",
            "-o",
            path.to_str().unwrap(),
            "--force",
            "--allow-incomplete",
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("это не обычный файл"), "{}", stderr(&o));
        assert!(
            !std::fs::symlink_metadata(path)
                .unwrap()
                .file_type()
                .is_file()
        );
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "не трогать");
}
