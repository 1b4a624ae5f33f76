//! `msgbridge`: compose msgbridge's adapters around a messaging component, inspect and
//! check what a component speaks, run components on the reference host and send them
//! messages.

use msgbridge_cli::output::{init_logging, ColorChoice};
use msgbridge_cli::{check, compose, run, send};

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Bridges wasmcloud:messaging@0.2.0 and wasi:messaging@0.2.0-draft components.
#[derive(Parser)]
#[command(name = "msgbridge", version, about)]
struct Cli {
    /// More log output (`-v`: debug, `-vv`: trace); `RUST_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Only warnings and errors, and no summary lines.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// When to colour log output: only on a terminal without `NO_COLOR` (auto), always or
    /// never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Adapt a component to a host of the other messaging world (spliced by default).
    Compose(compose::ComposeArgs),
    /// Print which messaging world a component speaks and what adapting it would do.
    Inspect(compose::InspectArgs),
    /// Write the prebuilt adapters (portable halves for `wac plug`, bridges, WIT packages).
    Adapters(compose::AdaptersArgs),
    /// Check by type that a component runs on a host (wasmcloud-v2, wasi, reference, or a
    /// WIT world), composing it first when the host serves the other messaging world.
    Check(check::CheckArgs),
    /// Run components on the reference host (a wash project, a manifest or a file).
    #[command(visible_alias = "dev")]
    Run(run::RunArgs),
    /// Send a request to a running host and print the reply.
    Request(send::SendArgs),
    /// Publish a message to a running host.
    Publish(send::SendArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // `request` and `publish` print the reply and nothing else: the host library's and the
    // NATS client's info lines only with `-v`.
    let sends = matches!(cli.command, Command::Request(_) | Command::Publish(_));
    init_logging(
        cli.verbose,
        cli.quiet || (sends && cli.verbose == 0),
        cli.color,
    );
    match dispatch(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    let quiet = cli.quiet;
    match cli.command {
        Command::Compose(args) => compose::compose(args, quiet),
        Command::Inspect(args) => compose::inspect_command(args),
        Command::Adapters(args) => compose::adapters(args),
        Command::Check(args) => check::check(args),
        Command::Run(args) => runtime()?.block_on(run::run(args, quiet)),
        Command::Request(args) => runtime()?.block_on(send::send(args, true)),
        Command::Publish(args) => runtime()?.block_on(send::send(args, false)),
    }
}

/// The async runtime `run`, `request` and `publish` use.
fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
