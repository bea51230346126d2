//! Fetch and push over the network, in a child process (`sobes __transfer …`) the sync
//! waits for with a wall-clock limit and stops on Esc. libgit2's own timeouts end a silent
//! server, not a server that drips a byte a second, a credential helper that never answers,
//! or a name lookup that hangs: a child can always be killed, a thread cannot. The child
//! writes only into the hub's copy beside the campaign ([`super::server`]), never into the
//! campaign; what it brought is checked there by the folder hub's own boundary.

use super::address::{Address, SECRET_VAR};
use super::credentials::Credentials;
use super::{Step, SyncError, Watch};
use git2::{FetchOptions, FetchPrune, PushOptions, RemoteCallbacks, Repository};
use std::cell::RefCell;
use std::io::BufRead;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Duration;

/// The first argument that starts sobes as a transfer child.
pub const CHILD_ARG: &str = "__transfer";
/// The program started as the child: sobes itself, or the one this variable names (a test
/// running the library in its own process gives the real binary).
pub const EXE_VAR: &str = "SOBES_EXE";

static PROGRAM: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Names the sobes program to start as the child, for a process that is not sobes (a test
/// driving the TUI in its own process); the first call wins.
pub fn use_program(path: &Path) {
    let _ = PROGRAM.set(path.to_path_buf());
}

/// The program to start as the child. On Linux this very binary, even when an update replaced
/// its file while the TUI runs (the path then names the new one, or nothing).
fn program() -> Option<std::path::PathBuf> {
    let named = std::env::var_os(EXE_VAR).map(std::path::PathBuf::from);
    if let Some(p) = named.or_else(|| PROGRAM.get().cloned()) {
        return Some(p);
    }
    let own = Path::new("/proc/self/exe");
    if cfg!(target_os = "linux") && own.exists() {
        return Some(own.to_path_buf());
    }
    std::env::current_exe().ok()
}

/// What the hub's copy takes from the server: the devices' branches and the identity branch,
/// branches gone from the server gone from the copy too.
pub const FETCH_SPECS: [&str; 2] = [
    "+refs/heads/devices/*:refs/heads/devices/*",
    "+refs/heads/sobes:refs/heads/sobes",
];
/// The child's exit code when the server refused every credential.
const LOGIN_REFUSED: i32 = 2;
/// The child's exit code when an ssh server's key is unknown; its key is on stdout.
const UNKNOWN_HOST: i32 = 3;
/// More than this many bytes or objects is not a campaign: the fetch is stopped.
const MAX_BYTES: usize = 512 << 20;
const MAX_OBJECTS: usize = 2_000_000;

/// Fetches into the hub's copy in `mirror`, or pushes `refspecs` from it, in a child.
pub(super) fn transfer(
    mirror: &Path,
    address: &Address,
    refspecs: &[String],
    watch: &mut Watch,
) -> Result<(), SyncError> {
    let exe =
        program().ok_or_else(|| failed(address, "не найден исполняемый файл sobes".into()))?;
    let what = if refspecs.is_empty() { "fetch" } else { "push" };
    let mut command = Command::new(exe);
    command
        .arg(CHILD_ARG)
        .arg(what)
        .arg(mirror)
        .arg(&address.url)
        .args(refspecs)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match &address.secret {
        Some(s) => command.env(SECRET_VAR, s),
        None => command.env_remove(SECRET_VAR),
    };
    let mut child = command
        .spawn()
        .map_err(|e| failed(address, format!("не запустился обмен с сервером: {e}")))?;
    let pushing = !refspecs.is_empty();
    let (status, key, message) = wait(&mut child, address, pushing, watch)?;
    if status.success() {
        return Ok(());
    }
    let message = crate::model::collate::escape_controls(message.trim());
    if let (Some(UNKNOWN_HOST), Some(key), Some(host)) =
        (status.code(), key, address.known_hosts_name())
    {
        return Err(SyncError::UnknownHost {
            folder: address.shown().into(),
            message,
            known_hosts_line: format!("{host} {key}"),
        });
    }
    if status.code() == Some(LOGIN_REFUSED) {
        return Err(SyncError::Login {
            folder: address.shown().into(),
            message,
        });
    }
    Err(failed(address, message))
}

/// Each line of a pipe of the child, sent as it comes (a full pipe would stop the child).
fn lines_of(pipe: Option<impl std::io::Read + Send + 'static>) -> Receiver<String> {
    let (news, said) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let Some(pipe) = pipe else { return };
        for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
            if news.send(line).is_err() {
                break;
            }
        }
    });
    said
}

