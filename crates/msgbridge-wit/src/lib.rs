//! msgbridge's WIT, embedded.
//!
//! The bridged packages live in the repository's `wit/deps/` (the layout `wkg wit fetch`
//! produces) and msgbridge's own package, with the adapter worlds and the private interfaces
//! between adapter halves, in `wit/msgbridge.wit`. This crate embeds those texts so that
//! tools (the composer's shape checks, the host) parse the same WIT the adapters were built
//! from, and provides [`structural_differences`] and [`copied_doc_lines`], with which CI
//! (`msgbridge-wit-check ../shared/wit-reference ../shared/wit-async`) proves the bridged
//! packages have exactly the names and signatures of the upstream texts while their doc
//! comments are msgbridge's own.
//!
//! The async packages ([`ASYNC`]: wasmCloud v2.8's `wasmcloud:messaging@0.3.0` and Omnia's
//! async `wasi:messaging@0.2.0-draft`) live apart, one directory each under `wit/async/`:
//! Omnia's has the same name and version as the synchronous draft, and `wit/deps/` is what
//! every binding generator of the project (wit-bindgen, wasmtime's `bindgen!`) resolves, so
//! neither can sit there. Each is parsed into a [`Resolve`] of its own ([`resolve_async`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use wit_parser::{PackageId, Resolve, SourceMap};

/// Errors from parsing WIT.
#[derive(Debug, thiserror::Error)]
pub enum WitError {
    /// A package failed to parse or resolve.
    #[error("WIT package {package}: {message}")]
    Parse {
        /// Which package (directory or file name).
        package: String,
        /// The parser's message.
        message: String,
    },
    /// A directory could not be listed.
    #[error("reading {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// One embedded WIT package: a name for messages and its files (path, contents).
pub struct EmbeddedPackage {
    /// The package's directory name under `wit/deps/`, or `msgbridge` for the root package.
    pub dir: &'static str,
    /// Its files: name and text.
    pub files: &'static [(&'static str, &'static str)],
}

macro_rules! wit_file {
    ($path:literal) => {
        ($path, include_str!(concat!("../wit/", $path)))
    };
}

/// The bridged packages, in dependency order.
pub const BRIDGED: &[EmbeddedPackage] = &[
    EmbeddedPackage {
        dir: "wasi-config-0.2.0-rc.1",
        files: &[wit_file!("deps/wasi-config-0.2.0-rc.1/package.wit")],
    },
    EmbeddedPackage {
        dir: "wasmcloud-messaging-0.2.0",
        files: &[wit_file!("deps/wasmcloud-messaging-0.2.0/package.wit")],
    },
    EmbeddedPackage {
        dir: "wasi-messaging-0.2.0-draft",
        files: &[
            wit_file!("deps/wasi-messaging-0.2.0-draft/messaging.wit"),
            wit_file!("deps/wasi-messaging-0.2.0-draft/types.wit"),
            wit_file!("deps/wasi-messaging-0.2.0-draft/producer.wit"),
            wit_file!("deps/wasi-messaging-0.2.0-draft/request-reply.wit"),
            wit_file!("deps/wasi-messaging-0.2.0-draft/guest.wit"),
        ],
    },
];

/// The async packages, one directory each under `wit/async/`, named as their reference
/// directories: `wasmcloud-messaging-0.3.0` (wasmCloud v2.8) and `omnia-wasi-messaging`
/// (Omnia's async variant of the draft). They need nothing else to resolve.
pub const ASYNC: &[EmbeddedPackage] = &[
    EmbeddedPackage {
        dir: "wasmcloud-messaging-0.3.0",
        files: &[wit_file!("async/wasmcloud-messaging-0.3.0/package.wit")],
    },
    EmbeddedPackage {
        dir: "omnia-wasi-messaging",
        files: &[wit_file!("async/omnia-wasi-messaging/messaging.wit")],
    },
];

/// msgbridge's own package: adapter worlds and private interfaces.
pub const MSGBRIDGE: EmbeddedPackage = EmbeddedPackage {
    dir: "msgbridge",
    files: &[wit_file!("msgbridge.wit")],
};

fn push_embedded(resolve: &mut Resolve, package: &EmbeddedPackage) -> Result<PackageId, WitError> {
    let mut map = SourceMap::new();
    for (path, text) in package.files {
        map.push(Path::new(path), *text);
    }
    let parse_error = |message: String| WitError::Parse {
        package: package.dir.to_string(),
        message,
    };
    let group = map.parse().map_err(|(_, e)| parse_error(e.to_string()))?;
    resolve
        .push_group(group)
        .map_err(|e| parse_error(format!("{e:#}")))
}

/// Parses every embedded package into one [`Resolve`]; returns it with msgbridge's package.
pub fn resolve() -> Result<(Resolve, PackageId), WitError> {
    let mut resolve = Resolve::default();
    for package in BRIDGED {
        push_embedded(&mut resolve, package)?;
    }
    let id = push_embedded(&mut resolve, &MSGBRIDGE)?;
    Ok((resolve, id))
}

/// Parses one of the [`ASYNC`] packages into a [`Resolve`] of its own; returns it with the
/// package's id.
pub fn resolve_async(package: &EmbeddedPackage) -> Result<(Resolve, PackageId), WitError> {
    let mut resolve = Resolve::default();
    let id = push_embedded(&mut resolve, package)?;
    Ok((resolve, id))
}

/// One WIT package encoded as a binary WIT package (a `.wasm` file, as `wkg wit build`
/// or `wasm-tools component wit --wasm` writes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryPackage {
    /// The package's name, e.g. `msgbridge:bridge@0.1.0`.
    pub name: String,
    /// A file name for it: the name with `:` and `@` replaced, e.g.
    /// `msgbridge-bridge-0.1.0.wasm`.
    pub file_name: String,
    /// The encoded package.
    pub bytes: Vec<u8>,
}

