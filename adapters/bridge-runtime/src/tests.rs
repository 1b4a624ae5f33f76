//! Native unit tests of the buffers, handle tables, call pool, state and helpers, on the
//! stand-ins of `native` (each test is one thread, so one fresh "instance").

use core::mem::size_of;
use std::vec::Vec;

use super::*;
use crate::native::{allocation, intrinsics, realloc_calls, set_heap_limit, HEAP_LIMIT};
use msgbridge_worlds::client_name;

fn buf_of(bytes: &[u8]) -> Buf {
    let mut buf = buf();
    // SAFETY: `bytes` is readable and not inside `buf`.
    unsafe { buf.push_raw(bytes.as_ptr(), bytes.len() as u32) };
    buf
}

/// An empty buffer, as a zeroed state holds it.
fn buf() -> Buf {
    Buf {
        ptr: ptr::null_mut(),
        len: 0,
        cap: 0,
    }
}

fn pool() -> Pool {
    Pool {
        blocks: buf(),
        used: 0,
    }
}

fn table() -> Table {
    Table { slots: buf() }
}

fn block_count(pool: &Pool) -> u32 {
    pool.blocks.len / size_of::<Block>() as u32
}

/// The capacity of the pool's blocks, in order (in use first).
fn block_caps(pool: &Pool) -> Vec<u32> {
    (0..block_count(pool))
        // SAFETY: below the block count.
        .map(|i| unsafe { (*pool.block(i)).cap })
        .collect()
}

// Buffers.

#[test]
fn an_empty_buffer_allocates_nothing() {
    let mut b = buf();
    assert!(b.is_empty());
    assert_eq!(b.len(), 0);
    assert!(!b.as_ptr().is_null());
    assert_eq!(b.as_slice(), b"");
    // SAFETY: a zero-length read of null is never made.
    unsafe {
        b.push_raw(ptr::null(), 0);
        b.set_raw(ptr::null(), 0);
    }
    b.push_buf(&buf());
    b.clear();
    assert!(b.ptr.is_null());
    let copy = b.to_guest();
    assert_eq!(
        copy as usize, 1,
        "an empty copy is the dangling pointer of align 1"
    );
    assert_eq!(realloc_calls(), 0);
}

#[test]
fn a_buffer_grows_to_sixteen_then_doubles() {
    let mut b = buf();
    b.push_byte(b'a');
    assert_eq!(b.cap, 16);
    assert_eq!(allocation(b.ptr), Some((16, 8)));
    for i in 1..17u8 {
        b.push_byte(b'a' + i);
    }
    assert_eq!(b.cap, 32);
    assert_eq!(b.len(), 17);
    assert_eq!(b.as_slice(), b"abcdefghijklmnopq");
    // A reservation bigger than double the capacity takes exactly what it needs.
    b.reserve(1000);
    assert_eq!(b.cap, 1017);
    assert_eq!(allocation(b.ptr), Some((1017, 8)));
    assert_eq!(
        b.as_slice(),
        b"abcdefghijklmnopq",
        "growing keeps the bytes"
    );
}

#[test]
fn reserving_what_fits_does_not_reallocate() {
    let mut b = buf_of(b"0123456789");
    let calls = realloc_calls();
    let p = b.ptr;
    b.reserve(6);
    b.clear();
    b.reserve(16);
    // SAFETY: reads a live slice.
    unsafe { b.set_raw(b"abc".as_ptr(), 3) };
    assert_eq!((b.ptr, realloc_calls()), (p, calls));
    assert_eq!(b.as_slice(), b"abc");
}

