//! The lock on a campaign: one writer at a time, the others told who holds it.

use super::remove::remove_stale_temps;
use super::{RECORDS_DIR, StoreError, io_err, read_text};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

pub const LOCK_FILE: &str = "sobes.lock";
/// Who holds the lock, beside it: on Windows the locked file itself cannot be read.
pub const HOLDER_FILE: &str = "sobes.lock.holder";

/// The lock on a campaign, held while this process may write. Released on drop.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Takes the lock or says who holds it. The OS drops the lock with its process, so a
    /// lock file left by a dead process does not block.
    pub fn acquire(dir: &Path) -> Result<Lock, StoreError> {
        let path = dir.join(LOCK_FILE);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&path).map_err(io_err(&path))?;
        match file.try_lock() {
            Ok(()) => {
                let host = host_name();
                let me = format!(
                    "процесс {} на {host} с {}",
                    std::process::id(),
                    crate::clock::local(&crate::clock::now())
                );
                file.set_len(0).map_err(io_err(&path))?;
                file.write_all(me.as_bytes()).map_err(io_err(&path))?;
                // Windows' lock is mandatory: nobody else can read the locked file, so the
                // name goes beside it too.
                let _ = fs::write(dir.join(HOLDER_FILE), me.as_bytes());
                // Leftovers of writers killed before their rename; what cannot be removed
                // here, `check` lists.
                remove_stale_temps(dir);
                remove_stale_temps(&dir.join(RECORDS_DIR));
                Ok(Lock { _file: file })
            }
            Err(fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                if file.read_to_string(&mut holder).is_err() || holder.trim().is_empty() {
                    holder = read_text(&dir.join(HOLDER_FILE)).unwrap_or_default();
                }
                Err(StoreError::Locked {
                    path,
                    holder: if holder.trim().is_empty() {
                        "неизвестно кто".into()
                    } else {
                        holder.trim().to_string()
                    },
                })
            }
            Err(fs::TryLockError::Error(e)) => Err(io_err(&path)(e)),
        }
    }
}

/// This computer's name, for the lock file; portable (not only Linux's /etc/hostname).
pub fn host_name() -> String {
    let host = gethostname::gethostname()
        .to_string_lossy()
        .trim()
        .to_string();
    if host.is_empty() { "?".into() } else { host }
}
