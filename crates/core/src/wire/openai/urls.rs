//! From the server address a user typed to the URLs of its endpoints.
//!
//! Accepts `http://host:8000`, `http://host:8000/`, `http://host:8000/v1`,
//! a hosted API's base (`https://openrouter.ai/api/v1`), an address without a
//! scheme (`localhost:8000`), and even a whole endpoint URL pasted by mistake
//! (`.../v1/chat/completions`). A `sim://PRESET` address names a simulated
//! server that runs inside the page (see the crate's `simulate`).

use super::request::Api;

/// The scheme of a simulated server's address: `sim://llama-8b-a100`.
pub const SIMULATED_SCHEME: &str = "sim";

/// The URLs of one server's endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointUrls {
    /// Everything before the endpoint's own path, ending in `/v1` (or the
    /// version segment the user gave), without a trailing slash.
    pub base: String,
    /// Query string the user typed (`?api-version=...`), put back on each URL.
    query: String,
}

/// Why a typed address cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlProblem {
    Empty,
    /// A scheme other than http or https.
    UnsupportedScheme(String),
    /// No host, or a host with characters no host name has.
    BadHost(String),
    /// A `user:password@` before the host.
    UserInfo,
    /// A `sim://` address whose name is empty or holds other characters
    /// than letters, digits, dots, dashes and underscores.
    SimulatedName(String),
}

impl std::fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UrlProblem::Empty => write!(f, "Type the server's address, for example http://localhost:8000."),
            UrlProblem::UnsupportedScheme(scheme) => write!(
                f,
                "The address starts with \"{scheme}:\"; a server is reached with http:// or https:// (or sim:// for one simulated in this page)."
            ),
            UrlProblem::UserInfo => write!(f, "The address holds a user name or password (user:password@), which would be written into links and exports: remove it, and put the key in the API key field instead."),
            UrlProblem::SimulatedName(name) => write!(
                f,
                "\"{name}\" is not the name of a simulated server: after sim:// comes a name of letters, digits and dashes; the Server list's \"Simulated server\" fills one in."
            ),
            UrlProblem::BadHost(host) if host.is_empty() => {
                write!(f, "The address has no server name: type one, for example http://localhost:8000.")
            }
            UrlProblem::BadHost(host) => write!(
                f,
                "\"{host}\" is not a server name: it may only hold letters, digits, dots, dashes, a port after ':' or an IPv6 address in [ ]."
            ),
        }
    }
}

impl EndpointUrls {
    /// Reads the address the user typed.
    pub fn from_typed(typed: &str) -> Result<Self, UrlProblem> {
        let typed = typed.trim();
        if typed.is_empty() {
            return Err(UrlProblem::Empty);
        }
        if let Some(name) = strip_simulated_scheme(typed) {
            return Self::simulated(name);
        }
        let (without_fragment, _) = typed.split_once('#').unwrap_or((typed, ""));
        let (address, query) = match without_fragment.split_once('?') {
            Some((address, query)) => (address, format!("?{query}")),
            None => (without_fragment, String::new()),
        };
        // The part before the first '/' after any scheme: a `user:password@`
        // there is refused before anything else (it would be written into
        // links and exports).
        let after_any_scheme = address.split_once("://").map_or(address, |(_, rest)| rest);
        if after_any_scheme
            .split('/')
            .next()
            .unwrap_or("")
            .contains('@')
        {
            return Err(UrlProblem::UserInfo);
        }
        let address = match address.split_once("://") {
            Some((scheme, _))
                if !scheme.eq_ignore_ascii_case("http")
                    && !scheme.eq_ignore_ascii_case("https") =>
            {
                return Err(UrlProblem::UnsupportedScheme(shortened(scheme)));
            }
            Some(_) => address.to_owned(),
            None => {
                // `javascript:alert(1)`, `data:x`, `mailto:x`: a scheme
                // without `//`. `host:8000` is a host and a port.
                if let Some((scheme, rest)) = address.split_once(':') {
                    let port = rest.split('/').next().unwrap_or("");
                    let scheme_like = scheme
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic())
                        && scheme
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
                    if scheme_like && !port.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(UrlProblem::UnsupportedScheme(shortened(scheme)));
                    }
                }
                if is_local_or_has_port(address) {
                    format!("http://{address}")
                } else {
                    format!("https://{address}")
                }
            }
        };
        let after_scheme = &address[address.find("://").map_or(0, |i| i + 3)..];
        let host = after_scheme.split('/').next().unwrap_or("");
        if !is_host_and_port(host) {
            return Err(UrlProblem::BadHost(shortened(host)));
        }
        let mut base = address.trim_end_matches('/').to_owned();
        for endpoint in ["/chat/completions", "/completions", "/models"] {
            if base.ends_with(endpoint) {
                base.truncate(base.len() - endpoint.len());
                break;
            }
        }
        let path_start = base.find("://").map_or(0, |i| i + 3);
        let path = base[path_start..]
            .find('/')
            .map_or("", |i| &base[path_start + i..]);
        if !path.split('/').any(is_version_segment) {
            base.push_str("/v1");
        }
        Ok(Self { base, query })
    }

    /// A simulated server's URLs: `sim://NAME/v1`, whatever path or query
    /// followed the name (the simulated server has only the usual endpoints).
    fn simulated(after_scheme: &str) -> Result<Self, UrlProblem> {
        let end = after_scheme
            .find(['/', '?', '#'])
            .unwrap_or(after_scheme.len());
        let name = after_scheme[..end].to_ascii_lowercase();
        let fits = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
        if !fits {
            return Err(UrlProblem::SimulatedName(shortened(&after_scheme[..end])));
        }
        Ok(Self {
            base: format!("{SIMULATED_SCHEME}://{name}/v1"),
            query: String::new(),
        })
    }

    /// The name of the simulated server these URLs reach, for a `sim://`
    /// address.
    pub fn simulated_name(&self) -> Option<&str> {
        simulated_name(&self.base)
    }

    /// `.../v1/chat/completions` or `.../v1/completions`.
    pub fn for_api(&self, api: Api) -> String {
        format!("{}/{}{}", self.base, api.path(), self.query)
    }

    /// `.../v1/chat/completions`.
    pub fn chat_completions(&self) -> String {
        self.for_api(Api::ChatCompletions)
    }

    /// `.../v1/completions`.
    pub fn completions(&self) -> String {
        self.for_api(Api::Completions)
    }

    /// `.../v1/models`.
    pub fn models(&self) -> String {
        format!("{}/models{}", self.base, self.query)
    }

    /// The server's origin (`http://host:port`), for messages and CORS advice.
    pub fn origin(&self) -> &str {
        let path_start = self.base.find("://").map_or(0, |i| i + 3);
        match self.base[path_start..].find('/') {
            Some(i) => &self.base[..path_start + i],
            None => &self.base,
        }
    }
}

