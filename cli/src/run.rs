//! `msgbridge run` (being written).
use anyhow::Result;

/// Arguments of `msgbridge run`.
#[derive(clap::Args)]
pub struct RunArgs {}

/// Runs `msgbridge run`.
pub async fn run(_args: RunArgs) -> Result<()> {
    anyhow::bail!("not yet")
}
