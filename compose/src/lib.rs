//! Composes msgbridge's adapters around a messaging component.
//!
//! A component written against `wasi:messaging@0.2.0-draft` runs on a host that serves only
//! `wasmcloud:messaging@0.2.0` once it is wrapped in the *wasi-on-wasmcloud* halves, and a
//! `wasmcloud:messaging` component runs on a `wasi:messaging` host inside the
//! *wasmcloud-on-wasi* halves. This crate finds which world a component speaks
//! ([`inspect`]), decides which halves it needs ([`plan`]), wires them with `wac-graph`
//! ([`compose`]) and checks the result: it must validate, import only the target world's
//! messaging interfaces plus the guest's own other imports, and never expose the private
//! interfaces between the halves.
//!
//! ```no_run
//! use msgbridge_compose::World;
//! let guest = std::fs::read("worker.wasm")?;
//! let adapted = msgbridge_compose::compose(&guest, World::Wasmcloud)?;
//! std::fs::write("worker.wasmcloud.wasm", adapted)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod client_name;
mod error;
mod graph;
mod inspect;

pub use error::{BoxError, ClientNameError, ComposeError, InspectError, PlanError, Shape};
pub use inspect::{inspect, top_level_names, Inspection, InterfaceUse, TopLevelNames};
pub use msgbridge_worlds::{client_name::DEFAULT as DEFAULT_CLIENT_NAME, Direction, World};

use msgbridge_adapters::{adapter, Role};

/// Options of [`compose_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeOptions {
    /// The world of the host the result must run on.
    pub target: World,
    /// The name the wasmcloud-on-wasi sender passes to `client.connect` (default
    /// `default`); ignored in the other direction, where the guest picks its own names.
    pub client_name: String,
}

impl ComposeOptions {
    /// Options for `target` with the default client name.
    pub fn new(target: World) -> Self {
        ComposeOptions {
            target,
            client_name: DEFAULT_CLIENT_NAME.to_string(),
        }
    }
}

/// Which halves a guest needs for a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// The guest's world.
    pub guest: World,
    /// The host's world.
    pub target: World,
    /// Plug the sender half (the guest imports messaging interfaces).
    pub sender: bool,
    /// Plug the receiver half (the guest exports a messaging handler).
    pub receiver: bool,
}

impl Plan {
    /// The adapter direction.
    pub fn direction(&self) -> Direction {
        Direction::from_guest(self.guest)
    }

    /// File stems of the halves to plug, sender first.
    pub fn halves(&self) -> Vec<&'static str> {
        let mut halves = Vec::new();
        if self.sender {
            halves.push(adapter(self.direction(), Role::Sender).name);
        }
        if self.receiver {
            halves.push(adapter(self.direction(), Role::Receiver).name);
        }
        halves
    }
}

/// Decides which halves `inspection`'s guest needs to run on a `target` host.
pub fn plan(inspection: &Inspection, target: World) -> Result<Plan, PlanError> {
    let guest = inspection.world;
    if guest == target {
        return Err(PlanError::AlreadyTargets {
            world: guest,
            target,
        });
    }
    Ok(Plan {
        guest,
        target,
        sender: !inspection.messaging_imports.is_empty(),
        receiver: inspection
            .messaging_exports
            .iter()
            .any(|e| guest.interface(&e.name) == Some(guest.handler_interface())),
    })
}

/// Composes the adapters `guest` needs to run on a `target` host; see [`compose_with`].
pub fn compose(guest: &[u8], target: World) -> Result<Vec<u8>, ComposeError> {
    compose_with(guest, &ComposeOptions::new(target))
}

/// Inspects `guest`, plugs the halves its [`plan`] names, encodes and validates the
/// composition, and checks its imports and exports.
pub fn compose_with(guest: &[u8], options: &ComposeOptions) -> Result<Vec<u8>, ComposeError> {
    let inspection = inspect(guest)?;
    let plan = plan(&inspection, options.target)?;
    let sender = if plan.sender {
        let half = adapter(plan.direction(), Role::Sender);
        Some(match plan.direction() {
            Direction::WasmcloudOnWasi => {
                client_name::with_client_name(half.bytes, &options.client_name)
                    .map_err(ComposeError::ClientName)?
            }
            Direction::WasiOnWasmcloud => half.bytes.to_vec(),
        })
    } else {
        None
    };
    let receiver = plan
        .receiver
        .then(|| adapter(plan.direction(), Role::Receiver).bytes);
    let composed = graph::build(guest, &inspection, sender, receiver)?;
    graph::check(&composed, &inspection, &plan)?;
    Ok(composed)
}
