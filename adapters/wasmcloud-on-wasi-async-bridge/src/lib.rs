//! The **wasmcloud-on-wasi-async bridge**: runs a synchronous `wasmcloud:messaging@0.2.0`
//! guest on a host that serves Omnia's async `wasi:messaging`, as a core module fused into
//! the guest's own component (a wit-component adapter named `msgbridge_bridge`).
//!
//! It is `wasmcloud-on-wasi-bridge` (whose body it includes: the same translation, rules and
//! texts, `docs/mapping.md`) with two differences, both of the async host:
//!
//! - the host calls Omnia makes `async` (`client.connect`, `producer.send`,
//!   `request-reply.request`, `reply`) are called async-lowered and waited for inside the
//!   host's task (`msgbridge_bridge_runtime::waits`), which a portable adapter could not do
//!   (a synchronous export may not block: `Task.may_block`);
//! - `incoming-handler.handle` is exported async-lifted (with a callback it never needs),
//!   raising backpressure while the non-reentrant guest handles a delivery, and returns the
//!   guest's result with `task.return`.

#![no_std]

/// The host calls Omnia's async variant makes `async`, waited for: the same signatures as
/// the synchronous draft's, which the body calls.
mod host {
    use msgbridge_bridge_runtime::store32;
    use msgbridge_bridge_runtime::store8;

    #[link(wasm_import_module = "wasi:messaging/types@0.2.0-draft")]
    unsafe extern "C" {
        #[link_name = "[async-lower][static]client.connect"]
        fn async_connect(np: u32, nl: u32, ret: u32) -> u32;
    }

    #[link(wasm_import_module = "wasi:messaging/producer@0.2.0-draft")]
    unsafe extern "C" {
        #[link_name = "[async-lower]send"]
        fn async_send(c: u32, tp: u32, tl: u32, m: u32, ret: u32) -> u32;
    }

    #[link(wasm_import_module = "wasi:messaging/request-reply@0.2.0-draft")]
    unsafe extern "C" {
        #[link_name = "[async-lower]request"]
        fn async_request(params: u32, ret: u32) -> u32;
        #[link_name = "[async-lower]reply"]
        fn async_reply(r: u32, m: u32, ret: u32) -> u32;
    }

    /// `client.connect`, waited for.
    pub unsafe fn client_connect(np: u32, nl: u32, ret: u32) {
        // SAFETY: the caller's arguments stay valid until the call returns.
        let status = unsafe { async_connect(np, nl, ret) };
        crate::st().waits.finish_call(status);
    }

    /// `producer.send`, waited for.
    pub unsafe fn producer_send(c: u32, tp: u32, tl: u32, m: u32, ret: u32) {
        // SAFETY: as above.
        let status = unsafe { async_send(c, tp, tl, m, ret) };
        crate::st().waits.finish_call(status);
    }

    /// `request-reply.request`, waited for; its six flat parameters go through the
    /// parameter area.
    pub unsafe fn rr_request(c: u32, tp: u32, tl: u32, m: u32, od: u32, oh: u32, ret: u32) {
        let params = crate::st().params.as_mut_ptr() as usize as u32;
        // SAFETY: the parameter area is the bridge's; the arguments stay valid until the
        // call returns.
        unsafe {
            store32(params as *mut u8, c);
            store32((params + 4) as *mut u8, tp);
            store32((params + 8) as *mut u8, tl);
            store32((params + 12) as *mut u8, m);
            store8((params + 16) as *mut u8, od as u8);
            store32((params + 20) as *mut u8, oh);
            let status = async_request(params, ret);
            crate::st().waits.finish_call(status);
        }
    }

    /// `request-reply.reply`, waited for.
    pub unsafe fn rr_reply(r: u32, m: u32, ret: u32) {
        // SAFETY: as above.
        let status = unsafe { async_reply(r, m, ret) };
        crate::st().waits.finish_call(status);
    }
}

include!("../../wasmcloud-on-wasi-bridge/src/body.rs");

#[link(wasm_import_module = "[export]wasi:messaging/incoming-handler@0.2.0-draft")]
unsafe extern "C" {
    #[link_name = "[task-return]handle"]
    fn task_return(is_err: u32, case: u32, p: u32, len: u32);
}

/// `incoming-handler.handle`, async-lifted: the delivery as `wasmcloud-on-wasi-bridge`
/// makes it, its result returned with `task.return`.
#[unsafe(export_name = "[async-lift]wasi:messaging/incoming-handler@0.2.0-draft#handle")]
pub extern "C" fn handle(m: u32) -> u32 {
    msgbridge_bridge_runtime::waits::begin_delivery();
    let ret = deliver(m);
    // SAFETY: `ret` is the bridge's return area, its text the bridge's until the next
    // delivery.
    unsafe {
        task_return(
            load32(ret as *const u8),
            load32((ret + 4) as *const u8),
            load32((ret + 8) as *const u8),
            load32((ret + 12) as *const u8),
        );
    }
    msgbridge_bridge_runtime::waits::end_delivery();
    0
}

/// The callback of the async-lifted `handle`: never reached, as `handle` waits for
/// everything itself and exits.
#[unsafe(export_name = "[callback][async-lift]wasi:messaging/incoming-handler@0.2.0-draft#handle")]
pub extern "C" fn handle_callback(_event: u32, _waitable: u32, _payload: u32) -> u32 {
    0
}
