//! The **wasi-on-wasi-async bridge**: runs a synchronous `wasi:messaging@0.2.0-draft` guest on
//! a host that serves Omnia's async variant of the draft, as a core module fused into the
//! guest's own component (a wit-component adapter named `msgbridge_bridge`).
//!
//! The two worlds have the same names, resources and types; Omnia's makes `client.connect`,
//! `producer.send`, `request-reply.request`, `reply` and `incoming-handler.handle` `async`.
//! So the bridge is a pass-through:
//!
//! - Every function of `types`, `producer` and `request-reply` the guest imports is renamed
//!   by `msgbridge-compose` to this module's export of the same name (`types.[method]message.data`,
//!   ...). The synchronous ones call the host's function with the guest's arguments and
//!   return area unchanged: the resource handles are the host's own, and what the host
//!   returns is allocated with the guest's `cabi_realloc` (`cabi_import_realloc` is the
//!   guest's), so the guest owns it as it would natively.
//! - The four async ones are called async-lowered, with the same arguments (a `request`'s
//!   through a parameter area), and waited for inside the task; their results land in the
//!   guest's return area directly.
//! - `incoming-handler.handle` is exported async-lifted (with a callback it never needs): it
//!   raises backpressure (the guest is not reentrant), hands the host's message to the
//!   guest's core export `wasi:messaging/incoming-handler@0.2.0-draft#handle` and returns its
//!   result with `task.return`.
//!
//! A synchronous guest cannot import these async functions through a portable adapter: a
//! synchronous export may not block (`Task.may_block`). Fused into the guest, the bridge runs
//! inside the host's async task, which may (`msgbridge_bridge_runtime::waits`).

#![no_std]

use msgbridge_bridge_runtime::waits::{self, Waits};
use msgbridge_bridge_runtime::{guest_resize, load32, state, store32, store8};

/// Declares the host's synchronous functions of an interface and exports each, under the
/// guest's renamed import, as a call of the host's with the same arguments.
macro_rules! pass_through {
    ($module:literal, $prefix:literal: $( $name:literal => $export:ident / $import:ident ( $($arg:ident),* ) $(-> $ret:ty)? ;)*) => {
        #[link(wasm_import_module = $module)]
        unsafe extern "C" {
            $(
                #[link_name = $name]
                fn $import($($arg: u32),*) $(-> $ret)?;
            )*
        }
        $(
            #[doc = concat!("`", $name, "` of the host's `", $module, "`, unchanged.")]
            #[unsafe(export_name = concat!($prefix, $name))]
            pub extern "C" fn $export($($arg: u32),*) $(-> $ret)? {
                // SAFETY: the guest's arguments, as the canonical ABI lowered them for the
                // same function type.
                unsafe { $import($($arg),*) }
            }
        )*
    };
}

pass_through! {
    "wasi:messaging/types@0.2.0-draft", "types.":
    "[method]client.disconnect" => client_disconnect / host_client_disconnect(c, ret);
    "[resource-drop]client" => client_drop / host_client_drop(c);
    "[constructor]message" => message_new / host_message_new(p, l) -> u32;
    "[method]message.topic" => message_topic / host_message_topic(m, ret);
    "[method]message.content-type" => message_content_type / host_message_content_type(m, ret);
    "[method]message.set-content-type" => message_set_content_type / host_message_set_content_type(m, p, l);
    "[method]message.data" => message_data / host_message_data(m, ret);
    "[method]message.set-data" => message_set_data / host_message_set_data(m, p, l);
    "[method]message.metadata" => message_metadata / host_message_metadata(m, ret);
    "[method]message.add-metadata" => message_add_metadata / host_message_add_metadata(m, kp, kl, vp, vl);
    "[method]message.set-metadata" => message_set_metadata / host_message_set_metadata(m, p, l);
    "[method]message.remove-metadata" => message_remove_metadata / host_message_remove_metadata(m, p, l);
    "[resource-drop]message" => message_drop / host_message_drop(m);
}

pass_through! {
    "wasi:messaging/request-reply@0.2.0-draft", "request-reply.":
    "[constructor]request-options" => options_new / host_options_new() -> u32;
    "[method]request-options.set-timeout-ms" => options_set_timeout / host_options_set_timeout(o, t);
    "[method]request-options.set-expected-replies" => options_set_expected / host_options_set_expected(o, n);
    "[resource-drop]request-options" => options_drop / host_options_drop(o);
}

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

#[link(wasm_import_module = "[export]wasi:messaging/incoming-handler@0.2.0-draft")]
unsafe extern "C" {
    #[link_name = "[task-return]handle"]
    fn task_return(is_err: u32, case: u32, p: u32, len: u32);
}

