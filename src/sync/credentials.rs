//! Who sobes says it is to a server hub, each source tried once per sync: libgit2 asks again
//! after every refusal, and a wrong token given fifteen times in one sync gets an address
//! banned (GitLab: 30 failures in 3 minutes). For https: a token written into the address, the
//! `SOBES_HUB_TOKEN` variable, the token `sobes hub login` stored, the user's git credential
//! helpers (from the user's git configuration, never the campaign's). For ssh: the ssh agent,
//! then the user's key files. And what a failure means, said in Russian.

use git2::{Cred, CredentialType, Error, ErrorClass, ErrorCode};
use std::path::PathBuf;

/// The variable a token may be given in (for scripts and CI).
pub const TOKEN_VAR: &str = "SOBES_HUB_TOKEN";
/// The passphrase of the user's ssh key, when it has one.
pub const PASSPHRASE_VAR: &str = "SOBES_SSH_PASSPHRASE";

#[derive(Default)]
pub struct Credentials {
    /// How many sources of each kind were tried: user and password, ssh keys.
    passwords: usize,
    keys: usize,
    /// What was tried, for the message when the server refused them all.
    tried: Vec<String>,
    /// The ssh server's key, as OpenSSH shows it (`SHA256:…`), for an unknown host.
    host_key: Option<String>,
    /// The same key as a known_hosts line writes it: its type and base64 (`ssh-ed25519 AAAA…`).
    pub host_key_line: Option<String>,
}

impl Credentials {
    /// The next source not yet tried for what the server allows; an error when none is left
    /// (which ends the transfer: no source is given twice).
    pub fn next(
        &mut self,
        url: &str,
        user: Option<&str>,
        allowed: CredentialType,
    ) -> Result<Cred, Error> {
        if allowed.contains(CredentialType::USERNAME) {
            return Cred::username(user.unwrap_or("git"));
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            while let Some(found) = self.ssh_key(user.unwrap_or("git")) {
                if let Some(cred) = found {
                    return Ok(cred);
                }
            }
        } else if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
            while let Some(found) = self.password(url, user) {
                if let Some(cred) = found {
                    return Ok(cred);
                }
            }
        }
        Err(Error::new(
            ErrorCode::Auth,
            ErrorClass::Net,
            "no credentials left",
        ))
    }

    /// The next password source: `None` when all were tried, `Some(None)` for one that has
    /// nothing to give.
    fn password(&mut self, url: &str, user: Option<&str>) -> Option<Option<Cred>> {
        let n = self.passwords;
        self.passwords += 1;
        let name = user.unwrap_or("sobes");
        let token = |said: &str, value: Option<String>| {
            value
                .filter(|v| !v.is_empty())
                .map(|v| (said.to_string(), v))
        };
        let found = match n {
            0 => token(
                "токен из адреса",
                std::env::var(super::address::SECRET_VAR).ok(),
            ),
            1 => token(
                &format!("переменная {TOKEN_VAR}"),
                std::env::var(TOKEN_VAR).ok(),
            ),
            2 => match stored_token(url) {
                Ok(t) => token("токен sobes hub login", t),
                Err(why) => {
                    self.tried
                        .push(format!("токен sobes hub login не прочитан: {why}"));
                    None
                }
            },
            3 => {
                let helper = git2::Config::open_default()
                    .ok()
                    .and_then(|c| Cred::credential_helper(&c, url, user).ok());
                if let Some(cred) = helper {
                    self.tried.push("помощник учётных данных git".into());
                    return Some(Some(cred));
                }
                None
            }
            _ => return None,
        };
        Some(found.and_then(|(said, secret)| {
            self.tried.push(said);
            Cred::userpass_plaintext(name, &secret).ok()
        }))
    }

    fn ssh_key(&mut self, user: &str) -> Option<Option<Cred>> {
        let n = self.keys;
        self.keys += 1;
        if n == 0 {
            self.tried.push("ssh-агент".into());
            return Some(Cred::ssh_key_from_agent(user).ok());
        }
        let file = key_files().into_iter().filter(|f| f.is_file()).nth(n - 1)?;
        self.tried.push(format!("ключ {}", file.display()));
        // A passphrase typed for this sync (the TUI's prompt) comes as the address's secret.
        let passphrase = std::env::var(super::address::SECRET_VAR)
            .ok()
            .or_else(|| std::env::var(PASSPHRASE_VAR).ok());
        // With its public half beside it, a key protected by a passphrase needs nothing
        // else read before the passphrase.
        let public = file.with_extension("pub");
        let public = public.is_file().then_some(public.as_path());
        Some(Cred::ssh_key(user, public, &file, passphrase.as_deref()).ok())
    }

    /// The unknown server's key as OpenSSH shows it.
    pub fn fingerprint(&self) -> Option<&str> {
        self.host_key.as_deref()
    }

    /// Remembers an ssh server's key, to name it if the server is unknown.
    pub fn saw_certificate(&mut self, cert: &git2::cert::Cert<'_>, _host: &str) {
        let Some(key) = cert.as_hostkey() else {
            return;
        };
        if let Some(sha) = key.hash_sha256() {
            self.host_key = Some(format!("SHA256:{}", base64(sha).trim_end_matches('=')));
        }
        if let (Some(raw), Some(kind)) = (key.hostkey(), key.hostkey_type()) {
            self.host_key_line = Some(format!("{} {}", kind.name(), base64(raw)));
        }
    }
}

