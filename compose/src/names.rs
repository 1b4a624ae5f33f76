//! The two messaging worlds and their interface names.

use std::fmt;
use std::str::FromStr;

/// A messaging world a guest speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum World {
    /// `wasi:messaging@0.2.0-draft`.
    Wasi,
    /// `wasmcloud:messaging@0.2.0`.
    Wasmcloud,
}

/// The host world a composition targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// A host serving `wasmcloud:messaging@0.2.0` (wasmCloud v2).
    Wasmcloud,
    /// A host serving `wasi:messaging@0.2.0-draft`.
    Wasi,
}

/// `wasi:messaging` package id without version.
pub(crate) const WASI_PACKAGE: &str = "wasi:messaging";
/// The bridged `wasi:messaging` version.
pub(crate) const WASI_VERSION: &str = "0.2.0-draft";
/// `wasmcloud:messaging` package id without version.
pub(crate) const WASMCLOUD_PACKAGE: &str = "wasmcloud:messaging";
/// The bridged `wasmcloud:messaging` version.
pub(crate) const WASMCLOUD_VERSION: &str = "0.2.0";

impl World {
    /// The package and version, e.g. `wasi:messaging@0.2.0-draft`.
    pub fn package(self) -> &'static str {
        match self {
            World::Wasi => "wasi:messaging@0.2.0-draft",
            World::Wasmcloud => "wasmcloud:messaging@0.2.0",
        }
    }

    /// The interface a guest of this world exports to receive messages.
    pub fn handler_interface(self) -> &'static str {
        match self {
            World::Wasi => "wasi:messaging/incoming-handler@0.2.0-draft",
            World::Wasmcloud => "wasmcloud:messaging/handler@0.2.0",
        }
    }

    /// The host that serves this world natively.
    pub fn served_by(self) -> Target {
        match self {
            World::Wasi => Target::Wasi,
            World::Wasmcloud => Target::Wasmcloud,
        }
    }

    /// Whether `interface` (a full name such as `wasi:messaging/types@0.2.0-draft`)
    /// belongs to this world's package.
    pub fn owns(self, interface: &str) -> bool {
        let (package, version) = match self {
            World::Wasi => (WASI_PACKAGE, WASI_VERSION),
            World::Wasmcloud => (WASMCLOUD_PACKAGE, WASMCLOUD_VERSION),
        };
        interface
            .strip_prefix(package)
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| rest.rsplit_once('@'))
            .is_some_and(|(_, v)| v == version)
    }
}

impl Target {
    /// The world this host serves.
    pub fn world(self) -> World {
        match self {
            Target::Wasi => World::Wasi,
            Target::Wasmcloud => World::Wasmcloud,
        }
    }

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Wasi => "wasi",
            Target::Wasmcloud => "wasmcloud",
        }
    }
}

impl fmt::Display for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.package())
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "wasi" => Ok(Target::Wasi),
            "wasmcloud" => Ok(Target::Wasmcloud),
            other => Err(format!(
                "unknown target `{other}`: use `wasmcloud` or `wasi`"
            )),
        }
    }
}
