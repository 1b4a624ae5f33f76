//! Delivering messages: each one to an instance of the subscribed component, in its own
//! task, as wasmCloud v2 does; at most `max_in_flight` at once per component, each stopped
//! at its deadline, with fresh instances or warm ones.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Semaphore;
use wasmtime::component::Resource;
use wasmtime::Store;

use crate::component::{Handler, Loaded};
use crate::events::{Delivery, Events, Outcome};
use crate::state::HostState;
use crate::wasi::{describe_error, WasiMessage};
use crate::{bindings, Broker, InstancePolicy, Message, Subscription};

/// Everything a component's deliveries share, whichever subscription they come from.
pub(crate) struct Deliveries {
    component: Arc<Loaded>,
    broker: Arc<dyn Broker>,
    events: Events,
    in_flight: Arc<Semaphore>,
    /// Deliveries running now (a listener waiting for a message holds a slot of
    /// `in_flight` but is not one).
    running: AtomicUsize,
    warm: Option<WarmPool>,
}

impl Deliveries {
    /// The deliveries of `component`.
    pub(crate) fn new(component: Arc<Loaded>, broker: Arc<dyn Broker>, events: Events) -> Self {
        let warm = match component.policy {
            InstancePolicy::Fresh => None,
            InstancePolicy::Warm {
                pool_size,
                max_invocations,
            } => Some(WarmPool {
                idle: Mutex::new(Vec::new()),
                live: AtomicUsize::new(0),
                pool_size,
                max_invocations: max_invocations.max(1),
            }),
        };
        Deliveries {
            in_flight: Arc::new(Semaphore::new(component.limits.max_in_flight.max(1))),
            running: AtomicUsize::new(0),
            component,
            broker,
            events,
            warm,
        }
    }
}

/// Reads `sub` until it ends, delivering each message in its own task once one of the
/// component's in-flight slots is free (until then messages wait in the subscription).
pub(crate) async fn listen(deliveries: Arc<Deliveries>, mut sub: Subscription) {
    // A slot first, then a message: until a slot is free, messages stay in the
    // subscription's bounded inbox.
    while let Ok(permit) = deliveries.in_flight.clone().acquire_owned().await {
        let Some(message) = sub.next().await else {
            break;
        };
        let deliveries = deliveries.clone();
        deliveries.running.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            deliveries.deliver(message).await;
            deliveries.running.fetch_sub(1, Ordering::SeqCst);
            drop(permit);
        });
    }
    tracing::debug!(component = %deliveries.component.name, "subscription ended");
}

/// An instance of a component's messaging handler, in its own store.
struct Instance {
    store: Store<HostState>,
    guest: Guest,
    /// Messages it has handled.
    uses: u64,
}

/// The handler export of an instance.
enum Guest {
    Wasmcloud(bindings::wasmcloud::Guest),
    Wasi(bindings::wasi::Guest),
    WasmcloudAsync(bindings::wasmcloud_async::Guest),
    WasiAsync(bindings::wasi_async::Guest),
}

