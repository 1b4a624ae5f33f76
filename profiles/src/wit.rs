//! The embedded WIT: msgbridge's profile worlds (`wit/profiles.wit`) and the packages they
//! name, vendored under `wit/deps/` without doc comments (`tests/vendored_wit.rs` writes
//! and checks them).

use std::path::Path;

use wit_parser::{PackageId, Resolve, SourceMap, UnresolvedPackageGroup};

macro_rules! dep {
    ($dir:literal) => {
        (
            $dir,
            include_str!(concat!("../wit/deps/", $dir, "/package.wit")),
        )
    };
}

/// The vendored packages: directory name under `wit/deps/` and text.
pub(crate) const DEPS: &[(&str, &str)] = &[
    dep!("wasi-io-0.2.12"),
    dep!("wasi-clocks-0.2.12"),
    dep!("wasi-random-0.2.12"),
    dep!("wasi-filesystem-0.2.12"),
    dep!("wasi-sockets-0.2.12"),
    dep!("wasi-cli-0.2.12"),
    dep!("wasi-http-0.2.12"),
    dep!("wasi-keyvalue-0.2.0-draft"),
    dep!("wasi-config-0.2.0-rc.1"),
    dep!("wasi-messaging-0.2.0-draft"),
    dep!("wasmcloud-messaging-0.2.0"),
    dep!("wasmcloud-messaging-0.3.0"),
    dep!("wasi-blobstore-0.2.0-draft"),
    dep!("wasi-logging-0.1.0-draft"),
];

/// msgbridge's package of profile worlds, `msgbridge:profiles@0.1.0`.
pub(crate) const PROFILES: &str = include_str!("../wit/profiles.wit");

/// A failure to parse an embedded text: which one, and the parser's message.
#[derive(Debug)]
pub(crate) struct EmbeddedError {
    pub(crate) what: String,
    pub(crate) message: String,
}

fn parse(path: &str, text: &str) -> Result<UnresolvedPackageGroup, EmbeddedError> {
    let mut map = SourceMap::new();
    map.push(Path::new(path), text);
    map.parse().map_err(|(_, e)| EmbeddedError {
        what: path.to_string(),
        message: e.to_string(),
    })
}

/// Every vendored package, parsed (not resolved), in [`DEPS`]' order.
pub(crate) fn deps_groups() -> Result<Vec<UnresolvedPackageGroup>, EmbeddedError> {
    DEPS.iter()
        .map(|(dir, text)| parse(&format!("deps/{dir}/package.wit"), text))
        .collect()
}

/// A resolve holding every vendored package, and their ids.
pub(crate) fn deps_resolve() -> Result<(Resolve, Vec<PackageId>), EmbeddedError> {
    let mut resolve = Resolve::default();
    let mut ids = Vec::new();
    for ((dir, _), group) in DEPS.iter().zip(deps_groups()?) {
        let id = resolve.push_group(group).map_err(|e| EmbeddedError {
            what: format!("deps/{dir}"),
            message: e.to_string(),
        })?;
        ids.push(id);
    }
    Ok((resolve, ids))
}

/// A resolve holding every vendored package and the profiles package; returns the latter's
/// id.
pub(crate) fn profiles_resolve() -> Result<(Resolve, PackageId), EmbeddedError> {
    let (mut resolve, _) = deps_resolve()?;
    let group = parse("profiles.wit", PROFILES)?;
    let id = resolve.push_group(group).map_err(|e| EmbeddedError {
        what: "profiles.wit".to_string(),
        message: e.to_string(),
    })?;
    Ok((resolve, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_packages_parse_and_are_printed_without_docs() {
        let (resolve, ids) = deps_resolve().expect("vendored packages parse");
        for ((dir, text), id) in DEPS.iter().zip(ids) {
            let mut printer = wit_component::WitPrinter::default();
            printer.emit_docs(false);
            printer.print(&resolve, id, &[]).expect("prints");
            assert_eq!(printer.output.to_string(), *text, "{dir}");
        }
        let (resolve, id) = profiles_resolve().expect("profiles parse");
        let names: Vec<&str> = resolve.packages[id]
            .worlds
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            names,
            ["wasmcloud-v2", "wasmcloud-v2-8", "wasi", "reference"]
        );
    }
}
