//! `check` against the built-in profiles and users' WIT: the fixture probes, the examples,
//! and components synthesized from WIT with wit-component's dummy module.

use msgbridge_profiles::{
    check, vendored_wit, CheckError, ExportStatus, HostKind, ImportStatus, Profile, ProfileError,
    Report,
};
use wit_component::{dummy_module, embed_component_metadata, ComponentEncoder, StringEncoding};
use wit_parser::{LiftLowerAbi, ManglingAndAbi, Resolve};

// ---------------------------------------------------------------------------------------
// Helpers

fn profile(host: HostKind) -> Profile {
    Profile::builtin(host).unwrap_or_else(|e| panic!("{host}: {e}"))
}

fn check_on(bytes: &[u8], host: HostKind) -> Report {
    check(bytes, &profile(host)).unwrap_or_else(|e| panic!("{host}: {e}"))
}

/// The component of world `guest` in `texts` (pushed in order into one resolve).
fn component_of(resolve: &mut Resolve, texts: &[&str]) -> Vec<u8> {
    let mut package = None;
    for (i, text) in texts.iter().enumerate() {
        package = Some(
            resolve
                .push_str(format!("text{i}.wit"), text)
                .unwrap_or_else(|e| panic!("{e:#}\n{text}")),
        );
    }
    let package = package.expect("at least one text");
    let world = resolve
        .select_world(&[package], Some("guest"))
        .expect("world guest");
    let mut module = dummy_module(resolve, world, ManglingAndAbi::Legacy(LiftLowerAbi::Sync));
    embed_component_metadata(&mut module, resolve, world, StringEncoding::UTF8)
        .expect("metadata embeds");
    ComponentEncoder::default()
        .module(&module)
        .and_then(|e| e.validate(true).encode())
        .expect("component encodes")
}

/// A component from `texts` whose dependencies may be any vendored package.
fn component_with_vendored(texts: &[&str]) -> Vec<u8> {
    let mut resolve = Resolve::default();
    for (dir, text) in vendored_wit() {
        resolve
            .push_str(format!("{dir}.wit"), text)
            .unwrap_or_else(|e| panic!("{dir}: {e:#}"));
    }
    component_of(&mut resolve, texts)
}

/// A component from `texts` alone.
fn component_alone(texts: &[&str]) -> Vec<u8> {
    component_of(&mut Resolve::default(), texts)
}

fn vendored(dir: &str) -> &'static str {
    vendored_wit()
        .iter()
        .find(|(d, _)| *d == dir)
        .map(|(_, text)| *text)
        .unwrap_or_else(|| panic!("no vendored {dir}"))
}

fn import<'a>(report: &'a Report, name: &str) -> &'a ImportStatus {
    &report
        .imports
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("no import {name} in\n{report}"))
        .status
}

fn export<'a>(report: &'a Report, name: &str) -> &'a ExportStatus {
    &report
        .exports
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no export {name} in\n{report}"))
        .status
}

fn assert_passes(name: &str, report: &Report) {
    assert!(report.passes(), "{name} should pass:\n{report}");
    assert!(report.problems().is_empty(), "{report}");
    assert!(report.to_string().ends_with("result: pass"), "{report}");
}

fn assert_fails_with(name: &str, report: &Report, needle: &str) {
    assert!(!report.passes(), "{name} should fail:\n{report}");
    let problems = report.problems().join("\n");
    assert!(
        problems.contains(needle),
        "{name}: the problems should say `{needle}`:\n{problems}"
    );
    assert!(report.to_string().contains("result: fail"), "{report}");
}

// ---------------------------------------------------------------------------------------
// The fixture probes and the examples on each profile

