//! `msgbridge-demo`: runs the task-workers scenario across messaging worlds (see the
//! library docs) and prints every request and reply.

use clap::Parser;

/// Runs the wasmCloud task-workers example across messaging worlds with msgbridge.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Use this NATS server (e.g. nats://127.0.0.1:4222) instead of in-process brokers.
    #[arg(long)]
    nats: Option<String>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let mut stdout = std::io::stdout();
    match msgbridge_demo::run(&mut stdout, args.nats.as_deref()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
