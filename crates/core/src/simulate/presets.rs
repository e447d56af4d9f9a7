//! Serving systems named after what they model. Each preset's numbers are
//! worked out here from the model's shape and the GPU's data sheet, by the
//! roofline that Vidur's profiles refine (docs/SIMULATOR.md gives the
//! sources): an iteration reads the weights once, computes two operations
//! per parameter for each token in the batch, and reads the keys and values
//! of each token of context its decodes attend to.

use super::{BatchLimits, IterationCost, Policy, ServingSystem};

/// A GPU, from its data sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gpu {
    pub name: &'static str,
    pub memory_bytes: f64,
    /// Peak memory bandwidth, bytes per second.
    pub bandwidth: f64,
    /// Peak dense bf16 operations per second.
    pub flops: f64,
}

/// A model's shape, from its configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Model {
    pub name: &'static str,
    pub parameters: f64,
    pub layers: u32,
    pub kv_heads: u32,
    pub head_dim: u32,
}

/// NVIDIA A100 80 GB SXM: 2,039 GB/s, 312 TFLOPS bf16 dense.
pub const A100: Gpu = Gpu {
    name: "A100",
    memory_bytes: 80e9,
    bandwidth: 2.039e12,
    flops: 312e12,
};

/// NVIDIA H100 80 GB SXM: 3,350 GB/s, 989 TFLOPS bf16 dense.
pub const H100: Gpu = Gpu {
    name: "H100",
    memory_bytes: 80e9,
    bandwidth: 3.35e12,
    flops: 989e12,
};

/// Llama 3 8B: 8.03 billion parameters, 32 layers, 8 key-value heads of 128.
pub const LLAMA_3_8B: Model = Model {
    name: "Llama 3 8B",
    parameters: 8.03e9,
    layers: 32,
    kv_heads: 8,
    head_dim: 128,
};

/// Llama 3 70B: 70.6 billion parameters, 80 layers, 8 key-value heads of 128.
pub const LLAMA_3_70B: Model = Model {
    name: "Llama 3 70B",
    parameters: 70.6e9,
    layers: 80,
    kv_heads: 8,
    head_dim: 128,
};

/// Shares of the peaks a serving engine reaches: 80 % of the bandwidth,
/// 55 % of the compute.
const BANDWIDTH_SHARE: f64 = 0.8;
const COMPUTE_SHARE: f64 = 0.55;
/// The share of memory a server takes for weights and KV cache (vLLM's
/// `gpu_memory_utilization` default).
const MEMORY_SHARE: f64 = 0.9;
/// The all-reduces of tensor parallelism add this to each iteration when
/// the model spans GPUs.
const TENSOR_PARALLEL_SECONDS: f64 = 0.003;
/// Bytes per number (bf16).
const BYTES: f64 = 2.0;
/// A chunked prefill's budget computes within this, so that with the KV
/// reads of its decodes an iteration keeps a 50 ms time between tokens.
const CHUNK_SECONDS: f64 = 0.035;
/// vLLM's defaults of the paper's time: 256 sequences at once, and 8,192
/// tokens per iteration when whole prompts are prefilled.
const MAX_SEQUENCES: u32 = 256;
const WHOLE_PROMPT_BUDGET: u32 = 8192;
/// Kernels vary a little from one iteration to the next.
const JITTER: f64 = 0.02;

/// A simulated hardware and model pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preset {
    /// How a `sim://` address names it.
    pub name: &'static str,
    /// What it models, in plain words.
    pub label: &'static str,
    pub model: Model,
    pub gpu: Gpu,
    pub gpus: u32,
}

/// Every preset; the first is the default.
pub const PRESETS: [Preset; 3] = [
    Preset {
        name: "llama-8b-a100",
        label: "an 8B model on one A100 GPU",
        model: LLAMA_3_8B,
        gpu: A100,
        gpus: 1,
    },
    Preset {
        name: "llama-70b-4xa100",
        label: "a 70B model on four A100 GPUs",
        model: LLAMA_3_70B,
        gpu: A100,
        gpus: 4,
    },
    Preset {
        name: "llama-8b-h100",
        label: "an 8B model on one H100 GPU",
        model: LLAMA_3_8B,
        gpu: H100,
        gpus: 1,
    },
];

/// The preset called `name`.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

impl Preset {
    fn bandwidth(&self) -> f64 {
        self.gpu.bandwidth * BANDWIDTH_SHARE * f64::from(self.gpus)
    }

    fn weight_bytes(&self) -> f64 {
        self.model.parameters * BYTES
    }

    /// Bytes of keys and values one token of context holds.
    pub fn kv_bytes_per_token(&self) -> f64 {
        let m = &self.model;
        2.0 * f64::from(m.layers) * f64::from(m.kv_heads) * f64::from(m.head_dim) * BYTES
    }

    /// The cost of an iteration on this hardware.
    pub fn cost(&self) -> IterationCost {
        let parallel = if self.gpus > 1 {
            TENSOR_PARALLEL_SECONDS
        } else {
            0.0
        };
        IterationCost {
            fixed_seconds: self.weight_bytes() / self.bandwidth() + parallel,
            per_token_seconds: 2.0 * self.model.parameters
                / (self.gpu.flops * COMPUTE_SHARE * f64::from(self.gpus)),
            per_context_token_seconds: self.kv_bytes_per_token() / self.bandwidth(),
            jitter: JITTER,
        }
    }

    /// Tokens of KV cache that fit beside the weights.
    pub fn kv_cache_tokens(&self) -> u64 {
        let memory = self.gpu.memory_bytes * MEMORY_SHARE * f64::from(self.gpus);
        ((memory - self.weight_bytes()).max(0.0) / self.kv_bytes_per_token()) as u64
    }

    /// The chunked-prefill token budget: the largest power of two whose
    /// compute fits in 35 ms (Sarathi-Serve picks its budget from the
    /// deadline the same way).
    pub fn chunk_budget(&self) -> u32 {
        let per_token = self.cost().per_token_seconds;
        let mut budget = 1u32;
        while f64::from(budget * 2) * per_token <= CHUNK_SECONDS && budget < 1 << 16 {
            budget *= 2;
        }
        budget
    }

    /// This hardware under `policy`, with the limits that policy runs with
    /// by default.
    pub fn system(&self, policy: Policy) -> ServingSystem {
        let token_budget = match policy {
            Policy::ChunkedPrefill => self.chunk_budget(),
            _ => WHOLE_PROMPT_BUDGET,
        };
        ServingSystem {
            cost: self.cost(),
            limits: BatchLimits {
                token_budget,
                max_sequences: MAX_SEQUENCES,
                kv_cache_tokens: self.kv_cache_tokens(),
            },
            policy,
        }
    }
}
