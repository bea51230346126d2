//! sshd letting one generated key in, and that key only into `git-shell`.

use super::{Process, SSHD, SSHD_PRIVSEP_DIR, git_program, must, stdout, unavailable};
use std::path::{Path, PathBuf};
use std::process::Command;

/// sshd on a loopback port for the current user, with a client key of its own whose
/// sessions can run nothing but git's (git-shell).
pub struct SshServer {
    _process: Process,
    port: u16,
    user: String,
    root: PathBuf,
    dir: tempfile::TempDir,
}

impl SshServer {
    pub fn start(root: &Path) -> Option<SshServer> {
        if !Path::new(SSHD).is_file() {
            return unavailable(&format!(
                "{SSHD} is missing (apt-get install openssh-server)"
            ));
        }
        // ssh-keygen makes the keys; the client, ssh, is what git runs to reach the server.
        for program in ["ssh-keygen", "ssh"] {
            if Command::new(program).arg("-V").output().is_err() {
                return unavailable(&format!("there is no {program} program"));
            }
        }
        let shell = git_program("git-shell")?;
        // Debian's sshd will not start without it, and only the service creates it.
        if let Err(e) = std::fs::create_dir_all(SSHD_PRIVSEP_DIR) {
            return unavailable(&format!("{SSHD_PRIVSEP_DIR} could not be made: {e}"));
        }
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        keygen(&d.join("host_key"));
        keygen(&d.join("client_key"));
        let client = std::fs::read_to_string(d.join("client_key.pub")).unwrap();
        // The key may run git-shell on what the client asked for, nothing else.
        let authorized = format!(
            "restrict,command=\"{} -c \\\"$SSH_ORIGINAL_COMMAND\\\"\" {client}",
            shell.display()
        );
        std::fs::write(d.join("authorized_keys"), authorized).unwrap();
        let mut id = Command::new("id");
        id.arg("-un");
        let user = stdout(&must(id)).trim().to_owned();
        let conf = d.join("sshd_config");
        let process = Process::start(&d.join("sshd.log"), b"SSH-2.0-", |port| {
            std::fs::write(&conf, config(d, port, &user)).unwrap();
            let mut c = Command::new(SSHD);
            c.arg("-D").arg("-e").arg("-f").arg(&conf);
            c
        });
        let host = std::fs::read_to_string(d.join("host_key.pub")).unwrap();
        let known = format!("[127.0.0.1]:{} {host}", process.port);
        std::fs::write(d.join("known_hosts"), known).unwrap();
        Some(SshServer {
            port: process.port,
            _process: process,
            user,
            root: root.canonicalize().unwrap(),
            dir,
        })
    }

    /// `ssh://USER@127.0.0.1:PORT/ABSOLUTE/PATH` of the repository `root/name` (or of
    /// `name` itself when it is an absolute path): git-shell knows no base directory.
    pub fn url(&self, name: &str) -> String {
        let path = self.root.join(name);
        format!(
            "ssh://{}@127.0.0.1:{}{}",
            self.user,
            self.port,
            path.display()
        )
    }

    /// The private key the server lets in (no passphrase).
    pub fn client_key(&self) -> PathBuf {
        self.dir.path().join("client_key")
    }

    /// A known_hosts file naming the server's host key as `[127.0.0.1]:PORT`.
    pub fn known_hosts(&self) -> PathBuf {
        self.dir.path().join("known_hosts")
    }

    /// A `GIT_SSH_COMMAND` that logs in with [`SshServer::client_key`], trusts only
    /// [`SshServer::known_hosts`], reads none of the user's ssh settings and never asks.
    pub fn ssh_command(&self) -> String {
        ssh_command(&self.client_key(), &self.known_hosts())
    }
}

/// `ssh` with `key`, trusting the hosts of `known_hosts` only, for `GIT_SSH_COMMAND`
/// (which a shell reads: hence the quotes).
pub fn ssh_command(key: &Path, known_hosts: &Path) -> String {
    format!(
        "ssh -F /dev/null -i '{}' -o IdentitiesOnly=yes -o UserKnownHostsFile='{}' \
         -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes",
        key.display(),
        known_hosts.display()
    )
}

/// An ed25519 key pair without passphrase: `path` and `path.pub`.
pub fn keygen(path: &Path) {
    let mut c = Command::new("ssh-keygen");
    c.args(["-q", "-t", "ed25519", "-N", "", "-C", "sobes-test", "-f"])
        .arg(path);
    must(c);
}

/// sshd's configuration: the files of `dir` only, public keys only, nothing but sessions.
/// StrictModes is off because the temporary directory's owner and modes are not sshd's
/// business here; root may log in because CI runs the tests as root.
fn config(dir: &Path, port: u16, user: &str) -> String {
    let d = dir.display();
    format!(
        "ListenAddress 127.0.0.1
Port {port}
HostKey {d}/host_key
PidFile {d}/sshd.pid
AuthorizedKeysFile {d}/authorized_keys
AllowUsers {user}
StrictModes no
UsePAM no
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
PrintLastLog no
UseDNS no
LogLevel VERBOSE
"
    )
}
