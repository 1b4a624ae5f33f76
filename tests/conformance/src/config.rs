//! The configurations of the matrix: which guest runs, in which form, on which host.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use bytes::Bytes;
use msgbridge_worlds::{Direction, World};

use msgbridge_test_toolchain_artifacts as toolchains;

use crate::case::Artifact;
use crate::RunError;

/// A probe the suite runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Guest {
    /// The Rust `wasi-probe`.
    RustWasi,
    /// The Rust `wasmcloud-probe`.
    RustWasmcloud,
    /// The JavaScript `wasmcloud-probe` (`jco componentize --disable all`).
    JsWasmcloud,
    /// The JavaScript `wasmcloud-probe` with jco's default features: it carries the preview1
    /// adapter.
    JsWasmcloudWasi,
    /// The JavaScript `wasmcloud-probe` pinning WASI 0.2.6, built by jco's componentize-js
    /// 0.19.3 fallback (the preview1 adapter).
    JsWasmcloudWasi026,
    /// The Rust `wasi-probe` for `wasm32-wasip1`, with the preview1 reactor adapter.
    Wasip1Wasi,
    /// The Rust `wasmcloud-probe` for `wasm32-wasip1`, with the preview1 reactor adapter.
    Wasip1Wasmcloud,
    /// The Python `wasi-probe` (componentize-py).
    PyWasi,
    /// The Python `wasmcloud-probe` (componentize-py).
    PyWasmcloud,
    /// The Rust `wasi-async-probe` (Omnia's async `wasi:messaging`).
    RustWasiAsync,
    /// The Rust `wasmcloud-async-probe` (`wasmcloud:messaging@0.3.0`).
    RustWasmcloudAsync,
}

impl Guest {
    /// Its messaging world.
    pub const fn world(self) -> World {
        match self {
            Guest::RustWasi | Guest::Wasip1Wasi | Guest::PyWasi => World::Wasi,
            Guest::RustWasmcloud
            | Guest::JsWasmcloud
            | Guest::JsWasmcloudWasi
            | Guest::JsWasmcloudWasi026
            | Guest::Wasip1Wasmcloud
            | Guest::PyWasmcloud => World::Wasmcloud,
            Guest::RustWasiAsync => World::WasiAsync,
            Guest::RustWasmcloudAsync => World::WasmcloudAsync,
        }
    }

    /// Whether it is one of the two Rust `wasm32-wasip2` probes, which also run the
    /// scenarios without a probe (the examples) in each form.
    pub fn runs_examples(self) -> bool {
        matches!(self, Guest::RustWasi | Guest::RustWasmcloud)
    }

    /// What it is, for the matrix.
    pub fn describe(self) -> &'static str {
        match self {
            Guest::RustWasi => "wasi-probe (Rust)",
            Guest::RustWasmcloud => "wasmcloud-probe (Rust)",
            Guest::JsWasmcloud => "wasmcloud-probe (JavaScript, jco componentize)",
            Guest::JsWasmcloudWasi => {
                "wasmcloud-probe (JavaScript, jco componentize with its default features)"
            }
            Guest::JsWasmcloudWasi026 => {
                "wasmcloud-probe (JavaScript, WASI 0.2.6 imports: jco's componentize-js 0.19.3 fallback)"
            }
            Guest::Wasip1Wasi => "wasi-probe (Rust wasm32-wasip1, preview1 reactor adapter)",
            Guest::Wasip1Wasmcloud => {
                "wasmcloud-probe (Rust wasm32-wasip1, preview1 reactor adapter)"
            }
            Guest::PyWasi => "wasi-probe (Python, componentize-py)",
            Guest::PyWasmcloud => "wasmcloud-probe (Python, componentize-py)",
            Guest::RustWasiAsync => "wasi-async-probe (Rust, async)",
            Guest::RustWasmcloudAsync => "wasmcloud-async-probe (Rust, async)",
        }
    }

    /// Its component bytes.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Guest::RustWasi => msgbridge_test_artifacts::WASI_PROBE,
            Guest::RustWasmcloud => msgbridge_test_artifacts::WASMCLOUD_PROBE,
            Guest::JsWasmcloud => msgbridge_test_js_artifacts::JS_WASMCLOUD_PROBE,
            Guest::JsWasmcloudWasi => msgbridge_test_js_artifacts::JS_WASMCLOUD_PROBE_WASI,
            Guest::JsWasmcloudWasi026 => msgbridge_test_js_artifacts::JS_WASMCLOUD_PROBE_WASI026,
            Guest::Wasip1Wasi => toolchains::RUST_WASIP1_WASI_PROBE,
            Guest::Wasip1Wasmcloud => toolchains::RUST_WASIP1_WASMCLOUD_PROBE,
            Guest::PyWasi => toolchains::PY_WASI_PROBE,
            Guest::PyWasmcloud => toolchains::PY_WASMCLOUD_PROBE,
            Guest::RustWasiAsync => msgbridge_test_artifacts::WASI_ASYNC_PROBE,
            Guest::RustWasmcloudAsync => msgbridge_test_artifacts::WASMCLOUD_ASYNC_PROBE,
        }
    }
}

