//! A test set-up: everything the user chose before pressing Run (endpoint,
//! server kind, model, headers, workload, deadlines). It is what a test link
//! carries and what a recording keeps as its configuration, so it is a
//! versioned serde type, and it never holds a secret: API keys and header
//! values marked secret stay out of it ([`TestSetup::shareable`]).

use serde::{Deserialize, Serialize};

use crate::metrics::{DeadlineConfig, TtftDeadline};
use crate::plan::body_fields::{extra_body_problems, extra_body_text, parse_extra_body};
use crate::plan::server::ServerPreset;
use crate::plan::workload::WorkloadConfig;
use crate::simulate::endpoint::{unknown_policy, unknown_preset};
use crate::simulate::presets::{preset, Preset};
use crate::simulate::Policy;
use crate::wire::openai::{EndpointUrls, RequestSettings};

/// Version of the set-up format.
pub const SETUP_VERSION: u32 = 1;

/// One extra request header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct HeaderSetting {
    pub name: String,
    /// Empty in a shared set-up when `secret`.
    #[serde(default)]
    pub value: String,
    /// Never written into a link, an export or a recording.
    #[serde(default)]
    pub secret: bool,
}

/// Characters of an unusable address that a banner repeats.
pub const MAX_SHOWN_ADDRESS_CHARS: usize = 60;

/// Everything the user set up for a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TestSetup {
    pub version: u32,
    /// The server's address as typed (`http://127.0.0.1:8000`, with or
    /// without `/v1`).
    pub endpoint: String,
    pub server: ServerPreset,
    /// Model, API kind and body options; `max_tokens` comes from the workload.
    pub request: RequestSettings,
    pub headers: Vec<HeaderSetting>,
    pub workload: WorkloadConfig,
    pub deadlines: DeadlineConfig,
    /// A request with no end after this many seconds is abandoned.
    pub timeout_seconds: f64,
    /// Seed of the plan (arrivals, lengths, prompts).
    pub seed: u64,
    /// The extra body fields as last typed, when that text is not a JSON
    /// object: kept so that the field still shows it with its problem, and
    /// the set-up cannot run until it is fixed. Never written anywhere.
    #[serde(skip)]
    pub unread_extra_body: Option<String>,
}

/// A field the user must fix, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    /// Which field (`endpoint`, `model`, `headers`, `temperature`,
    /// `extra_body`, `workload`, `deadlines`, `timeout`).
    pub field: &'static str,
    pub message: String,
}

impl TestSetup {
    /// The same set-up with every secret header value removed: what links,
    /// exports and recordings may hold.
    pub fn shareable(&self) -> TestSetup {
        let mut shared = self.clone();
        shared.unread_extra_body = None;
        for header in &mut shared.headers {
            if header.secret || is_secret_header(&header.name) {
                header.secret = true;
                header.value.clear();
            }
        }
        shared
    }

    /// The endpoint's URLs, or why the address is not usable.
    pub fn urls(&self) -> Result<EndpointUrls, String> {
        EndpointUrls::from_typed(&self.endpoint).map_err(|problem| problem.to_string())
    }

    /// The simulated system the set-up runs, when its address is a
    /// `sim://` one naming a preset and its model a policy.
    pub fn simulated(&self) -> Option<(&'static Preset, Policy)> {
        let urls = self.urls().ok()?;
        let preset = preset(urls.simulated_name()?)?;
        Some((preset, Policy::named(self.request.model.trim())?))
    }

    /// The host (and port) the set-up sends its requests to, as a banner
    /// names it; for an address that is not usable, at most its first
    /// [`MAX_SHOWN_ADDRESS_CHARS`] characters, so that a link cannot write
    /// its own sentence there.
    pub fn host(&self) -> String {
        match self.urls() {
            Ok(urls) => {
                let origin = urls.origin();
                origin
                    .split_once("://")
                    .map_or(origin, |(_, host)| host)
                    .to_string()
            }
            Err(_) => match self.endpoint.char_indices().nth(MAX_SHOWN_ADDRESS_CHARS) {
                Some((cut, _)) => format!("{}...", &self.endpoint[..cut]),
                None => self.endpoint.clone(),
            },
        }
    }

