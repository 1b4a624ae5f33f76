//! The **wasi-on-wasmcloud-async bridge**: runs a synchronous `wasi:messaging@0.2.0-draft`
//! guest on a host that serves wasmCloud v2.8's async `wasmcloud:messaging@0.3.0`, as a core
//! module fused into the guest's own component (a wit-component adapter named
//! `msgbridge_bridge`).
//!
//! It is `wasi-on-wasmcloud-bridge` (whose body it includes: the same translation, rules and
//! texts, `docs/mapping.md`) over `@0.3.0` instead of `@0.2.0`:
//!
//! - the body's `consumer.request` and `consumer.publish` are `@0.3.0`'s async-lowered calls,
//!   waited for inside the host's task (`msgbridge_bridge_runtime::waits`), each body written
//!   into a new stream and a reply's body stream read whole (bounded); `@0.3.0`'s `error` is
//!   worded as `@0.2.0`'s strings
//!   (`msgbridge_mapping::WasmcloudAsyncError::to_wasmcloud_request_error`), which the body
//!   then maps to wasi's `error` as it maps a `@0.2.0` host's;
//! - `handler@0.3.0#handle-message` is exported async-lifted (with a callback it never
//!   needs): it raises backpressure while the non-reentrant guest handles a delivery, reads
//!   the body stream whole and hands the delivery to the body, and returns its result with
//!   `task.return`.

#![no_std]

/// `@0.2.0`'s `consumer` calls, made with `@0.3.0`'s async ones and written back in
/// `@0.2.0`'s result layout, with the strings in the bridge's pool and buffers (the body
/// copies what it keeps).
mod host {
    use msgbridge_bridge_runtime::streams::{
        error_text, new_stream, read_body, too_large_message, write_body, ERROR_TIMEOUT,
    };
    use msgbridge_bridge_runtime::{load32, load8, store32, store8, text};

    #[link(wasm_import_module = "wasmcloud:messaging/consumer@0.3.0")]
    unsafe extern "C" {
        #[link_name = "[async-lower]request"]
        fn async_request(params: u32, results: u32) -> u32;
        #[link_name = "[async-lower]publish"]
        fn async_publish(params: u32, results: u32) -> u32;
    }

    /// Writes the error of a `@0.2.0` result at `ret`: the bridge's error text.
    fn write_text_error(ret: u32) {
        let st = crate::st();
        // SAFETY: `ret` is the caller's return area.
        unsafe {
            store8(ret as *mut u8, 1);
            store32((ret + 4) as *mut u8, st.async_text.as_ptr() as usize as u32);
            store32((ret + 8) as *mut u8, st.async_text.len());
        }
    }

    /// `consumer.request(subject, body, timeout-ms)`.
    pub unsafe fn consumer_request(sp: u32, sl: u32, bp: u32, bl: u32, timeout_ms: u32, ret: u32) {
        let st = crate::st();
        let params = st.async_params.as_mut_ptr() as usize as u32;
        let results = st.async_results.as_mut_ptr() as usize as u32;
        let (reader, writer) = new_stream();
        // SAFETY: the parameter and result areas are the bridge's; the arguments stay valid
        // until the call returns; what the host returns is in the pool.
        unsafe {
            store32(params as *mut u8, sp);
            store32((params + 4) as *mut u8, sl);
            store32((params + 8) as *mut u8, reader);
            store8((params + 12) as *mut u8, 1);
            store32((params + 16) as *mut u8, timeout_ms);
            let status = async_request(params, results);
            write_body(&mut crate::st().waits, writer, bp, bl);
            crate::st().waits.finish_call(status);
            let st = crate::st();
            if load8(results as *const u8) != 0 {
                st.async_text.clear();
                if load8((results + 4) as *const u8) as u32 == ERROR_TIMEOUT {
                    text::timeout_prefix(&mut st.async_text);
                    st.async_text.push_decimal(u64::from(timeout_ms));
                    text::timeout_suffix(&mut st.async_text);
                } else {
                    text::send_failed_prefix(&mut st.async_text);
                    error_text(&mut st.async_text, results + 4);
                }
                write_text_error(ret);
                return;
            }
            let body = load32((results + 12) as *const u8);
            if !read_body(&mut crate::st().waits, body, &mut crate::st().async_body) {
                too_large_message(&mut crate::st().async_text);
                write_text_error(ret);
                return;
            }
            let st = crate::st();
            store8(ret as *mut u8, 0);
            store32((ret + 4) as *mut u8, load32((results + 4) as *const u8));
            store32((ret + 8) as *mut u8, load32((results + 8) as *const u8));
            store32(
                (ret + 12) as *mut u8,
                st.async_body.as_ptr() as usize as u32,
            );
            store32((ret + 16) as *mut u8, st.async_body.len());
            store8((ret + 20) as *mut u8, load8((results + 16) as *const u8));
            store32((ret + 24) as *mut u8, load32((results + 20) as *const u8));
            store32((ret + 28) as *mut u8, load32((results + 24) as *const u8));
        }
    }

