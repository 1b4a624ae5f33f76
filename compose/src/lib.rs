//! Composes msgbridge's adapter halves around a messaging component.
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
//! Two forms exist. The *spliced* form ([`splice`], [`compose_preferring_splice`]) fuses a
//! bridge core module into the guest's own component, sharing its memory, as wasmtime's
//! preview1 adapter does; the *portable* form ([`compose`], [`compose_with`]) wraps the
//! guest in two adapter components and works for any component, compositions included.
//!
//! ```no_run
//! let guest = std::fs::read("worker.wasm")?;
//! let adapted = msgbridge_compose::compose(&guest, msgbridge_compose::Target::Wasmcloud)?;
//! std::fs::write("worker.wasmcloud.wasm", adapted)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod client_name;
mod error;
mod graph;
mod inspect;
mod names;
mod splice;

pub use client_name::MAX_CLIENT_NAME_LEN;
pub use error::{Error, Shape};
pub use inspect::{inspect, top_level_names, Inspection, InterfaceUse, TopLevelNames};
pub use names::{Target, World};
pub use splice::{memory_definitions, splice, spliceability, BoxError, NotSpliceable, SpliceError};

use msgbridge_adapters::{adapter, Direction, Role};

/// Options of [`compose_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeOptions {
    /// The host world the result must run on.
    pub target: Target,
    /// The name the wasmcloud-on-wasi sender passes to `client.connect` (default
    /// `default`); ignored in the other direction, where the guest picks its own names.
    pub client_name: String,
}

impl ComposeOptions {
    /// Options for `target` with the default client name.
    pub fn new(target: Target) -> Self {
        ComposeOptions {
            target,
            client_name: DEFAULT_CLIENT_NAME.to_string(),
        }
    }
}

/// The client name used unless one is chosen.
pub const DEFAULT_CLIENT_NAME: &str = "default";

/// Which halves a guest needs for a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// The guest's world.
    pub guest: World,
    /// The host's world.
    pub target: Target,
    /// Plug the sender half (the guest imports messaging interfaces).
    pub sender: bool,
    /// Plug the receiver half (the guest exports a messaging handler).
    pub receiver: bool,
}

impl Plan {
    /// The adapter direction.
    pub fn direction(&self) -> Direction {
        match self.guest {
            World::Wasi => Direction::WasiOnWasmcloud,
            World::Wasmcloud => Direction::WasmcloudOnWasi,
        }
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
pub fn plan(inspection: &Inspection, target: Target) -> Result<Plan, Error> {
    let guest = inspection.world;
    if guest.served_by() == target {
        return Err(Error::AlreadyTargets {
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
            .any(|e| e.name == guest.handler_interface()),
    })
}

/// Composes the adapters `guest` needs to run on a `target` host; see [`compose_with`].
pub fn compose(guest: &[u8], target: Target) -> Result<Vec<u8>, Error> {
    compose_with(guest, &ComposeOptions::new(target))
}

/// Inspects `guest`, plugs the halves its [`plan`] names, encodes and validates the
/// composition, and checks its imports and exports.
pub fn compose_with(guest: &[u8], options: &ComposeOptions) -> Result<Vec<u8>, Error> {
    let inspection = inspect(guest)?;
    let plan = plan(&inspection, options.target)?;
    let sender = if plan.sender {
        let half = adapter(plan.direction(), Role::Sender);
        Some(match plan.direction() {
            Direction::WasmcloudOnWasi => {
                client_name::with_client_name(half.bytes, &options.client_name)?
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

/// The form an adapted component takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The bridge runs inside the guest's own component ([`splice`]).
    Spliced,
    /// The guest is wrapped in the two adapter halves ([`compose_with`]).
    Portable,
}

/// What [`compose_preferring_splice`] produced.
#[derive(Debug, Clone)]
pub struct Composed {
    /// The adapted component.
    pub bytes: Vec<u8>,
    /// Its form.
    pub form: Form,
    /// Why the guest got the portable form, when it did.
    pub portable_because: Option<NotSpliceable>,
}

/// Splices the bridge into `guest` when its shape allows ([`splice`]), and composes the
/// portable halves otherwise ([`compose_with`]), saying which form it chose and why.
pub fn compose_preferring_splice(
    guest: &[u8],
    options: &ComposeOptions,
) -> Result<Composed, Error> {
    match splice(guest, options) {
        Ok(bytes) => Ok(Composed {
            bytes,
            form: Form::Spliced,
            portable_because: None,
        }),
        Err(SpliceError::NotSpliceable(reason)) => Ok(Composed {
            bytes: compose_with(guest, options)?,
            form: Form::Portable,
            portable_because: Some(reason),
        }),
        Err(SpliceError::Guest(e)) => Err(e),
        Err(e) => Err(Error::Splice(Box::new(e))),
    }
}
