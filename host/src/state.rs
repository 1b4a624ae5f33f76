//! The data of one wasmtime store: one per delivered message or HTTP request.

use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, StoreLimits};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_config::WasiConfigVariables;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::Broker;

/// What one store holds: WASI, HTTP and config state, and the messaging context.
pub(crate) struct HostState {
    pub(crate) table: ResourceTable,
    pub(crate) wasi: WasiCtx,
    pub(crate) http: WasiHttpCtx,
    pub(crate) config: Arc<WasiConfigVariables>,
    pub(crate) broker: Arc<dyn Broker>,
    /// The component's name, for logs.
    pub(crate) component: Arc<str>,
    /// The store's resource limits, and what its instances have grown to.
    pub(crate) limits: Limiter,
    /// The host's in-memory wasi:keyvalue buckets.
    pub(crate) keyvalue: Arc<crate::services::KeyValue>,
}

/// A store's [`StoreLimits`], recording the largest linear memory its instances have had.
pub(crate) struct Limiter {
    limits: StoreLimits,
    /// The most bytes one linear memory may have (the component's `max_memory_mib`).
    max_memory: usize,
    /// The size of the largest linear memory so far, in bytes.
    pub(crate) largest_memory: usize,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_memory && maximum.is_none_or(|max| desired <= max) {
            // Refused by the host's limit, not by the memory's own maximum: trap the
            // instance with the reason, rather than with wasmtime's bare "forcing trap".
            return Err(wasmtime::format_err!(
                "memory limit reached: a linear memory may not grow from {current} to {desired} \
                 bytes on this host (raise the component's max_memory_mib to allow it)"
            ));
        }
        let allowed = self.limits.memory_growing(current, desired, maximum)?;
        if allowed {
            self.largest_memory = self.largest_memory.max(desired);
        }
        Ok(allowed)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.memory_grow_failed(error)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

impl HostState {
    /// Fresh state for one instance of `component`.
    pub(crate) fn new(
        component: Arc<str>,
        config: Arc<WasiConfigVariables>,
        broker: Arc<dyn Broker>,
        limits: &crate::limits::Limits,
        keyvalue: Arc<crate::services::KeyValue>,
    ) -> Self {
        let wasi = WasiCtx::builder()
            .inherit_stdout()
            .inherit_stderr()
            .args(&[component.as_ref()])
            .build();
        HostState {
            table: ResourceTable::new(),
            wasi,
            http: WasiHttpCtx::new(),
            config,
            broker,
            component,
            limits: Limiter {
                limits: limits.store_limits(),
                max_memory: limits.max_memory,
                largest_memory: 0,
            },
            keyvalue,
        }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: Default::default(),
        }
    }
}