/// How a component of the other world is made to run on the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Form {
    /// As it is (the host serves its world).
    Native,
    /// `msgbridge compose` (the default form): the bridge spliced into the guest's own
    /// component.
    Spliced,
    /// `msgbridge compose --portable`: the two halves composed with wac-graph.
    Portable,
    /// `wac plug` (wac-cli) with the halves `msgbridge adapters` writes.
    WacPlug,
    /// `wac compose` (wac-cli) with the files in `wac/` and the halves.
    WacCompose,
}

impl Form {
    /// How it is made, for the matrix.
    pub fn describe(self) -> &'static str {
        match self {
            Form::Native => "native",
            Form::Spliced => "spliced by `msgbridge compose`",
            Form::Portable => "composed `msgbridge compose --portable`",
            Form::WacPlug => "composed with `wac plug` and the halves",
            Form::WacCompose => "composed with `wac compose` and `wac/*.wac`",
        }
    }
}

/// One column of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Configuration {
    /// Short id, used in the matrix and in case files.
    pub id: &'static str,
    /// The probe under test.
    pub guest: Guest,
    /// How it runs.
    pub form: Form,
    /// In a cross-world pair, the native probe (of the host's world) that plays the
    /// harness's repliers.
    pub peer: Option<Guest>,
    /// Whether the probe's instances are warm (kept across messages) rather than fresh.
    pub warm: bool,
    /// The configuration whose runs this one must equal (after the declared losses, when
    /// adapted; exactly, when native); `None` for one checked against the case files only.
    pub reference: Option<&'static str>,
    /// The world the host serves (only that one): the guest's when native, else the world
    /// the guest is adapted for.
    pub host: World,
}

impl Configuration {
    /// Whether the probe is adapted.
    pub fn adapted(&self) -> bool {
        self.form != Form::Native
    }

    /// The world the host serves (only that one).
    pub fn host_world(&self) -> World {
        self.host
    }

    /// The adapter direction, when adapted.
    pub fn direction(&self) -> Option<Direction> {
        self.adapted()
            .then(|| Direction::between(self.guest.world(), self.host).ok())
            .flatten()
    }

    /// The bytes `artifact` runs with on this configuration's host: the probe in the
    /// configuration's form; an example as it is when it speaks the host's world, else
    /// composed in the configuration's form (native configurations use msgbridge's default
    /// composition).
    pub fn bytes(&self, artifact: Artifact) -> Result<Bytes, RunError> {
        let (world, native) = match artifact {
            Artifact::Probe => (self.guest.world(), self.guest.bytes()),
            Artifact::HttpApi => (World::Wasmcloud, msgbridge_examples::HTTP_API),
            Artifact::LeetWorker => (World::Wasmcloud, msgbridge_examples::LEET_WORKER),
            Artifact::ReverseWorker => (World::Wasi, msgbridge_examples::REVERSE_WORKER),
            Artifact::CounterWorker => (World::Wasmcloud, msgbridge_examples::COUNTER_WORKER),
        };
        if world == self.host_world() {
            return Ok(Bytes::from_static(native));
        }
        prepared(native, self.host_world(), self.form)
    }

