//! The runs kept in this browser: every finished or stopped run is stored
//! (without the key) in IndexedDB as it ends, one block per task, and can
//! be listed, opened, renamed, deleted and exported. The formats and checks
//! are the core's (`etalon_core::history`); the database is `store.rs`.

mod keep;
mod store;
#[cfg(test)]
mod tests;

pub use keep::{
    delete_run, install_bench_hooks, keep_finished_runs, list_runs, load_run, own_deadlines,
    rename_run, show_kept_run, KeepTimings, Listing,
};
