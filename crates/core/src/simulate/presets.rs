//! Serving systems named after what they model. Each number is derived in
//! docs/SIMULATOR.md from the model's shape and the GPU's data sheet, the
//! way Vidur's roofline profiles are: the fixed part of an iteration reads
//! the weights once, each token in a batch costs its share of the matrix
//! multiplications, and each token of context a decode attends to costs
//! reading its keys and values.

use super::{BatchLimits, IterationCost, Policy, ServingSystem};

/// A simulated hardware and model pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preset {
    /// How a `sim://` address names it.
    pub name: &'static str,
    /// What it models, in plain words.
    pub label: &'static str,
    pub cost: IterationCost,
    pub kv_cache_tokens: u64,
    /// The chunked-prefill token budget: the largest power of two whose
    /// iteration computes within 35 ms, so that with the reads of a few
    /// dozen decodes' context it keeps a 50 ms time between tokens (the
    /// way Sarathi-Serve picks its budget from the deadline).
    pub chunk_budget: u32,
}

/// vLLM's defaults of the paper's time: 256 sequences at once, and 8,192
/// tokens per iteration when whole prompts are prefilled.
const MAX_SEQUENCES: u32 = 256;
const WHOLE_PROMPT_BUDGET: u32 = 8192;

/// Every preset; the first is the default.
pub const PRESETS: [Preset; 3] = [
    Preset {
        name: "llama-8b-a100",
        label: "an 8B model on one A100 GPU",
        cost: IterationCost {
            fixed_seconds: 0.010,
            per_token_seconds: 0.000_093,
            per_context_token_seconds: 0.000_000_082,
            jitter: 0.02,
        },
        kv_cache_tokens: 430_000,
        chunk_budget: 256,
    },
    Preset {
        name: "llama-70b-4xa100",
        label: "a 70B model on four A100 GPUs",
        cost: IterationCost {
            fixed_seconds: 0.025,
            per_token_seconds: 0.000_204,
            per_context_token_seconds: 0.000_000_051,
            jitter: 0.02,
        },
        kv_cache_tokens: 450_000,
        chunk_budget: 128,
    },
    Preset {
        name: "llama-8b-h100",
        label: "an 8B model on one H100 GPU",
        cost: IterationCost {
            fixed_seconds: 0.006,
            per_token_seconds: 0.000_032,
            per_context_token_seconds: 0.000_000_049,
            jitter: 0.02,
        },
        kv_cache_tokens: 430_000,
        chunk_budget: 1024,
    },
];

/// The preset called `name`.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

impl Preset {
    /// This hardware under `policy`, with the limits that policy runs with
    /// by default.
    pub fn system(&self, policy: Policy) -> ServingSystem {
        let token_budget = match policy {
            Policy::ChunkedPrefill => self.chunk_budget,
            _ => WHOLE_PROMPT_BUDGET,
        };
        ServingSystem {
            cost: self.cost,
            limits: BatchLimits {
                token_budget,
                max_sequences: MAX_SEQUENCES,
                kv_cache_tokens: self.kv_cache_tokens,
            },
            policy,
        }
    }
}
