//! How a simulated server forms each iteration's batch: the four policies
//! the Etalon and Sarathi-Serve papers compare.

use serde::{Deserialize, Serialize};

/// A scheduling policy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Policy {
    /// Continuous batching that runs new prompts first: whenever a request
    /// waits and fits, the next iteration prefills whole prompts only, and
    /// every running stream pauses for it (vLLM's default at the time of
    /// the paper, and Orca's).
    PrefillFirst,
    /// Chunked prefills mixed with decodes (Sarathi-Serve): every
    /// iteration decodes one token of each running stream, and fills the
    /// rest of the token budget with pieces of waiting prompts, so no
    /// iteration grows past the budget and no stream pauses long.
    ChunkedPrefill,
    /// Decodes first: a new prompt is prefilled only when no stream is
    /// decoding, so streams never pause but new requests wait for the whole
    /// batch to end (request-level batching, as in FasterTransformer).
    DecodeFirst,
    /// Static batching: wait until `batch_size` requests are queued (or the
    /// oldest has waited `wait_seconds`), prefill them together, and decode
    /// them in lockstep until the longest ends; finished sequences keep
    /// their slot, padded, until then.
    Static { batch_size: u32, wait_seconds: f64 },
}

impl Policy {
    /// Every policy, with the name a `sim://` endpoint knows it by.
    pub const NAMES: [&'static str; 4] =
        ["prefill-first", "chunked-prefill", "decode-first", "static"];

    /// The policy called `name` (one of [`Policy::NAMES`]); static batching
    /// takes batches of 8 and waits at most 0.5 s for one to fill.
    pub fn named(name: &str) -> Option<Policy> {
        match name {
            "prefill-first" => Some(Policy::PrefillFirst),
            "chunked-prefill" => Some(Policy::ChunkedPrefill),
            "decode-first" => Some(Policy::DecodeFirst),
            "static" => Some(Policy::Static {
                batch_size: 8,
                wait_seconds: 0.5,
            }),
            _ => None,
        }
    }

    /// The policy's name, as [`Policy::named`] reads it.
    pub fn name(&self) -> &'static str {
        match self {
            Policy::PrefillFirst => "prefill-first",
            Policy::ChunkedPrefill => "chunked-prefill",
            Policy::DecodeFirst => "decode-first",
            Policy::Static { .. } => "static",
        }
    }

    /// The policy in two words, for a caption ("chunked prefills").
    pub fn label(&self) -> &'static str {
        match self {
            Policy::PrefillFirst => "prefills first",
            Policy::ChunkedPrefill => "chunked prefills",
            Policy::DecodeFirst => "decodes first",
            Policy::Static { .. } => "static batches",
        }
    }

    /// What the policy does, in plain words.
    pub fn describe(&self) -> &'static str {
        match self {
            Policy::PrefillFirst => {
                "runs every new question first, pausing the answers being written"
            }
            Policy::ChunkedPrefill => {
                "reads new questions a piece at a time between the words of the answers being written"
            }
            Policy::DecodeFirst => {
                "finishes the answers being written before it reads any new question"
            }
            Policy::Static { .. } => {
                "waits for a group of questions, then answers them together until the longest ends"
            }
        }
    }
}
