//! The guest components msgbridge's tests and examples run, built from source for
//! `wasm32-wasip2` by this crate's build script.
//!
//! - The probes of `tests/components/PROTOCOL.md`: [`WASI_PROBE`] and [`WASMCLOUD_PROBE`].
//! - The examples of `examples/` (the wasmCloud docs' seed scenario): [`HTTP_API`],
//!   [`LEET_WORKER`] and [`REVERSE_WORKER`].
//!
//! Each component is available as bytes (`NAME`) and as the absolute path of the built file
//! (`NAME_PATH`), for tests that pass files to the `msgbridge` command. Building needs the
//! `wasm32-wasip2` target (`rustup target add wasm32-wasip2`).

#![warn(missing_docs)]

/// `wasi-probe`: the `wasi:messaging@0.2.0-draft` probe (world `messaging-request-reply`).
pub const WASI_PROBE: &[u8] = include_bytes!(env!("MSGBRIDGE_ARTIFACT_WASI_PROBE"));
/// Absolute path of the file holding [`WASI_PROBE`].
pub const WASI_PROBE_PATH: &str = env!("MSGBRIDGE_ARTIFACT_WASI_PROBE");

/// `wasmcloud-probe`: the `wasmcloud:messaging@0.2.0` probe (imports `consumer`, exports
/// `handler`).
pub const WASMCLOUD_PROBE: &[u8] = include_bytes!(env!("MSGBRIDGE_ARTIFACT_WASMCLOUD_PROBE"));
/// Absolute path of the file holding [`WASMCLOUD_PROBE`].
pub const WASMCLOUD_PROBE_PATH: &str = env!("MSGBRIDGE_ARTIFACT_WASMCLOUD_PROBE");

/// `http-api` example: exports `wasi:http/incoming-handler@0.2.x`, imports
/// `wasmcloud:messaging/consumer@0.2.0`; `POST /task` requests `tasks.<worker>`.
pub const HTTP_API: &[u8] = include_bytes!(env!("MSGBRIDGE_ARTIFACT_HTTP_API"));
/// Absolute path of the file holding [`HTTP_API`].
pub const HTTP_API_PATH: &str = env!("MSGBRIDGE_ARTIFACT_HTTP_API");

/// `leet-worker` example: a `wasmcloud:messaging@0.2.0` worker (also importing
/// `wasi:config/store@0.2.0-rc.1`) answering `Hello World` with `H3110 W0r1d`.
pub const LEET_WORKER: &[u8] = include_bytes!(env!("MSGBRIDGE_ARTIFACT_LEET_WORKER"));
/// Absolute path of the file holding [`LEET_WORKER`].
pub const LEET_WORKER_PATH: &str = env!("MSGBRIDGE_ARTIFACT_LEET_WORKER");

/// `reverse-worker` example: a `wasi:messaging@0.2.0-draft` worker answering with the
/// payload reversed.
pub const REVERSE_WORKER: &[u8] = include_bytes!(env!("MSGBRIDGE_ARTIFACT_REVERSE_WORKER"));
/// Absolute path of the file holding [`REVERSE_WORKER`].
pub const REVERSE_WORKER_PATH: &str = env!("MSGBRIDGE_ARTIFACT_REVERSE_WORKER");

#[cfg(test)]
mod tests {
    use super::*;
    use wasmparser::{Validator, WasmFeatures};

    /// The preamble of a component binary: `\0asm` and the component version/layer.
    const COMPONENT_PREAMBLE: &[u8; 8] = b"\0asm\x0d\x00\x01\x00";

    /// Interface prefixes a guest may import because Rust's wasm32-wasip2 `std` uses them.
    const STD_IMPORTS: &[&str] = &[
        "wasi:cli/",
        "wasi:io/",
        "wasi:clocks/",
        "wasi:filesystem/",
        "wasi:random/",
    ];

