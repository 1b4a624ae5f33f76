//! The linker every component of a host is linked with.

use msgbridge_worlds::{Hosted, World};
use wasmtime::component::{HasSelf, Linker};
use wasmtime_wasi_config::WasiConfig;

use crate::bindings;
use crate::state::HostState;
use crate::{Runtime, StartError};

/// Builds the linker for `hosted`: WASI p2, wasi:http, wasi:config, wasi:keyvalue and
/// wasi:logging, and the messaging interfaces of the worlds served.
pub(crate) fn build(runtime: &Runtime, hosted: Hosted) -> Result<Linker<HostState>, StartError> {
    if hosted.serves(World::Wasi) && hosted.serves(World::WasiAsync) {
        return Err(StartError::SameNames {
            first: World::Wasi,
            second: World::WasiAsync,
        });
    }
    let mut linker = Linker::new(runtime.engine());
    let failed = |what: &'static str| {
        move |e: wasmtime::Error| StartError::Linker {
            what,
            source: e.into_boxed_dyn_error(),
        }
    };
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(failed("WASI p2"))?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)
        .map_err(failed("wasi:http"))?;
    wasmtime_wasi_config::add_to_linker(&mut linker, |s: &mut HostState| {
        WasiConfig::from(&*s.config)
    })
    .map_err(failed("wasi:config"))?;
    crate::services::add_to_linker(&mut linker)
        .map_err(failed("wasi:keyvalue and wasi:logging"))?;
    if hosted.serves(World::Wasmcloud) {
        bindings::wasmcloud::Guest::add_to_linker::<HostState, HasSelf<HostState>>(
            &mut linker,
            |s| s,
        )
        .map_err(failed(World::Wasmcloud.package()))?;
    }
    if hosted.serves(World::Wasi) {
        bindings::wasi::Guest::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)
            .map_err(failed(World::Wasi.package()))?;
    }
    if hosted.serves(World::WasmcloudAsync) {
        bindings::wasmcloud_async::Guest::add_to_linker::<HostState, HasSelf<HostState>>(
            &mut linker,
            |s| s,
        )
        .map_err(failed(World::WasmcloudAsync.package()))?;
    }
    if hosted.serves(World::WasiAsync) {
        bindings::wasi_async::Guest::add_to_linker::<HostState, HasSelf<HostState>>(
            &mut linker,
            |s| s,
        )
        .map_err(failed("wasi:messaging@0.2.0-draft (async, Omnia)"))?;
    }
    Ok(linker)
}
