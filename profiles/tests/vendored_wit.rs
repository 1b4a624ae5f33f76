//! The generator and the check of the vendored WIT packages under `wit/deps/`.
//!
//! Each vendored package is the upstream text parsed with `wit-parser` and printed back
//! by `wit_component::WitPrinter` with `emit_docs(false)`: names, types and `@since`
//! gates are the upstream ones, no upstream prose is copied. The sources:
//!
//! - `wasi:{io,clocks,random,filesystem,sockets,cli}@0.2.12`: the `wasmtime-wasi` crate
//!   (`src/p2/wit/deps/*.wit`), the WASI 0.2 that wasmtime links;
//! - `wasi:http@0.2.12`: `wasmtime-wasi-http` (`wit/deps/http.wit`);
//! - `wasi:keyvalue@0.2.0-draft`: `wasmtime-wasi-keyvalue` (`wit/deps/keyvalue/`);
//! - `wasi:config@0.2.0-rc.1`: `wasmtime-wasi-config` (`wit/deps/config/`);
//! - `wasi:messaging@0.2.0-draft`, `wasmcloud:messaging@0.2.0`: msgbridge's `wit/deps/`;
//!   `wasmcloud:messaging@0.3.0`: msgbridge's `wit/async/`;
//! - `wasi:blobstore@0.2.0-draft`, `wasi:logging@0.1.0-draft`: no crate on this machine
//!   carries them; the vendored files are their own source (written from the upstream
//!   definitions, see the crate docs) and are only re-printed.
//!
//! The crates are read from the local cargo registry (`$CARGO_HOME/registry/src/*/`), at
//! the versions in [`SOURCES`]. To rewrite the vendored files after bumping a version:
//!
//! ```text
//! MSGBRIDGE_VENDOR_WIT=write cargo test -p msgbridge-profiles --test vendored_wit
//! ```
//!
//! Without that variable the test fails when a vendored file differs from what the
//! generator would write. When a source crate is not in the local registry (it is
//! fetched with the workspace's other crates, e.g. by `cargo fetch`), the comparison with
//! that source is skipped with a note; the vendored files are still checked to be the
//! printer's own output, without doc comments.

use std::path::PathBuf;

use wit_component::WitPrinter;
use wit_parser::{PackageId, Resolve};

/// Where a vendored package comes from.
enum From {
    /// A path inside a crate of the local cargo registry: crate directory name, path.
    Registry(&'static str, &'static str),
    /// A path relative to the workspace root.
    Workspace(&'static str),
    /// The vendored file itself.
    Vendored,
}

/// Every vendored package (its directory under `wit/deps/`) and its source, in an order
/// in which each package's dependencies come first.
const SOURCES: &[(&str, From)] = &[
    (
        "wasi-io-0.2.12",
        From::Registry("wasmtime-wasi-48.0.8", "src/p2/wit/deps/io.wit"),
    ),
    (
        "wasi-clocks-0.2.12",
        From::Registry("wasmtime-wasi-48.0.8", "src/p2/wit/deps/clocks.wit"),
    ),
    (
        "wasi-random-0.2.12",
        From::Registry("wasmtime-wasi-48.0.8", "src/p2/wit/deps/random.wit"),
    ),
    (
        "wasi-filesystem-0.2.12",
        From::Registry("wasmtime-wasi-48.0.8", "src/p2/wit/deps/filesystem.wit"),
    ),
    (
        "wasi-sockets-0.2.12",
        From::Registry("wasmtime-wasi-48.0.8", "src/p2/wit/deps/sockets.wit"),
    ),
    (
        "wasi-cli-0.2.12",
        From::Registry("wasmtime-wasi-48.0.8", "src/p2/wit/deps/cli.wit"),
    ),
    (
        "wasi-http-0.2.12",
        From::Registry("wasmtime-wasi-http-48.0.8", "wit/deps/http.wit"),
    ),
    (
        "wasi-keyvalue-0.2.0-draft",
        From::Registry("wasmtime-wasi-keyvalue-48.0.8", "wit/deps/keyvalue"),
    ),
    (
        "wasi-config-0.2.0-rc.1",
        From::Registry("wasmtime-wasi-config-48.0.8", "wit/deps/config"),
    ),
    (
        "wasi-messaging-0.2.0-draft",
        From::Workspace("wit/deps/wasi-messaging-0.2.0-draft"),
    ),
    (
        "wasmcloud-messaging-0.2.0",
        From::Workspace("wit/deps/wasmcloud-messaging-0.2.0"),
    ),
    (
        "wasmcloud-messaging-0.3.0",
        From::Workspace("wit/async/wasmcloud-messaging-0.3.0"),
    ),
    ("wasi-blobstore-0.2.0-draft", From::Vendored),
    ("wasi-logging-0.1.0-draft", From::Vendored),
];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn vendored_file(dir: &str) -> PathBuf {
    crate_dir().join("wit/deps").join(dir).join("package.wit")
}

/// The registry's source directories (`$CARGO_HOME/registry/src/*/`).
fn registry_dirs() -> Vec<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry/src")) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(&src) else {
        return Vec::new();
    };
    entries.filter_map(|e| e.ok().map(|e| e.path())).collect()
}

