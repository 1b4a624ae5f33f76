//! The host's lifecycle: start, load components, stop.

use std::collections::BTreeSet;
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
    names: Mutex<BTreeSet<String>>,
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    deliveries: Mutex<Vec<Arc<Deliveries>>>,
    events: Events,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("hosted", &self.hosted)
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
    pub async fn start(config: HostConfig) -> Result<Host, StartError> {
        let linker = crate::linker::build(&config.runtime, config.hosted)?;
        let http_route: RouteSlot = Arc::new(RwLock::new(None));
        let mut tasks = Vec::new();
        let http_addr = match config.http_addr {
            Some(addr) => {
                let (bound, task) = crate::http::serve(addr, http_route.clone())
                    .await
                    .map_err(|source| StartError::Http { addr, source })?;
                tracing::info!(address = %bound, "serving HTTP");
                tasks.push(task);
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
            names: Mutex::new(BTreeSet::new()),
            tasks: Mutex::new(tasks),
            deliveries: Mutex::new(Vec::new()),
            events: Events::new(),
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
        lock(&self.names).iter().cloned().collect()
    }

    /// Compiles (or fetches from the runtime's cache), links and starts `spec`: its handler
    /// is subscribed to every subscription, and an HTTP handler is served on the host's
    /// HTTP address. When this returns, the subscriptions are in place.
    ///
    /// Fails, naming the interface, when the component imports or exports a messaging
    /// interface of a world this host does not serve.
    pub async fn add_component(&self, spec: ComponentSpec) -> Result<(), LoadError> {
        let name = spec.name.clone();
        if name.trim().is_empty() {
            return Err(LoadError::EmptyName);
        }
        if lock(&self.names).contains(&name) {
            return Err(LoadError::Duplicate(name));
        }
        let loaded = Loaded::prepare(&spec, &self.runtime, &self.linker, self.hosted).await?;
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
        lock(&self.names).insert(name.clone());
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
        lock(&self.deliveries).push(deliveries.clone());
        let mut tasks = lock(&self.tasks);
        for (pattern, sub) in subs {
            tracing::info!(component = %name, subject = %pattern, queue_group = ?queue_group, "subscribed");
            tasks.push(tokio::spawn(listen(deliveries.clone(), sub)));
        }
        tracing::info!(component = %name, "component started");
        Ok(())
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
        let all: Vec<Arc<Deliveries>> = lock(&self.deliveries).clone();
        let idle = futures::future::join_all(all.iter().map(|d| d.idle()));
        tokio::time::timeout(bound, idle).await.is_ok()
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
