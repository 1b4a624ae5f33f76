//! Builds the example components of `examples/` for `wasm32-wasip2` (a nested `cargo build
//! --release` into a target directory under `OUT_DIR`; see `msgbridge-guest-build`), and
//! points `MSGBRIDGE_ARTIFACT_<NAME>` at each built `.wasm` file for `src/lib.rs`.

use msgbridge_guest_build::{build_components, main_or_exit, rerun_if_changed, GuestWorkspace};

fn main() {
    main_or_exit(|| {
        rerun_if_changed(std::path::Path::new("../../wit"));
        rerun_if_changed(std::path::Path::new("../../host/wit-services"));
        rerun_if_changed(std::path::Path::new("build.rs"));
        build_components(
            &GuestWorkspace {
                dir: "..",
                members: &[
                    "http-api",
                    "leet-worker",
                    "reverse-worker",
                    "counter-worker",
                    "shout-worker",
                    "rot13-worker",
                ],
                components: &[
                    "http-api",
                    "leet-worker",
                    "reverse-worker",
                    "counter-worker",
                    "shout-worker",
                    "rot13-worker",
                ],
            },
            "wasm32-wasip2",
        )
    });
}
