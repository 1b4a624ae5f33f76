//! Fuzzes `msgbridge_compose::compose` for both targets with mutated real components: it
//! may not panic or hang, and a composition it returns must validate and speak the target
//! world ([`msgbridge_fuzz::property::check_compose`]).

#![no_main]

use libfuzzer_sys::{fuzz_crossover, fuzz_mutator, fuzz_target};

fuzz_target!(init: msgbridge_fuzz::init(), |data: &[u8]| {
    msgbridge_fuzz::note_input(data);
    if let Err(broken) = msgbridge_fuzz::property::check_compose(data) {
        panic!("{broken}");
    }
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    msgbridge_fuzz::custom_mutate(data, size, max_size, seed)
});

fuzz_crossover!(|data1: &[u8], data2: &[u8], out: &mut [u8], seed: u32| {
    msgbridge_fuzz::custom_crossover(data1, data2, out, seed)
});
