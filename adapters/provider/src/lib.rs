//! msgbridge's adapters, prebuilt: the eight portable halves as components and the two
//! spliced bridges as core modules, with the `MANIFEST` of their SHA-256.
//!
//! Like wasmtime's `wasi-preview1-component-adapter-provider`, this crate only carries the
//! built adapters (`artefacts/`), so depending on it needs no wasm target and no build
//! step. They are rebuilt from `adapters/` by `cargo run -p msgbridge-adapters-build`, and
//! the test command rebuilds them and fails if a single byte differs.
//!
//! A direction is named by the guest's world and the host's: `wasi-on-wasmcloud` runs a
//! `wasi:messaging@0.2.0-draft` guest on a `wasmcloud:messaging@0.2.0` host, and
//! `wasmcloud-on-wasi` the reverse; `wasi-async-on-wasmcloud-async` and
//! `wasmcloud-async-on-wasi-async` do the same between the two asynchronous worlds.
//!
//! - A *half* is a component: the *sender* serves the guest's messaging imports, the
//!   *receiver* wraps the guest's handler export; they talk through a private interface.
//!   Each imports nothing but messaging interfaces and carries its package metadata.
//! - A *bridge* ([`bridge`]) does both jobs of one direction as a single core module that
//!   `msgbridge-compose` fuses into the guest's own component as a wit-component adapter
//!   (like wasmtime's preview1 adapter): it shares the guest's linear memory and allocator,
//!   so it adds no component, memory or copy. It has no data segments; the names it uses
//!   with the guest and the composer are defined in `msgbridge_worlds::{bridge,
//!   client_name}`. It carries no WIT metadata: the composer embeds the world that fits
//!   the guest.

pub use msgbridge_worlds::Direction;

/// Which part of a direction an artefact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A portable half (a component).
    Half,
    /// A spliced bridge (a core module).
    Bridge,
}

/// Which half of a direction an adapter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Serves the guest's messaging imports.
    Sender,
    /// Wraps the guest's handler export.
    Receiver,
}

/// One prebuilt adapter.
#[derive(Debug, Clone, Copy)]
pub struct Artefact {
    /// Its name, also its crate's under `adapters/`: e.g. `wasi-on-wasmcloud-sender`.
    pub name: &'static str,
    /// Half or bridge.
    pub kind: Kind,
    /// Which way it translates.
    pub direction: Direction,
    /// For a half, sender or receiver.
    pub role: Option<Role>,
    /// What it does, in one sentence (also its package description).
    pub description: &'static str,
    /// The component (half) or core module (bridge).
    pub bytes: &'static [u8],
}

impl Artefact {
    /// Its file name: `NAME.wasm`.
    pub fn file_name(&self) -> String {
        format!("{}.wasm", self.name)
    }
}

macro_rules! artefact {
    ($name:literal, $kind:expr, $direction:expr, $role:expr, $description:literal) => {
        Artefact {
            name: $name,
            kind: $kind,
            direction: $direction,
            role: $role,
            description: $description,
            bytes: include_bytes!(concat!("../artefacts/", $name, ".wasm")),
        }
    };
}

/// Every prebuilt adapter: the synchronous directions' four halves, their two bridges, the
/// asynchronous directions' four halves (no bridge: see `Direction::has_bridge`), then the
/// bridges of a synchronous guest on an asynchronous host (no halves: see
/// `Direction::has_halves`).
pub const ARTEFACTS: &[Artefact] = &[
    artefact!(
        "wasi-on-wasmcloud-sender",
        Kind::Half,
        Direction::WasiOnWasmcloud,
        Some(Role::Sender),
        "Serves a wasi:messaging@0.2.0-draft guest's imports with wasmcloud:messaging@0.2.0's consumer."
    ),
    artefact!(
        "wasi-on-wasmcloud-receiver",
        Kind::Half,
        Direction::WasiOnWasmcloud,
        Some(Role::Receiver),
        "Exports wasmcloud:messaging@0.2.0's handler around a wasi:messaging@0.2.0-draft guest's incoming-handler."
    ),
    artefact!(
        "wasmcloud-on-wasi-sender",
        Kind::Half,
        Direction::WasmcloudOnWasi,
        Some(Role::Sender),
        "Serves a wasmcloud:messaging@0.2.0 guest's consumer import with wasi:messaging@0.2.0-draft."
    ),
    artefact!(
        "wasmcloud-on-wasi-receiver",
        Kind::Half,
        Direction::WasmcloudOnWasi,
        Some(Role::Receiver),
        "Exports wasi:messaging@0.2.0-draft's incoming-handler around a wasmcloud:messaging@0.2.0 guest's handler."
    ),
    artefact!(
        "wasi-on-wasmcloud-bridge",
        Kind::Bridge,
        Direction::WasiOnWasmcloud,
        None,
        "Spliced into a wasi:messaging@0.2.0-draft guest: serves its imports with wasmcloud:messaging@0.2.0 and exports wasmCloud's handler."
    ),
    artefact!(
        "wasmcloud-on-wasi-bridge",
        Kind::Bridge,
        Direction::WasmcloudOnWasi,
        None,
        "Spliced into a wasmcloud:messaging@0.2.0 guest: serves its consumer import with wasi:messaging@0.2.0-draft and exports wasi's incoming-handler."
    ),
    artefact!(
        "wasi-async-on-wasmcloud-async-sender",
        Kind::Half,
        Direction::WasiAsyncOnWasmcloudAsync,
        Some(Role::Sender),
        "Serves an async wasi:messaging@0.2.0-draft (Omnia) guest's imports with wasmcloud:messaging@0.3.0's consumer."
    ),
    artefact!(
        "wasi-async-on-wasmcloud-async-receiver",
        Kind::Half,
        Direction::WasiAsyncOnWasmcloudAsync,
        Some(Role::Receiver),
        "Exports wasmcloud:messaging@0.3.0's handler around an async wasi:messaging@0.2.0-draft (Omnia) guest's incoming-handler."
    ),
    artefact!(
        "wasmcloud-async-on-wasi-async-sender",
        Kind::Half,
        Direction::WasmcloudAsyncOnWasiAsync,
        Some(Role::Sender),
        "Serves a wasmcloud:messaging@0.3.0 guest's consumer import with the async wasi:messaging@0.2.0-draft (Omnia)."
    ),
    artefact!(
        "wasmcloud-async-on-wasi-async-receiver",
        Kind::Half,
        Direction::WasmcloudAsyncOnWasiAsync,
        Some(Role::Receiver),
        "Exports the async wasi:messaging@0.2.0-draft (Omnia) incoming-handler around a wasmcloud:messaging@0.3.0 guest's handler."
    ),
    artefact!(
        "wasmcloud-on-wasmcloud-async-bridge",
        Kind::Bridge,
        Direction::WasmcloudOnWasmcloudAsync,
        None,
        "Spliced into a synchronous wasmcloud:messaging@0.2.0 guest: serves its consumer import with the async wasmcloud:messaging@0.3.0 and exports @0.3.0's async handler."
    ),
    artefact!(
        "wasi-on-wasi-async-bridge",
        Kind::Bridge,
        Direction::WasiOnWasiAsync,
        None,
        "Spliced into a synchronous wasi:messaging@0.2.0-draft guest: passes its imports to Omnia's async variant, waiting for the async ones, and exports the async incoming-handler."
    ),
    artefact!(
        "wasi-on-wasmcloud-async-bridge",
        Kind::Bridge,
        Direction::WasiOnWasmcloudAsync,
        None,
        "Spliced into a synchronous wasi:messaging@0.2.0-draft guest: serves its imports with wasmcloud:messaging@0.3.0 and exports @0.3.0's async handler."
    ),
    artefact!(
        "wasmcloud-on-wasi-async-bridge",
        Kind::Bridge,
        Direction::WasmcloudOnWasiAsync,
        None,
        "Spliced into a synchronous wasmcloud:messaging@0.2.0 guest: serves its consumer import with Omnia's async wasi:messaging and exports its async incoming-handler."
    ),
];

