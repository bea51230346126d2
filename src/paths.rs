//! Where sobes keeps its config and campaigns, and the user config itself.

use crate::model::source::{Origin, parse_ron};
use crate::storage::{StoreError, atomic_write, create_private_dir, host_name, read_text, to_ron};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub state_dir: PathBuf,
    /// The user's documents folder, when the platform has one.
    pub documents_dir: Option<PathBuf>,
}

impl Paths {
    /// `SOBES_HOME=DIR` puts everything under DIR; otherwise the platform's user directories.
    pub fn from_env() -> Result<Paths, String> {
        if let Some(home) = std::env::var_os("SOBES_HOME").filter(|h| !h.is_empty()) {
            let home = PathBuf::from(home);
            return Ok(Paths {
                config_dir: home.join("config"),
                data_dir: home.join("data"),
                state_dir: home.join("state"),
                documents_dir: Some(home.join("documents")),
            });
        }
        let dirs = directories::ProjectDirs::from("ru", "chippkro", "sobes")
            .ok_or("не удалось найти домашний каталог пользователя; задайте SOBES_HOME=КАТАЛОГ")?;
        Ok(Paths {
            config_dir: dirs.config_dir().to_path_buf(),
            data_dir: dirs.data_dir().to_path_buf(),
            state_dir: dirs
                .state_dir()
                .unwrap_or_else(|| dirs.data_local_dir())
                .to_path_buf(),
            documents_dir: directories::UserDirs::new()
                .and_then(|u| u.document_dir().map(Path::to_path_buf)),
        })
    }

    pub fn default_campaign(&self) -> PathBuf {
        self.data_dir.join("campaigns").join("default")
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.ron")
    }

    pub fn user_keymap(&self) -> PathBuf {
        self.config_dir.join("keymap.ron")
    }

    /// Where the TUI suggests writing exports: the user's documents folder when there is
    /// one (`documents` under `SOBES_HOME`), else the campaign directory.
    /// Where exports are suggested: the user's documents folder, else the folder the
    /// campaign is in; never inside the campaign, which holds campaign files only.
    pub fn export_dir(&self, campaign_dir: &Path) -> PathBuf {
        self.documents_dir
            .clone()
            .filter(|d| d.is_dir())
            .unwrap_or_else(|| {
                let campaign = std::path::absolute(campaign_dir)
                    .unwrap_or_else(|_| campaign_dir.to_path_buf());
                match campaign.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                }
            })
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename = "Config", deny_unknown_fields)]
pub struct Config {
    /// The name written beside every answer and decision.
    #[serde(default)]
    pub reviewer: Option<String>,
    /// The keymap used when `--keymap` is not given: "default", "vim" or a file.
    #[serde(default)]
    pub keymap: Option<String>,
    /// This computer's id in campaign histories, made on the first write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Per campaign directory, the hub it last synced with.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub hubs: std::collections::BTreeMap<String, String>,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, StoreError> {
        if !path.exists() {
            return Ok(Config::default());
        }
        let text = read_text(path)?;
        parse_ron(&text, &Origin::from(path)).map_err(StoreError::Parse)
    }

    /// This computer's device id, made and saved on first use.
    pub fn device(path: &Path) -> Result<String, StoreError> {
        let mut config = Config::load(path)?;
        if let Some(d) = &config.device {
            return Ok(d.clone());
        }
        let id = new_device_id();
        config.device = Some(id.clone());
        config.save(path)?;
        Ok(id)
    }

    /// The hub `campaign` last synced with, by the TUI or the command line.
    pub fn hub(&self, campaign: &Path) -> Option<PathBuf> {
        let raw = campaign.display().to_string();
        self.hubs
            .get(&hub_key(campaign))
            .or_else(|| self.hubs.get(&raw))
            .map(PathBuf::from)
    }

    /// Remembers `hub` as the one `campaign` syncs with (the campaign as an absolute path,
    /// so a command run from another folder finds it; the hub as `crate::sync::remembered`
    /// writes it).
    pub fn remember_hub(&mut self, campaign: &Path, hub: String) {
        self.hubs.remove(&campaign.display().to_string());
        self.hubs.insert(hub_key(campaign), hub);
    }

    pub fn save(&self, path: &Path) -> Result<(), StoreError> {
        if let Some(dir) = path.parent() {
            create_private_dir(dir)?;
        }
        atomic_write(path, to_ron(self).as_bytes())
    }
}

/// A campaign's key among the remembered hubs: its absolute path.
fn hub_key(campaign: &Path) -> String {
    std::path::absolute(campaign)
        .unwrap_or_else(|_| campaign.to_path_buf())
        .display()
        .to_string()
}

/// A device id for this computer: made once, kept in the user config (not in the campaign).
pub fn new_device_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write(host_name().as_bytes());
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without a documents folder the suggestion is beside the campaign, never inside it
    /// (an export there would be a stray file in the campaign for ever).
    #[test]
    fn exports_are_never_suggested_inside_the_campaign() {
        let paths = Paths {
            config_dir: PathBuf::from("/c"),
            data_dir: PathBuf::from("/d"),
            state_dir: PathBuf::from("/s"),
            documents_dir: Some(PathBuf::from("/nowhere/documents")),
        };
        // Absolute on every system («/work» is relative to the drive on Windows).
        let root = std::path::absolute("/work").unwrap();
        let campaign = root.join("кампании").join("2026");
        let campaign = campaign.as_path();
        assert_eq!(paths.export_dir(campaign), root.join("кампании"));
        assert!(!paths.export_dir(campaign).starts_with(campaign));
    }
}