#[test]
fn a_huge_list_is_copied_whole() {
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let mut b = buf_of(b"head:");
    for chunk in data.chunks(65_537) {
        // SAFETY: `chunk` is readable and not inside `b`.
        unsafe { b.push_raw(chunk.as_ptr(), chunk.len() as u32) };
    }
    assert_eq!(b.len() as usize, 5 + data.len());
    assert!(same_bytes(&b.as_slice()[5..], &data));
    let copy = b.to_guest();
    // SAFETY: `to_guest` copied `len` bytes to `copy`.
    let copied = unsafe { core::slice::from_raw_parts(copy, b.len() as usize) };
    assert_eq!(copied, b.as_slice());
    assert_ne!(copy, b.ptr);
    assert_eq!(allocation(copy), Some((b.len() as usize, 1)));
}

#[test]
#[should_panic(expected = "trap")]
fn a_length_past_u32_traps() {
    let mut b = buf_of(b"x");
    b.reserve(u32::MAX);
}

#[test]
#[should_panic(expected = "trap")]
fn a_refused_allocation_traps() {
    let mut b = buf();
    // Larger than the stand-in's heap, as 4 GiB is for any guest.
    b.reserve(u32::MAX);
}

#[test]
#[should_panic(expected = "trap")]
fn a_buffer_that_cannot_grow_traps() {
    set_heap_limit(64);
    let mut b = buf_of(&[7; 40]);
    b.reserve(30);
}

#[test]
fn push_buf_and_set_raw_replace_and_append() {
    let mut a = buf_of(b"hello");
    let b = buf_of(b", world");
    a.push_buf(&b);
    assert_eq!(a.as_slice(), b"hello, world");
    // SAFETY: reads a live slice.
    unsafe { a.set_raw(b"bye".as_ptr(), 3) };
    assert_eq!(a.as_slice(), b"bye");
    assert_eq!(b.as_slice(), b", world");
}

#[test]
fn push_decimal_writes_every_digit() {
    let cases: [(u64, &[u8]); 8] = [
        (0, b"0"),
        (7, b"7"),
        (10, b"10"),
        (99, b"99"),
        (100, b"100"),
        (1_000_000_007, b"1000000007"),
        (u64::from(u32::MAX), b"4294967295"),
        (u64::MAX, b"18446744073709551615"),
    ];
    for (n, text) in cases {
        let mut b = buf_of(b"n=");
        b.push_decimal(n);
        assert_eq!(&b.as_slice()[2..], text, "{n}");
    }
    let mut b = buf();
    for n in [5u64, 0, 42] {
        b.push_decimal(n);
        b.push_byte(b',');
    }
    assert_eq!(b.as_slice(), b"5,0,42,");
}

#[test]
fn put_word_counts_only_its_bytes() {
    let mut b = buf();
    b.put_word(u64::from_le_bytes(*b"abcdefgh"), 3);
    b.put_word(u64::from_le_bytes(*b"XYZ\0\0\0\0\0"), 2);
    b.put_word(u64::from_le_bytes(*b"12345678"), 8);
    assert_eq!(b.as_slice(), b"abcXY12345678");
    b.put_word(0, 0);
    assert_eq!(b.len(), 13);
}

#[test]
fn the_generated_texts_write_through_a_buffer() {
    let mut b = buf();
    text::timed_out(&mut b);
    assert!(!b.is_empty());
    assert!(text::starts_with_timed_out(b.as_slice()));
    assert!(!text::starts_with_timed_out(&b.as_slice()[1..]));
}

#[test]
fn same_bytes_compares_length_and_every_byte() {
    assert!(same_bytes(b"", b""));
    assert!(same_bytes(b"abc", b"abc"));
    assert!(!same_bytes(b"abc", b"abd"));
    assert!(!same_bytes(b"abc", b"xbc"));
    assert!(!same_bytes(b"abc", b"ab"));
    assert!(!same_bytes(b"", b"a"));
    let long: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
    let mut other = long.clone();
    assert!(same_bytes(&long, &other));
    other[9_999] ^= 1;
    assert!(!same_bytes(&long, &other));
}

// Guest memory helpers.

