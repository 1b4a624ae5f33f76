//! msgbridge's vocabulary, defined once for every crate of the project, the adapters
//! included (it is `no_std` and allocation-free, so it builds for `wasm32-unknown-unknown`).
//!
//! - [`World`]: the two messaging worlds msgbridge bridges, `wasi:messaging@0.2.0-draft`
//!   and `wasmcloud:messaging@0.2.0`, with their interface names and the rule deciding
//!   whether an interface name belongs to one ([`World::owns`], semver-compatible as
//!   wasmtime links).
//! - [`Direction`]: a guest of one world on a host of the other.
//! - [`Hosted`]: the worlds a host serves, one or both.
//! - [`client_name`]: where the name the wasmcloud-on-wasi adapter passes to
//!   `client.connect` lives (a data slot in the portable sender, globals in the spliced
//!   bridge), which the composer rewrites.
//! - [`bridge`]: the core names a spliced bridge module and the composer agree on.
//! - [`require_component`]: whether an input's header is a component's, or why not (not
//!   WebAssembly, a core module, another layer), for the composer's and the check's first
//!   refusal.

#![no_std]

pub mod bridge;
pub mod client_name;
mod header;
mod version;

pub use header::{require_component, NotAComponent};

use core::fmt;
use core::str::FromStr;

/// A messaging world a component speaks, or a host serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum World {
    /// `wasi:messaging@0.2.0-draft` (WebAssembly/wasi-messaging 4ee59bb, Dec 2024).
    Wasi,
    /// `wasmcloud:messaging@0.2.0`, the world wasmCloud v2 serves.
    Wasmcloud,
}

impl World {
    /// Both worlds, wasi first.
    pub const ALL: [World; 2] = [World::Wasi, World::Wasmcloud];

    /// The short name used on command lines and in files: `wasi` or `wasmcloud`.
    pub const fn name(self) -> &'static str {
        match self {
            World::Wasi => "wasi",
            World::Wasmcloud => "wasmcloud",
        }
    }

    /// The package without its version: `wasi:messaging` or `wasmcloud:messaging`.
    pub const fn package_name(self) -> &'static str {
        match self {
            World::Wasi => "wasi:messaging",
            World::Wasmcloud => "wasmcloud:messaging",
        }
    }

    /// The bridged version of the package: `0.2.0-draft` or `0.2.0`.
    pub const fn version(self) -> &'static str {
        match self {
            World::Wasi => "0.2.0-draft",
            World::Wasmcloud => "0.2.0",
        }
    }

    /// The package and its version, e.g. `wasi:messaging@0.2.0-draft`.
    pub const fn package(self) -> &'static str {
        match self {
            World::Wasi => "wasi:messaging@0.2.0-draft",
            World::Wasmcloud => "wasmcloud:messaging@0.2.0",
        }
    }

    /// The other world.
    pub const fn other(self) -> World {
        match self {
            World::Wasi => World::Wasmcloud,
            World::Wasmcloud => World::Wasi,
        }
    }

    /// Every interface of the bridged package, by full name.
    pub const fn interfaces(self) -> &'static [&'static str] {
        match self {
            World::Wasi => &[
                WASI_TYPES,
                WASI_PRODUCER,
                WASI_REQUEST_REPLY,
                WASI_INCOMING_HANDLER,
            ],
            World::Wasmcloud => &[WASMCLOUD_TYPES, WASMCLOUD_CONSUMER, WASMCLOUD_HANDLER],
        }
    }

    /// The interfaces a guest of this world imports to send messages (a host of it serves
    /// them), by full name.
    pub const fn guest_imports(self) -> &'static [&'static str] {
        match self {
            World::Wasi => &[WASI_TYPES, WASI_PRODUCER, WASI_REQUEST_REPLY],
            World::Wasmcloud => &[WASMCLOUD_TYPES, WASMCLOUD_CONSUMER],
        }
    }

    /// The interface of this world that only defines types (and, for wasi, the `client`
    /// and `message` resources); the others `use` it.
    pub const fn types_interface(self) -> &'static str {
        match self {
            World::Wasi => WASI_TYPES,
            World::Wasmcloud => WASMCLOUD_TYPES,
        }
    }

    /// The interface a guest of this world exports to receive messages.
    pub const fn handler_interface(self) -> &'static str {
        match self {
            World::Wasi => WASI_INCOMING_HANDLER,
            World::Wasmcloud => WASMCLOUD_HANDLER,
        }
    }

    /// The function of [`World::handler_interface`] that a host calls per message.
    pub const fn handler_function(self) -> &'static str {
        match self {
            World::Wasi => "handle",
            World::Wasmcloud => "handle-message",
        }
    }

    /// The bridged interface `name` names, if it belongs to this world: the full name of
    /// the bridged interface with the same package and interface name, whose version is
    /// semver-compatible with the bridged one (`wasmcloud:messaging/consumer@0.2.1` gives
    /// `wasmcloud:messaging/consumer@0.2.0`; a `-draft` pre-release matches only itself).
    pub fn interface(self, name: &str) -> Option<&'static str> {
        let (package, interface, version) = split_interface_name(name)?;
        if package != self.package_name() || !version::compatible(self.version(), version) {
            return None;
        }
        self.interfaces()
            .iter()
            .copied()
            .find(|full| split_interface_name(full).is_some_and(|(_, i, _)| i == interface))
    }

    /// Whether the interface `name` (e.g. `wasi:messaging/types@0.2.0-draft`) is of this
    /// world's package at a version compatible with the bridged one, whatever the
    /// interface is called. Look-alike texts of the same package and version (older
    /// drafts) are owned too; telling them apart is the composer's job.
    pub fn owns(self, name: &str) -> bool {
        split_interface_name(name).is_some_and(|(package, _, version)| {
            package == self.package_name() && version::compatible(self.version(), version)
        })
    }

    /// Whether `name` names an interface of this world's package, at any version.
    pub fn owns_package_of(self, name: &str) -> bool {
        split_interface_name(name).is_some_and(|(package, _, _)| package == self.package_name())
    }

    /// The world owning the interface `name`, if either does (see [`World::owns`]).
    pub fn owning(name: &str) -> Option<World> {
        World::ALL.into_iter().find(|w| w.owns(name))
    }
}

