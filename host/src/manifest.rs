//! The TOML manifest `msgbridge run --manifest` reads: the broker, the worlds served, the
//! HTTP address, and the components with their subscriptions and config.
//!
//! ```toml
//! nats = "nats://127.0.0.1:4222"   # optional: omit for the in-process broker
//! worlds = "both"                   # wasmcloud | wasi | both (default)
//! http = "127.0.0.1:8000"           # optional: where wasi:http components are served
//!
//! [[component]]
//! name = "leet"                     # default: the file name without `.wasm`
//! path = "leet_worker.wasm"         # relative to the manifest's directory
//! subscriptions = ["tasks.leet"]    # or config.subscriptions = "tasks.leet"
//! [component.config]
//! "leet.mode" = "upper"
//! ```

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use msgbridge_worlds::Hosted;
use serde::{Deserialize, Deserializer};

use crate::ComponentSpec;

/// Why a manifest, or a component it names, cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The manifest file cannot be read.
    #[error("cannot read manifest {}", .path.display())]
    Read {
        /// The manifest's path.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The manifest is not valid TOML of the expected shape.
    #[error("manifest {} is not valid", .path.display())]
    Parse {
        /// The manifest's path.
        path: PathBuf,
        /// What the TOML parser said (line, column, key).
        #[source]
        source: toml::de::Error,
    },
    /// A component file cannot be read.
    #[error("cannot read component {name:?} from {}", .path.display())]
    ReadComponent {
        /// The component's name.
        name: String,
        /// Its path.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// No name was given and none can be derived from the file name.
    #[error("cannot derive a component name from {}: give it a `name`", .0.display())]
    NoName(PathBuf),
}

/// A `msgbridge run` manifest.
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// NATS server URL; absent means the in-process broker.
    pub nats: Option<String>,
    /// The worlds served: `wasmcloud`, `wasi` or `both`.
    #[serde(default, deserialize_with = "hosted")]
    pub worlds: Option<Hosted>,
    /// HTTP listen address.
    pub http: Option<SocketAddr>,
    /// The components to run.
    #[serde(default, rename = "component")]
    pub components: Vec<ManifestComponent>,
}

/// One `[[component]]` of a manifest.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ManifestComponent {
    /// The component's name (default: its file name without `.wasm`).
    pub name: Option<String>,
    /// Path of the `.wasm` file, relative to the manifest's directory.
    pub path: PathBuf,
    /// Subject patterns it subscribes to.
    #[serde(default)]
    pub subscriptions: Vec<String>,
    /// Config entries, answered by `wasi:config/store`.
    #[serde(default)]
    pub config: BTreeMap<String, String>,
}

fn hosted<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Hosted>, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.parse().map(Some).map_err(serde::de::Error::custom)
}

impl Manifest {
    /// Reads and parses the manifest at `path`; component paths are made relative to its
    /// directory.
    pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut manifest: Manifest =
            toml::from_str(&text).map_err(|source| ManifestError::Parse {
                path: path.to_path_buf(),
                source,
            })?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        for component in &mut manifest.components {
            if component.path.is_relative() {
                component.path = base.join(&component.path);
            }
        }
        Ok(manifest)
    }

    /// Reads every component file into a spec.
    pub fn specs(&self) -> Result<Vec<ComponentSpec>, ManifestError> {
        self.components
            .iter()
            .map(|c| {
                read_spec(
                    &c.path,
                    c.name.clone(),
                    c.subscriptions.clone(),
                    c.config.clone(),
                )
            })
            .collect()
    }
}

/// The default name of the component at `path`: its file name without the extension.
pub fn default_name(path: &Path) -> Result<String, ManifestError> {
    path.file_stem()
        .and_then(|stem| stem.to_str())
        .filter(|stem| !stem.is_empty())
        .map(str::to_string)
        .ok_or_else(|| ManifestError::NoName(path.to_path_buf()))
}

/// Reads the component at `path` into a spec named `name` (default: [`default_name`]).
pub fn read_spec(
    path: &Path,
    name: Option<String>,
    subscriptions: Vec<String>,
    config: BTreeMap<String, String>,
) -> Result<ComponentSpec, ManifestError> {
    let name = match name {
        Some(name) => name,
        None => default_name(path)?,
    };
    let wasm = std::fs::read(path).map_err(|source| ManifestError::ReadComponent {
        name: name.clone(),
        path: path.to_path_buf(),
        source,
    })?;
    Ok(ComponentSpec {
        name,
        wasm: wasm.into(),
        subscriptions,
        config,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use msgbridge_worlds::World;

    #[test]
    fn manifests_parse_and_resolve_paths() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("msgbridge.toml");
        std::fs::write(
            &path,
            r#"
                nats = "nats://127.0.0.1:4222"
                worlds = "wasmcloud"
                http = "127.0.0.1:0"

                [[component]]
                name = "leet"
                path = "leet.wasm"
                subscriptions = ["tasks.leet"]
                [component.config]
                "leet.mode" = "upper"

                [[component]]
                path = "/abs/api.wasm"
            "#,
        )
        .expect("write");
        let manifest = Manifest::load(&path).expect("parse");
        assert_eq!(manifest.nats.as_deref(), Some("nats://127.0.0.1:4222"));
        assert_eq!(manifest.worlds, Some(Hosted::Only(World::Wasmcloud)));
        assert_eq!(manifest.components.len(), 2);
        assert_eq!(manifest.components[0].path, dir.path().join("leet.wasm"));
        assert_eq!(
            manifest.components[0]
                .config
                .get("leet.mode")
                .map(String::as_str),
            Some("upper")
        );
        assert_eq!(manifest.components[1].path, PathBuf::from("/abs/api.wasm"));
        assert_eq!(
            default_name(&manifest.components[1].path).ok().as_deref(),
            Some("api")
        );
        let err = manifest.specs().expect_err("the files do not exist");
        assert!(matches!(err, ManifestError::ReadComponent { .. }), "{err}");
    }

    #[test]
    fn bad_manifests_name_the_problem() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m.toml");
        std::fs::write(&path, "[[component]]\npath = \"x.wasm\"\nbogus = 1\n").expect("write");
        let err = Manifest::load(&path).expect_err("unknown keys are refused");
        let chain = format!("{err}: {}", std::error::Error::source(&err).unwrap());
        assert!(chain.contains("bogus"), "{chain}");
        std::fs::write(&path, "worlds = \"neither\"\n").expect("write");
        let err = Manifest::load(&path).expect_err("bad worlds");
        let chain = format!("{err}: {}", std::error::Error::source(&err).unwrap());
        assert!(
            chain.contains("expected `wasmcloud`, `wasi` or `both`"),
            "{chain}"
        );
        let err = Manifest::load(&dir.path().join("missing.toml")).expect_err("missing");
        assert!(matches!(err, ManifestError::Read { .. }), "{err}");
    }
}
