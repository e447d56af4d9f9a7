//! The browser's history of runs, its pure part: what a kept run's index
//! entry says (date, endpoint, model, workload, headline figures, name),
//! how a recording is cut into blocks that are packed one task at a time,
//! how what comes back from storage is checked before use, and the app's
//! addresses (one per screen).
//!
//! Storage itself (IndexedDB) is the page's (`src/history/`); everything
//! here is tested natively. Whatever storage gives back is outside input:
//! [`HistoryEntry::check`] and [`Reassembly`] bound it and refuse it in a
//! sentence.

mod blocks;
mod entry;
mod name;
mod route;

pub use blocks::{block_ranges, pack_block, Reassembly, MAX_BLOCKS, MAX_BLOCK_CHUNKS};
pub use entry::{
    new_run_id, valid_run_id, FigureGatherer, HistoryEntry, HistoryFigures, HISTORY_VERSION,
};
pub use name::{checked_name, default_name, MAX_NAME_CHARS};
pub use route::Route;
