//! What msgbridge's spliced bridge modules and the composer must agree on.
//!
//! A *bridge* is a core module that wit-component fuses into a guest's component as an
//! adapter (like wasmtime's preview1 adapter): it shares the guest's linear memory and
//! allocator. It cannot carry data segments, so a value the composer chooses (the name the
//! wasmcloud-on-wasi bridge passes to `client.connect`) lives in immutable wasm globals
//! that the composer rewrites. This crate defines those globals and the core names once;
//! the bridges' build scripts, their runtime and `msgbridge-compose` all use it.
//!
//! It is `no_std` and has no data of its own at run time: a bridge may call the `const fn`s
//! here, the composer and build scripts use the names.

#![no_std]

/// Core module name under which the guest's bridged imports are gathered, and the name the
/// bridge is registered with as a wit-component adapter.
pub const ADAPTER_MODULE: &str = "msgbridge_bridge";

/// Separates an interface's short name from the function in the bridge's export names:
/// the guest's import `wasi:messaging/types@0.2.0-draft` `[constructor]message` becomes
/// `msgbridge_bridge` `types.[constructor]message`.
pub const FIELD_SEPARATOR: char = '.';

/// The wasm global holding the address of a bridge's state (0 until first use).
pub const STATE_GLOBAL: &str = "msgbridge_state";

/// The wasm global wit-component's adapter GC looks for (by this name) to allocate an
/// adapter's shadow stack lazily with the main module's `cabi_realloc`.
pub const ALLOCATION_STATE_GLOBAL: &str = "allocation_state";

/// Longest client name, in bytes of UTF-8.
pub const MAX_CLIENT_NAME_LEN: usize = 95;

/// Number of `i32` globals holding the client name's bytes, four to a global.
pub const CLIENT_NAME_WORDS: usize = 24;

// The words hold the longest name.
const _: () = assert!(MAX_CLIENT_NAME_LEN <= CLIENT_NAME_WORDS * 4);

/// The immutable `i32` global holding the client name's length in bytes.
pub const CLIENT_NAME_LEN_GLOBAL: &str = "msgbridge_client_name_len";

/// Prefix of the immutable `i32` globals holding the client name's bytes:
/// `msgbridge_client_name_0` … `msgbridge_client_name_23`, little-endian, four bytes each,
/// zero past the name's end.
pub const CLIENT_NAME_WORD_GLOBAL_PREFIX: &str = "msgbridge_client_name_";

/// The client name a bridge is built with.
pub const DEFAULT_CLIENT_NAME: &str = "default";

/// A client name laid out as the bridge's globals hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackedClientName {
    /// Length in bytes.
    pub len: i32,
    /// The bytes, four to a word, little-endian.
    pub words: [i32; CLIENT_NAME_WORDS],
}

/// Why a client name cannot be packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientNameError {
    /// Empty.
    Empty,
    /// Longer than [`MAX_CLIENT_NAME_LEN`]; the length is given.
    TooLong(usize),
}

impl core::fmt::Display for ClientNameError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ClientNameError::Empty => f.write_str("a client name cannot be empty"),
            ClientNameError::TooLong(len) => write!(
                f,
                "a client name is at most {MAX_CLIENT_NAME_LEN} bytes long, this one is {len}"
            ),
        }
    }
}

impl core::error::Error for ClientNameError {}

/// Packs `name` into the globals' layout.
pub const fn pack_client_name(name: &[u8]) -> Result<PackedClientName, ClientNameError> {
    if name.is_empty() {
        return Err(ClientNameError::Empty);
    }
    if name.len() > MAX_CLIENT_NAME_LEN {
        return Err(ClientNameError::TooLong(name.len()));
    }
    let mut words = [0i32; CLIENT_NAME_WORDS];
    let mut i = 0;
    while i < name.len() {
        words[i / 4] |= (name[i] as i32) << (8 * (i % 4));
        i += 1;
    }
    Ok(PackedClientName {
        len: name.len() as i32,
        words,
    })
}

/// The byte at `index` of a packed name's words (for the bridge, which reads the globals).
pub const fn client_name_byte(words: &[i32; CLIENT_NAME_WORDS], index: usize) -> u8 {
    (words[index / 4] >> (8 * (index % 4))) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_little_endian_and_round_trips() {
        let packed = pack_client_name(b"orders-1").unwrap();
        assert_eq!(packed.len, 8);
        assert_eq!(packed.words[0], i32::from_le_bytes(*b"orde"));
        assert_eq!(packed.words[1], i32::from_le_bytes(*b"rs-1"));
        assert!(packed.words[2..].iter().all(|w| *w == 0));
        for (i, b) in b"orders-1".iter().enumerate() {
            assert_eq!(client_name_byte(&packed.words, i), *b);
        }
    }

    #[test]
    fn refuses_empty_and_long_names() {
        assert_eq!(pack_client_name(b""), Err(ClientNameError::Empty));
        let long = [b'x'; MAX_CLIENT_NAME_LEN + 1];
        assert_eq!(
            pack_client_name(&long),
            Err(ClientNameError::TooLong(MAX_CLIENT_NAME_LEN + 1))
        );
        let longest = [b'x'; MAX_CLIENT_NAME_LEN];
        assert!(pack_client_name(&longest).is_ok());
    }
}
