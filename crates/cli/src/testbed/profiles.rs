//! The testbed's named profiles, as a table of parameter values, and the
//! model-name scheme `PROFILE@key=value,...` that overrides any parameter.
//!
//! Every profile is the same generator with different numbers: a profile is a
//! row of [`Params`], never a branch of code. [`crate::testbed::schedule`]
//! turns a row into a timed script.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Something a profile does wrong on purpose, so the app can show it records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer 429 with a JSON error body and `Retry-After`.
    RateLimited,
    /// Answer 500 with a JSON error body.
    ServerError,
    /// Close the connection abruptly after `fault_after` tokens, without `[DONE]`.
    DropMidStream,
    /// Send a `data:` line that is not JSON after `fault_after` tokens, then go on.
    Garbage,
    /// Put bytes that are not UTF-8 inside the content of token `fault_after` (0-based).
    InvalidUtf8,
    /// Send an `{"error": ...}` chunk after `fault_after` tokens, then `[DONE]`.
    ErrorEvent,
    /// Keep the connection open, silent, after `fault_after` tokens.
    NeverEnds,
    /// End the body cleanly after `fault_after` tokens, without finish_reason nor `[DONE]`.
    NoFinish,
}

/// How a profile times and shapes its output. All times in milliseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// `rate`: tokens generated per second after the first token.
    pub rate: f64,
    /// `prefill_ms`: fixed time from the request to the first token.
    pub prefill_ms: f64,
    /// `prefill_ms_per_token`: extra time to first token per prompt token.
    pub prefill_ms_per_token: f64,
    /// `jitter`: spread of each gap around the mean, as a fraction of it
    /// (0 = steady, 0.5 = uniform between 0.5x and 1.5x the mean gap).
    pub jitter: f64,
    /// `seed`: seed of the jitter; unset = the request's `seed`, else 1.
    pub seed: Option<u64>,
    /// `stall_at`: token positions (1 = first token) preceded by a pause.
    pub stall_at: Cow<'static, [u32]>,
    /// `stall_ms`: length of each pause.
    pub stall_ms: f64,
    /// `per_chunk`: tokens carried by each chunk.
    pub tokens_per_chunk: u32,
    /// `burst`: chunks held back and released together, as a buffering proxy
    /// does (1 = every chunk leaves when generated).
    pub chunks_per_burst: u32,
    /// `reasoning`: leading tokens sent as `delta.reasoning_content`.
    pub reasoning_tokens: u32,
    /// `tokens`: output length when the request sets no `max_tokens`.
    pub default_tokens: u32,
    /// The fault this profile injects (fixed by the profile, not a parameter).
    pub fault: Option<Fault>,
    /// `after`: tokens sent before a stream fault happens.
    pub fault_after: u32,
    /// `retry_after`: seconds in the `Retry-After` header of a 429.
    pub retry_after_s: u32,
}

/// One named profile: the `model` a request asks for.
#[derive(Debug)]
pub struct Profile {
    pub name: &'static str,
    /// What a person will see, in one sentence.
    pub description: &'static str,
    pub params: Params,
}

/// The defaults every profile starts from: 50 tokens/s after 20 ms.
const STEADY: Params = Params {
    rate: 50.0,
    prefill_ms: 20.0,
    prefill_ms_per_token: 0.0,
    jitter: 0.0,
    seed: None,
    stall_at: Cow::Borrowed(&[]),
    stall_ms: 0.0,
    tokens_per_chunk: 1,
    chunks_per_burst: 1,
    reasoning_tokens: 0,
    default_tokens: 100,
    fault: None,
    fault_after: 10,
    retry_after_s: 1,
};

const fn faulty(fault: Fault, fault_after: u32) -> Params {
    Params {
        fault: Some(fault),
        fault_after,
        ..STEADY
    }
}

