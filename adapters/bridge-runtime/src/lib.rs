//! What msgbridge's two spliced bridge modules share.
//!
//! A bridge runs as a wit-component *adapter* inside a guest's component, like wasmtime's
//! preview1 adapter: it imports the guest's memory (`env.memory`) and allocator
//! (`__main_module__` `cabi_realloc`), and may have no data segment, table or memory of its
//! own. Everything it keeps therefore lives in the guest's heap, reached from one wasm
//! global ([`state`]), and grows with the guest's `cabi_realloc`, which cannot free:
//! buffers ([`Buf`]), handle tables ([`Table`]) and the pool behind `cabi_import_realloc`
//! and `cabi_export_realloc` ([`Pool`]) are reused rather than freed, so a warm instance
//! does not leak per call.
//!
//! Code here must not panic (a panic path would pull in `core::fmt` and its data), so it
//! reads memory with raw pointers and traps with `unreachable` where the canonical ABI
//! would trap.
//!
//! It also builds for the host, where `native` stands in for the guest's allocator and the
//! intrinsics object and [`trap`] panics, so that the unit tests below run natively:
//! `cargo test --manifest-path adapters/Cargo.toml -p msgbridge-bridge-runtime`.

#![no_std]

#[cfg(not(target_arch = "wasm32"))]
extern crate std;

use core::ptr;

pub mod text {
    //! The mapping crate's texts and error classifier, generated as code (no data).

    /// Receives text, up to eight bytes at a time.
    pub trait Sink {
        /// Appends the `len` (at most 8) low bytes of `word`, least significant first.
        fn put_word(&mut self, word: u64, len: u32);
    }

    /// The `wasi:messaging` `error` case a text maps to; the value is the case's index.
    #[derive(Clone, Copy, PartialEq, Eq)]
    #[repr(u8)]
    pub enum Kind {
        /// `timeout`.
        Timeout = 0,
        /// `connection(string)`.
        Connection = 1,
        /// `permission-denied(string)`.
        PermissionDenied = 2,
        /// `other(string)`.
        Other = 3,
    }

    include!(concat!(env!("OUT_DIR"), "/texts.rs"));
}

#[cfg(target_arch = "wasm32")]
mod intrinsics {
    include!(concat!(env!("OUT_DIR"), "/intrinsics.rs"));
}

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
use native::{guest_realloc, intrinsics};

use text::Sink;

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "__main_module__")]
unsafe extern "C" {
    /// The guest's allocator; wit-component renames the import to whatever realloc the
    /// guest exports for its adapters.
    #[link_name = "cabi_realloc"]
    fn guest_realloc(old: *mut u8, old_len: usize, align: usize, new_len: usize) -> *mut u8;
}

pub mod streams;
pub mod waits;

/// Traps, as the canonical ABI does on misuse (a bad handle, a failed allocation).
#[cfg(target_arch = "wasm32")]
#[inline(always)]
pub fn trap() -> ! {
    core::arch::wasm32::unreachable()
}

/// Traps: natively, a panic, which a test can expect.
#[cfg(not(target_arch = "wasm32"))]
pub fn trap() -> ! {
    panic!("trap")
}

#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    trap()
}

/// Allocates `len` bytes aligned to `align` with the guest's allocator; the caller hands
/// them to the guest, which owns and frees them.
///
/// # Safety
/// Calls into the guest's allocator.
pub unsafe fn guest_alloc(len: u32, align: u32) -> *mut u8 {
    if len == 0 {
        return align as usize as *mut u8;
    }
    let p = unsafe { guest_realloc(ptr::null_mut(), 0, align as usize, len as usize) };
    if p.is_null() {
        trap();
    }
    p
}

/// Resizes the guest allocation `p` of `old_len` bytes (aligned to `align`) to `new_len`
/// bytes with the guest's allocator, keeping its contents; the guest owns the result.
///
/// # Safety
/// `p` must be a guest allocation of `old_len` bytes (or null with `old_len` 0).
pub unsafe fn guest_resize(p: *mut u8, old_len: u32, align: u32, new_len: u32) -> *mut u8 {
    let q = unsafe { guest_realloc(p, old_len as usize, align as usize, new_len as usize) };
    if q.is_null() && new_len != 0 {
        trap();
    }
    q
}

