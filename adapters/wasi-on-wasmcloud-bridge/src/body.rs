// The bridge's body, shared with `wasi-on-wasmcloud-async-bridge` (which includes it with
// its own `host` module and handler export); see `lib.rs`.

use host::{consumer_publish, consumer_request};
use msgbridge_bridge_runtime::text::{self, Kind, Sink};
use msgbridge_bridge_runtime::{
    bytes, guest_alloc, guest_copy, load32, load8, pool_realloc, state, store32, store8, Buf, Pool,
    Slot, Table,
};


#[link(wasm_import_module = "__main_module__")]
unsafe extern "C" {
    #[link_name = "wasi:messaging/incoming-handler@0.2.0-draft#handle"]
    fn guest_handle(message: u32) -> u32;
    #[link_name = "cabi_post_wasi:messaging/incoming-handler@0.2.0-draft#handle"]
    fn guest_handle_post(ret: u32);
}

/// A `message`.
#[repr(C)]
struct Message {
    live: u32,
    has_topic: u32,
    has_reply_to: u32,
    has_content_type: u32,
    has_metadata: u32,
    /// Entries in `metadata`: each is key length, value length (u32 each), key, value.
    metadata_count: u32,
    topic: Buf,
    reply_to: Buf,
    data: Buf,
    content_type: Buf,
    metadata: Buf,
}

/// A `client`: wasmCloud has no named connections, so only whether it was disconnected.
#[repr(C)]
struct Client {
    live: u32,
    connected: u32,
}

/// A `request-options`.
#[repr(C)]
struct Options {
    live: u32,
    has_timeout: u32,
    timeout_ms: u32,
}

macro_rules! slot {
    ($t:ty) => {
        impl Slot for $t {
            fn live(&self) -> bool {
                self.live != 0
            }
            fn set_live(&mut self, live: bool) {
                self.live = live as u32;
            }
        }
    };
}
slot!(Message);
slot!(Client);
slot!(Options);

/// Everything the bridge keeps, in the guest's heap (see `msgbridge-bridge-runtime`).
#[repr(C)]
struct State {
    pool: Pool,
    /// Used only where the host is asynchronous (`wasi-on-wasmcloud-async-bridge`): its
    /// waits, the parameters and results of an async-lowered call, and a reply's body and
    /// error text.
    waits: msgbridge_bridge_runtime::waits::Waits,
    async_params: [u32; 6],
    async_results: [u32; 8],
    async_body: Buf,
    async_text: Buf,
    messages: Table,
    clients: Table,
    options: Table,
    /// Scratch for building texts and metadata.
    scratch: Buf,
    /// The error text of the last `handle-message`, read by the host after it returns.
    ret_text: Buf,
    /// The return area of `handle-message`.
    ret_area: [u32; 4],
    /// The return area of the host imports.
    import_ret: [u32; 8],
}

fn st() -> &'static mut State {
    // SAFETY: `State` is this bridge's only state type and is valid when zeroed.
    unsafe { state::<State>() }
}

/// A new live message with nothing set.
fn new_message(st: &mut State) -> u32 {
    let handle = st.messages.insert::<Message>();
    let m = st.messages.get::<Message>(handle);
    m.has_topic = 0;
    m.has_reply_to = 0;
    m.has_content_type = 0;
    m.has_metadata = 0;
    m.metadata_count = 0;
    m.topic.clear();
    m.reply_to.clear();
    m.data.clear();
    m.content_type.clear();
    m.metadata.clear();
    handle
}

/// Writes a wasi `error` at `at` (its discriminant, then the string in a new guest
/// allocation unless it is `timeout`).
fn write_error(at: u32, kind: Kind, text_ptr: u32, text_len: u32) {
    // SAFETY: `at` is a return area the guest (or this bridge) provided.
    unsafe {
        store8(at as *mut u8, kind as u8);
        if kind != Kind::Timeout {
            let copy = guest_copy(text_ptr as usize as *const u8, text_len);
            store32((at + 4) as *mut u8, copy as u32);
            store32((at + 8) as *mut u8, text_len);
        }
    }
}

/// Writes `result<_, error>` (or the error of any `result<T, error>`) as an error built from
/// a wasmCloud error text at `ret`.
fn write_host_error(ret: u32, text_ptr: u32, text_len: u32) {
    // SAFETY: the text was written by the host into this bridge's pool.
    let kind = text::classify(unsafe { bytes(text_ptr, text_len) });
    unsafe { store8(ret as *mut u8, 1) };
    write_error(ret + 4, kind, text_ptr, text_len);
}

