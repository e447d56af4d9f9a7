//! What a simulated serving system is: how long an iteration takes, what a
//! batch may hold, and the policy that forms batches.

use serde::{Deserialize, Serialize};

use super::Policy;

/// How long one iteration of the model takes, by the roofline that Vidur's
/// profiles refine: the iteration reads the weights once (memory-bound)
/// while it multiplies them with each token of the batch (compute-bound),
/// so it takes the longer of the two; then its decodes read the keys and
/// values of their context. A few decodes thus ride along with a prompt's
/// piece almost for free, which is what chunked prefills exploit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IterationCost {
    /// Seconds to read the weights once: the least an iteration takes.
    pub fixed_seconds: f64,
    /// Seconds of compute per token in the batch, prompt or decode.
    pub per_token_seconds: f64,
    /// Seconds per token of context a decode reads from the KV cache.
    pub per_context_token_seconds: f64,
    /// Each iteration's time is scaled by a seeded factor within
    /// `1 +- jitter` (0.02 is 2 %), as real kernels vary a little.
    pub jitter: f64,
}

impl IterationCost {
    /// The time of an iteration holding `tokens` tokens whose decodes read
    /// `context` tokens of KV cache, before jitter.
    pub fn seconds(&self, tokens: u64, context: u64) -> f64 {
        self.fixed_seconds
            .max(self.per_token_seconds * tokens as f64)
            + self.per_context_token_seconds * context as f64
    }
}

/// What one batch and the server's memory may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchLimits {
    /// The most tokens in one iteration (vLLM's `max_num_batched_tokens`).
    pub token_budget: u32,
    /// The most sequences running at once (vLLM's `max_num_seqs`).
    pub max_sequences: u32,
    /// Tokens of KV cache the server holds. A request is admitted only when
    /// its prompt and its whole output fit, and holds that room until it
    /// ends, so a running stream is never evicted.
    pub kv_cache_tokens: u64,
}

/// A serving system: its cost, limits and scheduling policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServingSystem {
    pub cost: IterationCost,
    pub limits: BatchLimits,
    pub policy: Policy,
}
