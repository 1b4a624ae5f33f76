//! Native stand-ins for what a bridge gets from its guest and its intrinsics object on
//! `wasm32`, so that the runtime builds for the host and its unit tests run there.
//!
//! - [`guest_realloc`] plays the guest's `cabi_realloc` on the host allocator, and checks
//!   the runtime's side of the protocol: an allocation it grows must be live and passed
//!   with the length and alignment it has. It refuses (returns null, as a guest out of
//!   memory does) beyond a limit on live bytes, [`HEAP_LIMIT`] unless a test sets another.
//! - [`intrinsics`] holds the wasm globals as thread-locals (each test runs on a thread of
//!   its own, like an instance), the state global pointer-sized.
//!
//! The heap is per thread too, and frees whatever is still live when its thread ends.

use core::cell::{Cell, RefCell};
use std::alloc::{self, Layout};
use std::collections::BTreeMap;

/// Live bytes the stand-in allocator hands out before refusing: far more than any test
/// needs, and below what a 32-bit guest could ever give.
pub const HEAP_LIMIT: usize = 1 << 30;

/// One thread's "guest heap": its live allocations (address to layout).
struct Heap {
    live: BTreeMap<usize, Layout>,
    bytes: usize,
    limit: usize,
    calls: usize,
}

impl Drop for Heap {
    fn drop(&mut self) {
        for (&address, &layout) in &self.live {
            // SAFETY: every entry is a live allocation of this heap with this layout.
            unsafe { alloc::dealloc(address as *mut u8, layout) };
        }
    }
}

std::thread_local! {
    static HEAP: RefCell<Heap> = const {
        RefCell::new(Heap { live: BTreeMap::new(), bytes: 0, limit: HEAP_LIMIT, calls: 0 })
    };
}

/// The guest's `cabi_realloc` on the host allocator: `old` null (with `old_len` 0) for a
/// new allocation, else a live allocation of exactly `old_len` bytes aligned to `align`,
/// which moves to `new_len` bytes. Panics when the runtime breaks that protocol; returns
/// null when the allocation would pass the heap's limit.
///
/// # Safety
/// As the guest's allocator: `old` must not be used after a successful call.
pub unsafe fn guest_realloc(old: *mut u8, old_len: usize, align: usize, new_len: usize) -> *mut u8 {
    HEAP.with_borrow_mut(|heap| {
        heap.calls += 1;
        if new_len == 0 {
            // wit-bindgen's `cabi_realloc` answers a zero-size request with `align`; the
            // runtime never makes one.
            panic!("guest_realloc: zero-size request");
        }
        let Ok(new_layout) = Layout::from_size_align(new_len, align) else {
            panic!("guest_realloc: bad alignment {align}");
        };
        let old_layout = if old.is_null() {
            assert_eq!(old_len, 0, "guest_realloc: null with a length");
            None
        } else {
            let layout = heap.live.get(&(old as usize)).copied();
            let Some(layout) = layout else {
                panic!("guest_realloc: {old:p} is not a live allocation");
            };
            assert_eq!(
                (layout.size(), layout.align()),
                (old_len, align),
                "guest_realloc: {old:p} passed with the wrong length or alignment"
            );
            Some(layout)
        };
        let kept = heap.bytes - old_layout.map_or(0, |l| l.size());
        if kept + new_len > heap.limit {
            return core::ptr::null_mut();
        }
        // SAFETY: `new_layout` has a non-zero size; `old` is live with `old_layout`.
        let p = unsafe {
            match old_layout {
                None => alloc::alloc(new_layout),
                Some(layout) => alloc::realloc(old, layout, new_len),
            }
        };
        if p.is_null() {
            return p;
        }
        if old_layout.is_some() {
            heap.live.remove(&(old as usize));
        }
        heap.live.insert(p as usize, new_layout);
        heap.bytes = kept + new_len;
        p
    })
}

/// Sets the current thread's heap limit, in live bytes.
#[cfg(test)]
pub fn set_heap_limit(limit: usize) {
    HEAP.with_borrow_mut(|heap| heap.limit = limit);
}

/// How many times the current thread called [`guest_realloc`].
#[cfg(test)]
pub fn realloc_calls() -> usize {
    HEAP.with_borrow(|heap| heap.calls)
}

/// The live allocation that starts at `p`, as (length, alignment).
#[cfg(test)]
pub fn allocation(p: *const u8) -> Option<(usize, usize)> {
    HEAP.with_borrow(|heap| {
        heap.live
            .get(&(p as usize))
            .map(|layout| (layout.size(), layout.align()))
    })
}