/// `wasi:messaging/types@0.2.0-draft`.
pub const WASI_TYPES: &str = "wasi:messaging/types@0.2.0-draft";
/// `wasi:messaging/producer@0.2.0-draft`.
pub const WASI_PRODUCER: &str = "wasi:messaging/producer@0.2.0-draft";
/// `wasi:messaging/request-reply@0.2.0-draft`.
pub const WASI_REQUEST_REPLY: &str = "wasi:messaging/request-reply@0.2.0-draft";
/// `wasi:messaging/incoming-handler@0.2.0-draft`.
pub const WASI_INCOMING_HANDLER: &str = "wasi:messaging/incoming-handler@0.2.0-draft";
/// `wasmcloud:messaging/types@0.2.0`.
pub const WASMCLOUD_TYPES: &str = "wasmcloud:messaging/types@0.2.0";
/// `wasmcloud:messaging/consumer@0.2.0`.
pub const WASMCLOUD_CONSUMER: &str = "wasmcloud:messaging/consumer@0.2.0";
/// `wasmcloud:messaging/handler@0.2.0`.
pub const WASMCLOUD_HANDLER: &str = "wasmcloud:messaging/handler@0.2.0";

/// msgbridge's own WIT package, which holds the private interfaces between adapter halves;
/// a composed component never imports or exports anything of it.
pub const PRIVATE_PACKAGE: &str = "msgbridge:bridge";

/// Whether a component importing (or exporting) an interface at version `candidate` links
/// with one at version `provided`, as wasmtime's linker decides it: equal versions always
/// do; otherwise neither may be a pre-release (`-draft`, `-rc.1` match only themselves),
/// and they must agree on the major version, on the minor one as well for `0.x`, and on
/// everything for `0.0.x` (`0.2.1` links with `0.2.0`; `0.3.0` does not). The rule is
/// symmetric. [`World::interface`] and [`World::owns`] use it for the messaging names;
/// `msgbridge-profiles` for every interface a host profile provides.
pub fn versions_compatible(provided: &str, candidate: &str) -> bool {
    version::compatible(provided, candidate)
}

