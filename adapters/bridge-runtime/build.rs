//! Generates the bridges' intrinsics object (their wasm globals and accessors), the Rust
//! declarations of those accessors, and the mapping texts as code; see
//! `msgbridge-bridge-build`.

use std::path::PathBuf;

use msgbridge_bridge_build::{intrinsics, texts, write};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").map_err(|_| "OUT_DIR is not set")?);
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../../crates/mapping/src");
    println!("cargo:rerun-if-changed=../../crates/worlds/src");
    println!("cargo:rerun-if-changed=../bridge-build/src");

    let mut globals = intrinsics::common_globals();
    globals.extend(intrinsics::client_name_globals());
    let object = out_dir.join("msgbridge-bridge-intrinsics.o");
    write(&object, &intrinsics::object(&globals)?)?;
    write(
        &out_dir.join("intrinsics.rs"),
        intrinsics::declarations(&globals).as_bytes(),
    )?;
    write(&out_dir.join("texts.rs"), texts::source().as_bytes())?;
    println!("cargo:object={}", object.display());
    Ok(())
}