/// What the child said after it ended, for a moment at most: a program it started (a
/// credential helper) may hold its pipes open for ever.
fn rest_of(lines: &Receiver<String>) -> Vec<String> {
    let until = std::time::Instant::now() + Duration::from_secs(2);
    let mut rest = Vec::new();
    while let Some(left) = until.checked_duration_since(std::time::Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) => rest.push(line),
            Err(_) => break,
        }
    }
    rest
}

/// Waits for the child, telling `watch` its progress; kills it when the sync must stop.
/// Returns how it ended, the key of an unknown ssh server it named, and its error message.
fn wait(
    child: &mut std::process::Child,
    address: &Address,
    pushing: bool,
    watch: &mut Watch,
) -> Result<(std::process::ExitStatus, Option<String>, String), SyncError> {
    let said = lines_of(child.stdout.take());
    let errors = lines_of(child.stderr.take());
    let mut key = None;
    let mut heard = |line: String, watch: &mut Watch| match progress(&line) {
        Some(step) => watch.step(step),
        None => {
            if let Some(k) = line.strip_prefix("hostkey ") {
                key = Some(k.to_string());
            }
        }
    };
    loop {
        while let Ok(line) = said.try_recv() {
            heard(line, watch);
        }
        if let Some(status) = child.try_wait().ok().flatten() {
            for line in rest_of(&said) {
                heard(line, watch);
            }
            return Ok((status, key, rest_of(&errors).join("\n")));
        }
        if watch.stopped() {
            let _ = child.kill();
            let _ = child.wait();
            // A push comes after the merge was written: the campaign is not as it was.
            if pushing {
                return Err(failed(
                    address,
                    "отправка на сервер остановлена (отменена или шла дольше срока); всё слитое записано на этом ноутбуке, следующая синхронизация отправит его".into(),
                ));
            }
            watch.go_on(Path::new(address.shown()))?;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn failed(address: &Address, message: String) -> SyncError {
    SyncError::Hub {
        folder: address.shown().into(),
        message,
    }
}

/// A progress line of the child: `progress RECEIVED TOTAL BYTES`.
fn progress(line: &str) -> Option<Step> {
    let mut parts = line.strip_prefix("progress ")?.split(' ');
    let mut next = || parts.next()?.parse::<usize>().ok();
    Some(Step::Receiving {
        received: next()?,
        total: next()?,
        bytes: next()?,
    })
}

/// In the child: runs the transfer asked for when sobes was started as one (`None` when it
/// was not).
pub fn child_main() -> Option<ExitCode> {
    let mut args = std::env::args_os().skip(1);
    if args.next()? != CHILD_ARG {
        return None;
    }
    let args: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
    let result = match args.as_slice() {
        [what, mirror, url, refspecs @ ..] if what == "fetch" && refspecs.is_empty() => {
            run(Path::new(mirror), url, None)
        }
        [what, mirror, url, refspecs @ ..] if what == "push" && !refspecs.is_empty() => {
            run(Path::new(mirror), url, Some(refspecs))
        }
        _ => Err((
            1,
            "sobes __transfer: ожидалось fetch|push КОПИЯ АДРЕС [ВЕТКИ…]".into(),
        )),
    };
    Some(match result {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, message)) => {
            eprintln!("{message}");
            ExitCode::from(code)
        }
    })
}

/// What the callbacks learn during a transfer, for the message after it.
#[derive(Default)]
struct Heard {
    credentials: Credentials,
    refused: Vec<String>,
    too_big: bool,
    /// What the server's own programs said (a hook declining a push), escaped.
    server_said: String,
}

/// A failed transfer: the child's exit code and its message.
type Failed = (u8, String);

fn run(mirror: &Path, url: &str, push: Option<&[String]>) -> Result<(), Failed> {
    set_options();
    let repo = Repository::open_bare(mirror).map_err(|e| (1, e.message().to_string()))?;
    let mut remote = repo
        .remote_anonymous(url)
        .map_err(|e| (1, super::credentials::explain(&e, &Credentials::default())))?;
    let heard = RefCell::new(Heard::default());
    let callbacks = callbacks(&heard);
    let mut proxy = git2::ProxyOptions::new();
    proxy.auto();
    let result = match push {
        Some(refspecs) => {
            let mut options = PushOptions::new();
            options.remote_callbacks(callbacks).proxy_options(proxy);
            remote.push(refspecs, Some(&mut options))
        }
        None => {
            let mut options = FetchOptions::new();
            options
                .remote_callbacks(callbacks)
                .proxy_options(proxy)
                .prune(FetchPrune::On)
                .download_tags(git2::AutotagOption::None);
            remote.fetch(&FETCH_SPECS, Some(&mut options), None)
        }
    };
    let heard = heard.into_inner();
    if heard.too_big {
        return Err((
            1,
            format!(
                "сервер прислал больше, чем бывает в кампании (более {} МБ или {MAX_OBJECTS} объектов): получение остановлено, ничего не принято",
                MAX_BYTES >> 20
            ),
        ));
    }
    result.map_err(|e| {
        let code = if super::credentials::login_refused(&e) {
            LOGIN_REFUSED as u8
        } else if super::credentials::unknown_host(&e)
            && let Some(line) = &heard.credentials.host_key_line
        {
            println!("hostkey {line}");
            UNKNOWN_HOST as u8
        } else {
            1
        };
        (code, super::credentials::explain(&e, &heard.credentials))
    })?;
    if !heard.refused.is_empty() {
        let said = crate::model::collate::escape_controls(heard.server_said.trim());
        return Err((
            1,
            format!(
                "сервер не принял: {}{}; ответы на этом ноутбуке целы, следующая синхронизация отправит их снова",
                heard.refused.join("; "),
                if said.is_empty() {
                    String::new()
                } else {
                    format!(" (сервер сказал: «{said}»)")
                }
            ),
        ));
    }
    Ok(())
}

fn callbacks(heard: &RefCell<Heard>) -> RemoteCallbacks<'_> {
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(move |url, user, allowed| {
        heard.borrow_mut().credentials.next(url, user, allowed)
    });
    callbacks.certificate_check(move |cert, host| {
        heard.borrow_mut().credentials.saw_certificate(cert, host);
        Ok(git2::CertificateCheckStatus::CertificatePassthrough)
    });
    callbacks.transfer_progress(move |p| {
        println!(
            "progress {} {} {}",
            p.received_objects(),
            p.total_objects(),
            p.received_bytes()
        );
        let fits = p.received_bytes() <= MAX_BYTES && p.total_objects() <= MAX_OBJECTS;
        if !fits {
            heard.borrow_mut().too_big = true;
        }
        fits
    });
    callbacks.sideband_progress(move |text| {
        let mut heard = heard.borrow_mut();
        if heard.server_said.len() < 2000 {
            let text = String::from_utf8_lossy(text);
            heard.server_said.push_str(&text);
        }
        true
    });
    callbacks.push_update_reference(move |branch, status| {
        if let Some(why) = status {
            let why = crate::model::collate::escape_controls(why);
            heard.borrow_mut().refused.push(format!("{branch} ({why})"));
        }
        Ok(())
    });
    callbacks
}

