//! Waiting inside an async task, for the bridges of a synchronous guest on an asynchronous
//! host: the canonical ABI's async built-ins spoken directly (the names wit-bindgen's
//! generated code imports), with no async runtime. Each wait joins one waitable to the
//! bridge's one waitable set, waits for its event and leaves the set again; only an
//! async-lifted export's task may do so (`Task.may_block`).

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "$root")]
unsafe extern "C" {
    #[link_name = "[waitable-set-new]"]
    fn waitable_set_new() -> u32;
    #[link_name = "[waitable-set-wait]"]
    fn waitable_set_wait(set: u32, event: u32) -> u32;
    #[link_name = "[waitable-join]"]
    fn waitable_join(waitable: u32, set: u32);
    #[link_name = "[subtask-drop]"]
    fn subtask_drop(subtask: u32);
    #[link_name = "[backpressure-inc]"]
    fn backpressure_inc();
    #[link_name = "[backpressure-dec]"]
    fn backpressure_dec();
}

#[cfg(not(target_arch = "wasm32"))]
use crate::native::waits::{
    backpressure_dec, backpressure_inc, subtask_drop, waitable_join, waitable_set_new,
    waitable_set_wait,
};

/// The low four bits of an async-lowered call's status: the callee has returned.
pub const STATUS_RETURNED: u32 = 2;
/// A stream operation that has not completed yet.
pub const BLOCKED: u32 = 0xffff_ffff;
/// The low four bits of a stream result: the other end dropped.
pub const DROPPED: u32 = 1;
/// The low four bits of a stream result: cancelled.
pub const CANCELLED: u32 = 2;

/// The waitable set and the event area of a bridge, in its state (all zero: no set yet).
#[repr(C)]
pub struct Waits {
    set: u32,
    event: [u32; 2],
}

impl Waits {
    /// Waits until `waitable` (a subtask or a stream end) has an event; returns its
    /// payload.
    pub fn wait_for(&mut self, waitable: u32) -> u32 {
        // SAFETY: canonical built-ins; the set holds only `waitable`, so the event is its
        // own; `event` is this struct's.
        unsafe {
            if self.set == 0 {
                self.set = waitable_set_new();
            }
            let event = self.event.as_mut_ptr() as usize as u32;
            waitable_join(waitable, self.set);
            waitable_set_wait(self.set, event);
            waitable_join(waitable, 0);
            self.event[1]
        }
    }

    /// Waits for the async-lowered call whose status is `status` to return, and drops its
    /// subtask.
    pub fn finish_call(&mut self, status: u32) {
        let mut state = status & 0xf;
        let subtask = status >> 4;
        while state != STATUS_RETURNED {
            state = self.wait_for(subtask) & 0xf;
        }
        if subtask != 0 {
            // SAFETY: a returned subtask of this instance.
            unsafe { subtask_drop(subtask) };
        }
    }
}

/// Holds new deliveries back (`backpressure.inc`) while a delivery runs in the
/// synchronous guest, which is not reentrant; [`end_delivery`] lets them in again.
pub fn begin_delivery() {
    // SAFETY: a canonical built-in.
    unsafe { backpressure_inc() }
}

/// Ends what [`begin_delivery`] began.
pub fn end_delivery() {
    // SAFETY: a canonical built-in.
    unsafe { backpressure_dec() }
}