/// The user's ssh key files, in the order OpenSSH tries them.
fn key_files() -> Vec<PathBuf> {
    let Some(home) = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from)
    else {
        return Vec::new();
    };
    ["id_ed25519", "id_ecdsa", "id_rsa"]
        .iter()
        .map(|k| home.join(".ssh").join(k))
        .collect()
}

/// The token `sobes hub login` stored for the server of `url`; why its file does not read.
fn stored_token(url: &str) -> Result<Option<String>, String> {
    let paths = crate::paths::Paths::from_env()?;
    let tokens = super::tokens::Tokens::load(&paths.config_dir).map_err(|e| e.to_string())?;
    Ok(tokens.for_url(url))
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The server did not let this computer in: no credential it was given served (libgit2
/// says so with its own code, or, for ssh, with words).
pub fn login_refused(e: &Error) -> bool {
    e.code() == ErrorCode::Auth
        || e.class() == ErrorClass::Ssh && e.message().contains("authenticate")
}

/// An ssh server whose key is not in the user's known_hosts.
pub fn unknown_host(e: &Error) -> bool {
    let detail = e.message().to_lowercase();
    e.class() == ErrorClass::Ssh
        && !login_refused(e)
        && (detail.contains("known") || detail.contains("host"))
}

/// Adds `line` (`host key-type base64`) to the user's `~/.ssh/known_hosts`, which libgit2
/// reads: the server the user chose to trust. Returns the file.
pub fn trust_host(line: &str) -> std::io::Result<PathBuf> {
    use std::io::Write;
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from)
        .ok_or_else(|| std::io::Error::other("не найдена домашняя папка пользователя"))?;
    let ssh = home.join(".ssh");
    crate::storage::create_private_dir(&ssh).map_err(std::io::Error::other)?;
    let file = ssh.join("known_hosts");
    let mut out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file)?;
    out.write_all(format!("{}\n", line.trim()).as_bytes())?;
    out.sync_all()?;
    Ok(file)
}

/// What a failed transfer means, in the panel's words.
pub fn explain(e: &Error, credentials: &Credentials) -> String {
    let detail = crate::model::collate::escape_controls(e.message());
    let kept = "ответы на этом ноутбуке целы, кампания не изменена";
    match (e.class(), e.code()) {
        _ if login_refused(e) => format!(
            "сервер не принял вход (токен или ключ неверен, просрочен или без прав на запись?); пробовали по одному разу: {}; новый токен сохраняет sobes hub login АДРЕС; {kept}",
            if credentials.tried.is_empty() {
                "ничего (ни токена, ни ключа не найдено)".to_string()
            } else {
                credentials.tried.join(", ")
            }
        ),
        _ if unknown_host(e) => format!(
            "ключ ssh-сервера неизвестен этому компьютеру{}: доверяйте ему, только если администратор подтвердил этот отпечаток; {kept}",
            credentials
                .host_key
                .as_ref()
                .map(|k| format!(" (отпечаток {k})"))
                .unwrap_or_default()
        ),
        (_, ErrorCode::Certificate) | (ErrorClass::Ssl, _) => format!(
            "сертификат сервера не подтверждён (выдан неизвестным удостоверяющим центром или на другое имя?): {detail}; если у института свой удостоверяющий центр, укажите файл его сертификата в переменной SOBES_HUB_CA; {kept}"
        ),
        (ErrorClass::Net | ErrorClass::Os, _) => {
            format!("сервер недоступен (нет сети, неверный адрес, прокси?): {detail}; {kept}")
        }
        _ => format!("обмен с сервером не удался: {detail}; {kept}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_written_as_openssh_writes_them() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn each_source_is_tried_once_and_then_none() {
        let mut c = Credentials::default();
        let allowed = CredentialType::SSH_KEY;
        let mut given = 0;
        while c.next("ssh://h/x", Some("git"), allowed).is_ok() {
            given += 1;
            assert!(given < 10, "a source given again");
        }
        assert!(c.next("ssh://h/x", Some("git"), allowed).is_err());
    }
}
