//! The data a session runs on: registry, protocol and cluster rules. Each comes from a file
//! given on the command line, else from the campaign directory, else from the defaults
//! compiled into the binary.

use crate::model::checks::{check_dimensions, check_protocol};
use crate::model::clusters::Dimensions;
use crate::model::monitoring::Monitoring;
use crate::model::protocol::Protocol;
use crate::model::registry::Registry;
use crate::model::source::{Origin, Source, SourceError};
use crate::storage::{StoreError, read_text};
use std::path::{Path, PathBuf};

pub const REGISTRY_FILE: &str = "registry.ron";
pub const PROTOCOL_FILE: &str = "protocol.ron";
pub const CLUSTERS_FILE: &str = "clusters.ron";
pub const MONITORING_FILE: &str = "monitoring.ron";

#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub registry: Option<PathBuf>,
    pub protocol: Option<PathBuf>,
    pub clusters: Option<PathBuf>,
    pub monitoring: Option<PathBuf>,
}

#[derive(Clone, Debug)]
pub struct DataSet {
    pub registry: Registry,
    pub protocol: Protocol,
    pub dimensions: Dimensions,
    /// The monitoring's criteria, indicators and levels.
    pub monitoring: Monitoring,
    pub protocol_source: Source,
    pub clusters_source: Source,
}

/// Reads a file for a loader: its damage, or a failure to read it, as a positioned error.
pub fn read_file(path: &Path) -> Result<String, SourceError> {
    read_text(path).map_err(|e| match e {
        StoreError::Parse(e) => e,
        other => SourceError::whole(Origin::from(path), other.to_string()),
    })
}

/// A built-in data file: its name for messages and its text.
pub type Builtin = (&'static str, &'static str);

/// Where a data file's text comes from: the flag given, its name, the built-in one.
type SourceLookup<'a> = dyn Fn(Option<&Path>, &str, Builtin) -> Result<Source, SourceError> + 'a;

/// The one lookup of every data file (registry, protocol, clusters, annex template): the
/// file given on the command line, else the file of that name in the campaign directory,
/// else the one compiled into the binary.
pub fn read_source(
    flag: Option<&Path>,
    campaign: Option<&Path>,
    file: &str,
    (builtin_name, builtin): Builtin,
) -> Result<Source, SourceError> {
    let path = flag
        .map(Path::to_path_buf)
        .or_else(|| campaign.map(|c| c.join(file)).filter(|p| p.exists()));
    Ok(match path {
        Some(path) => Source {
            text: read_file(&path)?,
            origin: Origin::File(path),
        },
        None => Source {
            origin: Origin::Builtin(builtin_name),
            text: builtin.to_string(),
        },
    })
}

impl DataSet {
    /// Loads and checks everything; every problem is returned, not only the first.
    pub fn load(over: &Overrides, campaign: Option<&Path>) -> Result<DataSet, Vec<SourceError>> {
        Self::load_with(
            &|flag, file, builtin| read_source(flag, campaign, file, builtin),
            over,
        )
    }

    /// The data set of files held in memory by name (`registry.ron` …; a commit's files),
    /// a name not given being the built-in file; checked as [`DataSet::load`] checks.
    pub fn from_texts(
        files: &std::collections::BTreeMap<String, String>,
    ) -> Result<DataSet, Vec<SourceError>> {
        Self::load_with(
            &|_, file, (builtin_name, builtin)| {
                Ok(match files.get(file) {
                    Some(text) => Source {
                        text: text.clone(),
                        origin: Origin::File(PathBuf::from(file)),
                    },
                    None => Source {
                        origin: Origin::Builtin(builtin_name),
                        text: builtin.to_string(),
                    },
                })
            },
            &Overrides::default(),
        )
    }

    fn load_with(
        read_source: &SourceLookup<'_>,
        over: &Overrides,
    ) -> Result<DataSet, Vec<SourceError>> {
        let mut problems = Vec::new();
        let reg_src = read_source(
            over.registry.as_deref(),
            REGISTRY_FILE,
            (
                "data/municipalities.ron",
                include_str!("../data/municipalities.ron"),
            ),
        );
        let proto_src = read_source(
            over.protocol.as_deref(),
            PROTOCOL_FILE,
            ("data/protocol.ron", include_str!("../data/protocol.ron")),
        );
        let clus_src = read_source(
            over.clusters.as_deref(),
            CLUSTERS_FILE,
            ("data/clusters.ron", include_str!("../data/clusters.ron")),
        );
        let monitoring = read_source(
            over.monitoring.as_deref(),
            MONITORING_FILE,
            (
                "data/monitoring.ron",
                include_str!("../data/monitoring.ron"),
            ),
        )
        .map_err(|e| vec![e])
        .and_then(|s| Monitoring::parse(&s.text, &s.origin))
        .map_err(|e| problems.extend(e))
        .ok();
        let registry = reg_src
            .map_err(|e| vec![e])
            .and_then(|s| Registry::parse(&s.text, s.origin))
            .map_err(|e| problems.extend(e))
            .ok();
        let protocol = proto_src
            .and_then(|s| Protocol::parse(&s.text, &s.origin).map(|p| (p, s)))
            .map_err(|e| problems.push(e))
            .ok();
        let dims = clus_src
            .and_then(|s| Dimensions::parse(&s.text, &s.origin).map(|d| (d, s)))
            .map_err(|e| problems.push(e))
            .ok();
        if let Some((p, ps)) = &protocol {
            problems.extend(check_protocol(p, ps));
            if let Some((d, ds)) = &dims {
                problems.extend(check_dimensions(d, p, ds));
            }
        }
        match (registry, protocol, dims, monitoring) {
            (
                Some(registry),
                Some((protocol, protocol_source)),
                Some((dimensions, clusters_source)),
                Some(monitoring),
            ) if problems.is_empty() => Ok(DataSet {
                registry,
                protocol,
                dimensions,
                monitoring,
                protocol_source,
                clusters_source,
            }),
            _ => Err(problems),
        }
    }
}