/// Copies `len` bytes at `src` into a new guest allocation.
///
/// # Safety
/// `src..src+len` must be readable.
pub unsafe fn guest_copy(src: *const u8, len: u32) -> *mut u8 {
    unsafe {
        let p = guest_alloc(len, 1);
        if len != 0 {
            ptr::copy_nonoverlapping(src, p, len as usize);
        }
        p
    }
}

/// Returns the bridge's state, a `T` in the guest's heap allocated (zeroed) on first use.
/// Every field of `T` must be valid when all bytes are zero.
///
/// # Safety
/// One `T` per bridge: every call must use the same type.
#[inline(always)]
pub unsafe fn state<T>() -> &'static mut T {
    unsafe {
        let p = intrinsics::msgbridge_state_get();
        if p != 0 {
            return &mut *(p as usize as *mut T);
        }
        &mut *init_state::<T>()
    }
}

#[inline(never)]
unsafe fn init_state<T>() -> *mut T {
    unsafe {
        // Keep wit-component's `allocation_state` global alive: should the bridge ever use
        // a shadow stack, the adapter GC then allocates it lazily from the guest's heap.
        intrinsics::allocation_state_get();
        let size = core::mem::size_of::<T>() as u32;
        let p = guest_alloc(size, 8);
        ptr::write_bytes(p, 0, size as usize);
        intrinsics::msgbridge_state_set(p as usize as _);
        p as *mut T
    }
}

/// Reads the compose-time client name into `out` (layout: `msgbridge_worlds::client_name`).
pub fn client_name(out: &mut Buf) {
    use intrinsics::*;
    use msgbridge_worlds::client_name::{
        MAX_LEN as MAX_CLIENT_NAME_LEN, WORDS as CLIENT_NAME_WORDS,
    };
    macro_rules! words {
        ($($get:ident),*) => {{
            let mut n = 0usize;
            // SAFETY: the accessors only read immutable globals.
            $( out.put_word(unsafe { $get() } as u32 as u64, 4); n += 1; )*
            n
        }};
    }
    out.clear();
    let words = words!(
        msgbridge_client_name_0_get,
        msgbridge_client_name_1_get,
        msgbridge_client_name_2_get,
        msgbridge_client_name_3_get,
        msgbridge_client_name_4_get,
        msgbridge_client_name_5_get,
        msgbridge_client_name_6_get,
        msgbridge_client_name_7_get,
        msgbridge_client_name_8_get,
        msgbridge_client_name_9_get,
        msgbridge_client_name_10_get,
        msgbridge_client_name_11_get,
        msgbridge_client_name_12_get,
        msgbridge_client_name_13_get,
        msgbridge_client_name_14_get,
        msgbridge_client_name_15_get,
        msgbridge_client_name_16_get,
        msgbridge_client_name_17_get,
        msgbridge_client_name_18_get,
        msgbridge_client_name_19_get,
        msgbridge_client_name_20_get,
        msgbridge_client_name_21_get,
        msgbridge_client_name_22_get,
        msgbridge_client_name_23_get
    );
    if words != CLIENT_NAME_WORDS {
        trap();
    }
    // SAFETY: reads an immutable global.
    let len = unsafe { msgbridge_client_name_len_get() } as u32;
    out.len = if len as usize > MAX_CLIENT_NAME_LEN {
        MAX_CLIENT_NAME_LEN as u32
    } else {
        len
    };
}

/// A growable byte buffer in the guest's heap, reused rather than freed. All zero is an
/// empty buffer.
#[repr(C)]
pub struct Buf {
    ptr: *mut u8,
    len: u32,
    cap: u32,
}