    /// Everything wrong with the set-up, field by field; empty when it can run.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        let mut problem =
            |field: &'static str, message: String| problems.push(FieldProblem { field, message });
        let urls = self.urls();
        if let Err(message) = &urls {
            problem("endpoint", message.clone());
        }
        let model = self.request.model.trim();
        if model.is_empty() {
            problem(
                "model",
                "Choose a model: press \"List models\" or type the name the server serves.".into(),
            );
        }
        if let Some(name) = urls.as_ref().ok().and_then(|u| u.simulated_name()) {
            if preset(name).is_none() {
                problem("endpoint", unknown_preset(name));
            }
            if !model.is_empty() && Policy::named(model).is_none() {
                problem("model", unknown_policy(model));
            }
        }
        for header in &self.headers {
            let name = header.name.trim();
            if name.is_empty() && !header.value.is_empty() {
                problem(
                    "headers",
                    "A header has a value but no name: give it a name or remove it.".into(),
                );
            } else if !name.is_empty() && !name.bytes().all(is_token_byte) {
                problem(
                    "headers",
                    format!(
                        "\"{name}\" is not a valid header name: use letters, digits and dashes."
                    ),
                );
            }
        }
        if self
            .request
            .temperature
            .is_some_and(|t| !(t.is_finite() && t >= 0.0))
        {
            problem(
                "temperature",
                "The temperature must be a number of 0 or more, or empty to leave it to the server."
                    .into(),
            );
        }
        if let Some(Err(message)) = self.unread_extra_body.as_deref().map(parse_extra_body) {
            problem("extra_body", message);
        }
        for message in extra_body_problems(&self.request.extra_body) {
            problem("extra_body", message);
        }
        if let Err(e) = self.workload.check() {
            problem("workload", e.to_string());
        }
        if let Err(message) = self.deadlines.validate() {
            problem("deadlines", message);
        }
        if !(self.timeout_seconds.is_finite() && self.timeout_seconds > 0.0) {
            problem(
                "timeout",
                "The time limit per request must be a number of seconds above 0.".into(),
            );
        } else if self.timeout_seconds > crate::limits::MAX_TIMEOUT_SECONDS {
            problem(
                "timeout",
                format!(
                    "The time limit per request can be at most a day ({} seconds).",
                    crate::limits::MAX_TIMEOUT_SECONDS
                ),
            );
        }
        problems
    }

    /// Takes the extra body fields as typed: a JSON object replaces them;
    /// any other text is kept as typed, the fields stay as they were, and
    /// [`problems`](Self::problems) says what is wrong with it.
    pub fn type_extra_body(&mut self, text: &str) {
        match parse_extra_body(text) {
            Ok(fields) => {
                self.request.extra_body = fields;
                self.unread_extra_body = None;
            }
            Err(_) => self.unread_extra_body = Some(text.to_string()),
        }
    }

    /// The extra body fields as their text area shows them: the text typed
    /// last if it could not be read, else the fields as JSON.
    pub fn extra_body_text(&self) -> String {
        self.unread_extra_body
            .clone()
            .unwrap_or_else(|| extra_body_text(&self.request.extra_body))
    }

    /// The TTFT deadline in seconds when it is fixed.
    pub fn fixed_ttft_deadline(&self) -> Option<f64> {
        match self.deadlines.ttft_deadline {
            TtftDeadline::Fixed(seconds) => Some(seconds),
            TtftDeadline::Prefill { .. } => None,
        }
    }

    /// The request headers to send: the user's (secret ones included) and,
    /// with a key, `Authorization: Bearer KEY`.
    pub fn request_headers(&self, api_key: &str) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .filter(|h| !h.name.trim().is_empty())
            .map(|h| (h.name.trim().to_string(), h.value.clone()))
            .collect();
        if !api_key.trim().is_empty() {
            headers.push(("authorization".into(), format!("Bearer {}", api_key.trim())));
        }
        headers
    }
}

/// Headers whose values are secrets whatever the user ticked: a broad rule
/// (any name with key, token or secret in it), for header names only. Query
/// parameters and body fields use the exact list in `share/secrets.rs`, so
/// that `max_tokens` is never taken for a credential.
pub fn is_secret_header(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase();
    name == "authorization"
        || name == "proxy-authorization"
        || name == "cookie"
        || name.contains("key")
        || name.contains("token")
        || name.contains("secret")
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_set_up_can_run() {
        let setup = TestSetup::default();
        assert_eq!(setup.problems(), vec![]);
        assert_eq!(setup.version, SETUP_VERSION);
    }

    #[test]
    fn secrets_never_leave_in_a_shareable_set_up() {
        let setup = TestSetup {
            headers: vec![
                HeaderSetting {
                    name: "X-Api-Key".into(),
                    value: "sk-123".into(),
                    secret: false,
                },
                HeaderSetting {
                    name: "X-Tenant".into(),
                    value: "blue".into(),
                    secret: true,
                },
                HeaderSetting {
                    name: "X-Region".into(),
                    value: "eu".into(),
                    secret: false,
                },
            ],
            ..TestSetup::default()
        };
        let shared = setup.shareable();
        let text = serde_json::to_string(&shared).unwrap();
        assert!(!text.contains("sk-123") && !text.contains("blue"), "{text}");
        assert!(text.contains("eu"));
        assert_eq!(
            setup.request_headers("k").last().unwrap(),
            &("authorization".to_string(), "Bearer k".to_string())
        );
    }

    #[test]
    fn problems_name_their_field() {
        let mut setup = TestSetup {
            endpoint: "not a url at all".into(),
            ..TestSetup::default()
        };
        setup.request.model = " ".into();
        setup.headers.push(HeaderSetting {
            name: "bad name".into(),
            value: "x".into(),
            secret: false,
        });
        setup.timeout_seconds = 0.0;
        let fields: Vec<&str> = setup.problems().iter().map(|p| p.field).collect();
        assert_eq!(fields, vec!["endpoint", "model", "headers", "timeout"]);
    }

    #[test]
    fn a_set_up_round_trips_and_old_fields_default() {
        let setup = TestSetup::default();
        let text = serde_json::to_string(&setup).unwrap();
        assert_eq!(serde_json::from_str::<TestSetup>(&text).unwrap(), setup);
        let sparse: TestSetup = serde_json::from_str(r#"{"endpoint": "http://h:1"}"#).unwrap();
        assert_eq!(sparse.endpoint, "http://h:1");
        assert_eq!(sparse.timeout_seconds, TestSetup::default().timeout_seconds);
    }
}
