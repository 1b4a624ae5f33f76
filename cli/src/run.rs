//! `msgbridge run`: runs components on msgbridge's reference host until Ctrl-C.
//!
//! Components come from a TOML manifest (`--manifest`, like `wash dev`'s config), from the
//! command line (one component: `msgbridge run COMPONENT.wasm --subscribe 'a.*'`), or both.
//! Without `--nats` (or `nats` in the manifest) messages stay in process.
//!
//! ```toml
//! # msgbridge.toml
//! nats = "nats://127.0.0.1:4222"   # optional: omit for the in-process broker
//! worlds = "both"                   # wasmcloud | wasi | both (default)
//! http = "127.0.0.1:8000"           # optional: where wasi:http components are served
//!
//! [[component]]
//! name = "http-api"
//! path = "http_api.wasm"            # relative to the manifest's directory
//!
//! [[component]]
//! name = "leet"
//! path = "leet_worker.wasm"
//! subscriptions = ["tasks.leet"]    # or config.subscriptions = "tasks.leet"
//! [component.config]
//! "leet.mode" = "upper"
//! ```

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use msgbridge_host::{
    Broker, ComponentSpec, Host, HostConfig, InProcessBroker, NatsBroker, Runtime, Worlds,
};
use serde::Deserialize;

/// Arguments of `msgbridge run`.
#[derive(clap::Args, Debug, Default)]
pub struct RunArgs {
    /// A component to run (a `.wasm` file); `--subscribe`, `--config` and `--name` apply to it.
    pub component: Option<PathBuf>,

    /// A TOML manifest listing components, the broker, the worlds and the HTTP address.
    #[arg(long, short = 'm', value_name = "FILE")]
    pub manifest: Option<PathBuf>,

    /// Name of the command-line component (default: its file name without `.wasm`).
    #[arg(long, requires = "component")]
    pub name: Option<String>,

    /// A subject pattern the command-line component subscribes to (`*` and `>` allowed);
    /// may be repeated.
    #[arg(
        long = "subscribe",
        short = 's',
        value_name = "PATTERN",
        requires = "component"
    )]
    pub subscribe: Vec<String>,

    /// A config entry of the command-line component, answered by wasi:config/store; may be
    /// repeated. `subscriptions=a,b` and `consumer_group=broadcast` work as on wasmCloud.
    #[arg(long = "config", short = 'c', value_name = "KEY=VALUE", value_parser = parse_key_value, requires = "component")]
    pub config: Vec<(String, String)>,

    /// NATS server URL; without it (and without `nats` in the manifest) the in-process
    /// broker is used.
    #[arg(long, value_name = "URL")]
    pub nats: Option<String>,

    /// Messaging worlds served: wasmcloud, wasi or both [default: both].
    #[arg(long)]
    pub worlds: Option<Worlds>,

    /// Address to serve components exporting wasi:http/incoming-handler on (port 0 picks
    /// one).
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,
}

/// A `msgbridge run` manifest.
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// NATS server URL; absent means the in-process broker.
    pub nats: Option<String>,
    /// `wasmcloud`, `wasi` or `both`.
    pub worlds: Option<String>,
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

impl Manifest {
    /// Reads and parses the manifest at `path`; component paths are made relative to its
    /// directory.
    pub fn load(path: &Path) -> Result<Manifest> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading manifest {}", path.display()))?;
        let mut manifest: Manifest = toml::from_str(&text)
            .with_context(|| format!("parsing manifest {}", path.display()))?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        for component in &mut manifest.components {
            if component.path.is_relative() {
                component.path = base.join(&component.path);
            }
        }
        Ok(manifest)
    }
}

/// Parses `KEY=VALUE` (the value may contain `=`).
fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

/// The default name of the component at `path`: its file name without the extension.
fn default_name(path: &Path) -> Result<String> {
    path.file_stem()
        .and_then(|stem| stem.to_str())
        .filter(|stem| !stem.is_empty())
        .map(str::to_string)
        .with_context(|| format!("cannot derive a component name from {}", path.display()))
}

/// Reads the component at `path` into a spec.
fn read_spec(
    path: &Path,
    name: Option<String>,
    subscriptions: Vec<String>,
    config: BTreeMap<String, String>,
) -> Result<ComponentSpec> {
    let name = match name {
        Some(name) => name,
        None => default_name(path)?,
    };
    let wasm = std::fs::read(path)
        .with_context(|| format!("reading component {name:?} from {}", path.display()))?;
    Ok(ComponentSpec {
        name,
        wasm: wasm.into(),
        subscriptions,
        config,
    })
}

