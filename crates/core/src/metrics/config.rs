//! The deadlines a run is judged against: a TTFT deadline (fixed, or grown
//! from a prefill model as in Etalon's capacity mode), a TBT deadline, and
//! the target miss rate for the minimum-deadline search. Stored in
//! recordings and share links, so it is a serde type.
//!
//! JSON: `{"ttft_deadline": 0.1, "tbt_deadline": 0.05, "target_miss_rate": 0.1}`
//! or, with a prefill model,
//! `{"ttft_deadline": {"prefill_model": {"coefficients": [0.02, 3e-5]}, "slack": 0.05}, ...}`.

use super::prefill::PrefillModel;
use serde::{Deserialize, Serialize};

/// The TTFT deadline of a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TtftDeadline {
    /// The same deadline for every request, seconds (black-box mode).
    Fixed(f64),
    /// Predicted prefill time for the request's prompt plus `slack` seconds
    /// (capacity mode).
    Prefill {
        prefill_model: PrefillModel,
        slack: f64,
    },
}

/// Deadlines and target miss rate for the deadline-based metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadlineConfig {
    pub ttft_deadline: TtftDeadline,
    /// Deadline between consecutive tokens, seconds.
    pub tbt_deadline: f64,
    /// Target deadline miss rate for `min_tbt_deadline_to_meet` (0..=1).
    #[serde(alias = "target_deadline_miss_rate")]
    pub target_miss_rate: f64,
}

impl Default for DeadlineConfig {
    /// Etalon's defaults: 0.1 s TTFT, 0.05 s TBT, 10 % target miss rate.
    fn default() -> Self {
        DeadlineConfig {
            ttft_deadline: TtftDeadline::Fixed(0.1),
            tbt_deadline: 0.05,
            target_miss_rate: 0.1,
        }
    }
}

impl DeadlineConfig {
    /// A fixed TTFT deadline, a TBT deadline and a target miss rate.
    pub fn fixed(ttft_deadline: f64, tbt_deadline: f64, target_miss_rate: f64) -> Self {
        DeadlineConfig {
            ttft_deadline: TtftDeadline::Fixed(ttft_deadline),
            tbt_deadline,
            target_miss_rate,
        }
    }

    /// The TTFT deadline of a request with `prompt_tokens` prompt tokens. A
    /// prefill model with an unknown prompt length predicts for 0 tokens.
    pub fn ttft_deadline_for(&self, prompt_tokens: Option<u64>) -> f64 {
        match &self.ttft_deadline {
            TtftDeadline::Fixed(seconds) => *seconds,
            TtftDeadline::Prefill {
                prefill_model,
                slack,
            } => prefill_model.predict(prompt_tokens.unwrap_or(0) as f64) + slack,
        }
    }

    /// Checks that the deadlines make sense; the sentence says what does not.
    /// (The metrics are still computed for a config that fails, but a zero
    /// or negative TBT deadline gives meaningless miss counts.)
    pub fn validate(&self) -> Result<(), String> {
        if !(self.tbt_deadline.is_finite() && self.tbt_deadline > 0.0) {
            return Err(format!(
                "the TBT deadline must be a positive number of seconds, not {}",
                self.tbt_deadline
            ));
        }
        if !(0.0..=1.0).contains(&self.target_miss_rate) {
            return Err(format!(
                "the target miss rate must be between 0 and 1, not {}",
                self.target_miss_rate
            ));
        }
        let ttft_ok = match &self.ttft_deadline {
            TtftDeadline::Fixed(seconds) => seconds.is_finite() && *seconds >= 0.0,
            TtftDeadline::Prefill {
                prefill_model,
                slack,
            } => slack.is_finite() && prefill_model.coefficients.iter().all(|c| c.is_finite()),
        };
        if !ttft_ok {
            return Err("the TTFT deadline must be a number of seconds, 0 or more".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_forms() {
        let fixed: DeadlineConfig = serde_json::from_str(
            r#"{"ttft_deadline": 0.2, "tbt_deadline": 0.05, "target_deadline_miss_rate": 0.1}"#,
        )
        .unwrap();
        assert_eq!(fixed, DeadlineConfig::fixed(0.2, 0.05, 0.1));
        let text = r#"{"ttft_deadline": {"prefill_model": {"coefficients": [0.02, 0.001]},
            "slack": 0.05}, "tbt_deadline": 0.05, "target_miss_rate": 0.1}"#;
        let prefill: DeadlineConfig = serde_json::from_str(text).unwrap();
        assert!((prefill.ttft_deadline_for(Some(100)) - 0.17).abs() < 1e-12);
        let back: DeadlineConfig =
            serde_json::from_str(&serde_json::to_string(&prefill).unwrap()).unwrap();
        assert_eq!(back, prefill);
        assert!(prefill.validate().is_ok());
        assert!(DeadlineConfig::fixed(0.1, 0.0, 0.1).validate().is_err());
    }
}
