// The bridge's body, shared with `wasmcloud-on-wasi-async-bridge` (which includes it with
// its own `host` module and handler export); see `lib.rs`.

use host::{client_connect, producer_send, rr_reply, rr_request};
use msgbridge_bridge_runtime::text;
use msgbridge_bridge_runtime::waits::Waits;
use msgbridge_bridge_runtime::{
    bytes, client_name, guest_alloc, load32, load8, pool_realloc, same_bytes, state, store32,
    store8, Buf, Pool,
};

#[link(wasm_import_module = "wasi:messaging/types@0.2.0-draft")]
unsafe extern "C" {
    #[link_name = "[constructor]message"]
    fn message_new(p: u32, l: u32) -> u32;
    #[link_name = "[method]message.topic"]
    fn message_topic(m: u32, ret: u32);
    #[link_name = "[method]message.data"]
    fn message_data(m: u32, ret: u32);
    #[link_name = "[resource-drop]message"]
    fn message_drop(m: u32);
}


#[link(wasm_import_module = "wasi:messaging/request-reply@0.2.0-draft")]
unsafe extern "C" {
    #[link_name = "[constructor]request-options"]
    fn options_new() -> u32;
    #[link_name = "[method]request-options.set-timeout-ms"]
    fn options_set_timeout(o: u32, timeout_ms: u32);
    #[link_name = "[method]request-options.set-expected-replies"]
    fn options_set_expected(o: u32, expected: u32);
}

#[link(wasm_import_module = "__main_module__")]
unsafe extern "C" {
    #[link_name = "wasmcloud:messaging/handler@0.2.0#handle-message"]
    fn guest_handle(sp: u32, sl: u32, bp: u32, bl: u32, rd: u32, rp: u32, rl: u32) -> u32;
    #[link_name = "cabi_post_wasmcloud:messaging/handler@0.2.0#handle-message"]
    fn guest_handle_post(ret: u32);
}

/// Everything the bridge keeps, in the guest's heap (see `msgbridge-bridge-runtime`).
#[repr(C)]
struct State {
    pool: Pool,
    /// Used only where the host is asynchronous (`wasmcloud-on-wasi-async-bridge`).
    waits: Waits,
    /// The parameters of an async-lowered `request` there.
    params: [u32; 6],
    sequence: u64,
    has_client: u32,
    client: u32,
    has_incoming: u32,
    /// Non-zero while `handle` reads the incoming message's topic and data: the host then
    /// writes them straight into guest allocations, which the guest's `handle-message`
    /// takes over (no copy out of the pool).
    direct: u32,
    /// The host's message being handled (owned until `handle` returns).
    incoming: u32,
    /// The reply subject the guest was given for `incoming`.
    reply_subject: Buf,
    /// The client name, read from the compose-time globals.
    name: Buf,
    /// Error texts on their way to the guest.
    scratch: Buf,
    /// The error text of the last `handle`, read by the host after it returns.
    ret_text: Buf,
    ret_area: [u32; 4],
    import_ret: [u32; 8],
}

fn st() -> &'static mut State {
    // SAFETY: `State` is this bridge's only state type and is valid when zeroed.
    unsafe { state::<State>() }
}

fn ret_ptr(st: &mut State) -> u32 {
    st.import_ret.as_mut_ptr() as u32
}

/// The client, connected on first use; 0 (never a handle) when connecting failed, with
/// the wasi `error` at `import_ret + 4`. (A plain `u32` rather than a `Result` keeps the
/// bridge free of a shadow stack.)
fn client(st: &mut State) -> u32 {
    if st.has_client != 0 {
        return st.client;
    }
    client_name(&mut st.name);
    let r = ret_ptr(st);
    // SAFETY: the name is readable; `r` is a 16-byte return area.
    unsafe {
        client_connect(st.name.as_ptr() as u32, st.name.len(), r);
        if load8(r as *const u8) != 0 {
            return 0;
        }
        st.client = load32((r + 4) as *const u8);
    }
    st.has_client = 1;
    st.client
}

/// Appends a wasi `error` (at `at`) as text, the way `msgbridge_mapping::WasiError`
/// displays it.
fn describe(out: &mut Buf, at: u32) {
    // SAFETY: `at` holds an `error` the host wrote.
    unsafe {
        let s = bytes(load32((at + 4) as *const u8), load32((at + 8) as *const u8));
        match load8(at as *const u8) {
            0 => {
                text::timed_out(out);
                return;
            }
            1 => text::connection_error_prefix(out),
            2 => text::permission_denied_prefix(out),
            _ => {}
        }
        out.push_raw(s.as_ptr(), s.len() as u32);
    }
}

