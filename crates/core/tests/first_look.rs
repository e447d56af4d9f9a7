//! The results' first look in words, against hand-built runs: what was
//! tested and when, how hard, the verdict, the deadlines and throughput;
//! and the headline cards' intervals and rates.

use etalon_core::metrics::DeadlineConfig;
use etalon_core::observe::failure::{aborted_error, http_status_error};
use etalon_core::plan::setup::TestSetup;
use etalon_core::present::report::{
    clock_sentence, local_time_text, Report, ReportBasis, RunFacts,
};
use etalon_core::recording::{
    Chunk, Environment, Recording, RequestRecord, TokenCount, TokenSource, RECORDING_VERSION,
};

/// A request sent at `sent` whose tokens arrive at `times` after it.
fn request(id: u64, sent: f64, times: &[f64]) -> RequestRecord {
    RequestRecord {
        id,
        sent_at: sent,
        scheduled_at: sent,
        headers_at: Some(0.0),
        ended_at: times.last().copied(),
        chunks: times
            .iter()
            .map(|&at| Chunk::visible(at, 1))
            .collect::<Vec<_>>()
            .into(),
        prompt_tokens: Some(TokenCount {
            count: 120,
            source: TokenSource::Server,
        }),
        ..Default::default()
    }
}

/// Evenly spaced tokens: the first at `ttft`, then one every `gap`.
fn steady(ttft: f64, gap: f64, tokens: usize) -> Vec<f64> {
    (0..tokens).map(|i| ttft + gap * i as f64).collect()
}

fn recording(requests: Vec<RequestRecord>) -> Recording {
    let mut setup = TestSetup {
        endpoint: "http://127.0.0.1:8000/v1".into(),
        ..Default::default()
    };
    setup.request.model = "jitter".into();
    Recording {
        version: RECORDING_VERSION,
        // 2026-12-08 01:30:00 UTC.
        started_at_unix_ms: 1_796_693_400_000.0,
        config: serde_json::json!({ "setup": setup }),
        environment: Environment {
            timer_resolution: Some(5e-6),
            cross_origin_isolated: true,
            ..Default::default()
        },
        requests,
    }
}

/// Twenty answers, two at a time: 18 steady at 20 tokens/s, 2 that froze
/// for 0.8 s in the middle.
fn run() -> Recording {
    let mut requests = Vec::new();
    for i in 0..20u64 {
        let sent = (i / 2) as f64;
        let mut times = steady(0.2, 0.05, 10);
        if i % 10 == 3 {
            for t in times.iter_mut().skip(5) {
                *t += 0.8;
            }
        }
        requests.push(request(i, sent, &times));
    }
    recording(requests)
}

#[test]
fn the_first_look_says_what_when_how_hard_and_the_verdict() {
    let run = run();
    let basis = ReportBasis::of(&run);
    let report = Report::from_basis(&basis, &DeadlineConfig::fixed(2.0, 0.05, 0.1), None);
    let when = local_time_text(run.started_at_unix_ms, 60);
    assert_eq!(when, "8 Dec 2026 at 02:30");
    let said = report.first_look(&basis, &when);
    assert_eq!(
        said[0],
        "On 8 Dec 2026 at 02:30, this page sent 20 questions to model \"jitter\" at \
         http://127.0.0.1:8000/v1, up to 3 at a time; a typical prompt was 120 tokens long and a typical answer 10 tokens, and the run took 9.65 s."
    );
    assert_eq!(
        said[1],
        "18 of 20 answers streamed without a pause; 2 froze mid-answer (the longest pause \
         0.85 s). Once an answer had started, its pieces came at about 20 tokens a second (the \
         median)."
    );
    // Goodput: TPOT of a frozen answer is (0.45 + 0.8) / 9 = 0.139 s > 0.05 s.
    assert_eq!(
        said[2],
        "Against the deadlines below (the first piece within 2.00 s, then on average a piece \
         at least every 50.0 ms), 18 of 20 finished answers were on time: 1.87 good answers a \
         second."
    );
    assert!(
        said[3].starts_with("In all, the server delivered 20.7 tokens a second"),
        "{}",
        said[3]
    );
    let facts = RunFacts::of(&run);
    // Requests 3 and 13 froze into the next pair's time: three at once.
    assert_eq!(facts.peak_in_flight, 3);
    assert_eq!(
        clock_sentence(&facts),
        "Times are read from the browser's clock, which moved in steps of 5.00 µs during this \
         run (the page was cross-origin isolated, which gives the finest clock); differences \
         smaller than that are not measured."
    );
}