#[test]
fn loads_and_stores_are_little_endian_and_unaligned() {
    let mut mem = [0u8; 9];
    // SAFETY: every access is inside `mem`.
    unsafe {
        store32(mem.as_mut_ptr().add(1), 0x0403_0201);
        store8(mem.as_mut_ptr().add(5), 0xff);
        assert_eq!(load32(mem.as_ptr().add(1)), 0x0403_0201);
        assert_eq!(load32(mem.as_ptr().add(2)), 0xff04_0302);
        assert_eq!(load8(mem.as_ptr().add(5)), 0xff);
    }
    assert_eq!(mem, [0, 1, 2, 3, 4, 0xff, 0, 0, 0]);
    // SAFETY: a zero-length slice reads nothing.
    assert_eq!(unsafe { bytes(0, 0) }, b"");
}

#[test]
fn guest_alloc_and_copy_hand_out_fresh_memory() {
    // SAFETY: zero-length requests allocate nothing.
    unsafe {
        assert_eq!(guest_alloc(0, 4) as usize, 4);
        assert_eq!(guest_copy(ptr::null(), 0) as usize, 1);
    }
    assert_eq!(realloc_calls(), 0);
    // SAFETY: reads a live slice; the copy has 5 bytes.
    let copy = unsafe { guest_copy(b"bytes".as_ptr(), 5) };
    assert_eq!(unsafe { core::slice::from_raw_parts(copy, 5) }, b"bytes");
    // SAFETY: a fresh allocation.
    let p = unsafe { guest_alloc(24, 8) };
    assert_eq!(allocation(p), Some((24, 8)));
}

#[test]
#[should_panic(expected = "trap")]
fn guest_alloc_traps_when_the_guest_refuses() {
    set_heap_limit(16);
    // SAFETY: traps before using the allocation.
    unsafe { guest_alloc(17, 1) };
}

// State and client name.

/// A bridge state: every field valid when zeroed.
struct State {
    calls: u64,
    out: Buf,
    pool: Pool,
}

#[test]
fn the_state_is_allocated_zeroed_once() {
    // SAFETY: one state type in this test.
    let state = unsafe { super::state::<State>() };
    assert_eq!(state.calls, 0);
    assert!(state.out.is_empty() && state.out.ptr.is_null());
    assert_eq!(state.pool.mark(), 0);
    let address = state as *mut State;
    assert_eq!(
        allocation(address as *const u8),
        Some((size_of::<State>(), 8))
    );
    state.calls = 3;
    state.out.push_byte(b'x');
    // SAFETY: as above.
    let again = unsafe { super::state::<State>() };
    assert_eq!(again as *mut State, address);
    assert_eq!((again.calls, again.out.as_slice()), (3, &b"x"[..]));
    // SAFETY: reads the stand-in's global.
    assert_eq!(
        unsafe { intrinsics::msgbridge_state_get() },
        address as isize
    );
}

#[test]
fn the_client_name_is_read_from_the_globals() {
    let mut out = buf_of(b"left over");
    client_name(&mut out);
    assert_eq!(out.as_slice(), client_name::DEFAULT.as_bytes());

    let longest = [b'n'; client_name::MAX_LEN];
    let packed = client_name::pack(&longest).expect("the longest name packs");
    intrinsics::set_client_name(packed);
    client_name(&mut out);
    assert_eq!(out.as_slice(), &longest[..]);

    // A length past the longest name (globals the composer did not write) is cut there.
    intrinsics::set_client_name(client_name::Packed {
        len: 1000,
        ..packed
    });
    client_name(&mut out);
    assert_eq!(out.len() as usize, client_name::MAX_LEN);
}

// Handle tables.

/// A resource as the bridges keep them: a live flag, a value and a buffer.
#[repr(C)]
struct Resource {
    live: u32,
    value: u64,
    name: Buf,
}

impl Slot for Resource {
    fn live(&self) -> bool {
        self.live != 0
    }

    fn set_live(&mut self, live: bool) {
        self.live = u32::from(live);
    }
}

