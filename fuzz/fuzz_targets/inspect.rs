//! Fuzzes `msgbridge_compose::inspect` and `top_level_names` with mutated real components:
//! neither may panic or hang, and an accepted component must validate and report only
//! interfaces of the world it names ([`msgbridge_fuzz::property::check_inspect`]).

#![no_main]

use libfuzzer_sys::{fuzz_crossover, fuzz_mutator, fuzz_target};

fuzz_target!(init: msgbridge_fuzz::init(), |data: &[u8]| {
    msgbridge_fuzz::note_input(data);
    if let Err(broken) = msgbridge_fuzz::property::check_inspect(data) {
        panic!("{broken}");
    }
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    msgbridge_fuzz::custom_mutate(data, size, max_size, seed)
});

fuzz_crossover!(|data1: &[u8], data2: &[u8], out: &mut [u8], seed: u32| {
    msgbridge_fuzz::custom_crossover(data1, data2, out, seed)
});
