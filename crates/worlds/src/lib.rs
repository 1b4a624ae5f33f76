//! msgbridge's vocabulary, defined once for every crate of the project, the adapters
//! included (it is `no_std` and allocation-free, so it builds for `wasm32-unknown-unknown`).
//!
//! - [`World`]: the four messaging worlds, by short name: the two msgbridge bridges,
//!   `wasi` (`wasi:messaging@0.2.0-draft`) and `wasmcloud` (`wasmcloud:messaging@0.2.0`),
//!   and their asynchronous successors `wasi-async` (Omnia's variant of the draft) and
//!   `wasmcloud-async` (`wasmcloud:messaging@0.3.0`), with their interface names and the
//!   rule deciding whether an interface name belongs to one ([`World::owns`],
//!   semver-compatible as wasmtime links).
//! - [`Direction`]: a guest of one synchronous world on a host of the other, and
//!   [`NotBuilt`], the refusal of every other pair.
//! - [`Hosted`]: the set of worlds a host serves.
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
///
/// Two synchronous worlds ([`World::SYNC`]) and their asynchronous successors
/// ([`World::ASYNC`]); msgbridge adapts each world into the other of its kind
/// ([`Direction`]), and not yet across kinds ([`Direction::between`] refuses those pairs
/// with [`NotBuilt`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum World {
    /// `wasi:messaging@0.2.0-draft` (WebAssembly/wasi-messaging 4ee59bb, Dec 2024).
    Wasi,
    /// `wasmcloud:messaging@0.2.0`, the world wasmCloud v2 serves.
    Wasmcloud,
    /// Omnia's async variant of `wasi:messaging@0.2.0-draft`: the draft's names with
    /// `async func`s. It has the synchronous draft's package name and version, so only the
    /// shape of its functions tells it apart.
    WasiAsync,
    /// `wasmcloud:messaging@0.3.0` as wasmCloud v2.8 serves it: `async func`s, `stream<u8>`
    /// bodies, a `handle-message-error` disposition (not wasmCloud v1's `@0.3.0`, the wasi
    /// draft renamed).
    WasmcloudAsync,
}

impl World {
    /// The two synchronous worlds msgbridge adapts into each other, wasi first.
    pub const SYNC: [World; 2] = [World::Wasi, World::Wasmcloud];

    /// The two asynchronous worlds, wasi first.
    pub const ASYNC: [World; 2] = [World::WasiAsync, World::WasmcloudAsync];

    /// Every world: the synchronous ones, then the asynchronous ones.
    pub const ALL: [World; 4] = [
        World::Wasi,
        World::Wasmcloud,
        World::WasiAsync,
        World::WasmcloudAsync,
    ];

