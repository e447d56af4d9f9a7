//! Which server the user points at, and the switch that lets this page read
//! its answers (CORS). The table is in docs/BROWSER.md.

use super::{host_of, port_of};

/// The kinds of server the app knows how to advise about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    Vllm,
    Sglang,
    LlamaCpp,
    Ollama,
    Tgi,
    OpenAi,
    Anthropic,
    OpenRouter,
    /// Another hosted API that allows browser pages (Groq, Together,
    /// Fireworks, Mistral, DeepSeek, Google).
    HostedApi,
    Unknown,
}

impl ServerKind {
    /// A name for sentences.
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Vllm => "vLLM",
            ServerKind::Sglang => "SGLang",
            ServerKind::LlamaCpp => "llama.cpp server",
            ServerKind::Ollama => "Ollama",
            ServerKind::Tgi => "TGI",
            ServerKind::OpenAi => "OpenAI",
            ServerKind::Anthropic => "Anthropic",
            ServerKind::OpenRouter => "OpenRouter",
            ServerKind::HostedApi => "this hosted API",
            ServerKind::Unknown => "the server",
        }
    }

    /// A guess from the address alone: hosted APIs by host name, Ollama and
    /// SGLang by their default ports (11434, 30000). Ports 8000 and 8080 are
    /// shared by several servers, so they give [`ServerKind::Unknown`].
    pub fn guess_from_url(url: &str) -> ServerKind {
        let host = host_of(url);
        let is = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
        if is("openai.com") {
            ServerKind::OpenAi
        } else if is("anthropic.com") {
            ServerKind::Anthropic
        } else if is("openrouter.ai") {
            ServerKind::OpenRouter
        } else if [
            "groq.com",
            "together.xyz",
            "together.ai",
            "fireworks.ai",
            "mistral.ai",
            "deepseek.com",
            "googleapis.com",
        ]
        .iter()
        .any(|domain| is(domain))
        {
            ServerKind::HostedApi
        } else {
            match port_of(url) {
                Some(11434) => ServerKind::Ollama,
                Some(30000) => ServerKind::Sglang,
                _ => ServerKind::Unknown,
            }
        }
    }
}

/// What to change so that the server lets this page read its answers.
/// `page_origin` is the app's origin (`location.origin`).
pub fn cors_advice(server: ServerKind, page_origin: Option<&str>) -> String {
    let origin = page_origin
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .unwrap_or("this page's address");
    match server {
        ServerKind::Vllm => format!(
            "vLLM allows every page unless it was started with --allowed-origins: start it with --allowed-origins '[\"{origin}\"]' (and --allowed-headers '[\"*\"]' when you send an API key). A proxy in front of it may also be dropping the CORS headers."
        ),
        ServerKind::Sglang => "SGLang allows every page by default: a proxy in front of it may be dropping the CORS headers, or the address may point at something else.".to_owned(),
        ServerKind::LlamaCpp => "The llama.cpp server allows every page by default: a proxy in front of it may be dropping the CORS headers, or the address may point at something else.".to_owned(),
        ServerKind::Ollama => format!(
            "Ollama only allows pages served from localhost: restart it with OLLAMA_ORIGINS set to this page, for example OLLAMA_ORIGINS=\"{origin}\" ollama serve."
        ),
        ServerKind::Tgi => format!(
            "TGI allows pages but only the Content-Type header: start it with --cors-allow-origin {origin}, and leave the API key empty, since TGI does not allow the Authorization header."
        ),
        ServerKind::Anthropic => "Anthropic's API refuses browser pages unless the request carries the header anthropic-dangerous-direct-browser-access: true; add that header in the request settings.".to_owned(),
        ServerKind::OpenAi | ServerKind::OpenRouter | ServerKind::HostedApi => format!(
            "{} allows browser pages, so something else refused: check the address (a redirect to another page is refused too) and any extra headers, and that no browser extension blocks the request.",
            capitalised(server.name())
        ),
        ServerKind::Unknown => format!(
            "Allow this page ({origin}) on the server: vLLM --allowed-origins; Ollama OLLAMA_ORIGINS=...; TGI --cors-allow-origin (and no API key); SGLang and the llama.cpp server allow every page unless a proxy in front of them drops the CORS headers; Anthropic needs the header anthropic-dangerous-direct-browser-access: true."
        ),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
