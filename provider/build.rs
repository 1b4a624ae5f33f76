//! Builds the adapter halves and bridges in `../adapters` for `wasm32-unknown-unknown`, turns
//! each half's core module into a component with `wit-component`, checks that each bridge is
//! shaped as a wit-component adapter must be, and leaves them in `OUT_DIR` for `src/lib.rs`
//! to include.

use std::path::{Path, PathBuf};

use msgbridge_guest_build::{build_workspace, env, main_or_exit, rerun_if_changed};

/// The halves: crate name (with `-`), which is also the component's file stem.
const HALVES: &[&str] = &[
    "wasi-on-wasmcloud-sender",
    "wasi-on-wasmcloud-receiver",
    "wasmcloud-on-wasi-sender",
    "wasmcloud-on-wasi-receiver",
];

/// The spliced bridges: crate name, which is also the core module's file stem.
const BRIDGES: &[&str] = &["wasi-on-wasmcloud-bridge", "wasmcloud-on-wasi-bridge"];

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
    for member in HALVES.iter().chain(BRIDGES).chain(&["bridge-runtime"]) {
        rerun_if_changed(&adapters.join(member).join("Cargo.toml"));
        rerun_if_changed(&adapters.join(member).join("src"));
        rerun_if_changed(&adapters.join(member).join("build.rs"));
    }
    rerun_if_changed(&root.join("crates/worlds"));
    rerun_if_changed(&root.join("crates/bridge-build"));
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
    for bridge in BRIDGES {
        let core = release.join(format!("{}.wasm", bridge.replace('-', "_")));
        let module =
            std::fs::read(&core).map_err(|e| format!("reading {}: {e}", core.display()))?;
        bridge_shape::check(&module).map_err(|e| format!("{}: {e}", core.display()))?;
        let target = out_dir.join(format!("{bridge}.wasm"));
        std::fs::write(&target, module)
            .map_err(|e| format!("writing {}: {e}", target.display()))?;
    }
    Ok(())
}

mod bridge_shape {
    //! The checks wasmtime's `verify` makes of its preview1 adapter, for msgbridge's bridges:
    //! a core module with no data or element segments, no memory or start function of its
    //! own, importing only the guest's memory and functions from the guest's main module and
    //! the messaging interfaces.

    use wasmparser::{Parser, Payload, TypeRef};

    /// Import modules a bridge may use.
    fn allowed_module(module: &str) -> bool {
        module == "__main_module__"
            || module.starts_with("wasi:messaging/")
            || module.starts_with("wasmcloud:messaging/")
    }

    pub fn check(module: &[u8]) -> Result<(), String> {
        wasmparser::Validator::new()
            .validate_all(module)
            .map_err(|e| format!("does not validate: {e}"))?;
        for payload in Parser::new(0).parse_all(module) {
            match payload.map_err(|e| e.to_string())? {
                Payload::Version { encoding, .. } if encoding != wasmparser::Encoding::Module => {
                    return Err("a bridge must be a core module".into())
                }
                Payload::DataSection(_) | Payload::DataCountSection { .. } => {
                    return Err("has data segments (a static or a string constant?)".into())
                }
                Payload::ElementSection(_) => {
                    return Err("has element segments (a function pointer?)".into())
                }
                Payload::MemorySection(_) => return Err("defines a memory".into()),
                Payload::StartSection { .. } => return Err("has a start function".into()),
                Payload::ImportSection(imports) => {
                    for import in imports.into_imports() {
                        let import = import.map_err(|e| e.to_string())?;
                        match import.ty {
                            TypeRef::Memory(_)
                                if (import.module, import.name) == ("env", "memory") => {}
                            TypeRef::Func(_) if allowed_module(import.module) => {}
                            _ => {
                                return Err(format!(
                                    "imports `{}` `{}`, which a bridge may not",
                                    import.module, import.name
                                ))
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn componentize(core: &Path, component: &Path) -> Result<(), String> {
    let module = std::fs::read(core).map_err(|e| format!("reading {}: {e}", core.display()))?;
    let bytes = wit_component::ComponentEncoder::default()
        .module(&module)
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(|e| format!("componentizing {}: {e:#}", core.display()))?;
    std::fs::write(component, bytes).map_err(|e| format!("writing {}: {e}", component.display()))
}
