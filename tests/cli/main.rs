//! The command line as scripts use it: the real binary, a private SOBES_HOME per test.

use sobes::model::campaign::{Record, Value};
#[path = "../common/mod.rs"]
mod common;
use common::{Env, snapshot, stderr, stdout};

mod answers;
mod campaigns;
mod check;
mod files;
mod messages;
