//! Why a guest could not be spliced.

use std::fmt;

use crate::BoxError;

/// Why a guest's component has a shape the splice route does not handle. The caller can
/// fall back to the portable (two-half) composition, which handles every component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSpliceable {
    /// The component is itself a composition of several components.
    NestedComponents {
        /// How many nested components carry code (core modules or instances).
        count: usize,
    },
    /// No core module defines and exports a memory and exports `cabi_realloc`.
    NoMainModule,
    /// More than one core module looks like a main module.
    SeveralMainModules {
        /// How many.
        count: usize,
    },
    /// A core module is neither the main module, an adapter it imports, nor one of
    /// wit-component's `shim`/`fixup` modules.
    UnknownModule {
        /// Its position among the component's core modules.
        index: usize,
    },
    /// The main module imports from a module that no core module of the component provides.
    MissingAdapter {
        /// The import module name.
        name: String,
    },
    /// The main module imports a bridged function the bridge does not provide.
    UnbridgedImport {
        /// Import module.
        module: String,
        /// Import name.
        name: String,
    },
    /// The guest exports its handler, but not as the core export the bridge calls.
    HandlerExport {
        /// The core export the bridge needs.
        missing: String,
    },
    /// The component is dynamically linked (componentize-py, `wasm-tools component link`):
    /// some of its core modules are shared libraries (`dylink.0`).
    DynamicallyLinked {
        /// How many shared libraries.
        libraries: usize,
    },
    /// No spliced bridge is built for the pair of worlds (the asynchronous pair's adapters
    /// are portable halves only).
    NoBridge {
        /// The pair.
        direction: msgbridge_worlds::Direction,
    },
    /// The component's WIT could not be recovered or re-encoded.
    Wit(String),
    /// wit-component could not re-encode the guest's modules with the bridge (the splice
    /// attempt failed after its shape checks passed); the detail is the error, on one line.
    Encoding(String),
}

impl fmt::Display for NotSpliceable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotSpliceable::NestedComponents { count } => write!(
                f,
                "the component is a composition of components ({count} nested component(s) with \
                 code of their own); only a component made by wit-component from one main \
                 module (plus adapters) can share its memory with a bridge"
            ),
            NotSpliceable::NoMainModule => f.write_str(
                "no core module defines and exports a memory and exports `cabi_realloc`",
            ),
            NotSpliceable::SeveralMainModules { count } => write!(
                f,
                "{count} core modules define a memory and export `cabi_realloc`; the main \
                 module is ambiguous"
            ),
            NotSpliceable::UnknownModule { index } => write!(
                f,
                "core module {index} is neither the main module, an adapter it imports, nor a \
                 wit-component shim"
            ),
            NotSpliceable::MissingAdapter { name } => write!(
                f,
                "the main module imports from `{name}`, which no core module of the component \
                 exports"
            ),
            NotSpliceable::UnbridgedImport { module, name } => write!(
                f,
                "the main module imports `{module}` `{name}`, which the bridge does not provide"
            ),
            NotSpliceable::HandlerExport { missing } => write!(
                f,
                "the main module does not export `{missing}`, which the bridge calls"
            ),
            NotSpliceable::DynamicallyLinked { libraries } => write!(
                f,
                "the component is dynamically linked ({libraries} shared libraries, as \
                 componentize-py makes); splicing would mean linking it again"
            ),
            NotSpliceable::NoBridge { direction } => write!(
                f,
                "no spliced bridge is built for {direction}: its adapters are the portable \
                 halves (an asynchronous bridge would have to run the guest's own async \
                 runtime inside its memory)"
            ),
            NotSpliceable::Wit(detail) => write!(f, "the component's WIT: {detail}"),
            NotSpliceable::Encoding(detail) => write!(
                f,
                "wit-component cannot re-encode its modules with the bridge: {detail}"
            ),
        }
    }
}

