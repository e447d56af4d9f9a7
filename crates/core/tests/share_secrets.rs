//! No secret in anything shared: a recording whose configuration holds the
//! API key and a secret header's value, and whose servers echoed both in
//! error messages, exported as every file and shared as every kind of link
//! (a result link, rounded to fit or not, a test link with the sender's
//! results as a baseline): neither secret appears in any of them, written
//! or opened.
#![cfg(not(target_arch = "wasm32"))]

use etalon_core::metrics::DeadlineConfig;
use etalon_core::plan::setup::{HeaderSetting, TestSetup};
use etalon_core::recording::synthetic::SyntheticRun;
use etalon_core::recording::{ErrorKind, Recording, RequestError};
use etalon_core::share::*;

const KEY: &str = "sk-proj-Zq81secretKEY0042";
const TENANT: &str = "tenant-blue-secret-77";

fn setup() -> TestSetup {
    let mut setup = TestSetup {
        endpoint: format!("https://bob:{TENANT}@api.example.com/v1?api_key={KEY}&region=eu"),
        ..Default::default()
    };
    setup.headers = vec![
        HeaderSetting {
            name: "X-Tenant".into(),
            value: TENANT.into(),
            secret: true,
        },
        HeaderSetting {
            name: "Authorization".into(),
            value: format!("Bearer {KEY}"),
            secret: false,
        },
    ];
    setup
}

/// `requests` requests of `tokens` tokens; the configuration holds both
/// secrets (in the set-up, and carelessly elsewhere), and three requests
/// failed with messages that echo them.
fn leaky_run(requests: usize, tokens: u32) -> Recording {
    let mut recording = SyntheticRun {
        seed: 3,
        requests,
        tokens_per_request: tokens,
        stall_probability: 0.01,
    }
    .recording();
    recording.config = serde_json::json!({
        "setup": setup(),
        "debug": { "headers": { "X-Tenant": TENANT }, "last_key": KEY },
        "note": format!("ran with {KEY}"),
    });
    let echoes = [
        (
            ErrorKind::HttpStatus,
            format!("Incorrect API key provided: {KEY}."),
            Some(401),
        ),
        (
            ErrorKind::HttpStatus,
            format!("Unknown tenant \"{TENANT}\""),
            Some(403),
        ),
        (
            ErrorKind::ServerError,
            format!("upstream said: key={KEY}, tenant={TENANT}"),
            Some(500),
        ),
    ];
    for (record, (kind, message, status)) in recording.requests.iter_mut().zip(echoes) {
        record.error = Some(RequestError {
            kind,
            message,
            status,
        });
    }
    recording
}

fn secrets() -> Vec<String> {
    vec![KEY.to_string(), TENANT.to_string()]
}

fn assert_clean(what: &str, text: &str) {
    for secret in [KEY, TENANT] {
        assert!(
            !text.contains(secret),
            "{what} holds {secret}:\n{text:.2000}"
        );
    }
}

#[test]
fn no_export_holds_a_secret() {
    let recording = leaky_run(20, 30);
    let deadlines = DeadlineConfig::default();
    for kind in ExportKind::ALL {
        let file = export_file(kind, &recording, &deadlines, &secrets());
        assert_clean(&file.name, &file.text);
        assert!(
            file.text.contains("***"),
            "{}: the echo is redacted",
            file.name
        );
        // Every file opens again (the CSV is not a file the page opens).
        if kind != ExportKind::Csv {
            let opened = import_file(&file.name, &file.text).unwrap();
            assert_clean(
                &file.name,
                &serde_json::to_string(&opened.recording).unwrap(),
            );
        }
    }
}

#[test]
fn no_link_holds_a_secret() {
    let deadlines = DeadlineConfig::default();
    let small = leaky_run(20, 30);
    // Large enough that its times are rounded to fit.
    let large = leaky_run(60, 256);
    let mut rounded = 0;
    let links = [
        result_link(&small, Some(&deadlines), &secrets()).unwrap(),
        result_link(&small, None, &secrets()).unwrap(),
        result_link(&large, Some(&deadlines), &secrets()).unwrap(),
        test_link(&setup(), None, &secrets()).unwrap(),
        test_link(&setup(), Some(&small), &secrets()).unwrap(),
        summary_link(&large, &deadlines, &secrets()).unwrap().0,
    ];
    for link in links {
        assert_clean("a link", &link);
        let opened = open_link(&link).unwrap().unwrap();
        rounded += usize::from(opened.rounded_to.is_some());
        let held = match opened.link {
            SharedLink::Result { recording, .. } => serde_json::to_string(&recording).unwrap(),
            SharedLink::Test { setup, baseline } => format!(
                "{} {}",
                serde_json::to_string(&setup).unwrap(),
                serde_json::to_string(&baseline).unwrap()
            ),
            SharedLink::Summary(summary) => format!(
                "{} {}",
                serde_json::to_string(&summary).unwrap(),
                serde_json::to_string(&summary.sample_recording()).unwrap()
            ),
        };
        assert_clean(&link[..link.len().min(20)], &held);
    }
    println!("{rounded} of the links had their times rounded to fit");
    assert!(rounded > 0, "the large run should be rounded to fit");
}