/// Writes `error::connection("client is disconnected")` as the error of the result at `ret`.
fn write_disconnected(st: &mut State, ret: u32) {
    st.scratch.clear();
    text::client_disconnected(&mut st.scratch);
    unsafe { store8(ret as *mut u8, 1) };
    write_error(
        ret + 4,
        Kind::Connection,
        st.scratch.as_ptr() as u32,
        st.scratch.len(),
    );
}

/// `consumer.publish({subject, body, reply-to: none})`; writes the outcome as a wasi
/// `result<_, error>` at `ret`.
fn publish(st: &mut State, sp: u32, sl: u32, bp: u32, bl: u32, ret: u32) {
    let mark = st.pool.mark();
    let r = st.import_ret.as_mut_ptr() as u32;
    // SAFETY: the arguments point at readable guest memory; `r` is an 12-byte return area.
    unsafe {
        consumer_publish(sp, sl, bp, bl, 0, 0, 0, r);
        if load8(r as *const u8) == 0 {
            store8(ret as *mut u8, 0);
        } else {
            write_host_error(
                ret,
                load32((r + 4) as *const u8),
                load32((r + 8) as *const u8),
            );
        }
    }
    st.pool.release(mark);
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
    pool_realloc(&mut st().pool, old, old_len, align, new_len)
}

/// Memory for the arguments the host passes to `handle-message`.
#[unsafe(no_mangle)]
pub extern "C" fn cabi_export_realloc(
    old: *mut u8,
    old_len: u32,
    align: u32,
    new_len: u32,
) -> *mut u8 {
    pool_realloc(&mut st().pool, old, old_len, align, new_len)
}

/// `wasmcloud:messaging/handler.handle-message`: hands the delivery to the guest's
/// `incoming-handler.handle` as a message that remembers `reply-to`.
fn deliver(
    sp: u32,
    sl: u32,
    bp: u32,
    bl: u32,
    rd: u32,
    rp: u32,
    rl: u32,
) -> u32 {
    let st = st();
    let handle = new_message(st);
    let m = st.messages.get::<Message>(handle);
    // SAFETY: the host wrote the arguments into this bridge's pool.
    unsafe {
        m.topic.set_raw(sp as usize as *const u8, sl);
        m.has_topic = 1;
        // The body usually is the biggest argument: keep the host's copy rather than make
        // another.
        if !st.pool.swap_into(bp as usize as *mut u8, bl, &mut m.data) {
            m.data.set_raw(bp as usize as *const u8, bl);
        }
        if rd != 0 {
            m.reply_to.set_raw(rp as usize as *const u8, rl);
            m.has_reply_to = 1;
        }
    }
    // SAFETY: the guest's export takes the message handle; it returns a pointer to its
    // `result<_, error>`, valid until its post-return function runs.
    let ret = st.ret_area.as_mut_ptr() as u32;
    unsafe {
        let g = guest_handle(handle);
        if load8(g as *const u8) == 0 {
            store32(ret as *mut u8, 0);
        } else {
            let st = self::st();
            st.ret_text.clear();
            let s = bytes(load32((g + 8) as *const u8), load32((g + 12) as *const u8));
            match load8((g + 4) as *const u8) {
                0 => text::timed_out(&mut st.ret_text),
                1 => {
                    text::connection_error_prefix(&mut st.ret_text);
                    st.ret_text.push_raw(s.as_ptr(), s.len() as u32);
                }
                2 => {
                    text::permission_denied_prefix(&mut st.ret_text);
                    st.ret_text.push_raw(s.as_ptr(), s.len() as u32);
                }
                _ => st.ret_text.push_raw(s.as_ptr(), s.len() as u32),
            }
            store32(ret as *mut u8, 1);
            store32((ret + 4) as *mut u8, st.ret_text.as_ptr() as u32);
            store32((ret + 8) as *mut u8, st.ret_text.len());
        }
        guest_handle_post(g);
    }
    // Nothing the host handed over is needed any more.
    self::st().pool.release(0);
    ret
}

// ---- the guest's view: wasi:messaging/types ----

/// `[static]client.connect`: every name works (wasmCloud has no named connections).
#[unsafe(export_name = "types.[static]client.connect")]
pub extern "C" fn client_connect(_np: u32, _nl: u32, ret: u32) {
    let st = st();
    let handle = st.clients.insert::<Client>();
    st.clients.get::<Client>(handle).connected = 1;
    unsafe {
        store8(ret as *mut u8, 0);
        store32((ret + 4) as *mut u8, handle);
    }
}

