//! Builds the probe guests of `tests/components` for `wasm32-wasip2`, the way wasmtime's
//! `crates/test-programs/artifacts/build.rs` does (a nested `cargo build --release` into a
//! target directory under `OUT_DIR`; see `msgbridge-guest-build`), and points
//! `MSGBRIDGE_ARTIFACT_<NAME>` at each built `.wasm` file for `src/lib.rs`.

use msgbridge_guest_build::{build_components, main_or_exit, rerun_if_changed, GuestWorkspace};

fn main() {
    main_or_exit(|| {
        rerun_if_changed(std::path::Path::new("../../wit"));
        rerun_if_changed(std::path::Path::new("build.rs"));
        build_components(
            &GuestWorkspace {
                dir: "../components",
                members: &[
                    "probe-command",
                    "wasi-probe",
                    "wasmcloud-probe",
                    "wasi-async-probe",
                    "wasmcloud-async-probe",
                ],
                components: &[
                    "wasi-probe",
                    "wasmcloud-probe",
                    "wasi-async-probe",
                    "wasmcloud-async-probe",
                ],
            },
            "wasm32-wasip2",
        )
    });
}
