//! `msgbridge run`: runs components on msgbridge's reference host until Ctrl-C.
//!
//! Components come from a TOML manifest (`--manifest`, like `wash dev`'s config; its format
//! is `msgbridge_host::Manifest`'s), from the command line (one component: `msgbridge run
//! COMPONENT.wasm --subscribe 'a.*'`), or both. Without `--nats` (or `nats` in the
//! manifest) messages stay in process.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use msgbridge_host::{
    read_spec, Broker, Host, HostConfig, Hosted, InProcessBroker, Manifest, NatsBroker, Runtime,
};

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
    pub worlds: Option<Hosted>,

    /// Address to serve components exporting wasi:http/incoming-handler on (port 0 picks
    /// one).
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,
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

/// Starts a host with everything `args` asks for and loads its components. The host runs
/// until it is dropped or stopped.
pub async fn start(args: RunArgs) -> Result<Host> {
    let manifest = match &args.manifest {
        Some(path) => Manifest::load(path)?,
        None => Manifest::default(),
    };
    let hosted = args.worlds.or(manifest.worlds).unwrap_or_default();
    let mut specs = manifest.specs()?;
    if let Some(path) = &args.component {
        let mut spec = read_spec(path, args.name.clone())?;
        spec.subscriptions = args.subscribe.clone();
        spec.config = args.config.iter().cloned().collect();
        specs.push(spec);
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
        hosted,
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
            worlds = %host.hosted(),
            components = ?host.component_names(),
            "running; HTTP on http://{addr}; press Ctrl-C to stop"
        ),
        None => tracing::info!(
            worlds = %host.hosted(),
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

    #[tokio::test]
    async fn start_loads_the_manifest_and_the_command_line_component() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("msgbridge.toml");
        std::fs::write(
            &path,
            format!(
                "http = \"127.0.0.1:0\"\n\n[[component]]\nname = \"api\"\npath = {:?}\n",
                msgbridge_examples::HTTP_API_PATH
            ),
        )
        .expect("write");
        let host = start(RunArgs {
            manifest: Some(path),
            component: Some(PathBuf::from(msgbridge_examples::LEET_WORKER_PATH)),
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