#[test]
fn handles_start_at_one_and_address_their_slot() {
    let mut t = table();
    let a = t.insert::<Resource>();
    let b = t.insert::<Resource>();
    assert_eq!((a, b), (1, 2));
    let slot = t.get::<Resource>(b);
    assert_eq!(slot.value, 0, "a new slot is zeroed");
    assert!(slot.name.is_empty());
    slot.value = 22;
    t.get::<Resource>(a).value = 11;
    assert_eq!(t.get::<Resource>(a).value, 11);
    assert_eq!(t.get::<Resource>(b).value, 22);
}

#[test]
fn a_dropped_handle_is_reused_with_its_buffers() {
    let mut t = table();
    for _ in 0..3 {
        t.insert::<Resource>();
    }
    let slot = t.get::<Resource>(2);
    slot.name.push_buf(&buf_of(b"subject"));
    let name_ptr = slot.name.ptr;
    t.remove::<Resource>(2);
    let calls = realloc_calls();
    assert_eq!(t.insert::<Resource>(), 2, "the lowest free slot is taken");
    assert_eq!(t.insert::<Resource>(), 4);
    let reused = t.get::<Resource>(2);
    assert_eq!(reused.name.ptr, name_ptr, "the freed slot keeps its buffer");
    reused.name.clear();
    reused.name.push_byte(b'x');
    assert_eq!(reused.name.ptr, name_ptr);
    // Taking slot 2 again and adding slot 4 (which fits the table's capacity) allocate
    // nothing.
    assert_eq!(realloc_calls(), calls);
}

#[test]
fn many_handles_survive_the_table_growing() {
    let mut t = table();
    for i in 1..=1000u32 {
        assert_eq!(t.insert::<Resource>(), i);
        t.get::<Resource>(i).value = u64::from(i) * 3;
    }
    for i in (1..=1000u32).step_by(2) {
        t.remove::<Resource>(i);
    }
    for i in 1..=1000u32 {
        if i % 2 == 0 {
            assert_eq!(t.get::<Resource>(i).value, u64::from(i) * 3);
        }
    }
    assert_eq!(t.insert::<Resource>(), 1);
    assert_eq!(t.insert::<Resource>(), 3);
    assert_eq!(t.count::<Resource>(), 1000);
}

#[test]
#[should_panic(expected = "trap")]
fn handle_zero_traps() {
    let mut t = table();
    t.insert::<Resource>();
    t.get::<Resource>(0);
}

#[test]
#[should_panic(expected = "trap")]
fn a_handle_past_the_table_traps() {
    let mut t = table();
    t.insert::<Resource>();
    t.get::<Resource>(2);
}

#[test]
#[should_panic(expected = "trap")]
fn a_handle_into_an_empty_table_traps() {
    table().get::<Resource>(1);
}

#[test]
#[should_panic(expected = "trap")]
fn a_dropped_handle_traps() {
    let mut t = table();
    t.insert::<Resource>();
    t.insert::<Resource>();
    t.remove::<Resource>(1);
    t.get::<Resource>(1);
}

#[test]
#[should_panic(expected = "trap")]
fn dropping_a_handle_twice_traps() {
    let mut t = table();
    t.insert::<Resource>();
    t.remove::<Resource>(1);
    t.remove::<Resource>(1);
}

// The call pool.

#[test]
fn zero_sized_pool_allocations_are_dangling_and_take_no_block() {
    let mut p = pool();
    assert_eq!(p.alloc(1, 0) as usize, 1);
    assert_eq!(p.alloc(8, 0) as usize, 8);
    assert_eq!(
        p.alloc(16, 0) as usize,
        16,
        "no alignment check for nothing"
    );
    assert_eq!((p.mark(), block_count(&p), realloc_calls()), (0, 0, 0));
}