    /// `consumer.publish({subject, body, reply-to})`.
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn consumer_publish(
        sp: u32,
        sl: u32,
        bp: u32,
        bl: u32,
        rd: u32,
        rp: u32,
        rl: u32,
        ret: u32,
    ) {
        let st = crate::st();
        let params = st.async_params.as_mut_ptr() as usize as u32;
        let results = st.async_results.as_mut_ptr() as usize as u32;
        let (reader, writer) = new_stream();
        // SAFETY: as in `consumer_request`.
        unsafe {
            store32(params as *mut u8, sp);
            store32((params + 4) as *mut u8, sl);
            store32((params + 8) as *mut u8, reader);
            store8((params + 12) as *mut u8, (rd != 0) as u8);
            store32((params + 16) as *mut u8, rp);
            store32((params + 20) as *mut u8, rl);
            let status = async_publish(params, results);
            write_body(&mut crate::st().waits, writer, bp, bl);
            crate::st().waits.finish_call(status);
            if load8(results as *const u8) == 0 {
                store8(ret as *mut u8, 0);
            } else {
                let st = crate::st();
                st.async_text.clear();
                error_text(&mut st.async_text, results + 4);
                write_text_error(ret);
            }
        }
    }
}

include!("../../wasi-on-wasmcloud-bridge/src/body.rs");

#[link(wasm_import_module = "[export]wasmcloud:messaging/handler@0.3.0")]
unsafe extern "C" {
    #[link_name = "[task-return]handle-message"]
    fn task_return(is_err: u32, case: u32, p: u32, len: u32);
}

/// `handle-message-error::other`'s discriminant.
const HANDLE_ERROR_OTHER: u32 = 2;

/// `handler@0.3.0.handle-message`, async-lifted: the body stream read whole, the delivery
/// made as `wasi-on-wasmcloud-bridge` makes it, its result returned with `task.return`.
#[unsafe(export_name = "[async-lift]wasmcloud:messaging/handler@0.3.0#handle-message")]
pub extern "C" fn handle_message(sp: u32, sl: u32, body: u32, rd: u32, rp: u32, rl: u32) -> u32 {
    use msgbridge_bridge_runtime::{streams, waits};
    waits::begin_delivery();
    if streams::read_body(&mut st().waits, body, &mut st().async_body) {
        let st = st();
        let (bp, bl) = (st.async_body.as_ptr() as usize as u32, st.async_body.len());
        let ret = deliver(sp, sl, bp, bl, rd, rp, rl);
        // SAFETY: `ret` is the bridge's return area (`result<_, string>`), its text the
        // bridge's until the next delivery.
        unsafe {
            if load32(ret as *const u8) == 0 {
                task_return(0, 0, 0, 0);
            } else {
                task_return(
                    1,
                    HANDLE_ERROR_OTHER,
                    load32((ret + 4) as *const u8),
                    load32((ret + 8) as *const u8),
                );
            }
        }
    } else {
        let st = st();
        streams::too_large_message(&mut st.async_text);
        // SAFETY: the text is readable for the call.
        unsafe {
            task_return(
                1,
                HANDLE_ERROR_OTHER,
                st.async_text.as_ptr() as usize as u32,
                st.async_text.len(),
            )
        };
        st.pool.release(0);
    }
    waits::end_delivery();
    0
}

/// The callback of the async-lifted `handle-message`: never reached, as it waits for
/// everything itself and exits.
#[unsafe(export_name = "[callback][async-lift]wasmcloud:messaging/handler@0.3.0#handle-message")]
pub extern "C" fn handle_message_callback(_event: u32, _waitable: u32, _payload: u32) -> u32 {
    0
}
