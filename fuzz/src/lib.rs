//! Support for msgbridge's `cargo fuzz` targets (`fuzz_targets/`): the fixtures the inputs
//! start from and libFuzzer's custom mutator ([`custom_mutate`]) built from the
//! structure-aware mutations ([`mutate`]); the targets check the properties of [`property`].
//!
//! [`mutate`] and [`property`] use nothing of libFuzzer: they are the `msgbridge-fuzz-mutator`
//! crate (`mutator/`), which the bounded runs in the normal test command use too.

pub use msgbridge_fuzz_mutator::{mutate, property};

use mutate::{mutate_stacked, split, Rng};

/// The real components msgbridge's tests use, each with its name: the probes of
/// `msgbridge-test-artifacts` and the examples of `msgbridge-examples`.
pub const FIXTURES: &[(&str, &[u8])] = &[
    ("wasi-probe", msgbridge_test_artifacts::WASI_PROBE),
    ("wasmcloud-probe", msgbridge_test_artifacts::WASMCLOUD_PROBE),
    ("http-api", msgbridge_examples::HTTP_API),
    ("leet-worker", msgbridge_examples::LEET_WORKER),
    ("reverse-worker", msgbridge_examples::REVERSE_WORKER),
];

/// The bytes of every fixture, for splicing.
pub fn fixture_bytes() -> Vec<&'static [u8]> {
    FIXTURES.iter().map(|(_, bytes)| *bytes).collect()
}

/// The targets' `init`: [`seed_empty_corpus`], and a panic hook that prints a panic's
/// location and message without aborting.
///
/// libfuzzer-sys's own hook aborts on every panic, even one msgbridge catches on purpose
/// (`inspect` turns a panic inside wit-parser's `decode` into a refusal). With this hook a
/// caught panic only prints a line, and a panic that escapes a target still reaches
/// libfuzzer-sys's `catch_unwind`, which aborts, so libFuzzer reports it as a crash and
/// writes the input as before; replay it with `RUST_BACKTRACE=1` for the stack.
pub fn init() {
    seed_empty_corpus();
    std::panic::set_hook(Box::new(|info| {
        eprintln!("panic: {info}");
    }));
}

/// Writes every fixture into the corpus directory libFuzzer was given (its first argument
/// that is a directory) when that directory is empty, so that `cargo fuzz run TARGET` on a
/// fresh checkout starts from the real components. Runs as the targets' `init`, which
/// libFuzzer calls before it reads the corpus.
pub fn seed_empty_corpus() {
    let Some(dir) = std::env::args_os()
        .skip(1)
        .map(std::path::PathBuf::from)
        .find(|arg| !arg.to_string_lossy().starts_with('-') && arg.is_dir())
    else {
        return;
    };
    let empty = std::fs::read_dir(&dir).is_ok_and(|mut entries| entries.next().is_none());
    if !empty {
        return;
    }
    for (name, bytes) in FIXTURES {
        let path = dir.join(format!("{name}.wasm"));
        if let Err(e) = std::fs::write(&path, bytes) {
            eprintln!("cannot seed {}: {e}", path.display());
        }
    }
    eprintln!("seeded {} with {} fixtures", dir.display(), FIXTURES.len());
}

/// Writes `data` to the file named by `MSGBRIDGE_FUZZ_LAST_INPUT`, when that is set, before
/// the target runs it: an input that kills the process in a way libFuzzer cannot report
/// (a stack overflow ends in a plain `Segmentation fault`, with no crash file) is then
/// still on disk.
pub fn note_input(data: &[u8]) {
    static PATH: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    if let Some(path) =
        PATH.get_or_init(|| std::env::var_os("MSGBRIDGE_FUZZ_LAST_INPUT").map(Into::into))
    {
        let _ = std::fs::write(path, data);
    }
}

/// libFuzzer's custom mutator: mutates `data[..size]` in place into at most `max_size`
/// bytes and returns the new size.
///
/// Inputs that do not frame as a wasm binary (the empty input a fresh corpus starts with,
/// say), and one input in 32 anyway, are replaced by a fixture first, so the fuzzer always
/// works from real components. Then it picks one of:
/// - 1 to 3 stacked structure-aware mutations ([`mutate::mutate_stacked`]);
/// - libFuzzer's own byte-level mutation of one section's body, re-framed, which aims the
///   comparisons libFuzzer traces (`-use_value_profile`, CMP) at a single section;
/// - libFuzzer's own mutation of the whole input.
pub fn custom_mutate(data: &mut [u8], size: usize, max_size: usize, seed: u32) -> usize {
    let mut rng = Rng::new(u64::from(seed) | u64::from(seed) << 32);
    let fixtures = fixture_bytes();
    let framed = split(&data[..size]).is_some_and(|b| !b.sections.is_empty());
    let base: Vec<u8> = if !framed || rng.one_in(32) {
        rng.pick(&fixtures).to_vec()
    } else {
        data[..size].to_vec()
    };
    let out = match rng.below(4) {
        0 | 1 => mutate_stacked(&base, &fixtures, &mut rng, 3).1,
        2 => match section_with_libfuzzer(&base, &mut rng) {
            Some(out) => out,
            None => mutate_stacked(&base, &fixtures, &mut rng, 1).1,
        },
        _ => {
            let mut buffer = base.clone();
            let len = buffer.len();
            buffer.resize(max_size.max(len), 0);
            let new_len = libfuzzer_sys::fuzzer_mutate(&mut buffer, len, max_size.max(len));
            buffer.truncate(new_len);
            buffer
        }
    };
    let len = out.len().min(max_size).min(data.len());
    data[..len].copy_from_slice(&out[..len]);
    len
}

/// Runs libFuzzer's byte-level mutator over the body of one randomly chosen section of
/// `input` and re-frames it.
fn section_with_libfuzzer(input: &[u8], rng: &mut Rng) -> Option<Vec<u8>> {
    let binary = split(input)?;
    if binary.sections.is_empty() {
        return None;
    }
    let index = rng.below(binary.sections.len());
    let body = binary.sections[index].body;
    let mut buffer = body.to_vec();
    buffer.resize(body.len() * 2 + 64, 0);
    let capacity = buffer.len();
    let new_len = libfuzzer_sys::fuzzer_mutate(&mut buffer, body.len(), capacity);
    buffer.truncate(new_len);
    Some(mutate::join(
        binary.header,
        binary.sections.iter().enumerate().map(|(i, s)| {
            if i == index {
                (s.id, buffer.as_slice())
            } else {
                (s.id, s.body)
            }
        }),
        binary.rest,
    ))
}

/// libFuzzer's custom crossover: the front sections of `data1` joined to the back sections
/// of `data2` (or a splice at random bytes), written to `out`; returns its length.
pub fn custom_crossover(data1: &[u8], data2: &[u8], out: &mut [u8], seed: u32) -> usize {
    let mut rng = Rng::new(u64::from(seed));
    let child = mutate::mutate(mutate::Kind::Splice, data1, &[data2], &mut rng);
    let len = child.len().min(out.len());
    out[..len].copy_from_slice(&child[..len]);
    len
}