/// `msgbridge_mapping::wasmcloud_request_error` of the wasi `error` at `at`.
fn request_error(out: &mut Buf, at: u32, timeout_ms: u32) {
    out.clear();
    // SAFETY: `at` holds an `error`.
    if unsafe { load8(at as *const u8) } == 0 {
        timeout_message(out, timeout_ms);
    } else {
        text::send_failed_prefix(out);
        describe(out, at);
    }
}

fn timeout_message(out: &mut Buf, timeout_ms: u32) {
    out.clear();
    text::timeout_prefix(out);
    out.push_decimal(u64::from(timeout_ms));
    text::timeout_suffix(out);
}

/// Writes `result<_, string>` (or the error of `result<T, string>`) as an error with the
/// text of `text` at `ret`, in a new guest allocation.
fn write_string_error(ret: u32, text: &Buf) {
    unsafe {
        store8(ret as *mut u8, 1);
        store32((ret + 4) as *mut u8, text.to_guest() as u32);
        store32((ret + 8) as *mut u8, text.len());
    }
}

/// Whether `subject` is a reply subject this bridge hands out (`_INBOX.msgbridge.reply.N`).
fn is_reply_subject(subject: &[u8]) -> bool {
    if !text::starts_with_reply_subject_prefix(subject) {
        return false;
    }
    let start = text::REPLY_SUBJECT_PREFIX_LEN as usize;
    if subject.len() == start {
        return false;
    }
    let mut i = start;
    while i < subject.len() {
        // SAFETY: `i < len`.
        if !unsafe { subject.get_unchecked(i) }.is_ascii_digit() {
            return false;
        }
        i += 1;
    }
    true
}

// ---- the host's view: allocation and the handler export ----

/// Memory for what the host hands this bridge during an import call.
#[unsafe(no_mangle)]
pub extern "C" fn cabi_import_realloc(
    old: *mut u8,
    old_len: u32,
    align: u32,
    new_len: u32,
) -> *mut u8 {
    let st = st();
    if st.direct != 0 && old.is_null() && old_len == 0 {
        // SAFETY: a fresh allocation of the guest's, handed to its `handle-message`.
        return unsafe { guest_alloc(new_len, align) };
    }
    pool_realloc(&mut st.pool, old, old_len, align, new_len)
}

/// Memory for arguments the host passes to an export (none today: `handle` takes a
/// handle).
#[unsafe(no_mangle)]
pub extern "C" fn cabi_export_realloc(
    old: *mut u8,
    old_len: u32,
    align: u32,
    new_len: u32,
) -> *mut u8 {
    pool_realloc(&mut st().pool, old, old_len, align, new_len)
}

/// `wasi:messaging/incoming-handler.handle`: calls the guest's `handle-message` with the
/// message's topic and data and a fresh reply subject, then drops the message.
fn deliver(m: u32) -> u32 {
    let st = st();
    let r = ret_ptr(st);
    // SAFETY: `r` is a return area; with `direct` set the host writes the topic and the
    // data into new guest allocations, which the guest's export takes over below.
    st.direct = 1;
    let (gs, sl, gb, dl) = unsafe {
        message_topic(m, r);
        let (gs, sl) = if load8(r as *const u8) != 0 {
            (load32((r + 4) as *const u8), load32((r + 8) as *const u8))
        } else {
            (guest_alloc(0, 1) as u32, 0)
        };
        message_data(m, r);
        (gs, sl, load32(r as *const u8), load32((r + 4) as *const u8))
    };
    let st = self::st();
    st.direct = 0;
    st.sequence += 1;
    st.reply_subject.clear();
    text::reply_subject_prefix(&mut st.reply_subject);
    st.reply_subject.push_decimal(st.sequence);
    st.incoming = m;
    st.has_incoming = 1;
    let ret = st.ret_area.as_mut_ptr() as u32;
    // SAFETY: the guest takes ownership of the three allocations (as a lifted call's
    // arguments); its result is valid until its post-return function runs.
    unsafe {
        let gr = st.reply_subject.to_guest() as u32;
        let g = guest_handle(gs, sl, gb, dl, 1, gr, st.reply_subject.len());
        let st = self::st();
        if load8(g as *const u8) == 0 {
            store32(ret as *mut u8, 0);
        } else {
            st.ret_text.set_raw(
                load32((g + 4) as *const u8) as usize as *const u8,
                load32((g + 8) as *const u8),
            );
            store32(ret as *mut u8, 1);
            store32((ret + 4) as *mut u8, 3); // error::other
            store32((ret + 8) as *mut u8, st.ret_text.as_ptr() as u32);
            store32((ret + 12) as *mut u8, st.ret_text.len());
        }
        guest_handle_post(g);
        st.has_incoming = 0;
        message_drop(m);
        st.pool.release(0);
    }
    ret
}

