//! Rebuilds msgbridge's prebuilt adapters from source, the way wasmtime's CI rebuilds its
//! preview1 adapter: `adapters/` is compiled for `wasm32-unknown-unknown` with the release
//! profile of its workspace and flags that take the build's paths out of the output, each
//! half is componentized with wit-component and given its package metadata, each bridge is
//! checked for the shape a wit-component adapter must have, and the results (with a
//! `MANIFEST` of their SHA-256) are what `msgbridge-adapters` ships in `adapters/provider/artefacts/`.
//!
//! `cargo run -p msgbridge-adapters-build` rewrites the committed files;
//! `cargo run -p msgbridge-adapters-build -- --check` (and this crate's test) rebuilds them
//! in a temporary directory and fails naming each file that differs.

use std::path::{Path, PathBuf};

use msgbridge_adapters::{Artefact, Kind, ARTEFACTS};
use sha2::{Digest, Sha256};

/// Why the adapters could not be rebuilt.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The nested cargo build failed (its output says why).
    #[error("building adapters/ failed: {0}")]
    Cargo(String),
    /// A file could not be read or written.
    #[error("{what} {}", .path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// wit-component could not componentize a half.
    #[error("componentizing {name}")]
    Componentize {
        /// The half.
        name: &'static str,
        /// wit-component's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A bridge is not shaped as a wit-component adapter must be.
    #[error("the bridge {name} {problem}")]
    BridgeShape {
        /// The bridge.
        name: &'static str,
        /// What is wrong.
        problem: String,
    },
}

/// The repository's root (this crate is `adapters/build`).
pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where the committed artefacts are.
pub fn committed_dir() -> PathBuf {
    repository().join("adapters/provider/artefacts")
}

/// The flags every adapter is built with: the workspace's release profile plus path
/// remapping, so that the output does not depend on where the repository or cargo's home
/// is.
fn rustflags(root: &Path) -> Vec<String> {
    let mut flags = vec![format!("--remap-path-prefix={}=/msgbridge", root.display())];
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    if let Some(home) = cargo_home {
        flags.push(format!("--remap-path-prefix={}=/cargo", home.display()));
    }
    flags
}

/// Builds every artefact into `out_dir` (created if missing) and writes its `MANIFEST`;
/// returns each artefact's bytes. `scratch` is the nested build's target directory.
pub fn build(out_dir: &Path, scratch: &Path) -> Result<Vec<(Artefact, Vec<u8>)>, BuildError> {
    let root = repository()
        .canonicalize()
        .map_err(|source| BuildError::Io {
            what: "cannot resolve",
            path: repository(),
            source,
        })?;
    let release = msgbridge_guest_build::build_workspace_with_flags(
        &root.join("adapters"),
        "wasm32-unknown-unknown",
        scratch,
        &rustflags(&root),
    )
    .map_err(BuildError::Cargo)?;
    std::fs::create_dir_all(out_dir).map_err(|source| BuildError::Io {
        what: "cannot create",
        path: out_dir.to_path_buf(),
        source,
    })?;
    let mut built = Vec::new();
    for artefact in ARTEFACTS {
        let core_path = release.join(format!("{}.wasm", artefact.name.replace('-', "_")));
        let core = std::fs::read(&core_path).map_err(|source| BuildError::Io {
            what: "cannot read",
            path: core_path.clone(),
            source,
        })?;
        let bytes = match artefact.kind {
            Kind::Half => componentize(artefact, &core)?,
            Kind::Bridge => {
                let core = global_names_only(&core).map_err(|problem| BuildError::BridgeShape {
                    name: artefact.name,
                    problem,
                })?;
                bridge_shape(&core).map_err(|problem| BuildError::BridgeShape {
                    name: artefact.name,
                    problem,
                })?;
                core
            }
        };
        let path = out_dir.join(artefact.file_name());
        std::fs::write(&path, &bytes).map_err(|source| BuildError::Io {
            what: "cannot write",
            path: path.clone(),
            source,
        })?;
        built.push((*artefact, bytes));
    }
    let manifest_path = out_dir.join("MANIFEST");
    std::fs::write(&manifest_path, manifest(&built)).map_err(|source| BuildError::Io {
        what: "cannot write",
        path: manifest_path,
        source,
    })?;
    Ok(built)
}

/// The `MANIFEST` of `built`: one line per artefact, `SHA256  BYTES  FILE`.
pub fn manifest(built: &[(Artefact, Vec<u8>)]) -> String {
    let mut out = String::new();
    for (artefact, bytes) in built {
        let digest: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        out.push_str(&format!(
            "{digest}  {}  {}\n",
            bytes.len(),
            artefact.file_name()
        ));
    }
    out
}

