//! The demo: two simulated serving systems answering the same questions,
//! so a visitor with no server of their own sees what the figures mean.
//!
//! A [`DemoChoice`] (a load, two systems, a seed) becomes a [`DemoRun`]:
//! the load planned by the workload module and served by each system of
//! the simulator, recorded as the page's worker would record a real run.
//! [`SystemFigures`] and [`sentences`] say what a user of each would feel;
//! [`watched_answer`] picks the answer to replay and [`answer_pieces`]
//! gives it words; [`demo_link`] and [`open_demo_link`] carry a choice in
//! a link.
//!
//! The demo sits on top of the core: it uses `plan` (the workload),
//! `simulate`, `metrics`, `present` (the pause rule, number formats) and
//! `share` (the link's error type).

mod answer;
mod choice;
mod feel;
mod link;
mod run;

pub use answer::{answer_pieces, answer_tokens, into_the_load, watched_caption};
pub use choice::{
    demo_deadlines, policy_title, DemoChoice, DemoLoad, DemoSystem, ANSWER_TOKENS, DEFAULT_SEED,
    PROMPT_TOKENS,
};
pub use feel::{
    pauses_of, sentences, watched_answer, Pauses, SystemFigures, WatchReason, ABOUT_THE_SAME,
    CLEARLY_SMOOTHER, MAX_WATCH_SECONDS,
};
pub use link::{demo_link, open_demo_link, DEMO_KEY};
pub use run::{demo_plan, demo_setup, is_simulated, DemoRun, SIMULATOR_NAME};
