//! The committed adapters (`provider/artefacts/`) are exactly what a fresh build of
//! `adapters/` gives, byte for byte; a bridge of the wrong shape is refused.

#[test]
fn the_committed_artefacts_match_a_fresh_build() {
    let differ = msgbridge_adapters_build::differences().expect("the adapters build");
    assert!(
        differ.is_empty(),
        "these files of provider/artefacts differ from a fresh build: {}; regenerate them \
         with `cargo run -p msgbridge-adapters-build` and commit the result",
        differ.join(", ")
    );
}

#[test]
fn the_committed_bridges_have_an_adapters_shape_and_a_wrong_one_is_refused() {
    for artefact in msgbridge_adapters::ARTEFACTS {
        if artefact.kind == msgbridge_adapters::Kind::Bridge {
            msgbridge_adapters_build::bridge_shape(artefact.bytes)
                .unwrap_or_else(|e| panic!("{}: {e}", artefact.name));
        }
    }
    // A half is a component, not a core module, and has its own memory.
    let half = msgbridge_adapters::WASI_ON_WASMCLOUD_SENDER;
    assert!(msgbridge_adapters_build::bridge_shape(half).is_err());
    // A core module with a data segment.
    let with_data = b"\0asm\x01\0\0\0\x05\x03\x01\x00\x01\x0b\x07\x01\x00\x41\x00\x0b\x01\x2a";
    let err = msgbridge_adapters_build::bridge_shape(with_data).unwrap_err();
    assert!(err.contains("memory") || err.contains("data"), "{err}");
}
