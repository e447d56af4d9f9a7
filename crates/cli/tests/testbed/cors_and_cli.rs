//! CORS on and off, and the command line's own errors and help.
use super::support::*;

async fn cross_origin(testbed: &Testbed) -> (reqwest::Response, reqwest::Response) {
    let client = Testbed::client();
    let url = format!("{}/v1/chat/completions", testbed.url);
    let preflight = client
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "http://app.example")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    let post = client
        .post(&url)
        .header("origin", "http://app.example")
        .header("authorization", "Bearer test")
        .header("content-type", "application/json")
        .body(chat("steady@rate=1000", 1).to_string())
        .send()
        .await
        .unwrap();
    (preflight, post)
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_lowercase())
}

#[tokio::test]
async fn cors_is_on_by_default_and_answers_preflight() {
    let testbed = Testbed::start(&[]);
    let (preflight, post) = cross_origin(&testbed).await;
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(
        header(&preflight, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert!(header(&preflight, "access-control-allow-headers")
        .unwrap()
        .contains("authorization"));
    assert!(header(&preflight, "access-control-allow-methods").is_some());
    assert_eq!(
        header(&preflight, "cross-origin-resource-policy").as_deref(),
        Some("cross-origin")
    );
    assert_eq!(
        header(&post, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert!(header(&post, "access-control-expose-headers").is_some());
    assert_eq!(
        header(&post, "cross-origin-resource-policy").as_deref(),
        Some("cross-origin")
    );
}

#[tokio::test]
async fn no_cors_sends_no_cors_headers() {
    let testbed = Testbed::start(&["--no-cors"]);
    let (preflight, post) = cross_origin(&testbed).await;
    assert!(header(&preflight, "access-control-allow-origin").is_none());
    assert!(
        !preflight.status().is_success()
            || header(&preflight, "access-control-allow-headers").is_none()
    );
    assert!(header(&post, "access-control-allow-origin").is_none());
    assert_eq!(post.status(), 200);
}

#[test]
fn address_in_use_is_one_sentence_and_exit_code_2() {
    let testbed = Testbed::start(&[]);
    let addr = testbed.url.strip_prefix("http://").unwrap();
    let second = std::process::Command::new(env!("CARGO_BIN_EXE_etalon-cli"))
        .args(["testbed", "--addr", addr])
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(2));
    let stderr = String::from_utf8(second.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("already in use"), "{stderr}");
}

#[test]
fn help_lists_the_profiles_and_the_parameter_scheme() {
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_etalon-cli"))
        .args(["testbed", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8(help.stdout).unwrap();
    assert!(
        text.contains("drop-mid-stream")
            && text.contains("PROFILE@key=value")
            && text.contains("--no-cors"),
        "{text}"
    );
}
