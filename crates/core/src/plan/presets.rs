//! Server presets: the set-up each kind of server starts from (vLLM,
//! SGLang, llama.cpp, Ollama, TGI, hosted OpenAI-compatible APIs, the
//! project's own testbed, and a server simulated in the page). The default
//! set-up is the testbed's.

use crate::metrics::DeadlineConfig;
use crate::plan::server::ServerPreset;
use crate::plan::setup::{TestSetup, SETUP_VERSION};
use crate::plan::workload::WorkloadConfig;
use crate::simulate::Policy;
use crate::wire::openai::{Api, RequestSettings};

impl Default for TestSetup {
    fn default() -> Self {
        ServerPreset::Testbed.setup()
    }
}

impl ServerPreset {
    /// The set-up this preset suggests.
    pub fn setup(self) -> TestSetup {
        let mut request = RequestSettings {
            api: Api::ChatCompletions,
            ..RequestSettings::default()
        };
        match self {
            ServerPreset::Testbed => request.model = "jitter".into(),
            ServerPreset::Simulated => request.model = Policy::ChunkedPrefill.name().into(),
            ServerPreset::Vllm => {
                request.continuous_usage_stats = true;
                request.ignore_eos = true;
            }
            ServerPreset::Sglang | ServerPreset::LlamaCpp => request.ignore_eos = true,
            _ => {}
        }
        let mut workload = WorkloadConfig::default();
        match self {
            ServerPreset::Testbed => {
                workload.warmup_requests = 1;
                workload.stop_after_requests = Some(50);
            }
            // Nothing to warm up, and its prompt counts are the plan's own.
            ServerPreset::Simulated => {
                workload.warmup_requests = 0;
                workload.stop_after_requests = Some(50);
            }
            _ => {}
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
            unread_extra_body: None,
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
            if matches!(preset, ServerPreset::Testbed | ServerPreset::Simulated) {
                assert!(fields.is_empty(), "{preset:?}: {problems:?}");
            } else {
                assert_eq!(fields, vec!["model"], "{preset:?}: {problems:?}");
            }
            assert!(!preset.advice().is_empty() && !preset.label().is_empty());
        }
    }

    #[test]
    fn the_simulated_preset_runs_the_default_simulated_system_in_the_page() {
        let setup = ServerPreset::Simulated.setup();
        let urls = setup.urls().unwrap();
        assert_eq!(
            urls.simulated_name(),
            Some(crate::simulate::presets::PRESETS[0].name)
        );
        assert!(Policy::named(&setup.request.model).is_some());
        let advice = ServerPreset::Simulated.advice();
        assert!(advice.contains("inside this page") && advice.contains("no network"));
    }
}
