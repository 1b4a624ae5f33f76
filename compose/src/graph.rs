//! Wiring the guest and the halves with wac-graph, and checking the result.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use wac_graph::types::{InterfaceId, ItemKind, Package};
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

/// How deep a chain of interfaces using one another's types may be; real ones are a few
/// deep (`wasi:http/types` uses `wasi:io/streams`, which uses `wasi:io/error`).
const MAX_USES_DEPTH: usize = 100;

/// Refuses a composition whose interfaces, across all its packages and matched by name as
/// wac-graph merges them ([`msgbridge_worlds::semver_key`]), use one another's types in a cycle, or in a
/// chain deeper than [`MAX_USES_DEPTH`], or use an unnamed interface's types. wac-graph
/// 0.12 encodes an interface's dependencies depth-first before marking it done
/// (`import_deps`, encoding.rs:451), so such a cycle, which a (mutated) guest can bring
/// and still validate, recurses until the stack overflows and the process dies. The
/// compose fuzz target found one (`fuzz/README.md`): a guest importing
/// `wasi:cli/stdin@0.2.6` that uses types of the `wasi:cli/stdin@0.2.12` it also imports,
/// which wac-graph merges into one interface.
fn check_uses(graph: &CompositionGraph) -> Result<(), String> {
    let types = graph.types();
    let mut stack: Vec<InterfaceId> = Vec::new();
    for package in graph.packages() {
        let world = &types[package.ty()];
        stack.extend(world.uses.values().map(|u| u.interface));
        stack.extend(
            world
                .imports
                .values()
                .chain(world.exports.values())
                .filter_map(|kind| match kind {
                    ItemKind::Instance(id) => Some(*id),
                    _ => None,
                }),
        );
    }
    // Interface name -> names of the interfaces whose types it uses.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut seen = HashSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let from = types[id].id.as_deref().map_or_else(
            || "(unnamed)".into(),
            |name| msgbridge_worlds::semver_key(name).to_string(),
        );
        for used in types[id].uses.values() {
            let Some(to) = types[used.interface]
                .id
                .as_deref()
                .map(msgbridge_worlds::semver_key)
            else {
                return Err(format!("{from} uses types of an unnamed interface"));
            };
            edges
                .entry(from.clone())
                .or_default()
                .insert(to.to_string());
            stack.push(used.interface);
        }
    }

    fn visit<'a>(
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        name: &'a str,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Result<(), String> {
        if done.contains(name) {
            return Ok(());
        }
        if let Some(at) = path.iter().position(|p| *p == name) {
            let mut cycle = path[at..].to_vec();
            cycle.push(name);
            return Err(format!(
                "its interfaces use one another's types in a cycle: {}",
                cycle.join(" -> ")
            ));
        }
        if path.len() >= MAX_USES_DEPTH {
            return Err(format!(
                "its interfaces use one another's types more than {MAX_USES_DEPTH} deep"
            ));
        }
        path.push(name);
        for used in edges.get(name).into_iter().flatten() {
            visit(edges, used, path, done)?;
        }
        path.pop();
        done.insert(name);
        Ok(())
    }
    let mut done = BTreeSet::new();
    for name in edges.keys() {
        visit(&edges, name, &mut Vec::new(), &mut done)?;
    }
    Ok(())
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

    check_uses(&graph).map_err(|e| graph_error("encode the composition")(e.into()))?;
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
