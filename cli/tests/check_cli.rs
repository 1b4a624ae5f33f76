//! `msgbridge check`: components checked by type against host profiles, composed first when
//! the host serves the other messaging world; pass and fail reports, the JSON schema, the
//! exit status, and bad arguments.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use msgbridge_cli::check::{check, check_bytes, CheckArgs, JSON_SCHEMA};
use msgbridge_compose::World;
use msgbridge_profiles::{HostKind, Profile};
use msgbridge_test_artifacts as artifacts;

/// A wasmcloud:messaging guest whose `wasi:keyvalue/store` import has a made-up shape (a
/// free `get` function) that no real host provides.
const KEYVALUE_GUEST: msgbridge_test_shapes::Shape = msgbridge_test_shapes::Shape {
    name: "keyvalue-guest",
    wit: r#"
package test:keyvalue-guest;

package wasmcloud:messaging@0.2.0 {
  interface types {
    record broker-message {
      subject: string,
      body: list<u8>,
      reply-to: option<string>,
    }
  }
  interface consumer {
    use types.{broker-message};
    request: func(subject: string, body: list<u8>, timeout-ms: u32) -> result<broker-message, string>;
    publish: func(msg: broker-message) -> result<_, string>;
  }
}

package wasi:keyvalue@0.2.0-draft {
  interface store {
    get: func(key: string) -> option<list<u8>>;
  }
}

world guest {
  import wasmcloud:messaging/consumer@0.2.0;
  import wasi:keyvalue/store@0.2.0-draft;
}
"#,
};

/// A wasi:messaging guest that also imports an interface no profile has.
const UNKNOWN_IMPORT_GUEST: msgbridge_test_shapes::Shape = msgbridge_test_shapes::Shape {
    name: "unknown-import-guest",
    wit: r#"
package test:unknown-import-guest;

package acme:ledger@1.0.0 {
  interface entries {
    append: func(line: string);
  }
}

world guest {
  import acme:ledger/entries@1.0.0;
}
"#,
};

fn profile(host: HostKind) -> Profile {
    Profile::builtin(host).expect("built-in profile")
}

fn msgbridge(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_msgbridge"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("msgbridge runs");
    if let Some(bytes) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(bytes).expect("write stdin");
    }
    child.wait_with_output().expect("msgbridge finishes")
}

#[test]
fn the_async_wasmcloud_probe_passes_on_wasmcloud_v2_8_and_says_why_not_elsewhere() {
    let bytes = artifacts::WASMCLOUD_ASYNC_PROBE;
    let name = "wasmcloud-async-probe";
    let report = check_bytes(bytes, name, &profile(HostKind::WasmcloudV28)).expect("checks");
    assert!(report.passes, "{}", report.text());
    assert_eq!(report.guest_world, Some(World::WasmcloudAsync.to_string()));
    assert!(report.composed.is_none(), "{}", report.text());
    // wasmCloud v2.7 serves only @0.2.0, and no adapter to it is built yet.
    let report = check_bytes(bytes, name, &profile(HostKind::WasmcloudV2)).expect("checks");
    assert!(!report.passes, "{}", report.text());
    let reason = report.not_adaptable.clone().unwrap_or_default();
    assert!(reason.contains("is not built yet"), "{}", report.text());
    // `--host wasmcloud-v2.8` names the same profile.
    assert_eq!(
        "wasmcloud-v2.8".parse::<HostKind>(),
        Ok(HostKind::WasmcloudV28)
    );
}

#[test]
fn both_probes_pass_on_every_builtin_host_composed_where_needed() {
    for (name, bytes, world) in [
        ("wasi-probe", artifacts::WASI_PROBE, World::Wasi),
        (
            "wasmcloud-probe",
            artifacts::WASMCLOUD_PROBE,
            World::Wasmcloud,
        ),
    ] {
        for host in HostKind::ALL {
            let report = check_bytes(bytes, name, &profile(host))
                .unwrap_or_else(|e| panic!("{name} on {host}: {e:#}"));
            assert!(report.passes, "{name} on {host}:\n{}", report.text());
            assert_eq!(report.guest_world, Some(world.to_string()));
            let expect_composed = match host {
                HostKind::WasmcloudV2 | HostKind::WasmcloudV28 => world == World::Wasi,
                HostKind::Wasi => world == World::Wasmcloud,
                HostKind::Reference => false,
            };
            assert_eq!(
                report.composed.is_some(),
                expect_composed,
                "{name} on {host}:\n{}",
                report.text()
            );
            if let Some(composed) = &report.composed {
                assert_eq!(composed.form, "spliced");
                assert_eq!(
                    composed.command,
                    format!("msgbridge compose {name} --target {}", world.other().name())
                );
            }
        }
    }
    // The composed wasi probe's imports are wasmCloud's, each provided by the host.
    let report = check_bytes(
        artifacts::WASI_PROBE,
        "wasi-probe",
        &profile(HostKind::WasmcloudV2),
    )
    .unwrap();
    let text = report.text();
    assert!(
        text.contains("provided") && text.contains("wasmcloud:messaging/consumer@0.2.0"),
        "{text}"
    );
    assert!(text.contains("wasmcloud:messaging/handler@0.2.0"), "{text}");
    assert!(text.ends_with("result: pass\n"), "{text}");
}

