//! A two-laptop sync through a git server, over each transport, beside the folder hub's: the
//! loopback servers of the tests (git daemon, lighttpd with git http-backend over http and
//! https, sshd with git-shell), each started here and stopped after its figure.

use super::*;
use crate::common::servers::{GitDaemon, HttpServer, SshServer, bare_repo};

/// The median sync of [`two_laptops`] per transport; a transport whose server program is
/// missing on this machine is left out.
pub(crate) fn measure_server_syncs(case: &Case, data: &DataSet) -> Vec<(&'static str, f64)> {
    sobes::sync::transfer::use_program(Path::new(crate::common::BIN));
    let root = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut figures = Vec::new();
    let mut through = |name: &'static str, url: String| {
        let dir = work.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        figures.push((name, two_laptops(case, data, &dir, Path::new(&url))));
    };
    if let Some(server) = GitDaemon::start(root.path()) {
        bare_repo(root.path(), "git.git");
        through("git", server.url("git.git"));
    }
    if let Some(server) = HttpServer::start(root.path(), false, Some(("anna", "токен"))) {
        bare_repo(root.path(), "http.git");
        through(
            "http",
            server.url("http.git").replace("://", "://anna:токен@"),
        );
    }
    if let Some(server) = HttpServer::start(root.path(), true, Some(("anna", "токен"))) {
        bare_repo(root.path(), "https.git");
        let ca = server.ca_file().unwrap();
        // SAFETY: the bench's own threads have all ended here; the variable is read by the
        // transfer's child processes, which inherit it.
        unsafe { std::env::set_var(sobes::sync::transfer::CA_VAR, ca) };
        through(
            "https",
            server.url("https.git").replace("://", "://anna:токен@"),
        );
    }
    if let Some(server) = SshServer::start(root.path()) {
        bare_repo(root.path(), "ssh.git");
        let home = tempfile::tempdir().unwrap();
        let ssh = home.path().join(".ssh");
        std::fs::create_dir_all(&ssh).unwrap();
        std::fs::copy(server.client_key(), ssh.join("id_ed25519")).unwrap();
        std::fs::copy(server.known_hosts(), ssh.join("known_hosts")).unwrap();
        // SAFETY: as above.
        unsafe {
            std::env::set_var("HOME", home.path());
            std::env::remove_var("SSH_AUTH_SOCK");
        }
        through("ssh", server.url("ssh.git"));
    }
    figures
}