impl Buf {
    /// Bytes held.
    #[inline(always)]
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether it holds nothing.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Start of the bytes (dangling but non-null when never allocated).
    #[inline(always)]
    pub fn as_ptr(&self) -> *mut u8 {
        if self.ptr.is_null() {
            ptr::dangling_mut::<u8>()
        } else {
            self.ptr
        }
    }

    /// The bytes.
    #[inline(always)]
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `ptr..ptr+len` was written by this buffer.
        unsafe { core::slice::from_raw_parts(self.as_ptr(), self.len as usize) }
    }

    /// Forgets the contents, keeping the capacity.
    #[inline(always)]
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Makes room for `extra` more bytes, growing with the guest's `cabi_realloc`.
    pub fn reserve(&mut self, extra: u32) {
        let Some(need) = self.len.checked_add(extra) else {
            trap()
        };
        if need <= self.cap {
            return;
        }
        self.grow(need);
    }

    #[inline(never)]
    fn grow(&mut self, need: u32) {
        let doubled = self.cap.saturating_mul(2);
        let cap = if doubled > need { doubled } else { need };
        let cap = if cap < 16 { 16 } else { cap };
        // SAFETY: `ptr`/`cap` are this buffer's allocation (or null/0), always align 8.
        let p = unsafe { guest_realloc(self.ptr, self.cap as usize, 8, cap as usize) };
        if p.is_null() {
            trap();
        }
        self.ptr = p;
        self.cap = cap;
    }

    /// Appends one byte.
    #[inline(always)]
    pub fn push_byte(&mut self, b: u8) {
        self.reserve(1);
        // SAFETY: reserved above.
        unsafe { *self.ptr.add(self.len as usize) = b };
        self.len += 1;
    }

    /// Appends `len` bytes read at `src` (which may be in the guest's memory).
    ///
    /// # Safety
    /// `src..src+len` must be readable and not inside this buffer.
    pub unsafe fn push_raw(&mut self, src: *const u8, len: u32) {
        if len == 0 {
            return;
        }
        self.reserve(len);
        unsafe { ptr::copy_nonoverlapping(src, self.ptr.add(self.len as usize), len as usize) };
        self.len += len;
    }

    /// Replaces the contents with `len` bytes read at `src`.
    ///
    /// # Safety
    /// As [`Buf::push_raw`].
    pub unsafe fn set_raw(&mut self, src: *const u8, len: u32) {
        self.clear();
        unsafe { self.push_raw(src, len) };
    }

    /// Appends the contents of another buffer.
    pub fn push_buf(&mut self, other: &Buf) {
        // SAFETY: `other` is a distinct buffer.
        unsafe { self.push_raw(other.as_ptr(), other.len) };
    }

    /// Appends `n` in decimal.
    pub fn push_decimal(&mut self, n: u64) {
        let mut digits = 1u32;
        let mut rest = n / 10;
        while rest != 0 {
            digits += 1;
            rest /= 10;
        }
        self.reserve(digits);
        let mut at = self.len + digits;
        let mut rest = n;
        loop {
            at -= 1;
            // SAFETY: `at` is inside the reserved room.
            unsafe { *self.ptr.add(at as usize) = b'0' + (rest % 10) as u8 };
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        self.len += digits;
    }

    /// A new guest allocation holding a copy of the contents, for the guest to own.
    pub fn to_guest(&self) -> *mut u8 {
        // SAFETY: reads this buffer's own bytes.
        unsafe { guest_copy(self.as_ptr(), self.len) }
    }
}

impl Sink for Buf {
    #[inline(always)]
    fn put_word(&mut self, word: u64, len: u32) {
        self.reserve(8);
        // SAFETY: eight bytes reserved; only `len` of them count.
        unsafe { ptr::write_unaligned(self.ptr.add(self.len as usize) as *mut u64, word) };
        self.len += len;
    }
}

/// Whether `a` and `b` hold the same bytes.
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        // SAFETY: `i` is below both lengths.
        if unsafe { *a.get_unchecked(i) != *b.get_unchecked(i) } {
            return false;
        }
        i += 1;
    }
    true
}

