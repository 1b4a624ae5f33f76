//! Setting the name the wasmcloud-on-wasi sender passes to `client.connect`, by rewriting
//! the slot whose layout `msgbridge_worlds::client_name` defines.

use msgbridge_worlds::client_name::{write, MARKER, SLOT_LEN};

use crate::error::ClientNameError;

/// Returns a copy of `sender` whose client name is `name`.
pub(crate) fn with_client_name(sender: &[u8], name: &str) -> Result<Vec<u8>, ClientNameError> {
    let mut positions = sender
        .windows(MARKER.len())
        .enumerate()
        .filter(|(_, w)| *w == MARKER)
        .map(|(i, _)| i);
    let (Some(at), None) = (positions.next(), positions.next()) else {
        return Err(ClientNameError::NoSlot);
    };
    let mut out = sender.to_vec();
    let slot: &mut [u8; SLOT_LEN] = out
        .get_mut(at..at + SLOT_LEN)
        .and_then(|s| s.try_into().ok())
        .ok_or(ClientNameError::NoSlot)?;
    write(slot, name)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use msgbridge_adapters::WASMCLOUD_ON_WASI_SENDER;
    use msgbridge_worlds::client_name::{read, MAX_LEN};

    fn name_in(bytes: &[u8]) -> String {
        let at = bytes
            .windows(MARKER.len())
            .position(|w| w == MARKER)
            .unwrap();
        let mut out = [0u8; MAX_LEN];
        let len = read(|i| bytes[at + i], &mut out).unwrap();
        String::from_utf8(out[..len].to_vec()).unwrap()
    }

    #[test]
    fn rewrites_the_slot_in_place() {
        let out = with_client_name(WASMCLOUD_ON_WASI_SENDER, "orders").unwrap();
        assert_eq!(out.len(), WASMCLOUD_ON_WASI_SENDER.len());
        assert_eq!(name_in(&out), "orders");
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(&out)
            .unwrap();
    }

    #[test]
    fn the_default_slot_says_default() {
        assert_eq!(name_in(WASMCLOUD_ON_WASI_SENDER), "default");
    }

    #[test]
    fn rejects_empty_and_long_names() {
        assert!(matches!(
            with_client_name(WASMCLOUD_ON_WASI_SENDER, ""),
            Err(ClientNameError::Length(_))
        ));
        let long = "x".repeat(MAX_LEN + 1);
        assert!(matches!(
            with_client_name(WASMCLOUD_ON_WASI_SENDER, &long),
            Err(ClientNameError::Length(_))
        ));
        let longest = "x".repeat(MAX_LEN);
        assert!(with_client_name(WASMCLOUD_ON_WASI_SENDER, &longest).is_ok());
    }

    #[test]
    fn a_component_without_slot_is_refused() {
        assert_eq!(
            with_client_name(msgbridge_adapters::WASI_ON_WASMCLOUD_SENDER, "x"),
            Err(ClientNameError::NoSlot)
        );
    }
}
