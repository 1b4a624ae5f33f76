//! Finding which messaging world a component speaks.

use std::collections::BTreeSet;

use wasmparser::component_types::ComponentEntityType;
use wasmparser::names::{ComponentName, ComponentNameKind};
use wasmparser::types::Types;
use wasmparser::{ComponentExternalKind, Parser, Payload};
use wit_parser::decoding::{decode, DecodedWasm};
use wit_parser::{FunctionKind, InterfaceId, Resolve, WorldItem, WorldKey};

use msgbridge_worlds::World;

use crate::error::{InspectError, Shape};

/// One messaging interface a component imports or exports, with the functions it uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceUse {
    /// Full name, e.g. `wasi:messaging/producer@0.2.0-draft`.
    pub name: String,
    /// Functions of it the component imports or exports (resource members as
    /// `[method]message.data`), in the component's order.
    pub functions: Vec<String>,
}

/// A component that msgbridge itself adapted: its producers section says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adapted {
    /// The msgbridge version that adapted it.
    pub version: String,
    /// Its form: spliced (no nested component) or portable (halves around the guest).
    pub form: crate::Form,
}

/// What [`inspect`] found in a component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// The messaging world it speaks.
    pub world: World,
    /// Set when msgbridge already adapted it (for a host of `world`).
    pub adapted: Option<Adapted>,
    /// Messaging interfaces it imports.
    pub messaging_imports: Vec<InterfaceUse>,
    /// Messaging interfaces it exports.
    pub messaging_exports: Vec<InterfaceUse>,
    /// Its other imports (names), which a composition passes through to the host.
    pub other_imports: Vec<String>,
    /// Its other exports (names), which a composition re-exports.
    pub other_exports: Vec<String>,
}

/// Reads `bytes` as a component and finds the messaging world it speaks.
///
/// The four worlds are told apart by package and version and, for the two wasi worlds,
/// which share both, by the shape of the functions: Omnia's `async func`s are
/// `wasi-async`, the draft's plain ones `wasi` (a component using only functions the two
/// texts share is `wasi`).
///
/// Refuses input that is not a component, that uses no messaging interface, both families
/// of worlds or a synchronous and an asynchronous world together, and `wasi:messaging` or
/// `wasmcloud:messaging` texts other than those four.
pub fn inspect(bytes: &[u8]) -> Result<Inspection, InspectError> {
    msgbridge_worlds::require_component(bytes)?;
    let types = validate(bytes)?;
    check_function_names(bytes, &types)?;
    let (resolve, world) = match decode_without_panicking(bytes)? {
        DecodedWasm::Component(resolve, world) => (resolve, world),
        DecodedWasm::WitPackage(..) => return Err(InspectError::WitPackage),
    };
    let references = References::load()?;

    let mut messaging_imports = Vec::new();
    let mut messaging_exports = Vec::new();
    // Each messaging interface used, with the worlds its shape fits.
    let mut fits: Vec<(String, Vec<World>)> = Vec::new();
    let mut other_imports = Vec::new();
    let mut other_exports = Vec::new();
    let world = &resolve.worlds[world];
    for (items, messaging, other) in [
        (&world.imports, &mut messaging_imports, &mut other_imports),
        (&world.exports, &mut messaging_exports, &mut other_exports),
    ] {
        for (key, item) in items {
            let name = resolve.name_world_key(key);
            match (key, item) {
                (WorldKey::Interface(id), WorldItem::Interface { .. })
                    if messaging_world(&resolve, *id).is_some() =>
                {
                    fits.push((
                        name.clone(),
                        check_shape(&resolve, *id, &name, &references)?,
                    ));
                    messaging.push(InterfaceUse {
                        functions: resolve.interfaces[*id].functions.keys().cloned().collect(),
                        name,
                    });
                }
                _ => other.push(name),
            }
        }
    }

    let of_family = |family: World| {
        fits.iter()
            .find(|(_, worlds)| worlds.iter().any(|w| w.sync_counterpart() == family))
    };
    let world = match (of_family(World::Wasi), of_family(World::Wasmcloud)) {
        (Some((w, _)), Some((c, _))) => {
            return Err(InspectError::MixedWorlds {
                wasi: w.clone(),
                wasmcloud: c.clone(),
            })
        }
        (Some(_), None) => one_world(&fits, World::Wasi)?,
        (None, Some(_)) => one_world(&fits, World::Wasmcloud)?,
        (None, None) => {
            return Err(InspectError::NoMessaging {
                imports: other_imports,
            })
        }
    };
    Ok(Inspection {
        world,
        adapted: adapted_by_msgbridge(bytes),
        messaging_imports,
        messaging_exports,
        other_imports,
        other_exports,
    })
}

