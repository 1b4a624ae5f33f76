//! msgbridge's reference host: runs components of the four messaging worlds
//! (`wasmcloud:messaging@0.2.0`, `wasi:messaging@0.2.0-draft`, wasmCloud v2.8's async
//! `wasmcloud:messaging@0.3.0` and Omnia's async `wasi:messaging`) on wasmtime, several at
//! once, each with its own subscriptions and config, like `wash dev`.
//!
//! - [`Host`] loads components ([`ComponentSpec`], or a [`Manifest`]) and delivers each
//!   message on their subscriptions to a fresh instance, in its own task (as wasmCloud v2
//!   does); a handler error is logged at warn, a trap is logged and the host keeps serving.
//! - [`Broker`] is where messages go: [`InProcessBroker`] (default, no server) or
//!   [`NatsBroker`]. Request-reply uses `_INBOX.<uuid>` reply subjects on both.
//! - [`Runtime`] is the wasmtime engine with a cache of compiled components.
//! - [`Hosted`] chooses which messaging worlds are served; a component using a world that
//!   is not served fails to load with an error naming the interface and the command that
//!   adapts it.
//!
//! Components also get WASI p2 (`wasmtime-wasi`), `wasi:config/store@0.2.0-rc.1` answered
//! from their config, an in-memory `wasi:keyvalue@0.2.0-draft` shared by the host's
//! components, `wasi:logging@0.1.0-draft` to the host's log, and, when they export
//! `wasi:http/incoming-handler`, are served on the host's HTTP address (a fresh instance
//! per request).
//!
//! Error strings of the wasmcloud world are wasmCloud's (`request timed out after {ms}ms`,
//! `failed to send request: {e}`, `message queue full`), taken from `msgbridge-mapping`.
//!
//! Modules:
//!
//! | module | what |
//! |---|---|
//! | `config` | how to start a host |
//! | `spec`, `manifest` | what to run: one component; several, from TOML |
//! | `limits` | what one component may use, and fresh or warm instances |
//! | `runtime` | the wasmtime engine and the cache of compiled components |
//! | `linker` | the linker every component is linked with (WASI, HTTP, config, services) |
//! | `bindings` | the generated bindings of the four messaging worlds |
//! | `component` | a component compiled, checked against the worlds served, pre-instantiated |
//! | `host` | the lifecycle: start, load, replace, remove, drain, stop |
//! | `delivery` | messages to instances, each in its own task, bounded, with a deadline |
//! | `http` | HTTP requests to the component exporting `wasi:http/incoming-handler` |
//! | `events` | what happened to each delivery, for watchers |
//! | `state` | the data of one wasmtime store |
//! | `wasmcloud`, `wasi`, `wasmcloud_async`, `wasi_async` | the host side of each messaging world's interfaces |
//! | `streams` | the async worlds' `stream<u8>` bodies, read whole (bounded) and written |
//! | `services` | the in-memory `wasi:keyvalue` and `wasi:logging` to the host's log |
//! | `broker` | where messages go: the trait, in-process and NATS |
//! | `message` | the message every broker carries |
//! | `error` | the errors, one enum per operation |

#![warn(missing_docs)]

mod bindings;
mod broker;
mod component;
mod config;
mod delivery;
mod error;
mod events;
mod host;
mod http;
mod limits;
mod linker;
mod manifest;
mod message;
mod runtime;
mod services;
mod spec;
mod state;
mod streams;
mod wasi;
mod wasi_async;
mod wasmcloud;
mod wasmcloud_async;

pub use broker::{
    server_list, subject_matches, BoxFuture, Broker, BrokerError, InProcessBroker, NatsBroker,
    Subscription, INBOX_CAPACITY, MAX_RECONNECT_DELAY,
};
pub use config::HostConfig;
pub use error::{BoxError, CompileError, LoadError, RuntimeError, StartError};
pub use events::{Delivery, Outcome, EVENT_CAPACITY};
pub use host::Host;
pub use limits::{
    InstancePolicy, Limits, DEFAULT_DEADLINE, DEFAULT_MAX_INSTANCES, DEFAULT_MAX_IN_FLIGHT,
    DEFAULT_MAX_MEMORY, DEFAULT_MAX_TABLE_ELEMENTS,
};
pub use manifest::{default_name, read_spec, Manifest, ManifestComponent, ManifestError};
pub use message::Message;
pub use msgbridge_worlds::{Hosted, World};
pub use runtime::{Allocation, Pool, Runtime, EPOCH_TICK};
pub use spec::{ComponentSpec, BROADCAST, CONSUMER_GROUP_KEY, SUBSCRIPTIONS_KEY};
