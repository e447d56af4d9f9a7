//! What a demo shows: a load (how busy the servers are), two simulated
//! systems (hardware and the way each forms its batches) and a seed. The
//! same choice always plays the same demo.

use crate::metrics::DeadlineConfig;
use crate::plan::workload::{Arrivals, LengthDistribution, RequestLengths, WorkloadConfig};
use crate::simulate::presets::{Preset, PRESETS};
use crate::simulate::{Policy, ServingSystem};

/// How busy the servers are: each load sends the same kind of question
/// (a long document to read, an answer of a couple of hundred words), more
/// or less often.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DemoLoad {
    Quiet,
    Busy,
    Overloaded,
}

/// Each question's prompt: a document of 2,000 to 6,000 tokens (a few pages).
pub const PROMPT_TOKENS: (u32, u32) = (2000, 6000);
/// Each answer: 200 to 300 tokens (about 150 to 230 words).
pub const ANSWER_TOKENS: (u32, u32) = (200, 300);

impl DemoLoad {
    pub const ALL: [DemoLoad; 3] = [DemoLoad::Quiet, DemoLoad::Busy, DemoLoad::Overloaded];

    /// The name a demo link knows it by.
    pub fn name(self) -> &'static str {
        match self {
            DemoLoad::Quiet => "quiet",
            DemoLoad::Busy => "busy",
            DemoLoad::Overloaded => "overloaded",
        }
    }

    /// The load called `name` (one of the [`DemoLoad::name`]s).
    pub fn named(name: &str) -> Option<DemoLoad> {
        DemoLoad::ALL.into_iter().find(|l| l.name() == name)
    }

    /// Seconds between questions, on average.
    pub fn seconds_between_questions(self) -> f64 {
        match self {
            DemoLoad::Quiet => 20.0,
            DemoLoad::Busy => 5.0,
            DemoLoad::Overloaded => 1.0,
        }
    }

    /// Questions the load sends in all.
    pub fn questions(self) -> u32 {
        match self {
            DemoLoad::Quiet => 30,
            DemoLoad::Busy => 100,
            DemoLoad::Overloaded => 100,
        }
    }

    /// What it is, in plain words: "Busy: a new question every 5 seconds
    /// or so".
    pub fn label(self) -> String {
        let seconds = self.seconds_between_questions();
        let every = if seconds == 1.0 {
            "second".to_string()
        } else {
            format!("{seconds} seconds")
        };
        let mood = match self {
            DemoLoad::Quiet => "Quiet",
            DemoLoad::Busy => "Busy",
            DemoLoad::Overloaded => "Overloaded",
        };
        format!("{mood}: a new question every {every} or so")
    }

    /// What a reader should expect of it, in a sentence.
    pub fn describe(self) -> &'static str {
        match self {
            DemoLoad::Quiet => {
                "Questions rarely overlap, so each system mostly answers one at a time."
            }
            DemoLoad::Busy => {
                "A few answers are being written at any moment, and a new question arrives \
                 while most of them are."
            }
            DemoLoad::Overloaded => {
                "Questions arrive about as fast as the hardware can read them, so they queue."
            }
        }
    }

    /// The workload it sends: questions arriving at random (a Poisson
    /// process) at the load's pace, each with its document and answer
    /// length drawn evenly from the ranges above; no warm-up, no cap on
    /// how many are under way.
    pub fn workload(self) -> WorkloadConfig {
        WorkloadConfig {
            arrivals: Arrivals::Poisson {
                requests_per_second: 1.0 / self.seconds_between_questions(),
            },
            stop_after_requests: Some(self.questions()),
            stop_after_seconds: None,
            concurrency: None,
            warmup_requests: 0,
            lengths: RequestLengths::Separate {
                prompt_tokens: LengthDistribution::Uniform {
                    min: PROMPT_TOKENS.0,
                    max: PROMPT_TOKENS.1,
                },
                output_tokens: LengthDistribution::Uniform {
                    min: ANSWER_TOKENS.0,
                    max: ANSWER_TOKENS.1,
                },
            },
            ..WorkloadConfig::default()
        }
    }
}

/// The deadlines the demo judges by: the first piece of an answer within
/// 2 s, then each next within 30 ms of the previous (a steady 33 tokens a
/// second: the 70B model writes a token every 25 ms when nothing
/// interrupts it, so this leaves it a fifth more).
pub fn demo_deadlines() -> DeadlineConfig {
    DeadlineConfig::fixed(2.0, 0.030, 0.1)
}

/// One simulated system: hardware and model, and how it forms batches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoSystem {
    pub preset: &'static Preset,
    pub policy: Policy,
}

impl DemoSystem {
    /// The system the simulator runs.
    pub fn serving_system(&self) -> ServingSystem {
        self.preset.system(self.policy)
    }

    /// A short title for the way it forms batches, in plain words.
    pub fn title(&self) -> &'static str {
        policy_title(self.policy)
    }

    /// What it is, in a phrase: "a 70B model on four A100 GPUs that runs
    /// every new question first, pausing the answers being written".
    pub fn describe(&self) -> String {
        format!("{} that {}", self.preset.label, self.policy.describe())
    }
}

/// A policy's title, in plain words.
pub fn policy_title(policy: Policy) -> &'static str {
    match policy {
        Policy::PrefillFirst => "New questions first",
        Policy::ChunkedPrefill => "Questions read in pieces",
        Policy::DecodeFirst => "Answers first",
        Policy::Static { .. } => "Fixed groups",
    }
}

/// A whole demo: the load, the two systems, the seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoChoice {
    pub load: DemoLoad,
    pub systems: [DemoSystem; 2],
    /// Drives the arrivals, the lengths and the simulated servers' jitter.
    pub seed: u64,
}

/// The seed of the default demo.
pub const DEFAULT_SEED: u64 = 1;

impl Default for DemoChoice {
    /// The Etalon paper's point: a 70B model on four GPUs, busy, one
    /// system running new prompts first and the other reading them in
    /// pieces between the answers' tokens.
    fn default() -> Self {
        let preset = crate::simulate::presets::preset("llama-70b-4xa100").unwrap_or(&PRESETS[0]);
        DemoChoice {
            load: DemoLoad::Busy,
            systems: [
                DemoSystem {
                    preset,
                    policy: Policy::PrefillFirst,
                },
                DemoSystem {
                    preset,
                    policy: Policy::ChunkedPrefill,
                },
            ],
            seed: DEFAULT_SEED,
        }
    }
}
