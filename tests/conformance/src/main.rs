//! `msgbridge-conformance`: runs the conformance matrix on both brokers and prints
//! `docs/conformance.md` (or writes it with `--write PATH`). Exits non-zero when a cell
//! fails.
//!
//! Regenerate the committed matrix with
//! `cargo run -p msgbridge-conformance -- --write docs/conformance.md`.

use anyhow::{bail, Context, Result};
use msgbridge_conformance::{case, config, matrix, report, run::BrokerKind};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut write = None;
    let (mut only_case, mut only_config, mut only_broker) = (None, None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--write" => write = Some(args.next().context("--write needs a PATH")?),
            "--case" => only_case = Some(args.next().context("--case needs a case id")?),
            "--config" => only_config = Some(args.next().context("--config needs an id")?),
            "--broker" => {
                only_broker = Some(args.next().context("--broker needs in-process or nats")?)
            }
            "-h" | "--help" => {
                println!("usage: msgbridge-conformance [--write PATH] [--case ID,..] [--config ID,..] [--broker in-process|nats]\n\nRuns the conformance matrix on the in-process broker and on NATS and prints\nthe Markdown matrix, or writes it to PATH. Its probes are the Rust and\nJavaScript probes of both worlds and the toolchain matrix's (Rust wasip1,\nJavaScript carrying the preview1 adapter, Python), native and adapted. --case, --config and --broker run a part of\nit; none of these combines with --write. Exits non-zero if a cell fails.");
                return Ok(());
            }
            other => {
                bail!("unknown argument {other:?} (usage: msgbridge-conformance [--write PATH])")
            }
        }
    }
    if let Ok(filter) = std::env::var("RUST_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .init();
    }
    let started = std::time::Instant::now();
    let partial = only_case.is_some() || only_config.is_some() || only_broker.is_some();
    if partial && write.is_some() {
        bail!(
            "--write writes the whole matrix: do not combine it with --case, --config or --broker"
        );
    }
    let mut cases = case::catalogue()?;
    if let Some(id) = &only_case {
        let ids: Vec<&str> = id.split(',').collect();
        cases.retain(|c| ids.contains(&c.id.as_str()));
        if cases.is_empty() {
            bail!("no case {id:?} in tests/cases");
        }
    }
    let mut configs = config::configurations();
    if let Some(ids) = &only_config {
        // Keep the configurations and, transitively, the ones they are compared with.
        let mut keep = Vec::new();
        for id in ids.split(',') {
            let Some(chosen) = configs.iter().find(|c| c.id == id).copied() else {
                bail!("no configuration {id:?}");
            };
            let mut next = Some(chosen.id);
            while let Some(id) = next {
                keep.push(id);
                next = configs
                    .iter()
                    .find(|c| c.id == id)
                    .and_then(|c| c.reference);
            }
        }
        configs.retain(|c| keep.contains(&c.id));
    }
    let brokers: Vec<BrokerKind> = match only_broker.as_deref() {
        None => BrokerKind::ALL.to_vec(),
        Some("in-process") => vec![BrokerKind::InProcess],
        Some("nats") => vec![BrokerKind::Nats],
        Some(other) => bail!("unknown broker {other:?}: in-process or nats"),
    };
    let matrix = matrix::run_configurations(cases, configs, &brokers).await?;
    let text = report::render(&matrix);
    match &write {
        Some(path) => {
            std::fs::write(path, &text).with_context(|| format!("cannot write {path}"))?
        }
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
