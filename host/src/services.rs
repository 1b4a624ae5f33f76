//! Services the reference host offers besides WASI, wasi:http, wasi:config and messaging,
//! so that components written for wasmCloud v2 run locally (wasmCloud v2.7's `wash-runtime`
//! serves both, in `crates/wash-runtime/src/plugin/`):
//!
//! - `wasi:keyvalue@0.2.0-draft` (`store`, `atomics`, `batch`), in memory: buckets live as
//!   long as the host and are shared by all its components and instances (a bucket is
//!   created by its first `open`), so a counter survives fresh instances;
//! - `wasi:logging/logging@0.1.0-draft`, to the host's log at the matching level, with the
//!   component's name and the message's context.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use wasmtime::component::{HasSelf, Linker, Resource};

use crate::state::HostState;

mod bindings {
    wasmtime::component::bindgen!({
        path: "wit-services",
        world: "msgbridge:host-services/services",
        imports: { default: trappable },
        with: {
            "wasi:keyvalue/store.bucket": super::Bucket,
        },
    });
}

use bindings::wasi::keyvalue::{atomics, batch, store};
use bindings::wasi::logging::logging::{self, Level};

/// The buckets of one host: name → key → value.
#[derive(Debug, Default)]
pub(crate) struct KeyValue {
    buckets: Mutex<HashMap<String, BTreeMap<String, Vec<u8>>>>,
}

impl KeyValue {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, BTreeMap<String, Vec<u8>>>> {
        self.buckets.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A bucket a component opened: its name.
#[derive(Debug)]
pub struct Bucket {
    name: String,
}

/// How many keys one `list-keys` call returns; `cursor` continues after them.
const PAGE: usize = 1000;

impl HostState {
    fn bucket_name(&self, bucket: &Resource<Bucket>) -> wasmtime::Result<String> {
        Ok(self.table.get(bucket)?.name.clone())
    }

    /// Runs `f` on the contents of the bucket `bucket` names.
    fn with_bucket<T>(
        &mut self,
        bucket: &Resource<Bucket>,
        f: impl FnOnce(&mut BTreeMap<String, Vec<u8>>) -> T,
    ) -> wasmtime::Result<T> {
        let name = self.bucket_name(bucket)?;
        let mut buckets = self.keyvalue.lock();
        Ok(f(buckets.entry(name).or_default()))
    }
}

impl store::Host for HostState {
    fn open(
        &mut self,
        identifier: String,
    ) -> wasmtime::Result<Result<Resource<Bucket>, store::Error>> {
        self.keyvalue.lock().entry(identifier.clone()).or_default();
        Ok(Ok(self.table.push(Bucket { name: identifier })?))
    }
}

impl store::HostBucket for HostState {
    fn get(
        &mut self,
        bucket: Resource<Bucket>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, store::Error>> {
        self.with_bucket(&bucket, |b| Ok(b.get(&key).cloned()))
    }

    fn set(
        &mut self,
        bucket: Resource<Bucket>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), store::Error>> {
        self.with_bucket(&bucket, |b| {
            b.insert(key, value);
            Ok(())
        })
    }

    fn delete(
        &mut self,
        bucket: Resource<Bucket>,
        key: String,
    ) -> wasmtime::Result<Result<(), store::Error>> {
        self.with_bucket(&bucket, |b| {
            b.remove(&key);
            Ok(())
        })
    }

    fn exists(
        &mut self,
        bucket: Resource<Bucket>,
        key: String,
    ) -> wasmtime::Result<Result<bool, store::Error>> {
        self.with_bucket(&bucket, |b| Ok(b.contains_key(&key)))
    }

    fn list_keys(
        &mut self,
        bucket: Resource<Bucket>,
        cursor: Option<u64>,
    ) -> wasmtime::Result<Result<store::KeyResponse, store::Error>> {
        self.with_bucket(&bucket, |b| {
            let start = cursor.map_or(0, |c| c as usize);
            let keys: Vec<String> = b.keys().skip(start).take(PAGE).cloned().collect();
            let next = start + keys.len();
            Ok(store::KeyResponse {
                cursor: (next < b.len()).then_some(next as u64),
                keys,
            })
        })
    }

    fn drop(&mut self, bucket: Resource<Bucket>) -> wasmtime::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

impl atomics::Host for HostState {
    fn increment(
        &mut self,
        bucket: Resource<Bucket>,
        key: String,
        delta: u64,
    ) -> wasmtime::Result<Result<u64, store::Error>> {
        self.with_bucket(&bucket, |b| {
            let current = match b.get(&key) {
                None => 0,
                Some(bytes) => match <[u8; 8]>::try_from(bytes.as_slice()) {
                    Ok(le) => u64::from_le_bytes(le),
                    Err(_) => {
                        return Err(store::Error::Other(format!(
                            "the value of {key:?} is not a counter (8 bytes, little-endian)"
                        )))
                    }
                },
            };
            let next = current.wrapping_add(delta);
            b.insert(key, next.to_le_bytes().to_vec());
            Ok(next)
        })
    }
}

impl batch::Host for HostState {
    fn get_many(
        &mut self,
        bucket: Resource<Bucket>,
        keys: Vec<String>,
    ) -> wasmtime::Result<Result<Vec<Option<(String, Vec<u8>)>>, store::Error>> {
        self.with_bucket(&bucket, |b| {
            Ok(keys
                .into_iter()
                .map(|k| b.get(&k).cloned().map(|v| (k, v)))
                .collect())
        })
    }

    fn set_many(
        &mut self,
        bucket: Resource<Bucket>,
        key_values: Vec<(String, Vec<u8>)>,
    ) -> wasmtime::Result<Result<(), store::Error>> {
        self.with_bucket(&bucket, |b| {
            b.extend(key_values);
            Ok(())
        })
    }

    fn delete_many(
        &mut self,
        bucket: Resource<Bucket>,
        keys: Vec<String>,
    ) -> wasmtime::Result<Result<(), store::Error>> {
        self.with_bucket(&bucket, |b| {
            for key in keys {
                b.remove(&key);
            }
            Ok(())
        })
    }
}

impl logging::Host for HostState {
    fn log(&mut self, level: Level, context: String, message: String) -> wasmtime::Result<()> {
        let component = &*self.component;
        match level {
            Level::Trace => tracing::trace!(component, context, "{message}"),
            Level::Debug => tracing::debug!(component, context, "{message}"),
            Level::Info => tracing::info!(component, context, "{message}"),
            Level::Warn => tracing::warn!(component, context, "{message}"),
            Level::Error | Level::Critical => tracing::error!(component, context, "{message}"),
        }
        Ok(())
    }
}

/// Adds wasi:keyvalue and wasi:logging to `linker`.
pub(crate) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    bindings::Services::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)
}

/// A new, empty key-value space for a host.
pub(crate) fn new_keyvalue() -> Arc<KeyValue> {
    Arc::default()
}