#[test]
fn pool_allocations_are_aligned_and_disjoint() {
    let mut p = pool();
    let sizes = [1u32, 3, 8, 100, 7, 64];
    let mut blocks = Vec::new();
    for (i, size) in sizes.into_iter().enumerate() {
        let align = [1, 2, 4, 8][i % 4];
        let q = p.alloc(align, size);
        assert_eq!(q as usize % 8, 0, "blocks are 8-aligned");
        // SAFETY: the pool handed out `size` bytes at `q`.
        unsafe { ptr::write_bytes(q, i as u8, size as usize) };
        blocks.push((q, size, i as u8));
    }
    assert_eq!(p.mark(), 6);
    for (q, size, fill) in blocks {
        // SAFETY: still in use.
        let bytes = unsafe { core::slice::from_raw_parts(q, size as usize) };
        assert!(bytes.iter().all(|b| *b == fill), "block {fill} overwritten");
    }
}

#[test]
#[should_panic(expected = "trap")]
fn a_pool_alignment_over_eight_traps() {
    pool().alloc(16, 4);
}

#[test]
fn released_blocks_are_reused_by_the_next_call() {
    let mut p = pool();
    let first = [p.alloc(4, 16), p.alloc(1, 40)];
    p.release(0);
    let calls = realloc_calls();
    // A smaller request takes the first free block that fits, in order.
    let again = [p.alloc(1, 10), p.alloc(4, 40)];
    assert_eq!(again, first);
    assert_eq!(realloc_calls(), calls, "reuse allocates nothing");
    // Only 40 bytes fit the second request; the first block (16) stays free for later.
    p.release(0);
    assert_eq!(p.alloc(1, 30), first[1]);
    assert_eq!(p.alloc(1, 16), first[0]);
    assert_eq!(block_count(&p), 2);
}

#[test]
fn mark_and_release_nest() {
    let mut p = pool();
    let outer = p.alloc(1, 8);
    let mark = p.mark();
    assert_eq!(mark, 1);
    let inner = p.alloc(1, 8);
    assert_ne!(inner, outer);
    p.release(mark);
    assert_eq!(p.mark(), 1);
    assert_eq!(p.alloc(1, 8), inner, "the inner call's block is free again");
    assert_eq!(p.mark(), 2);
    p.release(0);
    assert_eq!(p.mark(), 0);
}

#[test]
fn an_exhausted_pool_adds_blocks() {
    let mut p = pool();
    let mut seen = Vec::new();
    for _ in 0..100 {
        let q = p.alloc(8, 32);
        assert!(!seen.contains(&q));
        seen.push(q);
    }
    assert_eq!((p.mark(), block_count(&p)), (100, 100));
    p.release(0);
    let calls = realloc_calls();
    for _ in 0..100 {
        p.alloc(8, 32);
    }
    assert_eq!((block_count(&p), realloc_calls()), (100, calls));
}

#[test]
fn a_request_larger_than_every_free_block_grows_the_first_free_one() {
    let mut p = pool();
    let kept = p.alloc(1, 8);
    p.alloc(1, 16);
    let third = p.alloc(1, 24);
    p.release(1);
    let big = p.alloc(1, 1000);
    assert_eq!(block_caps(&p), [8, 1000, 24]);
    assert_eq!(allocation(big), Some((1000, 8)));
    assert_eq!(p.mark(), 2);
    assert_eq!(p.alloc(1, 8), third, "the next free block that fits");
    // SAFETY: block 0 is in use.
    assert_eq!(unsafe { (*p.block(0)).ptr }, kept, "blocks in use stay put");
}

#[test]
#[should_panic(expected = "trap")]
fn a_pool_the_guest_cannot_grow_traps() {
    let mut p = pool();
    p.alloc(1, 64);
    p.release(0);
    set_heap_limit(100);
    p.alloc(1, 200);
}

