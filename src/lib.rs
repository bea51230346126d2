pub mod cli;
pub mod clock;
pub mod data;
pub mod model;
pub mod paths;
pub mod storage;
pub mod tui;
