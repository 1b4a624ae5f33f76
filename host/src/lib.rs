//! msgbridge's reference host: runs components of `wasmcloud:messaging@0.2.0` and
//! `wasi:messaging@0.2.0-draft` on wasmtime, several at once, each with its own
//! subscriptions and config, like `wash dev`.
//!
//! - [`Host`] loads components ([`ComponentSpec`]) and delivers each message on their
//!   subscriptions to a fresh instance, in its own task (as wasmCloud v2 does); a handler
//!   error is logged at warn, a trap is logged and the host keeps serving.
//! - [`Broker`] is where messages go: [`InProcessBroker`] (default, no server) or
//!   [`NatsBroker`]. Request-reply uses `_INBOX.<uuid>` reply subjects on both.
//! - [`Runtime`] is the wasmtime engine with a cache of compiled components.
//! - [`Worlds`] chooses which messaging worlds are served; a component using a world that
//!   is not served fails to load with an error naming the interface.
//!
//! Components also get WASI p2 (`wasmtime-wasi`), `wasi:config/store@0.2.0-rc.1` answered
//! from their config, and, when they export `wasi:http/incoming-handler`, are served on the
//! host's HTTP address (a fresh instance per request).
//!
//! Error strings of the wasmcloud world are wasmCloud's (`request timed out after {ms}ms`,
//! `failed to send request: {e}`, `message queue full`), taken from `msgbridge-mapping`.

#![warn(missing_docs)]

mod bindings;
mod broker;
mod host;
mod http;
mod message;
mod runtime;
mod state;
mod wasi;
mod wasmcloud;
mod worlds;

pub use broker::{
    subject_matches, BoxFuture, Broker, BrokerError, InProcessBroker, NatsBroker, Subscription,
    INBOX_CAPACITY,
};
pub use host::{ComponentSpec, Host, HostConfig, BROADCAST, CONSUMER_GROUP_KEY, SUBSCRIPTIONS_KEY};
pub use message::Message;
pub use runtime::Runtime;
pub use worlds::{ParseWorldsError, Worlds, WASI_MESSAGING, WASMCLOUD_MESSAGING};

/// What can go wrong starting a host or loading a component.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    /// The wasmtime engine or linker could not be set up.
    #[error("cannot set up wasmtime: {0}")]
    Engine(String),
    /// A component did not compile.
    #[error("compilation failed: {0}")]
    Compile(String),
    /// A component imports or exports a messaging interface of a world that is not served.
    #[error("component {component:?} {direction} {interface}, which this host does not serve (serving: {served})")]
    UnservedInterface {
        /// The component's name.
        component: String,
        /// `imports` or `exports`.
        direction: &'static str,
        /// The interface, e.g. `wasi:messaging/producer@0.2.0-draft`.
        interface: String,
        /// The packages the host serves.
        served: String,
    },
    /// A component's imports could not be satisfied, or its exports are not as expected.
    #[error("component {component:?} cannot be linked: {reason}")]
    Link {
        /// The component's name.
        component: String,
        /// What wasmtime said.
        reason: String,
    },
    /// A subscription was refused by the broker.
    #[error("component {component:?} cannot subscribe to {pattern:?}: {reason}")]
    Subscribe {
        /// The component's name.
        component: String,
        /// The subscription pattern.
        pattern: String,
        /// What the broker said.
        reason: String,
    },
    /// The component spec is not usable (empty or duplicate name, subscriptions without a
    /// handler, ...).
    #[error("{0}")]
    InvalidSpec(String),
    /// The HTTP listener could not be started.
    #[error("{0}")]
    Http(String),
}