/// A half as a component, with its package metadata (name, version, description, source,
/// licence) in custom sections, as `wkg`-published components carry it.
fn componentize(artefact: &Artefact, core: &[u8]) -> Result<Vec<u8>, BuildError> {
    let failed = |source: Box<dyn std::error::Error + Send + Sync>| BuildError::Componentize {
        name: artefact.name,
        source,
    };
    let component = wit_component::ComponentEncoder::default()
        .module(core)
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(|e| failed(e.into()))?;
    let mut metadata = wasm_metadata::AddMetadata::default();
    metadata.name = wasm_metadata::AddMetadataField::Set(format!("msgbridge:{}", artefact.name));
    metadata.version = wasm_metadata::AddMetadataField::Set(wasm_metadata::Version::new(
        env!("CARGO_PKG_VERSION").to_string(),
    ));
    metadata.description = wasm_metadata::AddMetadataField::Set(wasm_metadata::Description::new(
        artefact.description.to_string(),
    ));
    metadata.source = wasm_metadata::AddMetadataField::Set(
        wasm_metadata::Source::new(env!("CARGO_PKG_REPOSITORY")).map_err(|e| failed(e.into()))?,
    );
    metadata.licenses = wasm_metadata::AddMetadataField::Set(
        wasm_metadata::Licenses::new(env!("CARGO_PKG_LICENSE")).map_err(|e| failed(e.into()))?,
    );
    metadata.processed_by = vec![(
        "msgbridge-adapters-build".to_string(),
        env!("CARGO_PKG_VERSION").to_string(),
    )];
    metadata.to_wasm(&component).map_err(|e| failed(e.into()))
}

/// `module` with its `name` section cut down to the names of its globals, which
/// wit-component (`__stack_pointer`, `allocation_state`) and the composer (the client-name
/// globals) look up. Function names go: Rust's mangled names carry hashes of the crates'
/// build paths, which would make the bytes depend on where the repository is.
fn global_names_only(module: &[u8]) -> Result<Vec<u8>, String> {
    use wasm_encoder::{NameMap, NameSection, RawSection};
    use wasmparser::{KnownCustom, Name, Parser, Payload};
    let mut out = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload.map_err(|e| e.to_string())?;
        if let Payload::CustomSection(section) = &payload {
            if let KnownCustom::Name(reader) = section.as_known() {
                let mut names = NameSection::new();
                for subsection in reader {
                    if let Name::Global(map) = subsection.map_err(|e| e.to_string())? {
                        let mut globals = NameMap::new();
                        for naming in map {
                            let naming = naming.map_err(|e| e.to_string())?;
                            globals.append(naming.index, naming.name);
                        }
                        names.globals(&globals);
                    }
                }
                out.section(&names);
                continue;
            }
        }
        if let Some((id, range)) = payload.as_section() {
            out.section(&RawSection {
                id,
                data: &module[range.start as usize..range.end as usize],
            });
        }
    }
    Ok(out.finish())
}

/// The checks wasmtime's `verify` makes of its preview1 adapter, for msgbridge's bridges:
/// a core module with no data or element segments, no memory or start function of its own,
/// importing only the guest's memory, functions of the guest's main module, the messaging
/// interfaces and, for a bridge to an asynchronous world, the canonical ABI's async
/// built-ins (`$root`'s and a messaging export's `[task-return]`).
pub fn bridge_shape(module: &[u8]) -> Result<(), String> {
    use wasmparser::{Parser, Payload, TypeRef};
    let messaging = |module: &str| {
        module.starts_with("wasi:messaging/") || module.starts_with("wasmcloud:messaging/")
    };
    let allowed = |module: &str| {
        module == "__main_module__"
            || module == "$root"
            || messaging(module)
            || module.strip_prefix("[export]").is_some_and(messaging)
    };
    wasmparser::Validator::new()
        .validate_all(module)
        .map_err(|e| format!("does not validate: {e}"))?;
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(|e| e.to_string())? {
            Payload::Version { encoding, .. } if encoding != wasmparser::Encoding::Module => {
                return Err("is not a core module".into())
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
                        TypeRef::Memory(_) if (import.module, import.name) == ("env", "memory") => {
                        }
                        TypeRef::Func(_) if allowed(import.module) => {}
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

/// Rebuilds every artefact into a temporary directory and compares it with the committed
/// one; returns the names of the files that differ (empty: reproducible).
pub fn differences() -> Result<Vec<String>, BuildError> {
    let scratch = tempfile::tempdir().map_err(|source| BuildError::Io {
        what: "cannot create a temporary directory in",
        path: std::env::temp_dir(),
        source,
    })?;
    let out = scratch.path().join("artefacts");
    build(&out, &scratch.path().join("target"))?;
    let committed = committed_dir();
    let mut differ = Vec::new();
    for file in ARTEFACTS
        .iter()
        .map(|a| a.file_name())
        .chain(["MANIFEST".to_string()])
    {
        let fresh = std::fs::read(out.join(&file)).ok();
        let old = std::fs::read(committed.join(&file)).ok();
        if fresh.is_none() || fresh != old {
            differ.push(file);
        }
    }
    Ok(differ)
}