/// The name under which an interface's semver-compatible versions are one (`a:b/c@0.2.6`
/// and `a:b/c@0.2.12` are both `a:b/c@0.2`), as wasmtime links them and wac-graph merges
/// them; see [`versions_compatible`].
pub fn semver_key(name: &str) -> &str {
    version::key(name)
}

/// Splits `ns:pkg/iface@version` into (`ns:pkg`, `iface`, `version`).
pub fn split_interface_name(name: &str) -> Option<(&str, &str, &str)> {
    let (path, version) = name.rsplit_once('@')?;
    let (package, interface) = path.split_once('/')?;
    (!package.is_empty() && !interface.is_empty() && !version.is_empty())
        .then_some((package, interface, version))
}

impl fmt::Display for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.package())
    }
}

/// A string that names no world, direction or set of worlds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError {
    what: &'static str,
    expected: &'static str,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {}: expected {}", self.what, self.expected)
    }
}

impl core::error::Error for ParseError {}

impl FromStr for World {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        World::ALL
            .into_iter()
            .find(|w| w.name().eq_ignore_ascii_case(s.trim()))
            .ok_or(ParseError {
                what: "world",
                expected: "`wasi` or `wasmcloud`",
            })
    }
}

/// Which way an adapter translates: a guest of one world on a host of the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// A `wasi:messaging` guest on a `wasmcloud:messaging` host.
    WasiOnWasmcloud,
    /// A `wasmcloud:messaging` guest on a `wasi:messaging` host.
    WasmcloudOnWasi,
}

impl Direction {
    /// Both directions.
    pub const ALL: [Direction; 2] = [Direction::WasiOnWasmcloud, Direction::WasmcloudOnWasi];

    /// The direction that runs a guest of `guest` on a host of the other world.
    pub const fn from_guest(guest: World) -> Direction {
        match guest {
            World::Wasi => Direction::WasiOnWasmcloud,
            World::Wasmcloud => Direction::WasmcloudOnWasi,
        }
    }

    /// The guest's world.
    pub const fn guest(self) -> World {
        match self {
            Direction::WasiOnWasmcloud => World::Wasi,
            Direction::WasmcloudOnWasi => World::Wasmcloud,
        }
    }

    /// The host's world.
    pub const fn host(self) -> World {
        self.guest().other()
    }

    /// `wasi-on-wasmcloud` or `wasmcloud-on-wasi`, the prefix of the adapters' file names.
    pub const fn name(self) -> &'static str {
        match self {
            Direction::WasiOnWasmcloud => "wasi-on-wasmcloud",
            Direction::WasmcloudOnWasi => "wasmcloud-on-wasi",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Direction {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Direction::ALL
            .into_iter()
            .find(|d| d.name() == s.trim())
            .ok_or(ParseError {
                what: "direction",
                expected: "`wasi-on-wasmcloud` or `wasmcloud-on-wasi`",
            })
    }
}

/// The messaging worlds a host serves: one of them, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Hosted {
    /// Only this world, as a real host does (wasmCloud v2 serves only
    /// `wasmcloud:messaging@0.2.0`).
    Only(World),
    /// Both worlds (the reference host's default).
    #[default]
    Both,
}

impl Hosted {
    /// Every value: `wasmcloud`, `wasi`, `both`.
    pub const ALL: [Hosted; 3] = [
        Hosted::Only(World::Wasmcloud),
        Hosted::Only(World::Wasi),
        Hosted::Both,
    ];

    /// Whether `world` is served.
    pub const fn serves(self, world: World) -> bool {
        match self {
            Hosted::Both => true,
            Hosted::Only(only) => only as u8 == world as u8,
        }
    }

    /// The name used on command lines: `wasmcloud`, `wasi` or `both`.
    pub const fn name(self) -> &'static str {
        match self {
            Hosted::Only(world) => world.name(),
            Hosted::Both => "both",
        }
    }

    /// The worlds served.
    pub fn worlds(self) -> impl Iterator<Item = World> {
        World::ALL.into_iter().filter(move |w| self.serves(*w))
    }

    /// The packages served, for messages: e.g. `wasmcloud:messaging@0.2.0`, or both
    /// packages separated by `, `.
    pub fn packages(self) -> Packages {
        Packages(self)
    }
}

/// The packages a [`Hosted`] set serves, displayed as a list.
#[derive(Debug, Clone, Copy)]
pub struct Packages(Hosted);

