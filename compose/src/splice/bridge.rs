//! Preparing a bridge core module for one guest: its client name and its WIT world.

use msgbridge_worlds::client_name;
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{ConstExpr, GlobalSection, Module};
use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};
use wit_parser::{Resolve, SourceMap};

use super::error::{boxed, SpliceError};
use crate::{Direction, World};

/// The bridge's world: it imports the host world's messaging interfaces it calls (those a
/// guest of that world imports, but `types`, which their `use`s bring in) and, when the
/// guest has a handler, exports the host world's handler. Its package name never reaches
/// the spliced component, which names only interfaces.
fn world_text(host: World, with_handler: bool) -> String {
    let mut text = String::from("package msgbridge:splice@0.1.0;\n\nworld bridge {\n");
    for import in host.guest_imports() {
        if *import != host.types_interface() {
            text.push_str(&format!("  import {import};\n"));
        }
    }
    if with_handler {
        text.push_str(&format!("  export {};\n", host.handler_interface()));
    }
    text.push_str("}\n");
    text
}

/// The host world's messaging package files, from `msgbridge-wit`: a synchronous world's
/// under `wit/deps/` (`ns-name-version`: `wasmcloud-messaging-0.2.0`), an async world's
/// under `wit/async/` (`wasmcloud-messaging-0.3.0`, and `omnia-wasi-messaging` for Omnia's
/// variant, which has the synchronous draft's name).
fn target_package(host: World) -> Option<&'static msgbridge_wit::EmbeddedPackage> {
    let dir = match host {
        World::WasiAsync => "omnia-wasi-messaging".to_string(),
        _ => format!(
            "{}-{}",
            host.package_name().replace(':', "-"),
            host.version()
        ),
    };
    let packages = if host.is_async() {
        msgbridge_wit::ASYNC
    } else {
        msgbridge_wit::BRIDGED
    };
    packages.iter().find(|p| p.dir == dir)
}

