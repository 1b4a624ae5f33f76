//! The host: loads components, subscribes them, and delivers each message to a fresh
//! instance.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use bytes::Bytes;
use wasmtime::component::{Component, HasSelf, InstancePre, Linker, Resource};
use wasmtime::Store;
use wasmtime_wasi_config::{WasiConfig, WasiConfigVariables};
use wasmtime_wasi_http::p2::bindings::ProxyPre;

use crate::bindings;
use crate::http::{HttpRoute, RouteSlot};
use crate::state::HostState;
use crate::wasi::WasiMessage;
use crate::{Broker, HostError, InProcessBroker, Message, Runtime, Subscription, Worlds};

/// The config key whose value (comma-separated subjects) adds subscriptions, as in wasmCloud.
pub const SUBSCRIPTIONS_KEY: &str = "subscriptions";
/// The config key that chooses a component's queue group; the value `broadcast` gives plain
/// subscriptions instead (each instance of the host gets every message).
pub const CONSUMER_GROUP_KEY: &str = "consumer_group";
/// The [`CONSUMER_GROUP_KEY`] value for plain subscriptions.
pub const BROADCAST: &str = "broadcast";

const WASMCLOUD_HANDLER: &str = "wasmcloud:messaging/handler@0.2.0";
const WASI_HANDLER: &str = "wasi:messaging/incoming-handler@0.2.0-draft";
const HTTP_HANDLER_PREFIX: &str = "wasi:http/incoming-handler@0.2";

/// How to start a [`Host`].
#[derive(Clone)]
pub struct HostConfig {
    /// Engine and compilation cache.
    pub runtime: Runtime,
    /// The messaging worlds served.
    pub worlds: Worlds,
    /// Where components' messages go.
    pub broker: Arc<dyn Broker>,
    /// Where components exporting `wasi:http/incoming-handler` are served (port 0 picks a
    /// free port); `None` serves no HTTP.
    pub http_addr: Option<SocketAddr>,
}

impl HostConfig {
    /// Both worlds, the shared runtime, no HTTP, on `broker`.
    pub fn new(broker: Arc<dyn Broker>) -> Result<Self, HostError> {
        Ok(HostConfig {
            runtime: Runtime::shared()?,
            worlds: Worlds::Both,
            broker,
            http_addr: None,
        })
    }

    /// Both worlds, the shared runtime, no HTTP, on a new [`InProcessBroker`].
    pub fn in_process() -> Result<Self, HostError> {
        Self::new(Arc::new(InProcessBroker::new()))
    }

    /// The same configuration serving `worlds`.
    pub fn with_worlds(mut self, worlds: Worlds) -> Self {
        self.worlds = worlds;
        self
    }

    /// The same configuration serving HTTP on `addr`.
    pub fn with_http(mut self, addr: SocketAddr) -> Self {
        self.http_addr = Some(addr);
        self
    }

    /// The same configuration with `runtime`.
    pub fn with_runtime(mut self, runtime: Runtime) -> Self {
        self.runtime = runtime;
        self
    }
}

impl std::fmt::Debug for HostConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostConfig")
            .field("worlds", &self.worlds)
            .field("http_addr", &self.http_addr)
            .finish_non_exhaustive()
    }
}

/// One component to run: its name, its bytes, the subjects it subscribes to and its config
/// (answered through `wasi:config/store`).
#[derive(Debug, Clone)]
pub struct ComponentSpec {
    /// The component's name, used in logs, errors and as its default queue group.
    pub name: String,
    /// The component binary.
    pub wasm: Bytes,
    /// Subject patterns (`*`, `>` allowed) delivered to its handler; the config key
    /// `subscriptions` adds more.
    pub subscriptions: Vec<String>,
    /// Config entries, answered by `wasi:config/store`.
    pub config: BTreeMap<String, String>,
}

impl ComponentSpec {
    /// A component with no subscriptions and no config.
    pub fn new(name: impl Into<String>, wasm: impl Into<Bytes>) -> Self {
        ComponentSpec {
            name: name.into(),
            wasm: wasm.into(),
            subscriptions: Vec::new(),
            config: BTreeMap::new(),
        }
    }

