//! What happened to each delivery, for whoever watches the host: tests, the CLI's dev
//! loop, reliability checks.

use std::sync::Arc;

use tokio::sync::broadcast;

/// How many events a slow watcher may fall behind before it misses some.
pub const EVENT_CAPACITY: usize = 65_536;

/// How a delivery to a handler ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The handler returned `ok`.
    Handled,
    /// The handler returned an error; the text is the handler's string (wasmcloud world)
    /// or the wasi `error` in words (`timed out`, `connection error: …`, the text of
    /// `other`).
    Failed(String),
    /// The instance trapped (or could not be instantiated, or exceeded a limit); the text
    /// is wasmtime's.
    Trapped(String),
    /// The handler ran past the component's deadline and was stopped.
    DeadlineExceeded(std::time::Duration),
}

/// One delivery of a message to a component's handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The component's name.
    pub component: Arc<str>,
    /// The message's subject.
    pub subject: String,
    /// How it ended.
    pub outcome: Outcome,
    /// The largest linear memory the instance had grown to when the delivery ended, in
    /// bytes (for a warm instance, over all the messages it has handled).
    pub instance_memory: usize,
}

/// The sending side of a host's delivery events.
#[derive(Debug, Clone)]
pub(crate) struct Events(broadcast::Sender<Delivery>);

impl Events {
    /// A new channel with room for [`EVENT_CAPACITY`] events per watcher.
    pub(crate) fn new() -> Self {
        Events(broadcast::channel(EVENT_CAPACITY).0)
    }

    /// Sends `delivery` to every watcher (none is fine).
    pub(crate) fn send(&self, delivery: Delivery) {
        let _ = self.0.send(delivery);
    }

    /// A new watcher, which sees every event sent from now on.
    pub(crate) fn watch(&self) -> broadcast::Receiver<Delivery> {
        self.0.subscribe()
    }
}