#[test]
fn a_worker_importing_keyvalue_and_logging_passes_on_wasmcloud_v2() {
    let report = check_bytes(
        msgbridge_examples::COUNTER_WORKER,
        "counter",
        &profile(HostKind::WasmcloudV2),
    )
    .expect("checks");
    assert!(report.passes, "{}", report.text());
    for name in [
        "wasi:keyvalue/store@0.2.0-draft",
        "wasi:keyvalue/atomics@0.2.0-draft",
        "wasi:logging/logging@0.1.0-draft",
    ] {
        let import = report
            .imports
            .iter()
            .find(|i| i.name == name)
            .unwrap_or_else(|| panic!("{name} in {:?}", report.imports));
        assert!(import.status.is_ok(), "{name}: {:?}", import.status);
    }
    // Composed for a wasi host, it passes there too (that profile has keyvalue and logging).
    let wasi = check_bytes(
        msgbridge_examples::COUNTER_WORKER,
        "counter",
        &profile(HostKind::Wasi),
    )
    .unwrap();
    assert!(wasi.passes && wasi.composed.is_some(), "{}", wasi.text());
}

#[test]
fn a_wrong_import_type_and_an_unknown_import_fail_with_their_names() {
    let report = check_bytes(
        &KEYVALUE_GUEST.component(),
        "kv",
        &profile(HostKind::WasmcloudV2),
    )
    .expect("a report");
    assert!(!report.passes);
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].starts_with("import wasi:keyvalue/store@0.2.0-draft has another type"),
        "{:?}",
        report.problems
    );

    let report = check_bytes(
        &UNKNOWN_IMPORT_GUEST.component(),
        "ledger",
        &profile(HostKind::WasmcloudV2),
    )
    .expect("a report");
    assert!(!report.passes);
    assert_eq!(report.guest_world, None, "no messaging at all");
    assert!(
        report.problems[0].starts_with("import acme:ledger/entries@1.0.0 is missing"),
        "{:?}",
        report.problems
    );
}

#[test]
fn a_messaging_shape_msgbridge_cannot_adapt_is_reported_with_the_reason() {
    let report = check_bytes(
        &msgbridge_test_shapes::OMNIA_ASYNC.component(),
        "omnia",
        &profile(HostKind::WasmcloudV2),
    )
    .expect("a report");
    assert!(!report.passes);
    let note = report.not_adaptable.as_deref().expect("a note");
    assert!(note.contains("async"), "{note}");
    assert!(
        report.text().contains("note: msgbridge cannot adapt"),
        "{}",
        report.text()
    );
}

#[test]
fn the_command_fails_on_a_missing_file_and_an_unknown_host() {
    let args = |guest: PathBuf, host: &str| CheckArgs {
        guest,
        host: Some(host.to_string()),
        target: None,
        world: None,
        json: false,
    };
    let err = check(args(PathBuf::from("/nonexistent/guest.wasm"), "wasi")).unwrap_err();
    assert!(
        format!("{err:#}").contains("cannot read /nonexistent/guest.wasm"),
        "{err:#}"
    );
    let err = check(args(
        PathBuf::from(artifacts::WASI_PROBE_PATH),
        "wasmcloud-v3",
    ))
    .unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("wasmcloud-v3"), "{message}");
    assert!(
        message.contains("wasmcloud-v2"),
        "names the built-ins: {message}"
    );
}