    /// Every component with its name, bytes and path.
    const ALL: &[(&str, &[u8], &str)] = &[
        ("wasi-probe", WASI_PROBE, WASI_PROBE_PATH),
        ("wasmcloud-probe", WASMCLOUD_PROBE, WASMCLOUD_PROBE_PATH),
        ("http-api", HTTP_API, HTTP_API_PATH),
        ("leet-worker", LEET_WORKER, LEET_WORKER_PATH),
        ("reverse-worker", REVERSE_WORKER, REVERSE_WORKER_PATH),
    ];

    /// The names of a component's top-level imports and (instance) exports, sorted.
    fn world_of(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
        let names = msgbridge_compose::top_level_names(bytes).expect("component parses");
        (
            names.imports.into_iter().collect(),
            names.exports.into_iter().collect(),
        )
    }

    /// Checks `bytes` imports exactly `messaging` (plus std's WASI interfaces) and exports
    /// exactly `exported`.
    fn assert_world(name: &str, bytes: &[u8], messaging: &[&str], exported: &[&str]) {
        let (imports, exports) = world_of(bytes);
        for want in messaging {
            assert!(
                imports.iter().any(|i| i == want),
                "{name} should import {want}: {imports:?}"
            );
        }
        for import in &imports {
            assert!(
                messaging.contains(&import.as_str())
                    || STD_IMPORTS.iter().any(|p| import.starts_with(p)),
                "{name} imports unexpected {import}"
            );
        }
        let mut exports = exports;
        exports.sort();
        let mut exported: Vec<String> = exported.iter().map(|e| e.to_string()).collect();
        exported.sort();
        assert_eq!(exports, exported, "{name} exports");
    }

    #[test]
    fn every_artifact_is_a_valid_component() {
        for (name, bytes, path) in ALL {
            assert!(
                bytes.starts_with(COMPONENT_PREAMBLE),
                "{name} is not a component: {:02x?}",
                &bytes[..bytes.len().min(8)]
            );
            Validator::new_with_features(WasmFeatures::all())
                .validate_all(bytes)
                .unwrap_or_else(|e| panic!("{name} does not validate: {e}"));
            let on_disk = std::fs::read(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
            assert_eq!(&on_disk[..], *bytes, "{path} holds {name}");
        }
    }

    #[test]
    fn wasi_probe_world() {
        assert_world(
            "wasi-probe",
            WASI_PROBE,
            &[
                "wasi:messaging/types@0.2.0-draft",
                "wasi:messaging/producer@0.2.0-draft",
                "wasi:messaging/request-reply@0.2.0-draft",
            ],
            &["wasi:messaging/incoming-handler@0.2.0-draft"],
        );
    }

    #[test]
    fn wasmcloud_probe_world() {
        assert_world(
            "wasmcloud-probe",
            WASMCLOUD_PROBE,
            &[
                "wasmcloud:messaging/types@0.2.0",
                "wasmcloud:messaging/consumer@0.2.0",
            ],
            &["wasmcloud:messaging/handler@0.2.0"],
        );
    }

    #[test]
    fn examples_worlds() {
        let (imports, exports) = world_of(HTTP_API);
        assert!(imports
            .iter()
            .any(|i| i == "wasmcloud:messaging/consumer@0.2.0"));
        assert!(!imports.iter().any(|i| i.starts_with("wasi:messaging/")));
        assert_eq!(exports.len(), 1, "http-api exports {exports:?}");
        assert!(
            exports[0].starts_with("wasi:http/incoming-handler@0.2."),
            "http-api exports {exports:?}"
        );

        assert_world(
            "leet-worker",
            LEET_WORKER,
            &[
                "wasmcloud:messaging/types@0.2.0",
                "wasmcloud:messaging/consumer@0.2.0",
                "wasi:config/store@0.2.0-rc.1",
            ],
            &["wasmcloud:messaging/handler@0.2.0"],
        );
        assert_world(
            "reverse-worker",
            REVERSE_WORKER,
            &[
                "wasi:messaging/types@0.2.0-draft",
                "wasi:messaging/request-reply@0.2.0-draft",
            ],
            &["wasi:messaging/incoming-handler@0.2.0-draft"],
        );
    }
}
