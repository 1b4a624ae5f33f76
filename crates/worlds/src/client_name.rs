//! Where the name the wasmcloud-on-wasi adapter passes to `client.connect` lives, so that
//! the composer can set it without adding an import. Two layouts, one per form:
//!
//! - the portable sender half keeps it in a **data slot**: a 128-byte static holding a
//!   32-byte [`MARKER`], one length byte, then up to [`MAX_LEN`] bytes of UTF-8 name,
//!   zero-padded; the composer finds the marker in the built half and rewrites length and
//!   name in place, which changes no size or offset;
//! - the spliced bridge may not have data segments, so it keeps it in **immutable `i32`
//!   globals** ([`LEN_GLOBAL`] and [`WORDS`] words named [`WORD_GLOBAL_PREFIX`]`0..`, four
//!   bytes each, little-endian, zero past the end): the composer rewrites their initial
//!   values ([`pack`]).

/// The bytes that begin the slot.
pub const MARKER: [u8; 32] = *b"msgbridge:client-name-slot:v1:\0\0";
/// The longest name, in bytes.
pub const MAX_LEN: usize = 95;
/// The whole slot, in bytes: marker, length byte, name.
pub const SLOT_LEN: usize = MARKER.len() + 1 + MAX_LEN;
/// The name used unless one is chosen.
pub const DEFAULT: &str = "default";

/// Number of `i32` globals holding the name's bytes in a bridge, four to a global.
pub const WORDS: usize = 24;

// The words hold the longest name.
const _: () = assert!(MAX_LEN <= WORDS * 4);

/// The bridge's immutable `i32` global holding the name's length in bytes.
pub const LEN_GLOBAL: &str = "msgbridge_client_name_len";

/// Prefix of the bridge's immutable `i32` globals holding the name's bytes:
/// `msgbridge_client_name_0` … `msgbridge_client_name_23`.
pub const WORD_GLOBAL_PREFIX: &str = "msgbridge_client_name_";

/// A name laid out as a bridge's globals hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packed {
    /// Length in bytes.
    pub len: i32,
    /// The bytes, four to a word, little-endian.
    pub words: [i32; WORDS],
}

/// Packs `name` into the bridge's globals layout.
pub const fn pack(name: &[u8]) -> Result<Packed, InvalidName> {
    if name.is_empty() || name.len() > MAX_LEN {
        return Err(InvalidName { len: name.len() });
    }
    let mut words = [0i32; WORDS];
    let mut i = 0;
    while i < name.len() {
        words[i / 4] |= (name[i] as i32) << (8 * (i % 4));
        i += 1;
    }
    Ok(Packed {
        len: name.len() as i32,
        words,
    })
}

/// The byte at `index` of a packed name's words (for the bridge, which reads the globals).
pub const fn byte(words: &[i32; WORDS], index: usize) -> u8 {
    (words[index / 4] >> (8 * (index % 4))) as u8
}

/// Why a name cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidName {
    /// The name's length in bytes.
    pub len: usize,
}

impl core::fmt::Display for InvalidName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "a client name must be 1 to {MAX_LEN} bytes long, this one has {}",
            self.len
        )
    }
}

impl core::error::Error for InvalidName {}

/// A slot holding `name` (at compile time: the adapter's default slot).
///
/// # Panics
/// At compile time, when `name` is empty or longer than [`MAX_LEN`].
pub const fn slot(name: &[u8]) -> [u8; SLOT_LEN] {
    assert!(!name.is_empty() && name.len() <= MAX_LEN);
    let mut slot = [0u8; SLOT_LEN];
    let mut i = 0;
    while i < MARKER.len() {
        slot[i] = MARKER[i];
        i += 1;
    }
    slot[MARKER.len()] = name.len() as u8;
    let mut j = 0;
    while j < name.len() {
        slot[MARKER.len() + 1 + j] = name[j];
        j += 1;
    }
    slot
}

/// Writes `name` into `slot` (a whole slot, marker included), zeroing what follows it.
pub fn write(slot: &mut [u8; SLOT_LEN], name: &str) -> Result<(), InvalidName> {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_LEN {
        return Err(InvalidName { len: bytes.len() });
    }
    let body = &mut slot[MARKER.len()..];
    body.fill(0);
    body[0] = bytes.len() as u8;
    body[1..=bytes.len()].copy_from_slice(bytes);
    Ok(())
}

/// The name a slot holds, read byte by byte through `read(offset)` (so that an adapter can
/// use volatile reads), into `out`; returns the name's length, or `None` when it is not a
/// valid name.
pub fn read(read: impl Fn(usize) -> u8, out: &mut [u8; MAX_LEN]) -> Option<usize> {
    let len = usize::from(read(MARKER.len()));
    if len == 0 || len > MAX_LEN {
        return None;
    }
    for (i, byte) in out.iter_mut().take(len).enumerate() {
        *byte = read(MARKER.len() + 1 + i);
    }
    core::str::from_utf8(&out[..len]).ok().map(|_| len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_name_reads_back() {
        let mut s = slot(DEFAULT.as_bytes());
        let mut out = [0u8; MAX_LEN];
        assert_eq!(read(|i| s[i], &mut out), Some(7));
        assert_eq!(&out[..7], b"default");
        write(&mut s, "orders").unwrap();
        assert_eq!(read(|i| s[i], &mut out), Some(6));
        assert_eq!(&out[..6], b"orders");
        assert!(s[MARKER.len() + 7..].iter().all(|b| *b == 0));
        assert_eq!(&s[..MARKER.len()], &MARKER);
    }

    #[test]
    fn packs_little_endian_and_round_trips() {
        let packed = pack(b"orders-1").unwrap();
        assert_eq!(packed.len, 8);
        assert_eq!(packed.words[0], i32::from_le_bytes(*b"orde"));
        assert_eq!(packed.words[1], i32::from_le_bytes(*b"rs-1"));
        assert!(packed.words[2..].iter().all(|w| *w == 0));
        for (i, b) in b"orders-1".iter().enumerate() {
            assert_eq!(byte(&packed.words, i), *b);
        }
        assert_eq!(pack(b""), Err(InvalidName { len: 0 }));
        assert!(pack(&[b'x'; MAX_LEN + 1]).is_err());
        assert!(pack(&[b'x'; MAX_LEN]).is_ok());
    }

    #[test]
    fn empty_and_long_names_are_refused() {
        let mut s = slot(b"x");
        assert_eq!(write(&mut s, ""), Err(InvalidName { len: 0 }));
        let long = [b'x'; MAX_LEN + 1];
        let long = core::str::from_utf8(&long).unwrap();
        assert!(write(&mut s, long).is_err());
        assert!(write(&mut s, &long[..MAX_LEN]).is_ok());
    }
}
