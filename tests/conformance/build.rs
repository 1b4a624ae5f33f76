//! Embeds the scenario catalogue (`tests/cases/*.toml`) and records the versions of the
//! crates the suite runs with, read from the workspace's `Cargo.lock`, so that
//! `docs/conformance.md` names what actually ran.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let root = manifest.join("../..");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));

    // The case files, sorted by name.
    let cases_dir = root.join("tests/cases");
    println!("cargo:rerun-if-changed={}", cases_dir.display());
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&cases_dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", cases_dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    cases.sort();
    let mut list = String::from("&[\n");
    for path in &cases {
        println!("cargo:rerun-if-changed={}", path.display());
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("case file names are UTF-8");
        let path = path.canonicalize().expect("case file path");
        let _ = writeln!(
            list,
            "    ({stem:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    list.push(']');
    std::fs::write(out.join("cases.rs"), list).expect("write cases.rs");

    // Versions from Cargo.lock.
    msgbridge_guest_build::main_or_exit(|| {
        msgbridge_guest_build::record_lock_versions(
            &root.join("Cargo.lock"),
            &[
                ("wasmtime", "MSGBRIDGE_VERSION_WASMTIME"),
                ("wac-graph", "MSGBRIDGE_VERSION_WAC_GRAPH"),
                ("wit-component", "MSGBRIDGE_VERSION_WIT_COMPONENT"),
                ("async-nats", "MSGBRIDGE_VERSION_ASYNC_NATS"),
            ],
        )
    });
}
