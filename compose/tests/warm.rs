//! A warm instance of a spliced guest (reused across messages, as wasmCloud's
//! `poolSize` instances are) does not grow its memory per message: the bridge reuses its
//! handle slots, buffers and allocation pool instead of leaking through the guest's
//! `cabi_realloc`, which cannot free.
//!
//! The wasi probe, spliced for wasmCloud, runs in one instance on a minimal host: WASI p2
//! from wasmtime-wasi and a `wasmcloud:messaging/consumer` that counts publishes. Each
//! delivery asks the probe to `echo`, which replies (`request-reply.reply` through the
//! bridge to `consumer.publish`) and drops its messages and client.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use msgbridge_compose::{splice, ComposeOptions, World};
use wasmtime::component::{Component, Linker, ResourceTable, Val};
use wasmtime::{Config, Engine, ResourceLimiter, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

struct State {
    wasi: WasiCtx,
    table: ResourceTable,
    peak_memory: usize,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl ResourceLimiter for State {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.peak_memory = self.peak_memory.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

fn delivery(n: usize) -> Val {
    let body = format!("echo\npayload {n} {}", "x".repeat(n % 700));
    Val::Record(vec![
        ("subject".into(), Val::String("warm.cmd".into())),
        (
            "body".into(),
            Val::List(body.bytes().map(Val::U8).collect()),
        ),
        (
            "reply-to".into(),
            Val::Option(Some(Box::new(Val::String(format!("_INBOX.{n}"))))),
        ),
    ])
}

#[test]
fn a_warm_spliced_instance_does_not_grow_per_message() {
    let spliced = splice(
        msgbridge_test_artifacts::WASI_PROBE,
        &ComposeOptions::new(World::Wasmcloud),
    )
    .unwrap();
    let engine = Engine::new(&Config::new()).unwrap();
    let component = Component::new(&engine, &spliced).unwrap();
    let mut linker: Linker<State> = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    let published = Arc::new(AtomicUsize::new(0));
    let counter = published.clone();
    let mut consumer = linker
        .instance("wasmcloud:messaging/consumer@0.2.0")
        .unwrap();
    consumer
        .func_new("publish", move |_store, _ty, _params, results| {
            counter.fetch_add(1, Ordering::Relaxed);
            results[0] = Val::Result(Ok(None));
            Ok(())
        })
        .unwrap();
    consumer
        .func_new("request", |_store, _ty, _params, results| {
            results[0] = Val::Result(Err(Some(Box::new(Val::String("unused".into())))));
            Ok(())
        })
        .unwrap();

    let mut store = Store::new(
        &engine,
        State {
            wasi: WasiCtxBuilder::new().build(),
            table: ResourceTable::new(),
            peak_memory: 0,
        },
    );
    store.limiter(|s| s);
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let interface = instance
        .get_export_index(&mut store, None, "wasmcloud:messaging/handler@0.2.0")
        .unwrap();
    let index = instance
        .get_export_index(&mut store, Some(&interface), "handle-message")
        .unwrap();
    let handle = instance.get_func(&mut store, index).unwrap();

    let deliver = |store: &mut Store<State>, n: usize| {
        let mut results = [Val::Bool(false)];
        handle
            .call(&mut *store, &[delivery(n)], &mut results)
            .unwrap();
        assert_eq!(results[0], Val::Result(Ok(None)), "message {n}");
    };
    for n in 0..1000 {
        deliver(&mut store, n);
    }
    let warmed = store.data().peak_memory;
    for n in 1000..6000 {
        deliver(&mut store, n);
    }
    assert_eq!(
        published.load(Ordering::Relaxed),
        6000,
        "every echo replied"
    );
    assert_eq!(
        store.data().peak_memory,
        warmed,
        "memory grew from {warmed} to {} bytes over 5000 warm messages",
        store.data().peak_memory
    );
}
