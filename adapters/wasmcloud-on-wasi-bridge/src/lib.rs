//! The **wasmcloud-on-wasi bridge**: runs a `wasmcloud:messaging@0.2.0` guest on a host
//! that serves only `wasi:messaging@0.2.0-draft`, as a core module fused into the guest's
//! own component (a wit-component adapter named `msgbridge_bridge`).
//!
//! - The guest's core imports of `wasmcloud:messaging/consumer` are renamed by
//!   `msgbridge-compose` to this module's exports `consumer.request` and
//!   `consumer.publish`. Results are written to the guest's return area with strings and
//!   lists allocated by the guest's `cabi_realloc`, which the guest owns.
//! - Only `wasi:messaging/{types,producer,request-reply}` are imported from the host.
//! - `wasi:messaging/incoming-handler#handle` is exported to the host; it calls the
//!   guest's core export `wasmcloud:messaging/handler@0.2.0#handle-message` with the reply
//!   subject `_INBOX.msgbridge.reply.N`, and a guest's publish to that subject while the
//!   message is handled becomes a wasi `reply` on it.
//! - The client is connected on first use with the name held in the compose-time globals
//!   of `msgbridge_worlds::client_name` (default `default`).
//!
//! The behaviour is the one of the portable halves (`wasmcloud-on-wasi-sender` and
//! `-receiver`), with the rules and texts of `msgbridge-mapping` (`docs/mapping.md`).

#![no_std]

/// The host calls Omnia's async variant makes `async`: here, the synchronous draft's.
mod host {
    #[link(wasm_import_module = "wasi:messaging/types@0.2.0-draft")]
    unsafe extern "C" {
        #[link_name = "[static]client.connect"]
        pub fn client_connect(np: u32, nl: u32, ret: u32);
    }

    #[link(wasm_import_module = "wasi:messaging/producer@0.2.0-draft")]
    unsafe extern "C" {
        #[link_name = "send"]
        pub fn producer_send(c: u32, tp: u32, tl: u32, m: u32, ret: u32);
    }

    #[link(wasm_import_module = "wasi:messaging/request-reply@0.2.0-draft")]
    unsafe extern "C" {
        #[link_name = "request"]
        pub fn rr_request(c: u32, tp: u32, tl: u32, m: u32, od: u32, oh: u32, ret: u32);
        #[link_name = "reply"]
        pub fn rr_reply(r: u32, m: u32, ret: u32);
    }
}

include!("body.rs");

/// `wasi:messaging/incoming-handler.handle`: calls the guest's `handle-message` with the
/// message's topic and data and a fresh reply subject, then drops the message.
#[unsafe(export_name = "wasi:messaging/incoming-handler@0.2.0-draft#handle")]
pub extern "C" fn handle(m: u32) -> u32 {
    deliver(m)
}
