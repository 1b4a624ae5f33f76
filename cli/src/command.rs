//! The `msgbridge` command line: its arguments (clap) and [`main_with`], which parses them
//! and runs the subcommand. The binary is `main_with(std::env::args_os())`.

use crate::output::{init_logging, ColorChoice};
use crate::{check, compose};
#[cfg(feature = "host")]
use crate::{run, send};

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
    #[cfg(feature = "host")]
    #[command(visible_alias = "dev")]
    Run(run::RunArgs),
    /// Send a request to a running host and print the reply.
    #[cfg(feature = "host")]
    Request(send::SendArgs),
    /// Publish a message to a running host.
    #[cfg(feature = "host")]
    Publish(send::SendArgs),
    /// Run components on the reference host: not in this build (needs the `host` feature).
    #[cfg(not(feature = "host"))]
    #[command(visible_alias = "dev", disable_help_flag = true)]
    Run(NeedsHost),
    /// Send a request to a running host: not in this build (needs the `host` feature).
    #[cfg(not(feature = "host"))]
    #[command(disable_help_flag = true)]
    Request(NeedsHost),
    /// Publish a message to a running host: not in this build (needs the `host` feature).
    #[cfg(not(feature = "host"))]
    #[command(disable_help_flag = true)]
    Publish(NeedsHost),
}

/// The arguments of a subcommand this build leaves out, whatever they are.
#[cfg(not(feature = "host"))]
#[derive(clap::Args)]
struct NeedsHost {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    _args: Vec<std::ffi::OsString>,
}

/// The error for `command` in a build without the reference host.
#[cfg(not(feature = "host"))]
fn needs_host(command: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "`msgbridge {command}` needs the reference host, which this build of msgbridge leaves \
         out (it was built with `--no-default-features`): install the full CLI with \
         `cargo install msgbridge-cli` (its default `host` feature)"
    )
}

/// Parses `args` (the program name first, as `std::env::args_os` gives them) and runs the
/// subcommand: what the `msgbridge` binary does, for embedders (the npm package's
/// WebAssembly build calls it). Returns the exit code: 0 on success, 1 when the command
/// failed (the error chain printed to standard error), 2 for a usage error (clap's).
pub fn main_with<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` land here too, printed to standard output.
            let _ = e.print();
            return u8::try_from(e.exit_code()).unwrap_or(2);
        }
    };
    // `request` and `publish` print the reply and nothing else: the host library's and the
    // NATS client's info lines only with `-v`.
    #[cfg(feature = "host")]
    let sends = matches!(cli.command, Command::Request(_) | Command::Publish(_));
    #[cfg(not(feature = "host"))]
    let sends = false;
    init_logging(
        cli.verbose,
        cli.quiet || (sends && cli.verbose == 0),
        cli.color,
    );
    match dispatch(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
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
        #[cfg(feature = "host")]
        Command::Run(args) => runtime()?.block_on(run::run(args, quiet)),
        #[cfg(feature = "host")]
        Command::Request(args) => runtime()?.block_on(send::send(args, true)),
        #[cfg(feature = "host")]
        Command::Publish(args) => runtime()?.block_on(send::send(args, false)),
        #[cfg(not(feature = "host"))]
        Command::Run(_) => Err(needs_host("run")),
        #[cfg(not(feature = "host"))]
        Command::Request(_) => Err(needs_host("request")),
        #[cfg(not(feature = "host"))]
        Command::Publish(_) => Err(needs_host("publish")),
    }
}

/// The async runtime `run`, `request` and `publish` use.
#[cfg(feature = "host")]
fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
