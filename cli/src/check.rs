//! `msgbridge check GUEST.wasm --target wasmcloud|wasi`: does this component run on a host
//! that serves only the target world?
//!
//! The component is composed for the target (or taken as it is when it already speaks the
//! target's world), then loaded on msgbridge's reference host serving only that world, on
//! the in-process broker. The report names the messaging functions the component uses;
//! the command fails (non-zero exit) when composing or linking fails, so it fits in a CI
//! pipeline.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use msgbridge_compose::{compose, inspect, Inspection, World};
use msgbridge_host::{ComponentSpec, Host, HostConfig, Hosted, InProcessBroker};

/// Arguments of `msgbridge check`.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// The component to check.
    pub guest: PathBuf,
    /// The messaging world of the host it must run on: `wasmcloud` or `wasi`.
    #[arg(long)]
    pub target: World,
}

/// What a successful check found.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// What the component speaks and uses.
    pub inspection: Inspection,
    /// The host world it was loaded on.
    pub target: World,
    /// Whether adapters were composed around it (false: it already speaks the target).
    pub composed: bool,
}

impl CheckReport {
    /// The text `msgbridge check` prints.
    pub fn describe(&self, guest: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "pass: {guest} links on a host serving only {}",
            self.target
        );
        let _ = writeln!(out, "guest world: {}", self.inspection.world);
        let _ = writeln!(
            out,
            "adapters: {}",
            if self.composed {
                format!(
                    "composed (msgbridge compose --target {})",
                    self.target.name()
                )
            } else {
                "none (it already speaks the target's world)".to_string()
            }
        );
        for (title, uses) in [
            ("imports", &self.inspection.messaging_imports),
            ("exports", &self.inspection.messaging_exports),
        ] {
            for interface in uses {
                let _ = writeln!(
                    out,
                    "uses ({title}) {}: {}",
                    interface.name,
                    if interface.functions.is_empty() {
                        "-".to_string()
                    } else {
                        interface.functions.join(", ")
                    }
                );
            }
        }
        out
    }
}

/// Composes `bytes` for `target` if needed and loads it on a reference host serving only
/// `target`; fails with the reason when it cannot be composed or does not link.
pub async fn check_bytes(bytes: &[u8], target: World) -> Result<CheckReport> {
    let inspection = inspect(bytes).context("fail: the component cannot be inspected")?;
    let composed = inspection.world != target;
    let runnable = if composed {
        compose(bytes, target).with_context(|| {
            format!(
                "fail: the component cannot be composed for a {} host",
                target.name()
            )
        })?
    } else {
        bytes.to_vec()
    };
    let config = HostConfig::new(Arc::new(InProcessBroker::new()))
        .context("fail: cannot set up the reference host")?
        .with_hosted(Hosted::Only(target));
    let host = Host::start(config)
        .await
        .context("fail: cannot start the reference host")?;
    host.add_component(ComponentSpec::new("guest", runnable))
        .await
        .with_context(|| {
            let what = if composed {
                "composed component"
            } else {
                "component"
            };
            format!("fail: the {what} does not link on a host serving only {target}")
        })?;
    host.stop();
    Ok(CheckReport {
        inspection,
        target,
        composed,
    })
}

/// Runs `msgbridge check`: prints the report, or returns the failure (non-zero exit).
pub async fn check(args: CheckArgs) -> Result<()> {
    let bytes = std::fs::read(&args.guest)
        .with_context(|| format!("cannot read {}", args.guest.display()))?;
    let report = check_bytes(&bytes, args.target)
        .await
        .with_context(|| format!("check of {} failed", args.guest.display()))?;
    print!("{}", report.describe(&args.guest.display().to_string()));
    Ok(())
}