#[test]
fn wasi_probe_runs_where_wasi_messaging_is_served() {
    let probe = msgbridge_test_artifacts::WASI_PROBE;
    assert_passes("wasi-probe on wasi", &check_on(probe, HostKind::Wasi));
    assert_passes(
        "wasi-probe on reference",
        &check_on(probe, HostKind::Reference),
    );
    let report = check_on(probe, HostKind::WasmcloudV2);
    assert_fails_with(
        "wasi-probe on wasmcloud-v2",
        &report,
        "wasmcloud-v2 serves wasmcloud:messaging@0.2.0, not wasi:messaging@0.2.0-draft: \
         compose it with `msgbridge compose --target wasmcloud`",
    );
    assert!(matches!(
        import(&report, "wasi:messaging/producer@0.2.0-draft"),
        ImportStatus::Missing { .. }
    ));
    assert!(matches!(
        export(&report, "wasi:messaging/incoming-handler@0.2.0-draft"),
        ExportStatus::Unserved { advice } if advice.contains("--target wasmcloud")
    ));
    // What it imports from WASI is provided all the same.
    assert!(report
        .imports
        .iter()
        .filter(|i| i.name.starts_with("wasi:cli/") || i.name.starts_with("wasi:io/"))
        .all(|i| i.status.is_ok()));
}

#[test]
fn wasmcloud_probe_runs_where_wasmcloud_messaging_is_served() {
    let probe = msgbridge_test_artifacts::WASMCLOUD_PROBE;
    let report = check_on(probe, HostKind::WasmcloudV2);
    assert_passes("wasmcloud-probe on wasmcloud-v2", &report);
    assert!(matches!(
        export(&report, "wasmcloud:messaging/handler@0.2.0"),
        ExportStatus::Called { .. }
    ));
    assert_passes(
        "wasmcloud-probe on reference",
        &check_on(probe, HostKind::Reference),
    );
    assert_fails_with(
        "wasmcloud-probe on wasi",
        &check_on(probe, HostKind::Wasi),
        "compose it with `msgbridge compose --target wasi`",
    );
}

#[test]
fn examples_run_where_their_world_is_served() {
    use msgbridge_examples::{HTTP_API, LEET_WORKER, REVERSE_WORKER};
    for (name, bytes) in [("http-api", HTTP_API), ("leet-worker", LEET_WORKER)] {
        assert_passes(name, &check_on(bytes, HostKind::WasmcloudV2));
        assert_passes(name, &check_on(bytes, HostKind::Reference));
        assert_fails_with(name, &check_on(bytes, HostKind::Wasi), "--target wasi");
    }
    let api = check_on(HTTP_API, HostKind::WasmcloudV2);
    let http = api
        .exports
        .iter()
        .find(|e| e.name.starts_with("wasi:http/incoming-handler@0.2"))
        .expect("http-api exports the HTTP handler");
    assert!(
        matches!(&http.status, ExportStatus::Called { by } if by == "wasi:http/incoming-handler@0.2.12"),
        "{api}"
    );
    let leet = check_on(LEET_WORKER, HostKind::WasmcloudV2);
    assert!(matches!(
        import(&leet, "wasi:config/store@0.2.0-rc.1"),
        ImportStatus::Provided { .. }
    ));

    assert_passes("reverse-worker", &check_on(REVERSE_WORKER, HostKind::Wasi));
    assert_passes(
        "reverse-worker",
        &check_on(REVERSE_WORKER, HostKind::Reference),
    );
    assert_fails_with(
        "reverse-worker",
        &check_on(REVERSE_WORKER, HostKind::WasmcloudV2),
        "--target wasmcloud",
    );
}

// ---------------------------------------------------------------------------------------
// Components made from WIT

const KEYVALUE_GUEST: &str = "package test:kv;
world guest {
  import wasi:keyvalue/store@0.2.0-draft;
  import wasi:keyvalue/atomics@0.2.0-draft;
  import wasi:logging/logging@0.1.0-draft;
  export wasmcloud:messaging/handler@0.2.0;
}";

#[test]
fn a_keyvalue_component_passes_wasmcloud_v2() {
    let bytes = component_with_vendored(&[KEYVALUE_GUEST]);
    let report = check_on(&bytes, HostKind::WasmcloudV2);
    assert_passes("keyvalue guest on wasmcloud-v2", &report);
    assert_eq!(
        import(&report, "wasi:keyvalue/store@0.2.0-draft"),
        &ImportStatus::Provided {
            by: "wasi:keyvalue/store@0.2.0-draft".to_string()
        }
    );
    // The reference host serves key-value and logging too.
    assert_passes(
        "keyvalue guest on reference",
        &check_on(&bytes, HostKind::Reference),
    );
}

