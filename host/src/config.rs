//! How to start a [`crate::Host`].

use std::net::SocketAddr;
use std::sync::Arc;

use msgbridge_worlds::Hosted;

use crate::{Broker, InProcessBroker, Runtime, RuntimeError};

/// How to start a [`crate::Host`].
#[derive(Clone)]
pub struct HostConfig {
    /// Engine and compilation cache.
    pub runtime: Runtime,
    /// The messaging worlds served.
    pub hosted: Hosted,
    /// Where components' messages go.
    pub broker: Arc<dyn Broker>,
    /// Where components exporting `wasi:http/incoming-handler` are served (port 0 picks a
    /// free port); `None` serves no HTTP.
    pub http_addr: Option<SocketAddr>,
}

impl HostConfig {
    /// Both worlds, the shared runtime, no HTTP, on `broker`.
    pub fn new(broker: Arc<dyn Broker>) -> Result<Self, RuntimeError> {
        Ok(HostConfig {
            runtime: Runtime::shared()?,
            hosted: Hosted::BOTH,
            broker,
            http_addr: None,
        })
    }

    /// Both worlds, the shared runtime, no HTTP, on a new [`InProcessBroker`].
    pub fn in_process() -> Result<Self, RuntimeError> {
        Self::new(Arc::new(InProcessBroker::new()))
    }

    /// The same configuration serving `hosted`.
    pub fn with_hosted(mut self, hosted: impl Into<Hosted>) -> Self {
        self.hosted = hosted.into();
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
            .field("hosted", &self.hosted)
            .field("http_addr", &self.http_addr)
            .finish_non_exhaustive()
    }
}
