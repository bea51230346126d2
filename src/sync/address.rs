//! A hub on a git server, told from a hub folder by how it is written: `https://…`,
//! `http://…`, `ssh://…`, `git://…` or `user@host:path`. A folder path is never taken for an
//! address, even with a `:` in it (desktop mounts of network shares have one): only those
//! forms are.

use std::path::Path;

/// A server hub's address, with any password or token written into it kept apart: what is
/// shown and remembered never holds the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    /// The address libgit2 is given: the secret left out (it goes to the credentials).
    pub url: String,
    /// A password or token written into the address (`https://user:token@host/…`).
    pub secret: Option<String>,
    /// The user named in the address, if any.
    pub user: Option<String>,
}

/// A secret written into the hub's address reaches the transfer's child process here, not
/// in its arguments (which every user of the computer may list).
pub const SECRET_VAR: &str = "SOBES_HUB_SECRET";

const SCHEMES: [&str; 4] = ["https://", "http://", "ssh://", "git://"];

impl Address {
    /// The address written in `hub`, or `None` for a folder.
    pub fn of(hub: &Path) -> Option<Address> {
        let text = hub.to_str()?.trim();
        if let Some(scheme) = SCHEMES.iter().find(|s| starts_with_ignoring_case(text, s)) {
            return Some(with_scheme(text, scheme));
        }
        scp_like(text)
    }

    /// `hub` with `secret` written into it, for one sync (a token typed in the TUI): it goes
    /// to the transfer as the address's own secret, and is never shown or remembered.
    pub fn with_secret(&self, secret: &str) -> std::path::PathBuf {
        let Some((scheme, rest)) = self.url.split_once("://") else {
            // `user@host:path` holds no secret: written as ssh:// (a path without `/` is
            // under the user's home there, `/~/` to libgit2).
            let (user_host, path) = self.url.split_once(':').unwrap_or((&self.url, ""));
            let host = user_host.rsplit_once('@').map_or(user_host, |(_, h)| h);
            let user = self.user.as_deref().unwrap_or("git");
            let path = path
                .strip_prefix('/')
                .map_or(format!("~/{path}"), str::to_string);
            return format!("ssh://{user}:{secret}@{host}/{path}").into();
        };
        let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
        let user = self.user.as_deref().unwrap_or("sobes");
        format!("{scheme}://{user}:{}@{host}", encoded(secret)).into()
    }

    /// How known_hosts names this ssh server: `host`, or `[host]:port` off port 22.
    pub fn known_hosts_name(&self) -> Option<String> {
        if !self.is_ssh() {
            return None;
        }
        let rest = self.url.strip_prefix("ssh://").unwrap_or(&self.url);
        let authority = rest.split('/').next()?;
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if !self.url.starts_with("ssh://") {
            return host_port.split(':').next().map(str::to_string);
        }
        Some(match host_port.rsplit_once(':') {
            Some((host, port)) if port != "22" => format!("[{host}]:{port}"),
            Some((host, _)) => host.to_string(),
            None => host_port.to_string(),
        })
    }

    /// The address as shown and remembered.
    pub fn shown(&self) -> &str {
        &self.url
    }

    pub fn is_ssh(&self) -> bool {
        self.url.starts_with("ssh://") || !self.url.contains("://")
    }
}

fn starts_with_ignoring_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

fn with_scheme(text: &str, scheme: &str) -> Address {
    let rest = &text[scheme.len()..];
    let host_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(host_end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return Address {
            url: format!("{scheme}{rest}"),
            secret: None,
            user: None,
        };
    };
    let (user, secret) = match userinfo.split_once(':') {
        Some((u, s)) => (u, Some(decoded(s))),
        None => (userinfo, None),
    };
    let user = (!user.is_empty()).then(|| user.to_string());
    let shown_user = user.as_deref().map(|u| format!("{u}@")).unwrap_or_default();
    Address {
        url: format!("{scheme}{shown_user}{host}{path}"),
        secret: secret.filter(|s| !s.is_empty()),
        user,
    }
}

