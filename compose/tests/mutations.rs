//! A bounded, deterministic fuzz run in the normal test command: every fixture component
//! (the probes of `msgbridge-test-artifacts`, the examples of `msgbridge-examples`) is
//! mutated with every kind of structure-aware mutation the `cargo fuzz` targets use (byte
//! flips, flips aimed at one section, truncations, splices between fixtures, replaced,
//! reordered, duplicated and dropped sections, huge and overlong LEB128 sizes and counts,
//! edited interface names, mutations inside nested core modules) under fixed seeds, and for
//! each input:
//! - `inspect`, `top_level_names` and `compose` (for both targets) return instead of
//!   panicking (each runs inside `catch_unwind`);
//! - each input finishes within a deadline (no hang);
//! - any `Ok` keeps its promise: an accepted input validates, a composition validates with
//!   `WasmFeatures::all()` and speaks the target world.
//!
//! The mutations and properties are the fuzz harness's own (`msgbridge-fuzz-mutator`, in
//! `fuzz/mutator`), so that both runs check the same things. A failure
//! names the seed, fixture and mutation, and writes the input to the temporary directory;
//! `MSGBRIDGE_MUTATION_SEED=N cargo test -p msgbridge-compose --test mutations` reruns one
//! seed. Inputs the long fuzz run (`fuzz/README.md`) found crashing, minimised, are kept in
//! `tests/mutations/` and checked by [`regression_inputs_are_refused_cleanly`].

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use msgbridge_compose::World;
use msgbridge_fuzz_mutator::mutate::{mutate, mutate_stacked, Kind, Rng};
use msgbridge_fuzz_mutator::property;

/// The real components the inputs start from.
const FIXTURES: [(&str, &[u8]); 5] = [
    ("wasi-probe", msgbridge_test_artifacts::WASI_PROBE),
    ("wasmcloud-probe", msgbridge_test_artifacts::WASMCLOUD_PROBE),
    ("http-api", msgbridge_examples::HTTP_API),
    ("leet-worker", msgbridge_examples::LEET_WORKER),
    ("reverse-worker", msgbridge_examples::REVERSE_WORKER),
];

/// Rounds over every (fixture, kind) pair; every fourth round stacks 1 to 3 mutations of
/// random kinds instead of one of the round's kind.
const ROUNDS: u64 = 24;

/// The most one input may take (all checks, debug build, shared machine) before it counts
/// as a hang.
const DEADLINE: Duration = Duration::from_secs(60);

fn fixture_bytes() -> Vec<&'static [u8]> {
    FIXTURES.iter().map(|(_, bytes)| *bytes).collect()
}

/// The input for `seed`: which fixture, which mutation(s), and the bytes.
fn input_for(seed: u64) -> (&'static str, String, Vec<u8>) {
    let fixtures = fixture_bytes();
    let pairs = (FIXTURES.len() * Kind::ALL.len()) as u64;
    let (name, original) = FIXTURES[(seed % FIXTURES.len() as u64) as usize];
    let kind = Kind::ALL[((seed / FIXTURES.len() as u64) % Kind::ALL.len() as u64) as usize];
    let mut rng = Rng::new(seed);
    if (seed / pairs) % 4 == 3 {
        let (kinds, bytes) = mutate_stacked(original, &fixtures, &mut rng, 3);
        (name, format!("{kinds:?}"), bytes)
    } else {
        (
            name,
            format!("{kind:?}"),
            mutate(kind, original, &fixtures, &mut rng),
        )
    }
}

/// What the checks of one input came to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// All properties held; whether `inspect` accepted the input and how many targets
    /// `compose` accepted it for.
    Held { inspected: bool, composed: usize },
    /// A property broke, or something panicked.
    Broken(String),
}

/// Runs every check on `bytes`, each inside `catch_unwind`.
fn check(bytes: &[u8]) -> Outcome {
    fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
        match catch_unwind(AssertUnwindSafe(f)) {
            Ok(result) => result,
            Err(panic) => Err(format!(
                "{what} panicked: {}",
                panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("(non-string payload)")
            )),
        }
    }
    let mut problems = Vec::new();
    let inspected = guarded("inspect/top_level_names", || property::check_inspect(bytes))
        .unwrap_or_else(|e| {
            problems.push(e);
            false
        });
    let mut composed = 0;
    for target in World::SYNC {
        match guarded(&format!("compose for {target}"), || {
            property::check_compose_for(bytes, target)
        }) {
            Ok(ok) => composed += usize::from(ok),
            Err(e) => problems.push(e),
        }
    }
    if problems.is_empty() {
        Outcome::Held {
            inspected,
            composed,
        }
    } else {
        Outcome::Broken(problems.join("; "))
    }
}

