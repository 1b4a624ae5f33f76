//! `msgbridge-conformance`: runs the conformance matrix on both brokers and prints
//! `docs/conformance.md` (or writes it with `--write PATH`). Exits non-zero when a cell
//! fails.
//!
//! Regenerate the committed matrix with
//! `cargo run -p msgbridge-conformance -- --write docs/conformance.md`.

use anyhow::{bail, Context, Result};
use msgbridge_conformance::{case, matrix, report, run::BrokerKind};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut write = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--write" => write = Some(args.next().context("--write needs a PATH")?),
            "-h" | "--help" => {
                println!("usage: msgbridge-conformance [--write PATH]\n\nRuns the conformance matrix on the in-process broker and on NATS and prints\nthe Markdown matrix, or writes it to PATH. Exits non-zero if a cell fails.");
                return Ok(());
            }
            other => bail!("unknown argument {other:?} (usage: msgbridge-conformance [--write PATH])"),
        }
    }
    let started = std::time::Instant::now();
    let matrix = matrix::run_matrix(case::catalogue()?, &BrokerKind::ALL).await?;
    let text = report::render(&matrix);
    match &write {
        Some(path) => std::fs::write(path, &text).with_context(|| format!("cannot write {path}"))?,
        None => print!("{text}"),
    }
    let (pass, loss, na, fail) = matrix.counts();
    eprintln!(
        "{} cells: {pass} pass, {loss} documented loss, {na} n/a, {fail} FAIL ({:.1} s)",
        matrix.cells.len(),
        started.elapsed().as_secs_f64()
    );
    for ((case, config, broker), reason) in matrix.failures() {
        eprintln!("FAIL {case} / {config} / {}: {reason}", broker.name());
    }
    if fail > 0 {
        bail!("{fail} cells failed");
    }
    Ok(())
}
