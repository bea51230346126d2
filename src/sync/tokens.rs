//! Tokens for server hubs, stored by `sobes hub login ADDRESS` in the user's configuration
//! folder (`hub-tokens.ron`, private to the user: sobes runs with umask 077), one per server,
//! never in the campaign and never in the remembered address.

use crate::model::source::{Origin, parse_ron};
use crate::storage::{StoreError, atomic_write, create_private_dir, read_text, to_ron};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const TOKENS_FILE: &str = "hub-tokens.ron";

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Tokens {
    /// Per server (`https://host:port`), its token.
    pub servers: BTreeMap<String, String>,
}

impl Tokens {
    pub fn file(config_dir: &Path) -> PathBuf {
        config_dir.join(TOKENS_FILE)
    }

    pub fn load(config_dir: &Path) -> Result<Tokens, StoreError> {
        let path = Tokens::file(config_dir);
        if !path.exists() {
            return Ok(Tokens::default());
        }
        let text = read_text(&path)?;
        parse_ron(&text, &Origin::from(path.as_path())).map_err(StoreError::Parse)
    }

    pub fn save(&self, config_dir: &Path) -> Result<(), StoreError> {
        create_private_dir(config_dir)?;
        atomic_write(&Tokens::file(config_dir), to_ron(self).as_bytes())
    }

    /// The token of the server `url` is on.
    pub fn for_url(&self, url: &str) -> Option<String> {
        self.servers.get(&server_of(url)).cloned()
    }

    /// Stores `token` for the server of `url` in the file in `config_dir`; the file.
    pub fn store(config_dir: &Path, url: &str, token: &str) -> Result<PathBuf, StoreError> {
        let mut tokens = Tokens::load(config_dir)?;
        tokens.set(url, token);
        tokens.save(config_dir)?;
        Ok(Tokens::file(config_dir))
    }

    pub fn set(&mut self, url: &str, token: &str) {
        self.servers.insert(server_of(url), token.to_string());
    }
}

/// `scheme://host:port` of an address, without a user: one token per server.
pub fn server_of(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.split(':').next().unwrap_or(url).to_lowercase();
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{}://{}", scheme.to_lowercase(), host.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_token_per_server_whatever_the_path_or_user() {
        let mut t = Tokens::default();
        t.set("https://anna@Git.Example:8443/metod/2026.git", "секрет");
        assert_eq!(
            t.for_url("https://git.example:8443/metod/2027.git")
                .as_deref(),
            Some("секрет")
        );
        assert_eq!(t.for_url("https://git.example/metod/2026.git"), None);
        assert_eq!(t.for_url("http://git.example:8443/metod/2026.git"), None);
    }
}
