//! Errors of the composer: each names the problem and what to do about it.

use crate::names::{Target, World};

/// A `wasi:messaging` text that shares the bridged name but not its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The February 2024 draft: `messaging-types`, `consumer`, `messaging-guest`.
    February2024,
    /// The October 2024 draft: `request-reply.request` without a `topic` argument.
    October2024,
    /// Omnia's variant, whose functions are `async func`.
    AsyncOmnia,
    /// Something else that does not match the bridged text.
    Unknown,
}

impl Shape {
    fn describe(self) -> &'static str {
        match self {
            Shape::February2024 => {
                "the February 2024 wasi:messaging draft (messaging-types, consumer, messaging-guest)"
            }
            Shape::October2024 => {
                "the October 2024 wasi:messaging draft (request-reply.request without a topic argument)"
            }
            Shape::AsyncOmnia => {
                "Omnia's async variant of wasi:messaging (functions declared `async func`)"
            }
            Shape::Unknown => "a wasi:messaging text that differs from the bridged draft",
        }
    }
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

/// Why a component could not be inspected or composed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input does not begin with the WebAssembly magic number.
    #[error(
        "the input is not WebAssembly (it does not begin with `\\0asm`); pass a .wasm component"
    )]
    NotWasm,
    /// The input is a core module, not a component.
    #[error(
        "the input is a core WebAssembly module, not a component; make it a component first: \
         build for `wasm32-wasip2`, or run `wasm-tools component new MODULE.wasm -o COMPONENT.wasm` \
         (with `--adapt wasi_snapshot_preview1.reactor.wasm` for a wasip1 module)"
    )]
    CoreModule,
    /// The component failed to parse or validate.
    #[error("the input is not a valid component: {0}")]
    Invalid(String),
    /// The component neither imports nor exports a messaging interface.
    #[error(
        "the component uses no messaging interface (neither wasmcloud:messaging@0.2.0 nor \
         wasi:messaging@0.2.0-draft), so there is nothing to bridge{}",
        if .imports.is_empty() { String::new() } else { format!("; it imports: {}", .imports.join(", ")) }
    )]
    NoMessaging {
        /// What it imports instead, for the message.
        imports: Vec<String>,
    },
    /// The component uses both messaging worlds.
    #[error(
        "the component uses both messaging worlds ({wasi} and {wasmcloud}); msgbridge bridges \
         a component that speaks one of them"
    )]
    MixedWorlds {
        /// One wasi:messaging interface it uses.
        wasi: String,
        /// One wasmcloud:messaging interface it uses.
        wasmcloud: String,
    },
    /// The component already speaks the target host's world.
    #[error(
        "the component already speaks {world}, which a {target} host serves: it runs there as it \
         is, with no adapter; to run it on a {other} host, use `--target {other}`",
        other = match .target { Target::Wasi => "wasmcloud", Target::Wasmcloud => "wasi" }
    )]
    AlreadyTargets {
        /// The component's world.
        world: World,
        /// The requested target.
        target: Target,
    },
    /// A `wasi:messaging` interface of another shape.
    #[error(
        "{interface} is {shape}, not the wasi:messaging@0.2.0-draft that msgbridge bridges \
         (WebAssembly/wasi-messaging 4ee59bb, Dec 2024): rebuild the component against that \
         text ({detail})"
    )]
    UnsupportedShape {
        /// The interface, e.g. `wasi:messaging/messaging-types@0.2.0-draft`.
        interface: String,
        /// Which shape it is.
        shape: Shape,
        /// The first mismatch found.
        detail: String,
    },
    /// A messaging package at a version msgbridge does not bridge.
    #[error(
        "{interface} is not bridged: msgbridge bridges wasmcloud:messaging@0.2.0 and \
         wasi:messaging@0.2.0-draft{hint}"
    )]
    UnsupportedVersion {
        /// The interface.
        interface: String,
        /// Advice for known versions.
        hint: String,
    },
    /// The requested client name cannot be used.
    #[error("invalid client name: {0}")]
    ClientName(String),
    /// wac-graph could not wire or encode the composition.
    #[error("composition failed: {0}")]
    Compose(String),
    /// Splicing the bridge into a spliceable guest failed (see [`crate::SpliceError`]).
    #[error("splicing the bridge into the component failed")]
    Splice(#[source] Box<crate::SpliceError>),
    /// The composed component failed msgbridge's own checks (a bug in msgbridge).
    #[error("the composed component is wrong, which is a msgbridge bug: {0}")]
    Check(String),
}
