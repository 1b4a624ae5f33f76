//! The configurations of the matrix: which guest runs, natively or adapted, on which host.

use std::str::FromStr;
use std::sync::OnceLock;

use msgbridge_compose::Target;
use msgbridge_host::Worlds;

/// A messaging world a guest speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GuestWorld {
    /// `wasi:messaging@0.2.0-draft`.
    Wasi,
    /// `wasmcloud:messaging@0.2.0`.
    Wasmcloud,
}

impl GuestWorld {
    /// Both worlds.
    pub const ALL: [GuestWorld; 2] = [GuestWorld::Wasi, GuestWorld::Wasmcloud];

    /// `wasi` or `wasmcloud`.
    pub fn name(self) -> &'static str {
        match self {
            GuestWorld::Wasi => "wasi",
            GuestWorld::Wasmcloud => "wasmcloud",
        }
    }

    /// The other world.
    pub fn other(self) -> GuestWorld {
        match self {
            GuestWorld::Wasi => GuestWorld::Wasmcloud,
            GuestWorld::Wasmcloud => GuestWorld::Wasi,
        }
    }

    /// A host serving only this world.
    pub fn only(self) -> Worlds {
        match self {
            GuestWorld::Wasi => Worlds::Wasi,
            GuestWorld::Wasmcloud => Worlds::Wasmcloud,
        }
    }

    /// The composition target of a host serving this world.
    pub fn target(self) -> Target {
        match self {
            GuestWorld::Wasi => Target::Wasi,
            GuestWorld::Wasmcloud => Target::Wasmcloud,
        }
    }
}

impl FromStr for GuestWorld {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "wasi" => Ok(GuestWorld::Wasi),
            "wasmcloud" => Ok(GuestWorld::Wasmcloud),
            other => Err(format!("unknown guest world {other:?}")),
        }
    }
}

/// A guest component the suite runs.
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
    pub fn world(self) -> GuestWorld {
        match self {
            Guest::RustWasi => GuestWorld::Wasi,
            Guest::RustWasmcloud | Guest::JsWasmcloud => GuestWorld::Wasmcloud,
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
    pub fn native_bytes(self) -> &'static [u8] {
        match self {
            Guest::RustWasi => msgbridge_test_artifacts::WASI_PROBE,
            Guest::RustWasmcloud => msgbridge_test_artifacts::WASMCLOUD_PROBE,
            Guest::JsWasmcloud => msgbridge_test_js_artifacts::JS_WASMCLOUD_PROBE,
        }
    }

    /// Its bytes with the bridge spliced in for a host of the other world
    /// (`msgbridge_compose::splice`, never the portable fallback), once per process.
    pub fn spliced_bytes(self) -> Result<&'static [u8], crate::RunError> {
        static WASI: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
        static WASMCLOUD: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
        static JS_WASMCLOUD: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
        let cell = match self {
            Guest::RustWasi => &WASI,
            Guest::RustWasmcloud => &WASMCLOUD,
            Guest::JsWasmcloud => &JS_WASMCLOUD,
        };
        cell.get_or_init(|| {
            let options = msgbridge_compose::ComposeOptions::new(self.world().other().target());
            msgbridge_compose::splice(self.native_bytes(), &options).map_err(|e| e.to_string())
        })
        .as_deref()
        .map_err(|e| crate::RunError::Compose(e.clone()))
    }

    /// Its bytes composed for a host of the other world, composed once per process.
    pub fn adapted_bytes(self) -> Result<&'static [u8], crate::RunError> {
        static WASI: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
        static WASMCLOUD: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
        static JS_WASMCLOUD: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
        let cell = match self {
            Guest::RustWasi => &WASI,
            Guest::RustWasmcloud => &WASMCLOUD,
            Guest::JsWasmcloud => &JS_WASMCLOUD,
        };
        cell.get_or_init(|| {
            msgbridge_compose::compose(self.native_bytes(), self.world().other().target())
                .map_err(|e| e.to_string())
        })
        .as_deref()
        .map_err(|e| crate::RunError::Compose(e.clone()))
    }
}

/// One column of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Configuration {
    /// Short id, used in the matrix and in `not_applicable`.
    pub id: &'static str,
    /// The guest under test.
    pub guest: Guest,
    /// Whether the guest is composed for a host of the other world.
    pub adapted: bool,
    /// When adapted, whether in the spliced form (the bridge inside the guest's component)
    /// rather than the portable one (the two halves around it).
    pub spliced: bool,
    /// In a cross-world pair, the native guest (of the host's world) that plays the
    /// harness's repliers.
    pub peer: Option<Guest>,
    /// The configuration whose runs this one must equal (after documented losses, when
    /// adapted; exactly, when native); `None` for a configuration checked against the case
    /// files only.
    pub reference: Option<&'static str>,
}

impl Configuration {
    /// The world the host serves (only that one).
    pub fn host_world(&self) -> GuestWorld {
        if self.adapted {
            self.guest.world().other()
        } else {
            self.guest.world()
        }
    }