    /// The same component also subscribed to `pattern`.
    pub fn subscribe(mut self, pattern: impl Into<String>) -> Self {
        self.subscriptions.push(pattern.into());
        self
    }

    /// The same component with config entry `key` = `value`.
    pub fn config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.config.insert(key.into(), value.into());
        self
    }

    /// Every subscription: the explicit ones, then those of the `subscriptions` config key,
    /// without duplicates.
    pub fn all_subscriptions(&self) -> Vec<String> {
        let from_config = self
            .config
            .get(SUBSCRIPTIONS_KEY)
            .into_iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let mut seen = BTreeSet::new();
        self.subscriptions
            .iter()
            .map(|s| s.trim().to_string())
            .chain(from_config)
            .filter(|s| seen.insert(s.clone()))
            .collect()
    }

    /// The queue group its subscriptions join: the `consumer_group` config value, or the
    /// component's name; `None` for `consumer_group = broadcast`.
    pub fn queue_group(&self) -> Option<String> {
        match self.config.get(CONSUMER_GROUP_KEY).map(|s| s.trim()) {
            Some(BROADCAST) => None,
            Some(group) if !group.is_empty() => Some(group.to_string()),
            _ => Some(self.name.clone()),
        }
    }
}

/// The messaging handler a component exports.
#[derive(Clone)]
enum Handler {
    Wasmcloud(bindings::wasmcloud::GuestPre<HostState>),
    Wasi(bindings::wasi::GuestPre<HostState>),
}

/// A component ready to be instantiated.
pub(crate) struct Loaded {
    pub(crate) name: Arc<str>,
    config: Arc<WasiConfigVariables>,
    handler: Option<Handler>,
}

impl Loaded {
    /// Fresh store data for one instance.
    pub(crate) fn new_state(&self, broker: Arc<dyn Broker>) -> HostState {
        HostState::new(self.name.clone(), self.config.clone(), broker)
    }
}

/// A running reference host: components of either messaging world on wasmtime, each message
/// delivered to a fresh instance in its own task.
///
/// Dropping the host (or calling [`Host::stop`]) ends its subscriptions and its HTTP server;
/// deliveries already running finish on their own.
pub struct Host {
    runtime: Runtime,
    worlds: Worlds,
    broker: Arc<dyn Broker>,
    linker: Linker<HostState>,
    http_addr: Option<SocketAddr>,
    http_route: RouteSlot,
    names: Mutex<BTreeSet<String>>,
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("worlds", &self.worlds)
            .field("http_addr", &self.http_addr)
            .field("components", &*lock(&self.names))
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Host {
    /// Starts a host: builds its linker and, when `config.http_addr` is set, binds the HTTP
    /// listener (so [`Host::http_addr`] is known at once). Must run inside a tokio runtime.
    pub async fn start(config: HostConfig) -> Result<Host, HostError> {
        let linker = build_linker(&config.runtime, config.worlds)?;
        let http_route: RouteSlot = Arc::new(RwLock::new(None));
        let mut tasks = Vec::new();
        let http_addr = match config.http_addr {
            Some(addr) => {
                let (bound, task) = crate::http::serve(addr, http_route.clone())
                    .await
                    .map_err(|e| HostError::Http(format!("cannot listen on {addr}: {e}")))?;
                tracing::info!(address = %bound, "serving HTTP");
                tasks.push(task);
                Some(bound)
            }
            None => None,
        };
        Ok(Host {
            runtime: config.runtime,
            worlds: config.worlds,
            broker: config.broker,
            linker,
            http_addr,
            http_route,
            names: Mutex::new(BTreeSet::new()),
            tasks: Mutex::new(tasks),
        })
    }

    /// The address HTTP is served on (with the real port when 0 was asked for).
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.http_addr
    }

    /// The broker the host's components use.
    pub fn broker(&self) -> &Arc<dyn Broker> {
        &self.broker
    }

    /// The worlds served.
    pub fn worlds(&self) -> Worlds {
        self.worlds
    }

