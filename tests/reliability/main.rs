//! Nothing lost, nothing broken by bad input (issue 4): crash safety under SIGKILL, one
//! writer per campaign, damaged and hostile files, protocol changes, file permissions.
//! The terminal after a quit and after a forced panic is checked under tmux at the end.
//! Unix only: kills by signal, flock(1), permissions and tmux; Windows runs the portable
//! half of these promises in `tests/portable.rs`.

#![cfg(unix)]

use sobes::model::campaign::{Record, Value};
use sobes::model::source::{Origin, parse_ron};
use sobes::storage;
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};

use crate::common;
use common::{BIN, Env, snapshot, stderr, stdout};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod crash;
mod damaged;
mod hostile;
mod terminal;

fn hostname() -> String {
    gethostname::gethostname()
        .to_string_lossy()
        .trim()
        .to_string()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}
