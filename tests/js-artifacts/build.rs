//! Componentizes the JavaScript guest fixtures of `tests/components/js` with the `jco`
//! installed there by `npm ci` (pinned by its `package-lock.json`), into `OUT_DIR`.
//!
//! For each component it sets `MSGBRIDGE_JS_ARTIFACT_<NAME>` to the absolute path of the
//! built `.wasm` file, which `src/lib.rs` turns into constants. Without `node_modules` the
//! build fails with instructions: it never skips.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The JavaScript package, relative to this crate.
const JS_DIR: &str = "../components/js";

/// What to run when the JavaScript toolchain is missing or stale.
const INSTALL_HINT: &str = "run `npm ci --prefix tests/components/js` (needs node and npm)";

/// A JavaScript component: its name (of the output and the constant), the directory under
/// [`JS_DIR`] holding its `probe.js`, the one holding its `wit/`, the world it targets, and
/// whether every optional componentize-js feature is disabled (`--disable all`) or jco's
/// defaults are kept (WASI stdio, clocks, random: the engine then carries wasmtime's preview1
/// adapter, as the components of wasmCloud's templates do).
struct JsComponent {
    name: &'static str,
    dir: &'static str,
    wit_dir: &'static str,
    world: &'static str,
    disable_all: bool,
}

/// The JavaScript components.
const COMPONENTS: &[JsComponent] = &[
    JsComponent {
        name: "wasmcloud-probe",
        dir: "wasmcloud-probe",
        wit_dir: "wasmcloud-probe",
        world: "wasmcloud-probe",
        disable_all: true,
    },
    // The toolchain matrix (issue 20): jco's defaults, with the current componentize-js ...
    JsComponent {
        name: "wasmcloud-probe-wasi",
        dir: "wasmcloud-probe",
        wit_dir: "wasmcloud-probe",
        world: "wasmcloud-probe",
        disable_all: false,
    },
    // ... and with the componentize-js 0.19.3 fallback a `wasi:http` 0.2.6 import triggers.
    JsComponent {
        name: "wasmcloud-probe-wasi026",
        dir: "wasmcloud-probe",
        wit_dir: "wasmcloud-probe-wasi026",
        world: "wasmcloud-probe",
        disable_all: false,
    },
];

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env("OUT_DIR")?);
    // `tests/components/js`, without `..` so that messages show a plain path.
    let js_dir = manifest_dir
        .parent()
        .ok_or("the crate directory has no parent")?
        .join("components/js");

    // Relative paths: cargo resolves them against this crate's directory.
    let js = Path::new(JS_DIR);
    rerun_if_changed(&js.join("package.json"));
    rerun_if_changed(&js.join("package-lock.json"));
    // Rewritten by every `npm ci`/`npm install`, so a reinstall rebuilds.
    rerun_if_changed(&js.join("node_modules/.package-lock.json"));
    for component in COMPONENTS {
        rerun_if_changed(&js.join(component.dir).join("probe.js"));
        rerun_if_changed(&js.join(component.wit_dir).join("wit/world.wit"));
    }
    rerun_if_changed(&js.join("wasmcloud-probe-wasi026/wit/deps"));
    // `wit/deps` of each component is a symlink to the repository's `wit/deps`.
    rerun_if_changed(Path::new("../../wit/deps"));
    rerun_if_changed(Path::new("build.rs"));

    let jco = check_installed(&js_dir)?;
    // Each build is one node process, mostly single-threaded: run them side by side.
    let results: Vec<Result<String, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = COMPONENTS
            .iter()
            .map(|component| {
                let (jco, js_dir, out_dir) = (&jco, &js_dir, &out_dir);
                scope.spawn(move || {
                    let started = std::time::Instant::now();
                    let out = out_dir.join(format!("js-{}.wasm", component.name));
                    componentize(jco, js_dir, component, &out)?;
                    let var = component.name.replace('-', "_").to_uppercase();
                    Ok(format!(
                        "cargo:rustc-env=MSGBRIDGE_JS_ARTIFACT_{var}={}\n\
                         cargo:rustc-env=MSGBRIDGE_JS_BUILD_SECONDS_{var}={:.1}",
                        out.display(),
                        started.elapsed().as_secs_f64()
                    ))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a build thread panicked".into()))
            })
            .collect()
    });
    for result in results {
        println!("{}", result?);
    }
    Ok(())
}

/// Returns the `jco` executable of `js_dir/node_modules`, or fails with [`INSTALL_HINT`]
/// when it is missing or older than `package-lock.json`.
fn check_installed(js_dir: &Path) -> Result<PathBuf, String> {
    let jco = js_dir.join("node_modules/.bin/jco");
    if !jco.is_file() {
        return Err(format!(
            "the JavaScript fixtures need jco, which is not installed ({} is missing); \
             {INSTALL_HINT}",
            jco.display()
        ));
    }
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let installed = modified(&js_dir.join("node_modules/.package-lock.json"));
    let locked = modified(&js_dir.join("package-lock.json"));
    match (installed, locked) {
        (Some(installed), Some(locked)) if installed >= locked => Ok(jco),
        _ => Err(format!(
            "{} is older than package-lock.json (or was not installed by npm); {INSTALL_HINT}",
            js_dir.join("node_modules").display()
        )),
    }
}

/// Runs `jco componentize` for `component` into `out`; with `disable_all`, every optional
/// feature (WASI stdio, random, clocks, http, fetch-event) is disabled, so that the component
/// imports only its world.
fn componentize(
    jco: &Path,
    js_dir: &Path,
    component: &JsComponent,
    out: &Path,
) -> Result<(), String> {
    let dir = js_dir.join(component.dir);
    let mut command = Command::new(jco);
    command
        .current_dir(js_dir)
        .arg("componentize")
        .arg(dir.join("probe.js"))
        .arg("--wit")
        .arg(js_dir.join(component.wit_dir).join("wit"))
        .args(["--world-name", component.world]);
    if component.disable_all {
        command.args(["--disable", "all"]);
    }
    command.arg("--out").arg(out);
    let output = command.output().map_err(|e| {
        format!(
            "could not run {} ({e}); it is a node script: {INSTALL_HINT}",
            jco.display()
        )
    })?;
    if !output.status.success() {
        return Err(format!(
            "`jco componentize` failed for {} ({}):\n{}{}",
            dir.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    if !out.is_file() {
        return Err(format!(
            "`jco componentize` did not produce {}",
            out.display()
        ));
    }
    Ok(())
}

/// Tells cargo to rerun this script when `path` (a file, or a directory's contents) changes.
fn rerun_if_changed(path: &Path) {
    println!("cargo:rerun-if-changed={}", path.display());
}

/// An environment variable cargo sets for build scripts.
fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("cargo did not set {name}"))
}