/// How long a server may stay silent, in milliseconds (30 s; tests shorten it).
pub const TIMEOUT_VAR: &str = "SOBES_HUB_TIMEOUT_MS";

/// A certificate authority of the institute's own (a PEM file), trusted besides the system's.
pub const CA_VAR: &str = "SOBES_HUB_CA";

/// A silent server ends the transfer in seconds instead of never; an institute's own
/// certificate authority is trusted when named.
fn set_options() {
    if let Some(ca) = std::env::var_os(CA_VAR).filter(|c| !c.is_empty()) {
        // SAFETY: as below, once, before anything else of libgit2 runs.
        let _ = unsafe { git2::opts::set_ssl_cert_file(ca) };
    }
    let silence: i32 = std::env::var(TIMEOUT_VAR)
        .ok()
        .and_then(|t| t.parse().ok())
        .filter(|t| *t > 0)
        .unwrap_or(30_000);
    // SAFETY: these set libgit2's process-wide options; the child sets them once, before
    // any other thread or libgit2 call exists.
    unsafe {
        let _ = git2::opts::set_server_connect_timeout_in_milliseconds(silence.min(10_000));
        let _ = git2::opts::set_server_timeout_in_milliseconds(silence);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_lines_are_read_and_others_ignored() {
        assert_eq!(
            progress("progress 3 10 2048"),
            Some(Step::Receiving {
                received: 3,
                total: 10,
                bytes: 2048
            })
        );
        assert_eq!(progress("progress x"), None);
        assert_eq!(progress("remote: hello"), None);
    }
}