    /// Why cases without a probe (examples only) do not run in this configuration, if they
    /// do not: they run once per form, with the Rust guests and without peers.
    pub fn skips_examples(&self) -> Option<String> {
        if self.form == Form::WacCompose {
            return Some(
                "the `wac compose` recipe exports only the handler, so components with other \
                 exports (the HTTP example) are composed with `msgbridge compose` instead"
                    .into(),
            );
        }
        if self.host.is_async() != self.guest.world().is_async() {
            return Some(format!(
                "the examples run in `{}`: this configuration adds only a host of the other \
                 kind ({}) for the probe",
                configurations()
                    .into_iter()
                    .find(|c| c.form == self.form
                        && c.guest == self.guest
                        && c.host == self.guest.world().other())
                    .map_or("-", |c| c.id),
                self.host.name()
            ));
        }
        if self.guest.world().is_async() {
            return Some(format!(
                "the examples speak the synchronous worlds: a host serving only {} runs them \
                 only spliced, and the matrix runs them on the synchronous hosts (the \
                 synchronous probes spliced for the async hosts are `spliced-*-on-*-async`)",
                self.host_world().name()
            ));
        }
        if !self.guest.runs_examples() || self.peer.is_some() || self.warm {
            let covered = configurations()
                .into_iter()
                .find(|c| {
                    c.form == self.form
                        && c.guest.world() == self.guest.world()
                        && c.guest.runs_examples()
                        && c.peer.is_none()
                        && !c.warm
                })
                .map_or("-", |c| c.id);
            return Some(format!(
                "no probe in this scenario; its components run in `{covered}`"
            ));
        }
        None
    }

    /// The configuration running the same adapted guest with harness repliers.
    pub fn adapted_alone(&self) -> Option<&'static str> {
        configurations()
            .into_iter()
            .find(|c| c.guest == self.guest && c.form == self.form && c.peer.is_none() && !c.warm)
            .map(|c| c.id)
    }

    /// How it runs, for the matrix.
    pub fn describe(&self) -> String {
        let host = format!(
            "{}host serving only {}",
            if self.warm { "(warm instances) " } else { "" },
            self.host_world().name()
        );
        match (self.form, self.peer) {
            (Form::Native, _) => format!("{}, native, on a {host}", self.guest.describe()),
            (form, None) => format!(
                "{} {} for {}, on a {host}",
                self.guest.describe(),
                form.describe(),
                self.host_world().name()
            ),
            (form, Some(peer)) => format!(
                "{} {} for {}, its repliers native {} on the same {host}",
                self.guest.describe(),
                form.describe(),
                self.host_world().name(),
                peer.describe()
            ),
        }
    }
}

/// `native` composed for `target` in `form`, once per process.
fn prepared(native: &'static [u8], target: World, form: Form) -> Result<Bytes, RunError> {
    type Cache = Mutex<HashMap<(usize, World, Form), Result<Bytes, String>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (native.as_ptr() as usize, target, form);
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    cache
        .entry(key)
        .or_insert_with(|| {
            let compose = |form| {
                let options = msgbridge_compose::ComposeOptions {
                    form,
                    ..msgbridge_compose::ComposeOptions::new(target)
                };
                msgbridge_compose::compose_with(native, &options)
                    .map(|c| c.bytes)
                    .map_err(crate::error_chain)
            };
            let composed = match form {
                Form::Native => compose(None),
                Form::Spliced => compose(Some(msgbridge_compose::Form::Spliced)),
                Form::Portable => compose(Some(msgbridge_compose::Form::Portable)),
                Form::WacPlug => crate::wac::plug(native, target),
                Form::WacCompose => crate::wac::compose(native, target),
            };
            composed.map(Bytes::from)
        })
        .clone()
        .map_err(RunError::Compose)
}

/// Every configuration, in matrix order: block by block (see [`BLOCKS`]), and within a
/// block family by family ([`Family::ALL`]), each family with the block's guests in order.
pub fn configurations() -> Vec<Configuration> {
    in_blocks(BLOCKS)
}

/// The configurations of `blocks`, block by block, family by family.
fn in_blocks(blocks: &[&[GuestIds]]) -> Vec<Configuration> {
    let mut all = Vec::new();
    for block in blocks {
        for family in Family::ALL {
            all.extend(block.iter().filter_map(|ids| family.configuration(ids)));
        }
    }
    all
}

