//! The compilation side of the host: a wasmtime [`Engine`] and a process-wide cache of
//! compiled components.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::OnceCell;
use wasmtime::component::Component;
use wasmtime::{Config, Engine};

use crate::HostError;

/// A wasmtime [`Engine`] plus a cache of compiled [`Component`]s keyed by a hash of their
/// bytes, so each distinct component is compiled once however many hosts load it.
///
/// Cloning is cheap and shares the engine and the cache. [`Runtime::shared`] gives one
/// runtime per process, which tests use so that each fixture is compiled once per test
/// binary.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<RuntimeInner>,
}

/// A component's cache key: a hash of its bytes and their length.
type Key = (u64, usize);

/// One compilation, done once and shared by everyone who asks for it.
type Slot = Arc<OnceCell<Component>>;

struct RuntimeInner {
    engine: Engine,
    compiled: Mutex<HashMap<Key, Slot>>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").finish_non_exhaustive()
    }
}

impl Runtime {
    /// A new runtime with msgbridge's engine settings. Wasmtime's on-disk compilation
    /// cache is used when its default configuration can be loaded (it lives in the user's
    /// cache directory); otherwise compiled code is only cached in memory.
    pub fn new() -> Result<Self, HostError> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        match wasmtime::Cache::from_file(None) {
            Ok(cache) => {
                config.cache(Some(cache));
            }
            Err(e) => tracing::debug!(error = %e, "wasmtime's compilation cache is not available"),
        }
        Self::with_config(&config)
    }

    /// A new runtime with an engine built from `config`.
    pub fn with_config(config: &Config) -> Result<Self, HostError> {
        let engine = Engine::new(config).map_err(|e| HostError::Engine(format!("{e:#}")))?;
        Ok(Runtime {
            inner: Arc::new(RuntimeInner {
                engine,
                compiled: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The process-wide runtime, made by [`Runtime::new`] on first use.
    pub fn shared() -> Result<Self, HostError> {
        static SHARED: OnceLock<Result<Runtime, HostError>> = OnceLock::new();
        SHARED.get_or_init(Runtime::new).clone()
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// Compiles `wasm` (a component binary), or returns the compilation cached for the same
    /// bytes. Compilation runs on a blocking thread; concurrent calls for the same bytes
    /// wait for one compilation.
    pub async fn compile(&self, wasm: &[u8]) -> Result<Component, HostError> {
        let mut hasher = DefaultHasher::new();
        wasm.hash(&mut hasher);
        let key = (hasher.finish(), wasm.len());
        let cell = {
            let mut compiled = self
                .inner
                .compiled
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            compiled.entry(key).or_default().clone()
        };
        cell.get_or_try_init(|| async {
            let engine = self.inner.engine.clone();
            let wasm = wasm.to_vec();
            tokio::task::spawn_blocking(move || Component::new(&engine, &wasm))
                .await
                .map_err(|e| HostError::Compile(format!("compilation task failed: {e}")))?
                .map_err(|e| HostError::Compile(format!("{e:#}")))
        })
        .await
        .cloned()
    }

    /// How many distinct components have been compiled (or are being compiled).
    pub fn cached_components(&self) -> usize {
        self.inner
            .compiled
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .values()
            .filter(|cell| cell.initialized())
            .count()
    }
}
