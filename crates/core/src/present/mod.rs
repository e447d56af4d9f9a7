//! What the page shows, worked out without a browser: report sentences,
//! tables and headline cards, chart layouts, what the server said about
//! itself, and the endpoint check's lines.

pub mod chart;
pub mod endpoint_check;
pub mod pause;
pub mod report;
pub mod server_account;
