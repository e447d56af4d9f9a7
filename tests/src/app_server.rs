//! The built app (`dist/`) served on a free loopback port with the headers
//! that make the page cross-origin isolated, as the app needs for its
//! fine-grained clock.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::http::{HeaderName, HeaderValue};
use axum::response::IntoResponse;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::workspace_root;

/// The response headers that make a page cross-origin isolated. COEP is
/// `credentialless` rather than `require-corp` so that the app's `no-cors`
/// probe (CORS blocked vs server down) can still reach any server.
pub const ISOLATION_HEADERS: [(&str, &str); 2] = [
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-embedder-policy", "credentialless"),
];

/// Where the built app is: `ETALON_DIST`, or `dist/` of the workspace.
pub fn dist_dir() -> PathBuf {
    let dir = std::env::var_os("ETALON_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"));
    assert!(
        dir.join("index.html").is_file(),
        "The built app is missing at {}: run `scripts/build-app` first (scripts/test does).",
        dir.display()
    );
    dir
}

/// The built app served on a free loopback port, until dropped.
pub struct AppServer {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for AppServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serve `dist/` with the isolation headers.
pub async fn serve_app() -> AppServer {
    serve_app_with(&[]).await
}

/// Serve `dist/` with the isolation headers, plus scripts of a test's own
/// at the given paths (same origin, so the page's Content-Security-Policy
/// lets them run as workers: `worker-src 'self'` refuses `blob:` workers).
pub async fn serve_app_with(scripts: &[(&'static str, &'static str)]) -> AppServer {
    let mut router = axum::Router::new();
    for &(path, source) in scripts {
        router = router.route(
            path,
            axum::routing::get(move || async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "text/javascript")],
                    source,
                )
            }),
        );
    }
    // An address of the app's own (`/results/abc`, `/history`) is a screen,
    // not a file: it gets index.html, as `trunk serve` and the 404.html of
    // a static host give it. A missing file (a name with a dot) stays 404.
    let index = dist_dir().join("index.html");
    let screens =
        ServeDir::new(dist_dir()).fallback(axum::routing::get(move |uri: axum::http::Uri| {
            let index = index.clone();
            async move {
                let last = uri.path().rsplit('/').next().unwrap_or("");
                if last.contains('.') {
                    return axum::http::StatusCode::NOT_FOUND.into_response();
                }
                match tokio::fs::read(&index).await {
                    Ok(html) => (
                        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
                        html,
                    )
                        .into_response(),
                    Err(_) => axum::http::StatusCode::NOT_FOUND.into_response(),
                }
            }
        }));
    let mut router = router.fallback_service(screens);
    for (name, value) in ISOLATION_HEADERS {
        router = router.layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    AppServer {
        url: format!("http://{addr}/"),
        task,
    }
}
