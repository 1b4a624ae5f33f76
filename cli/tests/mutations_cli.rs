//! Bad component files through the `msgbridge` binary, one per kind of mutation the fuzz
//! harness makes (`msgbridge-fuzz-mutator`'s `mutate`): for each kind, the first seed whose
//! mutant of a fixture `inspect` refuses is written to a file, and `msgbridge inspect` and
//! `msgbridge compose` on it must exit non-zero with one `error:` line that names the file
//! and says what the library says is wrong, print no report, not panic, and leave no output
//! or temporary file behind. The inputs the long fuzz run found crashing msgbridge inside
//! wit-parser and wac-graph get the same treatment.

use std::path::Path;
use std::process::{Command, Output};

use msgbridge_compose::World;
use msgbridge_fuzz_mutator::mutate::{mutate, Kind, Rng};

/// The fixtures the bad inputs start from: name, bytes, and the world to compose for.
const FIXTURES: [(&str, &[u8], World); 3] = [
    (
        "wasi-probe",
        msgbridge_test_artifacts::WASI_PROBE,
        World::Wasmcloud,
    ),
    (
        "wasmcloud-probe",
        msgbridge_test_artifacts::WASMCLOUD_PROBE,
        World::Wasi,
    ),
    ("leet-worker", msgbridge_examples::LEET_WORKER, World::Wasi),
];

fn msgbridge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_msgbridge"))
        .args(args)
        .env("RUST_LOG", "off")
        .output()
        .expect("msgbridge runs")
}

/// An error and its sources joined by `: `, as the CLI prints them (through anyhow).
fn render(error: impl std::error::Error + Send + Sync + 'static) -> String {
    format!("{:#}", anyhow::Error::new(error))
}

/// The first mutant of `kind` (over seeds and fixtures) that `inspect` refuses: its label,
/// bytes and compose target.
fn refused_mutant(kind: Kind) -> (String, Vec<u8>, World) {
    let all: Vec<&[u8]> = FIXTURES.iter().map(|(_, bytes, _)| *bytes).collect();
    for seed in 0..200u64 {
        let (name, bytes, target) = FIXTURES[(seed % FIXTURES.len() as u64) as usize];
        let mutant = mutate(kind, bytes, &all, &mut Rng::new(seed));
        if msgbridge_compose::inspect(&mutant).is_err() {
            return (format!("{kind:?} seed {seed} of {name}"), mutant, target);
        }
    }
    panic!("no {kind:?} mutant in 200 seeds is refused");
}

/// Asserts `output` failed with exactly one `error:` line, equal to `expected`, and no
/// panic message.
fn assert_refused(what: &str, output: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert_failed(what, output, expected);
}

