//! Setting the name the wasmcloud-on-wasi sender passes to `client.connect`.
//!
//! The sender keeps the name in a 128-byte static that begins with a fixed marker (see
//! `adapters/wasmcloud-on-wasi-sender`). Rewriting bytes inside that static changes no
//! length or offset, so the component stays valid and gains no import.

use crate::Error;

/// Marker at the start of the name slot; the sender has the same constant.
const MARKER: &[u8; 32] = b"msgbridge:client-name-slot:v1:\0\0";
/// Bytes after the marker: one length byte and up to this many bytes of name.
pub const MAX_CLIENT_NAME_LEN: usize = 95;

/// Returns a copy of `sender` whose client name is `name`.
pub(crate) fn with_client_name(sender: &[u8], name: &str) -> Result<Vec<u8>, Error> {
    if name.is_empty() || name.len() > MAX_CLIENT_NAME_LEN {
        return Err(Error::ClientName(format!(
            "client name must be 1 to {MAX_CLIENT_NAME_LEN} bytes long, got {}",
            name.len()
        )));
    }
    let mut positions = sender
        .windows(MARKER.len())
        .enumerate()
        .filter(|(_, w)| *w == MARKER)
        .map(|(i, _)| i);
    let (Some(at), None) = (positions.next(), positions.next()) else {
        return Err(Error::ClientName(
            "the sender adapter has no unique client-name slot; it was built from other sources"
                .into(),
        ));
    };
    let mut out = sender.to_vec();
    let slot = &mut out[at + MARKER.len()..at + MARKER.len() + 1 + MAX_CLIENT_NAME_LEN];
    slot.fill(0);
    slot[0] = name.len() as u8;
    slot[1..=name.len()].copy_from_slice(name.as_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use msgbridge_adapters::WASMCLOUD_ON_WASI_SENDER;

    #[test]
    fn rewrites_the_slot_in_place() {
        let out = with_client_name(WASMCLOUD_ON_WASI_SENDER, "orders").unwrap();
        assert_eq!(out.len(), WASMCLOUD_ON_WASI_SENDER.len());
        let at = out.windows(32).position(|w| w == MARKER).unwrap();
        assert_eq!(out[at + 32], 6);
        assert_eq!(&out[at + 33..at + 39], b"orders");
        assert!(out[at + 39..at + 128].iter().all(|b| *b == 0));
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(&out)
            .unwrap();
    }

    #[test]
    fn the_default_slot_says_default() {
        let at = WASMCLOUD_ON_WASI_SENDER
            .windows(32)
            .position(|w| w == MARKER)
            .unwrap();
        assert_eq!(WASMCLOUD_ON_WASI_SENDER[at + 32], 7);
        assert_eq!(&WASMCLOUD_ON_WASI_SENDER[at + 33..at + 40], b"default");
    }

    #[test]
    fn rejects_empty_and_long_names() {
        assert!(matches!(
            with_client_name(WASMCLOUD_ON_WASI_SENDER, ""),
            Err(Error::ClientName(_))
        ));
        let long = "x".repeat(MAX_CLIENT_NAME_LEN + 1);
        assert!(matches!(
            with_client_name(WASMCLOUD_ON_WASI_SENDER, &long),
            Err(Error::ClientName(_))
        ));
        let longest = "x".repeat(MAX_CLIENT_NAME_LEN);
        assert!(with_client_name(WASMCLOUD_ON_WASI_SENDER, &longest).is_ok());
    }

    #[test]
    fn a_component_without_slot_is_refused() {
        assert!(matches!(
            with_client_name(msgbridge_adapters::WASI_ON_WASMCLOUD_SENDER, "x"),
            Err(Error::ClientName(_))
        ));
    }
}
