//! The structural check and the doc-comment check that `msgbridge-wit-check` runs against
//! the upstream texts in CI, exercised here on copies of the repository's own `wit/deps/`
//! and `wit/async/` (so a plain clone needs no reference directory): identical trees pass,
//! a changed signature (an `async` dropped, too), a missing package and a copied doc line
//! are each reported.

use std::path::{Path, PathBuf};

use msgbridge_wit::{copied_doc_lines, doc_lines, resolve, structural_differences, Difference};

fn ours() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit/deps")
}

fn ours_async() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit/async")
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

/// A copy of `wit/deps` with every doc comment replaced, standing in for the upstream
/// texts (same structure, other words).
fn reference_like_upstream() -> tempfile::TempDir {
    reference_like(&ours())
}

/// A copy of `tree` with every doc comment replaced.
fn reference_like(tree: &Path) -> tempfile::TempDir {
    let scratch = tempfile::tempdir().unwrap();
    copy_dir(tree, scratch.path());
    let mut stack = vec![scratch.path().to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            let text = std::fs::read_to_string(&path).unwrap();
            let rewritten: Vec<String> = text
                .lines()
                .map(|line| match line.split_once("///") {
                    Some((indent, _)) => format!("{indent}/// upstream words"),
                    None => line.to_string(),
                })
                .collect();
            std::fs::write(&path, rewritten.join("\n")).unwrap();
        }
    }
    scratch
}

#[test]
fn identical_structures_pass_both_checks() {
    let reference = reference_like_upstream();
    let differences = structural_differences(&ours(), reference.path()).expect("both parse");
    assert!(differences.is_empty(), "{differences:#?}");
    assert_eq!(
        copied_doc_lines(&ours(), reference.path()).unwrap(),
        Vec::<String>::new()
    );
    assert!(
        doc_lines(&ours()).unwrap().len() > 20,
        "our packages are documented"
    );
}

#[test]
fn a_copied_doc_line_is_reported() {
    let reference = reference_like_upstream();
    let line = doc_lines(&ours()).unwrap().into_iter().next().unwrap();
    let file = reference
        .path()
        .join("wasmcloud-messaging-0.2.0/package.wit");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("/// {line}\n{text}")).unwrap();
    assert_eq!(copied_doc_lines(&ours(), reference.path()).unwrap(), [line]);
}

#[test]
fn a_changed_signature_is_reported() {
    let reference = reference_like_upstream();
    let scratch = tempfile::tempdir().unwrap();
    copy_dir(&ours(), scratch.path());
    let file = scratch.path().join("wasmcloud-messaging-0.2.0/package.wit");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("timeout-ms: u32", "timeout-ms: u64")).unwrap();

    let differences = structural_differences(scratch.path(), reference.path()).unwrap();
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
    let reference = reference_like_upstream();
    let scratch = tempfile::tempdir().unwrap();
    copy_dir(&ours(), scratch.path());
    std::fs::remove_dir_all(scratch.path().join("wasi-config-0.2.0-rc.1")).unwrap();
    let differences = structural_differences(scratch.path(), reference.path()).unwrap();
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

#[test]
fn every_package_encodes_as_a_binary_wit_package_that_decodes_back() {
    let packages = msgbridge_wit::binary_packages().expect("the packages encode");
    let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "wasi:config@0.2.0-rc.1",
            "wasmcloud:messaging@0.2.0",
            "wasi:messaging@0.2.0-draft",
            "msgbridge:bridge@0.1.0"
        ]
    );
    for package in &packages {
        match wit_parser::decoding::decode(&package.bytes).expect("decodes") {
            wit_parser::decoding::DecodedWasm::WitPackage(resolve, id) => {
                assert_eq!(resolve.packages[id].name.to_string(), package.name);
            }
            _ => panic!("{} is not a WIT package", package.name),
        }
        assert!(!package.file_name.contains(':'), "{}", package.file_name);
    }
}

#[test]
fn the_async_tree_passes_both_checks_against_a_reference_like_it() {
    let reference = reference_like(&ours_async());
    let differences = structural_differences(&ours_async(), reference.path()).expect("parses");
    assert!(differences.is_empty(), "{differences:#?}");
    assert_eq!(
        copied_doc_lines(&ours_async(), reference.path()).unwrap(),
        Vec::<String>::new()
    );
    assert!(
        doc_lines(&ours_async()).unwrap().len() > 20,
        "the async packages are documented"
    );
}

#[test]
fn a_dropped_async_is_a_structural_difference() {
    let reference = reference_like(&ours_async());
    let scratch = tempfile::tempdir().unwrap();
    copy_dir(&ours_async(), scratch.path());
    let file = scratch.path().join("omnia-wasi-messaging/messaging.wit");
    let text = std::fs::read_to_string(&file).unwrap();
    let synchronous = text.replace("handle: async func", "handle: func");
    assert_ne!(synchronous, text);
    std::fs::write(&file, synchronous).unwrap();

    let differences = structural_differences(scratch.path(), reference.path()).unwrap();
    assert_eq!(differences.len(), 1, "{differences:#?}");
    match &differences[0] {
        Difference::Item {
            dir,
            reference,
            ours,
        } => {
            assert_eq!(dir, "omnia-wasi-messaging");
            assert!(reference.contains("handle: async func"), "{reference}");
            assert!(ours.contains("handle: func"), "{ours}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_doc_line_copied_into_the_async_tree_is_reported() {
    let reference = reference_like(&ours_async());
    let line = doc_lines(&ours_async())
        .unwrap()
        .into_iter()
        .next_back()
        .unwrap();
    let file = reference
        .path()
        .join("wasmcloud-messaging-0.3.0/package.wit");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("/// {line}\n{text}")).unwrap();
    assert_eq!(
        copied_doc_lines(&ours_async(), reference.path()).unwrap(),
        [line]
    );
}

#[test]
fn the_async_packages_resolve_alone_with_async_functions() {
    let dirs: Vec<&str> = msgbridge_wit::ASYNC.iter().map(|p| p.dir).collect();
    assert_eq!(dirs, ["wasmcloud-messaging-0.3.0", "omnia-wasi-messaging"]);
    let expected = [
        ("wasmcloud:messaging@0.3.0", "handler", "handle-message"),
        ("wasi:messaging@0.2.0-draft", "incoming-handler", "handle"),
    ];
    for (package, (name, interface, function)) in msgbridge_wit::ASYNC.iter().zip(expected) {
        let (resolve, id) = msgbridge_wit::resolve_async(package).expect("resolves");
        assert_eq!(resolve.packages[id].name.to_string(), name);
        let interface = resolve.packages[id].interfaces[interface];
        let function = &resolve.interfaces[interface].functions[function];
        assert!(function.kind.is_async(), "{name}: {function:?}");
    }
}
