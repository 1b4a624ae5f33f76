//! Builds the adapter halves in `../adapters` for `wasm32-unknown-unknown`, turns each core
//! module into a component with `wit-component`, and leaves the components in `OUT_DIR` for
//! `src/lib.rs` to include.

use std::path::{Path, PathBuf};

use msgbridge_guest_build::{build_workspace, env, main_or_exit, rerun_if_changed};

/// The halves: crate name (with `-`), which is also the component's file stem.
const HALVES: &[&str] = &[
    "wasi-on-wasmcloud-sender",
    "wasi-on-wasmcloud-receiver",
    "wasmcloud-on-wasi-sender",
    "wasmcloud-on-wasi-receiver",
];

fn main() {
    main_or_exit(run);
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env("OUT_DIR")?);
    let root = manifest_dir
        .parent()
        .ok_or("provider crate has no parent directory")?;
    let adapters = root.join("adapters");
    rerun_if_changed(&adapters.join("Cargo.toml"));
    rerun_if_changed(&adapters.join("Cargo.lock"));
    for half in HALVES {
        rerun_if_changed(&adapters.join(half).join("Cargo.toml"));
        rerun_if_changed(&adapters.join(half).join("src"));
    }
    rerun_if_changed(&root.join("crates/mapping/src"));
    rerun_if_changed(&root.join("crates/mapping/Cargo.toml"));
    rerun_if_changed(&root.join("wit"));

    let release = build_workspace(
        &adapters,
        "wasm32-unknown-unknown",
        &out_dir.join("adapters-target"),
    )?;
    for half in HALVES {
        componentize(
            &release.join(format!("{}.wasm", half.replace('-', "_"))),
            &out_dir.join(format!("{half}.wasm")),
        )?;
    }
    Ok(())
}

fn componentize(core: &Path, component: &Path) -> Result<(), String> {
    let module = std::fs::read(core).map_err(|e| format!("reading {}: {e}", core.display()))?;
    let bytes = wit_component::ComponentEncoder::default()
        .module(&module)
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(|e| format!("componentizing {}: {e:#}", core.display()))?;
    std::fs::write(component, bytes).map_err(|e| format!("writing {}: {e}", component.display()))
}