/// What follows `sim://` in `typed`, if it starts so (in any case).
fn strip_simulated_scheme(typed: &str) -> Option<&str> {
    let (scheme, rest) = typed.split_once("://")?;
    scheme
        .eq_ignore_ascii_case(SIMULATED_SCHEME)
        .then_some(rest)
}

/// The server name of a `sim://NAME/...` URL, as [`EndpointUrls`] writes
/// it (lower case); None for any other URL.
pub fn simulated_name(url: &str) -> Option<&str> {
    let rest = strip_simulated_scheme(url.trim())?;
    let name = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    (!name.is_empty()).then_some(name)
}

/// A `sim://` URL's `seed=N` (the last one), the seed of the simulated
/// server's jitter; None when it has none or it is not a whole number.
pub fn simulated_seed(url: &str) -> Option<u64> {
    let (_, query) = url.split_once('?')?;
    let query = query.split('#').next().unwrap_or("");
    query
        .split('&')
        .filter_map(|pair| pair.strip_prefix("seed="))
        .next_back()?
        .parse()
        .ok()
}

/// `url` with the simulated server's seed in its query, as the worker
/// reads it ([`simulated_seed`]).
pub fn with_simulated_seed(url: &str, seed: u64) -> String {
    let joint = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joint}seed={seed}")
}

/// At most [`ECHOED_CHARS`] characters of a typed text, for a problem
/// sentence: a hostile or pasted address is never repeated whole.
fn shortened(text: &str) -> String {
    if text.chars().count() <= ECHOED_CHARS {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(ECHOED_CHARS).collect();
    short.push('…');
    short
}

/// How much of a bad scheme or host a problem sentence repeats.
pub const ECHOED_CHARS: usize = 60;

/// `name`, `name:port`, `[v6]` or `[v6]:port`: a host name of letters,
/// digits, dots, dashes, underscores (and `%` escapes), and a port of digits.
fn is_host_and_port(authority: &str) -> bool {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        match rest.split_once(']') {
            Some((v6, after))
                if !v6.is_empty()
                    && v6
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() || b":.%".contains(&b)) =>
            {
                match after {
                    "" => return true,
                    _ => match after.strip_prefix(':') {
                        Some(port) => ("v6", Some(port)),
                        None => return false,
                    },
                }
            }
            _ => return false,
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_%".contains(&b));
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

/// `v1`, `v1beta`, `v2`: the version part of an API path.
fn is_version_segment(segment: &str) -> bool {
    let mut chars = segment.chars();
    chars.next() == Some('v') && chars.next().is_some_and(|c| c.is_ascii_digit())
}

fn is_local_or_has_port(address: &str) -> bool {
    let host_and_port = address.split('/').next().unwrap_or("");
    let host = host_and_port
        .rsplit_once(':')
        .map_or(host_and_port, |(host, _)| host);
    host_and_port.contains(':')
        || host == "localhost"
        || host.starts_with("127.")
        || host == "0.0.0.0"
        || host.ends_with(".local")
}
