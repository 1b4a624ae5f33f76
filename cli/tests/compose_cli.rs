//! `msgbridge compose`, `inspect` and `adapters` as a user runs them: exit codes, messages,
//! and no output file left behind (or overwritten) when composing fails.

use std::path::Path;
use std::process::{Command, Output};

use msgbridge_test_artifacts as artifacts;
use msgbridge_test_shapes as shapes;

fn msgbridge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_msgbridge"))
        .args(args)
        .env("RUST_LOG", "off")
        .output()
        .expect("msgbridge runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `msgbridge compose INPUT --target TARGET -o OUT` where INPUT holds `bytes`, expects
/// failure with `needle` in the message, and no file at OUT afterwards.
fn refused(bytes: &[u8], target: &str, needle: &str) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("guest.wasm");
    std::fs::write(&input, bytes).unwrap();
    let out = dir.path().join("out.wasm");
    let output = msgbridge(&[
        "compose",
        input.to_str().unwrap(),
        "--target",
        target,
        "-o",
        out.to_str().unwrap(),
    ]);
    let message = stderr(&output);
    assert!(!output.status.success(), "expected failure, got: {message}");
    assert!(message.contains(needle), "`{needle}` not in: {message}");
    assert!(!out.exists(), "an output file was left behind");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["guest.wasm"], "temporary files left behind");
}

