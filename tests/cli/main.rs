//! The command line as scripts use it: the real binary, a private SOBES_HOME per test.

use crate::common;
use common::{Env, snapshot, stderr, stdout};
use sobes::model::campaign::{Record, Value};

mod answers;
mod campaigns;
mod check;
mod files;
mod messages;
