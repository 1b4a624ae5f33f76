//! The **wasi-on-wasmcloud bridge**: runs a `wasi:messaging@0.2.0-draft` guest on a host
//! that serves only `wasmcloud:messaging@0.2.0`, as a core module fused into the guest's
//! own component (a wit-component adapter named `msgbridge_bridge`).
//!
//! - The guest's core imports of `wasi:messaging/{types,producer,request-reply}` are
//!   renamed by `msgbridge-compose` to this module's exports (`types.[constructor]message`,
//!   `producer.send`, ...). They receive and return canonical-ABI values in the guest's
//!   own memory: arguments are copied before returning, results are allocated with the
//!   guest's `cabi_realloc` (the guest owns and frees them), and resource handles are this
//!   bridge's table indices.
//! - Only `wasmcloud:messaging/consumer` is imported from the host.
//! - `wasmcloud:messaging/handler#handle-message` is exported to the host; it makes a
//!   `message` that remembers the delivery's `reply-to` and calls the guest's core export
//!   `wasi:messaging/incoming-handler@0.2.0-draft#handle`.
//!
//! The behaviour is the one of the portable halves (`wasi-on-wasmcloud-sender` and
//! `-receiver`), with the rules and texts of `msgbridge-mapping` (`docs/mapping.md`).

#![no_std]

/// The host calls wasmCloud v2.8's `@0.3.0` makes `async`: here, `@0.2.0`'s.
mod host {
    #[link(wasm_import_module = "wasmcloud:messaging/consumer@0.2.0")]
    unsafe extern "C" {
        #[link_name = "request"]
        pub fn consumer_request(sp: u32, sl: u32, bp: u32, bl: u32, timeout_ms: u32, ret: u32);
        #[link_name = "publish"]
        pub fn consumer_publish(
            sp: u32,
            sl: u32,
            bp: u32,
            bl: u32,
            rd: u32,
            rp: u32,
            rl: u32,
            ret: u32,
        );
    }
}

include!("body.rs");

/// `wasmcloud:messaging/handler.handle-message`: hands the delivery to the guest's
/// `incoming-handler.handle` as a message that remembers `reply-to`.
#[unsafe(export_name = "wasmcloud:messaging/handler@0.2.0#handle-message")]
pub extern "C" fn handle_message(
    sp: u32,
    sl: u32,
    bp: u32,
    bl: u32,
    rd: u32,
    rp: u32,
    rl: u32,
) -> u32 {
    deliver(sp, sl, bp, bl, rd, rp, rl)
}