    /// The runtime components are compiled with.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The names of the components loaded so far.
    pub fn component_names(&self) -> Vec<String> {
        lock(&self.names).iter().cloned().collect()
    }

    /// Compiles (or fetches from the runtime's cache), links and starts `spec`: its handler
    /// is subscribed to every subscription, and an HTTP handler is served on the host's
    /// HTTP address. When this returns, the subscriptions are in place.
    ///
    /// Fails, naming the interface, when the component imports or exports a messaging
    /// interface of a world this host does not serve.
    pub async fn add_component(&self, spec: ComponentSpec) -> Result<(), HostError> {
        let name = spec.name.clone();
        if name.trim().is_empty() {
            return Err(HostError::InvalidSpec(
                "a component needs a non-empty name".to_string(),
            ));
        }
        if lock(&self.names).contains(&name) {
            return Err(HostError::InvalidSpec(format!(
                "component {name:?} is already loaded"
            )));
        }
        let component = self
            .runtime
            .compile(&spec.wasm)
            .await
            .map_err(|e| match e {
                HostError::Compile(text) => {
                    HostError::Compile(format!("component {name:?}: {text}"))
                }
                other => other,
            })?;
        let surface = Surface::of(&component, self.runtime.engine());
        surface.check_worlds(&name, self.worlds)?;

        let pre: InstancePre<HostState> =
            self.linker
                .instantiate_pre(&component)
                .map_err(|e| HostError::Link {
                    component: name.clone(),
                    reason: format!("{e:#}"),
                })?;
        let link_error = |e: wasmtime::Error| HostError::Link {
            component: name.clone(),
            reason: format!("{e:#}"),
        };
        let handler = match (surface.wasmcloud_handler, surface.wasi_handler) {
            (true, true) => {
                return Err(HostError::InvalidSpec(format!(
                    "component {name:?} exports both {WASMCLOUD_HANDLER} and {WASI_HANDLER}; \
                     export one handler"
                )))
            }
            (true, false) => Some(Handler::Wasmcloud(
                bindings::wasmcloud::GuestPre::new(pre.clone()).map_err(link_error)?,
            )),
            (false, true) => Some(Handler::Wasi(
                bindings::wasi::GuestPre::new(pre.clone()).map_err(link_error)?,
            )),
            (false, false) => None,
        };
        let http = if surface.http_handler {
            Some(ProxyPre::new(pre.clone()).map_err(link_error)?)
        } else {
            None
        };

        let subscriptions = spec.all_subscriptions();
        if handler.is_none() && !subscriptions.is_empty() {
            return Err(HostError::InvalidSpec(format!(
                "component {name:?} has subscriptions but exports no messaging handler \
                 ({WASMCLOUD_HANDLER} or {WASI_HANDLER})"
            )));
        }
        if handler.is_some() && subscriptions.is_empty() {
            tracing::warn!(component = %name, "component exports a messaging handler but has no subscriptions");
        }
        if http.is_some() {
            if self.http_addr.is_none() {
                tracing::warn!(component = %name, "component exports wasi:http/incoming-handler, but this host serves no HTTP");
            } else if let Some(current) = self.http_route.read().ok().and_then(|r| r.clone()) {
                return Err(HostError::InvalidSpec(format!(
                    "component {name:?} exports wasi:http/incoming-handler, but component {:?} \
                     already serves HTTP on this host",
                    current.component.name
                )));
            }
        }

        let loaded = Arc::new(Loaded {
            name: Arc::from(name.as_str()),
            config: Arc::new(spec.config.iter().collect()),
            handler,
        });

        // Subscribe first, so a failure leaves nothing behind.
        let queue_group = spec.queue_group();
        let mut subs = Vec::new();
        for pattern in &subscriptions {
            let sub = self
                .broker
                .subscribe(pattern, queue_group.as_deref())
                .await
                .map_err(|e| HostError::Subscribe {
                    component: name.clone(),
                    pattern: pattern.clone(),
                    reason: e.to_string(),
                })?;
            subs.push((pattern.clone(), sub));
        }
        lock(&self.names).insert(name.clone());
        if let (Some(pre), Some(_)) = (http, self.http_addr) {
            if let Ok(mut slot) = self.http_route.write() {
                *slot = Some(Arc::new(HttpRoute {
                    component: loaded.clone(),
                    pre,
                    broker: self.broker.clone(),
                }));
            }
        }
        let mut tasks = lock(&self.tasks);
        for (pattern, sub) in subs {
            tracing::info!(component = %name, subject = %pattern, queue_group = ?queue_group, "subscribed");
            tasks.push(tokio::spawn(listen(
                loaded.clone(),
                self.broker.clone(),
                sub,
            )));
        }
        tracing::info!(component = %name, "component started");
        Ok(())
    }

