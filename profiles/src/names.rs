//! Matching import and export names as wasmtime's linker does.

/// An interface name `ns:pkg/iface[@version]`, split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InterfaceName<'a> {
    /// `ns:pkg`.
    pub(crate) package: &'a str,
    /// `iface`.
    pub(crate) interface: &'a str,
    /// `version`, if any.
    pub(crate) version: Option<&'a str>,
}

impl<'a> InterfaceName<'a> {
    /// Splits `name`; `None` for a plain name (a function, a type, an unqualified
    /// interface).
    pub(crate) fn parse(name: &'a str) -> Option<Self> {
        let (path, version) = match name.rsplit_once('@') {
            Some((path, version)) if !version.is_empty() => (path, Some(version)),
            Some(_) => return None,
            None => (name, None),
        };
        let (package, interface) = path.split_once('/')?;
        (package.contains(':') && !interface.is_empty()).then_some(InterfaceName {
            package,
            interface,
            version,
        })
    }

    /// `ns:pkg@version` (or `ns:pkg`).
    pub(crate) fn package_with_version(&self) -> String {
        match self.version {
            Some(v) => format!("{}@{v}", self.package),
            None => self.package.to_string(),
        }
    }
}

/// Whether an item named `provided` satisfies one named `wanted`: the same name, or the
/// same interface at a semver-compatible version (one rule with msgbridge's messaging
/// names: [`msgbridge_worlds::versions_compatible`]).
pub fn compatible(provided: &str, wanted: &str) -> bool {
    if provided == wanted {
        return true;
    }
    match (InterfaceName::parse(provided), InterfaceName::parse(wanted)) {
        (Some(p), Some(w)) => {
            p.package == w.package
                && p.interface == w.interface
                && match (p.version, w.version) {
                    (Some(a), Some(b)) => msgbridge_worlds::versions_compatible(a, b),
                    (None, None) => true,
                    _ => false,
                }
        }
        _ => false,
    }
}

/// The name among `candidates` that satisfies `wanted`: the same name if present, else the
/// first semver-compatible one.
pub(crate) fn best_match<'a>(
    candidates: impl Iterator<Item = &'a str> + Clone,
    wanted: &str,
) -> Option<&'a str> {
    candidates
        .clone()
        .find(|c| *c == wanted)
        .or_else(|| candidates.into_iter().find(|c| compatible(c, wanted)))
}

/// The names among `candidates` of the same interface as `wanted`, at any version.
pub(crate) fn same_interface<'a>(
    candidates: impl Iterator<Item = &'a str>,
    wanted: &str,
) -> Vec<&'a str> {
    let Some(w) = InterfaceName::parse(wanted) else {
        return Vec::new();
    };
    candidates
        .filter(|c| {
            InterfaceName::parse(c)
                .is_some_and(|c| c.package == w.package && c.interface == w.interface)
        })
        .collect()
}

/// The names among `candidates` of the same package as `wanted`, at any version.
pub(crate) fn same_package<'a>(
    candidates: impl Iterator<Item = &'a str>,
    wanted: &str,
) -> Vec<&'a str> {
    let Some(w) = InterfaceName::parse(wanted) else {
        return Vec::new();
    };
    candidates
        .filter(|c| InterfaceName::parse(c).is_some_and(|c| c.package == w.package))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split() {
        let n = InterfaceName::parse("wasi:keyvalue/store@0.2.0-draft").expect("parses");
        assert_eq!(n.package, "wasi:keyvalue");
        assert_eq!(n.interface, "store");
        assert_eq!(n.version, Some("0.2.0-draft"));
        assert_eq!(n.package_with_version(), "wasi:keyvalue@0.2.0-draft");
        let n = InterfaceName::parse("wasi:keyvalue/store").expect("parses");
        assert_eq!(n.version, None);
        assert_eq!(InterfaceName::parse("get"), None);
        assert_eq!(InterfaceName::parse("a/b"), None);
        assert_eq!(InterfaceName::parse("wasi:io/streams@"), None);
    }

    #[test]
    fn compatibility_is_wasmtimes() {
        assert!(compatible(
            "wasi:io/streams@0.2.12",
            "wasi:io/streams@0.2.0"
        ));
        assert!(compatible(
            "wasi:io/streams@0.2.0",
            "wasi:io/streams@0.2.12"
        ));
        assert!(!compatible(
            "wasi:io/streams@0.2.12",
            "wasi:io/streams@0.3.0"
        ));
        assert!(!compatible("wasi:io/streams@0.2.12", "wasi:io/poll@0.2.12"));
        assert!(!compatible(
            "wasi:io/streams@0.2.12",
            "wasi:cli/streams@0.2.12"
        ));
        assert!(compatible(
            "wasmcloud:messaging/consumer@0.2.0",
            "wasmcloud:messaging/consumer@0.2.1"
        ));
        assert!(!compatible(
            "wasi:messaging/producer@0.2.0-draft",
            "wasi:messaging/producer@0.2.0"
        ));
        assert!(!compatible(
            "wasi:config/store@0.2.0-rc.1",
            "wasi:config/store@0.2.0"
        ));
        assert!(compatible("wasi:config/store", "wasi:config/store"));
        assert!(!compatible("wasi:config/store", "wasi:config/store@0.2.0"));
        assert!(compatible("get", "get"));
        assert!(!compatible("get", "set"));
    }

    #[test]
    fn exact_names_win() {
        let names = ["wasi:io/streams@0.2.0", "wasi:io/streams@0.2.3"];
        assert_eq!(
            best_match(names.iter().copied(), "wasi:io/streams@0.2.3"),
            Some("wasi:io/streams@0.2.3")
        );
        assert_eq!(
            best_match(names.iter().copied(), "wasi:io/streams@0.2.9"),
            Some("wasi:io/streams@0.2.0")
        );
        assert_eq!(
            best_match(names.iter().copied(), "wasi:io/poll@0.2.0"),
            None
        );
    }
}
