//! One file per screen.

pub mod compare;
pub mod demo;
pub mod history;
pub mod results;
pub mod run;
pub mod setup;
pub mod shared_link;
