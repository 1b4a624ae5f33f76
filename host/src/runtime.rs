//! The compilation side of the host: a wasmtime [`Engine`] and a process-wide cache of
//! compiled components.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;
use wasmtime::component::Component;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::{CompileError, RuntimeError};

/// How often the engine's epoch advances: a running guest yields to other tasks at least
/// this often, and a deadline is noticed this soon after it passes.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Sizes of wasmtime's pooling allocator: how many instances, memories and tables may be
/// live at once across the whole runtime, and the largest memory one may grow to (the
/// hard cap above every component's [`crate::Limits::max_memory`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pool {
    /// Component instances live at once.
    pub component_instances: u32,
    /// Core instances live at once (a composed component has many per message).
    pub core_instances: u32,
    /// Linear memories live at once.
    pub memories: u32,
    /// Tables live at once.
    pub tables: u32,
    /// Largest size of one linear memory, in bytes.
    pub max_memory_size: usize,
    /// How much of a linear memory stays resident when its slot is freed: reset in place
    /// rather than given back to the kernel, so the next instance in the slot does not
    /// fault those pages in again.
    pub memory_keep_resident: usize,
    /// The same for each table.
    pub table_keep_resident: usize,
    /// Reset only the pages an instance dirtied, found with Linux's `PAGEMAP_SCAN` ioctl
    /// (kernel 6.7 or later; where it is missing wasmtime resets the whole resident part).
    pub pagemap_scan: bool,
}

impl Pool {
    /// Sized from the machine, as `wasmtime serve` sizes its pool: 250 component instances
    /// per core (at least 500, at most 2000), with room for the many core instances,
    /// memories and tables of composed components, each memory up to 4 GiB (reserved, not
    /// committed). A freed memory keeps its first 4 MiB resident and only the pages its
    /// instance dirtied are reset (`PAGEMAP_SCAN`): `msgbridge-bench --keep-resident 65536
    /// --pagemap-scan false` measures the alternative, see `docs/performance.md`.
    pub fn for_this_machine() -> Pool {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
        let instances = (cores * 250).clamp(500, 2000);
        Pool {
            component_instances: instances,
            core_instances: instances * 20,
            memories: instances * 4,
            tables: instances * 20,
            max_memory_size: 4 << 30,
            memory_keep_resident: 4 << 20,
            table_keep_resident: 16 << 10,
            pagemap_scan: true,
        }
    }

    fn config(&self) -> PoolingAllocationConfig {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(self.component_instances)
            .total_core_instances(self.core_instances)
            .total_memories(self.memories)
            .total_tables(self.tables)
            .total_stacks(self.component_instances)
            .max_memory_size(self.max_memory_size)
            .max_tables_per_module(8)
            .table_elements(crate::limits::DEFAULT_MAX_TABLE_ELEMENTS)
            .max_core_instance_size(8 << 20)
            .max_component_instance_size(8 << 20)
            .linear_memory_keep_resident(self.memory_keep_resident)
            .table_keep_resident(self.table_keep_resident)
            .pagemap_scan(if self.pagemap_scan {
                wasmtime::Enabled::Auto
            } else {
                wasmtime::Enabled::No
            });
        pool
    }
}

/// How a [`Runtime`] allocates instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allocation {
    /// wasmtime's pooling allocator (the default): slots are reserved once and reused, so
    /// instantiating is cheap.
    Pooling(Pool),
    /// wasmtime's on-demand allocator: every instance maps its own memory.
    OnDemand,
}

impl Default for Allocation {
    fn default() -> Self {
        Allocation::Pooling(Pool::for_this_machine())
    }
}

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
    /// A new runtime with msgbridge's engine settings and the pooling allocator sized for
    /// this machine; see [`Runtime::with_allocation`].
    pub fn new() -> Result<Self, RuntimeError> {
        Self::with_allocation(Allocation::default())
    }

    /// A new runtime with msgbridge's engine settings: the component model, epoch
    /// interruption (guests yield every [`EPOCH_TICK`], so a busy guest never holds a
    /// thread and deadlines can stop it) and `allocation`. Wasmtime's on-disk compilation
    /// cache is used when its default configuration can be loaded (it lives in the user's
    /// cache directory); otherwise compiled code is only cached in memory.
    pub fn with_allocation(allocation: Allocation) -> Result<Self, RuntimeError> {
        let mut config = Config::new();
        config.wasm_component_model(true).epoch_interruption(true);
        if let Allocation::Pooling(pool) = allocation {
            config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool.config()));
        }
        match wasmtime::Cache::from_file(None) {
            Ok(cache) => {
                config.cache(Some(cache));
            }
            Err(e) => tracing::debug!(error = %e, "wasmtime's compilation cache is not available"),
        }
        Self::with_config(&config)
    }

    /// A new runtime with an engine built from `config`, which must enable epoch
    /// interruption (the runtime advances the epoch every [`EPOCH_TICK`]).
    pub fn with_config(config: &Config) -> Result<Self, RuntimeError> {
        let engine =
            Engine::new(config).map_err(|e| RuntimeError::Engine(e.into_boxed_dyn_error()))?;
        let weak = engine.weak();
        std::thread::Builder::new()
            .name("msgbridge-epoch".into())
            .spawn(move || {
                while let Some(engine) = weak.upgrade() {
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(EPOCH_TICK);
                }
            })
            .map_err(|e| RuntimeError::Engine(e.into()))?;
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
