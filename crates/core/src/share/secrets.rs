//! Keeping secrets out of everything shared. A set-up goes through
//! [`TestSetup::shareable`] (secret header values emptied), and then loses
//! what else can hold a credential: a user name and password in the
//! address, query parameters and extra body fields named like a key or a
//! token. A recording's configuration is scrubbed the same way, and the
//! page can redact the key itself wherever it appears (a server may echo it
//! in an error message).

use serde_json::Value;

use crate::plan::setup::{is_secret_header, TestSetup};
use crate::recording::Recording;

/// What a link or a file may hold of `setup`.
pub fn shareable_setup(setup: &TestSetup) -> TestSetup {
    let mut shared = setup.shareable();
    shared.endpoint = shareable_endpoint(&shared.endpoint);
    shared
        .request
        .extra_body
        .retain(|name, _| !is_secret_name(name));
    shared
}

/// The address without `user:password@` and without the values of query
/// parameters named like a secret (`?key=`, `?api_key=`, `?token=`).
pub fn shareable_endpoint(endpoint: &str) -> String {
    let (address, fragment) = endpoint.split_once('#').unwrap_or((endpoint, ""));
    let (address, query) = address.split_once('?').unwrap_or((address, ""));
    let scheme_end = address.find("://").map_or(0, |i| i + 3);
    let authority_end = address[scheme_end..]
        .find('/')
        .map_or(address.len(), |i| scheme_end + i);
    let mut shared = match address[scheme_end..authority_end].rfind('@') {
        Some(at) => format!(
            "{}{}",
            &address[..scheme_end],
            &address[scheme_end + at + 1..]
        ),
        None => address.to_string(),
    };
    if !query.is_empty() {
        let parameters: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if is_secret_name(name) => format!("{name}="),
                _ => pair.to_string(),
            })
            .collect();
        shared.push('?');
        shared.push_str(&parameters.join("&"));
    }
    if !fragment.is_empty() {
        shared.push('#');
        shared.push_str(fragment);
    }
    shared
}

/// A field name that holds a credential: the header rule (authorization,
/// cookie, anything with key, token or secret in it) plus passwords.
fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    is_secret_header(name) || lower.contains("password") || lower == "key"
}

/// A recording's configuration as it may be shared, the same rules applied
/// to its JSON as it stands (so nothing else changes): the values of
/// headers marked secret or named like one emptied, addresses without
/// credentials, and any other text under a secret-looking name emptied.
pub fn shareable_config(config: &Value) -> Value {
    let mut shared = config.clone();
    empty_secret_strings(&mut shared);
    shared
}

fn empty_secret_strings(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let secret_header = map.get("secret").and_then(Value::as_bool) == Some(true)
                || map
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(is_secret_name);
            for (name, field) in map.iter_mut() {
                let emptied = (name == "value" && secret_header)
                    || (field.is_string() && is_secret_name(name));
                if emptied {
                    *field = Value::String(String::new());
                } else if name == "endpoint" || name == "url" {
                    if let Value::String(address) = field {
                        *address = shareable_endpoint(address);
                    }
                } else {
                    empty_secret_strings(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(empty_secret_strings),
        _ => {}
    }
}

/// The recording as it may be shared: its configuration scrubbed, and each
/// of `secrets` (the API key, secret header values) replaced by `***`
/// wherever it appears, error messages included. Secrets shorter than 4
/// characters are not searched for (they would match ordinary text).
pub fn shareable_recording(recording: &Recording, secrets: &[String]) -> Recording {
    let mut shared = recording.clone();
    shared.config = shareable_config(&recording.config);
    let secrets: Vec<&str> = secrets
        .iter()
        .map(|s| s.trim())
        .filter(|s| s.chars().count() >= 4)
        .collect();
    if secrets.is_empty() {
        return shared;
    }
    let Ok(mut text) = serde_json::to_string(&shared) else {
        return shared;
    };
    let mut found = false;
    for secret in secrets {
        // As JSON writes it (quotes and backslashes escaped).
        let quoted = serde_json::to_string(secret).unwrap_or_default();
        let written = quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or("");
        if !written.is_empty() && text.contains(written) {
            text = text.replace(written, "***");
            found = true;
        }
    }
    if found {
        if let Ok(redacted) = serde_json::from_str(&text) {
            shared = redacted;
        }
    }
    shared
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::setup::HeaderSetting;

    #[test]
    fn credentials_leave_the_address_and_the_body() {
        assert_eq!(
            shareable_endpoint("https://bob:hunter2@api.example.com/v1?api_key=abc&region=eu"),
            "https://api.example.com/v1?api_key=&region=eu"
        );
        assert_eq!(shareable_endpoint("localhost:8000"), "localhost:8000");
        let mut setup = TestSetup::default();
        setup
            .request
            .extra_body
            .insert("api_key".into(), "abc".into());
        setup.request.extra_body.insert("top_k".into(), 5.into());
        let shared = shareable_setup(&setup);
        assert!(!shared.request.extra_body.contains_key("api_key"));
        assert!(shared.request.extra_body.contains_key("top_k"));
    }

    #[test]
    fn a_configuration_loses_secret_values_but_keeps_numbers() {
        let mut setup = TestSetup::default();
        setup.headers.push(HeaderSetting {
            name: "X-Tenant".into(),
            value: "blue-tenant".into(),
            secret: true,
        });
        let config = serde_json::json!({
            "setup": setup,
            "chars_per_token": 3.5,
            "other": {"headers": [{"name": "Authorization", "value": "Bearer zzz"}], "token": "t0k3n"},
        });
        let text = shareable_config(&config).to_string();
        for secret in ["blue-tenant", "zzz", "t0k3n"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(text.contains("3.5"));
    }

    #[test]
    fn a_recording_never_repeats_the_key() {
        let mut recording = crate::recording::synthetic::SyntheticRun {
            seed: 1,
            requests: 3,
            tokens_per_request: 5,
            stall_probability: 0.0,
        }
        .recording();
        recording.requests[0].error = Some(crate::recording::RequestError {
            kind: crate::recording::ErrorKind::HttpStatus,
            message: "Invalid key sk-live-\"123\"".into(),
            status: Some(401),
        });
        let shared = shareable_recording(&recording, &["sk-live-\"123\"".into(), "ab".into()]);
        let text = serde_json::to_string(&shared).unwrap();
        assert!(!text.contains("sk-live"), "{text}");
        assert!(text.contains("Invalid key ***"));
    }
}
