//! Checking a spliced component: it validates, has one linear memory, imports only the
//! guest's other imports and the host world's messaging interfaces, and exports the host
//! world's handler (when the guest had one) and the guest's other exports, never anything
//! of msgbridge's own.

use std::collections::BTreeSet;

use wasmparser::{Parser, Payload};

use super::error::SpliceError;
use crate::inspect::{top_level_names, Inspection};
use crate::Plan;

/// How many linear memories the core modules of `component` define (imports not counted).
pub fn memory_definitions(component: &[u8]) -> Result<usize, SpliceError> {
    let mut count = 0usize;
    for payload in Parser::new(0).parse_all(component) {
        if let Payload::MemorySection(section) = payload.map_err(SpliceError::Parse)? {
            count += section.count() as usize;
        }
    }
    Ok(count)
}

pub(crate) fn check(
    spliced: &[u8],
    inspection: &Inspection,
    plan: &Plan,
) -> Result<(), SpliceError> {
    let fail = |what: String| Err(SpliceError::Check(what));
    let memories = memory_definitions(spliced)?;
    if memories != 1 {
        return fail(format!("it defines {memories} linear memories, not one"));
    }
    let names = top_level_names(spliced).map_err(|e| SpliceError::Check(e.to_string()))?;
    let target = plan.target.world();
    let guest_other: BTreeSet<&String> = inspection.other_imports.iter().collect();
    for import in &names.imports {
        if import.starts_with("msgbridge") {
            return fail(format!("it imports {import}"));
        }
        if !target.owns(import) && !guest_other.contains(import) {
            return fail(format!(
                "it imports {import}, which is neither {target} nor an import of the guest"
            ));
        }
    }
    for export in &names.exports {
        if export.starts_with("msgbridge") || plan.guest.owns(export) {
            return fail(format!("it exports {export}"));
        }
    }
    let handler = target.handler_interface();
    if plan.receiver != names.exports.contains(handler) {
        return fail(format!(
            "it {} {handler}, but the guest {} a handler",
            if plan.receiver {
                "does not export"
            } else {
                "exports"
            },
            if plan.receiver { "has" } else { "has no" },
        ));
    }
    // Interface exports only: `top_level_names` lists instance exports.
    let other_exports: BTreeSet<&String> = names.exports.iter().filter(|e| *e != handler).collect();
    let guest_exports: BTreeSet<&String> = inspection
        .other_exports
        .iter()
        .filter(|e| e.contains(':'))
        .collect();
    if other_exports != guest_exports {
        return fail(format!(
            "its other exports {other_exports:?} are not the guest's {guest_exports:?}"
        ));
    }
    Ok(())
}