    /// The short name used on command lines, in files and in JSON: `wasi`, `wasmcloud`,
    /// `wasi-async` or `wasmcloud-async`.
    pub const fn name(self) -> &'static str {
        match self {
            World::Wasi => "wasi",
            World::Wasmcloud => "wasmcloud",
            World::WasiAsync => "wasi-async",
            World::WasmcloudAsync => "wasmcloud-async",
        }
    }

    /// Whether the world's functions are `async func`s.
    pub const fn is_async(self) -> bool {
        matches!(self, World::WasiAsync | World::WasmcloudAsync)
    }

    /// The synchronous world of the same family: `wasi` for `wasi-async`, `wasmcloud` for
    /// `wasmcloud-async`, a synchronous world itself.
    pub const fn sync_counterpart(self) -> World {
        match self {
            World::Wasi | World::WasiAsync => World::Wasi,
            World::Wasmcloud | World::WasmcloudAsync => World::Wasmcloud,
        }
    }

    /// The package without its version: `wasi:messaging` or `wasmcloud:messaging`.
    pub const fn package_name(self) -> &'static str {
        match self {
            World::Wasi | World::WasiAsync => "wasi:messaging",
            World::Wasmcloud | World::WasmcloudAsync => "wasmcloud:messaging",
        }
    }

    /// The package's version: `0.2.0-draft` (both wasi worlds), `0.2.0` or `0.3.0`.
    pub const fn version(self) -> &'static str {
        match self {
            World::Wasi | World::WasiAsync => "0.2.0-draft",
            World::Wasmcloud => "0.2.0",
            World::WasmcloudAsync => "0.3.0",
        }
    }

    /// The package and its version, e.g. `wasi:messaging@0.2.0-draft`.
    pub const fn package(self) -> &'static str {
        match self {
            World::Wasi | World::WasiAsync => "wasi:messaging@0.2.0-draft",
            World::Wasmcloud => "wasmcloud:messaging@0.2.0",
            World::WasmcloudAsync => "wasmcloud:messaging@0.3.0",
        }
    }

    /// The other world of the same kind: `wasi` and `wasmcloud` for each other, and
    /// `wasi-async` and `wasmcloud-async` for each other ([`Direction::from_guest`]).
    pub const fn other(self) -> World {
        match self {
            World::Wasi => World::Wasmcloud,
            World::Wasmcloud => World::Wasi,
            World::WasiAsync => World::WasmcloudAsync,
            World::WasmcloudAsync => World::WasiAsync,
        }
    }

    /// Every interface of the world's package, by full name.
    pub const fn interfaces(self) -> &'static [&'static str] {
        match self {
            World::Wasi | World::WasiAsync => &[
                WASI_TYPES,
                WASI_PRODUCER,
                WASI_REQUEST_REPLY,
                WASI_INCOMING_HANDLER,
            ],
            World::Wasmcloud => &[WASMCLOUD_TYPES, WASMCLOUD_CONSUMER, WASMCLOUD_HANDLER],
            World::WasmcloudAsync => &[
                WASMCLOUD_ASYNC_TYPES,
                WASMCLOUD_ASYNC_CONSUMER,
                WASMCLOUD_ASYNC_HANDLER,
            ],
        }
    }

    /// The interfaces a guest of this world imports to send messages (a host of it serves
    /// them), by full name.
    pub const fn guest_imports(self) -> &'static [&'static str] {
        match self {
            World::Wasi | World::WasiAsync => &[WASI_TYPES, WASI_PRODUCER, WASI_REQUEST_REPLY],
            World::Wasmcloud => &[WASMCLOUD_TYPES, WASMCLOUD_CONSUMER],
            World::WasmcloudAsync => &[WASMCLOUD_ASYNC_TYPES, WASMCLOUD_ASYNC_CONSUMER],
        }
    }

    /// The interface of this world that only defines types (and, for wasi, the `client`
    /// and `message` resources); the others `use` it.
    pub const fn types_interface(self) -> &'static str {
        match self {
            World::Wasi | World::WasiAsync => WASI_TYPES,
            World::Wasmcloud => WASMCLOUD_TYPES,
            World::WasmcloudAsync => WASMCLOUD_ASYNC_TYPES,
        }
    }

    /// The interface a guest of this world exports to receive messages.
    pub const fn handler_interface(self) -> &'static str {
        match self {
            World::Wasi | World::WasiAsync => WASI_INCOMING_HANDLER,
            World::Wasmcloud => WASMCLOUD_HANDLER,
            World::WasmcloudAsync => WASMCLOUD_ASYNC_HANDLER,
        }
    }

    /// The function of [`World::handler_interface`] that a host calls per message.
    pub const fn handler_function(self) -> &'static str {
        match self {
            World::Wasi | World::WasiAsync => "handle",
            World::Wasmcloud | World::WasmcloudAsync => "handle-message",
        }
    }

    /// The interface `name` names, if it belongs to this world: the full name of the
    /// world's interface with the same package and interface name, whose version is
    /// semver-compatible with the world's (`wasmcloud:messaging/consumer@0.2.1` gives
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
    /// world's package at a version compatible with the world's, whatever the interface is
    /// called. Look-alike texts of the same package and version (older drafts, and for the
    /// two wasi worlds each other) are owned too; telling them apart by the shape of their
    /// functions is the composer's job.
    pub fn owns(self, name: &str) -> bool {
        split_interface_name(name).is_some_and(|(package, _, version)| {
            package == self.package_name() && version::compatible(self.version(), version)
        })
    }

    /// Whether `name` names an interface of this world's package, at any version.
    pub fn owns_package_of(self, name: &str) -> bool {
        split_interface_name(name).is_some_and(|(package, _, _)| package == self.package_name())
    }

    /// The synchronous world owning the interface `name`, if either does (see
    /// [`World::owns`]). Names alone cannot tell `wasi-async` from `wasi`, so this never
    /// answers an asynchronous world; the composer's inspection tells them apart.
    pub fn owning(name: &str) -> Option<World> {
        World::SYNC.into_iter().find(|w| w.owns(name))
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
/// `wasmcloud:messaging/types@0.3.0` (wasmCloud v2.8's async package).
pub const WASMCLOUD_ASYNC_TYPES: &str = "wasmcloud:messaging/types@0.3.0";
/// `wasmcloud:messaging/consumer@0.3.0` (wasmCloud v2.8's async package).
pub const WASMCLOUD_ASYNC_CONSUMER: &str = "wasmcloud:messaging/consumer@0.3.0";
/// `wasmcloud:messaging/handler@0.3.0` (wasmCloud v2.8's async package).
pub const WASMCLOUD_ASYNC_HANDLER: &str = "wasmcloud:messaging/handler@0.3.0";

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
    /// The package, e.g. `wasmcloud:messaging@0.2.0`; Omnia's variant, whose package name
    /// is the synchronous draft's, says so: `wasi:messaging@0.2.0-draft (async, Omnia)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.package())?;
        if *self == World::WasiAsync {
            f.write_str(" (async, Omnia)")?;
        }
        Ok(())
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
                expected: "`wasi`, `wasmcloud`, `wasi-async` or `wasmcloud-async`",
            })
    }
}

