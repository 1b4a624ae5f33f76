//! The composer's errors, one enum per operation (as wac-graph does): each names the
//! problem and what to do about it, and keeps the error that caused it as its source.

use msgbridge_worlds::{NotAComponent, World};

use crate::SpliceError;

/// An error from another library, kept as the source of one of ours.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A `wasi:messaging` text that shares the bridged name but not its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The February 2024 draft: `messaging-types`, `consumer`, `messaging-guest`.
    February2024,
    /// The October 2024 draft: `request-reply.request` without a `topic` argument.
    October2024,
    /// Something else that does not match the bridged text.
    Unknown,
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let wasi = World::Wasi.package_name();
        match self {
            Shape::February2024 => write!(
                f,
                "the February 2024 {wasi} draft (messaging-types, consumer, messaging-guest)"
            ),
            Shape::October2024 => write!(
                f,
                "the October 2024 {wasi} draft (request-reply.request without a topic argument)"
            ),
            Shape::Unknown => write!(f, "a {wasi} text that differs from the bridged draft"),
        }
    }
}

/// Why [`crate::inspect`] cannot say which world a component speaks.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
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
    /// The binary is of an unknown WebAssembly version or layer.
    #[error("the input is WebAssembly of an unknown version or layer, not a component")]
    UnknownLayer,
    /// The component does not parse or validate.
    #[error("the input is not a valid component")]
    Invalid {
        /// What wasmparser found.
        #[source]
        source: wasmparser::BinaryReaderError,
    },
    /// The component's WIT could not be read from it.
    #[error("the component's WIT cannot be decoded")]
    Decode {
        /// What wit-parser said.
        #[source]
        source: BoxError,
    },
    /// The input is a WIT package rather than a component with code.
    #[error("the input is a WIT package, not a runnable component")]
    WitPackage,
    /// The component neither imports nor exports a messaging interface.
    #[error(
        "the component uses no messaging interface (neither {} nor {}), so there is nothing to \
         bridge{}",
        World::Wasmcloud.package(),
        World::Wasi.package(),
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
    /// A `wasi:messaging` interface of another shape.
    #[error(
        "{interface} is {shape}, not the {} that msgbridge bridges (WebAssembly/wasi-messaging \
         4ee59bb, Dec 2024): rebuild the component against that text ({detail})",
        World::Wasi.package()
    )]
    UnsupportedShape {
        /// The interface, e.g. `wasi:messaging/messaging-types@0.2.0-draft`.
        interface: String,
        /// Which shape it is.
        shape: Shape,
        /// The first mismatch found.
        detail: String,
    },
    /// A synchronous and an asynchronous world of one family used together (say
    /// `wasmcloud:messaging@0.2.0` and `@0.3.0`, or the draft's functions beside Omnia's).
    #[error(
        "the component mixes the synchronous {sync} and the asynchronous {asynchronous} \
         ({}): build it against one world",
        .world.name()
    )]
    MixedKinds {
        /// An interface only the synchronous world's text fits.
        sync: String,
        /// An interface only the asynchronous world's text fits.
        asynchronous: String,
        /// The asynchronous world.
        world: World,
    },
    /// An interface of an asynchronous world's package whose shape is not that world's.
    #[error(
        "{interface} has `async func`s but is not {world}, the asynchronous text msgbridge \
         knows: rebuild the component against it ({detail})"
    )]
    UnsupportedAsyncShape {
        /// The interface.
        interface: String,
        /// The asynchronous world it is closest to.
        world: World,
        /// The first mismatch found.
        detail: String,
    },
    /// A messaging package at a version msgbridge does not bridge.
    #[error(
        "{interface} is not bridged: msgbridge bridges {} and {}{hint}",
        World::Wasmcloud.package(),
        World::Wasi.package()
    )]
    UnsupportedVersion {
        /// The interface.
        interface: String,
        /// Advice for known versions.
        hint: String,
    },
    /// msgbridge's own embedded WIT does not parse.
    #[error("msgbridge's embedded WIT does not parse, which is a msgbridge bug")]
    EmbeddedWit {
        /// What the parser said.
        #[source]
        source: msgbridge_wit::WitError,
    },
}

