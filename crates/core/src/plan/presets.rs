//! Server presets: sensible set-ups for vLLM, SGLang, llama.cpp, Ollama,
//! TGI, hosted OpenAI-compatible APIs, and the project's own testbed, with
//! the switch each needs to let the page in (CORS) and to report usage.

use serde::{Deserialize, Serialize};

use crate::metrics::DeadlineConfig;
use crate::plan::setup::{TestSetup, SETUP_VERSION};
use crate::plan::workload::WorkloadConfig;
use crate::wire::openai::{Api, RequestSettings};

/// The kind of server a set-up talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ServerPreset {
    /// `etalon-cli testbed`: scripted timing, for demos and tests.
    #[default]
    Testbed,
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
    pub const ALL: [ServerPreset; 8] = [
        ServerPreset::Testbed,
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
            ServerPreset::Testbed => "Start it with `etalon-cli testbed` (scripts/serve does). Each model is a timing profile.",
            ServerPreset::Vllm => "vLLM allows any origin by default (--allowed-origins to restrict). Per-chunk usage is on, so multi-token chunks are counted exactly.",
            ServerPreset::Sglang => "SGLang allows any origin. It reports usage at the end of the stream.",
            ServerPreset::LlamaCpp => "llama-server echoes the page's origin, so CORS just works; it reports its own timings, shown next to the browser's. Its default port 8080 is this app's: start it with --port 8081.",
            ServerPreset::Ollama => "Ollama only allows localhost pages: start it with OLLAMA_ORIGINS=<this page's origin> (or '*').",
            ServerPreset::Tgi => "TGI allows only the Content-Type header from other origins: start it with --cors-allow-origin <this page's origin>; an API key header will be refused.",
            ServerPreset::Hosted => "Hosted APIs allow browser calls; paste your API key (kept in this tab's memory only).",
            ServerPreset::Other => "The server must allow this page's origin (CORS) and stream server-sent events.",
        }
    }

    /// The set-up this preset suggests.
    pub fn setup(self) -> TestSetup {
        let mut request = RequestSettings {
            api: Api::ChatCompletions,
            ..RequestSettings::default()
        };
        match self {
            ServerPreset::Testbed => request.model = "jitter".into(),
            ServerPreset::Vllm => {
                request.continuous_usage_stats = true;
                request.ignore_eos = true;
            }
            ServerPreset::Sglang | ServerPreset::LlamaCpp => request.ignore_eos = true,
            _ => {}
        }
        let mut workload = WorkloadConfig::default();
        if self == ServerPreset::Testbed {
            workload.warmup_requests = 1;
            workload.stop_after_requests = Some(50);
        }
        TestSetup {
            version: SETUP_VERSION,
            endpoint: self.default_endpoint().into(),
            server: self,
            request,
            headers: Vec::new(),
            workload,
            deadlines: DeadlineConfig::default(),
            timeout_seconds: 120.0,
            seed: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_gives_a_set_up_whose_only_gap_is_the_model() {
        for preset in ServerPreset::ALL {
            let setup = preset.setup();
            let problems = setup.problems();
            let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
            if preset == ServerPreset::Testbed {
                assert!(fields.is_empty(), "{preset:?}: {problems:?}");
            } else {
                assert_eq!(fields, vec!["model"], "{preset:?}: {problems:?}");
            }
            assert!(!preset.advice().is_empty() && !preset.label().is_empty());
        }
    }
}
