//! Keeping secrets out of everything shared. A set-up goes through
//! [`TestSetup::shareable`] (secret header values emptied), and then loses
//! what else can hold a credential: a user name and password in the
//! address, and the query parameters and extra body fields named in
//! [`SECRET_PARAMETERS`]. A recording's configuration is scrubbed the same
//! way, every address written in it loses its `user:password@`, and the
//! page can redact the key itself wherever it appears (a server may echo it
//! in an error message).
//!
//! Two rules, on purpose: a header is secret by the broad header rule
//! ([`is_secret_header`]: authorization, proxy-authorization, cookie, or
//! "key", "token" or "secret" anywhere in its name), while a query
//! parameter or a body field is secret only by its exact name, so that
//! `max_tokens` and `max_completion_tokens` stay.

use serde_json::{Map, Value};

use crate::plan::setup::{is_secret_header, TestSetup};
use crate::recording::Recording;

/// Query parameters and extra body fields whose values are credentials:
/// exact names, compared case-insensitively after percent-decoding.
/// `code` is Azure Functions' key, `sig` and `signature` a signed URL's,
/// `subscription-key` Azure API Management's.
pub const SECRET_PARAMETERS: &[&str] = &[
    "key",
    "api_key",
    "apikey",
    "api-key",
    "x-api-key",
    "subscription-key",
    "token",
    "access_token",
    "sig",
    "signature",
    "auth",
    "code",
    "password",
    "secret",
];

/// Whether a query parameter or an extra body field named `name` holds a
/// credential ([`SECRET_PARAMETERS`]).
pub fn is_secret_parameter(name: &str) -> bool {
    let name = percent_decoded(name.trim());
    SECRET_PARAMETERS
        .iter()
        .any(|secret| name.eq_ignore_ascii_case(secret))
}

/// What a link or a file may hold of `setup`.
pub fn shareable_setup(setup: &TestSetup) -> TestSetup {
    let mut shared = setup.shareable();
    shared.endpoint = shareable_endpoint(&shared.endpoint);
    shared
        .request
        .extra_body
        .retain(|name, _| !is_secret_parameter(name));
    shared
}

/// The address without `user:password@` and without the values of the
/// query parameters in [`SECRET_PARAMETERS`] (`?key=`, `?code=`, `?sig=`).
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
                Some((name, _)) if is_secret_parameter(name) => format!("{name}="),
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

/// `text` with the `user:password@` of every `scheme://` address in it
/// removed (a failure message, a note in a configuration).
pub fn without_user_info(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        out.push_str(&rest[..i + 3]);
        rest = &rest[i + 3..];
        let end = rest
            .find(|c: char| c.is_whitespace() || "/?#\"'<>(){},;`".contains(c))
            .unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// A recording's configuration as it may be shared, the same rules applied
/// to its JSON as it stands (so nothing else changes): the values of
/// headers marked secret or named like one emptied, addresses without
/// credentials, and any other text under a name in [`SECRET_PARAMETERS`]
/// (or, inside a `headers` map, under a secret header's name) emptied.
pub fn shareable_config(config: &Value) -> Value {
    let mut shared = config.clone();
    empty_secret_strings(&mut shared, false);
    shared
}

fn empty_secret_strings(value: &mut Value, in_headers: bool) {
    match value {
        Value::Object(map) => {
            let secret_header = map.get("secret").and_then(Value::as_bool) == Some(true)
                || map
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(is_secret_header);
            for (name, field) in map.iter_mut() {
                let secret_name =
                    is_secret_parameter(name) || (in_headers && is_secret_header(name));
                let emptied =
                    (name == "value" && secret_header) || (field.is_string() && secret_name);
                if emptied {
                    *field = Value::String(String::new());
                } else if name == "endpoint" || name == "url" {
                    if let Value::String(address) = field {
                        *address = without_user_info(&shareable_endpoint(address));
                    }
                } else if let Value::String(text) = field {
                    *text = without_user_info(text);
                } else {
                    empty_secret_strings(field, name.eq_ignore_ascii_case("headers"));
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| empty_secret_strings(item, in_headers)),
        Value::String(text) => *text = without_user_info(text),
        _ => {}
    }
}

/// The recording as it may be shared: its configuration scrubbed, every
/// address in its texts without `user:password@`, and each of `secrets`
/// (the API key, secret header values) replaced by `***` wherever it
/// appears in a text, error messages included. Secrets shorter than 4
/// characters are not searched for (they would match ordinary text).
///
/// The replacement is made in each text of the recording, never in its
/// JSON, so it cannot break the JSON (a key of digits inside a number, a key
/// equal to a field's name) and there is no unredacted copy to fall back to.
pub fn shareable_recording(recording: &Recording, secrets: &[String]) -> Recording {
    let mut secrets: Vec<&str> = secrets
        .iter()
        .map(|s| s.trim())
        .filter(|s| s.chars().count() >= 4)
        .collect();
    // The longest first, so a secret holding another goes whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let redact = |text: &str| -> String {
        let mut text = without_user_info(text);
        for secret in &secrets {
            if text.contains(secret) {
                text = text.replace(secret, "***");
            }
        }
        text
    };
    let mut shared = recording.clone();
    shared.config = redact_value(shareable_config(&recording.config), &redact);
    // Every free text of a recording; the rest are numbers, flags and
    // fixed names.
    shared.environment.user_agent = redact(&shared.environment.user_agent);
    for request in &mut shared.requests {
        for text in [&mut request.finish_reason, &mut request.protocol]
            .into_iter()
            .flatten()
        {
            *text = redact(text);
        }
        if let Some(error) = &mut request.error {
            error.message = redact(&error.message);
        }
    }
    shared
}

/// `value` with `redact` applied to every string and every object key.
fn redact_value(value: Value, redact: &impl Fn(&str) -> String) -> Value {
    match value {
        Value::String(text) => Value::String(redact(&text)),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| redact_value(item, redact))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(name, field)| (redact(&name), redact_value(field, redact)))
                .collect::<Map<String, Value>>(),
        ),
        other => other,
    }
}

/// `%XX` escapes decoded (others left as they are), for comparing names.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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
