//! Host profiles, and a check by type that a component runs on one.
//!
//! A **profile** is a WIT world standing for a host: its imports are what the host
//! provides to a component, its exports are the component exports the host calls (HTTP
//! and messaging handlers). [`check`] compares a component with a profile without running
//! it: every import of the component must be provided by the host under a
//! semver-compatible name, with a type that is a component-model subtype of what the
//! component expects; every export the host calls must be a subtype of what the host
//! calls. The [`Report`] says, per import and export, what was found and what to do.
//!
//! ```no_run
//! use msgbridge_profiles::{check, HostKind, Profile};
//!
//! let component = std::fs::read("worker.wasm")?;
//! let report = check(&component, &Profile::builtin(HostKind::WasmcloudV2)?)?;
//! println!("{report}");
//! assert!(report.passes());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The built-in profiles ([`HostKind`]): `wasmcloud-v2` (what wasmCloud v2.7's
//! `wash-runtime` serves), `wasi` (a `wasi:messaging` host) and `reference` (msgbridge's
//! reference host); [`Profile::from_wit`] and [`Profile::from_arg`] load a user's WIT world
//! instead. Where each profile's facts come from, and how the check works:
//! `docs/profiles.md`.

#![warn(missing_docs)]

mod check;
mod names;
mod profile;
mod wit;

pub use check::{check, CheckError, ExportCheck, ExportStatus, ImportCheck, ImportStatus, Report};
pub use names::compatible;
pub use profile::{HostKind, Profile, ProfileError, ProfileSource, UnknownHost, WitDiagnostic};

/// The WIT packages the built-in profiles are made of: directory name under `wit/deps/`
/// (`ns-name-version`) and text (printed without doc comments), in dependency order.
pub fn vendored_wit() -> &'static [(&'static str, &'static str)] {
    wit::DEPS
}

/// msgbridge's package of profile worlds (`msgbridge:profiles@0.1.0`, `wit/profiles.wit`).
pub const PROFILES_WIT: &str = wit::PROFILES;
