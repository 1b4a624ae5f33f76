//! Message bodies as `wasmcloud:messaging@0.3.0`'s `stream<u8>`s, for the bridges of a
//! synchronous guest on a wasmCloud v2.8 host: a body is written into a new stream whole and
//! the stream ended, and a stream is read to its end into one buffer, bounded by
//! `msgbridge_mapping::MAX_STREAMED_BODY` ([`crate::text::MAX_STREAMED_BODY`]). Every wait is
//! a [`Waits::wait_for`] inside the host's async task.

use crate::waits::{Waits, BLOCKED, CANCELLED, DROPPED};
use crate::{bytes, guest_alloc, guest_resize, load32, load8, text, Buf};

/// `error::timeout`'s discriminant in `wasmcloud:messaging@0.3.0`'s `error`.
pub const ERROR_TIMEOUT: u32 = 2;
/// `error::other(string)`'s discriminant, the seventh case.
pub const ERROR_OTHER: u32 = 6;

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "wasmcloud:messaging/consumer@0.3.0")]
unsafe extern "C" {
    #[link_name = "[stream-new-0]request"]
    fn stream_new() -> u64;
    #[link_name = "[async-lower][stream-read-0]request"]
    fn stream_read(s: u32, p: u32, len: u32) -> u32;
    #[link_name = "[async-lower][stream-write-0]request"]
    fn stream_write(s: u32, p: u32, len: u32) -> u32;
    #[link_name = "[stream-drop-readable-0]request"]
    fn stream_drop_readable(s: u32);
    #[link_name = "[stream-drop-writable-0]request"]
    fn stream_drop_writable(s: u32);
}

#[cfg(not(target_arch = "wasm32"))]
use crate::native::streams::{
    stream_drop_readable, stream_drop_writable, stream_new, stream_read, stream_write,
};

/// The first allocation for a streamed body; it doubles from there.
const FIRST_CHUNK: u32 = 4096;

/// Starts a new stream; returns its readable and writable ends.
pub fn new_stream() -> (u32, u32) {
    // SAFETY: a canonical built-in.
    let ends = unsafe { stream_new() };
    (ends as u32, (ends >> 32) as u32)
}

/// Writes `len` bytes at `p` into the writable end `w` and drops it, which ends the stream.
/// Stops early when the reader dropped its end: the call carrying the stream says why in
/// its result.
pub fn write_body(waits: &mut Waits, w: u32, p: u32, len: u32) {
    let mut done = 0;
    while done < len {
        // SAFETY: `p + done .. p + len` is readable until the write completes below.
        let mut r = unsafe { stream_write(w, p + done, len - done) };
        if r == BLOCKED {
            r = waits.wait_for(w);
        }
        done += r >> 4;
        let code = r & 0xf;
        if code == DROPPED || code == CANCELLED {
            break;
        }
    }
    // SAFETY: the writable end is the bridge's.
    unsafe { stream_drop_writable(w) };
}

/// Where a streamed body is read to: memory that grows as bytes arrive.
pub trait Body {
    /// Grows the memory from `cap` to `new_cap` bytes, keeping the first `len`; returns
    /// its (possibly new) address.
    fn grow(&mut self, len: u32, cap: u32, new_cap: u32) -> u32;
    /// The bytes are complete: `len` of them, in memory of `cap` bytes (`len` 0 for a body
    /// past the bound, whose bytes are dropped).
    fn finish(&mut self, len: u32, cap: u32);
}

/// A body read into a new guest allocation, which the guest is then given (and owns).
#[derive(Default)]
pub struct GuestBody {
    /// The allocation's address (after [`Body::finish`]: exactly `len` bytes).
    pub ptr: u32,
    /// The bytes read.
    pub len: u32,
}

