//! `msgbridge check`: both probes pass for both targets (natively and composed), and a
//! component importing an interface no host serves fails with a message naming it.

use std::path::PathBuf;

use msgbridge_cli::check::{check, check_bytes, CheckArgs};
use msgbridge_compose::World;
use msgbridge_test_artifacts as artifacts;

/// A wasmcloud:messaging guest that also imports a `wasi:keyvalue` interface, which
/// neither world's host serves.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_probes_pass_for_both_targets() {
    for (name, bytes, world) in [
        (
            "wasi-probe",
            artifacts::WASI_PROBE,
            "wasi:messaging@0.2.0-draft",
        ),
        (
            "wasmcloud-probe",
            artifacts::WASMCLOUD_PROBE,
            "wasmcloud:messaging@0.2.0",
        ),
    ] {
        for target in [World::Wasmcloud, World::Wasi] {
            let report = check_bytes(bytes, target)
                .await
                .unwrap_or_else(|e| panic!("{name} --target {target}: {e:#}"));
            assert_eq!(report.composed, report.inspection.world != target);
            let text = report.describe(name);
            assert!(
                text.starts_with(&format!(
                    "pass: {name} links on a host serving only {}",
                    target
                )),
                "{text}"
            );
            assert!(text.contains(&format!("guest world: {world}")), "{text}");
        }
    }
    // The functions used are named.
    let text = check_bytes(artifacts::WASMCLOUD_PROBE, World::Wasi)
        .await
        .unwrap()
        .describe("p");
    assert!(
        text.contains("uses (imports) wasmcloud:messaging/consumer@0.2.0: request, publish"),
        "{text}"
    );
    assert!(
        text.contains("uses (exports) wasmcloud:messaging/handler@0.2.0: handle-message"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_passes_on_a_file() {
    let args = CheckArgs {
        guest: PathBuf::from(artifacts::WASI_PROBE_PATH),
        target: World::Wasmcloud,
    };
    check(args)
        .await
        .expect("the wasi probe checks for wasmcloud");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_importing_an_unserved_interface_fails_to_link() {
    let bytes = KEYVALUE_GUEST.component();
    for target in [World::Wasmcloud, World::Wasi] {
        let err = check_bytes(&bytes, target).await.unwrap_err();
        let message = format!("{err:#}");
        assert!(
            message.contains(&format!("does not link on a host serving only {}", target)),
            "{message}"
        );
        assert!(
            message.contains("wasi:keyvalue/store@0.2.0-draft"),
            "{message}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_component_that_cannot_be_composed_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("omnia.wasm");
    std::fs::write(&path, msgbridge_test_shapes::OMNIA_ASYNC.component()).unwrap();
    let err = check(CheckArgs {
        guest: path,
        target: World::Wasmcloud,
    })
    .await
    .unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("check of"), "{message}");
    assert!(message.contains("async"), "{message}");
    let err = check(CheckArgs {
        guest: dir.path().join("missing.wasm"),
        target: World::Wasi,
    })
    .await
    .unwrap_err();
    assert!(format!("{err:#}").contains("cannot read"), "{err:#}");
}

#[test]
fn the_binary_reports_pass_and_fail_with_its_exit_code() {
    let run = |path: &str, target: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_msgbridge"))
            .args(["check", path, "--target", target])
            .env("RUST_LOG", "off")
            .output()
            .expect("msgbridge runs")
    };
    let pass = run(artifacts::WASMCLOUD_PROBE_PATH, "wasi");
    assert!(
        pass.status.success(),
        "{}",
        String::from_utf8_lossy(&pass.stderr)
    );
    let report = String::from_utf8_lossy(&pass.stdout);
    assert!(report.starts_with("pass: "), "{report}");
    assert!(
        report.contains("adapters: composed (msgbridge compose --target wasi)"),
        "{report}"
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("keyvalue.wasm");
    std::fs::write(&bad, KEYVALUE_GUEST.component()).unwrap();
    let fail = run(bad.to_str().unwrap(), "wasmcloud");
    assert!(!fail.status.success());
    let message = String::from_utf8_lossy(&fail.stderr);
    assert!(
        message.contains("wasi:keyvalue/store@0.2.0-draft"),
        "{message}"
    );
}