/// The guests of the matrix, in blocks of the matrix order. A new world's probe is one
/// more [`GuestIds`] (its native, spliced and portable ids, `None` for the families it does
/// not run in), in a block of its own or in an existing one.
const BLOCKS: &[&[GuestIds]] = &[
    &[RUST_WASI, RUST_WASMCLOUD],
    &[JS_WASMCLOUD],
    TOOLCHAIN_BLOCK,
    &[RUST_WASI_ASYNC, RUST_WASMCLOUD_ASYNC],
];

/// The toolchain matrix's probes (README, "Adapting"): Rust wasip1, JavaScript carrying the
/// preview1 adapter in both of jco's builds, Python.
const TOOLCHAIN_BLOCK: &[GuestIds] = &[
    JS_WASMCLOUD_WASI,
    JS_WASMCLOUD_WASI026,
    WASIP1_WASI,
    WASIP1_WASMCLOUD,
    PY_WASI,
    PY_WASMCLOUD,
];

/// The Rust `wasi-probe`'s configurations.
const RUST_WASI: GuestIds = GuestIds {
    guest: Guest::RustWasi,
    native_reference: None,
    native: "native-wasi",
    spliced: Some("spliced-wasi"),
    portable: Some("portable-wasi"),
    pairs: Some(Pairs {
        peer: Guest::RustWasmcloud,
        spliced: Some("pair-wasi-wasmcloud"),
        portable: "portable-pair-wasi-wasmcloud",
    }),
    warm_spliced: Some("warm-spliced-wasi"),
    wac_plug: Some("wac-plug-wasi"),
    wac_compose: Some("wac-compose-wasi"),
    across: Some(Across {
        id: "spliced-wasi-on-wasi-async",
        host: World::WasiAsync,
    }),
    across_other: Some(Across {
        id: "spliced-wasi-on-wasmcloud-async",
        host: World::WasmcloudAsync,
    }),
};

/// The Rust `wasmcloud-probe`'s configurations.
const RUST_WASMCLOUD: GuestIds = GuestIds {
    guest: Guest::RustWasmcloud,
    native_reference: None,
    native: "native-wasmcloud",
    spliced: Some("spliced-wasmcloud"),
    portable: Some("portable-wasmcloud"),
    pairs: Some(Pairs {
        peer: Guest::RustWasi,
        spliced: Some("pair-wasmcloud-wasi"),
        portable: "portable-pair-wasmcloud-wasi",
    }),
    warm_spliced: Some("warm-spliced-wasmcloud"),
    wac_plug: Some("wac-plug-wasmcloud"),
    wac_compose: Some("wac-compose-wasmcloud"),
    across: Some(Across {
        id: "spliced-wasmcloud-on-wasmcloud-async",
        host: World::WasmcloudAsync,
    }),
    across_other: Some(Across {
        id: "spliced-wasmcloud-on-wasi-async",
        host: World::WasiAsync,
    }),
};

/// The JavaScript probe's configurations. It must behave byte for byte as the Rust one:
/// natively it is compared with the Rust probe's run (and the case files), adapted with
/// its own native run.
const JS_WASMCLOUD: GuestIds = GuestIds {
    guest: Guest::JsWasmcloud,
    native_reference: Some("native-wasmcloud"),
    native: "js-native-wasmcloud",
    spliced: Some("js-spliced-wasmcloud"),
    portable: Some("js-portable-wasmcloud"),
    pairs: None,
    warm_spliced: None,
    wac_plug: None,
    wac_compose: None,
    across: None,
    across_other: None,
};

/// The Rust async wasi probe's configurations: natively it must behave byte for byte as the
/// synchronous Rust probe; adapted for a wasmcloud-async host (portable: the asynchronous
/// pair has no spliced bridge) as its own native run, but for the declared losses.
const RUST_WASI_ASYNC: GuestIds = GuestIds {
    guest: Guest::RustWasiAsync,
    native_reference: Some(RUST_WASI.native),
    native: "native-wasi-async",
    spliced: None,
    portable: Some("portable-wasi-async"),
    pairs: Some(Pairs {
        peer: Guest::RustWasmcloudAsync,
        spliced: None,
        portable: "portable-pair-wasi-async-wasmcloud-async",
    }),
    warm_spliced: None,
    wac_plug: None,
    wac_compose: None,
    across: None,
    across_other: None,
};

