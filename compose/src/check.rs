//! What every adapted component must look like, whichever form it has: it imports only the
//! guest's other imports and the host world's messaging interfaces, exports the host
//! world's handler exactly when the guest had one plus the guest's other exports, and never
//! imports or exports anything of msgbridge's private package or the guest's own world.

use std::collections::BTreeSet;

use msgbridge_worlds::PRIVATE_PACKAGE;

use crate::inspect::{top_level_names, Inspection};
use crate::Plan;

/// Checks the imports and exports of `adapted`, made for `inspection`'s guest by `plan`;
/// the error says what is wrong.
pub(crate) fn check_adapted(
    adapted: &[u8],
    inspection: &Inspection,
    plan: &Plan,
) -> Result<(), String> {
    let names = top_level_names(adapted).map_err(|e| format!("it is unreadable: {e}"))?;
    let target = plan.target;
    let guest_other: BTreeSet<&String> = inspection.other_imports.iter().collect();
    for import in &names.imports {
        if import.starts_with(PRIVATE_PACKAGE) {
            return Err(format!("it imports the private interface {import}"));
        }
        if !target.owns(import) && !guest_other.contains(import) {
            return Err(format!(
                "it imports {import}, which is neither {target} nor an import of the guest"
            ));
        }
    }
    for export in &names.exports {
        if export.starts_with(PRIVATE_PACKAGE) || plan.guest.owns(export) {
            return Err(format!("it exports {export}"));
        }
    }
    let handler = target.handler_interface();
    if plan.receiver != names.exports.contains(handler) {
        return Err(format!(
            "it {} {handler}, but the guest {} a handler",
            if plan.receiver {
                "does not export"
            } else {
                "exports"
            },
            if plan.receiver { "has" } else { "has no" },
        ));
    }
    // `top_level_names` lists instance exports only, while the guest's list also holds its
    // function exports. An interface named by its package (`ns:pkg/iface`) must be re-exported
    // exactly; a plain-named one (componentize-py's `exports`) may be an instance or a function,
    // so each plain-named instance export must merely be one of the guest's exports.
    let other_exports: BTreeSet<&String> = names.exports.iter().filter(|e| *e != handler).collect();
    let guest_all: BTreeSet<&String> = inspection.other_exports.iter().collect();
    let guest_interfaces: BTreeSet<&String> = guest_all
        .iter()
        .copied()
        .filter(|e| e.contains(':'))
        .collect();
    let interfaces: BTreeSet<&String> = other_exports
        .iter()
        .copied()
        .filter(|e| e.contains(':'))
        .collect();
    let unknown: BTreeSet<&String> = other_exports
        .iter()
        .copied()
        .filter(|e| !guest_all.contains(e))
        .collect();
    if interfaces != guest_interfaces || !unknown.is_empty() {
        return Err(format!(
            "its other exports {other_exports:?} do not match the guest's {guest_all:?}"
        ));
    }
    Ok(())
}
