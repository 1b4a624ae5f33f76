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

/// A JavaScript component: its directory under [`JS_DIR`] (holding `probe.js` and `wit/`)
/// and the world it targets.
struct JsComponent {
    dir: &'static str,
    world: &'static str,
}

/// The JavaScript components.
const COMPONENTS: &[JsComponent] = &[JsComponent {
    dir: "wasmcloud-probe",
    world: "wasmcloud-probe",
}];

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
        rerun_if_changed(&js.join(component.dir).join("wit/world.wit"));
    }
    // `wit/deps` of each component is a symlink to the repository's `wit/deps`.
    rerun_if_changed(Path::new("../../wit/deps"));
    rerun_if_changed(Path::new("build.rs"));

    let jco = check_installed(&js_dir)?;
    for component in COMPONENTS {
        let out = out_dir.join(format!("js-{}.wasm", component.dir));
        componentize(&jco, &js_dir, component, &out)?;
        let var = component.dir.replace('-', "_").to_uppercase();
        println!(
            "cargo:rustc-env=MSGBRIDGE_JS_ARTIFACT_{var}={}",
            out.display()
        );
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

/// Runs `jco componentize` for `component` into `out`, with every optional feature (WASI
/// stdio, random, clocks, http, fetch-event) disabled, so that the component imports only
/// its world.
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
        .arg(dir.join("wit"))
        .args(["--world-name", component.world])
        .args(["--disable", "all"])
        .arg("--out")
        .arg(out);
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