/// The source path of a package: a workspace one always, a registry one if it is on this
/// machine.
fn source_path(from: &From, registries: &[PathBuf]) -> Option<PathBuf> {
    match from {
        From::Registry(krate, path) => registries
            .iter()
            .map(|r| r.join(krate).join(path))
            .find(|p| p.exists()),
        // Always there: a missing one fails the comparison rather than skipping it.
        From::Workspace(path) => Some(crate_dir().join("..").join(path)),
        From::Vendored => None,
    }
}

/// The text the printer makes of `package`, without doc comments.
fn print(resolve: &Resolve, package: PackageId) -> String {
    let mut printer = WitPrinter::default();
    printer.emit_docs(false);
    printer
        .print(resolve, package, &[])
        .unwrap_or_else(|e| panic!("printing {}: {e:#}", resolve.packages[package].name));
    printer.output.to_string()
}

/// The directory name a package is vendored under: `ns-name-version`.
fn dir_name(resolve: &Resolve, package: PackageId) -> String {
    let name = &resolve.packages[package].name;
    match &name.version {
        Some(v) => format!("{}-{}-{v}", name.namespace, name.name),
        None => format!("{}-{}", name.namespace, name.name),
    }
}

/// Parses every vendored package (in dependency order) into one resolve.
fn vendored_resolve() -> (Resolve, Vec<PackageId>) {
    let mut resolve = Resolve::default();
    let ids = SOURCES
        .iter()
        .map(|(dir, _)| {
            resolve
                .push_path(vendored_file(dir))
                .unwrap_or_else(|e| panic!("vendored {dir}: {e:#}"))
                .0
        })
        .collect();
    (resolve, ids)
}

#[test]
fn vendored_packages_are_printed_without_docs() {
    let (resolve, ids) = vendored_resolve();
    let write = std::env::var("MSGBRIDGE_VENDOR_WIT").is_ok_and(|v| v == "write");
    for ((dir, _), id) in SOURCES.iter().zip(ids) {
        assert_eq!(dir_name(&resolve, id), *dir, "package name of {dir}");
        let path = vendored_file(dir);
        let text = std::fs::read_to_string(&path).expect("vendored file reads");
        assert!(
            !text.lines().any(|l| l.trim_start().starts_with("///")),
            "{dir} has doc comments"
        );
        let printed = print(&resolve, id);
        if write && printed != text {
            std::fs::write(&path, &printed).expect("vendored file writes");
            continue;
        }
        assert_eq!(
            printed, text,
            "{dir} is not the printer's output; rewrite it with \
             MSGBRIDGE_VENDOR_WIT=write cargo test -p msgbridge-profiles --test vendored_wit"
        );
    }
}

#[test]
fn vendored_packages_match_their_sources() {
    let registries = registry_dirs();
    let write = std::env::var("MSGBRIDGE_VENDOR_WIT").is_ok_and(|v| v == "write");
    let mut resolve = Resolve::default();
    let mut skipped = Vec::new();
    for (dir, from) in SOURCES {
        let path = match source_path(from, &registries) {
            Some(path) => path,
            None => {
                if !matches!(from, From::Vendored) {
                    skipped.push(*dir);
                }
                // Dependencies of later packages must be present: use the vendored text.
                vendored_file(dir)
            }
        };
        let id = resolve
            .push_path(&path)
            .unwrap_or_else(|e| panic!("source of {dir} ({}): {e:#}", path.display()))
            .0;
        assert_eq!(dir_name(&resolve, id), *dir, "{}", path.display());
        let printed = print(&resolve, id);
        let vendored = vendored_file(dir);
        let current = std::fs::read_to_string(&vendored).unwrap_or_default();
        if printed == current {
            continue;
        }
        if write {
            std::fs::create_dir_all(vendored.parent().expect("has a parent"))
                .expect("vendored directory is created");
            std::fs::write(&vendored, &printed).expect("vendored file writes");
            eprintln!("rewrote {}", vendored.display());
        } else {
            panic!(
                "{dir} differs from its source {}; rewrite it with \
                 MSGBRIDGE_VENDOR_WIT=write cargo test -p msgbridge-profiles --test vendored_wit",
                path.display()
            );
        }
    }
    if !skipped.is_empty() {
        eprintln!(
            "note: sources not in the local cargo registry, not compared: {}",
            skipped.join(", ")
        );
    }
}

/// The vendored directories are exactly the ones the generator knows.
#[test]
fn no_stray_vendored_packages() {
    let deps = crate_dir().join("wit/deps");
    let mut dirs: Vec<String> = std::fs::read_dir(&deps)
        .expect("wit/deps lists")
        .map(|e| {
            e.expect("entry reads")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    dirs.sort();
    let mut known: Vec<String> = SOURCES.iter().map(|(d, _)| d.to_string()).collect();
    known.sort();
    assert_eq!(dirs, known);
    let embedded: Vec<&str> = msgbridge_profiles::vendored_wit()
        .iter()
        .map(|(dir, _)| *dir)
        .collect();
    let mut embedded: Vec<String> = embedded.iter().map(|d| d.to_string()).collect();
    embedded.sort();
    assert_eq!(embedded, known, "the crate embeds every vendored package");
}
