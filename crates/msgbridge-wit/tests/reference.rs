//! The bridged packages in `wit/deps/` against the upstream texts in
//! `../shared/wit-reference/` (override with `MSGBRIDGE_WIT_REFERENCE`).

use std::path::{Path, PathBuf};

use msgbridge_wit::{doc_lines, resolve, structural_differences, Difference};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn ours() -> PathBuf {
    repo().join("wit/deps")
}

fn reference() -> PathBuf {
    let dir = std::env::var_os("MSGBRIDGE_WIT_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/wit-reference"));
    assert!(
        dir.is_dir(),
        "the reference WIT is missing at {}: check out shared/ beside the repository \
         or set MSGBRIDGE_WIT_REFERENCE",
        dir.display()
    );
    dir
}

#[test]
fn bridged_packages_are_structurally_identical_to_the_reference() {
    let differences = structural_differences(&ours(), &reference()).expect("both sides parse");
    let report: Vec<String> = differences.iter().map(ToString::to_string).collect();
    assert!(differences.is_empty(), "{}", report.join("\n\n"));
}

#[test]
fn doc_comments_are_msgbridges_own_words() {
    let ours = doc_lines(&ours()).expect("ours readable");
    let upstream = doc_lines(&reference()).expect("reference readable");
    let copied: Vec<&String> = ours.intersection(&upstream).collect();
    assert!(
        copied.is_empty(),
        "doc lines copied from upstream: {copied:#?}"
    );
    assert!(ours.len() > 20, "expected our packages to be documented");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_changed_signature_is_reported() {
    let scratch = tempfile::tempdir().unwrap();
    copy_dir(&ours(), scratch.path());
    let file = scratch.path().join("wasmcloud-messaging-0.2.0/package.wit");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("timeout-ms: u32", "timeout-ms: u64")).unwrap();

    let differences = structural_differences(scratch.path(), &reference()).unwrap();
    assert_eq!(differences.len(), 1, "{differences:#?}");
    match &differences[0] {
        Difference::Item {
            dir,
            reference,
            ours,
        } => {
            assert_eq!(dir, "wasmcloud-messaging-0.2.0");
            assert!(reference.contains("timeout-ms: u32"), "{reference}");
            assert!(ours.contains("timeout-ms: u64"), "{ours}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_missing_package_is_reported() {
    let scratch = tempfile::tempdir().unwrap();
    copy_dir(&ours(), scratch.path());
    std::fs::remove_dir_all(scratch.path().join("wasi-config-0.2.0-rc.1")).unwrap();
    let differences = structural_differences(scratch.path(), &reference()).unwrap();
    assert_eq!(
        differences,
        vec![Difference::MissingPackage {
            dir: "wasi-config-0.2.0-rc.1".into(),
            in_reference_only: true
        }]
    );
}

#[test]
fn embedded_packages_resolve_with_the_four_adapter_worlds() {
    let (resolve, id) = resolve().expect("embedded WIT resolves");
    let mut worlds: Vec<&str> = resolve.packages[id]
        .worlds
        .keys()
        .map(String::as_str)
        .collect();
    worlds.sort();
    assert_eq!(
        worlds,
        [
            "wasi-on-wasmcloud-receiver",
            "wasi-on-wasmcloud-sender",
            "wasmcloud-on-wasi-receiver",
            "wasmcloud-on-wasi-sender"
        ]
    );
}
