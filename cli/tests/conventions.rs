//! The command-line conventions of `wac` and `wasm-tools` that msgbridge follows: `-` for
//! standard input and output, no binary written to a terminal, `--json` with a documented
//! schema, `-q`, colour only on a terminal; and what `inspect` says about msgbridge's own
//! output and about look-alike messaging versions.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use msgbridge_test_artifacts as artifacts;
use msgbridge_test_shapes as shapes;

/// Runs msgbridge with `args`, `stdin` on standard input, and returns what it wrote.
fn msgbridge(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_msgbridge"))
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("msgbridge runs");
    let mut pipe = child.stdin.take().expect("stdin");
    // A command that does not read its input may close the pipe first.
    let _ = pipe.write_all(stdin);
    drop(pipe);
    child.wait_with_output().expect("msgbridge finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn compose_and_inspect_read_stdin_and_write_stdout() {
    let composed = msgbridge(
        &["compose", "-", "--target", "wasi"],
        artifacts::WASMCLOUD_PROBE,
    );
    assert!(composed.status.success(), "{}", text(&composed.stderr));
    assert!(
        composed.stdout.starts_with(b"\0asm"),
        "a component on stdout"
    );
    assert!(
        text(&composed.stderr).contains("wrote standard output"),
        "{}",
        text(&composed.stderr)
    );
    let inspection = msgbridge_compose::inspect(&composed.stdout).expect("a valid component");
    assert_eq!(inspection.world, msgbridge_compose::World::Wasi);

    // `-o -` is standard output too, and `-q` drops the summary line.
    let quiet = msgbridge(
        &["-q", "compose", "-", "--target", "wasi", "-o", "-"],
        artifacts::WASMCLOUD_PROBE,
    );
    assert!(quiet.status.success(), "{}", text(&quiet.stderr));
    assert_eq!(quiet.stdout, composed.stdout, "the same bytes");
    assert!(quiet.stderr.is_empty(), "{}", text(&quiet.stderr));

    // The composed component read back from stdin: already adapted, not offered again.
    let report = msgbridge(&["inspect", "-"], &composed.stdout);
    assert!(report.status.success(), "{}", text(&report.stderr));
    let report = text(&report.stdout);
    assert!(
        report.contains("world: wasi:messaging@0.2.0-draft"),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "adapted by: msgbridge {}, spliced form",
            env!("CARGO_PKG_VERSION")
        )),
        "{report}"
    );
    assert!(
        report.contains("already adapted by msgbridge") && report.contains("wrap it twice"),
        "{report}"
    );
    assert!(!report.contains("wac plug"), "no halves offered: {report}");
}

