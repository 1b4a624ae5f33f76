//! Runs the whole conformance matrix on both brokers, as `msgbridge-conformance` does, and
//! checks that no cell fails and that the committed `docs/conformance.md` is what this run
//! writes (regenerate it with `cargo run -p msgbridge-conformance -- --write
//! docs/conformance.md`).

use msgbridge_conformance::{case, matrix, report, run::BrokerKind};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_matrix_passes_and_matches_docs_conformance_md() {
    let cases = case::catalogue().expect("the case files are valid");
    let matrix = matrix::run_matrix(cases, &BrokerKind::ALL)
        .await
        .expect("the matrix runs");
    let failures: Vec<String> = matrix
        .failures()
        .iter()
        .map(|((case, config, broker), reason)| {
            format!("{case} / {config} / {}: {reason}", broker.name())
        })
        .collect();
    assert!(
        failures.is_empty(),
        "failing cells:\n{}",
        failures.join("\n")
    );
    let (pass, _loss, na, _fail) = matrix.counts();
    assert!(pass > 0 && na < matrix.cells.len(), "nothing ran");

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/conformance.md");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let rendered = report::render(&matrix);
    assert!(
        committed == rendered,
        "docs/conformance.md is not what this run writes; regenerate it with `{}`",
        report::REGENERATE
    );
}

#[test]
fn every_case_file_is_valid_and_covers_both_worlds() {
    let cases = case::catalogue().expect("the case files are valid");
    assert!(cases.len() >= 17, "only {} cases", cases.len());
    for case in &cases {
        for world in msgbridge_worlds::World::SYNC {
            assert!(
                case.expect.contains_key(&world) || case.not_applicable.contains_key(world.name()),
                "{}: neither an expectation nor a reason for {}",
                case.id,
                world.name()
            );
        }
    }
}

#[test]
fn an_inconsistent_case_is_refused() {
    let text = r#"
        title = "t"
        about = "a"
        [[component]]
        name = "probe"
        artifact = "probe"
        subscriptions = ["other.cmd"]
        [[step]]
        via = "request"
        subject = "other.cmd"
        command = "echo"
        payload = "x"
        answers = 1
        [expect.wasi]
        answers = [["x"]]
        [expect.wasmcloud]
        answers = [["x"]]
    "#;
    let err = case::Case::parse("mine", text).unwrap_err().to_string();
    assert!(err.contains("does not start with \"mine.\""), "{err}");
    let text = text
        .replace("other.", "mine.")
        .replace("answers = 1", "answers = 2");
    let err = case::Case::parse("mine", &text).unwrap_err().to_string();
    assert!(
        err.contains("1 answers listed for a step that waits for 2"),
        "{err}"
    );
}