impl Body for GuestBody {
    fn grow(&mut self, _len: u32, cap: u32, new_cap: u32) -> u32 {
        // SAFETY: `ptr` is this body's guest allocation of `cap` bytes (none yet when 0).
        self.ptr = unsafe {
            if cap == 0 {
                guest_alloc(new_cap, 1)
            } else {
                guest_resize(self.ptr as usize as *mut u8, cap, 1, new_cap)
            }
        } as usize as u32;
        self.ptr
    }

    fn finish(&mut self, len: u32, cap: u32) {
        if cap == 0 {
            // SAFETY: an empty allocation, as the canonical ABI makes one.
            self.ptr = unsafe { guest_alloc(0, 1) } as usize as u32;
        } else if cap != len {
            // A dropped body keeps one byte: the guest's `cabi_realloc` cannot free, but
            // shrinking gives the rest back to its allocator.
            let keep = if len == 0 { 1 } else { len };
            // SAFETY: as in `grow`.
            self.ptr =
                unsafe { guest_resize(self.ptr as usize as *mut u8, cap, 1, keep) } as usize as u32;
        }
        self.len = len;
    }
}

impl Body for Buf {
    fn grow(&mut self, len: u32, _cap: u32, new_cap: u32) -> u32 {
        self.len = len;
        self.reserve(new_cap - len);
        self.as_ptr() as usize as u32
    }

    fn finish(&mut self, len: u32, _cap: u32) {
        self.len = len;
    }
}

/// Reads the readable end `r` to its end into `body` and drops it; `false` (the bytes read
/// so far in `body`) once more than [`crate::text::MAX_STREAMED_BODY`] bytes arrived.
pub fn read_body<B: Body>(waits: &mut Waits, r: u32, body: &mut B) -> bool {
    let limit = crate::text::MAX_STREAMED_BODY;
    let mut p = 0u32;
    let mut cap = 0u32;
    let mut len = 0u32;
    let mut within = true;
    loop {
        if len == cap {
            if cap > limit {
                within = false;
                break;
            }
            let grown = if cap == 0 {
                FIRST_CHUNK
            } else {
                cap.saturating_mul(2)
            };
            // Room for one byte past the bound, so that a longer body is noticed.
            let grown = if grown > limit { limit + 1 } else { grown };
            p = body.grow(len, cap, grown);
            cap = grown;
        }
        // SAFETY: `p + len .. p + cap` is writable until the read completes below.
        let mut res = unsafe { stream_read(r, p + len, cap - len) };
        if res == BLOCKED {
            res = waits.wait_for(r);
        }
        len += res >> 4;
        let code = res & 0xf;
        if code == DROPPED || code == CANCELLED {
            break;
        }
    }
    // SAFETY: the readable end is the bridge's.
    unsafe { stream_drop_readable(r) };
    let whole = within && len <= limit;
    body.finish(if whole { len } else { 0 }, cap);
    whole
}

/// `msgbridge_mapping::body_too_large_message` into `out`.
pub fn too_large_message(out: &mut Buf) {
    out.clear();
    text::body_too_large_prefix(out);
    out.push_decimal(u64::from(text::MAX_STREAMED_BODY));
    text::body_too_large_suffix(out);
}

/// Appends the text of the `@0.3.0` `error` at `at`: the case's name, or `other`'s text.
pub fn error_text(out: &mut Buf, at: u32) {
    // SAFETY: `at` holds an `error` the host wrote.
    unsafe {
        match load8(at as *const u8) as u32 {
            0 => text::error_subject_invalid(out),
            1 => text::error_access_denied(out),
            ERROR_TIMEOUT => text::error_timeout(out),
            3 => text::error_broker_unavailable(out),
            4 => text::error_message_too_large(out),
            5 => text::error_quota_exceeded(out),
            ERROR_OTHER => {
                let s = bytes(load32((at + 4) as *const u8), load32((at + 8) as *const u8));
                out.push_raw(s.as_ptr(), s.len() as u32);
            }
            _ => crate::trap(),
        }
    }
}
