//! Builds the toolchain matrix's probe fixtures into `OUT_DIR`, once per run:
//!
//! - **Rust wasip1**: the probes of `tests/components` built for `wasm32-wasip1` (a nested
//!   cargo, as `tests/artifacts` does for wasip2), each made a component by wit-component
//!   with wasmtime's preview1 *reactor* adapter (`wasi-preview1-component-adapter-provider`),
//!   as `wasm-tools component new --adapt` and older toolchains do.
//! - **Python**: the probes of `tests/components/python`, componentized with the pinned
//!   `componentize-py` that `scripts/setup --tests` installs into a virtual environment
//!   (`target/toolchains/py`; `MSGBRIDGE_COMPONENTIZE_PY` names another executable).
//!
//! For each fixture it sets `MSGBRIDGE_TOOLCHAIN_ARTIFACT_<NAME>` to the absolute path of the
//! built file, and `MSGBRIDGE_TOOLCHAIN_BUILD_SECONDS_<NAME>` to how long building it took.
//! A missing tool fails the build with what to run: it never skips.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use msgbridge_guest_build::{
    build_workspace, check_target_installed, env, main_or_exit, rerun_if_changed,
};

/// The componentize-py version `scripts/setup --tests` installs (and this script insists on).
const COMPONENTIZE_PY_VERSION: &str = "0.25.1";

/// What to run when componentize-py is missing or another version.
const PY_HINT: &str =
    "run `scripts/setup --tests` (it installs componentize-py into target/toolchains/py)";

/// The Rust probes of `tests/components` built for wasip1: (member, fixture name).
const RUST_PROBES: &[(&str, &str)] = &[
    ("wasi-probe", "rust-wasip1-wasi-probe"),
    ("wasmcloud-probe", "rust-wasip1-wasmcloud-probe"),
];

/// The Python probes of `tests/components/python`: (directory, world, fixture name).
const PY_PROBES: &[(&str, &str, &str)] = &[
    ("wasi-probe", "wasi-probe", "py-wasi-probe"),
    ("wasmcloud-probe", "wasmcloud-probe", "py-wasmcloud-probe"),
];

fn main() {
    main_or_exit(run);
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env("OUT_DIR")?);
    let root = manifest_dir
        .parent()
        .and_then(Path::parent)
        .ok_or("the crate is not two levels below the repository")?
        .to_path_buf();
    rerun_if_changed(Path::new("build.rs"));
    rerun_if_changed(Path::new("../../wit"));
    rerun_if_changed(Path::new("../components/Cargo.toml"));
    rerun_if_changed(Path::new("../components/Cargo.lock"));
    for member in ["probe-command", "wasi-probe", "wasmcloud-probe"] {
        rerun_if_changed(&Path::new("../components").join(member).join("src"));
    }
    // Files, not the directory: componentize-py writes `__pycache__` beside the sources.
    let python = Path::new("../components/python");
    rerun_if_changed(&python.join("probe_command.py"));
    for (dir, _, _) in PY_PROBES {
        rerun_if_changed(&python.join(dir).join("app.py"));
        rerun_if_changed(&python.join(dir).join("wit/world.wit"));
    }
    println!("cargo:rerun-if-env-changed=MSGBRIDGE_COMPONENTIZE_PY");

    let componentize_py = find_componentize_py(&root)?;
    // The Python builds are single-threaded and slow; run them beside the Rust one.
    let python = std::thread::scope(|scope| {
        let handles: Vec<_> = PY_PROBES
            .iter()
            .map(|probe| {
                let (py, root, out) = (&componentize_py, &root, &out_dir);
                scope.spawn(move || componentize_python(py, root, probe, out))
            })
            .collect();
        let rust = build_rust_wasip1(&root, &out_dir);
        let python: Vec<_> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a build thread panicked".into()))
            })
            .collect();
        rust.map(|()| python)
    })?;
    for result in python {
        result?;
    }
    Ok(())
}

/// Tells the crate where fixture `name` is and how long it took to build.
fn emit(name: &str, path: &Path, started: Instant) {
    let var = name.replace('-', "_").to_uppercase();
    println!(
        "cargo:rustc-env=MSGBRIDGE_TOOLCHAIN_ARTIFACT_{var}={}",
        path.display()
    );
    println!(
        "cargo:rustc-env=MSGBRIDGE_TOOLCHAIN_BUILD_SECONDS_{var}={:.1}",
        started.elapsed().as_secs_f64()
    );
}

/// Builds the Rust probes for wasip1 and wraps each with the preview1 reactor adapter.
fn build_rust_wasip1(root: &Path, out_dir: &Path) -> Result<(), String> {
    let started = Instant::now();
    check_target_installed("wasm32-wasip1")?;
    let release = build_workspace(
        &root.join("tests/components"),
        "wasm32-wasip1",
        &out_dir.join("wasip1"),
    )?;
    for (member, name) in RUST_PROBES {
        let core = release.join(format!("{}.wasm", member.replace('-', "_")));
        let module =
            std::fs::read(&core).map_err(|e| format!("reading {}: {e}", core.display()))?;
        let component = wit_component::ComponentEncoder::default()
            .module(&module)
            .and_then(|e| {
                e.adapter(
                    wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
                    wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
                )
            })
            .and_then(|e| e.validate(true).encode())
            .map_err(|e| format!("making a component of {}: {e:#}", core.display()))?;
        let out = out_dir.join(format!("{name}.wasm"));
        std::fs::write(&out, component).map_err(|e| format!("writing {}: {e}", out.display()))?;
        emit(name, &out, started);
    }
    Ok(())
}

/// The pinned componentize-py, or what to run to install it.
fn find_componentize_py(root: &Path) -> Result<PathBuf, String> {
    let path = match std::env::var_os("MSGBRIDGE_COMPONENTIZE_PY") {
        Some(path) => PathBuf::from(path),
        None => root.join("target/toolchains/py/bin/componentize-py"),
    };
    let output = Command::new(&path)
        .arg("--version")
        .output()
        .map_err(|e| format!("could not run {} ({e}); {PY_HINT}", path.display()))?;
    let version = String::from_utf8_lossy(&output.stdout);
    if !output.status.success()
        || version.split_whitespace().nth(1) != Some(COMPONENTIZE_PY_VERSION)
    {
        return Err(format!(
            "{} is not componentize-py {COMPONENTIZE_PY_VERSION} (it says {:?}); {PY_HINT}",
            path.display(),
            version.trim()
        ));
    }
    rerun_if_changed(&path);
    Ok(path)
}

/// Componentizes one Python probe (`app.py` of its directory, `../probe_command.py` on the
/// path) into `OUT_DIR`.
fn componentize_python(
    componentize_py: &Path,
    root: &Path,
    (dir, world, name): &(&str, &str, &str),
    out_dir: &Path,
) -> Result<(), String> {
    let started = Instant::now();
    let python = root.join("tests/components/python");
    let probe = python.join(dir);
    let out = out_dir.join(format!("{name}.wasm"));
    let output = Command::new(componentize_py)
        .current_dir(&probe)
        .arg("-d")
        .arg(probe.join("wit"))
        .args(["-w", world, "componentize", "app", "-p"])
        .arg(&probe)
        .arg("-p")
        .arg(&python)
        .arg("-o")
        .arg(&out)
        .output()
        .map_err(|e| format!("could not run {}: {e}", componentize_py.display()))?;
    if !output.status.success() || !out.is_file() {
        return Err(format!(
            "componentize-py failed for {} ({}):\n{}{}",
            probe.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    emit(name, &out, started);
    Ok(())
}