    /// The bytes of the component under test.
    pub fn guest_bytes(&self) -> Result<&'static [u8], crate::RunError> {
        if self.adapted && self.spliced {
            self.guest.spliced_bytes()
        } else if self.adapted {
            self.guest.adapted_bytes()
        } else {
            Ok(self.guest.native_bytes())
        }
    }

    /// The adapter direction, when adapted.
    pub fn direction(&self) -> Option<crate::observe::Direction> {
        self.adapted.then(|| match self.guest.world() {
            GuestWorld::Wasi => crate::observe::Direction::WasiOnWasmcloud,
            GuestWorld::Wasmcloud => crate::observe::Direction::WasmcloudOnWasi,
        })
    }

    /// The configuration running the same adapted guest with harness repliers.
    pub fn adapted_alone(&self) -> Option<&'static str> {
        configurations()
            .into_iter()
            .find(|c| {
                c.guest == self.guest && c.adapted && c.spliced == self.spliced && c.peer.is_none()
            })
            .map(|c| c.id)
    }

    /// How it runs, for the matrix.
    pub fn describe(&self) -> String {
        let host = format!("host serving only {}", self.host_world().name());
        let how = if self.spliced {
            "with the bridge spliced in"
        } else {
            "composed with the portable halves"
        };
        match (self.adapted, self.peer) {
            (false, _) => format!("{}, native, on a {host}", self.guest.describe()),
            (true, None) => format!(
                "{} {how} (`--target {}`), on a {host}",
                self.guest.describe(),
                self.host_world().name()
            ),
            (true, Some(peer)) => format!(
                "{} {how} (`--target {}`), its repliers native {} on the same {host}",
                self.guest.describe(),
                self.host_world().name(),
                peer.describe()
            ),
        }
    }
}

/// Every configuration, in matrix order.
pub fn configurations() -> Vec<Configuration> {
    vec![
        Configuration {
            id: "native-wasi",
            guest: Guest::RustWasi,
            adapted: false,
            spliced: false,
            peer: None,
            reference: None,
        },
        Configuration {
            id: "native-wasmcloud",
            guest: Guest::RustWasmcloud,
            adapted: false,
            spliced: false,
            peer: None,
            reference: None,
        },
        Configuration {
            id: "adapted-wasi",
            guest: Guest::RustWasi,
            adapted: true,
            spliced: false,
            peer: None,
            reference: Some("native-wasi"),
        },
        Configuration {
            id: "adapted-wasmcloud",
            guest: Guest::RustWasmcloud,
            adapted: true,
            spliced: false,
            peer: None,
            reference: Some("native-wasmcloud"),
        },
        Configuration {
            id: "pair-wasi-wasmcloud",
            guest: Guest::RustWasi,
            adapted: true,
            spliced: false,
            peer: Some(Guest::RustWasmcloud),
            reference: Some("native-wasi"),
        },
        Configuration {
            id: "pair-wasmcloud-wasi",
            guest: Guest::RustWasmcloud,
            adapted: true,
            spliced: false,
            peer: Some(Guest::RustWasi),
            reference: Some("native-wasmcloud"),
        },
        // The JavaScript probe must behave byte for byte as the Rust one: natively it is
        // compared with the Rust probe's run (and the case files), adapted with its own
        // native run.
        Configuration {
            id: "js-native-wasmcloud",
            guest: Guest::JsWasmcloud,
            adapted: false,
            spliced: false,
            peer: None,
            reference: Some("native-wasmcloud"),
        },
        Configuration {
            id: "js-adapted-wasmcloud",
            guest: Guest::JsWasmcloud,
            adapted: true,
            spliced: false,
            peer: None,
            reference: Some("js-native-wasmcloud"),
        },
        // The spliced form (the bridge fused into the guest's own component, sharing its
        // memory) must behave exactly as the portable form does.
        Configuration {
            id: "spliced-wasi",
            guest: Guest::RustWasi,
            adapted: true,
            spliced: true,
            peer: None,
            reference: Some("native-wasi"),
        },
        Configuration {
            id: "spliced-wasmcloud",
            guest: Guest::RustWasmcloud,
            adapted: true,
            spliced: true,
            peer: None,
            reference: Some("native-wasmcloud"),
        },
        Configuration {
            id: "spliced-pair-wasi-wasmcloud",
            guest: Guest::RustWasi,
            adapted: true,
            spliced: true,
            peer: Some(Guest::RustWasmcloud),
            reference: Some("native-wasi"),
        },
        Configuration {
            id: "spliced-pair-wasmcloud-wasi",
            guest: Guest::RustWasmcloud,
            adapted: true,
            spliced: true,
            peer: Some(Guest::RustWasi),
            reference: Some("native-wasmcloud"),
        },
        Configuration {
            id: "js-spliced-wasmcloud",
            guest: Guest::JsWasmcloud,
            adapted: true,
            spliced: true,
            peer: None,
            reference: Some("js-native-wasmcloud"),
        },
    ]
}
