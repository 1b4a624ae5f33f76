//! Wiring the guest and the halves with wac-graph, and checking the result.

use std::collections::BTreeSet;

use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions, NodeId, PackageId, Processor};

use crate::error::Error;
use crate::inspect::{top_level_names, Inspection};
use crate::Plan;

fn compose_error(context: &str) -> impl Fn(&dyn std::fmt::Display) -> Error + '_ {
    move |e| Error::Compose(format!("{context}: {e:#}"))
}

fn register(graph: &mut CompositionGraph, name: &str, bytes: Vec<u8>) -> Result<PackageId, Error> {
    let package = Package::from_bytes(name, None, bytes, graph.types_mut())
        .map_err(|e| compose_error(name)(&format!("{e:#}")))?;
    graph
        .register_package(package)
        .map_err(|e| compose_error(name)(&e))
}

fn export_names(graph: &CompositionGraph, package: PackageId) -> Vec<String> {
    graph.types()[graph[package].ty()]
        .exports
        .keys()
        .cloned()
        .collect()
}

fn import_names(graph: &CompositionGraph, package: PackageId) -> Vec<String> {
    graph.types()[graph[package].ty()]
        .imports
        .keys()
        .cloned()
        .collect()
}

/// Wires `import` of instance `to` to export `name` of instance `from`.
fn connect(
    graph: &mut CompositionGraph,
    from: NodeId,
    name: &str,
    to: NodeId,
) -> Result<(), Error> {
    let export = graph
        .alias_instance_export(from, name)
        .map_err(|e| compose_error(name)(&e))?;
    graph
        .set_instantiation_argument(to, name, export)
        .map_err(|e| compose_error(name)(&e))
}

/// Builds the composition: the sender serves the guest's messaging imports (and the
/// receiver's private import), the receiver consumes the guest's handler export and exports
/// the host world's handler, and every other import of any of them is left to the host.
pub(crate) fn build(
    guest: &[u8],
    inspection: &Inspection,
    sender: Option<Vec<u8>>,
    receiver: Option<&[u8]>,
) -> Result<Vec<u8>, Error> {
    let mut graph = CompositionGraph::new();
    let guest_package = register(&mut graph, "msgbridge:guest", guest.to_vec())?;
    let guest_instance = graph.instantiate(guest_package);
    let guest_imports: BTreeSet<String> = import_names(&graph, guest_package).into_iter().collect();

    let mut sender_exports = BTreeSet::new();
    let sender_instance = match sender {
        Some(bytes) => {
            let package = register(&mut graph, "msgbridge:sender", bytes)?;
            let instance = graph.instantiate(package);
            for name in export_names(&graph, package) {
                if guest_imports.contains(&name) {
                    connect(&mut graph, instance, &name, guest_instance)?;
                }
                sender_exports.insert(name);
            }
            Some(instance)
        }
        None => None,
    };

    let handler = inspection.world.handler_interface();
    if let Some(bytes) = receiver {
        let package = register(&mut graph, "msgbridge:receiver", bytes.to_vec())?;
        let instance = graph.instantiate(package);
        for name in import_names(&graph, package) {
            if name == handler {
                connect(&mut graph, guest_instance, &name, instance)?;
            } else if let (true, Some(sender)) = (sender_exports.contains(&name), sender_instance) {
                connect(&mut graph, sender, &name, instance)?;
            }
        }
        for name in export_names(&graph, package) {
            let export = graph
                .alias_instance_export(instance, &name)
                .map_err(|e| compose_error(&name)(&e))?;
            graph
                .export(export, &name)
                .map_err(|e| compose_error(&name)(&e))?;
        }
    }

    for name in export_names(&graph, guest_package) {
        if name == handler {
            continue;
        }
        let export = graph
            .alias_instance_export(guest_instance, &name)
            .map_err(|e| compose_error(&name)(&e))?;
        graph
            .export(export, &name)
            .map_err(|e| compose_error(&name)(&e))?;
    }

    graph
        .encode(EncodeOptions {
            define_components: true,
            validate: true,
            processor: Some(Processor {
                name: "msgbridge",
                version: env!("CARGO_PKG_VERSION"),
            }),
        })
        .map_err(|e| compose_error("encoding")(&format!("{e:#}")))
}

/// Checks a composition: only the target world's messaging interfaces and the guest's other
/// imports are imported; no private interface and nothing of the guest's own messaging
/// world is imported or exported; the receiver's handler and the guest's other exports are.
pub(crate) fn check(composed: &[u8], inspection: &Inspection, plan: &Plan) -> Result<(), Error> {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(composed)
        .map_err(|e| Error::Check(format!("does not validate: {e}")))?;
    let names = top_level_names(composed)?;
    let target = plan.target.world();
    let guest_other: BTreeSet<&String> = inspection.other_imports.iter().collect();
    for import in &names.imports {
        if import.starts_with(msgbridge_wit::PRIVATE_PACKAGE) {
            return Err(Error::Check(format!("imports private interface {import}")));
        }
        if !target.owns(import) && !guest_other.contains(import) {
            return Err(Error::Check(format!(
                "imports {import}, which is neither {target} nor an import of the guest"
            )));
        }
    }
    for export in &names.exports {
        if export.starts_with(msgbridge_wit::PRIVATE_PACKAGE) || plan.guest.owns(export) {
            return Err(Error::Check(format!("exports {export}")));
        }
    }
    if plan.receiver && !names.exports.contains(target.handler_interface()) {
        return Err(Error::Check(format!(
            "does not export {}",
            target.handler_interface()
        )));
    }
    Ok(())
}
