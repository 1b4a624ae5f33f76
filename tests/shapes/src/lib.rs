//! Components that look like messaging guests but are not ones msgbridge bridges, and
//! minimal guests of the async worlds.
//!
//! Each is made from a WIT text in `wit/` with wit-component's dummy core module, so the
//! refusal and recognition tests of the composer and the CLI run against real component
//! binaries of the older `wasi:messaging` drafts, the async worlds (Omnia's variant,
//! wasmCloud v2.8's `wasmcloud:messaging@0.3.0`) and other versions, without a toolchain
//! for each.

use wit_component::{dummy_module, embed_component_metadata, ComponentEncoder, StringEncoding};
use wit_parser::{LiftLowerAbi, ManglingAndAbi, Resolve};

/// A look-alike text and what it is.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// File stem under `wit/`.
    pub name: &'static str,
    /// The WIT text.
    pub wit: &'static str,
}

macro_rules! shape {
    ($name:literal) => {
        Shape {
            name: $name,
            wit: include_str!(concat!("../wit/", $name, ".wit")),
        }
    };
}

/// wasi:messaging as of February 2024.
pub const FEBRUARY_2024: Shape = shape!("february-2024");
/// wasi:messaging as of October 2024.
pub const OCTOBER_2024: Shape = shape!("october-2024");
/// Omnia's async variant (a `wasi-async` guest: imports `producer`, exports
/// `incoming-handler`).
pub const OMNIA_ASYNC: Shape = shape!("omnia-async");
/// Omnia's async `producer` beside the synchronous draft's `request-reply`.
pub const MIXED_WASI_ASYNC: Shape = shape!("mixed-wasi-async");
/// wasmcloud:messaging@0.3.0 (wasmCloud v1's experimental interfaces).
pub const WASMCLOUD_0_3_0: Shape = shape!("wasmcloud-0.3.0");
/// wasmcloud:messaging@0.2.1: a semver-compatible patch release of the bridged 0.2.0.
pub const WASMCLOUD_0_2_1: Shape = shape!("wasmcloud-0.2.1");
/// wasmCloud v2.8's async wasmcloud:messaging@0.3.0 (a `wasmcloud-async` guest: imports
/// `consumer`, exports `handler`).
pub const WASMCLOUD_0_3_0_ASYNC: Shape = shape!("wasmcloud-0.3.0-async");
/// The bridged names with another type (`producer.send` returns `u32`).
pub const TYPE_MISMATCH: Shape = shape!("type-mismatch");
/// A bridged wasmcloud guest that also exports a plain-named instance and a function.
pub const PLAIN_NAMED_EXPORTS: Shape = shape!("plain-named-exports");
/// A component with no messaging interface.
pub const NO_MESSAGING: Shape = shape!("no-messaging");

impl Shape {
    /// Builds a component of the text's world `guest`.
    pub fn component(&self) -> Vec<u8> {
        let mut resolve = Resolve::default();
        let package = resolve
            .push_str(format!("{}.wit", self.name), self.wit)
            .unwrap_or_else(|e| panic!("{}: {e:#}", self.name));
        let world = resolve
            .select_world(&[package], Some("guest"))
            .unwrap_or_else(|e| panic!("{}: {e:#}", self.name));
        let abi = if self.name.contains("async") {
            LiftLowerAbi::AsyncCallback
        } else {
            LiftLowerAbi::Sync
        };
        let mut module = dummy_module(&resolve, world, ManglingAndAbi::Legacy(abi));
        embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8)
            .unwrap_or_else(|e| panic!("{}: {e:#}", self.name));
        ComponentEncoder::default()
            .module(&module)
            .and_then(|e| e.validate(true).encode())
            .unwrap_or_else(|e| panic!("{}: {e:#}", self.name))
    }
}