/// A slot of a [`Table`]: all zero is a free slot.
pub trait Slot {
    /// Whether the slot holds a live resource.
    fn live(&self) -> bool;
    /// Marks it live (on insert) or free (on remove); a freed slot keeps its buffers for
    /// reuse.
    fn set_live(&mut self, live: bool);
}

/// Resources of one type, addressed by handle (index + 1, never 0), in a [`Buf`].
#[repr(C)]
pub struct Table {
    slots: Buf,
}

impl Table {
    fn count<T>(&self) -> u32 {
        self.slots.len / core::mem::size_of::<T>() as u32
    }

    fn slot<T>(&self, index: u32) -> *mut T {
        // SAFETY: callers pass an index below `count`.
        unsafe { (self.slots.as_ptr() as *mut T).add(index as usize) }
    }

    /// Takes a free slot (or adds one) and returns its handle; the slot is live and keeps
    /// whatever buffers it had.
    pub fn insert<T: Slot + 'static>(&mut self) -> u32 {
        let count = self.count::<T>();
        let mut i = 0;
        while i < count {
            // SAFETY: `i < count`.
            let slot = unsafe { &mut *self.slot::<T>(i) };
            if !slot.live() {
                slot.set_live(true);
                return i + 1;
            }
            i += 1;
        }
        let size = core::mem::size_of::<T>() as u32;
        self.slots.reserve(size);
        // SAFETY: reserved; a zeroed `T` is a free slot.
        unsafe {
            ptr::write_bytes(
                self.slots.ptr.add(self.slots.len as usize),
                0,
                size as usize,
            )
        };
        self.slots.len += size;
        // SAFETY: `count` is now below the new count.
        unsafe { (*self.slot::<T>(count)).set_live(true) };
        count + 1
    }

    /// The live resource behind `handle`; traps on a bad handle, as the canonical ABI does.
    pub fn get<T: Slot + 'static>(&self, handle: u32) -> &'static mut T {
        let count = self.count::<T>();
        if handle == 0 || handle > count {
            trap();
        }
        // SAFETY: `handle - 1 < count`; the table's memory lives as long as the instance.
        let slot = unsafe { &mut *self.slot::<T>(handle - 1) };
        if !slot.live() {
            trap();
        }
        slot
    }

    /// Frees the slot behind `handle` (traps on a bad handle).
    pub fn remove<T: Slot + 'static>(&self, handle: u32) {
        self.get::<T>(handle).set_live(false);
    }
}

/// One block of a [`Pool`].
#[repr(C)]
struct Block {
    ptr: *mut u8,
    cap: u32,
}

/// The memory behind `cabi_import_realloc` and `cabi_export_realloc`: blocks from the
/// guest's heap, handed out as a stack (a [`Pool::mark`] and [`Pool::release`] around a
/// call) and reused by later calls.
#[repr(C)]
pub struct Pool {
    blocks: Buf,
    used: u32,
}

impl Pool {
    fn block(&self, index: u32) -> *mut Block {
        // SAFETY: callers pass an index below the block count.
        unsafe { (self.blocks.as_ptr() as *mut Block).add(index as usize) }
    }

    /// Hands out `size` bytes aligned to `align` (at most 8) until released.
    pub fn alloc(&mut self, align: u32, size: u32) -> *mut u8 {
        if size == 0 {
            return align as usize as *mut u8;
        }
        if align > 8 {
            trap();
        }
        let count = self.blocks.len / core::mem::size_of::<Block>() as u32;
        let mut found = count;
        let mut i = self.used;
        while i < count {
            // SAFETY: `i < count`.
            if unsafe { (*self.block(i)).cap } >= size {
                found = i;
                break;
            }
            i += 1;
        }
        if found == count {
            if self.used < count {
                found = self.used;
                // SAFETY: a free block of this pool, always allocated with align 8.
                unsafe {
                    let block = &mut *self.block(found);
                    let p = guest_realloc(block.ptr, block.cap as usize, 8, size as usize);
                    if p.is_null() {
                        trap();
                    }
                    block.ptr = p;
                    block.cap = size;
                }
            } else {
                let size_of_block = core::mem::size_of::<Block>() as u32;
                self.blocks.reserve(size_of_block);
                // SAFETY: reserved above.
                unsafe {
                    let p = guest_alloc(size, 8);
                    ptr::write(
                        self.blocks.ptr.add(self.blocks.len as usize) as *mut Block,
                        Block { ptr: p, cap: size },
                    );
                }
                self.blocks.len += size_of_block;
            }
        }
        // SAFETY: both indices are below the block count.
        unsafe {
            ptr::swap(self.block(found), self.block(self.used));
            let p = (*self.block(self.used)).ptr;
            self.used += 1;
            p
        }
    }