/// The one world of `family` (`wasi` or `wasmcloud`) that every interface's shape fits:
/// the synchronous one when both do, refused when the synchronous and the asynchronous
/// world are mixed.
fn one_world(fits: &[(String, Vec<World>)], family: World) -> Result<World, InspectError> {
    let asynchronous = World::ALL
        .into_iter()
        .find(|w| w.is_async() && w.sync_counterpart() == family)
        .unwrap_or(family);
    let fits_all = |world: World| fits.iter().all(|(_, worlds)| worlds.contains(&world));
    if fits_all(family) {
        return Ok(family);
    }
    if fits_all(asynchronous) {
        return Ok(asynchronous);
    }
    let only = |world: World| {
        fits.iter()
            .find(|(_, worlds)| worlds == &[world])
            .map(|(name, _)| name.clone())
            .unwrap_or_default()
    };
    Err(InspectError::MixedKinds {
        sync: only(family),
        asynchronous: only(asynchronous),
        world: asynchronous,
    })
}

/// The texts a messaging interface is compared with: the bridged packages and each async
/// package, which cannot share one [`Resolve`] (Omnia's has the draft's name).
struct References {
    /// The bridged packages (`wit/deps`).
    sync: Resolve,
    /// wasmCloud v2.8's `wasmcloud:messaging@0.3.0`.
    wasmcloud_async: Resolve,
    /// Omnia's async `wasi:messaging@0.2.0-draft`.
    wasi_async: Resolve,
}

impl References {
    fn load() -> Result<References, InspectError> {
        let embedded = |source| InspectError::EmbeddedWit { source };
        let sync = msgbridge_wit::resolve().map_err(embedded)?.0;
        let mut asynchronous = Vec::new();
        for package in msgbridge_wit::ASYNC {
            asynchronous.push(msgbridge_wit::resolve_async(package).map_err(embedded)?.0);
        }
        let missing = || InspectError::EmbeddedWit {
            source: msgbridge_wit::WitError::Parse {
                package: "wit/async".into(),
                message: "an async package is missing".into(),
            },
        };
        let wasi_async = asynchronous.pop().ok_or_else(missing)?;
        let wasmcloud_async = asynchronous.pop().ok_or_else(missing)?;
        Ok(References {
            sync,
            wasmcloud_async,
            wasi_async,
        })
    }

    /// The text of `world`'s package.
    fn of(&self, world: World) -> &Resolve {
        match world {
            World::Wasi | World::Wasmcloud => &self.sync,
            World::WasiAsync => &self.wasi_async,
            World::WasmcloudAsync => &self.wasmcloud_async,
        }
    }

    /// `world`'s interface called `interface_name`, if its package has one.
    fn interface(&self, world: World, interface_name: &str) -> Option<&wit_parser::Interface> {
        let reference = self.of(world);
        reference
            .packages
            .iter()
            .find(|(_, p)| {
                format!("{}:{}", p.name.namespace, p.name.name) == world.package_name()
                    && p.name.version.as_ref().map(ToString::to_string).as_deref()
                        == Some(world.version())
            })
            .and_then(|(_, p)| p.interfaces.get(interface_name))
            .map(|id| &reference.interfaces[*id])
    }
}

/// `wit_parser::decoding::decode`, with a panic turned into a refusal.
///
/// wit-parser 0.258 panics on some components the validator accepts: the fuzz harness
/// found `unreachable!()` in `convert_function` (refused before decoding by
/// [`check_function_names`]) and in `Resolve::type_interface_dep` (resolve/mod.rs:1598, for
/// a type of an interface that aliases a type no interface owns; see `fuzz/README.md`).
/// Rather than end the process on the next such input, a panic in `decode` refuses the
/// component as WIT that cannot be decoded. The panic hook still runs, so the default hook
/// prints the panic's message on stderr.
fn decode_without_panicking(bytes: &[u8]) -> Result<DecodedWasm, InspectError> {
    match std::panic::catch_unwind(|| decode(bytes)) {
        Ok(decoded) => decoded.map_err(|e| InspectError::Decode { source: e.into() }),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            Err(InspectError::Decode {
                source: format!("wit-parser panicked on it ({message}), a wit-parser bug").into(),
            })
        }
    }
}

