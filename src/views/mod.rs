//! One file per screen.

pub mod results;
pub mod run;
pub mod setup;