/// Every embedded package (the bridged ones and msgbridge's own) as a binary WIT package.
pub fn binary_packages() -> Result<Vec<BinaryPackage>, WitError> {
    let (resolve, _) = self::resolve()?;
    let mut out = Vec::new();
    for (id, package) in resolve.packages.iter() {
        let name = package.name.to_string();
        let bytes = wit_component::encode(&resolve, id).map_err(|e| WitError::Parse {
            package: name.clone(),
            message: format!("encoding: {e:#}"),
        })?;
        let file_name = format!("{}.wasm", name.replace([':', '@'], "-"));
        out.push(BinaryPackage {
            name,
            file_name,
            bytes,
        });
    }
    Ok(out)
}

/// One way in which a package directory differs from its reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// A package directory exists on one side only.
    MissingPackage {
        /// Directory name.
        dir: String,
        /// `true` when the reference has it and ours does not.
        in_reference_only: bool,
    },
    /// A top-level item (interface or world, printed without docs) differs.
    Item {
        /// Directory name.
        dir: String,
        /// The item as the reference has it (empty if absent).
        reference: String,
        /// The item as ours has it (empty if absent).
        ours: String,
    },
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Difference::MissingPackage {
                dir,
                in_reference_only: true,
            } => write!(f, "package {dir}: in the reference, missing from ours"),
            Difference::MissingPackage { dir, .. } => {
                write!(f, "package {dir}: ours has it, the reference does not")
            }
            Difference::Item {
                dir,
                reference,
                ours,
            } => write!(
                f,
                "package {dir}: item differs\n--- reference\n{reference}\n+++ ours\n{ours}"
            ),
        }
    }
}

