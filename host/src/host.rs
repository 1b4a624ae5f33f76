//! The host's lifecycle: start, load components, stop.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use msgbridge_worlds::Hosted;
use wasmtime::component::Linker;

use crate::component::Loaded;
use crate::delivery::{listen, Deliveries};
use crate::events::{Delivery, Events};
use crate::http::{HttpRoute, RouteSlot};
use crate::state::HostState;
use crate::{Broker, ComponentSpec, HostConfig, LoadError, Runtime, StartError};

/// A component the host runs: its deliveries, its subscriptions and their tasks.
struct Running {
    deliveries: Arc<Deliveries>,
    subscriptions: Vec<String>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    fn stop(&mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}

/// A running reference host: components of either messaging world on wasmtime, each message
/// delivered to a fresh instance in its own task.
///
/// Dropping the host (or calling [`Host::stop`]) ends its subscriptions and its HTTP server;
/// deliveries already running finish on their own.
pub struct Host {
    runtime: Runtime,
    hosted: Hosted,
    broker: Arc<dyn Broker>,
    linker: Linker<HostState>,
    http_addr: Option<SocketAddr>,
    http_route: RouteSlot,
    /// The HTTP server's task.
    server: Mutex<Option<tokio::task::JoinHandle<()>>>,
    components: Mutex<BTreeMap<String, Running>>,
    /// Held by each load (add or replace) from its checks to its insertion into
    /// `components`, which awaits (subscribing) keep apart: without it, two loads of one
    /// name could both pass the duplicate check, the second then dropping the first's handle
    /// and leaving its listeners running, and two components serving HTTP could both pass
    /// the route check.
    loading: tokio::sync::Mutex<()>,
    events: Events,
    keyvalue: Arc<crate::services::KeyValue>,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("hosted", &self.hosted)
            .field("http_addr", &self.http_addr)
            .field("components", &self.component_names())
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
    pub async fn start(config: HostConfig) -> Result<Host, StartError> {
        let linker = crate::linker::build(&config.runtime, config.hosted)?;
        let http_route: RouteSlot = Arc::new(RwLock::new(None));
        let mut server = None;
        let http_addr = match config.http_addr {
            Some(addr) => {
                let (bound, task) = crate::http::serve(addr, http_route.clone())
                    .await
                    .map_err(|source| StartError::Http { addr, source })?;
                tracing::info!(address = %bound, "serving HTTP");
                server = Some(task);
                Some(bound)
            }
            None => None,
        };
        Ok(Host {
            runtime: config.runtime,
            hosted: config.hosted,
            broker: config.broker,
            linker,
            http_addr,
            http_route,
            server: Mutex::new(server),
            components: Mutex::new(BTreeMap::new()),
            loading: tokio::sync::Mutex::new(()),
            events: Events::new(),
            keyvalue: crate::services::new_keyvalue(),
        })
    }