    /// Ends every subscription and the HTTP server. Deliveries already running finish on
    /// their own.
    pub fn stop(&self) {
        for task in lock(&self.tasks).drain(..) {
            task.abort();
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Builds the linker for `worlds`: WASI p2, wasi:http, wasi:config, and the messaging
/// interfaces served.
fn build_linker(runtime: &Runtime, worlds: Worlds) -> Result<Linker<HostState>, HostError> {
    let mut linker = Linker::new(runtime.engine());
    let err = |e: wasmtime::Error| HostError::Engine(format!("{e:#}"));
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(err)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).map_err(err)?;
    wasmtime_wasi_config::add_to_linker(&mut linker, |s: &mut HostState| {
        WasiConfig::from(&*s.config)
    })
    .map_err(err)?;
    if worlds.serves_wasmcloud() {
        bindings::wasmcloud::Guest::add_to_linker::<HostState, HasSelf<HostState>>(
            &mut linker,
            |s| s,
        )
        .map_err(err)?;
    }
    if worlds.serves_wasi() {
        bindings::wasi::Guest::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)
            .map_err(err)?;
    }
    Ok(linker)
}

/// What a component imports and exports, as far as the host cares.
struct Surface {
    imports: Vec<String>,
    exports: Vec<String>,
    wasmcloud_handler: bool,
    wasi_handler: bool,
    http_handler: bool,
}

impl Surface {
    fn of(component: &Component, engine: &wasmtime::Engine) -> Self {
        let ty = component.component_type();
        let imports: Vec<String> = ty
            .imports(engine)
            .map(|(name, _)| name.to_string())
            .collect();
        let exports: Vec<String> = ty
            .exports(engine)
            .map(|(name, _)| name.to_string())
            .collect();
        let exported = |name: &str| exports.iter().any(|n| n == name);
        Surface {
            wasmcloud_handler: exported(WASMCLOUD_HANDLER),
            wasi_handler: exported(WASI_HANDLER),
            http_handler: exports.iter().any(|n| n.starts_with(HTTP_HANDLER_PREFIX)),
            imports,
            exports,
        }
    }

