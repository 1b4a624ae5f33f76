//! Build-script helpers: compiling a workspace of guest code for a wasm target, and
//! recording the versions of the crates a report names (from the workspace's `Cargo.lock`).
//!
//! msgbridge's adapter halves and test guests are Rust crates built for
//! `wasm32-unknown-unknown` and `wasm32-wasip2`. Crates that ship or test them (the
//! `msgbridge-adapters` provider, the test artifacts) run this from their `build.rs`, the way
//! wasmtime's test-programs and preview1-adapter builds do: a nested `cargo build` into a
//! target directory under `OUT_DIR`, with the outer build's compiler flags removed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Environment variables of the outer build that must not leak into the nested one: they
/// carry host-target flags, a clippy wrapper, or a jobserver the nested cargo cannot use.
const SCRUBBED_ENV: &[&str] = &[
    "CARGO_ENCODED_RUSTFLAGS",
    "RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_MAKEFLAGS",
    "MAKEFLAGS",
    "MFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTC_WRAPPER",
    "CARGO_LLVM_COV",
    "LLVM_PROFILE_FILE",
];

/// Builds every package of the workspace at `workspace_dir` in release mode for `target`,
/// into `target_dir`, and returns the directory holding the resulting `.wasm` files.
///
/// Fails with a message that says what to do when the target is not installed.
pub fn build_workspace(
    workspace_dir: &Path,
    target: &str,
    target_dir: &Path,
) -> Result<PathBuf, String> {
    build_workspace_with_flags(workspace_dir, target, target_dir, &[])
}

/// [`build_workspace`] with `rustflags` (each one flag) for the nested build, e.g. the
/// `--remap-path-prefix` flags that make its output independent of where it is built.
pub fn build_workspace_with_flags(
    workspace_dir: &Path,
    target: &str,
    target_dir: &Path,
    rustflags: &[String],
) -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(cargo);
    command
        .arg("build")
        .arg("--release")
        .arg("--workspace")
        .arg("--target")
        .arg(target)
        .arg("--manifest-path")
        .arg(workspace_dir.join("Cargo.toml"));
    for var in SCRUBBED_ENV {
        command.env_remove(var);
    }
    command.env("CARGO_TARGET_DIR", target_dir);
    if !rustflags.is_empty() {
        command.env("CARGO_ENCODED_RUSTFLAGS", rustflags.join("\x1f"));
    }
    let output = command.output().map_err(|e| {
        format!(
            "could not run cargo to build {}: {e}",
            workspace_dir.display()
        )
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let hint = if stderr.contains("target may not be installed")
            || stderr.contains("can't find crate for `core`")
            || stderr.contains("can't find crate for `std`")
        {
            format!("\nhint: install the target with `rustup target add {target}`")
        } else {
            String::new()
        };
        return Err(format!(
            "building {} for {target} failed:\n{stderr}{hint}",
            workspace_dir.display()
        ));
    }
    Ok(target_dir.join(target).join("release"))
}

/// Tells cargo to rerun the build script when anything under `path` changes.
///
/// Cargo watches a directory's files recursively when given the directory itself.
pub fn rerun_if_changed(path: &Path) {
    println!("cargo:rerun-if-changed={}", path.display());
}

/// Runs a build script's body, turning an error into a message and exit status 1 (cargo
/// shows the message with the failed build).
pub fn main_or_exit(run: impl FnOnce() -> Result<(), String>) {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// An environment variable cargo sets for build scripts.
pub fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

/// A workspace of guest components: its directory relative to the calling crate, its
/// members, and which members are components (the others are libraries).
pub struct GuestWorkspace {
    /// Directory of the workspace, relative to the calling crate's manifest directory.
    pub dir: &'static str,
    /// Every member (for `rerun-if-changed`).
    pub members: &'static [&'static str],
    /// The members that build a component.
    pub components: &'static [&'static str],
}

/// Builds `workspace` for `target` into a target directory under `OUT_DIR`, and for each
/// component sets `MSGBRIDGE_ARTIFACT_<NAME>` (upper-case, `_` for `-`) to the absolute path
/// of its `.wasm` file, for the calling crate's `include_bytes!`.
pub fn build_components(workspace: &GuestWorkspace, target: &str) -> Result<(), String> {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env("OUT_DIR")?);
    let dir = Path::new(workspace.dir);
    rerun_if_changed(&dir.join("Cargo.toml"));
    rerun_if_changed(&dir.join("Cargo.lock"));
    for member in workspace.members {
        rerun_if_changed(&dir.join(member).join("Cargo.toml"));
        rerun_if_changed(&dir.join(member).join("src"));
    }
    check_target_installed(target)?;
    let release = build_workspace(&manifest_dir.join(dir), target, &out_dir.join("guests"))?;
    for component in workspace.components {
        let wasm = release.join(format!("{}.wasm", component.replace('-', "_")));
        if !wasm.is_file() {
            return Err(format!(
                "building {} did not produce {}",
                workspace.dir,
                wasm.display()
            ));
        }
        let var = component.replace('-', "_").to_uppercase();
        println!(
            "cargo:rustc-env=MSGBRIDGE_ARTIFACT_{var}={}",
            wasm.display()
        );
    }
    Ok(())
}

/// Fails with instructions when the standard library for `target` is not installed.
pub fn check_target_installed(target: &str) -> Result<(), String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let output = Command::new(&rustc)
        .args(["--print", "target-libdir", "--target", target])
        .output()
        .map_err(|e| format!("could not run {rustc}: {e}"))?;
    let libdir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    if output.status.success() && libdir.is_dir() {
        return Ok(());
    }
    Err(format!(
        "the Rust target {target} is not installed (no standard library at {}); \
         run `rustup target add {target}`",
        libdir.display()
    ))
}

/// Sets, for each `(crate, variable)`, the build-time environment variable `variable` to the
/// versions of `crate` that the workspace's `Cargo.lock` (at `lock_path`) lists, joined with
/// `, `, so that a generated report names what actually ran.
pub fn record_lock_versions(lock_path: &Path, crates: &[(&str, &str)]) -> Result<(), String> {
    rerun_if_changed(lock_path);
    let lock = std::fs::read_to_string(lock_path)
        .map_err(|e| format!("cannot read {}: {e}", lock_path.display()))?;
    for (krate, var) in crates {
        let mut versions = Vec::new();
        let mut lines = lock.lines();
        while let Some(line) = lines.next() {
            if line.trim() == format!("name = {krate:?}") {
                if let Some(version) = lines
                    .next()
                    .and_then(|l| l.trim().strip_prefix("version = "))
                {
                    versions.push(version.trim_matches('"').to_string());
                }
            }
        }
        if versions.is_empty() {
            return Err(format!("{krate} is not in {}", lock_path.display()));
        }
        println!("cargo:rustc-env={var}={}", versions.join(", "));
    }
    Ok(())
}
