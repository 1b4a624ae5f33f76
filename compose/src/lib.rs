//! Adapts a messaging component to the other messaging world.
//!
//! A component written against `wasi:messaging@0.2.0-draft` runs on a host that serves only
//! `wasmcloud:messaging@0.2.0` once it is adapted *wasi-on-wasmcloud*, and a
//! `wasmcloud:messaging` component runs on a `wasi:messaging` host adapted
//! *wasmcloud-on-wasi*. This crate finds which world a component speaks ([`inspect`]),
//! decides what it needs ([`plan`]) and adapts it ([`compose`], [`compose_with`]) in one of
//! two forms:
//!
//! - **spliced** (the default wherever it applies, [`splice`]): msgbridge's bridge, a core
//!   module, is fused into the guest's own component as wasmtime's preview1 adapter is,
//!   sharing the guest's linear memory, so the adapted component costs what the guest
//!   costs. It applies to a component wit-component made from one main module (plus
//!   adapters): Rust `wasm32-wasip2`, C/TinyGo via wasm-component-ld, `jco componentize`,
//!   componentize-py.
//! - **portable** ([`Form::Portable`], and for anything else, such as a component that is
//!   itself a composition): the guest is wrapped in two adapter components (the *halves*)
//!   with `wac-graph`, as `wac plug` does with the files `msgbridge adapters` writes.
//!
//! Either way the result is checked: it validates, imports exactly the target world's
//! messaging interfaces plus the guest's own other imports, exports the target world's
//! handler when the guest had one, and never exposes msgbridge's private interfaces.
//!
//! ```no_run
//! use msgbridge_compose::World;
//! let guest = std::fs::read("worker.wasm")?;
//! let adapted = msgbridge_compose::compose(&guest, World::Wasmcloud)?;
//! std::fs::write("worker.wasmcloud.wasm", adapted)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod check;
mod client_name;
mod error;
mod graph;
mod inspect;
mod splice;

pub use error::{BoxError, ClientNameError, ComposeError, InspectError, PlanError, Shape};
pub use inspect::{
    inspect, top_level_names, top_level_world_names, Adapted, Inspection, InterfaceUse,
    TopLevelNames,
};
pub use msgbridge_worlds::{client_name::DEFAULT as DEFAULT_CLIENT_NAME, Direction, World};
pub use splice::{memory_definitions, splice, spliceability, NotSpliceable, SpliceError};

use msgbridge_adapters::{adapter, Role};

/// The form an adapted component takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Form {
    /// The bridge runs inside the guest's own component, sharing its memory ([`splice`]).
    Spliced,
    /// The guest is wrapped in the two adapter halves.
    Portable,
}

impl Form {
    /// `spliced` or `portable`.
    pub fn name(self) -> &'static str {
        match self {
            Form::Spliced => "spliced",
            Form::Portable => "portable",
        }
    }
}

/// Options of [`compose_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeOptions {
    /// The world of the host the result must run on.
    pub target: World,
    /// The name the wasmcloud-on-wasi adapter passes to `client.connect` (default
    /// `default`); ignored in the other direction, where the guest picks its own names.
    pub client_name: String,
    /// The form to produce; `None` splices where the guest's shape allows and composes
    /// the portable form otherwise.
    pub form: Option<Form>,
}

impl ComposeOptions {
    /// Options for `target` with the default client name and form.
    pub fn new(target: World) -> Self {
        ComposeOptions {
            target,
            client_name: DEFAULT_CLIENT_NAME.to_string(),
            form: None,
        }
    }
}

/// What [`compose_with`] produced.
#[derive(Debug, Clone)]
pub struct Composed {
    /// The adapted component.
    pub bytes: Vec<u8>,
    /// Its form.
    pub form: Form,
    /// Why the guest got the portable form when the spliced one was not asked against.
    pub portable_because: Option<NotSpliceable>,
}

/// What a guest needs for a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// The guest's world.
    pub guest: World,
    /// The host's world.
    pub target: World,
    /// The adapter direction, guest to host.
    pub direction: Direction,
    /// The guest imports messaging interfaces (the portable form plugs the sender half).
    pub sender: bool,
    /// The guest exports a messaging handler (the portable form plugs the receiver half).
    pub receiver: bool,
}

impl Plan {
    /// The adapter direction.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// File stems of the portable halves to plug, sender first.
    pub fn halves(&self) -> Vec<&'static str> {
        let mut halves = Vec::new();
        if self.sender {
            halves.extend(adapter(self.direction(), Role::Sender).map(|a| a.name));
        }
        if self.receiver {
            halves.extend(adapter(self.direction(), Role::Receiver).map(|a| a.name));
        }
        halves
    }
}

/// Decides what `inspection`'s guest needs to run on a `target` host; refuses a pair of
/// worlds no adapter is built for ([`PlanError::NotBuilt`]).
pub fn plan(inspection: &Inspection, target: World) -> Result<Plan, PlanError> {
    let guest = inspection.world;
    if guest == target {
        return Err(PlanError::AlreadyTargets {
            world: guest,
            target,
        });
    }
    let direction = Direction::between(guest, target)?;
    Ok(Plan {
        guest,
        target,
        direction,
        sender: !inspection.messaging_imports.is_empty(),
        receiver: inspection
            .messaging_exports
            .iter()
            .any(|e| guest.interface(&e.name) == Some(guest.handler_interface())),
    })
}

