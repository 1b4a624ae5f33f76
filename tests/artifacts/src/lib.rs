//! The probe guests msgbridge's tests run (`tests/components/PROTOCOL.md`), built from
//! source for `wasm32-wasip2` by this crate's build script: [`WASI_PROBE`] and
//! [`WASMCLOUD_PROBE`], and their async siblings [`WASI_ASYNC_PROBE`] (Omnia's async
//! `wasi:messaging`) and [`WASMCLOUD_ASYNC_PROBE`] (`wasmcloud:messaging@0.3.0`). The
//! example components are in `msgbridge-examples`.
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

/// `wasi-async-probe`: the probe of Omnia's async `wasi:messaging@0.2.0-draft` (world
/// `messaging-request-reply`, `async func`s).
pub const WASI_ASYNC_PROBE: &[u8] = include_bytes!(env!("MSGBRIDGE_ARTIFACT_WASI_ASYNC_PROBE"));
/// Absolute path of the file holding [`WASI_ASYNC_PROBE`].
pub const WASI_ASYNC_PROBE_PATH: &str = env!("MSGBRIDGE_ARTIFACT_WASI_ASYNC_PROBE");

/// `wasmcloud-async-probe`: the `wasmcloud:messaging@0.3.0` probe (imports the async
/// `consumer`, exports the async `handler`).
pub const WASMCLOUD_ASYNC_PROBE: &[u8] =
    include_bytes!(env!("MSGBRIDGE_ARTIFACT_WASMCLOUD_ASYNC_PROBE"));
/// Absolute path of the file holding [`WASMCLOUD_ASYNC_PROBE`].
pub const WASMCLOUD_ASYNC_PROBE_PATH: &str = env!("MSGBRIDGE_ARTIFACT_WASMCLOUD_ASYNC_PROBE");

#[cfg(test)]
mod tests {
    use super::*;
    use msgbridge_worlds::World;
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
        ("wasi-async-probe", WASI_ASYNC_PROBE, WASI_ASYNC_PROBE_PATH),
        (
            "wasmcloud-async-probe",
            WASMCLOUD_ASYNC_PROBE,
            WASMCLOUD_ASYNC_PROBE_PATH,
        ),
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
            World::Wasi.guest_imports(),
            &[World::Wasi.handler_interface()],
        );
    }

    #[test]
    fn wasmcloud_probe_world() {
        assert_world(
            "wasmcloud-probe",
            WASMCLOUD_PROBE,
            World::Wasmcloud.guest_imports(),
            &[World::Wasmcloud.handler_interface()],
        );
    }

    #[test]
    fn async_probe_worlds() {
        for (name, bytes, world) in [
            ("wasi-async-probe", WASI_ASYNC_PROBE, World::WasiAsync),
            (
                "wasmcloud-async-probe",
                WASMCLOUD_ASYNC_PROBE,
                World::WasmcloudAsync,
            ),
        ] {
            assert_world(
                name,
                bytes,
                world.guest_imports(),
                &[world.handler_interface()],
            );
            // The composer's inspection tells the async worlds apart by their functions.
            let inspection = msgbridge_compose::inspect(bytes).expect("inspects");
            assert_eq!(inspection.world, world, "{name}");
        }
    }
}