/// The Rust async wasmcloud probe's configurations. Its errors are
/// `wasmcloud:messaging@0.3.0`'s variant, not `@0.2.0`'s strings, so natively it is checked
/// against the case files (`[expect.wasmcloud-async]` where they differ from
/// `[expect.wasmcloud]`); adapted for a wasi-async host (portable) against its native run.
const RUST_WASMCLOUD_ASYNC: GuestIds = GuestIds {
    guest: Guest::RustWasmcloudAsync,
    native_reference: None,
    native: "native-wasmcloud-async",
    spliced: None,
    portable: Some("portable-wasmcloud-async"),
    pairs: Some(Pairs {
        peer: Guest::RustWasiAsync,
        spliced: None,
        portable: "portable-pair-wasmcloud-async-wasi-async",
    }),
    warm_spliced: None,
    wac_plug: None,
    wac_compose: None,
    across: None,
    across_other: None,
};

/// A probe of the toolchain matrix (`msgbridge-test-toolchain-artifacts`, and the JavaScript
/// builds with the preview1 adapter): natively it is compared with the Rust `wasm32-wasip2`
/// probe of its world, adapted (in the form `msgbridge compose` gives it by default) with its
/// own native run.
const fn toolchain(
    guest: Guest,
    native: &'static str,
    adapted: &'static str,
    form: Form,
) -> GuestIds {
    let (spliced, portable) = match form {
        Form::Portable => (None, Some(adapted)),
        _ => (Some(adapted), None),
    };
    GuestIds {
        guest,
        native_reference: Some(match guest.world().sync_counterpart() {
            World::Wasi => RUST_WASI.native,
            _ => RUST_WASMCLOUD.native,
        }),
        native,
        spliced,
        portable,
        pairs: None,
        warm_spliced: None,
        wac_plug: None,
        wac_compose: None,
        across: None,
        across_other: None,
    }
}

/// The JavaScript probe built with jco's default features.
const JS_WASMCLOUD_WASI: GuestIds = toolchain(
    Guest::JsWasmcloudWasi,
    "js-p1-native-wasmcloud",
    "js-p1-spliced-wasmcloud",
    Form::Spliced,
);

/// The JavaScript probe built by jco's componentize-js 0.19.3 fallback.
const JS_WASMCLOUD_WASI026: GuestIds = toolchain(
    Guest::JsWasmcloudWasi026,
    "js-0.19-native-wasmcloud",
    "js-0.19-spliced-wasmcloud",
    Form::Spliced,
);

/// The Rust `wasm32-wasip1` wasi probe.
const WASIP1_WASI: GuestIds = toolchain(
    Guest::Wasip1Wasi,
    "wasip1-native-wasi",
    "wasip1-spliced-wasi",
    Form::Spliced,
);

/// The Rust `wasm32-wasip1` wasmcloud probe.
const WASIP1_WASMCLOUD: GuestIds = toolchain(
    Guest::Wasip1Wasmcloud,
    "wasip1-native-wasmcloud",
    "wasip1-spliced-wasmcloud",
    Form::Spliced,
);

/// The Python wasi probe: dynamically linked, so its default form is the portable one.
const PY_WASI: GuestIds = toolchain(
    Guest::PyWasi,
    "py-native-wasi",
    "py-portable-wasi",
    Form::Portable,
);

/// The Python wasmcloud probe (portable by default, as the wasi one).
const PY_WASMCLOUD: GuestIds = toolchain(
    Guest::PyWasmcloud,
    "py-native-wasmcloud",
    "py-portable-wasmcloud",
    Form::Portable,
);

/// One guest's configurations: the id it has in each family (`None`: the family leaves
/// it out). Its adapted configurations are compared with its native one.
struct GuestIds {
    /// The probe.
    guest: Guest,
    /// What its native configuration is compared with besides the case files (another
    /// probe's native configuration of the same world), if anything.
    native_reference: Option<&'static str>,
    /// [`Family::Native`].
    native: &'static str,
    /// [`Family::Spliced`].
    spliced: Option<&'static str>,
    /// [`Family::Portable`].
    portable: Option<&'static str>,
    /// [`Family::Pair`] and [`Family::PortablePair`].
    pairs: Option<Pairs>,
    /// [`Family::WarmSpliced`].
    warm_spliced: Option<&'static str>,
    /// [`Family::WacPlug`].
    wac_plug: Option<&'static str>,
    /// [`Family::WacCompose`].
    wac_compose: Option<&'static str>,
    /// [`Family::Across`].
    across: Option<Across>,
    /// [`Family::AcrossOther`].
    across_other: Option<Across>,
}

