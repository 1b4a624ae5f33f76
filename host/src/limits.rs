//! What one component may use: per-instance resources, deliveries in flight, a deadline per
//! delivery, and whether instances are fresh per message or kept warm.

use std::time::Duration;

use wasmtime::{StoreLimits, StoreLimitsBuilder};

/// The default deadline of one delivery: async-nats' request timeout, which caps every
/// wasmCloud request on NATS, so no requester waits longer for an answer anyway.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(10);
/// The default cap on one instance's linear memories, in bytes (each memory).
pub const DEFAULT_MAX_MEMORY: usize = 128 << 20;
/// The default cap on one instance's table elements (each table).
pub const DEFAULT_MAX_TABLE_ELEMENTS: usize = 100_000;
/// The default cap on the core and component instances one message instantiates.
pub const DEFAULT_MAX_INSTANCES: usize = 1_000;
/// The default number of deliveries of one component running at once; more messages wait
/// in the subscription's bounded inbox.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 16;

/// Limits on one component, each exceeded one trapping the instance that exceeds it (or,
/// for `max_in_flight`, making deliveries wait).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long one delivery may run before its instance is stopped.
    pub deadline: Duration,
    /// Bytes each linear memory of an instance may grow to.
    pub max_memory: usize,
    /// Elements each table of an instance may grow to.
    pub max_table_elements: usize,
    /// Core and component instances one store may create.
    pub max_instances: usize,
    /// Deliveries of the component running at once.
    pub max_in_flight: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            deadline: DEFAULT_DEADLINE,
            max_memory: DEFAULT_MAX_MEMORY,
            max_table_elements: DEFAULT_MAX_TABLE_ELEMENTS,
            max_instances: DEFAULT_MAX_INSTANCES,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
        }
    }
}

impl Limits {
    /// The store limiter enforcing these limits; growing past one traps.
    pub(crate) fn store_limits(&self) -> StoreLimits {
        StoreLimitsBuilder::new()
            .memory_size(self.max_memory)
            .table_elements(self.max_table_elements)
            .instances(self.max_instances)
            .tables(self.max_instances)
            .memories(self.max_instances)
            .trap_on_grow_failure(true)
            .build()
    }
}

/// How a component's deliveries get instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InstancePolicy {
    /// A fresh store and instance per message, as wasmCloud v2 does by default.
    #[default]
    Fresh,
    /// Up to `pool_size` instances are kept and reused across messages (wasmCloud v2.7's
    /// `poolSize`); one is retired after `max_invocations` messages (`maxInvocations`), when
    /// it traps or misses its deadline. When all are busy a message gets a one-shot
    /// instance.
    Warm {
        /// Instances kept.
        pool_size: usize,
        /// Messages one instance handles before it is retired.
        max_invocations: u64,
    },
}