/// The table of profiles, in the order `/v1/models` lists them.
pub const PROFILES: &[Profile] = &[
    Profile {
        name: "steady",
        description: "One token per chunk at a fixed rate after a short fixed prefill.",
        params: STEADY,
    },
    Profile {
        name: "jitter",
        description: "Gaps drawn uniformly (seeded) around the mean gap.",
        params: Params {
            jitter: 0.5,
            ..STEADY
        },
    },
    Profile {
        name: "stalls",
        description: "Steady, with long pauses before chosen token positions.",
        params: Params {
            stall_at: Cow::Borrowed(&[20, 60]),
            stall_ms: 500.0,
            ..STEADY
        },
    },
    Profile {
        name: "multi-token",
        description: "Several tokens per chunk, as with speculative decoding; usage counts them.",
        params: Params {
            tokens_per_chunk: 4,
            ..STEADY
        },
    },
    Profile {
        name: "prefill",
        description: "Time to first token grows linearly with the prompt's length.",
        params: Params {
            prefill_ms_per_token: 1.0,
            ..STEADY
        },
    },
    Profile {
        name: "bursts",
        description: "Generated steadily but released in bursts, as a buffering proxy does.",
        params: Params {
            chunks_per_burst: 8,
            ..STEADY
        },
    },
    Profile {
        name: "reasoning",
        description: "First tokens as delta.reasoning_content, then visible content.",
        params: Params {
            reasoning_tokens: 20,
            ..STEADY
        },
    },
    Profile {
        name: "rate-limited",
        description: "Answers 429 with a JSON error body and Retry-After.",
        params: faulty(Fault::RateLimited, 0),
    },
    Profile {
        name: "server-error",
        description: "Answers 500 with a JSON error body.",
        params: faulty(Fault::ServerError, 0),
    },
    Profile {
        name: "drop-mid-stream",
        description: "Closes the connection abruptly mid-stream, without [DONE].",
        params: faulty(Fault::DropMidStream, 30),
    },
    Profile {
        name: "garbage",
        description: "Sends one data line that is not JSON mid-stream, then goes on.",
        params: faulty(Fault::Garbage, 10),
    },
    Profile {
        name: "invalid-utf8",
        description: "One content string holds bytes that are not UTF-8, then goes on.",
        params: faulty(Fault::InvalidUtf8, 10),
    },
    Profile {
        name: "error-event",
        description: "Sends an {\"error\": ...} chunk mid-stream, then [DONE].",
        params: faulty(Fault::ErrorEvent, 30),
    },
    Profile {
        name: "never-ends",
        description:
            "Goes silent mid-stream and keeps the connection open until the client gives up.",
        params: faulty(Fault::NeverEnds, 10),
    },
    Profile {
        name: "no-finish",
        description: "Ends the body cleanly mid-stream, without finish_reason nor [DONE].",
        params: faulty(Fault::NoFinish, 30),
    },
];

/// How to override parameters, for `--help` and `/v1/models`.
pub const PARAMETER_SCHEME: &str = "Override parameters in the model name: PROFILE@key=value,key=value \
(a bare number first means rate; stall_at takes positions joined by '+'). \
Keys: rate (tokens/s), prefill_ms, prefill_ms_per_token, jitter (0..1), seed, stall_at, \
stall_ms, per_chunk, burst, reasoning, tokens (length without max_tokens), after (tokens before a fault), \
retry_after (s). Example: stalls@rate=100,stall_at=5+15,stall_ms=200";

/// Why a model name could not be resolved.
#[derive(Debug, PartialEq)]
pub enum ModelError {
    /// No profile has this name; the message lists the valid ones.
    UnknownProfile(String),
    /// The profile exists but a parameter is malformed.
    BadParameter(String),
}

/// Resolves a request's `model` into its profile and parameters.
pub fn resolve(model: &str) -> Result<(&'static Profile, Params), ModelError> {
    let (name, overrides) = match model.split_once('@') {
        Some((name, overrides)) => (name, Some(overrides)),
        None => (model, None),
    };
    let Some(profile) = PROFILES.iter().find(|p| p.name == name) else {
        let names: Vec<&str> = PROFILES.iter().map(|p| p.name).collect();
        return Err(ModelError::UnknownProfile(format!(
            "The model `{model}` does not exist on this testbed. Valid profiles: {}. {PARAMETER_SCHEME}.",
            names.join(", ")
        )));
    };
    let mut params = profile.params.clone();
    for (position, item) in overrides.into_iter().flat_map(|o| o.split(',')).enumerate() {
        let (key, value) = match item.split_once('=') {
            Some(pair) => pair,
            None if position == 0 => ("rate", item),
            None => return Err(bad(model, &format!("`{item}` is not key=value"))),
        };
        set(&mut params, key.trim(), value.trim()).map_err(|why| bad(model, &why))?;
    }
    Ok((profile, params))
}

fn bad(model: &str, why: &str) -> ModelError {
    ModelError::BadParameter(format!(
        "In the model `{model}`: {why}. {PARAMETER_SCHEME}."
    ))
}

