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
//! use msgbridge_profiles::{check, Host, Profile};
//!
//! let component = std::fs::read("worker.wasm")?;
//! let report = check(&component, &Profile::builtin(Host::WasmcloudV2)?)?;
//! println!("{report}");
//! assert!(report.passes());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The built-in profiles
//!
//! They are the worlds of the package `msgbridge:profiles@0.1.0` in `wit/profiles.wit`.
//! The packages they name are vendored under `wit/deps/` (one directory per package, the
//! layout `wit-parser`'s `Resolve::push_dir` reads), printed by
//! `wit_component::WitPrinter` without doc comments, so only names and types are copied;
//! `tests/vendored_wit.rs` writes and checks them (see there to regenerate).
//!
//! - [`Host::WasmcloudV2`], world `wasmcloud-v2`: what wasmCloud v2.7's `wash-runtime`
//!   serves to a component. Taken from wasmCloud's sources (repository
//!   wasmCloud/wasmCloud): `crates/wash-runtime/wit/world.wit` (the worlds its plugins are
//!   generated from: `http-server`, `config`, `logging`, `keyvalue`, `blobstore`,
//!   `messaging`), and the plugins under `crates/wash-runtime/src/plugin/`:
//!   `wasi_config/mod.rs` (`wasi:config/store@0.2.0-rc.1`), `wasi_keyvalue/in_memory.rs`
//!   (`wasi:keyvalue/store,atomics,batch@0.2.0-draft`), `wasi_blobstore/`
//!   (`wasi:blobstore/types,container,blobstore@0.2.0-draft`), `wasi_logging/mod.rs`
//!   (`wasi:logging/logging@0.1.0-draft`), `wasmcloud_messaging/` (`wasmcloud:messaging`
//!   `types` and `consumer` imported, `handler` called), with WASI 0.2 and `wasi:http`
//!   (outgoing; `incoming-handler` called) linked from wasmtime-wasi(-http) by
//!   `crates/wash-runtime/src/host/http.rs` and the engine. wasmCloud's other plugins
//!   (secrets, otel, postgres, NATS-native interfaces, the async `wasmcloud:messaging@0.3.0`
//!   of its main branch) are not in this profile.
//! - [`Host::Wasi`], world `wasi`: a host serving `wasi:messaging@0.2.0-draft` (`types`,
//!   `producer`, `request-reply`; calls `incoming-handler`) with WASI 0.2, `wasi:http`,
//!   `wasi:config`, `wasi:logging` and `wasi:keyvalue`.
//! - [`Host::Reference`], world `reference`: msgbridge's reference host (`host/`,
//!   `host/src/linker.rs`): WASI 0.2 (wasmtime-wasi p2), `wasi:http` (wasmtime-wasi-http),
//!   `wasi:config@0.2.0-rc.1`, both messaging worlds, `wasi:logging/logging@0.1.0-draft` and
//!   `wasi:keyvalue@0.2.0-draft` (`store`, `atomics`, `batch`).
//!
//! The vendored texts: WASI 0.2.12 (`wasi:io`, `clocks`, `random`, `filesystem`, `sockets`,
//! `cli`) from the `wasmtime-wasi` 48.0.8 crate (`src/p2/wit/deps/`), `wasi:http@0.2.12` from
//! `wasmtime-wasi-http` 48.0.8, `wasi:keyvalue@0.2.0-draft` from `wasmtime-wasi-keyvalue`
//! 48.0.8, `wasi:config@0.2.0-rc.1` from `wasmtime-wasi-config` 48.0.8, both messaging
//! packages from msgbridge's `wit/deps/`, `wasi:logging@0.1.0-draft` from
//! WebAssembly/wasi-logging (`wit/`), and `wasi:blobstore@0.2.0-draft` as published from
//! WebAssembly/wasi-blobstore (`types`, `container`, `blobstore`), with its `wasi:io` uses
//! moved from 0.2.0 to the vendored 0.2.12 (semver-compatible, same types). A WASI 0.2.x
//! import of any patch version links with 0.2.12, as it does on wasmtime.
//!
//! # A user's WIT
//!
//! [`Profile::from_wit`] loads a `.wit` file, a directory (with `deps/`) or a binary WIT
//! package and selects a world; [`Profile::from_arg`] takes a command-line argument that is
//! either a built-in name or such a path.
//!
//! # How the type check works
//!
//! The profile's world is encoded as a binary WIT package (`wit_component::encode`); it and
//! the component are loaded into one `wac_types::Types` (`wac_types::Package::from_bytes`),
//! and each pair of items is compared with `wac_types::SubtypeChecker::is_subtype`: the
//! host's import item against the component's import, the component's export against the
//! host's. Names are matched with [`compatible`], whose version rule is
//! [`msgbridge_worlds::versions_compatible`], the one msgbridge uses for the messaging
//! names.

#![warn(missing_docs)]

mod check;
mod names;
mod profile;
mod wit;

pub use check::{check, CheckError, ExportCheck, ExportStatus, ImportCheck, ImportStatus, Report};
pub use names::compatible;
pub use profile::{Host, Profile, ProfileError, ProfileSource, UnknownHost, WitDiagnostic};

/// The WIT packages the built-in profiles are made of: directory name under `wit/deps/`
/// (`ns-name-version`) and text (printed without doc comments), in dependency order.
pub fn vendored_wit() -> &'static [(&'static str, &'static str)] {
    wit::DEPS
}

/// msgbridge's package of profile worlds (`msgbridge:profiles@0.1.0`, `wit/profiles.wit`).
pub const PROFILES_WIT: &str = wit::PROFILES;