/// A secret as an address holds it: a `/`, `@` or `:` in a token would otherwise end the
/// user's part early and send the rest to another host.
fn encoded(secret: &str) -> String {
    let mut out = String::new();
    for b in secret.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// [`encoded`] undone (and a `%` that starts no pair kept as it is).
fn decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let pair = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match pair.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) if bytes[i] == b'%' => {
                out.push(b);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `user@host:path`, as ssh and git write it: a user, a host of letters, digits, dots and
/// dashes, a colon, and a path. `C:\…`, `/mnt/smb-share:server=…` and `./a@b:c` are folders.
fn scp_like(text: &str) -> Option<Address> {
    let (user, rest) = text.split_once('@')?;
    let (host, path) = rest.split_once(':')?;
    let plain = |s: &str, extra: &[char]| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c))
    };
    if !plain(user, &['.', '_', '-']) || !plain(host, &['.', '-']) || path.is_empty() {
        return None;
    }
    Some(Address {
        url: text.to_string(),
        secret: None,
        user: Some(user.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(s: &str) -> Option<Address> {
        Address::of(Path::new(s))
    }

    #[test]
    fn addresses_and_folders_are_told_apart() {
        for folder in [
            "/media/флешка/узел",
            "./узел",
            "C:\\Users\\Анна\\узел",
            "/run/user/1000/gvfs/smb-share:server=nas,share=obmen/узел",
            "узел",
            "a@b",
            "./a@b:c",
        ] {
            assert_eq!(of(folder), None, "{folder}");
        }
        let a = of("https://gitea.chippkro.ru/metod/2026.git").unwrap();
        assert_eq!(a.url, "https://gitea.chippkro.ru/metod/2026.git");
        assert_eq!((a.secret, a.user), (None, None));
        let a = of("git@gitlab.example:metod/2026.git").unwrap();
        assert_eq!(a.url, "git@gitlab.example:metod/2026.git");
        assert!(a.is_ssh());
        assert!(of("ssh://git@127.0.0.1:2222/srv/hub.git").unwrap().is_ssh());
        assert!(!of("HTTP://host/x").unwrap().is_ssh());
        let name = |s: &str| of(s).unwrap().known_hosts_name();
        assert_eq!(
            name("ssh://git@10.0.0.5:2222/srv/hub.git").as_deref(),
            Some("[10.0.0.5]:2222")
        );
        assert_eq!(
            name("ssh://git@gitlab.example:22/x.git").as_deref(),
            Some("gitlab.example")
        );
        assert_eq!(
            name("ssh://gitlab.example/x.git").as_deref(),
            Some("gitlab.example")
        );
        assert_eq!(
            name("git@gitlab.example:metod/x.git").as_deref(),
            Some("gitlab.example")
        );
        assert_eq!(name("https://gitlab.example/x.git"), None);
    }

    #[test]
    fn a_secret_in_the_address_is_kept_apart() {
        let a = of("https://anna:glpat-секрет@git.example/metod/hub.git").unwrap();
        assert_eq!(a.url, "https://anna@git.example/metod/hub.git");
        assert_eq!(a.secret.as_deref(), Some("glpat-секрет"));
        assert_eq!(a.user.as_deref(), Some("anna"));
        assert!(!a.shown().contains("секрет"));
        // A token with the characters that end a user's part goes whole, to the same host.
        let odd = "ab/c@d:e%f новый";
        let again = Address::of(&a.with_secret(odd)).unwrap();
        assert_eq!(again.url, a.url);
        assert_eq!(again.secret.as_deref(), Some(odd));
        let again = Address::of(&a.with_secret("новый")).unwrap();
        assert_eq!(again.url, a.url);
        assert_eq!(again.secret.as_deref(), Some("новый"));
        let scp = of("git@gitlab.example:metod/x.git").unwrap();
        let with = scp.with_secret("пароль");
        assert_eq!(
            with,
            Path::new("ssh://git:пароль@gitlab.example/~/metod/x.git")
        );
        assert_eq!(
            Address::of(&with).unwrap().secret.as_deref(),
            Some("пароль")
        );
        let a = of("https://:token@git.example/hub.git").unwrap();
        assert_eq!(a.url, "https://git.example/hub.git");
        assert_eq!(a.secret.as_deref(), Some("token"));
    }
}