/// Sets one parameter from its `key` and textual `value`.
fn set(params: &mut Params, key: &str, value: &str) -> Result<(), String> {
    match key {
        "rate" => params.rate = positive(key, value)?,
        "prefill_ms" => params.prefill_ms = non_negative(key, value)?,
        "prefill_ms_per_token" => params.prefill_ms_per_token = non_negative(key, value)?,
        "jitter" => {
            params.jitter = non_negative(key, value)?;
            if params.jitter > 1.0 {
                return Err("jitter must be between 0 and 1".into());
            }
        }
        "seed" => params.seed = Some(whole(key, value)?),
        "stall_at" => {
            let positions: Result<Vec<u32>, String> = value
                .split('+')
                .filter(|p| !p.is_empty())
                .map(|p| count(key, p))
                .collect();
            params.stall_at = Cow::Owned(positions?);
        }
        "stall_ms" => params.stall_ms = non_negative(key, value)?,
        "per_chunk" => params.tokens_per_chunk = count(key, value)?.max(1),
        "burst" => params.chunks_per_burst = count(key, value)?.max(1),
        "reasoning" => params.reasoning_tokens = count(key, value)?,
        "tokens" => params.default_tokens = count(key, value)?,
        "after" => params.fault_after = count(key, value)?,
        "retry_after" => params.retry_after_s = count(key, value)?,
        _ => return Err(format!("`{key}` is not a parameter")),
    }
    Ok(())
}

fn non_negative(key: &str, value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("{key} must be a number >= 0, not `{value}`")),
    }
}

fn positive(key: &str, value: &str) -> Result<f64, String> {
    match non_negative(key, value) {
        Ok(v) if v > 0.0 => Ok(v),
        _ => Err(format!("{key} must be a number > 0, not `{value}`")),
    }
}

fn whole(key: &str, value: &str) -> Result<u64, String> {
    value
        .parse()
        .map_err(|_| format!("{key} must be a whole number, not `{value}`"))
}

fn count(key: &str, value: &str) -> Result<u32, String> {
    value
        .parse()
        .map_err(|_| format!("{key} must be a whole number, not `{value}`"))
}

impl Params {
    /// The parameters as the `key=value,...` a model name would carry.
    pub fn as_overrides(&self) -> String {
        let stalls: Vec<String> = self.stall_at.iter().map(u32::to_string).collect();
        let mut text = format!(
            "rate={},prefill_ms={},prefill_ms_per_token={},jitter={},",
            self.rate, self.prefill_ms, self.prefill_ms_per_token, self.jitter
        );
        if let Some(seed) = self.seed {
            let _ = write!(text, "seed={seed},");
        }
        let _ = write!(
            text,
            "stall_at={},stall_ms={},per_chunk={},burst={},reasoning={},tokens={},after={},retry_after={}",
            stalls.join("+"),
            self.stall_ms,
            self.tokens_per_chunk,
            self.chunks_per_burst,
            self.reasoning_tokens,
            self.default_tokens,
            self.fault_after,
            self.retry_after_s
        );
        text
    }
}

impl Profile {
    /// The sentence `/v1/models` and `--help` show: what it does and its defaults.
    pub fn long_description(&self) -> String {
        format!(
            "{} Defaults: {}@{}",
            self.description,
            self.name,
            self.params.as_overrides()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_name_gives_the_table_row() {
        let (profile, params) = resolve("stalls").unwrap();
        assert_eq!(profile.name, "stalls");
        assert_eq!(params.stall_at.as_ref(), &[20, 60]);
    }

    #[test]
    fn overrides_change_only_what_they_name() {
        let (_, params) = resolve("stalls@100,stall_at=5+15,stall_ms=200").unwrap();
        assert_eq!(params.rate, 100.0);
        assert_eq!(params.stall_at.as_ref(), &[5, 15]);
        assert_eq!(params.stall_ms, 200.0);
        assert_eq!(params.prefill_ms, STEADY.prefill_ms);
    }

    #[test]
    fn unknown_profile_lists_valid_names() {
        let Err(ModelError::UnknownProfile(message)) = resolve("gpt-4") else {
            panic!("gpt-4 should be unknown")
        };
        assert!(
            message.contains("steady") && message.contains("no-finish"),
            "{message}"
        );
    }

    #[test]
    fn malformed_parameters_are_refused() {
        for model in [
            "steady@rate=0",
            "steady@jitter=2",
            "steady@speed=3",
            "steady@1,x",
            "steady@rate=fast",
        ] {
            assert!(
                matches!(resolve(model), Err(ModelError::BadParameter(_))),
                "{model}"
            );
        }
    }

    #[test]
    fn every_profile_round_trips_through_its_overrides() {
        for profile in PROFILES {
            let model = format!("{}@{}", profile.name, profile.params.as_overrides());
            assert_eq!(resolve(&model).unwrap().1, profile.params, "{model}");
        }
    }
}
