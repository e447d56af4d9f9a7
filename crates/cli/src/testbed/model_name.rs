//! The model-name scheme `PROFILE@key=value,...`: which profile a request's
//! `model` names and which of its parameters it overrides; and the
//! simulated models, `sim-POLICY@preset=NAME`.

use super::profiles::{Params, Profile, PROFILES};
use etalon_core::simulate::presets::{preset, Preset, PRESETS};
use etalon_core::simulate::Policy;
use std::borrow::Cow;
use std::fmt::Write as _;

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
            "The model `{model}` does not exist on this testbed. Valid profiles: {}; and the simulated models {}. {PARAMETER_SCHEME}.",
            names.join(", "),
            simulated_model_names().join(", ")
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
    /// The parameters as the `key=value,...` a model name would carry
    /// (`seed` and `stall_at` only when set).
    pub fn as_overrides(&self) -> String {
        let mut text = format!(
            "rate={},prefill_ms={},prefill_ms_per_token={},jitter={}",
            self.rate, self.prefill_ms, self.prefill_ms_per_token, self.jitter
        );
        if let Some(seed) = self.seed {
            let _ = write!(text, ",seed={seed}");
        }
        if !self.stall_at.is_empty() {
            let stalls: Vec<String> = self.stall_at.iter().map(u32::to_string).collect();
            let _ = write!(
                text,
                ",stall_at={},stall_ms={}",
                stalls.join("+"),
                self.stall_ms
            );
        }
        let _ = write!(
            text,
            ",per_chunk={},burst={},reasoning={},tokens={},after={},retry_after={}",
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

/// How a simulated model is named: `sim-<policy>`, its preset a parameter
/// (`sim-chunked-prefill@preset=llama-70b-4xa100`).
pub const SIMULATED_PREFIX: &str = "sim-";

/// A simulated model a request named.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimulatedModel {
    pub preset: &'static Preset,
    pub policy: Policy,
}

/// The simulated model `model` names, if it names one (`sim-...`).
pub fn resolve_simulated(model: &str) -> Option<Result<SimulatedModel, ModelError>> {
    let rest = model.strip_prefix(SIMULATED_PREFIX)?;
    let (policy_name, overrides) = rest.split_once('@').unwrap_or((rest, ""));
    let Some(policy) = Policy::named(policy_name) else {
        return Some(Err(ModelError::UnknownProfile(format!(
            "The model `{model}` does not exist on this testbed: the simulated models are {}.",
            simulated_model_names().join(", ")
        ))));
    };
    let mut chosen = &PRESETS[0];
    for item in overrides.split(',').filter(|item| !item.is_empty()) {
        match item.split_once('=') {
            Some(("preset", name)) => match preset(name.trim()) {
                Some(found) => chosen = found,
                None => return Some(Err(ModelError::BadParameter(unknown_preset(model, name)))),
            },
            _ => {
                return Some(Err(ModelError::BadParameter(format!(
                    "In the model `{model}`: `{item}` is not a parameter; a simulated model takes \
                     preset=NAME, one of {}.",
                    preset_names()
                ))))
            }
        }
    }
    Some(Ok(SimulatedModel {
        preset: chosen,
        policy,
    }))
}

fn unknown_preset(model: &str, name: &str) -> String {
    format!(
        "In the model `{model}`: there is no simulated server `{name}`; the presets are {}.",
        preset_names()
    )
}

fn preset_names() -> String {
    let names: Vec<String> = PRESETS
        .iter()
        .map(|p| format!("{} ({})", p.name, p.label))
        .collect();
    names.join(", ")
}

/// `sim-prefill-first`, ...: every simulated model's name.
pub fn simulated_model_names() -> Vec<String> {
    Policy::NAMES
        .iter()
        .map(|name| format!("{SIMULATED_PREFIX}{name}"))
        .collect()
}

/// Each simulated model with what it does, for `/v1/models` and `--help`.
pub fn described_simulated_models() -> Vec<(String, String)> {
    Policy::NAMES
        .iter()
        .filter_map(|name| {
            let policy = Policy::named(name)?;
            let model = format!("{SIMULATED_PREFIX}{name}");
            let description = format!(
                "A simulated GPU server that {}. Parameter preset=NAME, the hardware: {}. \
                 Defaults: {model}@preset={}",
                policy.describe(),
                preset_names(),
                PRESETS[0].name
            );
            Some((model, description))
        })
        .collect()
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
        assert_eq!(params.prefill_ms, PROFILES[0].params.prefill_ms);
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

    #[test]
    fn a_simulated_model_names_its_policy_and_its_preset() {
        let model = resolve_simulated("sim-chunked-prefill@preset=llama-70b-4xa100")
            .unwrap()
            .unwrap();
        assert_eq!(model.policy, Policy::ChunkedPrefill);
        assert_eq!(model.preset.name, "llama-70b-4xa100");
        let default = resolve_simulated("sim-static").unwrap().unwrap();
        assert_eq!(default.preset.name, PRESETS[0].name);
        assert!(resolve_simulated("steady").is_none());
        for (bad, unknown) in [
            ("sim-fastest", true),
            ("sim-static@preset=abacus", false),
            ("sim-static@seed=3", false),
        ] {
            let error = resolve_simulated(bad).unwrap().unwrap_err();
            assert_eq!(matches!(error, ModelError::UnknownProfile(_)), unknown);
            let (ModelError::UnknownProfile(why) | ModelError::BadParameter(why)) = error;
            assert!(why.contains(bad), "{why}");
        }
        let names = simulated_model_names();
        assert_eq!(names.len(), Policy::NAMES.len());
        assert!(names.contains(&"sim-decode-first".to_string()));
    }
}
