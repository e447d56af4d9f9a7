//! `etalon-cli testbed`: a native OpenAI-compatible streaming server whose
//! token timing follows named, scripted profiles (steady, jitter, stalls,
//! bursts, faults...), so the app and its tests have an endpoint that behaves
//! exactly as told; and the page's simulated serving systems
//! (`sim-<policy>`), for real clients. Every chunk carries the server's send
//! time.

mod chunks;
mod model_name;
mod profiles;
mod request;
mod schedule;
mod server;
mod simulated;
mod text;

use axum::serve::ListenerExt;
use std::future::IntoFuture as _;
use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

/// How long open streams may go on after Ctrl-C or SIGTERM before they are cut.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

#[derive(clap::Args)]
#[command(after_help = help_text())]
pub struct Args {
    /// Address to listen on; port 0 picks a free port. Repeat it to listen on
    /// several addresses with one clock (e.g. 127.0.0.1:8000 127.0.0.2:8000,
    /// to get past a browser's 6 connections per host). One line
    /// "testbed listening on http://ADDR" is printed per address once bound.
    #[arg(long, default_value = "127.0.0.1:8000", num_args = 1..)]
    pub addr: Vec<String>,
    /// Send no CORS headers and refuse preflight requests, to see how the app
    /// reports a server a browser page may not read.
    #[arg(long)]
    pub no_cors: bool,
}

/// The profile table and the parameter scheme, shown by `--help`.
fn help_text() -> String {
    let mut text = String::from(
        "Endpoints: POST /v1/chat/completions, POST /v1/completions, GET /v1/models, GET /health.\n\
         The request's `model` names the profile; `max_tokens` sets the output length \
         (finish_reason \"length\"; without it the profile's `tokens`, finish_reason \"stop\"). \
         Prompt tokens are counted as whitespace-separated words. Every chunk carries \
         `etalon_server_sent_at`: seconds since the server started, taken just before the write. \
         GET /health says how many responses are still being played (`open_responses`): a \
         client that cancels a body closes its response.\n\n\
         Profiles:\n",
    );
    for profile in profiles::PROFILES {
        text.push_str(&format!("  {:<16} {}\n", profile.name, profile.description));
    }
    text.push_str(
        "\nSimulated models: a simulated GPU server shared by every request to it, in real time \
         (one per model and preset); the prompt's words are its prompt tokens, max_tokens its \
         output, and only streams are answered:\n",
    );
    for (name, description) in model_name::described_simulated_models() {
        text.push_str(&format!("  {name:<20} {description}\n"));
    }
    text.push('\n');
    text.push_str(model_name::PARAMETER_SCHEME);
    text.push_str(
        ".\nGET /v1/models shows each profile's defaults.\n\n\
         Example:\n  etalon-cli testbed --addr 127.0.0.1:8000 &\n  \
         curl -N http://127.0.0.1:8000/v1/chat/completions -H 'content-type: application/json' \\\n    \
         -d '{\"model\": \"stalls@rate=100\", \"max_tokens\": 80, \"stream\": true, \"messages\": []}'",
    );
    text
}

/// Runs the server until Ctrl-C or SIGTERM; exit code 2 if it cannot listen.
pub fn run(args: Args) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("etalon-cli testbed: cannot start the async runtime: {err}.");
            return ExitCode::from(2);
        }
    };
    let code = runtime.block_on(serve(args));
    // Streams that never end are still pending: do not wait for them.
    runtime.shutdown_timeout(Duration::from_millis(100));
    code
}

/// Binds every address, then serves them all with one router (one clock).
async fn serve(args: Args) -> ExitCode {
    let mut listeners = Vec::new();
    for addr in &args.addr {
        match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => listeners.push(listener),
            Err(err) => {
                if err.kind() == std::io::ErrorKind::AddrInUse {
                    eprintln!("etalon-cli testbed: {addr} is already in use; stop the program using it or choose another address with --addr.");
                } else {
                    eprintln!("etalon-cli testbed: cannot listen on {addr}: {err}.");
                }
                return ExitCode::from(2);
            }
        }
    }
    for listener in &listeners {
        if let Ok(bound) = listener.local_addr() {
            println!("testbed listening on http://{bound}");
        }
    }
    let _ = std::io::stdout().flush();

    let router = server::router(!args.no_cors);
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut servers = tokio::task::JoinSet::new();
    for listener in listeners {
        // Each chunk must leave at once: no Nagle delay on accepted sockets.
        let listener = listener.tap_io(|socket| {
            let _ = socket.set_nodelay(true);
        });
        let mut stopping = stopping.clone();
        let stopped = async move {
            let _ = stopping.wait_for(|stop| *stop).await;
        };
        servers.spawn(
            axum::serve(listener, router.clone())
                .with_graceful_shutdown(stopped)
                .into_future(),
        );
    }
    let all_done = async {
        let mut failed = false;
        while let Some(result) = servers.join_next().await {
            if let Ok(Err(err)) = result {
                eprintln!("etalon-cli testbed: the server failed: {err}.");
                failed = true;
            }
        }
        failed
    };
    let grace_over = async {
        shutdown_signal().await;
        let _ = stop.send(true);
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        failed = all_done => if failed { return ExitCode::FAILURE },
        () = grace_over => eprintln!("etalon-cli testbed: cut the streams still open after {SHUTDOWN_GRACE:?}."),
    }
    eprintln!("etalon-cli testbed: stopped.");
    ExitCode::SUCCESS
}

/// Resolves on Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