    /// Watches deliveries: every message delivered to a handler from now on, with how its
    /// handling ended. A watcher that falls more than [`crate::EVENT_CAPACITY`] events
    /// behind misses the oldest.
    pub fn deliveries(&self) -> tokio::sync::broadcast::Receiver<Delivery> {
        self.events.watch()
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
    pub fn hosted(&self) -> Hosted {
        self.hosted
    }

    /// The runtime components are compiled with.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The names of the components loaded so far.
    pub fn component_names(&self) -> Vec<String> {
        lock(&self.components).keys().cloned().collect()
    }

    /// Each component's name and subscriptions, and which one serves HTTP.
    pub fn summary(&self) -> (Vec<(String, Vec<String>)>, Option<String>) {
        let components = lock(&self.components)
            .iter()
            .map(|(name, running)| (name.clone(), running.subscriptions.clone()))
            .collect();
        (components, self.http_component().map(|n| n.to_string()))
    }

    /// Compiles (or fetches from the runtime's cache), links and starts `spec`: its handler
    /// is subscribed to every subscription, and an HTTP handler is served on the host's
    /// HTTP address. When this returns, the subscriptions are in place.
    ///
    /// Fails, naming the interface, when the component imports or exports a messaging
    /// interface of a world this host does not serve, and with [`LoadError::Duplicate`] when
    /// a component of that name is loaded, also by a call running at the same time: loads
    /// and replacements may compile at once, but they subscribe and take their name one at
    /// a time.
    pub async fn add_component(&self, spec: ComponentSpec) -> Result<(), LoadError> {
        let name = spec.name.clone();
        if name.trim().is_empty() {
            return Err(LoadError::EmptyName);
        }
        // Checked before compiling, to fail fast, and again under the load lock, since
        // another load of this name may have finished meanwhile.
        if lock(&self.components).contains_key(&name) {
            return Err(LoadError::Duplicate(name));
        }
        let loaded = self.prepare(&spec).await?;
        let _loading = self.loading.lock().await;
        if lock(&self.components).contains_key(&name) {
            return Err(LoadError::Duplicate(name));
        }
        self.serve(spec, loaded).await
    }

    /// Compiles (or fetches from the runtime's cache) and links `spec`.
    async fn prepare(&self, spec: &ComponentSpec) -> Result<Loaded, LoadError> {
        Loaded::prepare(
            spec,
            &self.runtime,
            &self.linker,
            self.hosted,
            self.keyvalue.clone(),
        )
        .await
    }

    /// Subscribes and serves the prepared `loaded` as `spec`'s component. The caller holds
    /// the load lock (`loading`).
    async fn serve(&self, spec: ComponentSpec, loaded: Loaded) -> Result<(), LoadError> {
        let name = spec.name.clone();
        let subscriptions = spec.all_subscriptions();
        if loaded.handler.is_none() && !subscriptions.is_empty() {
            return Err(LoadError::SubscriptionsWithoutHandler(name));
        }
        if loaded.handler.is_some() && subscriptions.is_empty() {
            tracing::warn!(component = %name, "component exports a messaging handler but has no subscriptions");
        }
        let serves_http = loaded.http.is_some() && self.http_addr.is_some();
        if loaded.http.is_some() && self.http_addr.is_none() {
            tracing::warn!(component = %name, "component exports wasi:http/incoming-handler, but this host serves no HTTP");
        }
        if let (true, Some(current)) = (serves_http, self.http_component()) {
            return Err(LoadError::HttpTaken {
                component: name,
                serving: current.to_string(),
            });
        }

        // Subscribe first, so a failure leaves nothing behind.
        let queue_group = spec.queue_group();
        let mut subs = Vec::new();
        for pattern in &subscriptions {
            let sub = self
                .broker
                .subscribe(pattern, queue_group.as_deref())
                .await
                .map_err(|source| LoadError::Subscribe {
                    component: name.clone(),
                    pattern: pattern.clone(),
                    source,
                })?;
            subs.push((pattern, sub));
        }
        let loaded = Arc::new(loaded);
        if let (true, Some(pre)) = (serves_http, loaded.http.clone()) {
            if let Ok(mut slot) = self.http_route.write() {
                *slot = Some(Arc::new(HttpRoute {
                    component: loaded.clone(),
                    pre,
                    broker: self.broker.clone(),
                }));
            }
        }
        let deliveries = Arc::new(Deliveries::new(
            loaded.clone(),
            self.broker.clone(),
            self.events.clone(),
        ));
        let mut tasks = Vec::new();
        for (pattern, sub) in subs {
            tracing::info!(component = %name, subject = %pattern, queue_group = ?queue_group, "subscribed");
            tasks.push(tokio::spawn(listen(deliveries.clone(), sub)));
        }
        lock(&self.components).insert(
            name.clone(),
            Running {
                deliveries,
                subscriptions,
                tasks,
            },
        );
        tracing::info!(component = %name, "component started");
        Ok(())
    }

    /// Replaces the running component of `spec`'s name with `spec` (or adds it if none
    /// runs). `spec` is compiled and linked first: when that fails, the running version
    /// keeps running and the error is returned.
    pub async fn replace_component(&self, spec: ComponentSpec) -> Result<(), LoadError> {
        if spec.name.trim().is_empty() {
            return Err(LoadError::EmptyName);
        }
        let loaded = self.prepare(&spec).await?;
        let _loading = self.loading.lock().await;
        self.remove_component(&spec.name);
        self.serve(spec, loaded).await
    }

    /// Stops and unloads the component `name`: its subscriptions end (deliveries already
    /// running finish on their own) and it no longer serves HTTP. Returns whether it was
    /// loaded.
    pub fn remove_component(&self, name: &str) -> bool {
        let Some(mut running) = lock(&self.components).remove(name) else {
            return false;
        };
        running.stop();
        if let Ok(mut route) = self.http_route.write() {
            if route.as_ref().is_some_and(|r| &*r.component.name == name) {
                *route = None;
            }
        }
        tracing::info!(component = %name, "component stopped");
        true
    }

    /// The name of the component serving HTTP, if one does.
    fn http_component(&self) -> Option<Arc<str>> {
        let route = self.http_route.read().ok()?;
        route.as_ref().map(|r| r.component.name.clone())
    }

    /// Stops taking messages ([`Host::stop`]) and waits up to `bound` for the deliveries
    /// already running to end; returns whether they all did.
    pub async fn drain(&self, bound: std::time::Duration) -> bool {
        self.stop();
        let all: Vec<Arc<Deliveries>> = lock(&self.components)
            .values()
            .map(|r| r.deliveries.clone())
            .collect();
        let idle = futures::future::join_all(all.iter().map(|d| d.idle()));
        tokio::time::timeout(bound, idle).await.is_ok()
    }

    /// Ends every subscription and the HTTP server. Deliveries already running finish on
    /// their own.
    pub fn stop(&self) {
        for running in lock(&self.components).values_mut() {
            running.stop();
        }
        if let Some(server) = lock(&self.server).take() {
            server.abort();
        }
    }

    /// How many deliveries are running now, over all components.
    pub fn deliveries_in_flight(&self) -> usize {
        lock(&self.components)
            .values()
            .map(|r| r.deliveries.in_flight())
            .sum()
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.stop();
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
}