#[test]
fn a_blobstore_component_passes_wasmclouds_profiles_only() {
    let bytes = component_with_vendored(&["package test:blob;
world guest {
  import wasi:blobstore/blobstore@0.2.0-draft;
}"]);
    assert_passes("blobstore guest", &check_on(&bytes, HostKind::WasmcloudV2));
    assert_passes("blobstore guest", &check_on(&bytes, HostKind::WasmcloudV28));
    let report = check_on(&bytes, HostKind::Reference);
    assert_fails_with(
        "blobstore guest on reference",
        &report,
        "reference does not serve wasi:blobstore@0.2.0-draft; built-in profiles serving it: \
         wasmcloud-v2, wasmcloud-v2-8 (check with `--host wasmcloud-v2`)",
    );
}

/// `wasi:keyvalue/store` with `open` taking a `u32`.
const WRONG_KEYVALUE: &str = "package wasi:keyvalue@0.2.0-draft;
interface store {
  variant error { no-such-store, access-denied, other(string) }
  resource bucket {
    get: func(key: string) -> result<option<list<u8>>, error>;
  }
  open: func(identifier: u32) -> result<bucket, error>;
}";

#[test]
fn a_keyvalue_function_of_another_type_is_a_mismatch() {
    let bytes = component_alone(&[
        WRONG_KEYVALUE,
        "package test:kv;
world guest { import wasi:keyvalue/store@0.2.0-draft; }",
    ]);
    let report = check_on(&bytes, HostKind::WasmcloudV2);
    assert!(!report.passes(), "{report}");
    let ImportStatus::TypeMismatch {
        provided, reason, ..
    } = import(&report, "wasi:keyvalue/store@0.2.0-draft")
    else {
        panic!("expected a type mismatch:\n{report}");
    };
    assert_eq!(provided, "wasi:keyvalue/store@0.2.0-draft");
    assert!(
        reason.contains("wasi:keyvalue/store@0.2.0-draft"),
        "{reason}"
    );
    assert!(reason.contains("`open`"), "{reason}");
    assert!(reason.contains("identifier"), "{reason}");
    assert!(report.to_string().contains("type mismatch"), "{report}");

    // A bucket offering fewer methods than the host's is fine: only types differ here.
    let fewer = WRONG_KEYVALUE.replace("identifier: u32", "identifier: string");
    let bytes = component_alone(&[
        &fewer,
        "package test:kv;
world guest { import wasi:keyvalue/store@0.2.0-draft; }",
    ]);
    assert_passes(
        "a subset of keyvalue",
        &check_on(&bytes, HostKind::WasmcloudV2),
    );
}

#[test]
fn a_function_the_host_lacks_is_a_mismatch() {
    let extra = "package wasi:logging@0.1.0-draft;
interface logging {
  enum level { trace, debug, info, warn, error, critical }
  log: func(level: level, context: string, message: string);
  flush: func();
}";
    let bytes = component_alone(&[
        extra,
        "package test:log;
world guest { import wasi:logging/logging@0.1.0-draft; }",
    ]);
    let report = check_on(&bytes, HostKind::WasmcloudV2);
    let ImportStatus::TypeMismatch { reason, .. } =
        import(&report, "wasi:logging/logging@0.1.0-draft")
    else {
        panic!("expected a type mismatch:\n{report}");
    };
    assert!(reason.contains("`flush`"), "{reason}");
}

#[test]
fn a_semver_compatible_patch_version_passes() {
    let patched = vendored("wasmcloud-messaging-0.2.0").replace("@0.2.0;", "@0.2.1;");
    let bytes = component_alone(&[
        &patched,
        "package test:patch;
world guest {
  import wasmcloud:messaging/consumer@0.2.1;
  export wasmcloud:messaging/handler@0.2.1;
}",
    ]);
    let report = check_on(&bytes, HostKind::WasmcloudV2);
    assert_passes("consumer@0.2.1 on wasmcloud-v2", &report);
    assert_eq!(
        import(&report, "wasmcloud:messaging/consumer@0.2.1"),
        &ImportStatus::Provided {
            by: "wasmcloud:messaging/consumer@0.2.0".to_string()
        }
    );
    assert_eq!(
        export(&report, "wasmcloud:messaging/handler@0.2.1"),
        &ExportStatus::Called {
            by: "wasmcloud:messaging/handler@0.2.0".to_string()
        }
    );

    // 0.3.0 is not compatible with 0.2.0: missing, with the version the host serves.
    let minor = vendored("wasmcloud-messaging-0.2.0").replace("@0.2.0;", "@0.3.0;");
    let bytes = component_alone(&[
        &minor,
        "package test:minor;
world guest { import wasmcloud:messaging/consumer@0.3.0; }",
    ]);
    let report = check_on(&bytes, HostKind::WasmcloudV2);
    assert_fails_with(
        "consumer@0.3.0 on wasmcloud-v2",
        &report,
        "rebuild the component against wasmcloud:messaging/consumer@0.2.0",
    );
}

#[test]
fn a_draft_version_matches_only_itself() {
    let other_draft = vendored("wasi-keyvalue-0.2.0-draft").replace("0.2.0-draft", "0.2.0-draft2");
    let bytes = component_alone(&[
        &other_draft,
        "package test:draft;
world guest { import wasi:keyvalue/store@0.2.0-draft2; }",
    ]);
    let report = check_on(&bytes, HostKind::WasmcloudV2);
    assert!(
        matches!(import(&report, "wasi:keyvalue/store@0.2.0-draft2"), ImportStatus::Missing { advice } if advice.contains("pre-release")),
        "{report}"
    );
}

#[test]
fn a_handler_of_another_type_is_an_export_mismatch() {
    let wrong = vendored("wasmcloud-messaging-0.2.0").replace(
        "handle-message: func(msg: broker-message) -> result<_, string>",
        "handle-message: func(msg: broker-message) -> result<_, u32>",
    );
    assert_ne!(
        wrong,
        vendored("wasmcloud-messaging-0.2.0"),
        "the text was changed"
    );
    let bytes = component_alone(&[
        &wrong,
        "package test:handler;
world guest { export wasmcloud:messaging/handler@0.2.0; }",
    ]);
    let report = check_on(&bytes, HostKind::WasmcloudV2);
    let ExportStatus::TypeMismatch { reason, .. } =
        export(&report, "wasmcloud:messaging/handler@0.2.0")
    else {
        panic!("expected an export type mismatch:\n{report}");
    };
    assert!(reason.contains("`handle-message`"), "{reason}");
    assert!(!report.passes());
}

#[test]
fn other_exports_are_not_called_and_do_not_fail() {
    let bytes = component_alone(&["package test:lib;
interface api { add: func(a: u32, b: u32) -> u32; }
world guest { export api; }"]);
    let report = check_on(&bytes, HostKind::WasmcloudV2);
    assert_passes("a library component", &report);
    assert_eq!(export(&report, "test:lib/api"), &ExportStatus::NotCalled);
    assert_eq!(
        export(&report, "wasmcloud:messaging/handler@0.2.0"),
        &ExportStatus::NotExported
    );
}

#[test]
fn an_unknown_import_says_no_profile_serves_it() {
    let bytes = component_alone(&["package acme:db@1.0.0;
interface query { run: func(sql: string) -> list<string>; }
world guest { import query; }"]);
    let report = check_on(&bytes, HostKind::WasmcloudV2);
    assert_fails_with(
        "acme:db",
        &report,
        "wasmcloud-v2 does not serve acme:db@1.0.0, and no built-in profile does",
    );
}

// ---------------------------------------------------------------------------------------
// Users' WIT

const EDGE_HOST: &str = "package acme:edge;
world edge {
  include wasi:cli/imports@0.2.12;
  import wasmcloud:messaging/consumer@0.2.0;
  export wasmcloud:messaging/handler@0.2.0;
}";

#[test]
fn a_user_world_file_is_a_profile() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("edge.wit");
    std::fs::write(&path, EDGE_HOST).expect("writes");
    let edge = Profile::from_wit(&path, None).expect("edge.wit loads");
    assert_eq!(edge.world(), "edge");
    assert_eq!(edge.host(), None);
    assert!(edge
        .imports()
        .iter()
        .any(|i| i == "wasmcloud:messaging/consumer@0.2.0"));
    assert_eq!(edge.exports(), ["wasmcloud:messaging/handler@0.2.0"]);

    let probe = check(msgbridge_test_artifacts::WASMCLOUD_PROBE, &edge).expect("checks");
    assert_passes("wasmcloud-probe on edge", &probe);
    assert!(probe.host.contains("edge.wit"), "{}", probe.host);

    let reverse = check(msgbridge_examples::REVERSE_WORKER, &edge).expect("checks");
    assert_fails_with("reverse-worker on edge", &reverse, "--target wasmcloud");

    let leet = check(msgbridge_examples::LEET_WORKER, &edge).expect("checks");
    assert_fails_with(
        "leet-worker on edge",
        &leet,
        "does not serve wasi:config@0.2.0-rc.1; built-in profiles serving it: wasmcloud-v2, \
         wasmcloud-v2-8, wasi, reference",
    );

    // The same through the command-line form.
    let by_arg = Profile::from_arg(path.to_str().expect("utf-8"), Some("edge")).expect("loads");
    assert_eq!(by_arg.imports(), edge.imports());
}

#[test]
fn a_user_wit_directory_with_deps_is_a_profile() {
    let dir = tempfile::tempdir().expect("temp dir");
    let deps = dir.path().join("deps");
    for package in [
        "wasi-io-0.2.12",
        "wasi-clocks-0.2.12",
        "wasi-random-0.2.12",
        "wasi-filesystem-0.2.12",
        "wasi-sockets-0.2.12",
        "wasi-cli-0.2.12",
        "wasmcloud-messaging-0.2.0",
    ] {
        std::fs::create_dir_all(deps.join(package)).expect("mkdir");
        std::fs::write(deps.join(package).join("package.wit"), vendored(package)).expect("writes");
    }
    std::fs::write(dir.path().join("world.wit"), EDGE_HOST).expect("writes");
    let edge = Profile::from_wit(dir.path(), Some("edge")).expect("directory loads");
    assert_passes(
        "wasmcloud-probe on the directory's world",
        &check(msgbridge_test_artifacts::WASMCLOUD_PROBE, &edge).expect("checks"),
    );
}

#[test]
fn a_binary_wit_package_is_a_profile() {
    let builtin = profile(HostKind::WasmcloudV2);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("profiles.wasm");
    std::fs::write(&path, builtin.wit_package()).expect("writes");
    let loaded = Profile::from_wit(&path, Some("wasmcloud-v2")).expect("binary package loads");
    assert_eq!(loaded.imports(), builtin.imports());
    let bytes = component_with_vendored(&[KEYVALUE_GUEST]);
    assert_passes(
        "keyvalue guest on the binary package",
        &check(&bytes, &loaded).expect("checks"),
    );
}

#[test]
fn a_missing_wit_file_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nowhere.wit");
    let err = Profile::from_wit(&path, None).expect_err("missing file");
    assert!(matches!(err, ProfileError::Read { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("nowhere.wit"), "{message}");
    assert!(
        message.contains("pass an existing `.wit` file"),
        "{message}"
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "the io error is kept"
    );
}

#[test]
fn a_malformed_wit_file_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broken.wit");
    std::fs::write(
        &path,
        "package acme:broken;\nworld edge {\n  import nope:missing/thing;\n  export;\n}\n",
    )
    .expect("writes");
    let err = Profile::from_wit(&path, None).expect_err("malformed");
    assert!(matches!(err, ProfileError::InvalidWit { .. }), "{err:?}");
    assert!(
        err.to_string().contains("broken.wit is not valid WIT"),
        "{err}"
    );
    let cause = std::error::Error::source(&err)
        .expect("cause kept")
        .to_string();
    assert!(
        cause.contains("broken.wit:4"),
        "the cause points at the line: {cause}"
    );

    let unresolved = dir.path().join("unresolved.wit");
    std::fs::write(
        &unresolved,
        "package acme:x;\nworld edge { import nope:missing/thing; }\n",
    )
    .expect("writes");
    let err = Profile::from_wit(&unresolved, None).expect_err("unknown package");
    let cause = std::error::Error::source(&err)
        .expect("cause kept")
        .to_string();
    assert!(cause.contains("nope:missing"), "{cause}");
}

#[test]
fn world_selection_errors_name_the_worlds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("two.wit");
    std::fs::write(&path, "package acme:two;\nworld a {}\nworld b {}\n").expect("writes");
    let err = Profile::from_wit(&path, None).expect_err("two worlds");
    let message = err.to_string();
    assert!(message.contains("several worlds"), "{message}");
    assert!(message.contains("a, b"), "{message}");
    let err = Profile::from_wit(&path, Some("c")).expect_err("no world c");
    assert!(err.to_string().contains("no world `c`"), "{err}");
    assert!(Profile::from_wit(&path, Some("b")).is_ok());
}

#[test]
fn host_arguments() {
    for host in HostKind::ALL {
        let p = Profile::from_arg(host.name(), None).expect("built-in");
        assert_eq!(p.host(), Some(host));
        assert_eq!(p.name(), host.name());
        assert_eq!(p.world(), host.name());
        assert_eq!(host.name().parse::<HostKind>(), Ok(host));
    }
    let err = Profile::from_arg("wasmcloud", None).expect_err("not a profile");
    assert!(matches!(err, ProfileError::UnknownHost(_)));
    assert!(
        err.to_string()
            .contains("`wasmcloud-v2`, `wasmcloud-v2-8`, `wasi`, `reference`"),
        "{err}"
    );
    let err = Profile::from_arg("wasi", Some("other")).expect_err("world on a built-in");
    assert!(
        matches!(err, ProfileError::WorldOnBuiltin { .. }),
        "{err:?}"
    );
    let err = Profile::from_arg("./missing.wit", None).expect_err("missing path");
    assert!(matches!(err, ProfileError::Read { .. }), "{err:?}");
}

#[test]
fn profiles_list_what_the_hosts_serve() {
    let wasmcloud = profile(HostKind::WasmcloudV2);
    for name in [
        "wasi:keyvalue/store@0.2.0-draft",
        "wasi:keyvalue/atomics@0.2.0-draft",
        "wasi:keyvalue/batch@0.2.0-draft",
        "wasi:blobstore/blobstore@0.2.0-draft",
        "wasi:logging/logging@0.1.0-draft",
        "wasi:config/store@0.2.0-rc.1",
        "wasi:http/outgoing-handler@0.2.12",
        "wasi:sockets/tcp@0.2.12",
        "wasmcloud:messaging/consumer@0.2.0",
    ] {
        assert!(wasmcloud.provides(name).is_some(), "{name}");
    }
    assert!(wasmcloud
        .provides("wasi:messaging/producer@0.2.0-draft")
        .is_none());
    assert_eq!(
        wasmcloud.exports(),
        [
            "wasi:http/incoming-handler@0.2.12",
            "wasmcloud:messaging/handler@0.2.0"
        ]
    );
    use msgbridge_worlds::World;
    assert!(wasmcloud.serves(World::Wasmcloud) && !wasmcloud.serves(World::Wasi));
    let wasi = profile(HostKind::Wasi);
    assert!(wasi.serves(World::Wasi) && !wasi.serves(World::Wasmcloud));
    assert!(wasi
        .provides("wasi:blobstore/container@0.2.0-draft")
        .is_none());
    let reference = profile(HostKind::Reference);
    assert!(reference.serves(World::Wasi) && reference.serves(World::Wasmcloud));
    assert!(
        reference.calls_handler_of(World::Wasi) && reference.calls_handler_of(World::Wasmcloud)
    );
    assert!(reference
        .provides("wasi:keyvalue/batch@0.2.0-draft")
        .is_some());
    assert!(reference
        .provides("wasi:logging/logging@0.1.0-draft")
        .is_some());
    assert!(reference
        .provides("wasi:blobstore/types@0.2.0-draft")
        .is_none());
}

// ---------------------------------------------------------------------------------------
// Inputs that are not components

#[test]
fn inputs_that_are_not_components_are_refused() {
    let wasmcloud = profile(HostKind::WasmcloudV2);
    assert!(matches!(
        check(b"hello", &wasmcloud),
        Err(CheckError::NotWasm)
    ));
    assert!(matches!(
        check(b"\0asm\x01\0\0\0", &wasmcloud),
        Err(CheckError::CoreModule)
    ));
    assert!(matches!(
        check(wasmcloud.wit_package(), &wasmcloud),
        Err(CheckError::WitPackage)
    ));
    let probe = msgbridge_test_artifacts::WASMCLOUD_PROBE;
    let err = check(&probe[..probe.len() / 2], &wasmcloud).expect_err("truncated");
    assert!(
        matches!(err, CheckError::InvalidComponent { .. }),
        "{err:?}"
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "the parser's error is kept"
    );
    assert!(err.to_string().contains("wasm-tools validate"), "{err}");
}

#[test]
fn reports_serialize_with_a_status_per_item() {
    let report = check_on(msgbridge_test_artifacts::WASI_PROBE, HostKind::WasmcloudV2);
    let json = serde_json::to_value(&report).expect("serializes");
    assert_eq!(json["host"], "wasmcloud-v2");
    let producer = json["imports"]
        .as_array()
        .expect("imports")
        .iter()
        .find(|i| i["name"] == "wasi:messaging/producer@0.2.0-draft")
        .expect("producer");
    assert_eq!(producer["status"], "missing");
    assert!(producer["advice"]
        .as_str()
        .expect("advice")
        .contains("msgbridge compose --target wasmcloud"));
    let handler = json["exports"]
        .as_array()
        .expect("exports")
        .iter()
        .find(|e| e["name"] == "wasi:messaging/incoming-handler@0.2.0-draft")
        .expect("handler");
    assert_eq!(handler["status"], "unserved");
}

#[test]
fn a_user_wit_file_may_define_a_vendored_package_itself() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("own-logging.wit");
    std::fs::write(
        &path,
        "package acme:edge;
world edge { import wasi:logging/logging@0.1.0-draft; }
package wasi:logging@0.1.0-draft {
  interface logging {
    enum level { trace, debug, info, warn, error, critical }
    log: func(level: level, context: string, message: string);
  }
}
",
    )
    .expect("writes");
    let edge = Profile::from_wit(&path, None).expect("loads with its own wasi:logging");
    let bytes = component_with_vendored(&[KEYVALUE_GUEST]);
    let report = check(&bytes, &edge).expect("checks");
    assert!(
        import(&report, "wasi:logging/logging@0.1.0-draft").is_ok(),
        "{report}"
    );
    assert!(
        matches!(
            import(&report, "wasi:keyvalue/store@0.2.0-draft"),
            ImportStatus::Missing { .. }
        ),
        "{report}"
    );
}

#[test]
fn a_world_of_a_vendored_package_can_be_selected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("edge.wit");
    std::fs::write(&path, EDGE_HOST).expect("writes");
    let proxy = Profile::from_wit(&path, Some("wasi:http/proxy@0.2.12")).expect("proxy loads");
    assert_eq!(proxy.world(), "proxy");
    assert_eq!(proxy.exports(), ["wasi:http/incoming-handler@0.2.12"]);
    let report = check(msgbridge_examples::HTTP_API, &proxy).expect("checks");
    assert_fails_with(
        "http-api on wasi:http/proxy",
        &report,
        "serves no messaging world: run it on a host serving wasmcloud:messaging@0.2.0 (check with \
         `--host wasmcloud-v2`)",
    );
    assert!(report
        .exports
        .iter()
        .any(|e| matches!(e.status, ExportStatus::Called { .. })));
}