#[link(wasm_import_module = "__main_module__")]
unsafe extern "C" {
    #[link_name = "wasi:messaging/incoming-handler@0.2.0-draft#handle"]
    fn guest_handle(m: u32) -> u32;
    #[link_name = "cabi_post_wasi:messaging/incoming-handler@0.2.0-draft#handle"]
    fn guest_handle_post(ret: u32);
}

/// Everything the bridge keeps, in the guest's heap (see `msgbridge-bridge-runtime`).
#[repr(C)]
struct State {
    waits: Waits,
    /// The parameters of an async-lowered `request` (more than four flat values).
    params: [u32; 6],
}

fn st() -> &'static mut State {
    // SAFETY: `State` is this bridge's only state type and is valid when zeroed.
    unsafe { state::<State>() }
}

// ---- allocation ----

/// Memory for what the host returns to an import call: the guest's, which owns it as the
/// guest's own import call's results.
///
/// # Safety
/// The canonical ABI's realloc protocol: `old` is null or an allocation of `old_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_import_realloc(
    old: *mut u8,
    old_len: u32,
    align: u32,
    new_len: u32,
) -> *mut u8 {
    // SAFETY: the canonical ABI's realloc protocol, passed on to the guest's allocator.
    unsafe { guest_resize(old, old_len, align, new_len) }
}

/// Memory for an export's arguments (none: `handle` takes a handle).
///
/// # Safety
/// As `cabi_import_realloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_export_realloc(
    old: *mut u8,
    old_len: u32,
    align: u32,
    new_len: u32,
) -> *mut u8 {
    // SAFETY: as above.
    unsafe { guest_resize(old, old_len, align, new_len) }
}

// ---- the async functions, waited for inside the task ----

/// `client.connect`, async on the host.
#[unsafe(export_name = "types.[static]client.connect")]
pub extern "C" fn connect(np: u32, nl: u32, ret: u32) {
    // SAFETY: the guest's name is readable and its return area writable until the call
    // returns, which `finish_call` waits for.
    let status = unsafe { async_connect(np, nl, ret) };
    st().waits.finish_call(status);
}

/// `producer.send`, async on the host.
#[unsafe(export_name = "producer.send")]
pub extern "C" fn send(c: u32, tp: u32, tl: u32, m: u32, ret: u32) {
    // SAFETY: as in `connect`; the message's ownership passes to the host.
    let status = unsafe { async_send(c, tp, tl, m, ret) };
    st().waits.finish_call(status);
}

/// `request-reply.request`, async on the host: its six flat parameters go through the
/// parameter area.
#[unsafe(export_name = "request-reply.request")]
pub extern "C" fn request(c: u32, tp: u32, tl: u32, m: u32, od: u32, oh: u32, ret: u32) {
    let st = st();
    let params = st.params.as_mut_ptr() as usize as u32;
    // SAFETY: the parameter area is the bridge's; the guest's arguments stay valid until
    // the call returns.
    unsafe {
        store32(params as *mut u8, c);
        store32((params + 4) as *mut u8, tp);
        store32((params + 8) as *mut u8, tl);
        store32((params + 12) as *mut u8, m);
        store8((params + 16) as *mut u8, od as u8);
        store32((params + 20) as *mut u8, oh);
        let status = async_request(params, ret);
        self::st().waits.finish_call(status);
    }
}

/// `request-reply.reply`, async on the host.
#[unsafe(export_name = "request-reply.reply")]
pub extern "C" fn reply(r: u32, m: u32, ret: u32) {
    // SAFETY: as in `connect`.
    let status = unsafe { async_reply(r, m, ret) };
    st().waits.finish_call(status);
}

// ---- the handler export ----

/// `incoming-handler.handle`, async-lifted: the guest's synchronous `handle` with the
/// host's message, its result returned with `task.return`.
#[unsafe(export_name = "[async-lift]wasi:messaging/incoming-handler@0.2.0-draft#handle")]
pub extern "C" fn handle(m: u32) -> u32 {
    waits::begin_delivery();
    // SAFETY: the guest takes the message's ownership; its result (`result<_, error>`) is
    // valid until its post-return function runs, after `task.return` lifted it.
    unsafe {
        let g = guest_handle(m);
        if *(g as usize as *const u8) == 0 {
            task_return(0, 0, 0, 0);
        } else {
            task_return(
                1,
                *((g + 4) as usize as *const u8) as u32,
                load32((g + 8) as *const u8),
                load32((g + 12) as *const u8),
            );
        }
        guest_handle_post(g);
    }
    waits::end_delivery();
    0
}

/// The callback of the async-lifted `handle`: never reached, as `handle` waits for
/// everything itself and exits.
#[unsafe(export_name = "[callback][async-lift]wasi:messaging/incoming-handler@0.2.0-draft#handle")]
pub extern "C" fn handle_callback(_event: u32, _waitable: u32, _payload: u32) -> u32 {
    0
}