#[test]
fn inspect_json_follows_the_documented_schema() {
    let out = msgbridge(&["inspect", artifacts::WASI_PROBE_PATH, "--json"], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["schema"], "msgbridge.inspect/1");
    assert_eq!(v["world"], "wasi");
    assert_eq!(v["package"], "wasi:messaging@0.2.0-draft");
    let imports = v["messaging_imports"].as_array().expect("array");
    assert!(
        imports
            .iter()
            .any(|i| i["name"] == "wasi:messaging/producer@0.2.0-draft"
                && i["functions"] == serde_json::json!(["send"])),
        "{imports:?}"
    );
    assert_eq!(
        v["messaging_exports"][0]["name"],
        "wasi:messaging/incoming-handler@0.2.0-draft"
    );
    assert!(v["other_imports"].is_array() && v["other_exports"].is_array());
    assert!(v["adapted_by_msgbridge"].is_null());
    assert_eq!(v["other_host"]["world"], "wasmcloud");
    assert_eq!(v["other_host"]["form"], "spliced");
    assert!(v["other_host"]["portable_because"].is_null());
    assert_eq!(
        v["other_host"]["halves"],
        serde_json::json!(["wasi-on-wasmcloud-sender", "wasi-on-wasmcloud-receiver"])
    );
    assert!(v["other_host"]["refused"].is_null());

    // An adapted component says so, and composing it again is refused.
    let composed = msgbridge(
        &["compose", "-", "--target", "wasmcloud"],
        artifacts::WASI_PROBE,
    );
    let out = msgbridge(&["inspect", "-", "--json"], &composed.stdout);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["world"], "wasmcloud");
    assert_eq!(v["adapted_by_msgbridge"]["form"], "spliced");
    assert_eq!(
        v["adapted_by_msgbridge"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    assert!(v["other_host"]["form"].is_null());
    assert!(v["other_host"]["refused"]
        .as_str()
        .is_some_and(|r| r.contains("wrap it twice")));
}

/// Runs `command` under `script`, which gives it a pseudo-terminal as standard output.
fn on_a_terminal(command: &str) -> String {
    let out = Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("script (util-linux) runs");
    text(&out.stdout)
}

#[test]
fn compose_refuses_to_write_a_binary_to_a_terminal() {
    let terminal = on_a_terminal(&format!(
        "{} compose {} --target wasi",
        env!("CARGO_BIN_EXE_msgbridge"),
        artifacts::WASMCLOUD_PROBE_PATH
    ));
    assert!(
        terminal.contains("refusing to write a WebAssembly binary to a terminal"),
        "{terminal}"
    );
    assert!(!terminal.contains("asm"), "no bytes reached the terminal");
}

#[test]
fn log_colour_only_on_a_terminal_unless_asked() {
    // `run` logs at info while it loads; with no subscription the component loads and the
    // command fails at once on a bad HTTP address... so give it a control socket that cannot be made (its directory is a file).
    let args = |color: &str| {
        vec![
            "--color".to_string(),
            color.to_string(),
            "run".to_string(),
            artifacts::WASMCLOUD_PROBE_PATH.to_string(),
            "--control".to_string(),
            "/dev/null/control.sock".to_string(),
        ]
    };
    let plain = {
        let args = args("auto");
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        msgbridge(&refs, b"")
    };
    let log = text(&plain.stderr);
    assert!(log.contains("component started"), "{log}");
    assert!(!log.contains('\u{1b}'), "no escape codes in a pipe: {log}");

    let forced = {
        let args = args("always");
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        msgbridge(&refs, b"")
    };
    assert!(
        text(&forced.stderr).contains('\u{1b}'),
        "--color always colours: {}",
        text(&forced.stderr)
    );

    // On a terminal, colour is on by default and NO_COLOR turns it off.
    let command = format!(
        "{} run {} --control /dev/null/control.sock",
        env!("CARGO_BIN_EXE_msgbridge"),
        artifacts::WASMCLOUD_PROBE_PATH
    );
    assert!(on_a_terminal(&command).contains('\u{1b}'));
    assert!(!on_a_terminal(&format!("NO_COLOR=1 {command}")).contains('\u{1b}'));
}

#[test]
fn inspect_accepts_a_semver_compatible_patch_version() {
    let out = msgbridge(&["inspect", "-"], &shapes::WASMCLOUD_0_2_1.component());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.contains("world: wasmcloud:messaging@0.2.0"),
        "{report}"
    );
    assert!(
        report.contains("wasmcloud:messaging/consumer@0.2.1"),
        "its own name is kept: {report}"
    );
    let composed = msgbridge(
        &["compose", "-", "--target", "wasi"],
        &shapes::WASMCLOUD_0_2_1.component(),
    );
    assert!(composed.status.success(), "{}", text(&composed.stderr));
}

#[test]
fn both_wasmcloud_messaging_0_3_0_shapes_get_their_own_advice() {
    let sync = msgbridge(&["inspect", "-"], &shapes::WASMCLOUD_0_3_0.component());
    assert!(!sync.status.success());
    let message = text(&sync.stderr);
    assert!(
        message.contains("wasmCloud v1's experimental rename"),
        "{message}"
    );
    assert!(!message.contains("main branch"), "{message}");

    // wasmCloud v2.8's async one is a world of its own.
    let asynchronous = msgbridge(
        &["inspect", "-"],
        &shapes::WASMCLOUD_0_3_0_ASYNC.component(),
    );
    let message = text(&asynchronous.stdout);
    assert!(
        asynchronous.status.success(),
        "{}",
        text(&asynchronous.stderr)
    );
    assert!(message.contains("wasmcloud-async"), "{message}");
    assert!(!message.contains("v1's experimental"), "{message}");
}

#[test]
fn bad_arguments_are_usage_errors() {
    for args in [
        vec!["compose", artifacts::WASI_PROBE_PATH],
        vec!["compose", artifacts::WASI_PROBE_PATH, "--target", "kafka"],
        vec!["-v", "-q", "inspect", artifacts::WASI_PROBE_PATH],
        vec![
            "--color",
            "sometimes",
            "inspect",
            artifacts::WASI_PROBE_PATH,
        ],
        vec!["run", "--worlds", "mqtt"],
    ] {
        let out = msgbridge(&args, b"");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let message = text(&out.stderr);
        assert!(
            message.starts_with("error: ") && message.contains("try '--help'"),
            "{args:?}: {message}"
        );
    }
}
