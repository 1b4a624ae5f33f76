//! Compositions made with the plain `wac` CLI (wac-cli 0.12) from the halves' files, as the
//! README's recipes do, so the matrix checks that those recipes behave like `msgbridge
//! compose`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use msgbridge_worlds::{Direction, World};

/// The `wac` CLI, from PATH or cargo's bin directory.
fn wac() -> Result<PathBuf, String> {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin")))
        .map(|dir| dir.join("wac"))
        .find(|path| path.is_file())
        .ok_or_else(|| {
            "the wac CLI is missing: install it with `cargo install wac-cli --locked --version 0.12.0`"
                .to_string()
        })
}

/// A directory holding the halves, as `msgbridge adapters -o DIR` writes them, for the
/// whole process.
fn halves() -> Result<&'static Path, String> {
    static DIR: OnceLock<Result<tempfile::TempDir, String>> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().map_err(|e| format!("no temporary directory: {e}"))?;
        for adapter in msgbridge_adapters::ARTEFACTS {
            let path = dir.path().join(format!("{}.wasm", adapter.name));
            std::fs::write(&path, adapter.bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(dir)
    })
    .as_ref()
    .map(|d| d.path())
    .map_err(Clone::clone)
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// A fresh working directory with the guest written in it.
fn workdir(guest: &[u8]) -> Result<(tempfile::TempDir, PathBuf), String> {
    let dir = tempfile::tempdir().map_err(|e| format!("no temporary directory: {e}"))?;
    let path = dir.path().join("guest.wasm");
    std::fs::write(&path, guest).map_err(|e| format!("cannot write the guest: {e}"))?;
    Ok((dir, path))
}

fn direction_for(guest: &[u8], target: World) -> Result<(Direction, bool), String> {
    let inspection = msgbridge_compose::inspect(guest).map_err(crate::error_chain)?;
    let plan = msgbridge_compose::plan(&inspection, target).map_err(|e| e.to_string())?;
    Ok((plan.direction(), plan.receiver))
}

/// The README's `wac plug` recipe: the receiver around the guest, then the sender (only
/// the sender for a guest without a handler).
pub fn plug(guest: &[u8], target: World) -> Result<Vec<u8>, String> {
    let (direction, receiver) = direction_for(guest, target)?;
    let halves = halves()?;
    let half = |role: &str| halves.join(format!("{direction}-{role}.wasm"));
    let (dir, guest_path) = workdir(guest)?;
    let socket = if receiver {
        let step = dir.path().join("step.wasm");
        run(Command::new(wac()?)
            .arg("plug")
            .arg(half("receiver"))
            .arg("--plug")
            .arg(&guest_path)
            .arg("-o")
            .arg(&step))?;
        step
    } else {
        guest_path
    };
    let out = dir.path().join("plugged.wasm");
    run(Command::new(wac()?)
        .arg("plug")
        .arg(&socket)
        .arg("--plug")
        .arg(half("sender"))
        .arg("-o")
        .arg(&out))?;
    std::fs::read(&out).map_err(|e| format!("cannot read {}: {e}", out.display()))
}

/// The README's `wac compose` recipe with the `.wac` file of the direction in `wac/`.
pub fn compose(guest: &[u8], target: World) -> Result<Vec<u8>, String> {
    let (direction, _) = direction_for(guest, target)?;
    let halves = halves()?;
    let (dir, guest_path) = workdir(guest)?;
    let out = dir.path().join("composed.wasm");
    let wac_file = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../wac/{direction}.wac"));
    let dep = |role: &str| {
        format!(
            "msgbridge:{direction}-{role}={}",
            halves.join(format!("{direction}-{role}.wasm")).display()
        )
    };
    run(Command::new(wac()?)
        .arg("compose")
        .arg(wac_file)
        .arg("--dep")
        .arg(dep("sender"))
        .arg("--dep")
        .arg(dep("receiver"))
        .arg("--dep")
        .arg(format!("msgbridge:guest={}", guest_path.display()))
        .arg("-o")
        .arg(&out))?;
    std::fs::read(&out).map_err(|e| format!("cannot read {}: {e}", out.display()))
}
