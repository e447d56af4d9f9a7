//! Seeded synthetic recordings: plausible token streams (jittered gaps,
//! some multi-token chunks, occasional multi-second stalls) for benchmarks,
//! tests and demos. The same seed gives the same recording on every
//! platform (integer generator, no platform maths beyond + - * /).

use crate::recording::{
    Chunk, Environment, Recording, RequestRecord, TokenCount, TokenSource, RECORDING_VERSION,
};

/// A small, fast, seeded generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [low, high).
    pub fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }
}

/// The shape of a synthetic run.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticRun {
    pub seed: u64,
    pub requests: usize,
    pub tokens_per_request: u32,
    /// Chance that a gap is a stall of 0.2 to 1.5 s.
    pub stall_probability: f64,
}

impl SyntheticRun {
    /// The benchmark's run: 1,000 requests of 500 tokens, 1 % stalls.
    pub fn benchmark() -> Self {
        SyntheticRun {
            seed: 42,
            requests: 1000,
            tokens_per_request: 500,
            stall_probability: 0.01,
        }
    }

    /// Generates the recording. Each request has its own pace (15 to 40 ms
    /// per token, +-40 % jitter), a TTFT of 0.05 to 0.8 s, 1 chunk in 10
    /// carrying 2 or 3 tokens, and stalls.
    pub fn recording(&self) -> Recording {
        let mut rng = Rng::new(self.seed);
        let requests = (0..self.requests)
            .map(|id| self.request(id as u64, &mut rng))
            .collect();
        Recording {
            version: RECORDING_VERSION,
            started_at_unix_ms: 0.0,
            config: serde_json::json!({ "synthetic": { "seed": self.seed } }),
            environment: Environment {
                user_agent: "synthetic".into(),
                ..Default::default()
            },
            requests,
        }
    }

    fn request(&self, id: u64, rng: &mut Rng) -> RequestRecord {
        let pace = rng.between(0.015, 0.040);
        let mut at = rng.between(0.05, 0.8);
        let mut chunks = Vec::new();
        let mut left = self.tokens_per_request;
        while left > 0 {
            let roll = rng.unit();
            let tokens = if roll < 0.9 {
                1
            } else if roll < 0.97 {
                2
            } else {
                3
            };
            let tokens = tokens.min(left);
            chunks.push(Chunk {
                at,
                tokens,
                reasoning: false,
                server_sent_at: None,
            });
            left -= tokens;
            at += pace * rng.between(0.6, 1.4);
            if rng.unit() < self.stall_probability {
                at += rng.between(0.2, 1.5);
            }
        }
        let count = |count| {
            Some(TokenCount {
                count,
                source: TokenSource::Server,
            })
        };
        RequestRecord {
            id,
            sent_at: id as f64 * 0.01,
            scheduled_at: id as f64 * 0.01,
            ended_at: chunks.last().map(|c| c.at),
            chunks: chunks.into(),
            prompt_tokens: count(512),
            output_tokens: count(u64::from(self.tokens_per_request)),
            finish_reason: Some("length".into()),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_recording() {
        let run = SyntheticRun {
            requests: 3,
            tokens_per_request: 50,
            ..SyntheticRun::benchmark()
        };
        assert_eq!(run.recording(), run.recording());
        let recording = run.recording();
        assert!(recording
            .requests
            .iter()
            .all(|r| r.counted_output_tokens() == 50));
    }
}