/// `[method]client.disconnect`: later use of the client fails.
#[unsafe(export_name = "types.[method]client.disconnect")]
pub extern "C" fn client_disconnect(client: u32, ret: u32) {
    st().clients.get::<Client>(client).connected = 0;
    unsafe { store8(ret as *mut u8, 0) };
}

/// `[resource-drop]client`.
#[unsafe(export_name = "types.[resource-drop]client")]
pub extern "C" fn client_drop(client: u32) {
    st().clients.remove::<Client>(client);
}

/// `[constructor]message`.
#[unsafe(export_name = "types.[constructor]message")]
pub extern "C" fn message_new(p: u32, l: u32) -> u32 {
    let st = st();
    let handle = new_message(st);
    // SAFETY: the guest's argument is readable for the call.
    unsafe {
        st.messages
            .get::<Message>(handle)
            .data
            .set_raw(p as usize as *const u8, l)
    };
    handle
}

/// Writes `option<string>` at `ret` from a flag and a buffer.
fn write_option_string(ret: u32, has: u32, buf: &Buf) {
    unsafe {
        if has == 0 {
            store8(ret as *mut u8, 0);
        } else {
            store8(ret as *mut u8, 1);
            store32((ret + 4) as *mut u8, buf.to_guest() as u32);
            store32((ret + 8) as *mut u8, buf.len());
        }
    }
}

/// `[method]message.topic`.
#[unsafe(export_name = "types.[method]message.topic")]
pub extern "C" fn message_topic(m: u32, ret: u32) {
    let m = st().messages.get::<Message>(m);
    write_option_string(ret, m.has_topic, &m.topic);
}

/// `[method]message.content-type`.
#[unsafe(export_name = "types.[method]message.content-type")]
pub extern "C" fn message_content_type(m: u32, ret: u32) {
    let m = st().messages.get::<Message>(m);
    write_option_string(ret, m.has_content_type, &m.content_type);
}

/// `[method]message.set-content-type`.
#[unsafe(export_name = "types.[method]message.set-content-type")]
pub extern "C" fn message_set_content_type(m: u32, p: u32, l: u32) {
    let m = st().messages.get::<Message>(m);
    unsafe { m.content_type.set_raw(p as usize as *const u8, l) };
    m.has_content_type = 1;
}

/// `[method]message.data`.
#[unsafe(export_name = "types.[method]message.data")]
pub extern "C" fn message_data(m: u32, ret: u32) {
    let m = st().messages.get::<Message>(m);
    unsafe {
        store32(ret as *mut u8, m.data.to_guest() as u32);
        store32((ret + 4) as *mut u8, m.data.len());
    }
}

/// `[method]message.set-data`.
#[unsafe(export_name = "types.[method]message.set-data")]
pub extern "C" fn message_set_data(m: u32, p: u32, l: u32) {
    let m = st().messages.get::<Message>(m);
    unsafe { m.data.set_raw(p as usize as *const u8, l) };
}

/// Walks the metadata entries of `m`: calls `f(key_ptr, key_len, value_ptr, value_len)`.
#[inline(always)]
fn each_entry(meta: &Buf, count: u32, mut f: impl FnMut(u32, u32, u32, u32)) {
    let mut at = meta.as_ptr() as u32;
    let mut i = 0;
    while i < count {
        // SAFETY: entries were written by `push_entry`.
        let (kl, vl) = unsafe { (load32(at as *const u8), load32((at + 4) as *const u8)) };
        f(at + 8, kl, at + 8 + kl, vl);
        at += 8 + kl + vl;
        i += 1;
    }
}

fn push_entry(meta: &mut Buf, kp: u32, kl: u32, vp: u32, vl: u32) {
    meta.put_word(u64::from(kl), 4);
    meta.put_word(u64::from(vl), 4);
    unsafe {
        meta.push_raw(kp as usize as *const u8, kl);
        meta.push_raw(vp as usize as *const u8, vl);
    }
}