/// `SHA256  BYTES  FILE` for every artefact, as `msgbridge-adapters-build` wrote it.
pub const MANIFEST: &str = include_str!("../artefacts/MANIFEST");

/// The half for `direction` and `role`, if halves are built for it
/// ([`Direction::has_halves`]).
pub fn adapter(direction: Direction, role: Role) -> Option<&'static Artefact> {
    ARTEFACTS
        .iter()
        .find(|a| a.direction == direction && a.role == Some(role))
}

/// The bridge (core module) for `direction`, if one is built for it
/// ([`Direction::has_bridge`]).
pub fn bridge(direction: Direction) -> Option<&'static [u8]> {
    ARTEFACTS
        .iter()
        .find(|a| a.direction == direction && a.kind == Kind::Bridge)
        .map(|a| a.bytes)
}

/// The half that serves a wasi guest's imports on a wasmCloud host.
pub const WASI_ON_WASMCLOUD_SENDER: &[u8] = ARTEFACTS[0].bytes;
/// The half that exports wasmCloud's handler around a wasi guest.
pub const WASI_ON_WASMCLOUD_RECEIVER: &[u8] = ARTEFACTS[1].bytes;
/// The half that serves a wasmCloud guest's imports on a wasi host.
pub const WASMCLOUD_ON_WASI_SENDER: &[u8] = ARTEFACTS[2].bytes;
/// The half that exports wasi's incoming-handler around a wasmCloud guest.
pub const WASMCLOUD_ON_WASI_RECEIVER: &[u8] = ARTEFACTS[3].bytes;
/// The wasi-on-wasmcloud bridge.
pub const WASI_ON_WASMCLOUD_BRIDGE: &[u8] = ARTEFACTS[4].bytes;
/// The wasmcloud-on-wasi bridge.
pub const WASMCLOUD_ON_WASI_BRIDGE: &[u8] = ARTEFACTS[5].bytes;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_kind_directions_have_two_halves_and_the_sync_guests_a_bridge() {
        for direction in Direction::ALL {
            for role in [Role::Sender, Role::Receiver] {
                let Some(half) = adapter(direction, role) else {
                    assert!(!direction.has_halves(), "{direction} has no {role:?} half");
                    continue;
                };
                assert!(direction.has_halves());
                assert_eq!(half.kind, Kind::Half);
                assert_eq!(
                    half.name,
                    format!(
                        "{direction}-{}",
                        match role {
                            Role::Sender => "sender",
                            Role::Receiver => "receiver",
                        }
                    )
                );
                assert!(!half.bytes.is_empty());
            }
            assert_eq!(
                bridge(direction).is_some_and(|b| !b.is_empty()),
                direction.has_bridge()
            );
        }
        assert_eq!(ARTEFACTS.len(), 14);
    }

    #[test]
    fn the_manifest_lists_every_artefact_with_its_size() {
        for artefact in ARTEFACTS {
            let line = MANIFEST
                .lines()
                .find(|l| l.ends_with(&format!("  {}", artefact.file_name())))
                .unwrap_or_else(|| panic!("MANIFEST has no line for {}", artefact.name));
            let size: usize = line.split("  ").nth(1).unwrap().parse().unwrap();
            assert_eq!(size, artefact.bytes.len(), "{}", artefact.name);
        }
        assert_eq!(MANIFEST.lines().count(), ARTEFACTS.len());
    }
}
