//! msgbridge's conformance suite.
//!
//! The scenario catalogue (`tests/cases/*.toml`, embedded at build time: [`case`]) runs in
//! every [`config::Configuration`]: the wasi and wasmcloud probes natively, composed for a
//! host of the other world, and as cross-world pairs (an adapted requester with native
//! repliers of the other world on one host), each on the in-process broker and on NATS
//! ([`run`]). Every run records what it put on the broker and what the harness received
//! ([`observe`]); native runs are checked against the case files, adapted runs against the
//! native run of the same guest world with the losses of `docs/mapping.md` applied
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
    /// Something the harness waited for never happened.
    #[error("still waiting for {0} after {hang:?}", hang = run::HANG)]
    Hang(String),
}