/// `[method]message.metadata`.
#[unsafe(export_name = "types.[method]message.metadata")]
pub extern "C" fn message_metadata(m: u32, ret: u32) {
    let m = st().messages.get::<Message>(m);
    if m.has_metadata == 0 {
        unsafe { store8(ret as *mut u8, 0) };
        return;
    }
    let count = m.metadata_count;
    // SAFETY: 16 bytes per `tuple<string, string>`, in a new guest allocation.
    let list = unsafe { guest_alloc(count * 16, 4) } as u32;
    let mut at = list;
    each_entry(&m.metadata, count, |kp, kl, vp, vl| unsafe {
        store32(
            at as *mut u8,
            guest_copy(kp as usize as *const u8, kl) as u32,
        );
        store32((at + 4) as *mut u8, kl);
        store32(
            (at + 8) as *mut u8,
            guest_copy(vp as usize as *const u8, vl) as u32,
        );
        store32((at + 12) as *mut u8, vl);
        at += 16;
    });
    unsafe {
        store8(ret as *mut u8, 1);
        store32((ret + 4) as *mut u8, list);
        store32((ret + 8) as *mut u8, count);
    }
}

/// Rebuilds `m`'s metadata without the entry whose key is `key`, then, when `set` is true,
/// with `key = value` in the removed entry's place (or at the end). (Plain integers rather
/// than an `Option` keep the bridge free of a shadow stack.)
#[inline(always)]
fn rewrite_metadata(st: &mut State, handle: u32, kp: u32, kl: u32, set: bool, np: u32, nl: u32) {
    let m = st.messages.get::<Message>(handle);
    let key = unsafe { bytes(kp, kl) };
    let scratch = &mut st.scratch;
    scratch.clear();
    let mut count = 0;
    let mut placed = false;
    each_entry(&m.metadata, m.metadata_count, |ep, el, vp, vl| {
        let same = msgbridge_bridge_runtime::same_bytes(unsafe { bytes(ep, el) }, key);
        if !same {
            push_entry(scratch, ep, el, vp, vl);
            count += 1;
        } else if set && !placed {
            push_entry(scratch, ep, el, np, nl);
            placed = true;
            count += 1;
        }
    });
    if set && !placed {
        push_entry(scratch, kp, kl, np, nl);
        count += 1;
    }
    core::mem::swap(&mut m.metadata, scratch);
    m.metadata_count = count;
}

/// `[method]message.add-metadata`: sets one entry, replacing one with the same key.
#[unsafe(export_name = "types.[method]message.add-metadata")]
pub extern "C" fn message_add_metadata(m: u32, kp: u32, kl: u32, vp: u32, vl: u32) {
    let st = st();
    rewrite_metadata(st, m, kp, kl, true, vp, vl);
    st.messages.get::<Message>(m).has_metadata = 1;
}

/// `[method]message.set-metadata`: replaces all metadata.
#[unsafe(export_name = "types.[method]message.set-metadata")]
pub extern "C" fn message_set_metadata(m: u32, p: u32, count: u32) {
    let m = st().messages.get::<Message>(m);
    m.metadata.clear();
    let mut i = 0;
    while i < count {
        let at = p + 16 * i;
        // SAFETY: the guest's list of `tuple<string, string>` is readable for the call.
        unsafe {
            push_entry(
                &mut m.metadata,
                load32(at as *const u8),
                load32((at + 4) as *const u8),
                load32((at + 8) as *const u8),
                load32((at + 12) as *const u8),
            );
        }
        i += 1;
    }
    m.metadata_count = count;
    m.has_metadata = 1;
}

/// `[method]message.remove-metadata`.
#[unsafe(export_name = "types.[method]message.remove-metadata")]
pub extern "C" fn message_remove_metadata(m: u32, kp: u32, kl: u32) {
    let st = st();
    if st.messages.get::<Message>(m).has_metadata != 0 {
        rewrite_metadata(st, m, kp, kl, false, 0, 0);
    }
}

/// `[resource-drop]message`.
#[unsafe(export_name = "types.[resource-drop]message")]
pub extern "C" fn message_drop(m: u32) {
    st().messages.remove::<Message>(m);
}

// ---- wasi:messaging/producer ----

/// `producer.send`: `consumer.publish` of the message's data; content-type and metadata
/// cannot cross (docs/mapping.md).
#[unsafe(export_name = "producer.send")]
pub extern "C" fn send(c: u32, tp: u32, tl: u32, m: u32, ret: u32) {
    let st = st();
    let connected = st.clients.get::<Client>(c).connected != 0;
    let msg = st.messages.get::<Message>(m);
    if connected {
        let (dp, dl) = (msg.data.as_ptr() as u32, msg.data.len());
        publish(st, tp, tl, dp, dl, ret);
    } else {
        write_disconnected(st, ret);
    }
    st.messages.remove::<Message>(m);
}

