//! `msgbridge run` (alias `msgbridge dev`): runs components on msgbridge's reference host
//! until Ctrl-C or SIGTERM, then drains the deliveries in flight.
//!
//! Components come from a wash project's `.wash/config.yaml` (read as `wash dev` reads it,
//! its `build.command` run first with `--build`; found in the current directory when
//! nothing else is given), from a
//! TOML manifest (`--manifest`, format `msgbridge_host::Manifest`), from the command line
//! (`msgbridge run COMPONENT.wasm --subscribe 'a.*'`), or several of these. Without `--nats`
//! (or `nats` in the manifest) messages stay in process; `msgbridge request` and
//! `msgbridge publish` reach them through the control socket.
//!
//! A host serving one world refuses a component of the other, as a real host does, with
//! the command that adapts it; `--adapt` adapts such components on load instead.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use msgbridge_compose::{compose_with, inspect, ComposeOptions};
use msgbridge_host::{
    read_spec, Allocation, Broker, ComponentSpec, Host, HostConfig, Hosted, InProcessBroker,
    InstancePolicy, Limits, Manifest, NatsBroker, Runtime,
};
use msgbridge_worlds::Direction;

/// Arguments of `msgbridge run`.
#[derive(clap::Args, Debug, Default)]
pub struct RunArgs {
    /// A component to run (a `.wasm` file); `--subscribe`, `--config`, `--name` and `--warm`
    /// apply to it.
    pub component: Option<PathBuf>,

    /// A TOML manifest listing components, the broker, the worlds and the HTTP address.
    #[arg(long, short = 'm', value_name = "FILE")]
    pub manifest: Option<PathBuf>,

    /// A wash project's `.wash/config.yaml` to run as `wash dev` would (default: the one in
    /// the current directory, when no component or manifest is given).
    #[arg(long, value_name = "FILE")]
    pub wash_config: Option<PathBuf>,

    /// Run the wash project's `build.command` first, as `wash dev` does (`sh -c` in the
    /// project's directory, with `WASH_COMPONENT_PATH` set), and load what it built.
    #[arg(long)]
    pub build: bool,

    /// Adapt, on load, every component that speaks a messaging world this host does not
    /// serve (`msgbridge compose`'s default form).
    #[arg(long)]
    pub adapt: bool,

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

    /// Keep up to N warm instances of the command-line component instead of a fresh one
    /// per message (wasmCloud's `poolSize`).
    #[arg(long, value_name = "N", requires = "component")]
    pub warm: Option<usize>,

    /// NATS server URL, or a cluster's servers comma-separated (`nats://a:4222,nats://b:4222`,
    /// tried in that order); without it (and without `nats` in the manifest) the in-process
    /// broker is used.
    #[arg(long, value_name = "URL[,URL...]")]
    pub nats: Option<String>,

    /// Messaging worlds served: both, or one or more of wasmcloud, wasi, wasmcloud-async,
    /// wasi-async joined by `,` (not both wasi and wasi-async: they share their names)
    /// [default: both].
    #[arg(long)]
    pub worlds: Option<Hosted>,

    /// Address to serve components exporting wasi:http/incoming-handler on (port 0 picks
    /// one).
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,

    /// How long one delivery may run before its instance is stopped, in milliseconds
    /// (every component; a manifest may set its own).
    #[arg(long, value_name = "MS")]
    pub deadline_ms: Option<u64>,

    /// How far each linear memory of an instance may grow, in MiB.
    #[arg(long, value_name = "MIB")]
    pub max_memory_mib: Option<usize>,

    /// How many deliveries of one component may run at once.
    #[arg(long, value_name = "N")]
    pub max_in_flight: Option<usize>,

    /// Use wasmtime's on-demand allocator instead of the pooling allocator.
    #[arg(long)]
    pub no_pooling: bool,

    /// Reload a component when its file changes.
    #[arg(long)]
    pub watch: bool,

    /// The control socket `msgbridge request` and `publish` talk to [default:
    /// `host-<pid>.sock` in `$XDG_RUNTIME_DIR/msgbridge` or `/tmp/msgbridge-<uid>`, one per
    /// host].
    #[arg(long, value_name = "PATH")]
    pub control: Option<PathBuf>,

    /// Open no control socket.
    #[arg(long, conflicts_with = "control")]
    pub no_control: bool,

