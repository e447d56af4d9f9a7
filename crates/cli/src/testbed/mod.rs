//! `etalon-cli testbed`: a native OpenAI-compatible streaming server whose
//! token timing follows named, scripted profiles (steady, jitter, stalls,
//! bursts, faults...), so the app and its tests have an endpoint that behaves
//! exactly as told. Every chunk carries the server's send time.

mod chunks;
mod profiles;
mod request;
mod schedule;
mod server;
mod text;

use axum::serve::ListenerExt;
use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

/// How long open streams may go on after Ctrl-C or SIGTERM before they are cut.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

#[derive(clap::Args)]
#[command(after_help = help_text())]
pub struct Args {
    /// Address to listen on (port 0 picks a free port; the line
    /// "testbed listening on http://ADDR" tells which).
    #[arg(long, default_value = "127.0.0.1:8000")]
    pub addr: String,
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
         `etalon_server_sent_at`: seconds since the server started, taken just before the write.\n\n\
         Profiles:\n",
    );
    for profile in profiles::PROFILES {
        text.push_str(&format!("  {:<16} {}\n", profile.name, profile.description));
    }
    text.push('\n');
    text.push_str(profiles::PARAMETER_SCHEME);
    text.push_str(".\nGET /v1/models shows each profile's defaults.");
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

async fn serve(args: Args) -> ExitCode {
    let listener = match tokio::net::TcpListener::bind(&args.addr).await {
        Ok(listener) => listener,
        Err(err) if err.kind() == std::io::ErrorKind::AddrInUse => {
            eprintln!(
                "etalon-cli testbed: {} is already in use; stop the program using it or choose another address with --addr.",
                args.addr
            );
            return ExitCode::from(2);
        }
        Err(err) => {
            eprintln!("etalon-cli testbed: cannot listen on {}: {err}.", args.addr);
            return ExitCode::from(2);
        }
    };
    let bound = listener
        .local_addr()
        .map_or(args.addr.clone(), |a| a.to_string());
    println!("testbed listening on http://{bound}");
    let _ = std::io::stdout().flush();

    // Each chunk must leave at once: no Nagle delay on accepted sockets.
    let listener = listener.tap_io(|socket| {
        let _ = socket.set_nodelay(true);
    });
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let server =
        axum::serve(listener, server::router(!args.no_cors)).with_graceful_shutdown(async move {
            shutdown_signal().await;
            let _ = stopping.send(true);
        });
    let grace_over = async {
        let _ = stopped.changed().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        result = server => {
            if let Err(err) = result {
                eprintln!("etalon-cli testbed: the server failed: {err}.");
                return ExitCode::FAILURE;
            }
        }
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