/// Which way an adapter translates: a guest of one world on a host of another. Between two
/// worlds of the same kind (synchronous or asynchronous) both forms are built; a synchronous
/// guest on an asynchronous host has a spliced bridge only. An asynchronous guest on a
/// synchronous host is not built yet: [`Direction::between`] refuses those pairs with
/// [`NotBuilt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// A `wasi:messaging` guest on a `wasmcloud:messaging@0.2.0` host.
    WasiOnWasmcloud,
    /// A `wasmcloud:messaging@0.2.0` guest on a `wasi:messaging` host.
    WasmcloudOnWasi,
    /// An asynchronous `wasi:messaging` (Omnia's) guest on a `wasmcloud:messaging@0.3.0` host.
    WasiAsyncOnWasmcloudAsync,
    /// A `wasmcloud:messaging@0.3.0` guest on an asynchronous `wasi:messaging` host.
    WasmcloudAsyncOnWasiAsync,
    /// A synchronous `wasmcloud:messaging@0.2.0` guest on a `wasmcloud:messaging@0.3.0` host
    /// (spliced only: see [`Direction::has_halves`]).
    WasmcloudOnWasmcloudAsync,
    /// A synchronous `wasi:messaging` guest on an asynchronous (Omnia's) `wasi:messaging`
    /// host (spliced only).
    WasiOnWasiAsync,
    /// A synchronous `wasi:messaging` guest on a `wasmcloud:messaging@0.3.0` host (spliced
    /// only).
    WasiOnWasmcloudAsync,
    /// A synchronous `wasmcloud:messaging@0.2.0` guest on an asynchronous (Omnia's)
    /// `wasi:messaging` host (spliced only).
    WasmcloudOnWasiAsync,
}

/// A pair of worlds msgbridge cannot adapt between yet (one synchronous and one asynchronous, or
/// both are the same world).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotBuilt {
    /// The guest's world.
    pub guest: World,
    /// The host's world.
    pub host: World,
}

impl fmt::Display for NotBuilt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.guest == self.host {
            write!(
                f,
                "a {} guest already speaks the {} host's world: there is nothing to adapt",
                self.guest.name(),
                self.host.name()
            )
        } else {
            write!(
                f,
                "adapting between {} ({}) and {} ({}) is not built yet: msgbridge adapts \
                 between wasi and wasmcloud, between wasi-async and wasmcloud-async, and a \
                 synchronous guest to an async host",
                self.guest.name(),
                self.guest,
                self.host.name(),
                self.host
            )
        }
    }
}