impl From<NotAComponent> for InspectError {
    fn from(reason: NotAComponent) -> Self {
        match reason {
            NotAComponent::NotWasm => InspectError::NotWasm,
            NotAComponent::CoreModule => InspectError::CoreModule,
            NotAComponent::UnknownLayer => InspectError::UnknownLayer,
        }
    }
}

/// Why [`crate::plan`] has nothing to plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The component already speaks the target host's world.
    #[error(
        "the component already speaks {world}, which a {} host serves: it runs there as it \
         is, with no adapter; to run it on a {} host, use `--target {}`",
        .target.name(), .target.other().name(), .target.other().name()
    )]
    AlreadyTargets {
        /// The component's world.
        world: World,
        /// The requested target.
        target: World,
    },
    /// No adapter between the component's world and the target's is built yet (one of
    /// them is asynchronous).
    #[error(transparent)]
    NotBuilt(#[from] msgbridge_worlds::NotBuilt),
}

/// Why [`crate::compose_with`] produced no component.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// The guest cannot be inspected.
    #[error(transparent)]
    Inspect(#[from] InspectError),
    /// The guest needs no adapter for the target.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The requested client name cannot be used.
    #[error("invalid client name")]
    ClientName(#[source] ClientNameError),
    /// The spliced form was asked for, or splicing a spliceable guest failed.
    #[error(transparent)]
    Splice(SpliceError),
    /// wac-graph refused a step of the composition.
    #[error("wac-graph cannot {step}")]
    Graph {
        /// What was being done, e.g. `connect wasi:messaging/types@0.2.0-draft of the sender to the guest`.
        step: String,
        /// wac-graph's error, with its own sources (type mismatches, validation failures).
        #[source]
        source: BoxError,
    },
    /// msgbridge itself already adapted the guest (as [`crate::inspect`] recognises from its
    /// producers section): adapting it again would wrap it twice.
    #[error(
        "it was already adapted by msgbridge {} ({} form) to run on a {} host; composing it \
         again would wrap it twice, so compose the original component instead",
        .adapted.version, .adapted.form.name(), .world.name()
    )]
    AlreadyAdapted {
        /// msgbridge's mark on it: the version and form that adapted it.
        adapted: crate::Adapted,
        /// The world it speaks now, that of the host it was adapted for.
        world: World,
    },
    /// The portable form was needed (asked for, or the guest cannot be spliced) for a
    /// direction that has no portable halves ([`crate::Direction::has_halves`]).
    #[error(
        "{direction} has no portable form: a synchronous guest's import may not block on an \
         asynchronous host (the canonical ABI's `Task.may_block`), so only the spliced bridge, \
         fused into the guest's own component, adapts it{}",
        match .spliced_because { Some(reason) => format!("; this guest cannot be spliced: {reason}"), None => ". Compose it without --portable".to_string() }
    )]
    NoPortableForm {
        /// The direction.
        direction: crate::Direction,
        /// Why the guest could not be spliced, when that is how the portable form came up.
        spliced_because: Option<crate::NotSpliceable>,
    },
    /// The composed component failed msgbridge's own checks (a bug in msgbridge).
    #[error("the composed component is wrong, which is a msgbridge bug: {problem}")]
    Check {
        /// What is wrong.
        problem: String,
    },
}

/// Why a client name cannot be set in the sender.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientNameError {
    /// Empty or too long.
    #[error(transparent)]
    Length(#[from] msgbridge_worlds::client_name::InvalidName),
    /// The sender has no (or no unique) slot: it was built from other sources.
    #[error("the sender adapter has no unique client-name slot; it was built from other sources")]
    NoSlot,
}

impl From<SpliceError> for ComposeError {
    fn from(error: SpliceError) -> Self {
        match error {
            SpliceError::Inspect(e) => ComposeError::Inspect(e),
            SpliceError::Plan(e) => ComposeError::Plan(e),
            other => ComposeError::Splice(other),
        }
    }
}