/// Why [`splice`](super::splice) failed.
#[derive(Debug, thiserror::Error)]
pub enum SpliceError {
    /// The guest has a shape the splice route does not handle; the portable composition
    /// still applies.
    #[error("not spliceable: {0}")]
    NotSpliceable(NotSpliceable),
    /// The guest could not be inspected.
    #[error(transparent)]
    Inspect(#[from] crate::InspectError),
    /// The guest needs no adapter for the target.
    #[error(transparent)]
    Plan(#[from] crate::PlanError),
    /// The component could not be parsed.
    #[error("parsing the guest component")]
    Parse(#[source] wasmparser::BinaryReaderError),
    /// Rewriting a core module's sections failed.
    #[error("rewriting the {what} core module")]
    Rewrite {
        /// Which module.
        what: &'static str,
        /// The encoder's error.
        #[source]
        source: wasm_encoder::reencode::Error,
    },
    /// The guest imports a bridged function with another core type than the bridge's: it
    /// was built against another text of the interface.
    #[error(
        "the component imports `{function}` of {interface} with the core type {found}, where \
         the bridged interface has {expected}: it was built against another text of \
         {interface}; rebuild it against the bridged WIT"
    )]
    ImportType {
        /// The interface, e.g. `wasi:messaging/producer@0.2.0-draft`.
        interface: String,
        /// The function.
        function: String,
        /// The bridge's core type.
        expected: String,
        /// The guest's core type.
        found: String,
    },
    /// The bridge's built-in WIT failed to parse (a msgbridge bug).
    #[error("parsing the bridge's WIT")]
    BridgeWit(#[source] BoxError),
    /// The requested client name cannot be used.
    #[error("invalid client name")]
    ClientName(#[source] crate::ClientNameError),
    /// The bridge module lacks the client-name globals (a msgbridge bug).
    #[error("the bridge has no client-name global `{0}`; it was built from other sources")]
    ClientNameSlot(String),
    /// Embedding WIT metadata into a core module failed.
    #[error("embedding WIT metadata into the {what} module")]
    Metadata {
        /// Which module.
        what: &'static str,
        /// wit-component's error.
        #[source]
        source: BoxError,
    },
    /// wit-component could not encode the spliced component.
    #[error("encoding the spliced component")]
    Encode(#[source] BoxError),
    /// The spliced component failed msgbridge's own checks (a msgbridge bug).
    #[error("the spliced component is wrong, which is a msgbridge bug: {0}")]
    Check(String),
}

impl SpliceError {
    /// The reason, when the guest is only not spliceable (and the portable form applies).
    pub fn not_spliceable(&self) -> Option<&NotSpliceable> {
        match self {
            SpliceError::NotSpliceable(reason) => Some(reason),
            _ => None,
        }
    }

    /// Why the default form is the portable one after this failed splice attempt, or
    /// `None` when the portable form cannot help either: the guest cannot be read or
    /// planned, it was built against another text of a bridged interface, or the client
    /// name is invalid. Failures of the re-encoding itself (parsing or rewriting a core
    /// module, embedding metadata, wit-component's encoding, the spliced result's checks)
    /// become [`NotSpliceable::Encoding`], with the error chain on one line.
    pub fn portable_reason(&self) -> Option<NotSpliceable> {
        match self {
            SpliceError::NotSpliceable(reason) => Some(reason.clone()),
            SpliceError::Inspect(_)
            | SpliceError::Plan(_)
            | SpliceError::ImportType { .. }
            | SpliceError::ClientName(_) => None,
            SpliceError::Parse(_)
            | SpliceError::Rewrite { .. }
            | SpliceError::BridgeWit(_)
            | SpliceError::ClientNameSlot(_)
            | SpliceError::Metadata { .. }
            | SpliceError::Encode(_)
            | SpliceError::Check(_) => Some(NotSpliceable::Encoding(one_line(self))),
        }
    }
}

/// `error` and its sources, joined with `: ` on one line.
fn one_line(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        parts.push(e.to_string());
        source = e.source();
    }
    parts
        .join(": ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl From<NotSpliceable> for SpliceError {
    fn from(reason: NotSpliceable) -> Self {
        SpliceError::NotSpliceable(reason)
    }
}

/// Boxes an `anyhow` error as a [`BoxError`], keeping its chain.
pub(crate) fn boxed(e: anyhow::Error) -> BoxError {
    e.into()
}
