//! The *spliced* composition: msgbridge's bridge runs inside the guest's own component.
//!
//! Like wasmtime's preview1 adapter, the bridge of a direction (`msgbridge-adapters`'
//! [`bridge`](msgbridge_adapters::bridge)) is a core module that wit-component fuses into
//! the guest's component as an *adapter*: it imports the guest's memory and `cabi_realloc`,
//! serves the guest's messaging imports as plain core functions and exports the host
//! world's handler, which calls the guest's core export. The result has the guest's one
//! linear memory and no component or copy in between, so it costs what the guest costs.
//!
//! The route is *re-encoding*:
//! 1. [`layout`] finds the main core module (the one defining and exporting a memory and
//!    exporting `cabi_realloc`), the adapters it imports (such as
//!    `wasi_snapshot_preview1`) and the string encoding; a composition of several
//!    components, or a dynamically linked one ([`linked`]), is refused ([`NotSpliceable`]),
//!    the caller then uses the portable form.
//! 2. [`world`] recovers the guest's WIT world from the component and removes the bridged
//!    messaging imports and handler export, which become the bridge's.
//! 3. [`rename`] gathers the main module's bridged imports under the bridge's adapter name.
//! 4. [`bridge`] sets the bridge's client name and world.
//! 5. `wit_component::ComponentEncoder` encodes main module, bridge and the guest's other
//!    adapters (given the guest's imports as their world, and their realloc import named
//!    as before wit-component minimized them, [`adapters`]); [`check`] validates the result.

mod adapters;
mod bridge;
mod check;
mod error;
mod layout;
mod linked;
mod rename;
mod world;

pub use check::memory_definitions;
pub use error::{NotSpliceable, SpliceError};

use std::collections::BTreeMap;

use msgbridge_worlds::bridge::ADAPTER_MODULE;
use msgbridge_worlds::World;
use wasmparser::FuncType;

use crate::{inspect, plan, ComposeOptions, Inspection, Plan};

/// Splices the bridge for `options.target` into `guest`; see the [module docs](self).
///
/// Fails with [`SpliceError::NotSpliceable`] for a guest whose shape the splice route does
/// not handle (the portable composition still applies), and with other variants when the
/// guest needs no adapter or cannot be read.
pub fn splice(guest: &[u8], options: &ComposeOptions) -> Result<Vec<u8>, SpliceError> {
    let inspection = inspect(guest)?;
    let plan = plan(&inspection, options.target)?;
    splice_inspected(guest, &inspection, &plan, options)
}

/// [`splice`] for a guest already inspected and planned.
///
/// wit-component is given worlds msgbridge rebuilt; should it panic on one of them rather
/// than return an error, the guest is reported as not spliceable (so the portable form
/// still applies) instead of taking the caller down.
pub(crate) fn splice_inspected(
    guest: &[u8],
    inspection: &Inspection,
    plan: &Plan,
    options: &ComposeOptions,
) -> Result<Vec<u8>, SpliceError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        splice_unguarded(guest, inspection, plan, options)
    }))
    .unwrap_or_else(|panic| {
        let detail = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("no message");
        Err(NotSpliceable::Wit(format!("wit-component failed on it: {detail}")).into())
    })
}

/// What splicing works from: the guest's parts and WIT world. [`splice_unguarded`] and
/// [`spliceability`] both begin with [`Prepared::read`] and [`Prepared::check`], so they
/// refuse the same guests for the same reasons.
struct Prepared<'a> {
    /// The guest's main module, its adapters and its string encoding.
    layout: layout::Layout<'a>,
    /// The guest's WIT world without the bridged messaging.
    wit: world::GuestWit,
}

impl<'a> Prepared<'a> {
    /// Finds `guest`'s parts and recovers its WIT world, refusing a guest of another shape.
    fn read(guest: &'a [u8], plan: &Plan) -> Result<Self, SpliceError> {
        if !plan.direction.has_bridge() {
            return Err(NotSpliceable::NoBridge {
                direction: plan.direction,
            }
            .into());
        }
        linked::refuse_shared_libraries(guest)?;
        Ok(Prepared {
            layout: layout::find(guest)?,
            wit: world::guest_wit(guest, plan.guest)?,
        })
    }