/// The package (`ns:name`) and version of an interface.
fn package_of(resolve: &Resolve, id: InterfaceId) -> Option<(String, Option<String>)> {
    let package = resolve.interfaces[id].package?;
    let name = &resolve.packages[package].name;
    Some((
        format!("{}:{}", name.namespace, name.name),
        name.version.as_ref().map(ToString::to_string),
    ))
}

/// The producer this crate writes into every component it makes (`processed-by`).
pub(crate) const PRODUCER: &str = "msgbridge";

/// Whether msgbridge made `bytes` (its top-level producers section lists
/// `processed-by msgbridge`), and in which form.
fn adapted_by_msgbridge(bytes: &[u8]) -> Option<Adapted> {
    let producers = wasm_metadata::Producers::from_wasm(bytes).ok().flatten()?;
    let version = producers.get("processed-by")?.get(PRODUCER)?.clone();
    // The portable form nests the halves, components with code of their own; the spliced
    // form has code only at the top (nested components there are wit-component's
    // type-only shims).
    let mut depth = 0usize;
    let mut nested_code = false;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload {
            Ok(Payload::ComponentSection { .. }) => depth += 1,
            Ok(Payload::ModuleSection { .. }) => {
                nested_code |= depth > 0;
                depth += 1;
            }
            Ok(Payload::End(_)) => depth = depth.saturating_sub(1),
            Err(_) => return None,
            _ => {}
        }
    }
    Some(Adapted {
        version,
        form: if nested_code {
            crate::Form::Portable
        } else {
            crate::Form::Spliced
        },
    })
}

/// Validates `bytes` as a component with every feature wasmparser knows.
pub(crate) fn validate(bytes: &[u8]) -> Result<Types, InspectError> {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .map_err(|source| InspectError::Invalid { source })
}

/// Refuses a function named like an interface, a dependency, a URL or a hash (say a
/// function `wasi:cli/stdin@0.2.6`) among the component's imports and exports or the
/// functions of the instances it imports or exports. The validator accepts such names, but
/// wit-parser 0.258's `decode` panics on them (`unreachable!()` in `convert_function`,
/// `decoding.rs:1229`), which the fuzz harness found (`fuzz/README.md`); refused here, they
/// get an error like any other WIT that cannot be decoded.
fn check_function_names(bytes: &[u8], types: &Types) -> Result<(), InspectError> {
    let names = top_level_externs(bytes)?;
    let items = names
        .imports
        .iter()
        .filter_map(|name| Some((name, types.component_item_for_import(name)?)))
        .chain(
            names
                .exports
                .iter()
                .filter_map(|name| Some((name, types.component_item_for_export(name)?))),
        );
    for (extern_name, item) in items {
        let functions: Vec<&str> = match item.ty {
            ComponentEntityType::Func(_) => vec![extern_name.as_str()],
            ComponentEntityType::Instance(id) => types[id]
                .exports
                .iter()
                .filter(|(_, item)| matches!(item.ty, ComponentEntityType::Func(_)))
                .map(|(name, _)| name.as_str())
                .collect(),
            _ => Vec::new(),
        };
        for function in functions {
            let plain = ComponentName::new(function, 0).is_ok_and(|name| {
                matches!(
                    name.kind(),
                    ComponentNameKind::Label(_)
                        | ComponentNameKind::Constructor(_)
                        | ComponentNameKind::Method(_)
                        | ComponentNameKind::Static(_)
                )
            });
            if !plain {
                return Err(InspectError::Decode {
                    source: format!(
                        "function `{function}` (in `{extern_name}`) is named like an \
                         interface, not like a function"
                    )
                    .into(),
                });
            }
        }
    }
    Ok(())
}

