//! The integration tests, one binary: each module is a former test binary, run by one
//! harness so the two cores share the whole suite and the suite links once.

mod common;

#[path = "annex/main.rs"]
mod annex;
#[path = "boundary/main.rs"]
mod boundary;
#[path = "cli/main.rs"]
mod cli;
#[path = "damage.rs"]
mod damage;
#[path = "documents.rs"]
mod documents;
#[path = "history.rs"]
mod history;
#[path = "layers/main.rs"]
mod layers;
// The loopback git servers (git daemon, lighttpd, sshd) are Unix programs.
#[cfg(unix)]
#[path = "loopback.rs"]
mod loopback;
#[path = "merge.rs"]
mod merge;
#[path = "names.rs"]
mod names;
#[path = "nothing_lost/main.rs"]
mod nothing_lost;
#[path = "portable.rs"]
mod portable;
#[path = "proptest_loaders.rs"]
mod proptest_loaders;
// The TUI's property run is too slow under Wine; Linux runs it.
#[cfg(not(windows))]
#[path = "proptest_tui.rs"]
mod proptest_tui;
#[path = "region.rs"]
mod region;
#[path = "reliability/main.rs"]
mod reliability;
#[path = "reviewers.rs"]
mod reviewers;
#[path = "reviewers_blind/main.rs"]
mod reviewers_blind;
#[cfg(unix)]
#[path = "server_hub.rs"]
mod server_hub;
#[path = "sync/main.rs"]
mod sync;
#[path = "tui/main.rs"]
mod tui;
#[path = "yearly/main.rs"]
mod yearly;