    /// Fails when a messaging interface of a world that is not served is imported or
    /// exported, naming the first such interface (a `types` interface only when nothing
    /// else is missing).
    fn check_worlds(&self, component: &str, worlds: Worlds) -> Result<(), HostError> {
        let unserved = |name: &str| {
            (name.starts_with("wasmcloud:messaging/") && !worlds.serves_wasmcloud())
                || (name.starts_with("wasi:messaging/") && !worlds.serves_wasi())
        };
        let pick = |names: &[String]| -> Option<String> {
            let missing: Vec<&String> = names.iter().filter(|n| unserved(n)).collect();
            missing
                .iter()
                .find(|n| !n.contains("/types@"))
                .or(missing.first())
                .map(|n| n.to_string())
        };
        if let Some(interface) = pick(&self.imports) {
            return Err(HostError::UnservedInterface {
                component: component.to_string(),
                direction: "imports",
                interface,
                served: worlds.served_packages(),
            });
        }
        if let Some(interface) = pick(&self.exports) {
            return Err(HostError::UnservedInterface {
                component: component.to_string(),
                direction: "exports",
                interface,
                served: worlds.served_packages(),
            });
        }
        Ok(())
    }
}

/// Reads `sub` until it ends, delivering each message in its own task.
async fn listen(component: Arc<Loaded>, broker: Arc<dyn Broker>, mut sub: Subscription) {
    while let Some(message) = sub.next().await {
        tokio::spawn(deliver(component.clone(), broker.clone(), message));
    }
    tracing::debug!(component = %component.name, "subscription ended");
}

/// Delivers `message` to a fresh instance of `component`, logging handler errors and traps.
async fn deliver(component: Arc<Loaded>, broker: Arc<dyn Broker>, message: Message) {
    let name = component.name.clone();
    tracing::debug!(
        component = %name,
        subject = %message.subject,
        reply_to = ?message.reply_to,
        len = message.body.len(),
        "delivering message"
    );
    let Some(handler) = component.handler.clone() else {
        return;
    };
    let subject = message.subject.clone();
    let mut store = Store::new(
        match &handler {
            Handler::Wasmcloud(pre) => pre.engine(),
            Handler::Wasi(pre) => pre.engine(),
        },
        component.new_state(broker),
    );
    let outcome: wasmtime::Result<Result<(), String>> = match handler {
        Handler::Wasmcloud(pre) => {
            async {
                let guest = pre.instantiate_async(&mut store).await?;
                guest
                    .wasmcloud_messaging_handler()
                    .call_handle_message(&mut store, &crate::wasmcloud::to_broker_message(&message))
                    .await
            }
            .await
        }
        Handler::Wasi(pre) => {
            async {
                let guest = pre.instantiate_async(&mut store).await?;
                let incoming: Resource<WasiMessage> = store
                    .data_mut()
                    .table
                    .push(WasiMessage::received(message))?;
                let result = guest
                    .wasi_messaging_incoming_handler()
                    .call_handle(&mut store, incoming)
                    .await?;
                Ok(result.map_err(|e| format!("{e:?}")))
            }
            .await
        }
    };
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            tracing::warn!(component = %name, subject = %subject, error = %error, "handler returned an error")
        }
        Err(trap) => {
            tracing::warn!(component = %name, subject = %subject, error = %format!("{trap:#}"), "handler trapped")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_configs_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Host>();
        assert_send_sync::<HostConfig>();
        assert_send_sync::<Runtime>();
    }

    #[test]
    fn subscriptions_come_from_the_spec_and_the_config_key() {
        let spec = ComponentSpec::new("c", Vec::new())
            .subscribe("a.*")
            .config(SUBSCRIPTIONS_KEY, " b.> , a.*,,c ");
        assert_eq!(spec.all_subscriptions(), ["a.*", "b.>", "c"]);
    }

    #[test]
    fn queue_groups_default_to_the_name_and_broadcast_disables_them() {
        let spec = ComponentSpec::new("worker", Vec::new());
        assert_eq!(spec.queue_group().as_deref(), Some("worker"));
        let spec = spec.config(CONSUMER_GROUP_KEY, BROADCAST);
        assert_eq!(spec.queue_group(), None);
        let spec = ComponentSpec::new("w", Vec::new()).config(CONSUMER_GROUP_KEY, "team");
        assert_eq!(spec.queue_group().as_deref(), Some("team"));
    }

    #[test]
    fn unserved_interfaces_are_named() {
        let surface = Surface {
            imports: vec![
                "wasi:messaging/types@0.2.0-draft".into(),
                "wasi:messaging/producer@0.2.0-draft".into(),
            ],
            exports: vec![WASI_HANDLER.into()],
            wasmcloud_handler: false,
            wasi_handler: true,
            http_handler: false,
        };
        let err = surface.check_worlds("x", Worlds::Wasmcloud).unwrap_err();
        assert_eq!(
            err.to_string(),
            "component \"x\" imports wasi:messaging/producer@0.2.0-draft, which this host does \
             not serve (serving: wasmcloud:messaging@0.2.0)"
        );
        assert!(surface.check_worlds("x", Worlds::Wasi).is_ok());
        assert!(surface.check_worlds("x", Worlds::Both).is_ok());
    }
}
