//! `msgbridge`: compose msgbridge's adapters around a messaging component, inspect what a
//! component speaks, and run components on the reference host.

use msgbridge_cli::{check, compose, run};

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Bridges wasmcloud:messaging@0.2.0 and wasi:messaging@0.2.0-draft components.
#[derive(Parser)]
#[command(name = "msgbridge", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Wrap a component in the adapter halves it needs to run on a host of the other world.
    Compose(compose::ComposeArgs),
    /// Print which messaging world a component speaks and what composing it would plug.
    Inspect(compose::InspectArgs),
    /// Write the four adapter halves as .wasm files, for `wac plug`.
    Adapters(compose::AdaptersArgs),
    /// Run components on the reference host.
    Run(run::RunArgs),
    /// Compose a component for a host world and check that it links there (for CI).
    Check(check::CheckArgs),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Compose(args) => compose::compose(args),
        Command::Inspect(args) => compose::inspect_command(args),
        Command::Adapters(args) => compose::adapters(args),
        Command::Run(args) => run::run(args).await,
        Command::Check(args) => check::check(args).await,
    }
}