#[test]
fn composes_a_wasi_guest_for_wasmcloud() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("probe.wasmcloud.wasm");
    let output = msgbridge(&[
        "compose",
        artifacts::WASI_PROBE_PATH,
        "--target",
        "wasmcloud",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let composed = std::fs::read(&out).unwrap();
    let inspection = msgbridge_compose::inspect(&composed).unwrap();
    assert_eq!(inspection.world, msgbridge_compose::World::Wasmcloud);
}

#[test]
fn refuses_what_is_not_wasm() {
    refused(b"#!/bin/sh\necho hi\n", "wasi", "is not WebAssembly");
}

#[test]
fn refuses_a_core_module_and_says_how_to_componentize() {
    refused(b"\0asm\x01\x00\x00\x00", "wasi", "wasm-tools component new");
}

#[test]
fn refuses_a_broken_component() {
    refused(
        &artifacts::WASI_PROBE[..artifacts::WASI_PROBE.len() / 3],
        "wasmcloud",
        "not a valid component",
    );
}

#[test]
fn refuses_a_component_without_messaging() {
    refused(
        &shapes::NO_MESSAGING.component(),
        "wasi",
        "uses no messaging interface",
    );
}

#[test]
fn refuses_the_february_2024_draft_by_name() {
    refused(
        &shapes::FEBRUARY_2024.component(),
        "wasmcloud",
        "February 2024",
    );
}

#[test]
fn refuses_the_october_2024_draft_by_name() {
    refused(
        &shapes::OCTOBER_2024.component(),
        "wasmcloud",
        "October 2024",
    );
}

#[test]
fn refuses_omnias_async_variant_by_name() {
    refused(&shapes::OMNIA_ASYNC.component(), "wasmcloud", "async");
}

#[test]
fn refuses_wasmcloud_messaging_0_3_0() {
    refused(
        &shapes::WASMCLOUD_0_3_0.component(),
        "wasi",
        "wasmcloud:messaging/types@0.3.0 is not bridged",
    );
}

#[test]
fn refuses_a_guest_that_already_targets_the_host() {
    refused(
        artifacts::WASMCLOUD_PROBE,
        "wasmcloud",
        "runs there as it is",
    );
}

#[test]
fn a_failed_compose_keeps_an_existing_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wasm");
    std::fs::write(&out, b"previous").unwrap();
    let output = msgbridge(&[
        "compose",
        artifacts::WASMCLOUD_PROBE_PATH,
        "--target",
        "wasmcloud",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert_eq!(std::fs::read(&out).unwrap(), b"previous");
}

#[test]
fn refuses_a_missing_input_and_a_missing_output_directory() {
    let output = msgbridge(&[
        "compose",
        "/nonexistent/guest.wasm",
        "--target",
        "wasi",
        "-o",
        "/tmp/never.wasm",
    ]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("cannot read /nonexistent/guest.wasm"));
    assert!(!Path::new("/tmp/never.wasm").exists());

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("missing-dir/out.wasm");
    let output = msgbridge(&[
        "compose",
        artifacts::WASMCLOUD_PROBE_PATH,
        "--target",
        "wasi",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("does not exist"),
        "{}",
        stderr(&output)
    );
    assert!(!out.exists());
}

#[test]
fn inspect_reports_world_interfaces_and_plan() {
    let output = msgbridge(&["inspect", msgbridge_examples::HTTP_API_PATH]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = String::from_utf8(output.stdout).unwrap();
    assert!(
        report.contains("world: wasmcloud:messaging@0.2.0"),
        "{report}"
    );
    assert!(
        report.contains("wasmcloud:messaging/consumer@0.2.0 (request"),
        "{report}"
    );
    assert!(
        report
            .contains("for a wasi host, `msgbridge compose --target wasi` gives the spliced form"),
        "{report}"
    );
    assert!(
        report.contains("for `wac plug` (portable form): wasmcloud-on-wasi-sender.wasm (files"),
        "{report}"
    );
    // No empty section for the exports it does not have.
    assert!(!report.contains("messaging exports"), "{report}");
}

#[test]
fn adapters_writes_halves_bridges_and_wit_packages_and_lists_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let output = msgbridge(&["adapters", "-o", dir.path().to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    for artefact in msgbridge_adapters::ARTEFACTS {
        let written = std::fs::read(dir.path().join(artefact.file_name())).unwrap();
        assert_eq!(written, artefact.bytes, "{}", artefact.name);
    }
    for package in msgbridge_wit::binary_packages().unwrap() {
        let written = std::fs::read(dir.path().join("wit").join(&package.file_name)).unwrap();
        assert_eq!(written, package.bytes, "{}", package.name);
    }
    // Each half says what it is in its package metadata.
    let half = std::fs::read(dir.path().join("wasi-on-wasmcloud-sender.wasm")).unwrap();
    let text = String::from_utf8_lossy(&half);
    assert!(text.contains("msgbridge:wasi-on-wasmcloud-sender"));
    assert!(text.contains("Apache-2.0 WITH LLVM-exception"));

    let output = msgbridge(&["adapters", "--list"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let listed = String::from_utf8(output.stdout).unwrap();
    assert_eq!(listed, msgbridge_adapters::MANIFEST);
    assert_eq!(listed.lines().count(), msgbridge_adapters::ARTEFACTS.len());
    let output = msgbridge(&["adapters"]);
    assert!(!output.status.success(), "nothing to do is an error");
}

/// The composed file gets the mode any new file gets: 0666 less the umask.
#[test]
fn the_output_honours_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    for (umask, mode) in [("022", 0o644), ("077", 0o600), ("002", 0o664)] {
        let out = dir.path().join(format!("out-{umask}.wasm"));
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {umask} && exec \"$0\" compose \"$1\" --target wasmcloud -o \"$2\""
            ))
            .arg(env!("CARGO_BIN_EXE_msgbridge"))
            .arg(artifacts::WASI_PROBE_PATH)
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        let actual = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(actual, mode, "umask {umask}: mode {actual:o}");
    }
}

/// `compose` on a component msgbridge composed (spliced or portable) is refused with exit
/// status 1, no file written, and the advice `inspect` prints for it.
#[test]
fn refuses_to_adapt_its_own_output_again_with_inspects_advice() {
    for form_flag in [None, Some("--portable")] {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("probe.wasmcloud.wasm");
        let mut args = vec![
            "compose",
            artifacts::WASI_PROBE_PATH,
            "--target",
            "wasmcloud",
            "-o",
            first.to_str().unwrap(),
        ];
        args.extend(form_flag);
        let output = msgbridge(&args);
        assert!(output.status.success(), "{}", stderr(&output));

        let inspected = msgbridge(&["inspect", first.to_str().unwrap()]);
        assert!(inspected.status.success(), "{}", stderr(&inspected));
        let report = String::from_utf8_lossy(&inspected.stdout).into_owned();
        let advice = report
            .lines()
            .find_map(|l| l.strip_prefix("for a wasi host: "))
            .unwrap_or_else(|| panic!("no advice for a wasi host in:\n{report}"));
        assert!(advice.contains("wrap it twice"), "{advice}");

        for again in [None, Some("--portable")] {
            let second = dir.path().join("probe.again.wasm");
            let mut args = vec![
                "compose",
                first.to_str().unwrap(),
                "--target",
                "wasi",
                "-o",
                second.to_str().unwrap(),
            ];
            args.extend(again);
            let output = msgbridge(&args);
            assert_eq!(output.status.code(), Some(1), "{form_flag:?} {again:?}");
            assert_eq!(
                stderr(&output).trim_end(),
                format!("error: cannot compose {}: {advice}", first.display()),
                "{form_flag:?} {again:?}"
            );
            assert!(
                !second.exists(),
                "{form_flag:?} {again:?}: a file was written"
            );
        }
    }
}
