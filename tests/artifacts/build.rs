//! Builds the guest workspaces `tests/components` (the probes) and `examples` for
//! `wasm32-wasip2`, the way wasmtime's `crates/test-programs/artifacts/build.rs` does: one
//! nested `cargo build --release` per workspace, both into ONE target directory under
//! `OUT_DIR` (so shared dependencies such as wit-bindgen compile once), with the outer
//! build's flags and jobserver scrubbed (see `msgbridge-guest-build`).
//!
//! For each component it sets `MSGBRIDGE_ARTIFACT_<NAME>` to the absolute path of the built
//! `.wasm` file, which `src/lib.rs` turns into constants.

use std::path::{Path, PathBuf};
use std::process::Command;

use msgbridge_guest_build::{build_workspace, env, main_or_exit, rerun_if_changed};

/// The target every guest is built for.
const TARGET: &str = "wasm32-wasip2";

/// A guest workspace: its directory relative to this crate, its members, and which members
/// are components (the others are libraries).
struct Workspace {
    dir: &'static str,
    members: &'static [&'static str],
    components: &'static [&'static str],
}

/// The guest workspaces, in build order.
const WORKSPACES: &[Workspace] = &[
    Workspace {
        dir: "../components",
        members: &["probe-command", "wasi-probe", "wasmcloud-probe"],
        components: &["wasi-probe", "wasmcloud-probe"],
    },
    Workspace {
        dir: "../../examples",
        members: &["http-api", "leet-worker", "reverse-worker"],
        components: &["http-api", "leet-worker", "reverse-worker"],
    },
];

fn main() {
    main_or_exit(run);
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env("OUT_DIR")?);

    // Relative paths: cargo resolves them against this crate's directory.
    for workspace in WORKSPACES {
        let dir = Path::new(workspace.dir);
        rerun_if_changed(&dir.join("Cargo.toml"));
        rerun_if_changed(&dir.join("Cargo.lock"));
        for member in workspace.members {
            rerun_if_changed(&dir.join(member).join("Cargo.toml"));
            rerun_if_changed(&dir.join(member).join("src"));
        }
    }
    rerun_if_changed(Path::new("../../wit"));
    rerun_if_changed(Path::new("build.rs"));

    check_target_installed()?;

    let target_dir = out_dir.join("guests");
    for workspace in WORKSPACES {
        let dir = manifest_dir.join(workspace.dir);
        let release = build_workspace(&dir, TARGET, &target_dir)?;
        for component in workspace.components {
            let wasm = release.join(format!("{}.wasm", component.replace('-', "_")));
            if !wasm.is_file() {
                return Err(format!(
                    "building {} did not produce {}",
                    dir.display(),
                    wasm.display()
                ));
            }
            let var = component.replace('-', "_").to_uppercase();
            println!(
                "cargo:rustc-env=MSGBRIDGE_ARTIFACT_{var}={}",
                wasm.display()
            );
        }
    }
    Ok(())
}

/// Fails with instructions when the standard library for [`TARGET`] is not installed.
fn check_target_installed() -> Result<(), String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let output = Command::new(&rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
        .map_err(|e| format!("could not run {rustc}: {e}"))?;
    let libdir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    if output.status.success() && libdir.is_dir() {
        return Ok(());
    }
    Err(format!(
        "the Rust target {TARGET} is not installed (no standard library at {}); \
         run `rustup target add {TARGET}`",
        libdir.display()
    ))
}
