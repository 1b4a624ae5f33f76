//! The **wasmcloud-on-wasmcloud-async bridge**: runs a synchronous
//! `wasmcloud:messaging@0.2.0` guest on a host that serves wasmCloud v2.8's asynchronous
//! `wasmcloud:messaging@0.3.0`, as a core module fused into the guest's own component (a
//! wit-component adapter named `msgbridge_bridge`).
//!
//! A portable adapter cannot do this: a synchronous guest's import call may not block on
//! an asynchronous host (`Task.may_block` in the canonical ABI). Fused into the guest, the
//! bridge *is* the task: the host calls its async-lifted `handle-message`, and everything
//! the guest does inside that call (its `request` and `publish`) runs in the same task,
//! which may block in `waitable-set.wait`.
//!
//! - `wasmcloud:messaging/handler@0.3.0#handle-message` is exported async-lifted (with a
//!   callback it never needs): it raises backpressure (the guest is not reentrant), reads
//!   the body stream whole into a guest allocation (bounded by
//!   `msgbridge_mapping::MAX_STREAMED_BODY`), calls the guest's core export
//!   `wasmcloud:messaging/handler@0.2.0#handle-message`, and returns its result with
//!   `task.return` (an error text becomes `handle-message-error::other`).
//! - The guest's core imports of `wasmcloud:messaging/consumer@0.2.0` are renamed by
//!   `msgbridge-compose` to this module's exports `consumer.request` and
//!   `consumer.publish`; each makes the async-lowered `@0.3.0` call, writes the body into a
//!   new stream, waits for the call to return, and reads a reply's body stream whole.
//!   `@0.3.0`'s `error` is worded as a `@0.2.0` host words it
//!   (`msgbridge_mapping::WasmcloudAsyncError::to_wasmcloud_request_error`).
//!
//! The async canonical ABI is spoken directly, with no async runtime
//! (`msgbridge_bridge_runtime::waits`).

#![no_std]

use msgbridge_bridge_runtime::streams::{
    error_text, new_stream, read_body, too_large_message, write_body, GuestBody, ERROR_TIMEOUT,
};
use msgbridge_bridge_runtime::text;
use msgbridge_bridge_runtime::waits::{self, Waits};
use msgbridge_bridge_runtime::{
    guest_copy, load32, load8, pool_realloc, state, store32, store8, Buf, Pool,
};

#[link(wasm_import_module = "wasmcloud:messaging/consumer@0.3.0")]
unsafe extern "C" {
    #[link_name = "[async-lower]request"]
    fn async_request(params: u32, results: u32) -> u32;
    #[link_name = "[async-lower]publish"]
    fn async_publish(params: u32, results: u32) -> u32;
}

#[link(wasm_import_module = "[export]wasmcloud:messaging/handler@0.3.0")]
unsafe extern "C" {
    #[link_name = "[task-return]handle-message"]
    fn task_return(is_err: u32, case: u32, p: u32, len: u32);
}

#[link(wasm_import_module = "__main_module__")]
unsafe extern "C" {
    #[link_name = "wasmcloud:messaging/handler@0.2.0#handle-message"]
    fn guest_handle(sp: u32, sl: u32, bp: u32, bl: u32, rd: u32, rp: u32, rl: u32) -> u32;
    #[link_name = "cabi_post_wasmcloud:messaging/handler@0.2.0#handle-message"]
    fn guest_handle_post(ret: u32);
}

/// `handle-message-error::other`'s discriminant.
const HANDLE_ERROR_OTHER: u32 = 2;

/// Everything the bridge keeps, in the guest's heap (see `msgbridge-bridge-runtime`).
#[repr(C)]
struct State {
    pool: Pool,
    waits: Waits,
    /// Error texts on their way to the guest or the host.
    scratch: Buf,
    /// The parameters of an async-lowered call.
    params: [u32; 6],
    /// The results of an async-lowered call (`result<broker-message, error>`: 28 bytes).
    results: [u32; 8],
}

