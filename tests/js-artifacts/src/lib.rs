//! The JavaScript guest fixtures of msgbridge's tests, componentized by this crate's build
//! script with `jco componentize` (StarlingMonkey), so the conformance suite has guests in a
//! second source language.
//!
//! - [`JS_WASMCLOUD_PROBE`]: `tests/components/js/wasmcloud-probe/probe.js`, the
//!   `wasmcloud:messaging@0.2.0` probe of `tests/components/PROTOCOL.md`, answering
//!   byte-for-byte as the Rust `wasmcloud-probe` does.
//! - [`JS_WASMCLOUD_PROBE_WASI`]: the same probe built with jco's default features (WASI
//!   stdio, clocks, random), as wasmCloud's TypeScript templates build: StarlingMonkey then
//!   carries wasmtime's preview1 adapter (`wasi_snapshot_preview1`).
//! - [`JS_WASMCLOUD_PROBE_WASI026`]: the same again, its world also importing
//!   `wasi:http/outgoing-handler` and `wasi:clocks/monotonic-clock` at 0.2.6 (as those
//!   templates pin them), which makes jco build with its componentize-js 0.19.3 fallback
//!   (the shape of issue 20).
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

/// The JavaScript `wasmcloud-probe` with jco's default features (current componentize-js):
/// imports WASI besides its world, carries the preview1 adapter.
pub const JS_WASMCLOUD_PROBE_WASI: &[u8] =
    include_bytes!(env!("MSGBRIDGE_JS_ARTIFACT_WASMCLOUD_PROBE_WASI"));
/// Absolute path of the file holding [`JS_WASMCLOUD_PROBE_WASI`].
pub const JS_WASMCLOUD_PROBE_WASI_PATH: &str = env!("MSGBRIDGE_JS_ARTIFACT_WASMCLOUD_PROBE_WASI");

/// The JavaScript `wasmcloud-probe` whose world pins WASI 0.2.6 imports, built by jco's
/// componentize-js 0.19.3 fallback with its default features (the preview1 adapter).
pub const JS_WASMCLOUD_PROBE_WASI026: &[u8] =
    include_bytes!(env!("MSGBRIDGE_JS_ARTIFACT_WASMCLOUD_PROBE_WASI026"));
/// Absolute path of the file holding [`JS_WASMCLOUD_PROBE_WASI026`].
pub const JS_WASMCLOUD_PROBE_WASI026_PATH: &str =
    env!("MSGBRIDGE_JS_ARTIFACT_WASMCLOUD_PROBE_WASI026");

/// Seconds `jco componentize` took for each component, by constant name (the builds run
/// side by side, so each figure includes waiting for a core).
pub const BUILD_SECONDS: &[(&str, &str)] = &[
    (
        "JS_WASMCLOUD_PROBE",
        env!("MSGBRIDGE_JS_BUILD_SECONDS_WASMCLOUD_PROBE"),
    ),
    (
        "JS_WASMCLOUD_PROBE_WASI",
        env!("MSGBRIDGE_JS_BUILD_SECONDS_WASMCLOUD_PROBE_WASI"),
    ),
    (
        "JS_WASMCLOUD_PROBE_WASI026",
        env!("MSGBRIDGE_JS_BUILD_SECONDS_WASMCLOUD_PROBE_WASI026"),
    ),
];

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
        for (bytes, path) in [
            (JS_WASMCLOUD_PROBE, JS_WASMCLOUD_PROBE_PATH),
            (JS_WASMCLOUD_PROBE_WASI, JS_WASMCLOUD_PROBE_WASI_PATH),
            (JS_WASMCLOUD_PROBE_WASI026, JS_WASMCLOUD_PROBE_WASI026_PATH),
        ] {
            let on_disk = std::fs::read(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
            assert!(on_disk == bytes, "{path}");
        }
    }

    /// Whether `bytes` contains `needle`.
    fn contains(bytes: &[u8], needle: &[u8]) -> bool {
        bytes.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn the_default_feature_builds_carry_the_preview1_adapter() {
        assert!(!contains(JS_WASMCLOUD_PROBE, b"wasi_snapshot_preview1"));
        for bytes in [JS_WASMCLOUD_PROBE_WASI, JS_WASMCLOUD_PROBE_WASI026] {
            assert!(contains(bytes, b"wasi_snapshot_preview1"));
            // StarlingMonkey's realloc for adapters, which issue 20's splice tripped over.
            assert!(contains(bytes, b"cabi_realloc_adapter"));
        }
        // The fallback keeps its `wasi:http` 0.2.6 import (the clock merges into 0.2.12).
        let (imports, _) = world_of(JS_WASMCLOUD_PROBE_WASI026);
        assert!(
            imports
                .iter()
                .any(|i| i == "wasi:http/outgoing-handler@0.2.6"),
            "{imports:?}"
        );
    }
}