#[test]
fn swap_into_moves_a_block_into_a_buffer_without_a_copy() {
    let mut p = pool();
    let q = p.alloc(1, 32);
    // SAFETY: 32 bytes at `q`.
    unsafe { ptr::copy_nonoverlapping(b"written by the host".as_ptr(), q, 19) };
    let mut b = buf();
    assert!(p.swap_into(q, 19, &mut b));
    assert_eq!((b.as_ptr(), b.cap), (q, 32));
    assert_eq!(b.as_slice(), b"written by the host");
    assert_eq!(
        block_caps(&p),
        [0],
        "the block took the buffer's (empty) allocation"
    );
    // The buffer grows the block's allocation; the pool reallocates its emptied block.
    b.reserve(100);
    assert_eq!(
        allocation(b.ptr),
        Some((119, 8)),
        "19 + 100 bytes, more than double"
    );
    assert_eq!(b.as_slice(), b"written by the host");
    p.release(0);
    let r = p.alloc(4, 16);
    assert_eq!(allocation(r), Some((16, 8)));
    assert_eq!(block_caps(&p), [16]);
}

#[test]
fn swap_into_gives_the_block_the_buffers_old_allocation() {
    let mut p = pool();
    let q = p.alloc(1, 24);
    let mut b = buf_of(b"old contents");
    let old = b.ptr;
    assert!(p.swap_into(q, 24, &mut b));
    assert_eq!((b.ptr, b.len(), b.cap), (q, 24, 24));
    // SAFETY: block 0 is in use.
    let block = unsafe { &*p.block(0) };
    assert_eq!((block.ptr, block.cap), (old, 16));
    p.release(0);
    assert_eq!(
        p.alloc(1, 16),
        old,
        "the next call reuses the buffer's old allocation"
    );
}

#[test]
fn swap_into_refuses_what_no_block_in_use_holds() {
    let mut p = pool();
    let q = p.alloc(1, 16);
    let r = p.alloc(1, 16);
    let mut b = buf_of(b"kept");
    let before = (b.ptr, b.len, b.cap);
    assert!(!p.swap_into(q, 17, &mut b), "longer than the block");
    assert!(!p.swap_into(q.wrapping_add(1), 4, &mut b), "inside a block");
    let mut elsewhere = [0u8; 4];
    assert!(
        !p.swap_into(elsewhere.as_mut_ptr(), 4, &mut b),
        "not a block"
    );
    p.release(1);
    assert!(!p.swap_into(r, 4, &mut b), "a released block");
    assert_eq!((b.ptr, b.len, b.cap), before);
    assert_eq!(b.as_slice(), b"kept");
    assert!(p.swap_into(q, 16, &mut b));
}

#[test]
fn pool_realloc_allocates_fresh_memory_only() {
    let mut p = pool();
    let q = pool_realloc(&mut p, ptr::null_mut(), 0, 4, 12);
    assert_eq!(allocation(q), Some((12, 8)));
    assert_eq!(pool_realloc(&mut p, ptr::null_mut(), 0, 2, 0) as usize, 2);
    assert_eq!(p.mark(), 1);
}

#[test]
#[should_panic(expected = "trap")]
fn pool_realloc_traps_on_a_reallocation() {
    let mut p = pool();
    let q = pool_realloc(&mut p, ptr::null_mut(), 0, 1, 8);
    pool_realloc(&mut p, q, 8, 1, 16);
}

#[test]
#[should_panic(expected = "trap")]
fn pool_realloc_traps_on_an_old_length_without_a_pointer() {
    pool_realloc(&mut pool(), ptr::null_mut(), 4, 1, 8);
}

#[test]
#[should_panic(expected = "wrong length or alignment")]
fn the_stand_in_allocator_catches_a_wrong_old_length() {
    set_heap_limit(HEAP_LIMIT);
    // SAFETY: a fresh allocation, then a reallocation the stand-in refuses.
    unsafe {
        let p = guest_alloc(16, 8);
        native::guest_realloc(p, 8, 8, 32);
    }
}
