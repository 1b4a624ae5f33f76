//! The committed adapters (`adapters/provider/artefacts/`) are exactly what a fresh build of
//! `adapters/` gives, byte for byte.

#[test]
fn the_committed_artefacts_match_a_fresh_build() {
    let differ = msgbridge_adapters_build::differences().expect("the adapters build");
    assert!(
        differ.is_empty(),
        "these files of adapters/provider/artefacts differ from a fresh build: {}; regenerate them \
         with `cargo run -p msgbridge-adapters-build` and commit the result",
        differ.join(", ")
    );
}