/// Checks each input on a worker thread, so that an input that hangs fails the run (naming
/// its seed) instead of hanging the test command.
fn run(inputs: impl Iterator<Item = (String, Vec<u8>)>) -> (Vec<(String, Outcome)>, Vec<String>) {
    let (to_worker, work) = mpsc::channel::<Vec<u8>>();
    let (to_main, results) = mpsc::channel::<Outcome>();
    std::thread::spawn(move || {
        for bytes in work {
            if to_main.send(check(&bytes)).is_err() {
                return;
            }
        }
    });
    let mut outcomes = Vec::new();
    let mut failures = Vec::new();
    for (label, bytes) in inputs {
        to_worker.send(bytes.clone()).unwrap();
        let started = Instant::now();
        let outcome = match results.recv_timeout(DEADLINE) {
            Ok(outcome) => outcome,
            Err(_) => {
                failures.push(format!(
                    "{label}: no answer within {DEADLINE:?} ({})",
                    keep(&label, &bytes)
                ));
                // The worker is stuck on this input; nothing after it can run.
                return (outcomes, failures);
            }
        };
        if let Outcome::Broken(why) = &outcome {
            failures.push(format!(
                "{label}: {why} after {:?} ({})",
                started.elapsed(),
                keep(&label, &bytes)
            ));
        }
        outcomes.push((label, outcome));
    }
    (outcomes, failures)
}

/// Writes a failing input to the temporary directory and says where.
fn keep(label: &str, bytes: &[u8]) -> String {
    let name: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let path = std::env::temp_dir().join(format!("msgbridge-mutation-{name}.wasm"));
    match std::fs::write(&path, bytes) {
        Ok(()) => format!("input written to {}", path.display()),
        Err(e) => format!("could not write the input: {e}"),
    }
}

/// Every fixture keeps the properties unmutated, and composes for the world it does not
/// speak: the baseline the mutations depart from (and proof that the checks can pass `Ok`
/// results through validation rather than only seeing refusals).
#[test]
fn fixtures_keep_the_properties_and_compose() {
    for (name, bytes) in FIXTURES {
        assert_eq!(
            check(bytes),
            Outcome::Held {
                inspected: true,
                composed: 1
            },
            "{name}"
        );
    }
}

/// The bounded run: `ROUNDS` x fixtures x kinds inputs, no panic, no hang, no broken
/// promise; prints per-kind counts of inputs accepted and refused.
#[test]
fn mutated_fixtures_never_panic_hang_or_compose_invalid_output() {
    let seeds: Vec<u64> = match std::env::var("MSGBRIDGE_MUTATION_SEED") {
        Ok(seed) => vec![seed.parse().expect("MSGBRIDGE_MUTATION_SEED is a number")],
        Err(_) => (0..ROUNDS * (FIXTURES.len() * Kind::ALL.len()) as u64).collect(),
    };
    let started = Instant::now();
    let (outcomes, failures) = run(seeds.iter().map(|&seed| {
        let (fixture, kinds, bytes) = input_for(seed);
        (format!("seed {seed} ({fixture}, {kinds})"), bytes)
    }));

    let mut table: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    for (label, outcome) in &outcomes {
        let kinds = label.split(", ").nth(1).unwrap_or("").trim_end_matches(')');
        let kinds = if kinds.starts_with('[') {
            "stacked"
        } else {
            kinds
        };
        let row = table.entry(kinds.to_string()).or_default();
        row[0] += 1;
        if let Outcome::Held {
            inspected,
            composed,
        } = outcome
        {
            row[1] += usize::from(*inspected);
            row[2] += composed;
        }
    }
    eprintln!(
        "{} mutated inputs in {:.1?}; per mutation: inputs, inspected, compositions",
        outcomes.len(),
        started.elapsed()
    );
    for (kind, [inputs, inspected, composed]) in &table {
        eprintln!("  {kind:<14} {inputs:>5} {inspected:>5} {composed:>5}");
    }

    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(outcomes.len(), seeds.len());
    if seeds.len() > 1 {
        // The run is only worth its time if some mutants get past validation to the
        // messaging checks and the composition, and most do not.
        let inspected: usize = table.values().map(|r| r[1]).sum();
        let composed: usize = table.values().map(|r| r[2]).sum();
        assert!(
            inspected > seeds.len() / 20,
            "only {inspected} inputs inspected"
        );
        assert!(composed > 0, "no mutated input composed");
        assert!(inspected < seeds.len(), "every input was accepted");
    }
}

