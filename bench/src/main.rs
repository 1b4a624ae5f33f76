//! `msgbridge-bench`: what msgbridge's adapters cost, native against spliced against
//! portable, measured side by side in interleaved rounds (see the library docs).
//!
//! `cargo run --release -p msgbridge-bench -- --write docs/performance.md` writes the
//! committed report; without `--write` the report goes to stdout. Either way the headline
//! ratios are printed on stdout as `ratio NAME VALUE` lines, for scripts. `--only
//! GUEST/SCENARIO/FORM` runs one case alone, for a profiler (`perf record`).

use anyhow::{Context, Result};
use clap::Parser;
use msgbridge_bench::{run, run_one, Settings};

/// Measures what msgbridge's adapters cost.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Messages per guest, form and scenario (split across the rounds).
    #[arg(long, default_value_t = 4000)]
    requests: usize,
    /// Rounds: each runs every form once, in turn (native, spliced, portable, native, ...);
    /// the report gives the median round.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Requests kept in flight in the concurrent scenario.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Request payload in bytes.
    #[arg(long, default_value_t = 64)]
    payload: usize,
    /// Use wasmtime's on-demand allocator instead of the host's default pooling allocator.
    #[arg(long)]
    no_pooling: bool,
    /// Bytes of each linear memory wasmtime's pool keeps resident between instances
    /// (default: the host's).
    #[arg(long, value_name = "BYTES")]
    keep_resident: Option<usize>,
    /// Whether the pool resets only the pages an instance dirtied (Linux `PAGEMAP_SCAN`;
    /// default: the host's).
    #[arg(long, value_name = "BOOL")]
    pagemap_scan: Option<bool>,
    /// Measure only these rows of the main tables, GUEST/SCENARIO (either may be `*`), and
    /// skip the other sections: e.g. `--cases '*/publish-64KiB,wasmcloud-probe/*'`.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "GUEST/SCENARIO",
        conflicts_with = "write"
    )]
    cases: Vec<String>,
    /// Write the report (Markdown) to this file instead of stdout.
    #[arg(long, value_name = "PATH")]
    write: Option<std::path::PathBuf>,
    /// Run one case alone, for a profiler, and print its rate per round instead of the
    /// report: GUEST/SCENARIO/FORM, e.g. `wasi-probe/publish-64KiB/spliced`.
    #[arg(long, value_name = "GUEST/SCENARIO/FORM", conflicts_with = "write")]
    only: Option<String>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let settings = Settings {
        requests: args.requests,
        rounds: args.rounds.max(1),
        concurrency: args.concurrency.max(1),
        payload: args.payload,
        pooling: !args.no_pooling,
        keep_resident: args.keep_resident,
        pagemap_scan: args.pagemap_scan,
        cases: args.cases,
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    if let Some(case) = &args.only {
        for rate in run_one(&settings, case).await? {
            println!("{case}: {rate:.0} messages/s");
        }
        return Ok(());
    }
    let report = run(&settings).await?;
    match &args.write {
        Some(path) => std::fs::write(path, &report.markdown)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{}", report.markdown),
    }
    for (name, value) in &report.ratios {
        println!("ratio {name} {value:.3}");
    }
    Ok(())
}
