//! docs/cli.md documents the JSON of `inspect --json` and `check --json` field by field;
//! these tests check that the tables list exactly the fields the commands print.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use msgbridge_test_artifacts as artifacts;

/// The first-column fields of the table under the heading naming `schema` in docs/cli.md.
fn documented_fields(schema: &str) -> BTreeSet<String> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/cli.md"))
        .expect("docs/cli.md");
    let heading = format!("schema `{schema}`");
    let mut lines = doc
        .lines()
        .skip_while(|l| !(l.starts_with('#') && l.contains(&heading)));
    assert!(
        lines.next().is_some(),
        "no heading with {heading} in docs/cli.md"
    );
    let fields: BTreeSet<String> = lines
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| {
            let cell = l.split('|').nth(1)?.trim();
            Some(cell.strip_prefix('`')?.strip_suffix('`')?.to_string())
        })
        .collect();
    assert!(!fields.is_empty(), "no table under {heading}");
    fields
}

/// Every field path of `value`: `a`, `a.b`, `a[].c`.
fn paths(value: &serde_json::Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                out.insert(path.clone());
                paths(child, &path, out);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

fn json(args: &[&str], stdin: &[u8]) -> serde_json::Value {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_msgbridge"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("msgbridge runs");
    let _ = child.stdin.take().expect("stdin").write_all(stdin);
    let out = child.wait_with_output().expect("finishes");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn the_inspect_schema_table_lists_every_field_printed() {
    let mut printed = BTreeSet::new();
    let adapted = Command::new(env!("CARGO_BIN_EXE_msgbridge"))
        .args([
            "compose",
            artifacts::WASI_PROBE_PATH,
            "--target",
            "wasmcloud",
        ])
        .output()
        .expect("composes")
        .stdout;
    for value in [
        json(&["inspect", artifacts::WASI_PROBE_PATH, "--json"], b""),
        json(&["inspect", "-", "--json"], &adapted),
    ] {
        paths(&value, "", &mut printed);
    }
    assert_eq!(printed, documented_fields("msgbridge.inspect/1"));
}

/// A wasmcloud guest importing a `wasi:keyvalue/store` of the wrong shape (a type
/// mismatch) and an interface nobody serves (missing).
const MISFIT: msgbridge_test_shapes::Shape = msgbridge_test_shapes::Shape {
    name: "misfit",
    wit: r#"
package test:misfit;

package wasi:keyvalue@0.2.0-draft {
  interface store {
    get: func(key: string) -> option<list<u8>>;
  }
}

package acme:ledger@1.0.0 {
  interface entries {
    append: func(line: string);
  }
}

world guest {
  import wasi:keyvalue/store@0.2.0-draft;
  import acme:ledger/entries@1.0.0;
}
"#,
};

#[test]
fn the_check_schema_table_lists_every_field_printed() {
    let mut printed = BTreeSet::new();
    for value in [
        json(
            &[
                "check",
                artifacts::WASI_PROBE_PATH,
                "--host",
                "wasmcloud-v2",
                "--json",
            ],
            b"",
        ),
        json(
            &["check", "-", "--host", "wasmcloud-v2", "--json"],
            &MISFIT.component(),
        ),
        json(
            &["check", "-", "--host", "reference", "--json"],
            &msgbridge_test_shapes::OMNIA_ASYNC.component(),
        ),
    ] {
        paths(&value, "", &mut printed);
    }
    let documented = documented_fields("msgbridge.check/1");
    let undocumented: Vec<_> = printed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "printed but not documented: {undocumented:?}"
    );
    // Fields of statuses these samples do not reach are documented from the types; the
    // rest must all be printed.
    let status_specific = ["exports[].expected", "exports[].reason", "exports[].advice"];
    let unprinted: Vec<_> = documented
        .difference(&printed)
        .filter(|f| !status_specific.contains(&f.as_str()))
        .collect();
    assert!(
        unprinted.is_empty(),
        "documented but never printed: {unprinted:?}"
    );
}

/// The `adapters --list` output captured in docs/cli.md is what the command prints now
/// (it changes whenever an adapter is rebuilt).
#[test]
fn the_captured_adapters_list_is_current() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/cli.md"))
        .expect("docs/cli.md");
    let captured: Vec<&str> = doc
        .lines()
        .skip_while(|l| *l != "$ msgbridge adapters --list")
        .skip(1)
        .take_while(|l| !l.starts_with('$') && !l.starts_with("```"))
        .collect();
    assert!(
        !captured.is_empty(),
        "docs/cli.md has no `$ msgbridge adapters --list` block"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_msgbridge"))
        .args(["adapters", "--list"])
        .output()
        .expect("msgbridge runs");
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).expect("UTF-8");
    assert_eq!(
        captured,
        printed.lines().collect::<Vec<_>>(),
        "docs/cli.md's `adapters --list` block is stale; paste the command's output"
    );
}
