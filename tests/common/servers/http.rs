//! lighttpd running `git http-backend`: smart HTTP, optionally over TLS with a test CA and
//! optionally behind Basic auth.

use super::{LIGHTTPD, LIGHTTPD_MODULES, Process, git_program, must, unavailable};
use std::path::{Path, PathBuf};
use std::process::Command;

/// lighttpd serving every repository under a root over http:// or https://, pushes allowed.
pub struct HttpServer {
    _process: Process,
    port: u16,
    tls: bool,
    dir: tempfile::TempDir,
}

/// The loadable modules the configuration needs (mod_alias and mod_setenv are built into
/// lighttpd). Debian ships mod_openssl in a package of its own (lighttpd-mod-openssl), so a
/// lighttpd without TLS is a real possibility.
const MODULES: [&str; 3] = ["mod_cgi", "mod_auth", "mod_authn_file"];

impl HttpServer {
    /// The server, with TLS when `tls` (see [`HttpServer::ca_file`]) and asking every
    /// request for `user_password` when given.
    pub fn start(
        root: &Path,
        tls: bool,
        user_password: Option<(&str, &str)>,
    ) -> Option<HttpServer> {
        if !Path::new(LIGHTTPD).is_file() {
            return unavailable(&format!("{LIGHTTPD} is missing (apt-get install lighttpd)"));
        }
        let needed = MODULES
            .iter()
            .chain(if tls { &["mod_openssl"][..] } else { &[] });
        for m in needed {
            let so = Path::new(LIGHTTPD_MODULES).join(format!("{m}.so"));
            if !so.is_file() {
                return unavailable(&format!("lighttpd's {m} is missing ({})", so.display()));
            }
        }
        if tls && Command::new("openssl").arg("version").output().is_err() {
            return unavailable("there is no openssl program to make the test certificates");
        }
        let backend = git_program("git-http-backend")?;
        let dir = tempfile::tempdir().unwrap();
        if tls {
            make_certificates(dir.path());
        }
        if let Some((user, password)) = user_password {
            std::fs::write(dir.path().join("users"), format!("{user}:{password}\n")).unwrap();
        }
        let conf = dir.path().join("lighttpd.conf");
        let log = dir.path().join("lighttpd.out");
        let process = Process::start(&log, b"", |port| {
            let text = config(
                dir.path(),
                root,
                &backend,
                port,
                tls,
                user_password.is_some(),
            );
            std::fs::write(&conf, text).unwrap();
            let mut c = Command::new(LIGHTTPD);
            c.arg("-D").arg("-f").arg(&conf);
            c
        });
        Some(HttpServer {
            port: process.port,
            _process: process,
            tls,
            dir,
        })
    }

    /// `http(s)://127.0.0.1:PORT/NAME` for the repository `root/NAME`.
    pub fn url(&self, name: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}/{name}", self.port)
    }

    /// The test CA that signed the server's certificate (for `GIT_SSL_CAINFO` or a client's
    /// certificate check); None without TLS.
    pub fn ca_file(&self) -> Option<PathBuf> {
        self.tls.then(|| self.dir.path().join("ca.pem"))
    }
}

/// lighttpd's configuration: every URL goes to git http-backend as CGI.
fn config(dir: &Path, root: &Path, backend: &Path, port: u16, tls: bool, auth: bool) -> String {
    let d = dir.display();
    let mut modules = vec!["mod_alias", "mod_setenv"];
    modules.extend(MODULES);
    if tls {
        modules.push("mod_openssl");
    }
    let modules = modules
        .iter()
        .map(|m| format!("\"{m}\""))
        .collect::<Vec<_>>()
        .join(", ");
    // The backend is an alias for "/" with a slash after its own name: lighttpd finds the
    // program and hands the rest of the URL to it as PATH_INFO, which http-backend wants.
    // Without server.username lighttpd keeps the user it was started as, root included.
    // Without server.errorlog its errors and the backend's go to its standard error, the log
    // that Process::start shows when the server does not come up.
    // Request bodies sent in chunks (git's pushes over 1 MiB, all of libgit2's) are stored
    // whole before the CGI gets them, in upload-dirs: the server's own directory.
    // http-backend takes pushes only from a user the server authenticated unless
    // http.receivepack says anyone may: the server without a password takes them too.
    // Replies are streamed as http-backend writes them, in chunks, as git servers reply;
    // buffered, lighttpd would give every reply a Content-Length, and a client's reading of
    // chunked replies would go untested.
    let mut c = format!(
        r#"server.modules = ({modules})
server.bind = "127.0.0.1"
server.port = {port}
server.document-root = "{d}"
server.upload-dirs = ("{d}")
server.stream-response-body = 2
alias.url = ("/" => "{backend}/")
cgi.assign = ("" => "")
setenv.add-environment = (
  "GIT_PROJECT_ROOT" => "{root}",
  "GIT_HTTP_EXPORT_ALL" => "1",
  "GIT_CONFIG_NOSYSTEM" => "1",
  "GIT_CONFIG_GLOBAL" => "/dev/null",
  "GIT_CONFIG_COUNT" => "1",
  "GIT_CONFIG_KEY_0" => "http.receivepack",
  "GIT_CONFIG_VALUE_0" => "true",
)
"#,
        backend = backend.display(),
        root = root.display(),
    );
    if tls {
        c += &format!(
            r#"ssl.engine = "enable"
ssl.pemfile = "{d}/server.pem"
ssl.privkey = "{d}/server.key"
"#
        );
    }
    // lighttpd holds back each refusal of a wrong password for a while (against guessing):
    // the tests of refusals would spend their time waiting.
    if auth {
        c += &format!(
            r#"server.feature-flags = ("auth.delay-invalid-creds" => "disable")
auth.backend = "plain"
auth.backend.plain.userfile = "{d}/users"
auth.require = ("" => ("method" => "basic", "realm" => "sobes", "require" => "valid-user"))
"#
        );
    }
    c
}

/// The extensions of the test CA and of the server's certificate, in a configuration of
/// our own so that the machine's openssl.cnf has no say.
const OPENSSL_CNF: &str = "\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

/// A CA (ca.pem) and a certificate it signed for IP 127.0.0.1 (server.pem, server.key) in
/// `dir`. Keys are P-256: as good as RSA for a test and made in no time.
fn make_certificates(dir: &Path) {
    std::fs::write(dir.join("openssl.cnf"), OPENSSL_CNF).unwrap();
    // Every file is named relative to `dir`, so the words can be split on spaces.
    let openssl = |args: &str| {
        let mut c = Command::new("openssl");
        c.current_dir(dir).args(args.split_whitespace());
        must(c);
    };
    let new_key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -config openssl.cnf";
    openssl(&format!(
        "req -x509 {new_key} -extensions ca -days 2 -subj /CN=sobes-test-CA \
         -keyout ca.key -out ca.pem"
    ));
    openssl(&format!(
        "req -new {new_key} -subj /CN=127.0.0.1 -keyout server.key -out server.csr"
    ));
    openssl(
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 2 -days 2 \
         -extfile openssl.cnf -extensions server -out server.pem",
    );
}
