//! The app's small reactive helpers, one per file, named `use_*` after
//! leptos-use: each is called while a component is being built and ties
//! what it starts (timers, listeners) to that component's life.

mod use_after_paint;
mod use_brought_into_view;
mod use_deadline_report;
mod use_next_task;
mod use_responsive_width;
mod use_ticking_clock;

pub use use_after_paint::use_after_paint;
pub use use_brought_into_view::use_brought_into_view;
pub use use_deadline_report::use_deadline_report;
pub use use_next_task::{use_after_tasks, use_next_task};
pub use use_responsive_width::use_responsive_width;
pub use use_ticking_clock::use_ticking_clock;
