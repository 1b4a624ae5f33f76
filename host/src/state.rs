//! The data of one wasmtime store: one per delivered message or HTTP request.

use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime::StoreLimits;
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
    /// The store's resource limits.
    pub(crate) limits: StoreLimits,
}

impl HostState {
    /// Fresh state for one instance of `component`.
    pub(crate) fn new(
        component: Arc<str>,
        config: Arc<WasiConfigVariables>,
        broker: Arc<dyn Broker>,
        limits: StoreLimits,
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
            limits,
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
