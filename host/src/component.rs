//! A component compiled, checked against the worlds a host serves, and pre-instantiated.

use std::sync::Arc;

use msgbridge_worlds::{Direction, Hosted, World};
use wasmtime::component::types::ComponentItem;
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
    /// `wasmcloud:messaging/handler@0.3.0` (async).
    WasmcloudAsync(bindings::wasmcloud_async::GuestPre<HostState>),
    /// Omnia's async `wasi:messaging/incoming-handler`.
    WasiAsync(bindings::wasi_async::GuestPre<HostState>),
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
        let mut handlers = World::ALL.into_iter().filter(|w| surface.exports(*w));
        let handler = match (handlers.next(), handlers.next()) {
            (Some(_), Some(_)) => return Err(LoadError::TwoHandlers(name.clone())),
            (None, _) => None,
            (Some(world), None) => Some(match world {
                World::Wasmcloud => Handler::Wasmcloud(
                    bindings::wasmcloud::GuestPre::new(pre.clone()).map_err(link_error)?,
                ),
                World::Wasi => {
                    Handler::Wasi(bindings::wasi::GuestPre::new(pre.clone()).map_err(link_error)?)
                }
                World::WasmcloudAsync => Handler::WasmcloudAsync(
                    bindings::wasmcloud_async::GuestPre::new(pre.clone()).map_err(link_error)?,
                ),
                World::WasiAsync => Handler::WasiAsync(
                    bindings::wasi_async::GuestPre::new(pre.clone()).map_err(link_error)?,
                ),
            }),
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
    imports: Vec<Named>,
    exports: Vec<Named>,
    http_handler: bool,
}

/// An imported or exported name, with the messaging world it belongs to, if any.
struct Named {
    name: String,
    world: Option<World>,
}

impl Named {
    /// `name`, an instance whose functions include an `async func` when `is_async`.
    ///
    /// `wasi` and `wasi-async` share their interface names: the kind of the functions
    /// tells them apart. A name of a messaging package at a version no world has (an older
    /// draft, say) belongs to that package's synchronous world, so a host not serving it
    /// names it.
    fn new(name: &str, is_async: bool) -> Self {
        let owner = || World::ALL.into_iter().filter(|w| w.owns(name));
        let world = owner()
            .find(|w| w.is_async() == is_async)
            .or_else(|| owner().next())
            .or_else(|| World::SYNC.into_iter().find(|w| w.owns_package_of(name)));
        Named {
            name: name.to_string(),
            world,
        }
    }
}

/// Whether an import or export is an instance with at least one `async func`.
fn has_async_function(item: &ComponentItem, engine: &wasmtime::Engine) -> bool {
    match item {
        ComponentItem::ComponentInstance(instance) => instance
            .exports(engine)
            .any(|(_, e)| matches!(&e.ty, ComponentItem::ComponentFunc(f) if f.async_())),
        _ => false,
    }
}

impl Surface {
    fn of(component: &Component, engine: &wasmtime::Engine) -> Self {
        let ty = component.component_type();
        let named = |(name, item): (&str, wasmtime::component::types::ComponentExtern<'_>)| {
            Named::new(name, has_async_function(&item.ty, engine))
        };
        let mut imports: Vec<Named> = ty.imports(engine).map(named).collect();
        let mut exports: Vec<Named> = ty.exports(engine).map(named).collect();
        // One async wasi function makes the whole component an async-wasi one: its `types`
        // (whose only async function, `client.connect`, it may not use) included.
        if imports
            .iter()
            .chain(&exports)
            .any(|n| n.world == Some(World::WasiAsync))
        {
            for named in imports.iter_mut().chain(exports.iter_mut()) {
                if named.world == Some(World::Wasi) {
                    named.world = Some(World::WasiAsync);
                }
            }
        }
        Surface {
            http_handler: exports
                .iter()
                .any(|n| n.name.starts_with(HTTP_HANDLER_PREFIX)),
            imports,
            exports,
        }
    }

    /// Whether it exports `world`'s handler.
    fn exports(&self, world: World) -> bool {
        self.exports
            .iter()
            .any(|n| n.world == Some(world) && n.name == world.handler_interface())
    }

    /// Fails when a messaging interface of a world that is not served is imported or
    /// exported, naming the first such interface (a `types` interface only when nothing
    /// else is missing).
    fn check(&self, component: &str, hosted: Hosted) -> Result<(), LoadError> {
        for (direction, names) in [("imports", &self.imports), ("exports", &self.exports)] {
            let missing: Vec<(&str, World)> = names
                .iter()
                .filter_map(|n| {
                    n.world
                        .filter(|w| !hosted.serves(*w))
                        .map(|w| (&*n.name, w))
                })
                .collect();
            let first = missing
                .iter()
                .find(|(n, _)| !n.contains("/types@"))
                .or(missing.first());
            if let Some(&(interface, world)) = first {
                let remedy = match hosted.single() {
                    Some(served)
                        if world.owns(interface) && Direction::between(world, served).is_ok() =>
                    {
                        Some(served)
                    }
                    _ => None,
                };
                // The same names on both sides: say which kind the component has.
                let kind = match world {
                    World::Wasi if hosted.serves(World::WasiAsync) => " (synchronous)",
                    World::WasiAsync if hosted.serves(World::Wasi) => " (async)",
                    _ => "",
                };
                return Err(LoadError::Unserved {
                    component: component.to_string(),
                    direction,
                    interface: format!("{interface}{kind}"),
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
                Named::new(msgbridge_worlds::WASI_TYPES, false),
                Named::new(msgbridge_worlds::WASI_PRODUCER, false),
            ],
            exports: vec![Named::new(World::Wasi.handler_interface(), false)],
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

    #[test]
    fn the_kind_of_the_functions_tells_the_two_wasi_worlds_apart() {
        let sync = Named::new(msgbridge_worlds::WASI_PRODUCER, false);
        let asynchronous = Named::new(msgbridge_worlds::WASI_PRODUCER, true);
        assert_eq!(sync.world, Some(World::Wasi));
        assert_eq!(asynchronous.world, Some(World::WasiAsync));
        assert_eq!(
            Named::new(msgbridge_worlds::WASMCLOUD_ASYNC_CONSUMER, true).world,
            Some(World::WasmcloudAsync)
        );
        // An older draft belongs to the synchronous world of its package.
        assert_eq!(
            Named::new("wasi:messaging/producer@0.1.0", false).world,
            Some(World::Wasi)
        );
        assert_eq!(Named::new("wasi:http/types@0.2.6", false).world, None);

        let surface = Surface {
            imports: vec![sync],
            exports: vec![],
            http_handler: false,
        };
        let err = surface
            .check("s", Hosted::only(World::WasiAsync))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "component \"s\" imports wasi:messaging/producer@0.2.0-draft (synchronous), which \
             this host does not serve (serving: wasi:messaging@0.2.0-draft (async, Omnia)); \
             compose it for this host with `msgbridge compose --target wasi-async`"
        );
        let surface = Surface {
            imports: vec![asynchronous],
            exports: vec![],
            http_handler: false,
        };
        assert!(surface.check("a", Hosted::only(World::WasiAsync)).is_ok());
        assert!(surface.check("a", Hosted::BOTH).is_err());
    }
}
