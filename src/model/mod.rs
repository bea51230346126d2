//! The domain: registry and names, protocol, campaign, clusters and rules, checks.
//! Nothing here knows about terminals or files on disk.

pub mod agreement;
pub mod answer;
pub mod campaign;
pub mod change;
pub mod checks;
pub mod clusters;
pub mod collate;
pub mod compare;
pub mod condition;
pub mod conflict;
pub mod decision;
pub mod fuzzy;
pub mod merge;
pub mod monitoring;
pub mod names;
pub mod parallel;
pub mod person;
pub mod protocol;
pub mod registry;
pub mod scores;
pub mod selector;
pub mod source;
pub mod template;