/// Adapts `guest` to run on a `target` host in the default form (spliced where the
/// guest's shape allows, portable otherwise); see [`compose_with`].
pub fn compose(guest: &[u8], target: World) -> Result<Vec<u8>, ComposeError> {
    compose_with(guest, &ComposeOptions::new(target)).map(|c| c.bytes)
}

/// Adapts `guest` as `options` say: spliced ([`splice`]) or portable (the halves, wired
/// with wac-graph), checks the result, and says which form it produced and why.
///
/// In the default form (`options.form` `None`) a guest the splice route cannot take gets
/// the portable form with the reason ([`SpliceError::portable_reason`]) rather than an
/// error; [`default_form`] tells which without composing.
///
/// Refuses a guest that msgbridge itself adapted ([`ComposeError::AlreadyAdapted`], found
/// as [`inspect`] finds it), in either form and either direction.
pub fn compose_with(guest: &[u8], options: &ComposeOptions) -> Result<Composed, ComposeError> {
    let inspection = inspect(guest)?;
    let plan = plan(&inspection, options.target)?;
    if let Some(adapted) = inspection.adapted.clone() {
        return Err(ComposeError::AlreadyAdapted {
            adapted,
            world: inspection.world,
        });
    }
    let portable_because = match options.form {
        Some(Form::Portable) => None,
        Some(Form::Spliced) => {
            let bytes = splice::splice_inspected(guest, &inspection, &plan, options)?;
            return Ok(Composed {
                bytes,
                form: Form::Spliced,
                portable_because: None,
            });
        }
        None => match attempt_splice(guest, &inspection, &plan, options)? {
            Attempt::Spliced(bytes) => {
                return Ok(Composed {
                    bytes,
                    form: Form::Spliced,
                    portable_because: None,
                })
            }
            Attempt::Portable(reason) => Some(reason),
        },
    };
    if !plan.direction().has_halves() {
        return Err(ComposeError::NoPortableForm {
            direction: plan.direction(),
            spliced_because: portable_because,
        });
    }
    Ok(Composed {
        bytes: portable(guest, &inspection, &plan, options)?,
        form: Form::Portable,
        portable_because,
    })
}

/// The form [`compose_with`] gives `guest` when `options.form` is `None`, and why it is the
/// portable one: the same splice attempt, without composing the portable form. `inspect`'s
/// prediction is this, so it always equals what compose writes. (The cheaper
/// [`spliceability`] only checks the guest's shape.)
pub fn default_form(
    guest: &[u8],
    options: &ComposeOptions,
) -> Result<(Form, Option<NotSpliceable>), ComposeError> {
    let inspection = inspect(guest)?;
    let plan = plan(&inspection, options.target)?;
    Ok(match attempt_splice(guest, &inspection, &plan, options)? {
        Attempt::Spliced(_) => (Form::Spliced, None),
        Attempt::Portable(reason) if !plan.direction().has_halves() => {
            return Err(ComposeError::NoPortableForm {
                direction: plan.direction(),
                spliced_because: Some(reason),
            })
        }
        Attempt::Portable(reason) => (Form::Portable, Some(reason)),
    })
}

/// The outcome of the default form's splice attempt.
enum Attempt {
    /// The spliced component.
    Spliced(Vec<u8>),
    /// The guest gets the portable form, for this reason.
    Portable(NotSpliceable),
}

/// Splices `guest`, or says why it gets the portable form; an error only when the portable
/// form cannot help either ([`SpliceError::portable_reason`]).
fn attempt_splice(
    guest: &[u8],
    inspection: &Inspection,
    plan: &Plan,
    options: &ComposeOptions,
) -> Result<Attempt, ComposeError> {
    match splice::splice_inspected(guest, inspection, plan, options) {
        Ok(bytes) => Ok(Attempt::Spliced(bytes)),
        Err(e) => match e.portable_reason() {
            Some(reason) => Ok(Attempt::Portable(reason)),
            None => Err(e.into()),
        },
    }
}

/// The portable form: the halves `plan` names around `guest`, wired with wac-graph.
fn portable(
    guest: &[u8],
    inspection: &Inspection,
    plan: &Plan,
    options: &ComposeOptions,
) -> Result<Vec<u8>, ComposeError> {
    let half = |role| {
        adapter(plan.direction(), role).ok_or(ComposeError::NoPortableForm {
            direction: plan.direction(),
            spliced_because: None,
        })
    };
    let sender = if plan.sender {
        let half = half(Role::Sender)?;
        Some(if plan.direction().connects_client() {
            client_name::with_client_name(half.bytes, &options.client_name)
                .map_err(ComposeError::ClientName)?
        } else {
            half.bytes.to_vec()
        })
    } else {
        None
    };
    let receiver = match plan.receiver {
        true => Some(half(Role::Receiver)?.bytes),
        false => None,
    };
    let composed = graph::build(guest, inspection, sender, receiver)?;
    graph::check(&composed, inspection, plan)?;
    Ok(composed)
}
