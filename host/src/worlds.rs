//! Which messaging worlds a host serves.

use std::fmt;
use std::str::FromStr;

/// The `wasmcloud:messaging` package version this host serves.
pub const WASMCLOUD_MESSAGING: &str = "wasmcloud:messaging@0.2.0";
/// The `wasi:messaging` package version this host serves.
pub const WASI_MESSAGING: &str = "wasi:messaging@0.2.0-draft";

/// Which messaging worlds a host serves: `wasmcloud:messaging@0.2.0`,
/// `wasi:messaging@0.2.0-draft`, or both (the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Worlds {
    /// Only `wasmcloud:messaging@0.2.0`, as wasmCloud v2 does.
    Wasmcloud,
    /// Only `wasi:messaging@0.2.0-draft`.
    Wasi,
    /// Both worlds.
    #[default]
    Both,
}

impl Worlds {
    /// Every value, in the order `wasmcloud`, `wasi`, `both`.
    pub const ALL: [Worlds; 3] = [Worlds::Wasmcloud, Worlds::Wasi, Worlds::Both];

    /// Whether `wasmcloud:messaging@0.2.0` is served.
    pub fn serves_wasmcloud(self) -> bool {
        matches!(self, Worlds::Wasmcloud | Worlds::Both)
    }

    /// Whether `wasi:messaging@0.2.0-draft` is served.
    pub fn serves_wasi(self) -> bool {
        matches!(self, Worlds::Wasi | Worlds::Both)
    }

    /// The lowercase name used on the command line: `wasmcloud`, `wasi` or `both`.
    pub fn name(self) -> &'static str {
        match self {
            Worlds::Wasmcloud => "wasmcloud",
            Worlds::Wasi => "wasi",
            Worlds::Both => "both",
        }
    }

    /// The packages served, for error messages: e.g. `wasmcloud:messaging@0.2.0`.
    pub fn served_packages(self) -> String {
        match self {
            Worlds::Wasmcloud => WASMCLOUD_MESSAGING.to_string(),
            Worlds::Wasi => WASI_MESSAGING.to_string(),
            Worlds::Both => format!("{WASMCLOUD_MESSAGING}, {WASI_MESSAGING}"),
        }
    }
}

impl fmt::Display for Worlds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for a string that names no [`Worlds`] value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown worlds {0:?}: expected wasmcloud, wasi or both")]
pub struct ParseWorldsError(pub String);

impl FromStr for Worlds {
    type Err = ParseWorldsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wasmcloud" => Ok(Worlds::Wasmcloud),
            "wasi" => Ok(Worlds::Wasi),
            "both" => Ok(Worlds::Both),
            _ => Err(ParseWorldsError(s.to_string())),
        }
    }
}