/// Embeds the bridge's world into `module`.
fn embed_world(module: &mut Vec<u8>, host: World, with_handler: bool) -> Result<(), SpliceError> {
    let package = target_package(host).ok_or_else(|| {
        SpliceError::BridgeWit("msgbridge-wit has no package for the host world".into())
    })?;
    let mut resolve = Resolve::default();
    let mut map = SourceMap::new();
    for (path, text) in package.files {
        map.push(std::path::Path::new(path), *text);
    }
    let group = map
        .parse()
        .map_err(|(_, e)| SpliceError::BridgeWit(e.into()))?;
    resolve
        .push_group(group)
        .map_err(|e| SpliceError::BridgeWit(e.into()))?;
    let id = resolve
        .push_str("msgbridge-splice.wit", &world_text(host, with_handler))
        .map_err(|e| SpliceError::BridgeWit(e.into()))?;
    let world = resolve
        .select_world(&[id], Some("bridge"))
        .map_err(|e| SpliceError::BridgeWit(e.into()))?;
    wit_component::embed_component_metadata(
        module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .map_err(|e| SpliceError::Metadata {
        what: "bridge",
        source: boxed(e),
    })
}

/// Rewrites the immutable client-name globals of a bridge to `name`.
pub(crate) fn with_client_name(bridge: &[u8], name: &str) -> Result<Vec<u8>, SpliceError> {
    let packed = client_name::pack(name.as_bytes())
        .map_err(|e| SpliceError::ClientName(crate::ClientNameError::Length(e)))?;
    let mut values = vec![(client_name::LEN_GLOBAL.to_string(), packed.len)];
    for (i, word) in packed.words.iter().enumerate() {
        values.push((format!("{}{i}", client_name::WORD_GLOBAL_PREFIX), *word));
    }

    // Global indices by name, from the `name` section; imported globals come first in the
    // index space.
    let mut imported_globals = 0u32;
    let mut names = std::collections::BTreeMap::new();
    for payload in Parser::new(0).parse_all(bridge) {
        match payload.map_err(SpliceError::Parse)? {
            Payload::ImportSection(section) => {
                for import in section.into_imports() {
                    if matches!(import.map_err(SpliceError::Parse)?.ty, TypeRef::Global(_)) {
                        imported_globals += 1;
                    }
                }
            }
            Payload::CustomSection(section) => {
                if let KnownCustom::Name(reader) = section.as_known() {
                    for subsection in reader {
                        if let Name::Global(map) = subsection.map_err(SpliceError::Parse)? {
                            for naming in map {
                                let naming = naming.map_err(SpliceError::Parse)?;
                                names.insert(naming.name.to_string(), naming.index);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut new_values = std::collections::BTreeMap::new();
    for (name, value) in &values {
        let index = names
            .get(name)
            .ok_or_else(|| SpliceError::ClientNameSlot(name.clone()))?;
        new_values.insert(index - imported_globals, *value);
    }

    let rewrite = |source| SpliceError::Rewrite {
        what: "bridge",
        source,
    };
    let mut out = Module::new();
    for payload in Parser::new(0).parse_all(bridge) {
        let payload = payload.map_err(SpliceError::Parse)?;
        if let Payload::GlobalSection(section) = &payload {
            let mut globals = GlobalSection::new();
            for (index, global) in section.clone().into_iter().enumerate() {
                let global = global.map_err(SpliceError::Parse)?;
                let ty = RoundtripReencoder.global_type(global.ty).map_err(rewrite)?;
                let init = match new_values.get(&(index as u32)) {
                    Some(value) if !global.ty.mutable => ConstExpr::i32_const(*value),
                    Some(_) => {
                        return Err(SpliceError::ClientNameSlot(format!(
                            "global {index} is mutable"
                        )))
                    }
                    None => RoundtripReencoder
                        .const_expr(global.init_expr)
                        .map_err(rewrite)?,
                };
                globals.global(ty, &init);
            }
            out.section(&globals);
            continue;
        }
        super::copy_section(&mut out, bridge, &payload, "the bridge")?;
    }
    Ok(out.finish())
}

/// The prebuilt bridge for `direction`, or why there is none.
pub(crate) fn bytes(direction: Direction) -> Result<&'static [u8], SpliceError> {
    msgbridge_adapters::bridge(direction)
        .ok_or_else(|| super::NotSpliceable::NoBridge { direction }.into())
}

/// The bridge for `direction`, with `client_name` (used by the wasmcloud-on-wasi bridge)
/// and the world that exports the handler only when the guest has one.
pub(crate) fn prepare(
    direction: Direction,
    client_name: &str,
    with_handler: bool,
) -> Result<Vec<u8>, SpliceError> {
    let bytes = bytes(direction)?;
    let mut module = if direction.connects_client() {
        with_client_name(bytes, client_name)?
    } else {
        bytes.to_vec()
    };
    embed_world(&mut module, direction.host(), with_handler)?;
    Ok(module)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global_values(module: &[u8]) -> Vec<i32> {
        let mut values = Vec::new();
        for payload in Parser::new(0).parse_all(module) {
            if let Payload::GlobalSection(section) = payload.unwrap() {
                for global in section {
                    let global = global.unwrap();
                    let mut ops = global.init_expr.get_operators_reader();
                    if let wasmparser::Operator::I32Const { value } = ops.read().unwrap() {
                        values.push(value);
                    }
                }
            }
        }
        values
    }

    #[test]
    fn the_client_name_lands_in_the_globals_and_nothing_else_changes() {
        let bridge = msgbridge_adapters::WASMCLOUD_ON_WASI_BRIDGE;
        let named = with_client_name(bridge, "orders").unwrap();
        wasmparser::Validator::new().validate_all(&named).unwrap();
        let before = global_values(bridge);
        let after = global_values(&named);
        assert_eq!(before.len(), after.len());
        let packed = client_name::pack(b"orders").unwrap();
        let default = client_name::pack(client_name::DEFAULT.as_bytes()).unwrap();
        assert!(after.contains(&packed.len) && after.contains(&packed.words[0]));
        assert!(before.contains(&default.words[0]) && !after.contains(&default.words[0]));
        let changed = before.iter().zip(&after).filter(|(a, b)| a != b).count();
        assert_eq!(changed, 3, "length and two words differ");
    }

    #[test]
    fn the_bridge_world_imports_what_it_calls_and_exports_the_hosts_handler() {
        assert_eq!(
            world_text(World::Wasmcloud, true),
            "package msgbridge:splice@0.1.0;\n\nworld bridge {\n  \
             import wasmcloud:messaging/consumer@0.2.0;\n  \
             export wasmcloud:messaging/handler@0.2.0;\n}\n"
        );
        assert_eq!(
            world_text(World::Wasi, false),
            "package msgbridge:splice@0.1.0;\n\nworld bridge {\n  \
             import wasi:messaging/producer@0.2.0-draft;\n  \
             import wasi:messaging/request-reply@0.2.0-draft;\n}\n"
        );
        assert_eq!(
            world_text(World::WasmcloudAsync, true),
            "package msgbridge:splice@0.1.0;\n\nworld bridge {\n  \
             import wasmcloud:messaging/consumer@0.3.0;\n  \
             export wasmcloud:messaging/handler@0.3.0;\n}\n"
        );
        for direction in Direction::ALL.into_iter().filter(|d| d.has_bridge()) {
            assert!(target_package(direction.host()).is_some(), "{direction}");
        }
    }

    #[test]
    fn bad_names_are_refused() {
        let bridge = msgbridge_adapters::WASMCLOUD_ON_WASI_BRIDGE;
        assert!(matches!(
            with_client_name(bridge, ""),
            Err(SpliceError::ClientName(crate::ClientNameError::Length(
                client_name::InvalidName { len: 0 }
            )))
        ));
        assert!(matches!(
            with_client_name(msgbridge_adapters::WASI_ON_WASMCLOUD_BRIDGE, "x"),
            Err(SpliceError::ClientNameSlot(_))
        ));
    }
}
