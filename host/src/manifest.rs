//! The TOML manifest `msgbridge run --manifest` reads: the broker, the worlds served, the
//! HTTP address, and the components with their subscriptions and config.
//!
//! ```toml
//! nats = "nats://127.0.0.1:4222"   # optional: omit for the in-process broker; a cluster:
//!                                   # "nats://a:4222,nats://b:4222" or ["nats://a:4222", ...]
//! worlds = "both"                   # wasmcloud | wasi | both (default)
//! http = "127.0.0.1:8000"           # optional: where wasi:http components are served
//!
//! [[component]]
//! name = "leet"                     # default: the file name without `.wasm`
//! path = "leet_worker.wasm"         # relative to the manifest's directory
//! subscriptions = ["tasks.leet"]    # or config.subscriptions = "tasks.leet"
//! [component.config]
//! "leet.mode" = "upper"
//!
//! # Optional, per component: limits (defaults in `msgbridge_host::Limits`) and warm
//! # instances (default: a fresh instance per message).
//! # deadline_ms = 10000, max_memory_mib = 128, max_in_flight = 16
//! # pool_size = 4, max_invocations = 1000
//! ```

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use msgbridge_worlds::Hosted;
use serde::{Deserialize, Deserializer};

use crate::{ComponentSpec, InstancePolicy, Limits};

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
    /// NATS server URL, or a cluster's as a comma-separated list; in TOML also an array of
    /// URLs (kept here joined with commas). Absent means the in-process broker.
    #[serde(default, deserialize_with = "servers")]
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
    /// How long one delivery may run, in milliseconds.
    pub deadline_ms: Option<u64>,
    /// How far each linear memory of an instance may grow, in MiB.
    pub max_memory_mib: Option<usize>,
    /// How many deliveries may run at once.
    pub max_in_flight: Option<usize>,
    /// Keep up to this many warm instances (wasmCloud's `poolSize`).
    pub pool_size: Option<usize>,
    /// Retire a warm instance after this many messages (wasmCloud's `maxInvocations`).
    pub max_invocations: Option<u64>,
}

impl ManifestComponent {
    /// The limits it asks for, on top of `base` (the host's defaults, or the command
    /// line's).
    pub fn limits(&self, base: Limits) -> Limits {
        let mut limits = base;
        if let Some(ms) = self.deadline_ms {
            limits.deadline = std::time::Duration::from_millis(ms);
        }
        if let Some(mib) = self.max_memory_mib {
            limits.max_memory = mib.saturating_mul(1 << 20);
        }
        if let Some(n) = self.max_in_flight {
            limits.max_in_flight = n;
        }
        limits
    }

    /// The instance policy it asks for: warm when `pool_size` is set.
    pub fn instances(&self) -> InstancePolicy {
        match self.pool_size {
            Some(pool_size) if pool_size > 0 => InstancePolicy::Warm {
                pool_size,
                max_invocations: self.max_invocations.unwrap_or(u64::MAX),
            },
            _ => InstancePolicy::Fresh,
        }
    }
}

fn hosted<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Hosted>, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.parse().map(Some).map_err(serde::de::Error::custom)
}

/// `nats = "URL"`, `nats = "URL,URL"` or `nats = ["URL", "URL"]`, as one comma-separated
/// string.
fn servers<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Servers {
        One(String),
        List(Vec<String>),
    }
    Ok(Some(match Servers::deserialize(deserializer)? {
        Servers::One(url) => url,
        Servers::List(urls) => urls.join(","),
    }))
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

    /// Reads every component file into a spec, with the default limits under its own.
    pub fn specs(&self) -> Result<Vec<ComponentSpec>, ManifestError> {
        self.specs_with(Limits::default())
    }

    /// Reads every component file into a spec, with `base` limits under its own.
    pub fn specs_with(&self, base: Limits) -> Result<Vec<ComponentSpec>, ManifestError> {
        self.components
            .iter()
            .map(|c| {
                let mut spec = read_spec(&c.path, c.name.clone())?;
                spec.subscriptions = c.subscriptions.clone();
                spec.config = c.config.clone();
                spec.limits = c.limits(base);
                spec.instances = c.instances();
                Ok(spec)
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

/// Reads the component at `path` into a spec named `name` (default: [`default_name`]),
/// with no subscriptions, no config and the default limits.
pub fn read_spec(path: &Path, name: Option<String>) -> Result<ComponentSpec, ManifestError> {
    let name = match name {
        Some(name) => name,
        None => default_name(path)?,
    };
    let wasm = std::fs::read(path).map_err(|source| ManifestError::ReadComponent {
        name: name.clone(),
        path: path.to_path_buf(),
        source,
    })?;
    Ok(ComponentSpec::new(name, wasm))
}

#[cfg(test)]
mod tests {
    use super::*;
    use msgbridge_worlds::World;

    #[test]
    fn a_cluster_is_a_list_of_urls_or_one_comma_separated_string() {
        for text in [
            r#"nats = ["nats://127.0.0.1:4222", "nats://127.0.0.1:4223"]"#,
            r#"nats = "nats://127.0.0.1:4222,nats://127.0.0.1:4223""#,
        ] {
            let manifest: Manifest = toml::from_str(text).expect(text);
            assert_eq!(
                manifest.nats.as_deref(),
                Some("nats://127.0.0.1:4222,nats://127.0.0.1:4223"),
                "{text}"
            );
        }
        let manifest: Manifest = toml::from_str("").expect("empty");
        assert_eq!(manifest.nats, None);
    }

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
                deadline_ms = 250
                max_memory_mib = 64
                pool_size = 2
                max_invocations = 10
            "#,
        )
        .expect("write");
        let manifest = Manifest::load(&path).expect("parse");
        assert_eq!(manifest.nats.as_deref(), Some("nats://127.0.0.1:4222"));
        assert_eq!(manifest.worlds, Some(Hosted::only(World::Wasmcloud)));
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
            manifest.components[0].limits(Limits::default()),
            Limits::default()
        );
        assert_eq!(manifest.components[0].instances(), InstancePolicy::Fresh);
        let limits = manifest.components[1].limits(Limits::default());
        assert_eq!(limits.deadline, std::time::Duration::from_millis(250));
        assert_eq!(limits.max_memory, 64 << 20);
        assert_eq!(
            manifest.components[1].instances(),
            InstancePolicy::Warm {
                pool_size: 2,
                max_invocations: 10
            }
        );
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
            chain.contains(
                "expected `both`, or one or more of `wasmcloud`, `wasi`, `wasmcloud-async`, \
                 `wasi-async` joined by `,`"
            ),
            "{chain}"
        );
        let err = Manifest::load(&dir.path().join("missing.toml")).expect_err("missing");
        assert!(matches!(err, ManifestError::Read { .. }), "{err}");
    }
}
