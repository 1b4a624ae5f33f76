//! The toolchain matrix's probe fixtures (`tests/components/PROTOCOL.md`), built once per run
//! by this crate's build script, so msgbridge's tests cover the shapes other toolchains give a
//! component besides Rust `wasm32-wasip2` (`msgbridge-test-artifacts`) and `jco componentize`
//! (`msgbridge-test-js-artifacts`):
//!
//! - [`RUST_WASIP1_WASI_PROBE`], [`RUST_WASIP1_WASMCLOUD_PROBE`]: the Rust probes built for
//!   `wasm32-wasip1` and made components with wasmtime's preview1 reactor adapter, which
//!   the component carries as a second core module (`wasi_snapshot_preview1`).
//! - [`PY_WASI_PROBE`], [`PY_WASMCLOUD_PROBE`]: the Python probes of
//!   `tests/components/python`, componentized with `componentize-py` 0.25.1 (CPython, its
//!   libraries as several core modules, and a preview1 adapter).
//!
//! Each is available as bytes (`NAME`), as the absolute path of the built file
//! (`NAME_PATH`), and [`FIXTURES`] lists them with how long each took to build. Building needs
//! the `wasm32-wasip1` target and componentize-py; `scripts/setup --tests` installs both.

#![warn(missing_docs)]

/// One fixture of the matrix.
#[derive(Debug, Clone, Copy)]
pub struct Fixture {
    /// Its name, e.g. `py-wasi-probe`.
    pub name: &'static str,
    /// Its bytes.
    pub bytes: &'static [u8],
    /// The absolute path of the built file.
    pub path: &'static str,
    /// Seconds its build step took (the Rust ones share one nested cargo build).
    pub build_seconds: &'static str,
}

macro_rules! fixture {
    ($(#[$doc:meta])* $bytes:ident, $path:ident, $var:literal) => {
        $(#[$doc])*
        pub const $bytes: &[u8] =
            include_bytes!(env!(concat!("MSGBRIDGE_TOOLCHAIN_ARTIFACT_", $var)));
        #[doc = concat!("Absolute path of the file holding [`", stringify!($bytes), "`].")]
        pub const $path: &str = env!(concat!("MSGBRIDGE_TOOLCHAIN_ARTIFACT_", $var));
    };
}

fixture!(
    /// The Rust `wasi-probe` (world `messaging-request-reply`), wasip1 + reactor adapter.
    RUST_WASIP1_WASI_PROBE,
    RUST_WASIP1_WASI_PROBE_PATH,
    "RUST_WASIP1_WASI_PROBE"
);
fixture!(
    /// The Rust `wasmcloud-probe`, wasip1 + reactor adapter.
    RUST_WASIP1_WASMCLOUD_PROBE,
    RUST_WASIP1_WASMCLOUD_PROBE_PATH,
    "RUST_WASIP1_WASMCLOUD_PROBE"
);
fixture!(
    /// The Python `wasi-probe` (world `messaging-request-reply`), by componentize-py.
    PY_WASI_PROBE,
    PY_WASI_PROBE_PATH,
    "PY_WASI_PROBE"
);
fixture!(
    /// The Python `wasmcloud-probe`, by componentize-py.
    PY_WASMCLOUD_PROBE,
    PY_WASMCLOUD_PROBE_PATH,
    "PY_WASMCLOUD_PROBE"
);

/// Every fixture of this crate.
pub const FIXTURES: &[Fixture] = &[
    Fixture {
        name: "rust-wasip1-wasi-probe",
        bytes: RUST_WASIP1_WASI_PROBE,
        path: RUST_WASIP1_WASI_PROBE_PATH,
        build_seconds: env!("MSGBRIDGE_TOOLCHAIN_BUILD_SECONDS_RUST_WASIP1_WASI_PROBE"),
    },
    Fixture {
        name: "rust-wasip1-wasmcloud-probe",
        bytes: RUST_WASIP1_WASMCLOUD_PROBE,
        path: RUST_WASIP1_WASMCLOUD_PROBE_PATH,
        build_seconds: env!("MSGBRIDGE_TOOLCHAIN_BUILD_SECONDS_RUST_WASIP1_WASMCLOUD_PROBE"),
    },
    Fixture {
        name: "py-wasi-probe",
        bytes: PY_WASI_PROBE,
        path: PY_WASI_PROBE_PATH,
        build_seconds: env!("MSGBRIDGE_TOOLCHAIN_BUILD_SECONDS_PY_WASI_PROBE"),
    },
    Fixture {
        name: "py-wasmcloud-probe",
        bytes: PY_WASMCLOUD_PROBE,
        path: PY_WASMCLOUD_PROBE_PATH,
        build_seconds: env!("MSGBRIDGE_TOOLCHAIN_BUILD_SECONDS_PY_WASMCLOUD_PROBE"),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_hold_the_bytes() {
        for fixture in FIXTURES {
            let on_disk = std::fs::read(fixture.path)
                .unwrap_or_else(|e| panic!("reading {}: {e}", fixture.path));
            assert!(on_disk == fixture.bytes, "{}", fixture.name);
        }
    }

    #[test]
    fn each_carries_a_preview1_adapter() {
        // The shape this crate exists for: a `wasi_snapshot_preview1` core module beside the
        // main one (its name survives in the component as an instance export name).
        for fixture in FIXTURES {
            let needle = b"wasi_snapshot_preview1";
            assert!(
                fixture.bytes.windows(needle.len()).any(|w| w == needle),
                "{} carries no preview1 adapter",
                fixture.name
            );
        }
    }
}
