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
    let mut tokens = crate::sync::tokens::Tokens::load(&paths.config_dir)?;
    tokens.set(&a.url, &token);
    tokens.save(&paths.config_dir)?;
    out(&format!(
        "токен для {} сохранён в {} (только для этого пользователя компьютера)\n",
        crate::sync::tokens::server_of(&a.url),
        crate::sync::tokens::Tokens::file(&paths.config_dir).display()
    ))
}