impl core::error::Error for NotBuilt {}

impl Direction {
    /// Every direction: the synchronous pair's, the asynchronous pair's, then the
    /// synchronous-to-asynchronous ones.
    pub const ALL: [Direction; 8] = [
        Direction::WasiOnWasmcloud,
        Direction::WasmcloudOnWasi,
        Direction::WasiAsyncOnWasmcloudAsync,
        Direction::WasmcloudAsyncOnWasiAsync,
        Direction::WasmcloudOnWasmcloudAsync,
        Direction::WasiOnWasiAsync,
        Direction::WasiOnWasmcloudAsync,
        Direction::WasmcloudOnWasiAsync,
    ];

    /// The direction that runs a guest of `guest` on a host of `host`, if an adapter for
    /// that pair is built.
    pub const fn between(guest: World, host: World) -> Result<Direction, NotBuilt> {
        match (guest, host) {
            (World::Wasi, World::Wasmcloud) => Ok(Direction::WasiOnWasmcloud),
            (World::Wasmcloud, World::Wasi) => Ok(Direction::WasmcloudOnWasi),
            (World::WasiAsync, World::WasmcloudAsync) => Ok(Direction::WasiAsyncOnWasmcloudAsync),
            (World::WasmcloudAsync, World::WasiAsync) => Ok(Direction::WasmcloudAsyncOnWasiAsync),
            (World::Wasmcloud, World::WasmcloudAsync) => Ok(Direction::WasmcloudOnWasmcloudAsync),
            (World::Wasi, World::WasiAsync) => Ok(Direction::WasiOnWasiAsync),
            (World::Wasi, World::WasmcloudAsync) => Ok(Direction::WasiOnWasmcloudAsync),
            (World::Wasmcloud, World::WasiAsync) => Ok(Direction::WasmcloudOnWasiAsync),
            _ => Err(NotBuilt { guest, host }),
        }
    }

    /// The direction that runs a guest of `guest` on a host of [`World::other`].
    pub const fn from_guest(guest: World) -> Result<Direction, NotBuilt> {
        Direction::between(guest, guest.other())
    }

    /// The guest's world.
    pub const fn guest(self) -> World {
        match self {
            Direction::WasiOnWasmcloud => World::Wasi,
            Direction::WasmcloudOnWasi => World::Wasmcloud,
            Direction::WasiAsyncOnWasmcloudAsync => World::WasiAsync,
            Direction::WasmcloudAsyncOnWasiAsync => World::WasmcloudAsync,
            Direction::WasmcloudOnWasmcloudAsync => World::Wasmcloud,
            Direction::WasiOnWasiAsync | Direction::WasiOnWasmcloudAsync => World::Wasi,
            Direction::WasmcloudOnWasiAsync => World::Wasmcloud,
        }
    }

    /// The host's world.
    pub const fn host(self) -> World {
        match self {
            Direction::WasmcloudOnWasmcloudAsync => World::WasmcloudAsync,
            Direction::WasiOnWasiAsync | Direction::WasmcloudOnWasiAsync => World::WasiAsync,
            Direction::WasiOnWasmcloudAsync => World::WasmcloudAsync,
            other => other.guest().other(),
        }
    }

