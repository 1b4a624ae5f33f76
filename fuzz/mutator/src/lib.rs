//! msgbridge's fuzzing toolkit without libFuzzer: structure-aware mutations of wasm binaries
//! ([`mutate`], std only, deterministic per seed) and the properties every input must keep
//! ([`property`]).
//!
//! The `cargo fuzz` targets (`fuzz/`) build their custom mutator from these, and the bounded
//! runs in the normal test command (`compose/tests/mutations.rs`,
//! `cli/tests/mutations_cli.rs`) use them as a dev-dependency, so the long run and the test
//! command check the same things.

pub mod mutate;
pub mod property;
