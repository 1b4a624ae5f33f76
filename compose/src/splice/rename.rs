//! Gathering the main module's imports of the bridged interfaces under the bridge's one
//! adapter module name, so that wit-component routes them to the bridge.
//!
//! `wasi:messaging/types@0.2.0-draft` `[constructor]message` becomes
//! `msgbridge_bridge` `types.[constructor]message` (see `msgbridge_worlds::bridge`). Only the
//! import section is rebuilt; every other section is copied byte for byte, so a 12 MB
//! module costs a copy, not a re-encoding.

use std::collections::BTreeMap;

use msgbridge_worlds::bridge::{ADAPTER_MODULE, FIELD_SEPARATOR};
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{ImportSection, Module};
use wasmparser::{FuncType, Parser, Payload, TypeRef};

use super::error::{NotSpliceable, SpliceError};
use crate::World;

/// The bridge's export name for the guest's import `module` `name`, when `module` is an
/// interface of `world` (the guest's messaging world).
pub(crate) fn bridged_field(world: World, module: &str, name: &str) -> Option<String> {
    if !world.owns(module) {
        return None;
    }
    let short = module.split_once('/')?.1.split_once('@')?.0;
    Some(format!("{short}{FIELD_SEPARATOR}{name}"))
}

/// Whether an import module names `world`'s messaging package in any form.
fn mentions_package(world: World, module: &str) -> bool {
    let package = world.package();
    let name = package.split_once('@').map_or(package, |(name, _)| name);
    module.contains(&format!("{name}/"))
}

/// The bridge's export serving the guest's import `module` `name`: `None` for an import
/// of no bridged interface (it stays as it is); refused for one the bridge does not export
/// (among `provided`), and for a messaging import under another naming scheme (such as
/// `cm32p2|…`), which is not the bridge's to serve.
pub(crate) fn bridge_export_for<'p>(
    world: World,
    module: &str,
    name: &str,
    provided: &'p BTreeMap<String, FuncType>,
) -> Result<Option<(String, &'p FuncType)>, SpliceError> {
    let unbridged = || {
        SpliceError::from(NotSpliceable::UnbridgedImport {
            module: module.to_string(),
            name: name.to_string(),
        })
    };
    match bridged_field(world, module, name) {
        Some(field) => match provided.get(&field) {
            Some(ty) => Ok(Some((field, ty))),
            None => Err(unbridged()),
        },
        None if mentions_package(world, module) => Err(unbridged()),
        None => Ok(None),
    }
}

/// Returns `main` with its imports of `world`'s interfaces renamed to the bridge's
/// exports, after checking that the bridge (whose function exports, with their types, are
/// `provided`) has every one of them, with the same core type.
pub(crate) fn rename_imports(
    main: &[u8],
    world: World,
    provided: &BTreeMap<String, FuncType>,
) -> Result<Vec<u8>, SpliceError> {
    let mut types = Vec::new();
    let mut out = Module::new();
    let rewrite = |source| SpliceError::Rewrite {
        what: "main",
        source,
    };
    for payload in Parser::new(0).parse_all(main) {
        let payload = payload.map_err(SpliceError::Parse)?;
        if let Payload::TypeSection(section) = &payload {
            types = func_types(section.clone())?;
        }
        if let Payload::ImportSection(section) = &payload {
            let mut imports = ImportSection::new();
            for import in section.clone().into_imports() {
                let import = import.map_err(SpliceError::Parse)?;
                let ty = RoundtripReencoder.entity_type(import.ty).map_err(rewrite)?;
                let Some((field, expected)) =
                    bridge_export_for(world, import.module, import.name, provided)?
                else {
                    imports.import(import.module, import.name, ty);
                    continue;
                };
                let found = match import.ty {
                    TypeRef::Func(index) => types.get(index as usize).cloned().flatten(),
                    _ => None,
                };
                if found.as_ref() != Some(expected) {
                    return Err(SpliceError::ImportType {
                        interface: import.module.to_string(),
                        function: import.name.to_string(),
                        expected: expected.to_string(),
                        found: found
                            .map_or_else(|| "not a function".to_string(), |t| t.to_string()),
                    });
                }
                imports.import(ADAPTER_MODULE, &field, ty);
            }
            out.section(&imports);
            continue;
        }
        super::copy_section(&mut out, main, &payload, "its module")?;
    }
    Ok(out.finish())
}

/// The function types of a type section, by type index (`None` for other kinds of type).
fn func_types(
    section: wasmparser::TypeSectionReader<'_>,
) -> Result<Vec<Option<FuncType>>, SpliceError> {
    let mut types = Vec::new();
    for group in section {
        for ty in group.map_err(SpliceError::Parse)?.into_types() {
            types.push(match ty.composite_type.inner {
                wasmparser::CompositeInnerType::Func(f) => Some(f),
                _ => None,
            });
        }
    }
    Ok(types)
}

/// A core module's function exports, with their types.
pub(crate) fn function_exports(module: &[u8]) -> Result<BTreeMap<String, FuncType>, SpliceError> {
    let mut types = Vec::new();
    // The type index of every function, imported ones first.
    let mut functions: Vec<u32> = Vec::new();
    let mut exports = BTreeMap::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(SpliceError::Parse)? {
            Payload::TypeSection(section) => types = func_types(section)?,
            Payload::ImportSection(section) => {
                for import in section.into_imports() {
                    if let TypeRef::Func(index) = import.map_err(SpliceError::Parse)?.ty {
                        functions.push(index);
                    }
                }
            }
            Payload::FunctionSection(section) => {
                for index in section {
                    functions.push(index.map_err(SpliceError::Parse)?);
                }
            }
            Payload::ExportSection(section) => {
                for export in section {
                    let export = export.map_err(SpliceError::Parse)?;
                    if export.kind != wasmparser::ExternalKind::Func {
                        continue;
                    }
                    let ty = functions
                        .get(export.index as usize)
                        .and_then(|t| types.get(*t as usize).cloned().flatten())
                        .ok_or_else(|| {
                            SpliceError::Check(format!(
                                "the bridge's export `{}` has no function type",
                                export.name
                            ))
                        })?;
                    exports.insert(export.name.to_string(), ty);
                }
            }
            _ => {}
        }
    }
    Ok(exports)
}

#[cfg(test)]
mod tests {
    use super::*;
    use msgbridge_worlds::{WASI_TYPES, WASMCLOUD_CONSUMER};

    #[test]
    fn bridged_fields_use_the_interface_short_name() {
        assert_eq!(
            bridged_field(World::Wasi, WASI_TYPES, "[constructor]message").as_deref(),
            Some("types.[constructor]message")
        );
        assert_eq!(
            bridged_field(World::Wasmcloud, WASMCLOUD_CONSUMER, "request").as_deref(),
            Some("consumer.request")
        );
        assert_eq!(
            bridged_field(World::Wasi, "wasi:cli/stdout@0.2.0", "get-stdout"),
            None
        );
        assert_eq!(bridged_field(World::Wasmcloud, WASI_TYPES, "x"), None);
        assert!(mentions_package(
            World::Wasi,
            "cm32p2|wasi:messaging/types@0.2"
        ));
        assert!(!mentions_package(World::Wasi, WASMCLOUD_CONSUMER));
    }
}
