//! The annex: lists from the campaign, the reconstruction of 2022 against the letter, the
//! outputs (Markdown, DOCX, CSV, XLSX) and the refusals of an export.

use sobes::annex::{self, ExportOptions, Format};
use sobes::data::{DataSet, Overrides};
use sobes::model::campaign::Campaign;
use sobes::model::change::{Change, apply};
use sobes::model::template::Template;
use sobes::storage;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

mod export;
mod letter;
mod outputs;

const RECON: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/campaigns/chelyabinsk-2022"
);

fn data() -> DataSet {
    DataSet::load(&Overrides::default(), None).expect("built-in data")
}

fn recon(data: &DataSet) -> Campaign {
    storage::load(Path::new(RECON), &data.registry).expect("the reconstruction loads")
}

/// The reconstruction as if it were this year's campaign: the letter's unassigned
/// municipalities are then gaps to fill before sending.
fn recon_as_draft(data: &DataSet) -> Campaign {
    let mut campaign = recon(data);
    assert!(campaign.meta.facts.remove(annex::AS_SENT).is_some());
    campaign
}

fn sobes(home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sobes"))
        .args(args)
        .env("SOBES_HOME", home)
        .output()
        .expect("sobes runs")
}

/// A fresh copy of the reconstruction made by `sobes new DIR --from chelyabinsk-2022`.
fn recon_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c2022");
    let out = sobes(
        tmp.path(),
        &["new", dir.to_str().unwrap(), "--from", "chelyabinsk-2022"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (tmp, dir)
}

fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip package");
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.is_dir() {
            continue;
        }
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        out.insert(f.name().unwrap().to_string(), s);
    }
    out
}

/// The visible text of a WordprocessingML part: the contents of every <w:t>.
fn docx_text(xml: &str) -> String {
    // A paragraph a line: its runs' texts joined, Word's no-break hyphen read as a hyphen.
    let mut out = String::new();
    let mut rest = xml;
    loop {
        let next = ["<w:t", "<w:noBreakHyphen", "</w:p>"]
            .iter()
            .filter_map(|tag| rest.find(tag).map(|at| (at, *tag)))
            .min();
        let Some((at, tag)) = next else { break };
        let tail = &rest[at..];
        match tag {
            "</w:p>" => {
                out.push('\n');
                rest = &tail[tag.len()..];
            }
            "<w:noBreakHyphen" => {
                out.push('-');
                rest = &tail[tag.len()..];
            }
            _ => {
                let open_end = tail.find('>').unwrap();
                if tail[..open_end].ends_with('/')
                    || !(tail.as_bytes()[4] == b'>' || tail.as_bytes()[4] == b' ')
                {
                    rest = &tail[open_end + 1..];
                    continue;
                }
                let body = &tail[open_end + 1..];
                let close = body.find("</w:t>").unwrap();
                out.push_str(&body[..close]);
                rest = &body[close..];
            }
        }
    }
    out.replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

fn empty_campaign(data: &DataSet) -> Campaign {
    sobes::session::empty_campaign(data)
}

/// Answers `question` with `value` for the first `n` municipalities of the registry.
fn answer_first(data: &DataSet, campaign: &mut Campaign, n: usize, question: &str, value: &str) {
    let stamp = sobes::model::change::Stamp {
        by: "т".into(),
        at: "2026-09-14T10:00:00Z".into(),
    };
    let q = data.protocol.question(question).unwrap();
    for m in data.registry.municipalities.iter().take(n) {
        let v = data.protocol.parse_value(q, value).unwrap();
        let r = campaign.record_mut(&m.id);
        let c = Change::answer(r, question, Some(v), &stamp);
        *r = apply(r, &c, &data.protocol, &data.dimensions).unwrap();
    }
}
