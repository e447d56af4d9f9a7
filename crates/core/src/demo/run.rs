//! A demo's two recordings: the load planned by the workload module (the
//! same arrivals and lengths a real run of that workload would send), sent
//! to each simulated system, and recorded as the page's worker would have
//! recorded it. Each recording's config says it was simulated, by what,
//! and the deadlines the demo judges by.

use serde_json::{json, Value};

use super::choice::{demo_deadlines, DemoChoice, DemoLoad, DemoSystem};
use crate::plan::server::ServerPreset;
use crate::plan::setup::TestSetup;
use crate::plan::workload::{plan, Plan};
use crate::recording::{Environment, Recording, RECORDING_VERSION};
use crate::simulate::{simulate, Submission};

/// What the environment of a simulated recording says it ran in.
pub const SIMULATOR_NAME: &str = "etalon-web's simulated serving system";

/// A played demo: its choice and the recording of each system.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoRun {
    pub choice: DemoChoice,
    pub recordings: [Recording; 2],
}

impl DemoRun {
    /// Both systems serving the choice's load. The same choice always
    /// gives the same recordings.
    pub fn of(choice: &DemoChoice) -> DemoRun {
        let plan = demo_plan(choice.load, choice.seed);
        let recording = |system: &DemoSystem| simulated_recording(system, choice, &plan);
        DemoRun {
            choice: *choice,
            recordings: [recording(&choice.systems[0]), recording(&choice.systems[1])],
        }
    }
}

/// The requests of `load` for `seed`, planned as any run's are.
pub fn demo_plan(load: DemoLoad, seed: u64) -> Plan {
    // The demo's workloads are fixed and valid: a failure is a bug here.
    plan(&load.workload(), seed, None).expect("a demo load can be planned")
}

/// The set-up a real run of the demo's load uses: `setup` (the user's
/// endpoint, model and key settings) with the demo's workload, seed and
/// deadlines, and two warm-up requests to calibrate its prompts.
pub fn demo_setup(setup: &TestSetup, choice: &DemoChoice) -> TestSetup {
    let mut workload = choice.load.workload();
    workload.warmup_requests = 2;
    workload.chars_per_token = setup.workload.chars_per_token;
    TestSetup {
        workload,
        deadlines: demo_deadlines(),
        seed: choice.seed,
        ..setup.clone()
    }
}

/// `system` serving `plan`, recorded as the worker would have.
fn simulated_recording(system: &DemoSystem, choice: &DemoChoice, plan: &Plan) -> Recording {
    let submissions: Vec<Submission> = plan
        .requests
        .iter()
        .map(|r| Submission {
            at: r.at,
            prompt_tokens: r.prompt_tokens,
            output_tokens: r.output_tokens,
        })
        .collect();
    let served = simulate(&system.serving_system(), choice.seed, &submissions, None);
    let requests = served
        .iter()
        .zip(&plan.requests)
        .zip(&submissions)
        .map(|((served, spec), submission)| served.record(spec.id, submission))
        .collect();
    Recording {
        version: RECORDING_VERSION,
        started_at_unix_ms: 0.0,
        config: simulated_config(system, choice),
        environment: Environment {
            user_agent: SIMULATOR_NAME.into(),
            ..Environment::default()
        },
        requests,
    }
}

/// The config of a simulated recording, as a run of the same system at
/// its `sim://` address would carry it (so captions name the system): the
/// set-up with the demo's workload, seed and deadlines, what was simulated,
/// and the demo's load.
fn simulated_config(system: &DemoSystem, choice: &DemoChoice) -> Value {
    let mut setup = ServerPreset::Simulated.setup();
    setup.endpoint = format!("sim://{}", system.preset.name);
    setup.request.model = system.policy.name().into();
    setup.workload = choice.load.workload();
    setup.deadlines = demo_deadlines();
    setup.seed = choice.seed;
    json!({
        "setup": setup.shareable(),
        "simulated": {
            "preset": system.preset.name,
            "label": system.preset.label,
            "policy": system.policy.name(),
            "seed": choice.seed,
            "load": choice.load.name(),
        },
    })
}

/// Whether `recording` came from the simulator rather than a server.
pub fn is_simulated(recording: &Recording) -> bool {
    recording
        .config
        .get("simulated")
        .is_some_and(Value::is_object)
}
