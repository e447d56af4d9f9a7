//! The kinds of server a set-up can talk to, with the switch each needs to
//! let the page in (CORS) and to report usage.

use serde::{Deserialize, Serialize};

/// The kind of server a set-up talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ServerPreset {
    /// `etalon-cli testbed`: scripted timing, for demos and tests.
    #[default]
    Testbed,
    /// A simulated serving system that runs in the page (`sim://`).
    Simulated,
    Vllm,
    Sglang,
    LlamaCpp,
    Ollama,
    Tgi,
    /// OpenAI, Groq, Together, Fireworks, OpenRouter, ...
    Hosted,
    /// Anything else that speaks the OpenAI API.
    Other,
}

impl ServerPreset {
    pub const ALL: [ServerPreset; 9] = [
        ServerPreset::Testbed,
        ServerPreset::Simulated,
        ServerPreset::Vllm,
        ServerPreset::Sglang,
        ServerPreset::LlamaCpp,
        ServerPreset::Ollama,
        ServerPreset::Tgi,
        ServerPreset::Hosted,
        ServerPreset::Other,
    ];

    /// Name shown to the user.
    pub fn label(self) -> &'static str {
        match self {
            ServerPreset::Testbed => "Demo testbed (etalon-cli)",
            ServerPreset::Simulated => "Simulated server (in this page)",
            ServerPreset::Vllm => "vLLM",
            ServerPreset::Sglang => "SGLang",
            ServerPreset::LlamaCpp => "llama.cpp server",
            ServerPreset::Ollama => "Ollama",
            ServerPreset::Tgi => "Text Generation Inference (TGI)",
            ServerPreset::Hosted => "Hosted API (OpenAI-compatible)",
            ServerPreset::Other => "Other OpenAI-compatible server",
        }
    }

    /// The address the server listens on by default.
    pub fn default_endpoint(self) -> &'static str {
        match self {
            ServerPreset::Testbed | ServerPreset::Vllm | ServerPreset::Other => {
                "http://127.0.0.1:8000"
            }
            // The first of `simulate::presets::PRESETS`, the default one.
            ServerPreset::Simulated => "sim://llama-8b-a100",
            ServerPreset::Sglang => "http://127.0.0.1:30000",
            ServerPreset::LlamaCpp => "http://127.0.0.1:8081",
            ServerPreset::Ollama => "http://127.0.0.1:11434",
            ServerPreset::Tgi => "http://127.0.0.1:3000",
            ServerPreset::Hosted => "https://api.openai.com/v1",
        }
    }

    /// What to do so that this page may call the server, and so that it
    /// reports token counts.
    pub fn advice(self) -> &'static str {
        match self {
            ServerPreset::Testbed => "Start it with the command etalon-cli testbed (scripts/serve does). Each model is a timing profile.",
            ServerPreset::Simulated => "Runs inside this page and needs no network, server or key: a simulated GPU server answers as a real one would. The address names the hardware (sim:// and its name), the model how it schedules requests; \"List models\" explains each.",
            ServerPreset::Vllm => "vLLM allows any origin by default (--allowed-origins to restrict). Per-chunk usage is on, so multi-token chunks are counted exactly.",
            ServerPreset::Sglang => "SGLang allows any origin. It reports usage at the end of the stream.",
            ServerPreset::LlamaCpp => "llama-server echoes the page's origin, so CORS just works; it reports its own timings, shown next to the browser's. Its default port 8080 is this app's: start it with --port 8081.",
            ServerPreset::Ollama => "Ollama only allows localhost pages: start it with OLLAMA_ORIGINS=<this page's origin> (or '*').",
            ServerPreset::Tgi => "TGI allows only the Content-Type header from other origins: start it with --cors-allow-origin <this page's origin>; an API key header will be refused.",
            ServerPreset::Hosted => "Hosted APIs allow browser calls; paste your API key (kept in this tab's memory only).",
            ServerPreset::Other => "The server must allow this page's origin (CORS) and stream server-sent events.",
        }
    }
}