/// The synchronous world whose package (at any version) the interface belongs to: the
/// family, `wasi` or `wasmcloud`.
fn messaging_world(resolve: &Resolve, id: InterfaceId) -> Option<World> {
    let (package, _) = package_of(resolve, id)?;
    World::SYNC
        .into_iter()
        .find(|w| w.package_name() == package)
}

/// Advice for an interface of `world`'s package at `version`, which msgbridge does not
/// know (wasmCloud v1's synchronous `wasmcloud:messaging@0.3.0` has its own).
fn version_hint(world: World, version: &str) -> String {
    let (wasmcloud, wasi) = (World::Wasmcloud, World::Wasi);
    match (world, version) {
        (World::Wasmcloud, "0.3.0") => format!(
            "; this synchronous {}@0.3.0 is wasmCloud v1's experimental rename of the wasi draft \
             (v1.5-1.9, feature `wasmcloud-messaging-v3`): rebuild against {} and compose with \
             --target {}",
            wasmcloud.package_name(),
            wasi.package(),
            wasmcloud.name()
        ),
        (World::Wasmcloud | World::WasmcloudAsync, _) => format!(
            "; rebuild against {} (or the async {})",
            wasmcloud.package(),
            World::WasmcloudAsync.package()
        ),
        (World::Wasi | World::WasiAsync, _) => format!(
            "; rebuild against {} (WebAssembly/wasi-messaging 4ee59bb)",
            wasi.package()
        ),
    }
}

/// The worlds a messaging interface's shape fits: one, or both wasi worlds for an
/// interface whose functions the two texts share. Refuses versions and shapes that fit
/// none.
fn check_shape(
    resolve: &Resolve,
    id: InterfaceId,
    name: &str,
    references: &References,
) -> Result<Vec<World>, InspectError> {
    let Some(family) = messaging_world(resolve, id) else {
        return Ok(Vec::new());
    };
    let (_, version) = package_of(resolve, id).unwrap_or_default();
    let version = version.unwrap_or_default();
    let interface = &resolve.interfaces[id];
    let interface_name = interface.name.clone().unwrap_or_default();
    if family == World::Wasmcloud {
        let world = if World::Wasmcloud.owns(name) {
            World::Wasmcloud
        } else if World::WasmcloudAsync.owns(name) && is_async(resolve, id) {
            World::WasmcloudAsync
        } else {
            return Err(InspectError::UnsupportedVersion {
                interface: name.to_string(),
                hint: version_hint(family, &version),
            });
        };
        compare(interface, &interface_name, name, world, references)?;
        return Ok(vec![world]);
    }
    if !World::Wasi.owns(name) {
        return Err(InspectError::UnsupportedVersion {
            interface: name.to_string(),
            hint: version_hint(family, &version),
        });
    }
    if matches!(
        interface_name.as_str(),
        "messaging-types" | "consumer" | "messaging-guest"
    ) {
        return Err(InspectError::UnsupportedShape {
            interface: name.to_string(),
            shape: Shape::February2024,
            detail: format!("it has no interface `{interface_name}` in the bridged draft"),
        });
    }
    let sync = compare(interface, &interface_name, name, World::Wasi, references);
    let asynchronous = compare(
        interface,
        &interface_name,
        name,
        World::WasiAsync,
        references,
    );
    match (sync, asynchronous) {
        (Ok(()), Ok(())) => Ok(vec![World::Wasi, World::WasiAsync]),
        (Ok(()), Err(_)) => Ok(vec![World::Wasi]),
        (Err(_), Ok(())) => Ok(vec![World::WasiAsync]),
        // Measured against the text it is closer to: Omnia's when it has an async func.
        (Err(sync), Err(asynchronous)) => {
            Err(if interface.functions.values().any(is_async_function) {
                asynchronous
            } else {
                sync
            })
        }
    }
}

