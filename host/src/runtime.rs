//! The compilation side of the host: a wasmtime [`Engine`] and a process-wide cache of
//! compiled components.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;
use wasmtime::component::Component;
use wasmtime::{Config, Engine};

use crate::{CompileError, RuntimeError};

/// A wasmtime [`Engine`] plus a cache of compiled [`Component`]s keyed by the SHA-256 of
/// their bytes, so each distinct component is compiled once however many hosts load it.
///
/// Cloning is cheap and shares the engine and the cache. [`Runtime::shared`] gives one
/// runtime per process, which tests use so that each fixture is compiled once per test
/// binary.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<RuntimeInner>,
}

/// A component's cache key: the SHA-256 of its bytes (the engine is the runtime's own).
type Key = [u8; 32];

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
    pub fn new() -> Result<Self, RuntimeError> {
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
    pub fn with_config(config: &Config) -> Result<Self, RuntimeError> {
        let engine =
            Engine::new(config).map_err(|e| RuntimeError::Engine(e.into_boxed_dyn_error()))?;
        Ok(Runtime {
            inner: Arc::new(RuntimeInner {
                engine,
                compiled: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The process-wide runtime, made by [`Runtime::new`] on first use.
    pub fn shared() -> Result<Self, RuntimeError> {
        static SHARED: OnceLock<Result<Runtime, Arc<RuntimeError>>> = OnceLock::new();
        SHARED
            .get_or_init(|| Runtime::new().map_err(Arc::new))
            .clone()
            .map_err(RuntimeError::Shared)
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// Compiles `wasm` (a component binary), or returns the compilation cached for the same
    /// bytes. Compilation runs on a blocking thread; concurrent calls for the same bytes
    /// wait for one compilation.
    pub async fn compile(&self, wasm: &[u8]) -> Result<Component, CompileError> {
        let key: Key = Sha256::digest(wasm).into();
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
                .map_err(CompileError::Task)?
                .map_err(|e| CompileError::Wasmtime(e.into_boxed_dyn_error()))
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