/// Starts a host with everything `args` asks for and loads its components. The host runs
/// until it is dropped or stopped.
pub async fn start(args: RunArgs) -> Result<Host> {
    let manifest = match &args.manifest {
        Some(path) => Manifest::load(path)?,
        None => Manifest::default(),
    };
    let worlds = match (args.worlds, &manifest.worlds) {
        (Some(worlds), _) => worlds,
        (None, Some(text)) => text.parse().context("manifest key `worlds`")?,
        (None, None) => Worlds::Both,
    };
    let mut specs = Vec::new();
    for component in manifest.components {
        specs.push(read_spec(
            &component.path,
            component.name,
            component.subscriptions,
            component.config,
        )?);
    }
    if let Some(path) = &args.component {
        specs.push(read_spec(
            path,
            args.name.clone(),
            args.subscribe.clone(),
            args.config.iter().cloned().collect(),
        )?);
    }
    if specs.is_empty() {
        bail!("nothing to run: give a component (msgbridge run COMPONENT.wasm) or --manifest FILE");
    }

    let broker: Arc<dyn Broker> = match args.nats.as_ref().or(manifest.nats.as_ref()) {
        Some(url) => {
            let broker = NatsBroker::connect(url)
                .await
                .with_context(|| format!("connecting to NATS at {url}"))?;
            tracing::info!(url = %url, "using NATS");
            Arc::new(broker)
        }
        None => {
            tracing::info!("using the in-process broker");
            Arc::new(InProcessBroker::new())
        }
    };
    let mut config = HostConfig {
        runtime: Runtime::shared()?,
        worlds,
        broker,
        http_addr: None,
    };
    if let Some(addr) = args.http.or(manifest.http) {
        config = config.with_http(addr);
    }
    let host = Host::start(config).await?;
    for spec in specs {
        host.add_component(spec).await?;
    }
    Ok(host)
}

/// Runs `msgbridge run`: starts the host, then serves until Ctrl-C.
pub async fn run(args: RunArgs) -> Result<()> {
    let host = start(args).await?;
    match host.http_addr() {
        Some(addr) => tracing::info!(
            worlds = %host.worlds(),
            components = ?host.component_names(),
            "running; HTTP on http://{addr}; press Ctrl-C to stop"
        ),
        None => tracing::info!(
            worlds = %host.worlds(),
            components = ?host.component_names(),
            "running; press Ctrl-C to stop"
        ),
    }
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    tracing::info!("stopping");
    host.stop();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_values_split_at_the_first_equals_sign() {
        assert_eq!(
            parse_key_value("a=b=c"),
            Ok(("a".to_string(), "b=c".to_string()))
        );
        assert!(parse_key_value("novalue").is_err());
        assert!(parse_key_value("=x").is_err());
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
            "#,
        )
        .expect("write");
        let manifest = Manifest::load(&path).expect("parse");
        assert_eq!(manifest.nats.as_deref(), Some("nats://127.0.0.1:4222"));
        assert_eq!(manifest.worlds.as_deref(), Some("wasmcloud"));
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
        std::fs::write(&path, "[[component]]\npath = \"x.wasm\"\nbogus = 1\n").expect("write");
        assert!(Manifest::load(&path).is_err(), "unknown keys are refused");
    }

    #[tokio::test]
    async fn start_loads_the_manifest_and_the_command_line_component() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("msgbridge.toml");
        std::fs::write(
            &path,
            format!(
                "http = \"127.0.0.1:0\"\n\n[[component]]\nname = \"api\"\npath = {:?}\n",
                msgbridge_test_artifacts::HTTP_API_PATH
            ),
        )
        .expect("write");
        let host = start(RunArgs {
            manifest: Some(path),
            component: Some(PathBuf::from(msgbridge_test_artifacts::LEET_WORKER_PATH)),
            subscribe: vec!["tasks.leet".to_string()],
            config: vec![("leet.mode".to_string(), "upper".to_string())],
            ..RunArgs::default()
        })
        .await
        .expect("start");
        assert_eq!(host.component_names(), ["api", "leet_worker"]);
        assert!(host.http_addr().is_some());
        host.stop();
    }

    #[tokio::test]
    async fn nothing_to_run_is_an_error() {
        let err = start(RunArgs::default()).await.expect_err("nothing to run");
        assert!(err.to_string().contains("nothing to run"), "{err}");
    }
}