    /// Checks that the main module exports the handler the bridge calls (when the guest
    /// has one); returns the bridge's function exports, with their core types.
    fn check(&self, plan: &Plan) -> Result<BTreeMap<String, FuncType>, SpliceError> {
        if self.wit.had_handler {
            for name in handler_exports(plan.guest) {
                if !self.layout.main.func_exports.contains(&name) {
                    return Err(NotSpliceable::HandlerExport { missing: name }.into());
                }
            }
        }
        rename::function_exports(bridge::bytes(plan.direction())?)
    }
}

fn splice_unguarded(
    guest: &[u8],
    inspection: &Inspection,
    plan: &Plan,
    options: &ComposeOptions,
) -> Result<Vec<u8>, SpliceError> {
    let mut prepared = Prepared::read(guest, plan)?;
    let bridge = bridge::prepare(
        plan.direction,
        &options.client_name,
        prepared.wit.had_handler,
    )?;
    let provided = prepared.check(plan)?;
    let Prepared { layout, wit } = &mut prepared;
    let mut main = rename::rename_imports(layout.main.bytes, plan.guest, &provided)?;

    let mut adapters = Vec::new();
    for (name, adapter) in &layout.adapters {
        let mut bytes = adapters::reopen(adapter.bytes)?;
        wit.embed_adapter(&mut bytes, &adapter.func_exports, layout.encoding)?;
        adapters.push((name.clone(), bytes));
    }
    wit.embed_main(&mut main, layout.encoding)?;

    let encode = |e: anyhow::Error| SpliceError::Encode(error::boxed(e));
    let mut encoder = wit_component::ComponentEncoder::default();
    encoder.module(&main).map_err(encode)?;
    encoder.adapter(ADAPTER_MODULE, &bridge).map_err(encode)?;
    for (name, bytes) in &adapters {
        encoder.adapter(name, bytes).map_err(encode)?;
    }
    let spliced = encoder.validate(true).encode().map_err(encode)?;
    let mut producer = wasm_metadata::AddMetadata::default();
    producer.processed_by = vec![(
        crate::inspect::PRODUCER.to_string(),
        env!("CARGO_PKG_VERSION").to_string(),
    )];
    let spliced = producer.to_wasm(&spliced).map_err(encode)?;
    check::check(&spliced, inspection, plan)?;
    Ok(spliced)
}

/// Says whether `guest` can be spliced for `options`, without building anything heavy:
/// `Ok(())`, or the reason it gets the portable form. It checks the guest's shape only, so
/// a guest it accepts may still get the portable form; [`crate::default_form`] makes the
/// decision [`crate::compose_with`] makes.
pub fn spliceability(guest: &[u8], options: &ComposeOptions) -> Result<(), SpliceError> {
    let inspection = inspect(guest)?;
    let plan = plan(&inspection, options.target)?;
    let prepared = Prepared::read(guest, &plan)?;
    let provided = prepared.check(&plan)?;
    // What `rename::rename_imports` refuses, short of its type check.
    for (module, name, _) in &prepared.layout.main.imports {
        rename::bridge_export_for(plan.guest, module, name, &provided)?;
    }
    Ok(())
}

/// Copies `payload`'s section byte for byte from `module` (the bytes it was parsed from)
/// into `out`: the rewrites here change one section and keep the others as they are.
/// `what` names the module in the error for a section outside it.
fn copy_section(
    out: &mut wasm_encoder::Module,
    module: &[u8],
    payload: &wasmparser::Payload<'_>,
    what: &str,
) -> Result<(), SpliceError> {
    if let Some((id, range)) = payload.as_section() {
        let data = module
            .get(range.start as usize..range.end as usize)
            .ok_or_else(|| SpliceError::Check(format!("a section lies outside {what}")))?;
        out.section(&wasm_encoder::RawSection { id, data });
    }
    Ok(())
}

/// The guest's core exports the bridge calls for its handler: the function and its
/// post-return, named as wit-component names them.
fn handler_exports(guest: World) -> [String; 2] {
    let export = format!("{}#{}", guest.handler_interface(), guest.handler_function());
    [format!("cabi_post_{export}"), export]
}
