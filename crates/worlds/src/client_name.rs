//! The data slot holding the name the wasmcloud-on-wasi sender passes to `client.connect`.
//!
//! The slot is a 128-byte static in the adapter: a 32-byte [`MARKER`], one length byte,
//! then up to [`MAX_LEN`] bytes of UTF-8 name, zero-padded. The composer finds the marker
//! in the built adapter and rewrites length and name in place, which changes no size or
//! offset, so the adapter stays valid and gains no import.

/// The bytes that begin the slot.
pub const MARKER: [u8; 32] = *b"msgbridge:client-name-slot:v1:\0\0";
/// The longest name, in bytes.
pub const MAX_LEN: usize = 95;
/// The whole slot, in bytes: marker, length byte, name.
pub const SLOT_LEN: usize = MARKER.len() + 1 + MAX_LEN;
/// The name used unless one is chosen.
pub const DEFAULT: &str = "default";

/// Why a name cannot go into the slot.
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
    fn empty_and_long_names_are_refused() {
        let mut s = slot(b"x");
        assert_eq!(write(&mut s, ""), Err(InvalidName { len: 0 }));
        let long = [b'x'; MAX_LEN + 1];
        let long = core::str::from_utf8(&long).unwrap();
        assert!(write(&mut s, long).is_err());
        assert!(write(&mut s, &long[..MAX_LEN]).is_ok());
    }
}