// ---- wasi:messaging/request-reply ----

/// `[constructor]request-options`.
#[unsafe(export_name = "request-reply.[constructor]request-options")]
pub extern "C" fn options_new() -> u32 {
    let st = st();
    let handle = st.options.insert::<Options>();
    st.options.get::<Options>(handle).has_timeout = 0;
    handle
}

/// `[method]request-options.set-timeout-ms`.
#[unsafe(export_name = "request-reply.[method]request-options.set-timeout-ms")]
pub extern "C" fn options_set_timeout(o: u32, timeout_ms: u32) {
    let o = st().options.get::<Options>(o);
    o.has_timeout = 1;
    o.timeout_ms = timeout_ms;
}

/// `[method]request-options.set-expected-replies`: wasmCloud's `request` returns exactly
/// one reply, which satisfies any count (docs/mapping.md).
#[unsafe(export_name = "request-reply.[method]request-options.set-expected-replies")]
pub extern "C" fn options_set_expected(o: u32, _expected: u32) {
    st().options.get::<Options>(o);
}

/// `[resource-drop]request-options`.
#[unsafe(export_name = "request-reply.[resource-drop]request-options")]
pub extern "C" fn options_drop(o: u32) {
    st().options.remove::<Options>(o);
}

/// `request-reply.request`: one `consumer.request`; its reply is the only message of the
/// list. Without a timeout the longest `u32` stands in for "no bound".
#[unsafe(export_name = "request-reply.request")]
pub extern "C" fn request(c: u32, tp: u32, tl: u32, m: u32, od: u32, oh: u32, ret: u32) {
    let st = st();
    let connected = st.clients.get::<Client>(c).connected != 0;
    let mut timeout_ms = u32::MAX;
    if od != 0 {
        let o = st.options.get::<Options>(oh);
        if o.has_timeout != 0 {
            timeout_ms = o.timeout_ms;
        }
        st.options.remove::<Options>(oh);
    }
    let msg = st.messages.get::<Message>(m);
    if !connected {
        write_disconnected(st, ret);
        return;
    }
    let (dp, dl) = (msg.data.as_ptr() as u32, msg.data.len());
    let mark = st.pool.mark();
    let r = st.import_ret.as_mut_ptr() as u32;
    // SAFETY: the arguments are readable; `r` is a 32-byte return area.
    unsafe {
        consumer_request(tp, tl, dp, dl, timeout_ms, r);
        if load8(r as *const u8) == 0 {
            let handle = new_message(st);
            let reply = st.messages.get::<Message>(handle);
            reply.topic.set_raw(
                load32((r + 4) as *const u8) as usize as *const u8,
                load32((r + 8) as *const u8),
            );
            reply.has_topic = 1;
            reply.data.set_raw(
                load32((r + 12) as *const u8) as usize as *const u8,
                load32((r + 16) as *const u8),
            );
            if load8((r + 20) as *const u8) != 0 {
                reply.reply_to.set_raw(
                    load32((r + 24) as *const u8) as usize as *const u8,
                    load32((r + 28) as *const u8),
                );
                reply.has_reply_to = 1;
            }
            let list = guest_alloc(4, 4);
            store32(list, handle);
            store8(ret as *mut u8, 0);
            store32((ret + 4) as *mut u8, list as u32);
            store32((ret + 8) as *mut u8, 1);
        } else {
            write_host_error(
                ret,
                load32((r + 4) as *const u8),
                load32((r + 8) as *const u8),
            );
        }
    }
    st.pool.release(mark);
}

/// `request-reply.reply`: a publish to the received message's `reply-to`; a no-op for a
/// message without one.
#[unsafe(export_name = "request-reply.reply")]
pub extern "C" fn reply(r: u32, m: u32, ret: u32) {
    let st = st();
    let received = st.messages.get::<Message>(r);
    if received.has_reply_to == 0 {
        unsafe { store8(ret as *mut u8, 0) };
    } else {
        let (sp, sl) = (received.reply_to.as_ptr() as u32, received.reply_to.len());
        let msg = st.messages.get::<Message>(m);
        let (dp, dl) = (msg.data.as_ptr() as u32, msg.data.len());
        publish(st, sp, sl, dp, dl, ret);
    }
    st.messages.remove::<Message>(m);
}
