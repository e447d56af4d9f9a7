//! How a finished run is told on the run and results screens: a run whose
//! every request failed never reads "Finished" and leads with the failure's
//! own sentence (the one "Check endpoint" shows); a run where some failed
//! says how many; a stopped run says so.

use etalon_core::observe::failure::{aborted_error, fetch_failure, http_status_error};
use etalon_core::present::endpoint_check::check_endpoint;
use etalon_core::present::report::{RunOutcome, RunStatus};
use etalon_core::recording::{RequestError, RequestRecord};

const URL: &str = "http://127.0.0.1:9/v1/chat/completions";

fn done(id: u64) -> RequestRecord {
    RequestRecord::from_arrivals(id, &[0.05, 0.07, 0.09])
}

fn failed(id: u64, error: RequestError) -> RequestRecord {
    RequestRecord {
        id,
        error: Some(error),
        ..Default::default()
    }
}

fn unreachable(id: u64) -> RequestRecord {
    failed(id, fetch_failure(URL, Some("http://127.0.0.1:8080"), false))
}

#[test]
fn a_run_where_every_request_failed_leads_with_the_failure_and_its_fix() {
    let requests: Vec<RequestRecord> = (0..50).map(unreachable).collect();
    let status = RunStatus::of_records(&requests, false);
    assert_eq!(status.outcome, RunOutcome::AllFailed);
    assert_eq!(status.outcome.name(), "all-failed");
    assert_eq!(
        status.sentence,
        "No request completed: all 50 failed, so there are no timings to show."
    );
    assert!(!status.sentence.contains("Finished"));
    // The fix is in the words Check endpoint gives for the same failure.
    let check = check_endpoint(&requests[0]);
    assert_eq!(status.fix.as_deref(), Some(check[0].sentence.as_str()));
    assert_eq!(
        status.fix.unwrap(),
        "The server could not be reached at http://127.0.0.1:9: check that it is running, that \
         the address and port are right, and that this computer can reach it."
    );
    let one = RunStatus::of_records(&[unreachable(0)], false);
    assert_eq!(
        one.sentence,
        "No request completed: the request failed, so there are no timings to show."
    );
}

#[test]
fn a_run_where_some_failed_says_how_many_and_the_most_common_problem() {
    let mut requests: Vec<RequestRecord> = (0..47).map(done).collect();
    requests.push(failed(47, http_status_error(429, None)));
    requests.push(unreachable(48));
    requests.push(unreachable(49));
    let status = RunStatus::of_records(&requests, false);
    assert_eq!(status.outcome, RunOutcome::SomeFailed);
    assert_eq!(
        status.sentence,
        "Finished, but 3 of 50 requests failed (6.0 %); the figures cover the 47 that completed."
    );
    assert_eq!(
        status.fix.unwrap(),
        format!(
            "Most of them (2): {}",
            unreachable(0).error.unwrap().message
        )
    );
    // One kind of failure: its sentence alone.
    let status = RunStatus::of_records(&[done(0), unreachable(1)], false);
    assert_eq!(status.fix, unreachable(1).error.map(|e| e.message));
}

#[test]
fn a_run_where_every_request_completed_is_finished() {
    let requests: Vec<RequestRecord> = (0..50).map(done).collect();
    let status = RunStatus::of_records(&requests, false);
    assert_eq!(
        (status.outcome, status.sentence.as_str(), status.fix),
        (
            RunOutcome::Completed,
            "Finished: all 50 requests completed.",
            None
        )
    );
}

#[test]
fn a_stopped_run_says_it_was_stopped_and_what_failed_before() {
    let stopped = |id| failed(id, aborted_error());
    let status = RunStatus::of_records(&[done(0), done(1), stopped(2)], true);
    assert_eq!(
        (status.outcome, status.sentence.as_str(), status.fix),
        (
            RunOutcome::Stopped,
            "Stopped: everything measured before the stop is kept.",
            None
        )
    );
    let status = RunStatus::of_records(&[stopped(0), stopped(1)], true);
    assert_eq!(
        status.sentence,
        "Stopped before any request completed, so there are no timings to show."
    );
    let status = RunStatus::of_records(&[done(0), unreachable(1), stopped(2)], true);
    assert_eq!(status.outcome, RunOutcome::SomeFailed);
    assert_eq!(
        status.sentence,
        "Stopped, and 1 of 3 requests had failed (33.3 %); the figures cover the 1 that completed."
    );
    // Failures and stops, nothing completed: still a failed run.
    let requests = [
        unreachable(0),
        unreachable(1),
        unreachable(2),
        stopped(3),
        stopped(4),
    ];
    let status = RunStatus::of_records(&requests, true);
    assert_eq!(status.outcome, RunOutcome::AllFailed);
    assert_eq!(
        status.sentence,
        "No request completed: 3 failed and 2 were stopped, so there are no timings to show."
    );
    assert!(status
        .fix
        .unwrap()
        .starts_with("The server could not be reached"));
}
