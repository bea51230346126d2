//! Embeds the campaigns shipped in `data/campaigns/` (for `sobes new DIR --from NAME`): every
//! `campaign.ron`, its own data files (`registry.ron` …) and `municipalities/*.ron`, as (name,
//! [(relative path, text)]).

use std::fs;
use std::path::Path;

fn main() {
    let root = Path::new("data/campaigns");
    println!("cargo:rerun-if-changed=data/campaigns");
    let mut out = String::from("pub static CAMPAIGNS: &[(&str, &[(&str, &str)])] = &[\n");
    let mut names: Vec<_> = fs::read_dir(root)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_else(|_| Vec::new());
    names.sort();
    for dir in names {
        println!("cargo:rerun-if-changed={}", dir.display());
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut files = vec!["campaign.ron".to_string()];
        // A campaign of another region carries its own data files.
        for own in [
            "registry.ron",
            "protocol.ron",
            "clusters.ron",
            "monitoring.ron",
        ] {
            if dir.join(own).exists() {
                files.push(own.to_string());
            }
        }
        let records = dir.join("municipalities");
        println!("cargo:rerun-if-changed={}", records.display());
        let mut recs: Vec<String> = fs::read_dir(&records)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".ron"))
                    .collect()
            })
            .unwrap_or_default();
        recs.sort();
        files.extend(recs.into_iter().map(|n| format!("municipalities/{n}")));
        out.push_str(&format!("    ({name:?}, &[\n"));
        for f in files {
            let path = dir.join(&f).canonicalize().expect("shipped campaign file");
            println!("cargo:rerun-if-changed={}", path.display());
            out.push_str(&format!(
                "        ({f:?}, include_str!({:?})),\n",
                path.display().to_string()
            ));
        }
        out.push_str("    ]),\n");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("campaigns.rs");
    fs::write(dest, out).unwrap();
}
