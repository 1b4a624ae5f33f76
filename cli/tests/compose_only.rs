//! The compose-only install (`cargo install msgbridge-cli --no-default-features`) and the
//! build-script path (`msgbridge-compose` alone) leave the reference host out: their normal
//! dependency trees hold no wasmtime, tokio, hyper or NATS client. The compose-only build
//! itself is built and used by `scripts/check-packaged-cli`, which CI runs.

use std::process::Command;

/// The crates that only the reference host needs.
const HOST_ONLY: [&str; 5] = [
    "wasmtime",
    "tokio",
    "hyper",
    "async-nats",
    "cranelift-codegen",
];

/// The names of the crates in `args`' normal dependency tree (`cargo tree -e normal`).
fn normal_tree(args: &[&str]) -> Vec<String> {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--locked",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .args(["--format", "{p}"])
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8(output.stdout).expect("cargo tree prints UTF-8");
    tree.lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Which of [`HOST_ONLY`] `tree` holds.
fn host_crates(tree: &[String]) -> Vec<&'static str> {
    HOST_ONLY
        .into_iter()
        .filter(|c| tree.iter().any(|t| t == c))
        .collect()
}

#[test]
fn the_compose_only_cli_has_no_host_in_its_tree() {
    let tree = normal_tree(&["-p", "msgbridge-cli", "--no-default-features"]);
    assert!(tree.iter().any(|c| c == "msgbridge-compose"), "{tree:?}");
    assert_eq!(host_crates(&tree), Vec::<&str>::new());
}

#[test]
fn the_default_cli_has_the_host() {
    // The check above can fail: with its default features the tree has every one of them.
    let tree = normal_tree(&["-p", "msgbridge-cli"]);
    assert_eq!(host_crates(&tree), HOST_ONLY.to_vec());
}

#[test]
fn the_composer_library_has_no_host_in_its_tree() {
    let tree = normal_tree(&["-p", "msgbridge-compose"]);
    assert!(tree.iter().any(|c| c == "wit-component"), "{tree:?}");
    assert_eq!(host_crates(&tree), Vec::<&str>::new());
}
