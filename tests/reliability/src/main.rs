//! `msgbridge-soak`: the long run of the library docs. Prints the soak table, or with
//! `--write PATH` replaces the soak section of that file (`docs/reliability.md`). Exits
//! non-zero when memory did not stay flat.

use anyhow::{bail, Context, Result};
use clap::Parser;
use msgbridge_reliability::{render, soak, RSS_SLACK, SECTION_END, SECTION_START};

/// Many messages through adapted handlers, watching memory.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Messages per configuration (after a tenth more of warm-up).
    #[arg(long, default_value_t = 1_000_000)]
    messages: usize,
    /// Replace the soak section of this Markdown file with the results.
    #[arg(long, value_name = "PATH")]
    write: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let rows = soak(args.messages).await?;
    let command = format!(
        "cargo run --release -p msgbridge-reliability --bin msgbridge-soak -- --messages {}",
        args.messages
    );
    let section = render(&rows, &command);
    match &args.write {
        Some(path) => {
            let doc = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let (Some(start), Some(end)) = (doc.find(SECTION_START), doc.find(SECTION_END)) else {
                bail!("{} has no soak section to replace", path.display());
            };
            let doc = format!(
                "{}{section}{}",
                &doc[..start],
                &doc[end + SECTION_END.len()..]
            );
            std::fs::write(path, doc)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => println!("{section}"),
    }
    if let Some(row) = rows.iter().find(|r| !r.flat(RSS_SLACK)) {
        bail!("memory did not stay flat: {row:?}");
    }
    Ok(())
}