    /// `GUEST-on-HOST` with the worlds' short names (`wasi-on-wasmcloud`, ...), the prefix
    /// of the adapters' file names.
    pub const fn name(self) -> &'static str {
        match self {
            Direction::WasiOnWasmcloud => "wasi-on-wasmcloud",
            Direction::WasmcloudOnWasi => "wasmcloud-on-wasi",
            Direction::WasiAsyncOnWasmcloudAsync => "wasi-async-on-wasmcloud-async",
            Direction::WasmcloudAsyncOnWasiAsync => "wasmcloud-async-on-wasi-async",
            Direction::WasmcloudOnWasmcloudAsync => "wasmcloud-on-wasmcloud-async",
            Direction::WasiOnWasiAsync => "wasi-on-wasi-async",
            Direction::WasiOnWasmcloudAsync => "wasi-on-wasmcloud-async",
            Direction::WasmcloudOnWasiAsync => "wasmcloud-on-wasi-async",
        }
    }

    /// The direction between the synchronous worlds that translates as this one does (a
    /// synchronous guest's bridge to an async host is its bridge to that host's
    /// synchronous counterpart, calling the async functions and waiting): the same
    /// direction for the others.
    pub const fn translates_as(self) -> Direction {
        match self {
            Direction::WasiOnWasmcloudAsync => Direction::WasiOnWasmcloud,
            Direction::WasmcloudOnWasiAsync => Direction::WasmcloudOnWasi,
            other => other,
        }
    }

    /// Whether a spliced bridge is built for this direction (every direction with a
    /// synchronous guest); the asynchronous pair's adapters are portable halves only.
    pub const fn has_bridge(self) -> bool {
        !self.guest().is_async()
    }

    /// Whether portable halves are built for this direction: between two worlds of the same
    /// kind. A synchronous guest on an asynchronous host has none, as a half's synchronous
    /// export may not block on an asynchronous import (`Task.may_block` in the canonical
    /// ABI); only a bridge fused into the guest runs inside a task that may.
    pub const fn has_halves(self) -> bool {
        self.guest().is_async() == self.host().is_async()
    }

    /// Whether the adapter connects a wasi `client` itself (a wasmcloud guest on a host of
    /// the wasi family), so that its client name is set at compose time. A wasi guest
    /// connects its own clients.
    pub const fn connects_client(self) -> bool {
        matches!(self.host(), World::Wasi | World::WasiAsync)
            && matches!(self.guest(), World::Wasmcloud | World::WasmcloudAsync)
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
                expected: "`wasi-on-wasmcloud`, `wasmcloud-on-wasi`, \
                           `wasi-async-on-wasmcloud-async`, `wasmcloud-async-on-wasi-async`, \
                           `wasmcloud-on-wasmcloud-async`, `wasi-on-wasi-async`, \
                           `wasi-on-wasmcloud-async` or `wasmcloud-on-wasi-async`",
            })
    }
}

/// The messaging worlds a host serves: a non-empty set of [`World`]s.
///
/// Written on command lines and in manifests as `both` (the two synchronous worlds, the
/// reference host's default), one world's short name, or names joined by `,`
/// (`wasi,wasmcloud-async`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hosted {
    /// One bit per world, by its index in [`World::ALL`]; never zero.
    bits: u8,
}

impl Default for Hosted {
    fn default() -> Self {
        Hosted::BOTH
    }
}

impl Hosted {
    /// Both synchronous worlds, `wasi` and `wasmcloud` (the reference host's default).
    pub const BOTH: Hosted = Hosted::only(World::Wasi).with(World::Wasmcloud);

    /// The values with a name of their own: each world's short name, and `both`.
    pub const NAMED: [Hosted; 5] = [
        Hosted::only(World::Wasmcloud),
        Hosted::only(World::Wasi),
        Hosted::only(World::WasmcloudAsync),
        Hosted::only(World::WasiAsync),
        Hosted::BOTH,
    ];

    const fn bit(world: World) -> u8 {
        1 << world as u8
    }

    /// Only `world`, as a real host serves one (wasmCloud v2 serves only
    /// `wasmcloud:messaging@0.2.0`).
    pub const fn only(world: World) -> Hosted {
        Hosted {
            bits: Hosted::bit(world),
        }
    }

    /// This set and `world`.
    pub const fn with(self, world: World) -> Hosted {
        Hosted {
            bits: self.bits | Hosted::bit(world),
        }
    }

    /// Whether `world` is served.
    pub const fn serves(self, world: World) -> bool {
        self.bits & Hosted::bit(world) != 0
    }