/// Asserts `output` failed with exit code 1 and exactly one `error:` line, which with the
/// lines after it equals `expected`.
fn assert_failed(what: &str, output: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{what}: succeeded: {stderr}");
    assert_eq!(output.status.code(), Some(1), "{what}: {stderr}");
    // One `error:` line, and what follows it to the end is the message: a dependency's
    // reason (wasmparser's `expected`/`found`, say) may run over several lines.
    let starts: Vec<usize> = stderr
        .match_indices("error:")
        .map(|(i, _)| i)
        .filter(|&i| i == 0 || stderr.as_bytes()[i - 1] == b'\n')
        .collect();
    assert_eq!(starts.len(), 1, "{what}: one `error:` line: {stderr}");
    assert_eq!(stderr[starts[0]..].trim_end(), expected, "{what}: {stderr}");
    assert!(output.stdout.is_empty(), "{what}: printed a report");
    eprintln!("{what}: {expected}");
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_kind_of_bad_input_gets_a_clear_error_and_no_output_file() {
    for kind in Kind::ALL {
        let (label, bytes, target) = refused_mutant(kind);
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("guest.wasm");
        std::fs::write(&input, &bytes).unwrap();
        let input_arg = input.to_str().unwrap();
        let out = dir.path().join("out.wasm");

        let why = render(msgbridge_compose::inspect(&bytes).unwrap_err());
        assert_refused(
            &format!("inspect, {label}"),
            &msgbridge(&["inspect", input_arg]),
            &format!("error: cannot inspect {input_arg}: {why}"),
        );

        let why = render(msgbridge_compose::compose(&bytes, target).unwrap_err());
        assert_refused(
            &format!("compose, {label}"),
            &msgbridge(&[
                "compose",
                input_arg,
                "--target",
                target.name(),
                "-o",
                out.to_str().unwrap(),
            ]),
            &format!("error: cannot compose {input_arg}: {why}"),
        );
        assert_eq!(files_in(dir.path()), ["guest.wasm"], "{label}: files left");
    }
    msgbridge_test_support::reliability::documented(
        "mutated real components (bit flips, truncations, spliced and reordered sections, huge LEB128 lengths, edited names; every kind of mutation, and the three inputs the fuzzer found) given to `msgbridge inspect` and `msgbridge compose -o`",
        "exit status 1 and one `error:` line naming the file and the reason; no crash (a wit-parser panic on one of the found inputs is caught, its message printed before the error), no output or temporary file",
        "nothing",
    );
}

/// The inputs the long fuzz run found crashing msgbridge inside its dependencies (see
/// `compose/tests/mutations.rs`), through the binary: a clear error and exit code 1, not a
/// crash or a segfault, and no output file. For the wit-parser panic that `inspect` catches
/// rather than prevents, the default panic hook still prints the panic's message first.
#[test]
fn the_fuzz_found_crashes_are_clear_errors() {
    let wit_parser_panic = "the component's WIT cannot be decoded: function \
                            `wasi:cli/stdin@0.2.6` (in `wasi:messaging/types@0.2.0-draft`) \
                            is named like an interface, not like a function";
    let wac_stack_overflow = "wac-graph cannot encode the composition: its interfaces use one \
                              another's types in a cycle: wasi:cli/stdin@0.2 -> \
                              wasi:cli/stdin@0.2";
    let wit_parser_unreachable = "the component's WIT cannot be decoded: wit-parser panicked \
                                  on it (internal error: entered unreachable code), a \
                                  wit-parser bug";
    // Name, bytes, what `inspect` says (`None`: it accepts the input), what `compose` says,
    // and whether the default panic hook prints a caught panic's message first.
    type Case<'a> = (&'a str, &'a [u8], Option<&'a str>, &'a str, bool);
    let cases: [Case; 3] = [
        (
            "interface-named-function",
            include_bytes!("../../compose/tests/mutations/interface-named-function.wasm"),
            Some(wit_parser_panic),
            wit_parser_panic,
            false,
        ),
        (
            "uses-cycle-through-merged-versions",
            include_bytes!("../../compose/tests/mutations/uses-cycle-through-merged-versions.wasm"),
            None,
            wac_stack_overflow,
            false,
        ),
        (
            "type-owned-outside-an-interface",
            include_bytes!("../../compose/tests/mutations/type-owned-outside-an-interface.wasm"),
            Some(wit_parser_unreachable),
            wit_parser_unreachable,
            true,
        ),
    ];
    for (name, bytes, inspect_error, compose_error, prints_panic) in cases {
        let check = if prints_panic {
            assert_failed
        } else {
            assert_refused
        };
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("guest.wasm");
        std::fs::write(&input, bytes).unwrap();
        let input_arg = input.to_str().unwrap();
        let inspected = msgbridge(&["inspect", input_arg]);
        match inspect_error {
            Some(why) => check(
                &format!("inspect, {name}"),
                &inspected,
                &format!("error: cannot inspect {input_arg}: {why}"),
            ),
            None => assert!(inspected.status.success(), "inspect, {name}"),
        }
        let out = dir.path().join("out.wasm");
        check(
            &format!("compose, {name}"),
            &msgbridge(&[
                "compose",
                input_arg,
                "--target",
                "wasmcloud",
                "-o",
                out.to_str().unwrap(),
            ]),
            &format!("error: cannot compose {input_arg}: {compose_error}"),
        );
        assert_eq!(files_in(dir.path()), ["guest.wasm"], "{name}");
    }
}