/// A guest spliced for a host of the other kind (synchronous guest, asynchronous host).
struct Across {
    /// The configuration's id.
    id: &'static str,
    /// The host's world.
    host: World,
}

/// A guest's cross-world pairs.
struct Pairs {
    /// The native probe of the host's world that plays the repliers.
    peer: Guest,
    /// The id of the pair with the guest spliced, if its direction has a bridge.
    spliced: Option<&'static str>,
    /// The id of the pair with the guest composed portably.
    portable: &'static str,
}

/// A family of configurations: one way of running a guest, with one configuration per
/// guest that has an id for it.
#[derive(Debug, Clone, Copy)]
enum Family {
    /// The guest as it is.
    Native,
    /// Spliced for the other world's host.
    Spliced,
    /// Composed portably for the other world's host.
    Portable,
    /// Spliced, with native peers of the host's world as its repliers.
    Pair,
    /// Composed portably, with native peers of the host's world as its repliers.
    PortablePair,
    /// Spliced, on warm instances: these serve many messages each, and what the bridge
    /// keeps between messages must not change what a guest sees.
    WarmSpliced,
    /// Composed with `wac plug`.
    WacPlug,
    /// Composed with `wac compose`.
    WacCompose,
    /// Spliced for the async host of its own family ([`GuestIds::across`]).
    Across,
    /// Spliced for the async host of the other family ([`GuestIds::across_other`]).
    AcrossOther,
}

impl Family {
    /// Every family, in matrix order.
    const ALL: [Family; 10] = [
        Family::Native,
        Family::Spliced,
        Family::Portable,
        Family::Pair,
        Family::PortablePair,
        Family::WarmSpliced,
        Family::WacPlug,
        Family::WacCompose,
        Family::Across,
        Family::AcrossOther,
    ];