    /// The world served, when it is one alone.
    pub const fn single(self) -> Option<World> {
        let mut i = 0;
        while i < World::ALL.len() {
            let world = World::ALL[i];
            if self.bits == Hosted::bit(world) {
                return Some(world);
            }
            i += 1;
        }
        None
    }

    /// The worlds served, in the order of [`World::ALL`].
    pub fn worlds(self) -> impl Iterator<Item = World> {
        World::ALL.into_iter().filter(move |w| self.serves(*w))
    }

    /// The packages served, for messages: e.g. `wasmcloud:messaging@0.2.0`, or several
    /// separated by `, `.
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
            write!(f, "{world}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Hosted {
    /// `both`, a world's short name, or short names joined by `,`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Hosted::BOTH {
            return f.write_str("both");
        }
        for (i, world) in self.worlds().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(world.name())?;
        }
        Ok(())
    }
}

impl FromStr for Hosted {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = ParseError {
            what: "worlds",
            expected: "`both`, or one or more of `wasmcloud`, `wasi`, `wasmcloud-async`, \
                       `wasi-async` joined by `,`",
        };
        let mut hosted: Option<Hosted> = None;
        for part in s.split(',') {
            let part = part.trim();
            let next = if part.eq_ignore_ascii_case("both") {
                Hosted::BOTH
            } else {
                Hosted::only(part.parse::<World>().map_err(|_| error)?)
            };
            hosted = Some(match hosted {
                Some(h) => Hosted {
                    bits: h.bits | next.bits,
                },
                None => next,
            });
        }
        hosted.ok_or(error)
    }
}

impl From<World> for Hosted {
    fn from(world: World) -> Self {
        Hosted::only(world)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for world in World::ALL {
            assert_eq!(world.name().parse::<World>(), Ok(world));
            assert_eq!(world.other().other(), world);
            assert_eq!(world.other().is_async(), world.is_async());
        }
        for direction in Direction::ALL {
            assert_eq!(direction.name().parse::<Direction>(), Ok(direction));
        }
        for hosted in Hosted::NAMED {
            assert_eq!(hosted.to_string().parse::<Hosted>(), Ok(hosted));
        }
        assert_eq!("wasmcloud-async".parse(), Ok(World::WasmcloudAsync));
        assert_eq!("WASI-async".parse(), Ok(World::WasiAsync));
        assert!("neither".parse::<World>().is_err());
        assert!("neither".parse::<Hosted>().is_err());
        assert!("".parse::<Hosted>().is_err());
        assert!("wasi,".parse::<Hosted>().is_err());
        assert_eq!(Hosted::default(), Hosted::BOTH);
        let mixed: Hosted = "wasi, wasmcloud-async".parse().unwrap();
        assert!(mixed.serves(World::Wasi) && mixed.serves(World::WasmcloudAsync));
        assert!(!mixed.serves(World::Wasmcloud) && !mixed.serves(World::WasiAsync));
        extern crate std;
        use std::string::ToString;
        assert_eq!(mixed.to_string(), "wasi,wasmcloud-async");
        assert_eq!("wasi,wasmcloud".parse::<Hosted>(), Ok(Hosted::BOTH));
        assert_eq!(Hosted::BOTH.to_string(), "both");
    }

