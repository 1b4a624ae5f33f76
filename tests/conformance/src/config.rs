//! The configurations of the matrix: which guest runs, in which form, on which host.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use bytes::Bytes;
use msgbridge_worlds::{Direction, World};

use crate::case::Artifact;
use crate::RunError;

/// A probe the suite runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Guest {
    /// The Rust `wasi-probe`.
    RustWasi,
    /// The Rust `wasmcloud-probe`.
    RustWasmcloud,
    /// The JavaScript `wasmcloud-probe` (`jco componentize`).
    JsWasmcloud,
}

impl Guest {
    /// Its messaging world.
    pub fn world(self) -> World {
        match self {
            Guest::RustWasi => World::Wasi,
            Guest::RustWasmcloud | Guest::JsWasmcloud => World::Wasmcloud,
        }
    }

    /// What it is, for the matrix.
    pub fn describe(self) -> &'static str {
        match self {
            Guest::RustWasi => "wasi-probe (Rust)",
            Guest::RustWasmcloud => "wasmcloud-probe (Rust)",
            Guest::JsWasmcloud => "wasmcloud-probe (JavaScript, jco componentize)",
        }
    }

    /// Its component bytes.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Guest::RustWasi => msgbridge_test_artifacts::WASI_PROBE,
            Guest::RustWasmcloud => msgbridge_test_artifacts::WASMCLOUD_PROBE,
            Guest::JsWasmcloud => msgbridge_test_js_artifacts::JS_WASMCLOUD_PROBE,
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
}

impl Configuration {
    /// Whether the probe is adapted.
    pub fn adapted(&self) -> bool {
        self.form != Form::Native
    }

    /// The world the host serves (only that one).
    pub fn host_world(&self) -> World {
        if self.adapted() {
            self.guest.world().other()
        } else {
            self.guest.world()
        }
    }

    /// The adapter direction, when adapted.
    pub fn direction(&self) -> Option<Direction> {
        self.adapted()
            .then(|| Direction::from_guest(self.guest.world()))
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
        prepared(native, world.other(), self.form)
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
        if self.guest == Guest::JsWasmcloud || self.peer.is_some() || self.warm {
            let covered = configurations()
                .into_iter()
                .find(|c| {
                    c.form == self.form
                        && c.guest.world() == self.guest.world()
                        && c.guest != Guest::JsWasmcloud
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
    type Cache = Mutex<HashMap<(usize, Form), Result<Bytes, String>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (native.as_ptr() as usize, form);
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

/// Every configuration, in matrix order.
pub fn configurations() -> Vec<Configuration> {
    use Form::*;
    use Guest::*;
    let config = |id, guest, form, peer, reference| Configuration {
        id,
        guest,
        form,
        peer,
        warm: false,
        reference,
    };
    let warm = |id, guest, reference| Configuration {
        warm: true,
        ..config(id, guest, Spliced, None, reference)
    };
    vec![
        config("native-wasi", RustWasi, Native, None, None),
        config("native-wasmcloud", RustWasmcloud, Native, None, None),
        config("spliced-wasi", RustWasi, Spliced, None, Some("native-wasi")),
        config(
            "spliced-wasmcloud",
            RustWasmcloud,
            Spliced,
            None,
            Some("native-wasmcloud"),
        ),
        config(
            "portable-wasi",
            RustWasi,
            Portable,
            None,
            Some("native-wasi"),
        ),
        config(
            "portable-wasmcloud",
            RustWasmcloud,
            Portable,
            None,
            Some("native-wasmcloud"),
        ),
        config(
            "pair-wasi-wasmcloud",
            RustWasi,
            Spliced,
            Some(RustWasmcloud),
            Some("native-wasi"),
        ),
        config(
            "pair-wasmcloud-wasi",
            RustWasmcloud,
            Spliced,
            Some(RustWasi),
            Some("native-wasmcloud"),
        ),
        config(
            "portable-pair-wasi-wasmcloud",
            RustWasi,
            Portable,
            Some(RustWasmcloud),
            Some("native-wasi"),
        ),
        config(
            "portable-pair-wasmcloud-wasi",
            RustWasmcloud,
            Portable,
            Some(RustWasi),
            Some("native-wasmcloud"),
        ),
        // Warm instances serve many messages each: what the bridge keeps between messages
        // must not change what a guest sees.
        warm("warm-spliced-wasi", RustWasi, Some("native-wasi")),
        warm(
            "warm-spliced-wasmcloud",
            RustWasmcloud,
            Some("native-wasmcloud"),
        ),
        config(
            "wac-plug-wasi",
            RustWasi,
            WacPlug,
            None,
            Some("native-wasi"),
        ),
        config(
            "wac-plug-wasmcloud",
            RustWasmcloud,
            WacPlug,
            None,
            Some("native-wasmcloud"),
        ),
        config(
            "wac-compose-wasi",
            RustWasi,
            WacCompose,
            None,
            Some("native-wasi"),
        ),
        config(
            "wac-compose-wasmcloud",
            RustWasmcloud,
            WacCompose,
            None,
            Some("native-wasmcloud"),
        ),
        // The JavaScript probe must behave byte for byte as the Rust one: natively it is
        // compared with the Rust probe's run (and the case files), adapted with its own
        // native run.
        config(
            "js-native-wasmcloud",
            JsWasmcloud,
            Native,
            None,
            Some("native-wasmcloud"),
        ),
        config(
            "js-spliced-wasmcloud",
            JsWasmcloud,
            Spliced,
            None,
            Some("js-native-wasmcloud"),
        ),
        config(
            "js-portable-wasmcloud",
            JsWasmcloud,
            Portable,
            None,
            Some("js-native-wasmcloud"),
        ),
    ]
}
