//! The names a spliced bridge module and the composer agree on.
//!
//! A *bridge* is a core module that wit-component fuses into a guest's component as an
//! adapter (like wasmtime's preview1 adapter), sharing the guest's linear memory and
//! allocator. Its client name lives in globals laid out as [`crate::client_name`] says.

/// Core module name under which the guest's bridged imports are gathered, and the name the
/// bridge is registered with as a wit-component adapter.
pub const ADAPTER_MODULE: &str = "msgbridge_bridge";

/// Separates an interface's short name from the function in the bridge's export names:
/// the guest's import `wasi:messaging/types@0.2.0-draft` `[constructor]message` becomes
/// `msgbridge_bridge` `types.[constructor]message`.
pub const FIELD_SEPARATOR: char = '.';

/// The wasm global holding the address of a bridge's state (0 until first use).
pub const STATE_GLOBAL: &str = "msgbridge_state";

/// The wasm global wit-component's adapter GC looks for (by this name) to allocate an
/// adapter's shadow stack lazily with the main module's `cabi_realloc`.
pub const ALLOCATION_STATE_GLOBAL: &str = "allocation_state";