    #[test]
    fn worlds_of_one_kind_are_adapted_into_each_other_and_across_kinds_not_yet() {
        extern crate std;
        use std::string::ToString;
        for world in World::ALL {
            let direction = Direction::from_guest(world).expect("same-kind pairs are built");
            assert_eq!(
                (direction.guest(), direction.host()),
                (world, world.other())
            );
            assert_eq!(direction.has_bridge(), !world.is_async());
            assert_eq!(
                direction.connects_client(),
                world.other().sync_counterpart() == World::Wasi
            );
            assert!(direction.has_halves());
            for other in World::ALL {
                if other.is_async() == world.is_async() || !world.is_async() {
                    continue;
                }
                let refused = Direction::between(world, other).unwrap_err();
                assert_eq!(
                    refused,
                    NotBuilt {
                        guest: world,
                        host: other
                    }
                );
                let text = refused.to_string();
                assert!(text.contains(world.name()), "{text}");
                assert!(text.contains(other.name()), "{text}");
            }
        }
        for world in World::ASYNC {
            assert!(!world.sync_counterpart().is_async());
            assert_eq!(
                world.sync_counterpart().package_name(),
                world.package_name()
            );
        }
        assert_eq!(
            Direction::between(World::WasiAsync, World::Wasmcloud)
                .unwrap_err()
                .to_string(),
            "adapting between wasi-async (wasi:messaging@0.2.0-draft (async, Omnia)) and \
             wasmcloud (wasmcloud:messaging@0.2.0) is not built yet: msgbridge adapts \
             between wasi and wasmcloud, between wasi-async and wasmcloud-async, and a \
             synchronous guest to an async host"
        );
        let across = Direction::between(World::Wasmcloud, World::WasmcloudAsync).unwrap();
        assert_eq!(
            (across.guest(), across.host(), across.name()),
            (
                World::Wasmcloud,
                World::WasmcloudAsync,
                "wasmcloud-on-wasmcloud-async"
            )
        );
        assert!(across.has_bridge() && !across.has_halves() && !across.connects_client());
        for (guest, host, name, translates_as, client) in [
            (
                World::Wasi,
                World::WasmcloudAsync,
                "wasi-on-wasmcloud-async",
                Direction::WasiOnWasmcloud,
                false,
            ),
            (
                World::Wasmcloud,
                World::WasiAsync,
                "wasmcloud-on-wasi-async",
                Direction::WasmcloudOnWasi,
                true,
            ),
        ] {
            let across = Direction::between(guest, host).unwrap();
            assert_eq!(
                (across.guest(), across.host(), across.name()),
                (guest, host, name)
            );
            assert_eq!(across.translates_as(), translates_as);
            assert!(across.has_bridge() && !across.has_halves());
            assert_eq!(across.connects_client(), client);
        }
        let across = Direction::between(World::Wasi, World::WasiAsync).unwrap();
        assert_eq!(
            (across.guest(), across.host(), across.name()),
            (World::Wasi, World::WasiAsync, "wasi-on-wasi-async")
        );
        assert!(across.has_bridge() && !across.has_halves() && !across.connects_client());
        assert!(Direction::between(World::Wasi, World::Wasi).is_err());
        assert_eq!(World::Wasi.to_string(), "wasi:messaging@0.2.0-draft");
        assert_eq!(
            World::WasmcloudAsync.to_string(),
            "wasmcloud:messaging@0.3.0"
        );
    }

    #[test]
    fn every_interface_is_owned_by_its_world_only() {
        for world in World::ALL {
            for name in world.interfaces() {
                assert!(world.owns(name), "{name}");
                assert!(!world.other().owns(name), "{name}");
                if !world.is_async() {
                    assert_eq!(World::owning(name), Some(world), "{name}");
                }
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
        assert_eq!(
            World::WasmcloudAsync.interface("wasmcloud:messaging/consumer@0.3.0"),
            Some(WASMCLOUD_ASYNC_CONSUMER)
        );
        assert_eq!(World::owning(WASMCLOUD_ASYNC_HANDLER), None);
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
        assert!(Hosted::BOTH.serves(World::Wasi) && Hosted::BOTH.serves(World::Wasmcloud));
        assert!(!Hosted::BOTH.serves(World::WasiAsync));
        assert!(Hosted::only(World::Wasi).serves(World::Wasi));
        assert!(!Hosted::only(World::Wasi).serves(World::Wasmcloud));
        assert_eq!(
            Hosted::only(World::WasiAsync).single(),
            Some(World::WasiAsync)
        );
        assert_eq!(Hosted::BOTH.single(), None);
        extern crate std;
        use std::string::ToString;
        assert_eq!(
            Hosted::BOTH.packages().to_string(),
            "wasi:messaging@0.2.0-draft, wasmcloud:messaging@0.2.0"
        );
        assert_eq!(
            Hosted::only(World::Wasmcloud).packages().to_string(),
            "wasmcloud:messaging@0.2.0"
        );
    }
}