fn st() -> &'static mut State {
    // SAFETY: `State` is this bridge's only state type and is valid when zeroed.
    unsafe { state::<State>() }
}

/// Writes `result<_, string>` (or the error of `result<T, string>`) as an error with the
/// text of `text` at `ret`, in a new guest allocation.
fn write_string_error(ret: u32, text: &Buf) {
    // SAFETY: `ret` is the guest's return area.
    unsafe {
        store8(ret as *mut u8, 1);
        store32((ret + 4) as *mut u8, text.to_guest() as u32);
        store32((ret + 8) as *mut u8, text.len());
    }
}

// ---- the host's view: allocation and the handler export ----

/// Memory for what the host hands this bridge during an import call (a reply's subject,
/// reply-to and error text).
#[unsafe(no_mangle)]
pub extern "C" fn cabi_import_realloc(
    old: *mut u8,
    old_len: u32,
    align: u32,
    new_len: u32,
) -> *mut u8 {
    pool_realloc(&mut st().pool, old, old_len, align, new_len)
}

/// Memory for the arguments of `handle-message`: the subject and reply-to, copied to the
/// guest before its export runs.
#[unsafe(no_mangle)]
pub extern "C" fn cabi_export_realloc(
    old: *mut u8,
    old_len: u32,
    align: u32,
    new_len: u32,
) -> *mut u8 {
    pool_realloc(&mut st().pool, old, old_len, align, new_len)
}

/// `wasmcloud:messaging/handler@0.3.0.handle-message`: the body stream read whole, the
/// guest's `@0.2.0` `handle-message` called with it, its result returned.
#[unsafe(export_name = "[async-lift]wasmcloud:messaging/handler@0.3.0#handle-message")]
pub extern "C" fn handle(sp: u32, sl: u32, body: u32, rd: u32, rp: u32, rl: u32) -> u32 {
    waits::begin_delivery();
    let mut delivered = GuestBody::default();
    match read_body(&mut st().waits, body, &mut delivered) {
        false => {
            let st = st();
            too_large_message(&mut st.scratch);
            // SAFETY: the text is readable for the call.
            unsafe {
                task_return(
                    1,
                    HANDLE_ERROR_OTHER,
                    st.scratch.as_ptr() as u32,
                    st.scratch.len(),
                )
            };
        }
        // SAFETY: the guest takes ownership of the three allocations (as a lifted call's
        // arguments); its result is valid until its post-return function runs.
        true => unsafe {
            let (gb, bl) = (delivered.ptr, delivered.len);
            let gs = guest_copy(sp as usize as *const u8, sl) as u32;
            let gr = if rd != 0 {
                guest_copy(rp as usize as *const u8, rl) as u32
            } else {
                0
            };
            let g = guest_handle(gs, sl, gb, bl, rd, gr, if rd != 0 { rl } else { 0 });
            if load8(g as *const u8) == 0 {
                task_return(0, 0, 0, 0);
            } else {
                task_return(
                    1,
                    HANDLE_ERROR_OTHER,
                    load32((g + 4) as *const u8),
                    load32((g + 8) as *const u8),
                );
            }
            guest_handle_post(g);
        },
    }
    st().pool.release(0);
    waits::end_delivery();
    0
}

/// The callback of the async-lifted `handle-message`: never reached, as `handle` waits
/// for everything itself and exits.
#[unsafe(export_name = "[callback][async-lift]wasmcloud:messaging/handler@0.3.0#handle-message")]
pub extern "C" fn handle_callback(_event: u32, _waitable: u32, _payload: u32) -> u32 {
    0
}

// ---- the guest's view: wasmcloud:messaging/consumer@0.2.0 ----