/// Refuses `interface` (called `name`, `interface_name` in its package) unless every
/// function of it is one of `world`'s text, with the same parameters, `async` as there.
fn compare(
    interface: &wit_parser::Interface,
    interface_name: &str,
    name: &str,
    world: World,
    references: &References,
) -> Result<(), InspectError> {
    let unsupported = |shape, detail: String| {
        if world.is_async() {
            InspectError::UnsupportedAsyncShape {
                interface: name.to_string(),
                world,
                detail,
            }
        } else {
            InspectError::UnsupportedShape {
                interface: name.to_string(),
                shape,
                detail,
            }
        }
    };
    let Some(ours) = references.interface(world, interface_name) else {
        return Err(unsupported(
            Shape::Unknown,
            format!("the package has no interface `{interface_name}`"),
        ));
    };
    for function in interface.functions.values() {
        let Some(expected) = ours.functions.get(&function.name) else {
            return Err(unsupported(
                Shape::Unknown,
                format!("the interface has no function `{}`", function.name),
            ));
        };
        let params = |f: &wit_parser::Function| -> Vec<String> {
            f.params.iter().map(|p| p.name.clone()).collect()
        };
        if params(function) != params(expected) {
            let shape = if world == World::Wasi
                && function.name == "request"
                && !params(function).iter().any(|p| p == "topic")
            {
                Shape::October2024
            } else {
                Shape::Unknown
            };
            return Err(unsupported(
                shape,
                format!(
                    "`{}` takes ({}) where {} takes ({})",
                    function.name,
                    params(function).join(", "),
                    world.name(),
                    params(expected).join(", ")
                ),
            ));
        }
        if is_async_function(function) != is_async_function(expected) {
            let (found, wanted) = if is_async_function(function) {
                ("an async func", "a synchronous one")
            } else {
                ("a synchronous func", "an async one")
            };
            return Err(unsupported(
                Shape::Unknown,
                format!(
                    "`{}` is {found} where {} has {wanted}",
                    function.name,
                    world.name()
                ),
            ));
        }
    }
    Ok(())
}

/// Whether `f` is an `async func`.
fn is_async_function(f: &wit_parser::Function) -> bool {
    matches!(
        f.kind,
        FunctionKind::AsyncFreestanding
            | FunctionKind::AsyncMethod(_)
            | FunctionKind::AsyncStatic(_)
    )
}

/// Whether any function of the interface `id`, or of an interface of its package, is an
/// `async func` (a world may import only a package's `types` of an async shape).
fn is_async(resolve: &Resolve, id: InterfaceId) -> bool {
    let Some(package) = resolve.interfaces[id].package else {
        return false;
    };
    resolve.packages[package].interfaces.values().any(|i| {
        resolve.interfaces[*i]
            .functions
            .values()
            .any(is_async_function)
    })
}

/// The top-level import and export names of a component, straight from its binary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopLevelNames {
    /// Import names.
    pub imports: BTreeSet<String>,
    /// Export names of instances (interfaces).
    pub exports: BTreeSet<String>,
}

/// Lists a component's top-level imports and instance exports.
pub fn top_level_names(bytes: &[u8]) -> Result<TopLevelNames, InspectError> {
    top_level(bytes, |kind| kind == ComponentExternalKind::Instance)
}

/// Lists a component's top-level imports and its exports of the kinds a WIT world exports
/// (instances and functions), named as [`Inspection::other_exports`] names them.
pub fn top_level_world_names(bytes: &[u8]) -> Result<TopLevelNames, InspectError> {
    top_level(bytes, |kind| {
        matches!(
            kind,
            ComponentExternalKind::Instance | ComponentExternalKind::Func
        )
    })
}

/// Lists a component's top-level imports and exports of every kind.
fn top_level_externs(bytes: &[u8]) -> Result<TopLevelNames, InspectError> {
    top_level(bytes, |_| true)
}

/// Lists a component's top-level imports and the exports whose kind `keep` accepts.
fn top_level(
    bytes: &[u8],
    keep: impl Fn(ComponentExternalKind) -> bool,
) -> Result<TopLevelNames, InspectError> {
    let mut names = TopLevelNames::default();
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|source| InspectError::Invalid { source })? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(section) if depth == 0 => {
                for import in section {
                    let import = import.map_err(|source| InspectError::Invalid { source })?;
                    names.imports.insert(import.name.name.to_string());
                }
            }
            Payload::ComponentExportSection(section) if depth == 0 => {
                for export in section {
                    let export = export.map_err(|source| InspectError::Invalid { source })?;
                    if keep(export.kind) {
                        names.exports.insert(export.name.name.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    Ok(names)
}