impl fmt::Display for Packages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, world) in self.0.worlds().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(world.package())?;
        }
        Ok(())
    }
}

impl fmt::Display for Hosted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Hosted {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Hosted::ALL
            .into_iter()
            .find(|h| h.name().eq_ignore_ascii_case(s.trim()))
            .ok_or(ParseError {
                what: "worlds",
                expected: "`wasmcloud`, `wasi` or `both`",
            })
    }
}

impl From<World> for Hosted {
    fn from(world: World) -> Self {
        Hosted::Only(world)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for world in World::ALL {
            assert_eq!(world.name().parse::<World>(), Ok(world));
            assert_eq!(Direction::from_guest(world).guest(), world);
            assert_eq!(Direction::from_guest(world).host(), world.other());
        }
        for direction in Direction::ALL {
            assert_eq!(direction.name().parse::<Direction>(), Ok(direction));
        }
        for hosted in Hosted::ALL {
            assert_eq!(hosted.name().parse::<Hosted>(), Ok(hosted));
        }
        assert!("neither".parse::<World>().is_err());
        assert!("neither".parse::<Hosted>().is_err());
        assert_eq!(Hosted::default(), Hosted::Both);
    }

    #[test]
    fn every_interface_is_owned_by_its_world_only() {
        for world in World::ALL {
            for name in world.interfaces() {
                assert!(world.owns(name), "{name}");
                assert!(!world.other().owns(name), "{name}");
                assert_eq!(world.interface(name), Some(*name));
                assert!(name.starts_with(world.package_name()));
                assert!(name.ends_with(world.version()));
            }
            assert!(world.interfaces().contains(&world.handler_interface()));
            assert!(world.guest_imports().contains(&world.types_interface()));
            for name in world.guest_imports() {
                assert!(world.interfaces().contains(name));
            }
        }
    }

    #[test]
    fn semver_compatible_versions_are_owned() {
        let wasmcloud = World::Wasmcloud;
        assert_eq!(
            wasmcloud.interface("wasmcloud:messaging/consumer@0.2.1"),
            Some(WASMCLOUD_CONSUMER)
        );
        assert!(wasmcloud.owns("wasmcloud:messaging/handler@0.2.9"));
        assert!(!wasmcloud.owns("wasmcloud:messaging/consumer@0.3.0"));
        assert!(!wasmcloud.owns("wasmcloud:messaging/consumer@0.2.1-rc.1"));
        assert!(wasmcloud.owns_package_of("wasmcloud:messaging/consumer@0.3.0"));
        assert_eq!(wasmcloud.interface("wasmcloud:messaging/other@0.2.0"), None);
        let wasi = World::Wasi;
        assert!(wasi.owns("wasi:messaging/producer@0.2.0-draft"));
        assert!(!wasi.owns("wasi:messaging/producer@0.2.0"));
        assert!(!wasi.owns("wasi:messaging/producer@0.2.0-draft2"));
        assert!(!wasi.owns("wasi:http/types@0.2.0"));
        assert_eq!(World::owning(WASI_TYPES), Some(World::Wasi));
        assert_eq!(World::owning("wasi:cli/stdout@0.2.0"), None);
        assert!(versions_compatible("0.2.12", "0.2.0"));
        assert!(versions_compatible("0.2.0", "0.2.12"));
        assert!(!versions_compatible("0.2.0-rc.1", "0.2.0"));
        assert!(versions_compatible("0.2.0-rc.1", "0.2.0-rc.1"));
    }

    #[test]
    fn hosted_sets_serve_their_worlds() {
        assert!(Hosted::Both.serves(World::Wasi) && Hosted::Both.serves(World::Wasmcloud));
        assert!(Hosted::Only(World::Wasi).serves(World::Wasi));
        assert!(!Hosted::Only(World::Wasi).serves(World::Wasmcloud));
        extern crate std;
        use std::string::ToString;
        assert_eq!(
            Hosted::Both.packages().to_string(),
            "wasi:messaging@0.2.0-draft, wasmcloud:messaging@0.2.0"
        );
        assert_eq!(
            Hosted::Only(World::Wasmcloud).packages().to_string(),
            "wasmcloud:messaging@0.2.0"
        );
    }
}