    /// Moves the block in use that starts at `p` into `buf`, which then holds its first
    /// `len` bytes, and gives the block `buf`'s old allocation in exchange: a buffer the
    /// host wrote through `cabi_*_realloc` becomes a [`Buf`] without a copy. Returns false,
    /// changing nothing, when no block in use starts at `p` with room for `len` bytes.
    pub fn swap_into(&mut self, p: *mut u8, len: u32, buf: &mut Buf) -> bool {
        let mut i = 0;
        while i < self.used {
            // SAFETY: `i` is below the count of blocks in use.
            let block = unsafe { &mut *self.block(i) };
            if block.ptr == p && block.cap >= len {
                // Both are `guest_realloc` allocations of align 8 (or null with capacity
                // 0), so either side may grow or reuse the other's.
                let (old_ptr, old_cap) = (buf.ptr, buf.cap);
                buf.ptr = block.ptr;
                buf.cap = block.cap;
                buf.len = len;
                block.ptr = old_ptr;
                block.cap = old_cap;
                return true;
            }
            i += 1;
        }
        false
    }

    /// How many blocks are in use, to [`Pool::release`] back to.
    #[inline(always)]
    pub fn mark(&self) -> u32 {
        self.used
    }

    /// Makes every block handed out since `mark` free again.
    #[inline(always)]
    pub fn release(&mut self, mark: u32) {
        self.used = mark;
    }
}

/// The guest's `cabi_realloc` protocol for a pool: only fresh allocations.
pub fn pool_realloc(
    pool: &mut Pool,
    old: *mut u8,
    old_len: u32,
    align: u32,
    new_len: u32,
) -> *mut u8 {
    if !old.is_null() || old_len != 0 {
        trap();
    }
    pool.alloc(align, new_len)
}

/// Reads a little-endian `u32` at `p` (in the guest's memory).
///
/// # Safety
/// `p..p+4` must be readable.
#[inline(always)]
pub unsafe fn load32(p: *const u8) -> u32 {
    unsafe { ptr::read_unaligned(p as *const u32) }
}

/// Reads a byte at `p`.
///
/// # Safety
/// `p` must be readable.
#[inline(always)]
pub unsafe fn load8(p: *const u8) -> u8 {
    unsafe { *p }
}

/// Writes a little-endian `u32` at `p`.
///
/// # Safety
/// `p..p+4` must be writable.
#[inline(always)]
pub unsafe fn store32(p: *mut u8, v: u32) {
    unsafe { ptr::write_unaligned(p as *mut u32, v) }
}

/// Writes a byte at `p`.
///
/// # Safety
/// `p` must be writable.
#[inline(always)]
pub unsafe fn store8(p: *mut u8, v: u8) {
    unsafe { *p = v }
}

/// Borrows `len` bytes at `p` in the guest's memory.
///
/// # Safety
/// `p..p+len` must be readable for as long as the slice is used.
#[inline(always)]
pub unsafe fn bytes<'a>(p: u32, len: u32) -> &'a [u8] {
    let p = if p == 0 { 1 } else { p };
    unsafe { core::slice::from_raw_parts(p as usize as *const u8, len as usize) }
}

#[cfg(test)]
mod tests;