#[test]
fn failures_and_stopped_questions_are_said_apart() {
    let mut run = run();
    run.requests[4].error = Some(http_status_error(500, None));
    run.requests[5].error = Some(aborted_error());
    let basis = ReportBasis::of(&run);
    let report = Report::from_basis(&basis, &DeadlineConfig::fixed(2.0, 0.05, 0.1), None);
    let said = report.first_look(&basis, "today");
    assert!(
        said[1].contains("; 1 failed (see below); you stopped 1 question before it finished."),
        "{}",
        said[1]
    );
    assert!(said[1].starts_with("16 of 18 answers"), "{}", said[1]);
}

#[test]
fn cards_carry_their_interval_or_say_there_are_too_few_requests() {
    let run = run();
    let report = Report::of(&run, &DeadlineConfig::fixed(2.0, 0.05, 0.1));
    let ttft = report.headline("ttft-p50").unwrap();
    // Every TTFT is 0.2 s: the interval is the point.
    assert_eq!(ttft.sureness(), "95 % sure: 200 ms");
    let tbt = report.headline("tbt-p50").unwrap();
    assert!(tbt.interval.is_some());
    // Fewer than ten requests: too few to say.
    let mut few = run.clone();
    few.requests.truncate(6);
    let few = Report::of(&few, &DeadlineConfig::fixed(2.0, 0.05, 0.1));
    let p50 = few.headline("ttft-p50").unwrap();
    assert_eq!(p50.sureness(), "too few requests to say how sure");
    // Rates are figures of the whole run, not percentiles.
    let tokens = report.headline("throughput-tokens").unwrap();
    assert_eq!(tokens.sureness(), "");
    assert!((tokens.value.unwrap() - 200.0 / 9.65).abs() < 1e-9);
    let good = report.headline("goodput").unwrap();
    assert!((good.value.unwrap() - 18.0 / 9.65).abs() < 1e-9);
    assert_eq!(good.display, "1.87 answers/s");
}

#[test]
fn a_run_with_no_clock_says_no_date_and_slow_rates_are_said_per_minute() {
    let mut run = run();
    // A simulated run has no wall clock; one question every 10 s.
    run.started_at_unix_ms = 0.0;
    for (i, r) in run.requests.iter_mut().enumerate() {
        r.sent_at = i as f64 * 10.0;
        if let Some(p) = r.prompt_tokens.as_mut() {
            p.count = 3809;
        }
    }
    let basis = ReportBasis::of(&run);
    let report = Report::from_basis(&basis, &DeadlineConfig::fixed(2.0, 0.05, 0.1), None);
    let said = report.first_look(&basis, &local_time_text(0.0, 0));
    assert!(
        said[0].starts_with("This page sent 20 questions"),
        "{}",
        said[0]
    );
    assert!(
        said[0].contains("a typical prompt was 3,800 tokens long"),
        "{}",
        said[0]
    );
    // 18 good answers over 190.65 s: 5.7 a minute.
    assert!(
        said[2].ends_with("on time: 5.7 good answers a minute."),
        "{}",
        said[2]
    );
    assert!(
        said[3].contains("and 6.3 whole answers a minute"),
        "{}",
        said[3]
    );
}
