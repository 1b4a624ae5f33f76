//! A component compiled, checked against the worlds a host serves, and pre-instantiated.

use std::sync::Arc;

use msgbridge_worlds::{Hosted, World};
use wasmtime::component::{Component, InstancePre, Linker};
use wasmtime::Store;
use wasmtime_wasi_config::WasiConfigVariables;
use wasmtime_wasi_http::p2::bindings::ProxyPre;

use crate::bindings;
use crate::state::HostState;
use crate::{Broker, ComponentSpec, InstancePolicy, Limits, LoadError, Runtime};

/// The prefix of the HTTP handler interface a component may export (any 0.2.x).
const HTTP_HANDLER_PREFIX: &str = "wasi:http/incoming-handler@0.2";

/// The messaging handler a component exports.
#[derive(Clone)]
pub(crate) enum Handler {
    /// `wasmcloud:messaging/handler`.
    Wasmcloud(bindings::wasmcloud::GuestPre<HostState>),
    /// `wasi:messaging/incoming-handler`.
    Wasi(bindings::wasi::GuestPre<HostState>),
}

/// A component ready to be instantiated: for messages, for HTTP requests, or both.
pub(crate) struct Loaded {
    /// Its name, for logs.
    pub(crate) name: Arc<str>,
    /// Its config, answered by `wasi:config/store`.
    config: Arc<WasiConfigVariables>,
    /// Its messaging handler, if it exports one.
    pub(crate) handler: Option<Handler>,
    /// Its HTTP handler, if it exports one.
    pub(crate) http: Option<ProxyPre<HostState>>,
    /// What its instances may use.
    pub(crate) limits: Limits,
    /// How its deliveries get instances.
    pub(crate) policy: InstancePolicy,
    /// The engine it was compiled with.
    engine: wasmtime::Engine,
    /// The host's in-memory wasi:keyvalue buckets.
    keyvalue: Arc<crate::services::KeyValue>,
}

impl Loaded {
    /// Compiles `spec` (or takes it from the runtime's cache), checks it against `hosted`
    /// and pre-instantiates it with `linker`.
    pub(crate) async fn prepare(
        spec: &ComponentSpec,
        runtime: &Runtime,
        linker: &Linker<HostState>,
        hosted: Hosted,
        keyvalue: Arc<crate::services::KeyValue>,
    ) -> Result<Loaded, LoadError> {
        let name = &spec.name;
        let component = runtime
            .compile(&spec.wasm)
            .await
            .map_err(|source| LoadError::Compile {
                component: name.clone(),
                source,
            })?;
        let surface = Surface::of(&component, runtime.engine());
        surface.check(name, hosted)?;
        let link_error = |e: wasmtime::Error| LoadError::Link {
            component: name.clone(),
            source: e.into_boxed_dyn_error(),
        };
        let pre: InstancePre<HostState> = linker.instantiate_pre(&component).map_err(link_error)?;
        let handler = match (
            surface.exports(World::Wasmcloud),
            surface.exports(World::Wasi),
        ) {
            (true, true) => return Err(LoadError::TwoHandlers(name.clone())),
            (true, false) => Some(Handler::Wasmcloud(
                bindings::wasmcloud::GuestPre::new(pre.clone()).map_err(link_error)?,
            )),
            (false, true) => Some(Handler::Wasi(
                bindings::wasi::GuestPre::new(pre.clone()).map_err(link_error)?,
            )),
            (false, false) => None,
        };
        let http = if surface.http_handler {
            Some(ProxyPre::new(pre).map_err(link_error)?)
        } else {
            None
        };
        Ok(Loaded {
            name: Arc::from(name.as_str()),
            config: Arc::new(spec.config.iter().collect()),
            handler,
            http,
            limits: spec.limits,
            policy: spec.instances,
            engine: runtime.engine().clone(),
            keyvalue,
        })
    }

    /// A fresh store for one instance: the component's limits enforced, and the guest
    /// yielding to other tasks at every epoch tick.
    pub(crate) fn new_store(&self, broker: Arc<dyn Broker>) -> Store<HostState> {
        let state = HostState::new(
            self.name.clone(),
            self.config.clone(),
            broker,
            &self.limits,
            self.keyvalue.clone(),
        );
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limits);
        store.epoch_deadline_async_yield_and_update(1);
        store
    }
}

/// What a component imports and exports, as far as the host cares.
struct Surface {
    imports: Vec<String>,
    exports: Vec<String>,
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
        Surface {
            http_handler: exports.iter().any(|n| n.starts_with(HTTP_HANDLER_PREFIX)),
            imports,
            exports,
        }
    }

    /// Whether it exports `world`'s handler.
    fn exports(&self, world: World) -> bool {
        self.exports.iter().any(|n| n == world.handler_interface())
    }

    /// Fails when a messaging interface of a world that is not served is imported or
    /// exported, naming the first such interface (a `types` interface only when nothing
    /// else is missing).
    fn check(&self, component: &str, hosted: Hosted) -> Result<(), LoadError> {
        fn unserved(name: &String, hosted: Hosted) -> Option<(&String, World)> {
            World::SYNC
                .into_iter()
                .find(|w| w.owns_package_of(name) && !hosted.serves(*w))
                .map(|w| (name, w))
        }
        for (direction, names) in [("imports", &self.imports), ("exports", &self.exports)] {
            let missing: Vec<(&String, World)> =
                names.iter().filter_map(|n| unserved(n, hosted)).collect();
            let first = missing
                .iter()
                .find(|(n, _)| !n.contains("/types@"))
                .or(missing.first());
            if let Some((interface, world)) = first {
                let remedy = match hosted.single() {
                    Some(served) if world.owns(interface) => Some(served),
                    _ => None,
                };
                return Err(LoadError::Unserved {
                    component: component.to_string(),
                    direction,
                    interface: interface.to_string(),
                    served: hosted.packages().to_string(),
                    remedy,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unserved_interfaces_are_named_with_the_command_that_fixes_it() {
        let surface = Surface {
            imports: vec![
                msgbridge_worlds::WASI_TYPES.into(),
                msgbridge_worlds::WASI_PRODUCER.into(),
            ],
            exports: vec![World::Wasi.handler_interface().into()],
            http_handler: false,
        };
        let err = surface
            .check("x", Hosted::only(World::Wasmcloud))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "component \"x\" imports wasi:messaging/producer@0.2.0-draft, which this host does \
             not serve (serving: wasmcloud:messaging@0.2.0); compose it for this host with \
             `msgbridge compose --target wasmcloud`"
        );
        assert!(surface.check("x", Hosted::only(World::Wasi)).is_ok());
        assert!(surface.check("x", Hosted::BOTH).is_ok());
    }
}
