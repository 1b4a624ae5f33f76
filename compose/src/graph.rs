//! Wiring the guest and the halves with wac-graph, and checking the result.

use std::collections::BTreeSet;

use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions, NodeId, PackageId, Processor};

use crate::error::{BoxError, ComposeError};
use crate::inspect::Inspection;
use crate::Plan;

/// The error for a wac-graph step that failed, keeping wac's error as the source.
fn graph_error(step: impl Into<String>) -> impl FnOnce(BoxError) -> ComposeError {
    move |source| ComposeError::Graph {
        step: step.into(),
        source,
    }
}

fn register(
    graph: &mut CompositionGraph,
    name: &str,
    bytes: Vec<u8>,
) -> Result<PackageId, ComposeError> {
    let package = Package::from_bytes(name, None, bytes, graph.types_mut())
        .map_err(|e| graph_error(format!("read {name}"))(e.into()))?;
    graph
        .register_package(package)
        .map_err(|e| graph_error(format!("register {name}"))(e.into()))
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

/// Wires import `to_name` of instance `to` to export `from_name` of instance `from` (the
/// same interface, at semver-compatible versions); the roles name the two instances in
/// errors.
fn connect(
    graph: &mut CompositionGraph,
    (from, from_role, from_name): (NodeId, &str, &str),
    (to, to_role, to_name): (NodeId, &str, &str),
) -> Result<(), ComposeError> {
    let export = graph
        .alias_instance_export(from, from_name)
        .map_err(|e| graph_error(format!("take {from_name} from the {from_role}"))(e.into()))?;
    graph
        .set_instantiation_argument(to, to_name, export)
        .map_err(|e| {
            graph_error(format!(
                "connect {from_name} of the {from_role} to the {to_role}"
            ))(e.into())
        })
}

/// Exports `name` of instance `from` from the composition.
fn export(
    graph: &mut CompositionGraph,
    (from, role): (NodeId, &str),
    name: &str,
) -> Result<(), ComposeError> {
    let node = graph
        .alias_instance_export(from, name)
        .map_err(|e| graph_error(format!("take {name} from the {role}"))(e.into()))?;
    graph
        .export(node, name)
        .map_err(|e| graph_error(format!("export {name} of the {role}"))(e.into()))
}

/// Builds the composition: the sender serves the guest's messaging imports (and the
/// receiver's private import), the receiver consumes the guest's handler export and exports
/// the host world's handler, and every other import of any of them is left to the host.
pub(crate) fn build(
    guest: &[u8],
    inspection: &Inspection,
    sender: Option<Vec<u8>>,
    receiver: Option<&[u8]>,
) -> Result<Vec<u8>, ComposeError> {
    let mut graph = CompositionGraph::new();
    let guest_package = register(&mut graph, "msgbridge:guest", guest.to_vec())?;
    let guest_instance = graph.instantiate(guest_package);
    let guest_imports: BTreeSet<String> = import_names(&graph, guest_package).into_iter().collect();
    let world = inspection.world;
    // The guest's own name for a bridged interface: the same, or a semver-compatible
    // version of it (`consumer@0.2.1` for `consumer@0.2.0`).
    let guest_name = |names: &BTreeSet<String>, bridged: &str| {
        names
            .iter()
            .find(|n| *n == bridged || world.interface(n) == Some(bridged))
            .cloned()
    };

    let mut sender_exports = BTreeSet::new();
    let sender_instance = match sender {
        Some(bytes) => {
            let package = register(&mut graph, "msgbridge:sender", bytes)?;
            let instance = graph.instantiate(package);
            for name in export_names(&graph, package) {
                if let Some(import) = guest_name(&guest_imports, &name) {
                    connect(
                        &mut graph,
                        (instance, "sender", &name),
                        (guest_instance, "guest", &import),
                    )?;
                }
                sender_exports.insert(name);
            }
            Some(instance)
        }
        None => None,
    };

    let handler = world.handler_interface();
    let guest_exports: BTreeSet<String> = export_names(&graph, guest_package).into_iter().collect();
    let guest_handler = guest_name(&guest_exports, handler);
    if let Some(bytes) = receiver {
        let package = register(&mut graph, "msgbridge:receiver", bytes.to_vec())?;
        let instance = graph.instantiate(package);
        for name in import_names(&graph, package) {
            if let (true, Some(exported)) = (name == handler, &guest_handler) {
                connect(
                    &mut graph,
                    (guest_instance, "guest", exported),
                    (instance, "receiver", &name),
                )?;
            } else if let (true, Some(sender)) = (sender_exports.contains(&name), sender_instance) {
                connect(
                    &mut graph,
                    (sender, "sender", &name),
                    (instance, "receiver", &name),
                )?;
            }
        }
        for name in export_names(&graph, package) {
            export(&mut graph, (instance, "receiver"), &name)?;
        }
    }

    for name in guest_exports {
        if Some(&name) == guest_handler.as_ref() {
            continue;
        }
        export(&mut graph, (guest_instance, "guest"), &name)?;
    }

    graph
        .encode(EncodeOptions {
            define_components: true,
            validate: true,
            processor: Some(Processor {
                name: crate::inspect::PRODUCER,
                version: env!("CARGO_PKG_VERSION"),
            }),
        })
        .map_err(|e| graph_error("encode the composition")(e.into()))
}

/// Checks a composition (which wac-graph has validated while encoding): the surface of
/// every adapted component ([`crate::check::check_adapted`]).
pub(crate) fn check(
    composed: &[u8],
    inspection: &Inspection,
    plan: &Plan,
) -> Result<(), ComposeError> {
    crate::check::check_adapted(composed, inspection, plan)
        .map_err(|problem| ComposeError::Check { problem })
}