    /// On Ctrl-C or SIGTERM, how long to wait for deliveries in flight, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub drain_timeout_ms: u64,
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

/// Where a component came from, so that `--watch` can reload it.
#[derive(Debug, Clone)]
struct Source {
    /// Its file.
    path: PathBuf,
    /// Everything but the bytes.
    spec: ComponentSpec,
    /// The file's modification time when last loaded.
    modified: Option<SystemTime>,
}

/// A started host, with what `run` needs to serve and stop it.
pub struct Started {
    /// The host.
    pub host: Host,
    /// The control socket, if one was opened.
    pub control: Option<PathBuf>,
    control_task: Option<tokio::task::JoinHandle<()>>,
    sources: Vec<Source>,
    adapt: bool,
    broker_name: String,
}

impl Drop for Started {
    fn drop(&mut self) {
        if let Some(task) = self.control_task.take() {
            task.abort();
        }
        if let Some(path) = &self.control {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The limits every component starts from: the defaults, with the command line's flags.
fn base_limits(args: &RunArgs) -> Limits {
    let mut limits = Limits::default();
    if let Some(ms) = args.deadline_ms {
        limits.deadline = Duration::from_millis(ms);
    }
    if let Some(mib) = args.max_memory_mib {
        limits.max_memory = mib.saturating_mul(1 << 20);
    }
    if let Some(n) = args.max_in_flight {
        limits.max_in_flight = n;
    }
    limits
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// `spec` as a host serving `hosted` can load it: as it is, or adapted when `adapt` is set
/// and it speaks the world that is not served (else an error naming both fixes).
fn prepare(
    mut spec: ComponentSpec,
    path: &Path,
    hosted: Hosted,
    adapt: bool,
) -> Result<ComponentSpec> {
    let Some(served) = hosted.single() else {
        return Ok(spec);
    };
    // A component without messaging (an HTTP-only one, say) runs as it is.
    let Ok(inspection) = inspect(&spec.wasm) else {
        return Ok(spec);
    };
    if inspection.world == served {
        return Ok(spec);
    }
    if let Err(not_built) = Direction::between(inspection.world, served) {
        bail!(
            "component {:?} ({}) speaks {}, which this host does not serve (serving: {}): \
             {not_built}",
            spec.name,
            path.display(),
            inspection.world,
            hosted.packages(),
        );
    }
    if !adapt {
        bail!(
            "component {:?} ({}) speaks {}, which this host does not serve (serving: {}): \
             compose it for this host with `msgbridge compose {} --target {} -o OUT.wasm`, or \
             run with `--adapt` to adapt it on load",
            spec.name,
            path.display(),
            inspection.world,
            hosted.packages(),
            path.display(),
            served.name()
        );
    }
    let composed = compose_with(&spec.wasm, &ComposeOptions::new(served)).with_context(|| {
        format!(
            "cannot adapt component {:?} ({})",
            spec.name,
            path.display()
        )
    })?;
    match &composed.portable_because {
        None => tracing::info!(
            component = %spec.name,
            "adapted for a {} host: spliced form (the bridge fused into the component)",
            served.name()
        ),
        Some(reason) => tracing::info!(
            component = %spec.name,
            "adapted for a {} host: portable form (halves {}) because it is not spliceable: {reason}",
            served.name(),
            msgbridge_compose::plan(&inspection, served)
                .map(|p| p.halves().join(" + "))
                .unwrap_or_default()
        ),
    }
    spec.wasm = Bytes::from(composed.bytes);
    Ok(spec)
}

/// Every component to run, with its file: the manifest's, the wash project's, then the
/// command line's.
fn sources(
    args: &RunArgs,
    manifest: &Manifest,
    wash: Option<&crate::wash::WashProject>,
    base: Limits,
) -> Result<Vec<Source>> {
    let mut sources = Vec::new();
    for (component, spec) in manifest.components.iter().zip(manifest.specs_with(base)?) {
        sources.push((component.path.clone(), spec));
    }
    for spec in wash.into_iter().flat_map(|w| w.specs.iter()) {
        let mut spec = spec.clone();
        spec.limits = base;
        sources.push((PathBuf::new(), spec));
    }
    if let Some(path) = &args.component {
        let mut spec = read_spec(path, args.name.clone())?;
        spec.subscriptions = args.subscribe.clone();
        spec.config = args.config.iter().cloned().collect();
        spec.limits = base;
        if let Some(pool_size) = args.warm.filter(|n| *n > 0) {
            spec.instances = InstancePolicy::Warm {
                pool_size,
                max_invocations: u64::MAX,
            };
        }
        sources.push((path.clone(), spec));
    }
    if sources.is_empty() {
        bail!(
            "nothing to run: give a component (msgbridge run COMPONENT.wasm), --manifest FILE, \
             or --wash-config FILE (or run in a wash project's directory)"
        );
    }
    let wash_paths = wash.map(|w| w.files.clone()).unwrap_or_default();
    Ok(sources
        .into_iter()
        .map(|(path, spec)| {
            let path = if path.as_os_str().is_empty() {
                wash_paths.get(&spec.name).cloned().unwrap_or_default()
            } else {
                path
            };
            Source {
                modified: modified(&path),
                path,
                spec,
            }
        })
        .collect())
}

/// How long loading a component may take before `msgbridge run` says it is compiling.
pub const SLOW_LOAD: Duration = Duration::from_secs(1);

/// Loads `spec` on `host`. With `announce`, a load that takes longer than [`SLOW_LOAD`]
/// (compiling: a component in the runtime's cache loads at once) is announced on stderr,
/// once, with the component's size, and its end with the time it took.
async fn load(host: &Host, spec: ComponentSpec, announce: bool) -> Result<()> {
    let name = spec.name.clone();
    let megabytes = spec.wasm.len() as f64 / 1e6;
    let loading = host.add_component(spec);
    tokio::pin!(loading);
    tokio::select! {
        loaded = &mut loading => return Ok(loaded?),
        () = tokio::time::sleep(SLOW_LOAD), if announce => {}
    }
    eprintln!(
        "msgbridge: compiling {name} ({megabytes:.1} MB)... (once: the compiled code is cached \
         for the next start)"
    );
    let started = std::time::Instant::now();
    loading.await?;
    eprintln!(
        "msgbridge: compiled {name} in {:.1} s",
        started.elapsed().as_secs_f64() + SLOW_LOAD.as_secs_f64()
    );
    Ok(())
}

/// Starts a host with everything `args` asks for and loads its components. The host runs
/// until it is dropped or stopped.
pub async fn start(args: &RunArgs) -> Result<Started> {
    start_announcing(args, false).await
}

/// [`start`], saying on stderr when a component takes a while to compile when `announce`
/// is set (`msgbridge run` sets it on a terminal, without `-q`).
async fn start_announcing(args: &RunArgs, announce: bool) -> Result<Started> {
    let base = base_limits(args);
    let manifest = match &args.manifest {
        Some(path) => Manifest::load(path)?,
        None => Manifest::default(),
    };
    let wash_config = args.wash_config.clone().or_else(|| {
        let default = PathBuf::from(".wash/config.yaml");
        (args.component.is_none() && args.manifest.is_none() && default.is_file())
            .then_some(default)
    });
    if args.build {
        let Some(path) = &wash_config else {
            bail!(
                "--build runs a wash project's build.command, and there is none here: give \
                 --wash-config FILE, or run in the directory holding .wash/config.yaml"
            );
        };
        crate::wash::build(path)?;
    }
    let wash = match &wash_config {
        Some(path) => Some(crate::wash::load(path)?),
        None => None,
    };
    let hosted = args.worlds.or(manifest.worlds).unwrap_or_default();

    let sources = sources(args, &manifest, wash.as_ref(), base)?;

    let (broker, broker_name): (Arc<dyn Broker>, String) =
        match args.nats.as_ref().or(manifest.nats.as_ref()) {
            Some(url) => (
                Arc::new(NatsBroker::connect(url).await?),
                format!("NATS at {url}"),
            ),
            None => (
                Arc::new(InProcessBroker::new()),
                "the in-process broker".into(),
            ),
        };
    let runtime = if args.no_pooling {
        Runtime::with_allocation(Allocation::OnDemand)?
    } else {
        Runtime::shared()?
    };
    let mut config = HostConfig::new(broker.clone())?
        .with_hosted(hosted)
        .with_runtime(runtime);
    if let Some(addr) = args
        .http
        .or(manifest.http)
        .or(wash.as_ref().and_then(|w| w.http))
    {
        config = config.with_http(addr);
    }
    let host = Host::start(config).await?;
    for source in &sources {
        let spec = prepare(source.spec.clone(), &source.path, hosted, args.adapt)?;
        load(&host, spec, announce).await?;
    }
    let mut started = Started {
        host,
        control: None,
        control_task: None,
        sources,
        adapt: args.adapt,
        broker_name,
    };
    if !args.no_control {
        started.open_control(args.control.clone(), broker)?;
    }
    Ok(started)
}

impl Started {
    /// Serves the control socket at `path`, by default this process's own in the runtime
    /// directory (sweeping there the sockets of hosts that died without removing theirs).
    fn open_control(&mut self, path: Option<PathBuf>, broker: Arc<dyn Broker>) -> Result<()> {
        let path = path.unwrap_or_else(|| {
            crate::control::running_hosts();
            crate::control::socket_for(std::process::id())
        });
        self.control_task = Some(crate::control::serve(&path, broker, self.described())?);
        self.control = Some(path);
        Ok(())
    }

    /// The one line `msgbridge run` prints when ready: worlds, broker, HTTP, components and
    /// their subscriptions ([`Started::described`]), the control socket.
    pub fn readiness(&self) -> String {
        let mut line = format!("msgbridge: ready: {}", self.described());
        if let Some(path) = &self.control {
            line.push_str(&format!("; control socket {}", path.display()));
        }
        line
    }

    /// What the host serves: worlds, broker, HTTP, components and their subscriptions.
    pub fn described(&self) -> String {
        let (components, http_component) = self.host.summary();
        let mut line = format!(
            "serving {} on {}",
            self.host.hosted().packages(),
            self.broker_name
        );
        if let Some(addr) = self.host.http_addr() {
            line.push_str(&format!("; HTTP on http://{addr}"));
            if let Some(name) = http_component {
                line.push_str(&format!(" ({name})"));
            }
        }
        let components: Vec<String> = components
            .iter()
            .map(|(name, subs)| {
                if subs.is_empty() {
                    name.clone()
                } else {
                    format!("{name} [{}]", subs.join(", "))
                }
            })
            .collect();
        line.push_str(&format!("; components: {}", components.join(", ")));
        line
    }

    /// Reloads every component whose file changed since it was loaded; a component whose
    /// new version fails to load keeps running its old one.
    async fn reload_changed(&mut self) {
        let hosted = self.host.hosted();
        for source in &mut self.sources {
            let now = modified(&source.path);
            if now.is_none() || now == source.modified {
                continue;
            }
            source.modified = now;
            let name = source.spec.name.clone();
            let fresh = match std::fs::read(&source.path) {
                Ok(bytes) => ComponentSpec {
                    wasm: Bytes::from(bytes),
                    ..source.spec.clone()
                },
                Err(e) => {
                    tracing::warn!(component = %name, error = %e, "cannot read the changed file; keeping the running version");
                    continue;
                }
            };
            let prepared = match prepare(fresh, &source.path, hosted, self.adapt) {
                Ok(spec) => spec,
                Err(e) => {
                    tracing::warn!(component = %name, error = %format!("{e:#}"), "the changed component cannot run here; keeping the running version");
                    continue;
                }
            };
            match self.host.replace_component(prepared).await {
                Ok(()) => {
                    tracing::info!(component = %name, path = %source.path.display(), "reloaded");
                }
                Err(e) => {
                    tracing::warn!(component = %name, error = %format!("{:#}", anyhow::Error::new(e)), "the changed component does not load; keeping the running version");
                }
            }
        }
    }
}

/// Runs `msgbridge run`: starts the host, prints the readiness line, serves (reloading
/// changed components with `--watch`) until Ctrl-C or SIGTERM, then drains.
pub async fn run(args: RunArgs, quiet: bool) -> Result<()> {
    let announce = !quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut started = start_announcing(&args, announce).await?;
    if !quiet {
        eprintln!("{}", started.readiness());
    }
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot watch for SIGTERM")?;
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let signal = loop {
        tokio::select! {
            result = tokio::signal::ctrl_c() => {
                result.context("cannot watch for Ctrl-C")?;
                break "Ctrl-C";
            }
            _ = terminate.recv() => break "SIGTERM",
            _ = tick.tick(), if args.watch => started.reload_changed().await,
        }
    };
    let in_flight = started.host.deliveries_in_flight();
    let bound = Duration::from_millis(args.drain_timeout_ms);
    tracing::info!(signal, in_flight, bound = ?bound, "stopping: draining the deliveries in flight");
    if started.host.drain(bound).await {
        tracing::info!("stopped: every delivery finished");
    } else {
        tracing::warn!(
            in_flight = started.host.deliveries_in_flight(),
            "stopped: some deliveries were still running after the drain bound"
        );
    }
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
        let started = start(&RunArgs {
            manifest: Some(path),
            component: Some(PathBuf::from(msgbridge_examples::LEET_WORKER_PATH)),
            subscribe: vec!["tasks.leet".to_string()],
            config: vec![("leet.mode".to_string(), "upper".to_string())],
            no_control: true,
            ..RunArgs::default()
        })
        .await
        .expect("start");
        assert_eq!(started.host.component_names(), ["api", "leet_worker"]);
        assert!(started.host.http_addr().is_some());
        let line = started.readiness();
        assert!(line.contains("leet_worker [tasks.leet]"), "{line}");
        assert!(line.contains("(api)"), "{line}");
    }

    #[tokio::test]
    async fn nothing_to_run_is_an_error() {
        let err = start(&RunArgs::default())
            .await
            .err()
            .expect("nothing to run");
        assert!(err.to_string().contains("nothing to run"), "{err}");
    }
}