/// An input the long fuzz run found crashing, kept as a regression case.
struct Regression {
    /// The file in `tests/mutations/`.
    file: &'static str,
    bytes: &'static [u8],
    /// Whether `inspect` accepts it.
    inspected: bool,
    /// `None`: `inspect` refuses it; `Some(target)`: `compose` for `target` refuses it.
    refused_by: Option<World>,
    /// What the refusal says.
    error: &'static str,
}

/// Inputs from the long fuzz run (`fuzz/README.md`).
const REGRESSIONS: [Regression; 3] = [
    // A component importing `wasi:messaging/types@0.2.0-draft` whose instance type has a
    // function named `wasi:cli/stdin@0.2.6` (minimised, 336 bytes). It validates, and
    // wit-parser 0.258's `decode` panicked on it (`unreachable!()`, decoding.rs:1229);
    // `inspect` now refuses it first.
    Regression {
        file: "interface-named-function.wasm",
        bytes: include_bytes!("mutations/interface-named-function.wasm"),
        inspected: false,
        refused_by: None,
        error: "function `wasi:cli/stdin@0.2.6` (in `wasi:messaging/types@0.2.0-draft`) is \
                named like an interface",
    },
    // A wasi guest importing `wasi:cli/stdin@0.2.6`, which uses types of the
    // `wasi:cli/stdin@0.2.12` it also imports (5,455 bytes, as found). wac-graph 0.12 merges
    // the two semver-compatible interfaces into one that uses itself, and its encoder
    // recursed until the stack overflowed (a segfault, no panic to catch); `compose` now
    // refuses the cycle first.
    Regression {
        file: "uses-cycle-through-merged-versions.wasm",
        bytes: include_bytes!("mutations/uses-cycle-through-merged-versions.wasm"),
        inspected: true,
        refused_by: Some(World::Wasmcloud),
        error: "wac-graph cannot encode the composition: its interfaces use one another's \
                types in a cycle: wasi:cli/stdin@0.2 -> wasi:cli/stdin@0.2",
    },
    // A mutated http-api (3,900 bytes, minimised by `cargo fuzz tmin`) on which wit-parser
    // 0.258's `decode` hits `unreachable!()` in `Resolve::type_interface_dep`
    // (resolve/mod.rs:1598): an interface's type aliases a type that no interface owns.
    // `inspect` now catches the panic and refuses the component.
    Regression {
        file: "type-owned-outside-an-interface.wasm",
        bytes: include_bytes!("mutations/type-owned-outside-an-interface.wasm"),
        inspected: false,
        refused_by: None,
        error: "the component's WIT cannot be decoded: wit-parser panicked on it (internal \
                error: entered unreachable code), a wit-parser bug",
    },
];

/// Each regression input keeps the properties (no panic, no hang) and is refused with the
/// error it should get.
#[test]
fn regression_inputs_are_refused_cleanly() {
    let (outcomes, failures) = run(REGRESSIONS
        .iter()
        .map(|r| (r.file.to_string(), r.bytes.to_vec())));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for (regression, (_, outcome)) in REGRESSIONS.iter().zip(&outcomes) {
        let file = regression.file;
        assert_eq!(
            *outcome,
            Outcome::Held {
                inspected: regression.inspected,
                composed: 0
            },
            "{file}"
        );
        let error = match regression.refused_by {
            None => property::render(&msgbridge_compose::inspect(regression.bytes).unwrap_err()),
            Some(target) => {
                property::render(&msgbridge_compose::compose(regression.bytes, target).unwrap_err())
            }
        };
        assert!(error.contains(regression.error), "{file}: {error}");
    }
}