pub mod intrinsics {
    //! The bridge's wasm globals and their accessors, per thread. The state global holds a
    //! native address here, so it is pointer-sized instead of an `i32`.

    use super::Cell;
    use msgbridge_worlds::client_name::{self, Packed};

    std::thread_local! {
        static STATE: Cell<isize> = const { Cell::new(0) };
        static ALLOCATION_STATE: Cell<i32> = const { Cell::new(0) };
        static CLIENT_NAME: Cell<Packed> = const {
            Cell::new(match client_name::pack(client_name::DEFAULT.as_bytes()) {
                Ok(packed) => packed,
                Err(_) => panic!("the default client name packs"),
            })
        };
    }

    /// The state global.
    ///
    /// # Safety
    /// None natively; `unsafe` as the wasm import is.
    pub unsafe fn msgbridge_state_get() -> isize {
        STATE.get()
    }

    /// Sets the state global.
    ///
    /// # Safety
    /// None natively; `unsafe` as the wasm import is.
    pub unsafe fn msgbridge_state_set(value: isize) {
        STATE.set(value);
    }

    /// wit-component's `allocation_state` global.
    ///
    /// # Safety
    /// None natively; `unsafe` as the wasm import is.
    pub unsafe fn allocation_state_get() -> i32 {
        ALLOCATION_STATE.get()
    }

    /// The client name's length global.
    ///
    /// # Safety
    /// None natively; `unsafe` as the wasm import is.
    pub unsafe fn msgbridge_client_name_len_get() -> i32 {
        CLIENT_NAME.get().len
    }

    /// Sets the client name globals of the current thread, as the composer rewrites them.
    #[cfg(test)]
    pub fn set_client_name(packed: Packed) {
        CLIENT_NAME.set(packed);
    }

    macro_rules! words {
        ($($get:ident = $index:literal),*) => {$(
            /// One word of the client name's bytes.
            ///
            /// # Safety
            /// None natively; `unsafe` as the wasm import is.
            pub unsafe fn $get() -> i32 {
                CLIENT_NAME.get().words[$index]
            }
        )*};
    }

    words!(
        msgbridge_client_name_0_get = 0,
        msgbridge_client_name_1_get = 1,
        msgbridge_client_name_2_get = 2,
        msgbridge_client_name_3_get = 3,
        msgbridge_client_name_4_get = 4,
        msgbridge_client_name_5_get = 5,
        msgbridge_client_name_6_get = 6,
        msgbridge_client_name_7_get = 7,
        msgbridge_client_name_8_get = 8,
        msgbridge_client_name_9_get = 9,
        msgbridge_client_name_10_get = 10,
        msgbridge_client_name_11_get = 11,
        msgbridge_client_name_12_get = 12,
        msgbridge_client_name_13_get = 13,
        msgbridge_client_name_14_get = 14,
        msgbridge_client_name_15_get = 15,
        msgbridge_client_name_16_get = 16,
        msgbridge_client_name_17_get = 17,
        msgbridge_client_name_18_get = 18,
        msgbridge_client_name_19_get = 19,
        msgbridge_client_name_20_get = 20,
        msgbridge_client_name_21_get = 21,
        msgbridge_client_name_22_get = 22,
        msgbridge_client_name_23_get = 23
    );
}

/// The canonical async built-ins have no native stand-in: the unit tests do not wait, and
/// a call here panics as a trap would.
pub mod waits {
    fn unavailable() -> ! {
        panic!("the canonical async built-ins exist only inside a component")
    }
    pub unsafe fn waitable_set_new() -> u32 {
        unavailable()
    }
    pub unsafe fn waitable_set_wait(_set: u32, _event: u32) -> u32 {
        unavailable()
    }
    pub unsafe fn waitable_join(_waitable: u32, _set: u32) {
        unavailable()
    }
    pub unsafe fn subtask_drop(_subtask: u32) {
        unavailable()
    }
    pub unsafe fn backpressure_inc() {
        unavailable()
    }
    pub unsafe fn backpressure_dec() {
        unavailable()
    }
}

/// The `stream<u8>` built-ins have no native stand-in either.
pub mod streams {
    fn unavailable() -> ! {
        panic!("the canonical stream built-ins exist only inside a component")
    }
    pub unsafe fn stream_new() -> u64 {
        unavailable()
    }
    pub unsafe fn stream_read(_s: u32, _p: u32, _len: u32) -> u32 {
        unavailable()
    }
    pub unsafe fn stream_write(_s: u32, _p: u32, _len: u32) -> u32 {
        unavailable()
    }
    pub unsafe fn stream_drop_readable(_s: u32) {
        unavailable()
    }
    pub unsafe fn stream_drop_writable(_s: u32) {
        unavailable()
    }
}
