//! msgbridge's conformance suite.
//!
//! This is msgbridge's one scenario runner: every behaviour test of the reference host and
//! of the adapters is a case file. The scenario catalogue (`tests/cases/*.toml`, embedded
//! at build time: [`case`], with the probe commands of `tests/components/PROTOCOL.md` parsed by the probes' own
//! `probe-command` crate) runs in every
//! [`config::Configuration`]: the wasi and wasmcloud probes natively, composed for a host of
//! the other world (by `msgbridge compose`, `wac plug` or `wac compose`), as cross-world
//! pairs (an adapted requester with native repliers of the other world on one host), and
//! the JavaScript probe and the toolchain matrix's probes (native and in their default
//! form), each on the in-process broker and on NATS
//! ([`run`]). Every run
//! records what it put on the broker, what the harness received and how deliveries ended
//! ([`observe`]); native runs are checked against the case files, adapted runs against the
//! native run of the same guest world with the losses the case declares applied
//! ([`matrix`]). [`report`] renders `docs/conformance.md` from the verdicts.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use msgbridge_conformance::{case, matrix, report, run::BrokerKind};
//! let matrix = matrix::run_matrix(case::catalogue()?, &BrokerKind::ALL).await?;
//! print!("{}", report::render(&matrix));
//! # Ok(()) }
//! ```

pub mod case;
pub mod config;
pub mod matrix;
pub mod observe;
pub mod report;
pub mod run;
mod wac;

/// Why a run could not be completed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RunError {
    /// A guest could not be composed.
    #[error("composing the guest failed: {0}")]
    Compose(String),
    /// The host refused to start or to load a component.
    #[error("host: {0}")]
    Host(String),
    /// The broker failed.
    #[error("broker: {0}")]
    Broker(String),
    /// An HTTP request failed.
    #[error("HTTP: {0}")]
    Http(String),
    /// Something the harness waited for never happened.
    #[error("still waiting for {0} after {hang:?}", hang = run::HANG)]
    Hang(String),
}

/// `error` and its sources, joined with `: ` (anyhow's alternate form).
pub fn error_chain(error: impl std::error::Error + Send + Sync + 'static) -> String {
    format!("{:#}", anyhow::Error::new(error))
}