/// Compares every package directory under `ours` with the one of the same name under
/// `reference`, ignoring doc comments, comments, whitespace and the order of top-level
/// items, and returns the differences (none when structurally identical).
pub fn structural_differences(ours: &Path, reference: &Path) -> Result<Vec<Difference>, WitError> {
    let ours_dirs = package_dirs(ours)?;
    let reference_dirs = package_dirs(reference)?;
    let mut differences = Vec::new();
    for dir in reference_dirs.symmetric_difference(&ours_dirs) {
        differences.push(Difference::MissingPackage {
            dir: dir.clone(),
            in_reference_only: reference_dirs.contains(dir),
        });
    }
    for dir in reference_dirs.intersection(&ours_dirs) {
        let theirs = canonical_items(&reference.join(dir))?;
        let mine = canonical_items(&ours.join(dir))?;
        for item in theirs.symmetric_difference(&mine) {
            let key = item_key(item);
            let pick = |set: &BTreeSet<String>| {
                set.iter()
                    .find(|i| item_key(i) == key)
                    .cloned()
                    .unwrap_or_default()
            };
            let difference = Difference::Item {
                dir: dir.clone(),
                reference: pick(&theirs),
                ours: pick(&mine),
            };
            if !differences.contains(&difference) {
                differences.push(difference);
            }
        }
    }
    Ok(differences)
}

fn package_dirs(root: &Path) -> Result<BTreeSet<String>, WitError> {
    let io = |source| WitError::Io {
        path: root.to_path_buf(),
        source,
    };
    let mut dirs = BTreeSet::new();
    for entry in std::fs::read_dir(root).map_err(io)? {
        let entry = entry.map_err(io)?;
        if entry.file_type().map_err(io)?.is_dir() {
            dirs.insert(entry.file_name().to_string_lossy().into_owned());
        }
    }
    Ok(dirs)
}

/// Parses the package in `dir` and prints it without docs, split into its top-level items
/// (the `package` line, each interface, each world).
fn canonical_items(dir: &Path) -> Result<BTreeSet<String>, WitError> {
    let mut resolve = Resolve::default();
    let (id, _) = resolve.push_dir(dir).map_err(|e| WitError::Parse {
        package: dir.display().to_string(),
        message: format!("{e:#}"),
    })?;
    let mut printer = wit_component::WitPrinter::default();
    printer.emit_docs(false);
    printer
        .print(&resolve, id, &[])
        .map_err(|e| WitError::Parse {
            package: dir.display().to_string(),
            message: format!("printing: {e:#}"),
        })?;
    let text = printer.output.to_string();
    let mut items = BTreeSet::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let top_level = !line.starts_with(' ') && !line.starts_with('}');
        if top_level && !current.is_empty() {
            items.insert(std::mem::take(&mut current));
        }
        current.push_str(line.trim_end());
        current.push('\n');
    }
    if !current.is_empty() {
        items.insert(current);
    }
    Ok(items)
}

/// The first line of an item (`interface types {`), which names it.
fn item_key(item: &str) -> &str {
    item.lines().next().unwrap_or_default()
}

/// The doc-comment lines of `ours` that also appear in `reference`: msgbridge's packages
/// must be documented in its own words, not the upstream text.
pub fn copied_doc_lines(ours: &Path, reference: &Path) -> Result<Vec<String>, WitError> {
    let ours = doc_lines(ours)?;
    let upstream = doc_lines(reference)?;
    Ok(ours.intersection(&upstream).cloned().collect())
}

/// Doc-comment lines (`///`) of every `.wit` file under `dir`, trimmed, for checking that
/// msgbridge's docs are its own words rather than the upstream text.
pub fn doc_lines(dir: &Path) -> Result<BTreeSet<String>, WitError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WitError::Io { path, source }
    };
    let mut lines = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).map_err(io(&path))? {
                stack.push(entry.map_err(io(&path))?.path());
            }
        } else if path.extension().is_some_and(|e| e == "wit") {
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            for line in text.lines() {
                if let Some(doc) = line.trim().strip_prefix("///") {
                    let doc = doc.trim();
                    if !doc.is_empty() {
                        lines.insert(doc.to_string());
                    }
                }
            }
        }
    }
    Ok(lines)
}