/// `consumer.request`: `@0.3.0`'s `request` with `some(timeout-ms)`; the reply's body
/// stream is read whole into the guest's `broker-message`.
#[unsafe(export_name = "consumer.request")]
pub extern "C" fn request(sp: u32, sl: u32, bp: u32, bl: u32, timeout_ms: u32, ret: u32) {
    let st = st();
    let mark = st.pool.mark();
    let params = st.params.as_mut_ptr() as u32;
    let results = st.results.as_mut_ptr() as u32;
    let (reader, writer) = new_stream();
    // SAFETY: the parameter and result areas are the bridge's; the guest's subject and body
    // are readable for the call; what the host returns lives in the pool until the release.
    unsafe {
        store32(params as *mut u8, sp);
        store32((params + 4) as *mut u8, sl);
        store32((params + 8) as *mut u8, reader);
        store8((params + 12) as *mut u8, 1);
        store32((params + 16) as *mut u8, timeout_ms);
        let status = async_request(params, results);
        write_body(&mut self::st().waits, writer, bp, bl);
        self::st().waits.finish_call(status);
        let st = self::st();
        if load8(results as *const u8) != 0 {
            st.scratch.clear();
            if load8((results + 4) as *const u8) as u32 == ERROR_TIMEOUT {
                text::timeout_prefix(&mut st.scratch);
                st.scratch.push_decimal(u64::from(timeout_ms));
                text::timeout_suffix(&mut st.scratch);
            } else {
                text::send_failed_prefix(&mut st.scratch);
                error_text(&mut st.scratch, results + 4);
            }
            write_string_error(ret, &st.scratch);
        } else {
            let subject = load32((results + 4) as *const u8);
            let subject_len = load32((results + 8) as *const u8);
            let body = load32((results + 12) as *const u8);
            let has_reply_to = load8((results + 16) as *const u8);
            let reply_to = load32((results + 20) as *const u8);
            let reply_to_len = load32((results + 24) as *const u8);
            let mut reply = GuestBody::default();
            match read_body(&mut self::st().waits, body, &mut reply) {
                false => {
                    let st = self::st();
                    too_large_message(&mut st.scratch);
                    write_string_error(ret, &st.scratch);
                }
                true => {
                    let (gb, gbl) = (reply.ptr, reply.len);
                    store8(ret as *mut u8, 0);
                    let gs = guest_copy(subject as usize as *const u8, subject_len);
                    store32((ret + 4) as *mut u8, gs as u32);
                    store32((ret + 8) as *mut u8, subject_len);
                    store32((ret + 12) as *mut u8, gb);
                    store32((ret + 16) as *mut u8, gbl);
                    store8((ret + 20) as *mut u8, has_reply_to);
                    if has_reply_to != 0 {
                        let gr = guest_copy(reply_to as usize as *const u8, reply_to_len);
                        store32((ret + 24) as *mut u8, gr as u32);
                        store32((ret + 28) as *mut u8, reply_to_len);
                    }
                }
            }
        }
    }
    self::st().pool.release(mark);
}

/// `consumer.publish`: `@0.3.0`'s `publish` of the same message, its body written into a
/// new stream.
#[unsafe(export_name = "consumer.publish")]
pub extern "C" fn publish(sp: u32, sl: u32, bp: u32, bl: u32, rd: u32, rp: u32, rl: u32, ret: u32) {
    let st = st();
    let mark = st.pool.mark();
    let params = st.params.as_mut_ptr() as u32;
    let results = st.results.as_mut_ptr() as u32;
    let (reader, writer) = new_stream();
    // SAFETY: as in `request`.
    unsafe {
        store32(params as *mut u8, sp);
        store32((params + 4) as *mut u8, sl);
        store32((params + 8) as *mut u8, reader);
        store8((params + 12) as *mut u8, (rd != 0) as u8);
        store32((params + 16) as *mut u8, rp);
        store32((params + 20) as *mut u8, rl);
        let status = async_publish(params, results);
        write_body(&mut self::st().waits, writer, bp, bl);
        self::st().waits.finish_call(status);
        let st = self::st();
        if load8(results as *const u8) == 0 {
            store8(ret as *mut u8, 0);
        } else {
            st.scratch.clear();
            error_text(&mut st.scratch, results + 4);
            write_string_error(ret, &st.scratch);
        }
    }
    self::st().pool.release(mark);
}
