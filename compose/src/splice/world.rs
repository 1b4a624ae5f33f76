//! The WIT worlds of the spliced component's core modules.
//!
//! The main module inside a component has lost its `component-type` section, so its world
//! is rebuilt from the component's own WIT (`wit_parser::decoding::decode`), less the
//! bridged messaging imports and handler export, which now belong to the bridge. An
//! adapter kept from the guest has lost its section too; it gets the guest's (trimmed)
//! imports as its world, which covers every WIT function it can import.

use wit_parser::decoding::{decode, DecodedWasm};
use wit_parser::{Resolve, WorldId, WorldItem, WorldKey};

use super::error::{boxed, NotSpliceable, SpliceError};
use crate::World;

/// The guest's WIT, with the bridged items removed from its world.
pub(crate) struct GuestWit {
    /// Every package the component's types mention.
    pub resolve: Resolve,
    /// The guest's world without the bridged interfaces.
    pub world: WorldId,
    /// Whether the guest exported its world's handler (which the bridge now exports).
    pub had_handler: bool,
}

/// Decodes `component`'s world and removes `guest`'s messaging imports and handler export.
pub(crate) fn guest_wit(component: &[u8], guest: World) -> Result<GuestWit, SpliceError> {
    let (mut resolve, world) = match decode(component) {
        Ok(DecodedWasm::Component(resolve, world)) => (resolve, world),
        Ok(DecodedWasm::WitPackage(..)) => {
            return Err(NotSpliceable::Wit("it is a WIT package, not a component".into()).into())
        }
        Err(e) => return Err(NotSpliceable::Wit(format!("{e:#}")).into()),
    };
    let names: Vec<(WorldKey, String, bool)> = {
        let w = &resolve.worlds[world];
        w.imports
            .keys()
            .map(|k| (k.clone(), resolve.name_world_key(k), true))
            .chain(
                w.exports
                    .keys()
                    .map(|k| (k.clone(), resolve.name_world_key(k), false)),
            )
            .collect()
    };
    let mut had_handler = false;
    let w = &mut resolve.worlds[world];
    for (key, name, import) in names {
        if import && guest.owns(&name) {
            w.imports.shift_remove(&key);
        } else if !import && guest.interface(&name) == Some(guest.handler_interface()) {
            w.exports.shift_remove(&key);
            had_handler = true;
        }
    }
    Ok(GuestWit {
        resolve,
        world,
        had_handler,
    })
}

impl GuestWit {
    /// Embeds the guest's (trimmed) world into the main module.
    pub(crate) fn embed_main(
        &self,
        module: &mut Vec<u8>,
        encoding: wit_component::StringEncoding,
    ) -> Result<(), SpliceError> {
        wit_component::embed_component_metadata(module, &self.resolve, self.world, encoding)
            .map_err(|e| SpliceError::Metadata {
                what: "main",
                source: boxed(e),
            })
    }

    /// Embeds, into an adapter kept from the guest, a world importing everything the
    /// guest's world imports and exporting the guest's exports whose functions the adapter
    /// defines (`exports` are the adapter's function export names).
    pub(crate) fn embed_adapter(
        &mut self,
        module: &mut Vec<u8>,
        exports: &std::collections::BTreeSet<String>,
        encoding: wit_component::StringEncoding,
    ) -> Result<(), SpliceError> {
        let mut world = self.resolve.worlds[self.world].clone();
        world.name = format!("{}-adapter-{}", world.name, self.resolve.worlds.len());
        let resolve = &self.resolve;
        world.exports.retain(|key, item| match item {
            WorldItem::Interface { id, .. } => {
                let prefix = resolve.name_world_key(key);
                resolve.interfaces[*id]
                    .functions
                    .keys()
                    .any(|f| exports.contains(&format!("{prefix}#{f}")))
            }
            WorldItem::Function(f) => exports.contains(&f.name),
            WorldItem::Type { .. } => false,
        });
        let moved: Vec<WorldKey> = world.exports.keys().cloned().collect();
        let id = self.resolve.worlds.alloc(world);
        for key in moved {
            self.resolve.worlds[self.world].exports.shift_remove(&key);
        }
        wit_component::embed_component_metadata(module, &self.resolve, id, encoding).map_err(|e| {
            SpliceError::Metadata {
                what: "adapter",
                source: boxed(e),
            }
        })
    }
}
