//! msgbridge's adapters: the portable halves, as component bytes, and the spliced bridges,
//! as core modules.
//!
//! Like wasmtime's `wasi-preview1-component-adapter-provider`, this crate only carries the
//! built adapters: its build script compiles `adapters/` for `wasm32-unknown-unknown` and
//! componentizes each half. Each half imports nothing but messaging interfaces.
//!
//! A direction is named by the guest's world and the host's: `wasi-on-wasmcloud` runs a
//! `wasi:messaging@0.2.0-draft` guest on a `wasmcloud:messaging@0.2.0` host, and
//! `wasmcloud-on-wasi` the reverse. The *sender* half serves the guest's messaging imports;
//! the *receiver* half wraps the guest's handler export.
//!
//! A *bridge* ([`bridge`]) does both jobs of one direction as a single core module that
//! `msgbridge-compose` fuses into the guest's own component as a wit-component adapter
//! (like wasmtime's preview1 adapter): it shares the guest's linear memory and allocator,
//! so it adds no component, memory or copy. It has no data segments; the names it uses
//! with the guest and the composer are defined in `msgbridge_worlds::{bridge, client_name}`. It carries no
//! WIT metadata: the composer embeds the world that fits the guest.

/// Serves a wasi:messaging guest's `types`, `producer` and `request-reply` imports with
/// wasmCloud's `consumer`.
pub const WASI_ON_WASMCLOUD_SENDER: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/wasi-on-wasmcloud-sender.wasm"));

/// Exports wasmCloud's `handler` around a wasi:messaging guest's `incoming-handler`.
pub const WASI_ON_WASMCLOUD_RECEIVER: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/wasi-on-wasmcloud-receiver.wasm"));

/// Serves a wasmcloud:messaging guest's `types` and `consumer` imports with wasi:messaging.
pub const WASMCLOUD_ON_WASI_SENDER: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/wasmcloud-on-wasi-sender.wasm"));

/// Exports wasi:messaging's `incoming-handler` around a wasmcloud:messaging guest's
/// `handler`.
pub const WASMCLOUD_ON_WASI_RECEIVER: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/wasmcloud-on-wasi-receiver.wasm"));

pub use msgbridge_worlds::Direction;

/// The wasi-on-wasmcloud bridge: a core module exporting a wasi:messaging guest's
/// `types`/`producer`/`request-reply` functions (as `types.[constructor]message`, ...) and
/// `wasmcloud:messaging/handler@0.2.0#handle-message`, importing
/// `wasmcloud:messaging/consumer@0.2.0`, the guest's memory and `cabi_realloc`.
pub const WASI_ON_WASMCLOUD_BRIDGE: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/wasi-on-wasmcloud-bridge.wasm"));

/// The wasmcloud-on-wasi bridge: a core module exporting a wasmcloud:messaging guest's
/// `consumer` functions (`consumer.request`, `consumer.publish`) and
/// `wasi:messaging/incoming-handler@0.2.0-draft#handle`, importing
/// `wasi:messaging/{types,producer,request-reply}@0.2.0-draft`, the guest's memory and
/// `cabi_realloc`; its `client.connect` name lives in the globals of
/// `msgbridge_worlds::{bridge, client_name}`.
pub const WASMCLOUD_ON_WASI_BRIDGE: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/wasmcloud-on-wasi-bridge.wasm"));

/// The bridge (core module) for `direction`.
pub fn bridge(direction: Direction) -> &'static [u8] {
    match direction {
        Direction::WasiOnWasmcloud => WASI_ON_WASMCLOUD_BRIDGE,
        Direction::WasmcloudOnWasi => WASMCLOUD_ON_WASI_BRIDGE,
    }
}

/// Which half of a direction an adapter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Serves the guest's messaging imports.
    Sender,
    /// Wraps the guest's handler export.
    Receiver,
}

/// One adapter half.
#[derive(Debug, Clone, Copy)]
pub struct Adapter {
    /// File stem, e.g. `wasi-on-wasmcloud-sender`.
    pub name: &'static str,
    /// Which way it translates.
    pub direction: Direction,
    /// Sender or receiver.
    pub role: Role,
    /// The component.
    pub bytes: &'static [u8],
}

/// All four halves.
pub const ADAPTERS: [Adapter; 4] = [
    Adapter {
        name: "wasi-on-wasmcloud-sender",
        direction: Direction::WasiOnWasmcloud,
        role: Role::Sender,
        bytes: WASI_ON_WASMCLOUD_SENDER,
    },
    Adapter {
        name: "wasi-on-wasmcloud-receiver",
        direction: Direction::WasiOnWasmcloud,
        role: Role::Receiver,
        bytes: WASI_ON_WASMCLOUD_RECEIVER,
    },
    Adapter {
        name: "wasmcloud-on-wasi-sender",
        direction: Direction::WasmcloudOnWasi,
        role: Role::Sender,
        bytes: WASMCLOUD_ON_WASI_SENDER,
    },
    Adapter {
        name: "wasmcloud-on-wasi-receiver",
        direction: Direction::WasmcloudOnWasi,
        role: Role::Receiver,
        bytes: WASMCLOUD_ON_WASI_RECEIVER,
    },
];

/// The half for `direction` and `role`.
pub fn adapter(direction: Direction, role: Role) -> &'static Adapter {
    ADAPTERS
        .iter()
        .find(|a| a.direction == direction && a.role == role)
        .expect("ADAPTERS lists every direction and role")
}