    /// The guest's configuration in this family, if it has one.
    fn configuration(self, ids: &GuestIds) -> Option<Configuration> {
        let (id, form, peer, warm) = match self {
            Family::Native => (Some(ids.native), Form::Native, None, false),
            Family::Spliced => (ids.spliced, Form::Spliced, None, false),
            Family::Portable => (ids.portable, Form::Portable, None, false),
            Family::Pair => {
                let pairs = ids.pairs.as_ref()?;
                (pairs.spliced, Form::Spliced, Some(pairs.peer), false)
            }
            Family::PortablePair => {
                let pairs = ids.pairs.as_ref()?;
                (
                    Some(pairs.portable),
                    Form::Portable,
                    Some(pairs.peer),
                    false,
                )
            }
            Family::WarmSpliced => (ids.warm_spliced, Form::Spliced, None, true),
            Family::WacPlug => (ids.wac_plug, Form::WacPlug, None, false),
            Family::WacCompose => (ids.wac_compose, Form::WacCompose, None, false),
            Family::Across => (
                ids.across.as_ref().map(|a| a.id),
                Form::Spliced,
                None,
                false,
            ),
            Family::AcrossOther => (
                ids.across_other.as_ref().map(|a| a.id),
                Form::Spliced,
                None,
                false,
            ),
        };
        let host = match (self, form) {
            (Family::Across, _) => ids.across.as_ref()?.host,
            (Family::AcrossOther, _) => ids.across_other.as_ref()?.host,
            (_, Form::Native) => ids.guest.world(),
            _ => ids.guest.world().other(),
        };
        Some(Configuration {
            id: id?,
            guest: ids.guest,
            form,
            peer,
            warm,
            reference: match form {
                Form::Native => ids.native_reference,
                _ => Some(ids.native),
            },
            host,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matrix's columns, their order and what each runs: `id guest form peer warm
    /// reference` (`-` for none).
    #[test]
    fn the_configurations_keep_their_matrix_order_and_references() {
        let rows = |configs: Vec<Configuration>| -> Vec<String> {
            configs
                .iter()
                .map(|c| {
                    let peer = c.peer.map_or("-".to_string(), |p| format!("{p:?}"));
                    let warm = if c.warm { "warm" } else { "-" };
                    let reference = c.reference.unwrap_or("-");
                    format!(
                        "{} {:?} {:?} {peer} {warm} {reference}",
                        c.id, c.guest, c.form
                    )
                })
                .collect()
        };
        let expected = [
            "native-wasi RustWasi Native - - -",
            "native-wasmcloud RustWasmcloud Native - - -",
            "spliced-wasi RustWasi Spliced - - native-wasi",
            "spliced-wasmcloud RustWasmcloud Spliced - - native-wasmcloud",
            "portable-wasi RustWasi Portable - - native-wasi",
            "portable-wasmcloud RustWasmcloud Portable - - native-wasmcloud",
            "pair-wasi-wasmcloud RustWasi Spliced RustWasmcloud - native-wasi",
            "pair-wasmcloud-wasi RustWasmcloud Spliced RustWasi - native-wasmcloud",
            "portable-pair-wasi-wasmcloud RustWasi Portable RustWasmcloud - native-wasi",
            "portable-pair-wasmcloud-wasi RustWasmcloud Portable RustWasi - native-wasmcloud",
            "warm-spliced-wasi RustWasi Spliced - warm native-wasi",
            "warm-spliced-wasmcloud RustWasmcloud Spliced - warm native-wasmcloud",
            "wac-plug-wasi RustWasi WacPlug - - native-wasi",
            "wac-plug-wasmcloud RustWasmcloud WacPlug - - native-wasmcloud",
            "wac-compose-wasi RustWasi WacCompose - - native-wasi",
            "wac-compose-wasmcloud RustWasmcloud WacCompose - - native-wasmcloud",
            "spliced-wasi-on-wasi-async RustWasi Spliced - - native-wasi",
            "spliced-wasmcloud-on-wasmcloud-async RustWasmcloud Spliced - - native-wasmcloud",
            "spliced-wasi-on-wasmcloud-async RustWasi Spliced - - native-wasi",
            "spliced-wasmcloud-on-wasi-async RustWasmcloud Spliced - - native-wasmcloud",
            "js-native-wasmcloud JsWasmcloud Native - - native-wasmcloud",
            "js-spliced-wasmcloud JsWasmcloud Spliced - - js-native-wasmcloud",
            "js-portable-wasmcloud JsWasmcloud Portable - - js-native-wasmcloud",
        ];
        let toolchains = [
            "js-p1-native-wasmcloud JsWasmcloudWasi Native - - native-wasmcloud",
            "js-0.19-native-wasmcloud JsWasmcloudWasi026 Native - - native-wasmcloud",
            "wasip1-native-wasi Wasip1Wasi Native - - native-wasi",
            "wasip1-native-wasmcloud Wasip1Wasmcloud Native - - native-wasmcloud",
            "py-native-wasi PyWasi Native - - native-wasi",
            "py-native-wasmcloud PyWasmcloud Native - - native-wasmcloud",
            "js-p1-spliced-wasmcloud JsWasmcloudWasi Spliced - - js-p1-native-wasmcloud",
            "js-0.19-spliced-wasmcloud JsWasmcloudWasi026 Spliced - - js-0.19-native-wasmcloud",
            "wasip1-spliced-wasi Wasip1Wasi Spliced - - wasip1-native-wasi",
            "wasip1-spliced-wasmcloud Wasip1Wasmcloud Spliced - - wasip1-native-wasmcloud",
            "py-portable-wasi PyWasi Portable - - py-native-wasi",
            "py-portable-wasmcloud PyWasmcloud Portable - - py-native-wasmcloud",
        ];
        let asynchronous = [
            "native-wasi-async RustWasiAsync Native - - native-wasi",
            "native-wasmcloud-async RustWasmcloudAsync Native - - -",
            "portable-wasi-async RustWasiAsync Portable - - native-wasi-async",
            "portable-wasmcloud-async RustWasmcloudAsync Portable - - native-wasmcloud-async",
            "portable-pair-wasi-async-wasmcloud-async RustWasiAsync Portable RustWasmcloudAsync - native-wasi-async",
            "portable-pair-wasmcloud-async-wasi-async RustWasmcloudAsync Portable RustWasiAsync - native-wasmcloud-async",
        ];
        let all: Vec<&str> = expected
            .iter()
            .chain(&toolchains)
            .chain(&asynchronous)
            .copied()
            .collect();
        assert_eq!(rows(configurations()), all);
    }
}
