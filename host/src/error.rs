//! The host's errors, one enum per operation, each keeping what caused it as its source.

use msgbridge_worlds::World;
use std::net::SocketAddr;

use crate::BrokerError;

/// An error from wasmtime or another library, kept as the source of one of ours.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a [`crate::Runtime`] could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// wasmtime refused the engine configuration.
    #[error("wasmtime cannot create an engine with this configuration")]
    Engine(#[source] BoxError),
    /// The process-wide runtime failed to start earlier.
    #[error("the shared runtime could not be made")]
    Shared(#[source] std::sync::Arc<RuntimeError>),
}

/// Why a component did not compile.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// wasmtime rejected the binary.
    #[error("wasmtime cannot compile the component")]
    Wasmtime(#[source] BoxError),
    /// The compilation task died.
    #[error("the compilation task failed")]
    Task(#[source] tokio::task::JoinError),
}

/// Why [`crate::Host::start`] failed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The process-wide runtime could not be made.
    #[error("cannot set up wasmtime")]
    Runtime(#[from] RuntimeError),
    /// A host interface could not be added to the linker.
    #[error("cannot add {what} to the linker")]
    Linker {
        /// Which interfaces.
        what: &'static str,
        /// What wasmtime said.
        #[source]
        source: BoxError,
    },
    /// Two worlds asked for define the same interface names (`wasi` and `wasi-async`, both
    /// `wasi:messaging@0.2.0-draft`), which one linker cannot hold.
    #[error(
        "a host cannot serve both {} and {}: they share the interface names of {}; run one \
         host per world, or adapt the guests of one of them (`msgbridge compose --target`)",
        .first.name(),
        .second.name(),
        .first.package()
    )]
    SameNames {
        /// The first of the two worlds.
        first: World,
        /// The second.
        second: World,
    },
    /// The HTTP listener could not be bound.
    #[error("cannot serve HTTP on {addr}")]
    Http {
        /// The address asked for.
        addr: SocketAddr,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
}

/// Why [`crate::Host::add_component`] refused a component.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The component has no name.
    #[error("a component needs a non-empty name")]
    EmptyName,
    /// A component of the same name is loaded already.
    #[error("component {0:?} is already loaded")]
    Duplicate(String),
    /// The component did not compile.
    #[error("component {component:?} does not compile")]
    Compile {
        /// The component's name.
        component: String,
        /// What went wrong.
        #[source]
        source: CompileError,
    },
    /// A messaging interface of a world that is not served is imported or exported.
    #[error(
        "component {component:?} {direction} {interface}, which this host does not serve \
         (serving: {served}){hint}",
        hint = match .remedy {
            Some(target) => format!("; compose it for this host with `msgbridge compose --target {}`", target.name()),
            None => String::new(),
        }
    )]
    Unserved {
        /// The component's name.
        component: String,
        /// `imports` or `exports`.
        direction: &'static str,
        /// The interface, e.g. `wasi:messaging/producer@0.2.0-draft`.
        interface: String,
        /// The packages the host serves.
        served: String,
        /// The world to compose the component for, when msgbridge can bridge it.
        remedy: Option<msgbridge_worlds::World>,
    },
    /// The component's imports cannot be satisfied, or its exports are not as expected.
    #[error("component {component:?} cannot be linked")]
    Link {
        /// The component's name.
        component: String,
        /// What wasmtime said.
        #[source]
        source: BoxError,
    },
    /// The component exports both messaging handlers.
    #[error(
        "component {0:?} exports both {wasmcloud} and {wasi}; export one handler",
        wasmcloud = msgbridge_worlds::WASMCLOUD_HANDLER,
        wasi = msgbridge_worlds::WASI_INCOMING_HANDLER
    )]
    TwoHandlers(String),
    /// Subscriptions were given for a component that exports no messaging handler.
    #[error(
        "component {0:?} has subscriptions but exports no messaging handler ({wasmcloud} or {wasi})",
        wasmcloud = msgbridge_worlds::WASMCLOUD_HANDLER,
        wasi = msgbridge_worlds::WASI_INCOMING_HANDLER
    )]
    SubscriptionsWithoutHandler(String),
    /// Another component already serves HTTP.
    #[error(
        "component {component:?} exports wasi:http/incoming-handler, but component {serving:?} \
         already serves HTTP on this host"
    )]
    HttpTaken {
        /// The component being loaded.
        component: String,
        /// The component serving HTTP.
        serving: String,
    },
    /// The broker refused a subscription.
    #[error("component {component:?} cannot subscribe to {pattern:?}")]
    Subscribe {
        /// The component's name.
        component: String,
        /// The subscription pattern.
        pattern: String,
        /// What the broker said.
        #[source]
        source: BrokerError,
    },
}
