//! Records the versions of what the benchmark runs with (from the workspace's `Cargo.lock`,
//! and `rustc -V`), so that `docs/performance.md` names them.

fn main() {
    msgbridge_guest_build::main_or_exit(|| {
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let version = std::process::Command::new(&rustc)
            .arg("-V")
            .output()
            .map_err(|e| format!("cannot run {rustc}: {e}"))?;
        println!(
            "cargo:rustc-env=MSGBRIDGE_RUSTC_VERSION={}",
            String::from_utf8_lossy(&version.stdout).trim()
        );
        msgbridge_guest_build::record_lock_versions(
            std::path::Path::new("../Cargo.lock"),
            &[
                ("wasmtime", "MSGBRIDGE_VERSION_WASMTIME"),
                ("wit-component", "MSGBRIDGE_VERSION_WIT_COMPONENT"),
                ("wac-graph", "MSGBRIDGE_VERSION_WAC_GRAPH"),
            ],
        )
    });
}
