//! The JavaScript guest fixtures of msgbridge's tests, componentized by this crate's build
//! script with `jco componentize` (StarlingMonkey), so the conformance suite has guests in a
//! second source language.
//!
//! - [`JS_WASMCLOUD_PROBE`]: `tests/components/js/wasmcloud-probe/probe.js`, the
//!   `wasmcloud:messaging@0.2.0` probe of `tests/components/PROTOCOL.md`, answering
//!   byte-for-byte as the Rust `wasmcloud-probe` does.
//!
//! Each component is available as bytes (`NAME`) and as the absolute path of the built file
//! (`NAME_PATH`). Building needs node and the npm packages pinned by
//! `tests/components/js/package-lock.json`: run `npm ci --prefix tests/components/js` once
//! (and after the lock file changes); without them the build fails rather than skipping.
//!
//! The components are built with every optional componentize-js feature disabled (no WASI
//! stdio, clocks, random or HTTP), so they import nothing but their messaging world. A
//! consequence: an uncaught JavaScript error is not printed anywhere, it only traps.

#![warn(missing_docs)]

/// The JavaScript `wasmcloud-probe`: imports `wasmcloud:messaging/consumer@0.2.0` (and its
/// `types`), exports `wasmcloud:messaging/handler@0.2.0`.
pub const JS_WASMCLOUD_PROBE: &[u8] = include_bytes!(env!("MSGBRIDGE_JS_ARTIFACT_WASMCLOUD_PROBE"));
/// Absolute path of the file holding [`JS_WASMCLOUD_PROBE`].
pub const JS_WASMCLOUD_PROBE_PATH: &str = env!("MSGBRIDGE_JS_ARTIFACT_WASMCLOUD_PROBE");

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of a component's top-level imports and (instance) exports, sorted.
    fn world_of(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
        let names = msgbridge_compose::top_level_names(bytes).expect("component parses");
        (
            names.imports.into_iter().collect(),
            names.exports.into_iter().collect(),
        )
    }

    #[test]
    fn js_wasmcloud_probe_imports_only_its_world() {
        let (mut imports, exports) = world_of(JS_WASMCLOUD_PROBE);
        imports.sort();
        // No WASI at all: every componentize-js feature is disabled.
        assert_eq!(
            imports,
            [
                "wasmcloud:messaging/consumer@0.2.0",
                "wasmcloud:messaging/types@0.2.0",
            ],
            "imports"
        );
        assert_eq!(exports, ["wasmcloud:messaging/handler@0.2.0"], "exports");
    }

    #[test]
    fn path_holds_the_bytes() {
        let on_disk = std::fs::read(JS_WASMCLOUD_PROBE_PATH)
            .unwrap_or_else(|e| panic!("reading {JS_WASMCLOUD_PROBE_PATH}: {e}"));
        assert!(on_disk == JS_WASMCLOUD_PROBE, "{JS_WASMCLOUD_PROBE_PATH}");
    }
}
