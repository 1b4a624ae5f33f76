//! Build-script helpers for msgbridge's spliced bridge modules (`adapters/*-bridge`).
//!
//! A bridge is fused into a guest's component as a wit-component adapter, which forbids
//! data segments, tables and a memory of its own (the rules of wasmtime's preview1
//! adapter). Rust keeps statics and string constants in linear memory, so a bridge
//! keeps its state behind a wasm global and writes its texts with immediate stores. This
//! crate produces both at build time:
//!
//! - [`intrinsics`]: a relocatable wasm object defining the bridge's globals (its state
//!   pointer, wit-component's `allocation_state`, the compose-time client name) with one
//!   getter (and setter) function each, linked into the bridge by `wasm-ld`;
//! - [`texts`]: Rust source with one function per text of `msgbridge-mapping` that writes
//!   the text word by word, and the error classifier generated from
//!   `msgbridge_mapping::CLASSIFICATION`.

pub mod intrinsics;
pub mod texts;

use std::path::Path;

/// Writes `contents` to `path`, turning an I/O error into a build-script message.
pub fn write(path: &Path, contents: &[u8]) -> Result<(), String> {
    std::fs::write(path, contents).map_err(|e| format!("writing {}: {e}", path.display()))
}
