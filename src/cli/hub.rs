//! `sobes hub login ADDRESS`: a server hub's token, stored for this user of the computer.

use super::out;
use crate::session::Failure;
use std::path::Path;

/// Stores the token of a server hub for this user: read from standard input (one line), or
/// taken from the address when written into it. Nothing is stored in a campaign.
pub fn cmd_hub_login(address: &str) -> Result<(), Failure> {
    let Some(a) = crate::sync::address::Address::of(Path::new(address)) else {
        return Err(Failure::new(format!(
            "«{address}» — не адрес сервера: ожидался https://сервер/группа/узел.git"
        )));
    };
    let token = match a.secret.clone() {
        Some(t) => t,
        None => {
            eprint!("токен для {}: ", crate::sync::tokens::server_of(&a.url));
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| Failure::new(format!("токен не прочитан: {e}")))?;
            line.trim().to_string()
        }
    };
    if token.is_empty() {
        return Err(Failure::new(
            "токен пуст: ничего не сохранено (токен выдаёт сервер: Gitea — Настройки → Приложения, GitLab — Preferences → Access tokens, с правом записи в хранилище)",
        ));
    }
    let paths = crate::paths::Paths::from_env().map_err(Failure::new)?;
    let file = crate::sync::tokens::Tokens::store(&paths.config_dir, &a.url, &token)?;
    out(&format!(
        "токен для {} сохранён в {} (только для этого пользователя компьютера)\n",
        crate::sync::tokens::server_of(&a.url),
        file.display()
    ))
}

/// After a server refused every credential: at a terminal, the token asked for (typed
/// unseen) and stored for this user, or for ssh the key's passphrase (kept for this sync
/// only), and the address with it for one more sync; in a script the refusal as it was.
pub fn ask_token(hub: &Path, why: &str) -> Result<std::path::PathBuf, Failure> {
    use std::io::IsTerminal;
    let refused = || Failure::new(format!("{}: {why}", crate::sync::shown(hub)));
    let address = crate::sync::address::Address::of(hub);
    let Some(address) = address.filter(|_| std::io::stdin().is_terminal()) else {
        return Err(refused());
    };
    eprintln!("sobes: {why}");
    let asked = if address.is_ssh() {
        "пароль ключа ssh".to_string()
    } else {
        format!("токен для {}", crate::sync::tokens::server_of(&address.url))
    };
    eprint!("{asked} (не показывается; Enter — готово, Esc — отмена): ");
    let token = read_unseen()
        .filter(|t| !t.is_empty())
        .ok_or_else(refused)?;
    // A key's passphrase serves this sync only.
    if address.is_ssh() {
        return Ok(address.with_secret(&token));
    }
    let paths = crate::paths::Paths::from_env().map_err(Failure::new)?;
    crate::sync::tokens::Tokens::store(&paths.config_dir, &address.url, &token)?;
    Ok(address.with_secret(&token))
}

/// After an ssh server's unknown key: at a terminal, asked whether to trust it (its
/// fingerprint is in `why`) and, if so, added to known_hosts; elsewhere the refusal.
pub fn ask_trust(hub: &Path, why: &str, line: &str) -> Result<(), Failure> {
    use std::io::IsTerminal;
    let refused = || Failure::new(format!("{}: {why}", crate::sync::shown(hub)));
    if !std::io::stdin().is_terminal() {
        return Err(refused());
    }
    eprintln!("sobes: {why}");
    eprint!("доверять этому серверу и запомнить его ключ? (д — да, н — нет): ");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|_| refused())?;
    if !matches!(
        answer.trim().to_lowercase().as_str(),
        "д" | "да" | "y" | "yes" | "l"
    ) {
        return Err(refused());
    }
    let file = crate::sync::credentials::trust_host(line)
        .map_err(|e| Failure::new(format!("ключ сервера не запомнен: {e}")))?;
    eprintln!("sobes: ключ сервера записан в {}", file.display());
    Ok(())
}

/// A line typed at the terminal without echo; `None` on Esc or Ctrl+C.
fn read_unseen() -> Option<String> {
    use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    use ratatui::crossterm::terminal;
    terminal::enable_raw_mode().ok()?;
    let mut typed = String::new();
    let done = loop {
        let k = match event::read() {
            Ok(Event::Key(k)) => k,
            Ok(_) => continue,
            Err(_) => break None,
        };
        if k.kind != KeyEventKind::Press {
            continue;
        }
        match k.code {
            KeyCode::Enter => break Some(typed),
            KeyCode::Esc => break None,
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => break None,
            KeyCode::Backspace => {
                typed.pop();
            }
            KeyCode::Char(c) => typed.push(c),
            _ => {}
        }
    };
    let _ = terminal::disable_raw_mode();
    eprintln!();
    done.map(|t| t.trim().to_string())
}