impl Deliveries {
    /// How many of the component's deliveries are running now.
    pub(crate) fn in_flight(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// Waits until none of the component's deliveries is running (new ones may start
    /// unless its subscriptions have ended).
    pub(crate) async fn idle(&self) {
        let all = self.component.limits.max_in_flight.max(1) as u32;
        if let Ok(permits) = self.in_flight.acquire_many(all).await {
            drop(permits);
        }
    }

    /// Delivers `message`, logging handler errors, traps and missed deadlines and
    /// reporting the outcome to the host's watchers.
    async fn deliver(&self, message: Message) {
        let name = self.component.name.clone();
        tracing::debug!(
            component = %name,
            subject = %message.subject,
            reply_to = ?message.reply_to,
            len = message.body.len(),
            "delivering message"
        );
        let Some(handler) = &self.component.handler else {
            return;
        };
        let subject = message.subject.clone();
        let deadline = self.component.limits.deadline;
        let (reused, pooled) = match &self.warm {
            Some(warm) => warm.checkout(),
            None => (None, false),
        };
        let run = async {
            let instance = match reused {
                Some(instance) => instance,
                None => self.instantiate(handler).await?,
            };
            call(instance, message).await
        };
        let mut instance_memory = 0;
        let outcome = match tokio::time::timeout(deadline, run).await {
            Ok(Ok((instance, result))) => {
                instance_memory = instance.store.data().limits.largest_memory;
                if pooled {
                    self.checkin(instance);
                }
                match result {
                    Ok(()) => Outcome::Handled,
                    Err(error) => {
                        tracing::warn!(component = %name, subject = %subject, error = %error, "handler returned an error");
                        Outcome::Failed(error)
                    }
                }
            }
            Ok(Err(trap)) => {
                self.retire(pooled);
                let trap = format!("{trap:#}");
                tracing::warn!(component = %name, subject = %subject, error = %trap, "handler trapped");
                Outcome::Trapped(trap)
            }
            Err(_) => {
                self.retire(pooled);
                tracing::warn!(component = %name, subject = %subject, deadline = ?deadline, "handler missed its deadline and was stopped");
                Outcome::DeadlineExceeded(deadline)
            }
        };
        self.events.send(Delivery {
            component: name,
            subject,
            outcome,
            instance_memory,
        });
    }

    /// A new instance of `handler` in a fresh store.
    async fn instantiate(&self, handler: &Handler) -> wasmtime::Result<Instance> {
        let mut store = self.component.new_store(self.broker.clone());
        let guest = match handler {
            Handler::Wasmcloud(pre) => Guest::Wasmcloud(pre.instantiate_async(&mut store).await?),
            Handler::Wasi(pre) => Guest::Wasi(pre.instantiate_async(&mut store).await?),
            Handler::WasmcloudAsync(pre) => {
                Guest::WasmcloudAsync(pre.instantiate_async(&mut store).await?)
            }
            Handler::WasiAsync(pre) => Guest::WasiAsync(pre.instantiate_async(&mut store).await?),
        };
        Ok(Instance {
            store,
            guest,
            uses: 0,
        })
    }

    /// Returns a warm instance to the pool, or retires it after its last invocation.
    fn checkin(&self, mut instance: Instance) {
        let Some(warm) = &self.warm else {
            return;
        };
        instance.uses += 1;
        if instance.uses >= warm.max_invocations {
            warm.release();
        } else {
            warm.lock().push(instance);
        }
    }

    /// Frees the pool slot of an instance that trapped or missed its deadline.
    fn retire(&self, pooled: bool) {
        if let (true, Some(warm)) = (pooled, &self.warm) {
            warm.release();
        }
    }
}

/// Calls the handler of `instance` with `message`; gives the instance back with the
/// handler's result, or the trap.
async fn call(
    mut instance: Instance,
    message: Message,
) -> wasmtime::Result<(Instance, Result<(), String>)> {
    instance.store.epoch_deadline_async_yield_and_update(1);
    let result = match &instance.guest {
        Guest::Wasmcloud(guest) => {
            guest
                .wasmcloud_messaging_handler()
                .call_handle_message(
                    &mut instance.store,
                    &crate::wasmcloud::to_broker_message(&message),
                )
                .await?
        }
        Guest::Wasi(guest) => {
            let incoming: Resource<WasiMessage> = instance
                .store
                .data_mut()
                .table
                .push(WasiMessage::received(message))?;
            guest
                .wasi_messaging_incoming_handler()
                .call_handle(&mut instance.store, incoming)
                .await?
                .map_err(describe_error)
        }
        // An `async func` export runs inside `run_concurrent`, which keeps the store
        // running the guest's own async calls (its replies) until the handler returns.
        Guest::WasmcloudAsync(guest) => instance
            .store
            .run_concurrent(async |accessor| {
                let msg = crate::wasmcloud_async::to_broker_message(accessor, message)?;
                guest
                    .wasmcloud_messaging_handler()
                    .call_handle_message(accessor, msg)
                    .await
            })
            .await??
            .map_err(crate::wasmcloud_async::describe_handle_error),
        Guest::WasiAsync(guest) => {
            let incoming: Resource<WasiMessage> = instance
                .store
                .data_mut()
                .table
                .push(WasiMessage::received(message))?;
            instance
                .store
                .run_concurrent(async |accessor| {
                    guest
                        .wasi_messaging_incoming_handler()
                        .call_handle(accessor, incoming)
                        .await
                })
                .await??
                .map_err(crate::wasi_async::describe_error)
        }
    };
    Ok((instance, result))
}

/// The warm instances of one component.
struct WarmPool {
    idle: Mutex<Vec<Instance>>,
    /// Instances that belong to the pool: idle or handling a message.
    live: AtomicUsize,
    pool_size: usize,
    max_invocations: u64,
}

impl WarmPool {
    fn lock(&self) -> MutexGuard<'_, Vec<Instance>> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// An idle instance, or a pool slot to fill with a new one, or neither (a one-shot
    /// instance) when all are busy: `(instance, belongs to the pool)`.
    fn checkout(&self) -> (Option<Instance>, bool) {
        if let Some(instance) = self.lock().pop() {
            return (Some(instance), true);
        }
        let reserved = self
            .live
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |live| {
                (live < self.pool_size).then_some(live + 1)
            })
            .is_ok();
        (None, reserved)
    }

    /// Gives up a pool slot.
    fn release(&self) {
        self.live.fetch_sub(1, Ordering::SeqCst);
    }
}
