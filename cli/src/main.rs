//! `msgbridge`: compose msgbridge's adapters around a messaging component, inspect what a
//! component speaks, and run components on the reference host.

mod run;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Bridges wasmcloud:messaging and wasi:messaging components.
#[derive(Parser)]
#[command(name = "msgbridge", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run components on the reference host.
    Run(run::RunArgs),
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run::run(args).await,
    }
}
