//! A cluster decided on one dimension: the panel's final one, or one reviewer's own rating.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Decision {
    pub cluster: u8,
    /// The suggestion when the decision was taken, kept so a later change of answers shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggested: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub by: String,
    pub at: String,
}