#[test]
fn a_wit_world_stands_for_a_host() {
    let dir = tempfile::tempdir().unwrap();
    let wit = dir.path().join("my-host.wit");
    std::fs::write(
        &wit,
        "package acme:my-host;\n\nworld messaging-only {\n  include wasi:cli/imports@0.2.12;\n  import wasmcloud:messaging/consumer@0.2.0;\n  export wasmcloud:messaging/handler@0.2.0;\n}\n",
    )
    .unwrap();
    let profile = Profile::from_arg(wit.to_str().unwrap(), None).expect("loads");
    // The wasi probe is composed for the wasmcloud world that host serves, and passes.
    let report = check_bytes(artifacts::WASI_PROBE, "wasi-probe", &profile).unwrap();
    assert!(report.passes, "{}", report.text());
    assert_eq!(
        report.composed.as_ref().map(|c| c.target.as_str()),
        Some("wasmcloud")
    );
    // The counter worker needs keyvalue and logging, which that host lacks.
    let report = check_bytes(msgbridge_examples::COUNTER_WORKER, "counter", &profile).unwrap();
    assert!(!report.passes);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.starts_with("import wasi:keyvalue/store@0.2.0-draft is missing")),
        "{:?}",
        report.problems
    );
}

#[test]
fn the_binary_passes_quietly_fails_with_its_exit_code_and_prints_json() {
    // A pass: exit 0, the report on stdout, nothing on stderr (no host runs, so no
    // host warnings such as "no subscriptions").
    let pass = msgbridge(
        &["check", artifacts::WASMCLOUD_PROBE_PATH, "--target", "wasi"],
        None,
    );
    assert!(
        pass.status.success(),
        "{}",
        String::from_utf8_lossy(&pass.stderr)
    );
    let report = String::from_utf8_lossy(&pass.stdout);
    assert!(report.starts_with("check: "), "{report}");
    assert!(
        report.contains("as `msgbridge compose "),
        "names the compose command: {report}"
    );
    assert!(
        pass.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&pass.stderr)
    );

    // A fail: exit 1, the problems on stdout and one error line on stderr.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("keyvalue.wasm");
    std::fs::write(&bad, KEYVALUE_GUEST.component()).unwrap();
    let fail = msgbridge(
        &["check", bad.to_str().unwrap(), "--host", "wasmcloud-v2"],
        None,
    );
    assert_eq!(fail.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&fail.stderr);
    assert!(
        stderr.starts_with("error: ")
            && stderr.contains("does not run on host wasmcloud-v2: 1 problem"),
        "{stderr}"
    );
    assert!(
        String::from_utf8_lossy(&fail.stdout).contains("wasi:keyvalue/store@0.2.0-draft"),
        "{}",
        String::from_utf8_lossy(&fail.stdout)
    );

    // JSON, from standard input: the documented fields.
    let json = msgbridge(
        &["check", "-", "--host", "wasmcloud-v2", "--json"],
        Some(artifacts::WASI_PROBE),
    );
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(value["schema"], JSON_SCHEMA);
    assert_eq!(value["guest"], "-");
    assert_eq!(value["host"], "wasmcloud-v2");
    assert_eq!(value["passes"], true);
    assert_eq!(value["guest_world"], "wasi:messaging@0.2.0-draft");
    assert_eq!(value["already_adapted"], false);
    assert_eq!(value["composed"]["target"], "wasmcloud");
    assert_eq!(value["composed"]["form"], "spliced");
    assert!(value["not_adaptable"].is_null());
    assert_eq!(value["problems"], serde_json::json!([]));
    let imports = value["imports"].as_array().expect("imports");
    assert!(imports
        .iter()
        .all(|i| i["status"] == "provided" && i["by"].is_string()));
    let exports = value["exports"].as_array().expect("exports");
    assert!(
        exports
            .iter()
            .any(|e| e["name"] == "wasmcloud:messaging/handler@0.2.0" && e["status"] == "called"),
        "{exports:?}"
    );

    // A failing JSON report still prints, with its problems.
    let json = msgbridge(
        &[
            "check",
            bad.to_str().unwrap(),
            "--target",
            "wasmcloud",
            "--json",
        ],
        None,
    );
    assert_eq!(json.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(value["passes"], false);
    assert_eq!(value["problems"].as_array().map(Vec::len), Some(1));
    let import = value["imports"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|i| i["name"] == "wasi:keyvalue/store@0.2.0-draft")
        })
        .expect("the keyvalue import");
    assert_eq!(import["status"], "type-mismatch");
    assert!(import["reason"].is_string() && import["advice"].is_string());
}

#[test]
fn the_binary_needs_a_host() {
    let out = msgbridge(&["check", artifacts::WASI_PROBE_PATH], None);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--host") && stderr.contains("--target"),
        "{stderr}"
    );
}