// ---- the guest's view: wasmcloud:messaging/consumer ----

/// `consumer.request`: a wasi `request` with `{timeout-ms, expected-replies: 1}`; the
/// first reply becomes the `broker-message`.
#[unsafe(export_name = "consumer.request")]
pub extern "C" fn request(sp: u32, sl: u32, bp: u32, bl: u32, timeout_ms: u32, ret: u32) {
    let st = st();
    let mark = st.pool.mark();
    let r = ret_ptr(st);
    match client(st) {
        0 => {
            request_error(&mut st.scratch, r + 4, timeout_ms);
            write_string_error(ret, &st.scratch);
        }
        // SAFETY: the guest's arguments are readable for the call; `r` is a return area;
        // what the host returns lives in the pool until the release below.
        c => unsafe {
            let o = options_new();
            options_set_timeout(o, timeout_ms);
            options_set_expected(o, 1);
            let msg = message_new(bp, bl);
            rr_request(c, sp, sl, msg, 1, o, r);
            message_drop(msg);
            if load8(r as *const u8) != 0 {
                request_error(&mut st.scratch, r + 4, timeout_ms);
                write_string_error(ret, &st.scratch);
            } else {
                let list = load32((r + 4) as *const u8);
                let count = load32((r + 8) as *const u8);
                if count == 0 {
                    timeout_message(&mut st.scratch, timeout_ms);
                    write_string_error(ret, &st.scratch);
                } else {
                    // The reply's topic and data are written by the host straight into
                    // guest allocations, which the guest owns as the call's results.
                    let first = load32(list as *const u8);
                    st.direct = 1;
                    message_topic(first, r);
                    let (gs, gsl) = if load8(r as *const u8) != 0 {
                        (load32((r + 4) as *const u8), load32((r + 8) as *const u8))
                    } else {
                        (guest_alloc(0, 1) as u32, 0)
                    };
                    message_data(first, r);
                    let (gb, bl) = (load32(r as *const u8), load32((r + 4) as *const u8));
                    let st = self::st();
                    st.direct = 0;
                    let mut i = 0;
                    while i < count {
                        message_drop(load32((list + 4 * i) as *const u8));
                        i += 1;
                    }
                    store8(ret as *mut u8, 0);
                    store32((ret + 4) as *mut u8, gs);
                    store32((ret + 8) as *mut u8, gsl);
                    store32((ret + 12) as *mut u8, gb);
                    store32((ret + 16) as *mut u8, bl);
                    store8((ret + 20) as *mut u8, 0);
                }
            }
        },
    }
    st.pool.release(mark);
}

/// `consumer.publish`: a wasi `reply` when the subject is the reply subject of the message
/// being handled, a `producer.send` otherwise; `reply-to` on a plain publish is refused.
#[unsafe(export_name = "consumer.publish")]
pub extern "C" fn publish(
    sp: u32,
    sl: u32,
    bp: u32,
    bl: u32,
    rd: u32,
    _rp: u32,
    _rl: u32,
    ret: u32,
) {
    let st = st();
    let mark = st.pool.mark();
    let r = ret_ptr(st);
    // SAFETY: the guest's subject is readable for the call.
    let subject = unsafe { bytes(sp, sl) };
    st.scratch.clear();
    if is_reply_subject(subject) {
        if st.has_incoming != 0 && same_bytes(subject, st.reply_subject.as_slice()) {
            // SAFETY: the body is readable; `r` is a return area.
            unsafe {
                let msg = message_new(bp, bl);
                rr_reply(st.incoming, msg, r);
                if load8(r as *const u8) == 0 {
                    store8(ret as *mut u8, 0);
                } else {
                    describe(&mut st.scratch, r + 4);
                    write_string_error(ret, &st.scratch);
                }
            }
        } else {
            text::reply_subject_expired(&mut st.scratch);
            write_string_error(ret, &st.scratch);
        }
    } else if rd != 0 {
        text::reply_to_unsupported(&mut st.scratch);
        write_string_error(ret, &st.scratch);
    } else {
        match client(st) {
            0 => {
                describe(&mut st.scratch, r + 4);
                write_string_error(ret, &st.scratch);
            }
            // SAFETY: as above.
            c => unsafe {
                let msg = message_new(bp, bl);
                producer_send(c, sp, sl, msg, r);
                if load8(r as *const u8) == 0 {
                    store8(ret as *mut u8, 0);
                } else {
                    describe(&mut st.scratch, r + 4);
                    write_string_error(ret, &st.scratch);
                }
            },
        }
    }
    st.pool.release(mark);
}
