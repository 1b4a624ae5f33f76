//! What every adapted component must look like, whichever form it has: it imports only the
//! guest's other imports and the host world's messaging interfaces, exports the host
//! world's handler exactly when the guest had one plus the guest's other exports, and never
//! imports or exports anything of msgbridge's private package or the guest's own world.

use std::collections::BTreeSet;

use msgbridge_worlds::PRIVATE_PACKAGE;

use crate::inspect::{top_level_world_names, Inspection};
use crate::Plan;

/// Checks the imports and exports of `adapted`, made for `inspection`'s guest by `plan`;
/// the error says what is wrong.
pub(crate) fn check_adapted(
    adapted: &[u8],
    inspection: &Inspection,
    plan: &Plan,
) -> Result<(), String> {
    let names = top_level_world_names(adapted).map_err(|e| format!("it is unreadable: {e}"))?;
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
        // (A wasi guest's and Omnia's async world share their names: a name of both is the
        // target's.)
        if export.starts_with(PRIVATE_PACKAGE) || (plan.guest.owns(export) && !target.owns(export))
        {
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
    // Every other export of the guest, interface or function, package-named or plain
    // (componentize-py's instance `exports`), is re-exported under its name, and nothing else.
    let other_exports: BTreeSet<&String> = names.exports.iter().filter(|e| *e != handler).collect();
    let guest_exports: BTreeSet<&String> = inspection.other_exports.iter().collect();
    if other_exports != guest_exports {
        return Err(format!(
            "its other exports {other_exports:?} are not the guest's {guest_exports:?}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{compose_with, inspect, plan, ComposeOptions, Form, World};

    /// The shape with plain-named exports (an instance `exports`, a function `version`),
    /// composed for wasi in `form`, with its inspection and plan.
    fn composed(form: Form) -> (Vec<u8>, Inspection, Plan) {
        let guest = msgbridge_test_shapes::PLAIN_NAMED_EXPORTS.component();
        let inspection = inspect(&guest).expect("the shape inspects");
        let plan = plan(&inspection, World::Wasi).expect("a plan");
        let options = ComposeOptions {
            form: Some(form),
            ..ComposeOptions::new(World::Wasi)
        };
        let bytes = compose_with(&guest, &options).expect("it composes").bytes;
        (bytes, inspection, plan)
    }

    #[test]
    fn every_other_export_must_be_kept_exactly() {
        for form in [Form::Spliced, Form::Portable] {
            let (bytes, inspection, plan) = composed(form);
            assert_eq!(check_adapted(&bytes, &inspection, &plan), Ok(()));
            // Had the guest exported one more plain-named export, the output dropped it:
            // refused, whichever kind of name it has.
            for extra in ["dropped", "ns:pkg/dropped@1.0.0"] {
                let mut more = inspection.clone();
                more.other_exports.push(extra.to_string());
                let err = check_adapted(&bytes, &more, &plan).unwrap_err();
                assert!(
                    err.contains("are not the guest's") && err.contains(extra),
                    "{form:?} {extra}: {err}"
                );
            }
            // And an export the guest does not have is refused too.
            let mut fewer = inspection.clone();
            fewer.other_exports.retain(|e| e != "version");
            let err = check_adapted(&bytes, &fewer, &plan).unwrap_err();
            assert!(err.contains("\"version\""), "{form:?}: {err}");
        }
    }
}
