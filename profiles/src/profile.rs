//! Host profiles: the built-in ones and a user's WIT world.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::OnceLock;

use msgbridge_worlds::World;
use wit_parser::{PackageId, PackageName, Resolve, SourceMap, WorldId};

use crate::names;
use crate::wit;

/// A kind of host msgbridge has a built-in profile for (unlike `msgbridge_host::Host`, a
/// running host, this only names one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HostKind {
    /// wasmCloud v2's `wash-runtime` (v2.7): WASI 0.2, `wasi:http`, `wasi:config`,
    /// `wasi:keyvalue`, `wasi:blobstore`, `wasi:logging` and `wasmcloud:messaging@0.2.0`;
    /// calls `wasi:http/incoming-handler` and `wasmcloud:messaging/handler`.
    WasmcloudV2,
    /// wasmCloud v2.8's `wash-runtime`: v2.7's profile, serving wasmCloud's async
    /// `wasmcloud:messaging@0.3.0` beside `@0.2.0` and calling either revision's handler.
    WasmcloudV28,
    /// A host serving `wasi:messaging@0.2.0-draft` with WASI 0.2, `wasi:http`,
    /// `wasi:config`, `wasi:logging` and `wasi:keyvalue`; calls `wasi:http/incoming-handler`
    /// and `wasi:messaging/incoming-handler`.
    Wasi,
    /// msgbridge's reference host (`msgbridge run`): WASI 0.2, `wasi:http`, `wasi:config`,
    /// `wasi:logging`, `wasi:keyvalue` and both messaging worlds; calls the HTTP handler and
    /// either messaging handler.
    Reference,
}

impl HostKind {
    /// Every built-in profile.
    pub const ALL: [HostKind; 4] = [
        HostKind::WasmcloudV2,
        HostKind::WasmcloudV28,
        HostKind::Wasi,
        HostKind::Reference,
    ];

    /// The name used with `--host` and in reports: `wasmcloud-v2`, `wasmcloud-v2-8`, `wasi`
    /// or `reference` (also the world's name in `msgbridge:profiles`; `--host` also takes
    /// `wasmcloud-v2.8`).
    pub const fn name(self) -> &'static str {
        match self {
            HostKind::WasmcloudV2 => "wasmcloud-v2",
            HostKind::WasmcloudV28 => "wasmcloud-v2-8",
            HostKind::Wasi => "wasi",
            HostKind::Reference => "reference",
        }
    }

    /// One line saying what the profile stands for.
    pub fn description(self) -> String {
        match self {
            HostKind::WasmcloudV2 => format!(
                "wasmCloud v2 (wash-runtime 2.7), serving {}",
                World::Wasmcloud.package()
            ),
            HostKind::WasmcloudV28 => format!(
                "wasmCloud v2.8 (wash-runtime 2.8), serving {} and {}",
                World::Wasmcloud.package(),
                World::WasmcloudAsync.package()
            ),
            HostKind::Wasi => format!("a host serving {}", World::Wasi.package()),
            HostKind::Reference => {
                "msgbridge's reference host (msgbridge run), serving both messaging worlds".into()
            }
        }
    }
}

impl fmt::Display for HostKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A string that names no built-in profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown host profile `{0}`: use `wasmcloud-v2`, `wasmcloud-v2-8`, `wasi`, `reference`, or \
     the path of a WIT file or directory describing your host's world"
)]
pub struct UnknownHost(pub String);

impl FromStr for HostKind {
    type Err = UnknownHost;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // `wasmcloud-v2.8` is how people write the version; WIT names take no dots.
        let name = s.trim().replace('.', "-");
        HostKind::ALL
            .into_iter()
            .find(|h| h.name().eq_ignore_ascii_case(&name))
            .ok_or_else(|| UnknownHost(s.to_string()))
    }
}

/// A failure to load a host profile.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The argument is neither a built-in profile nor an existing path.
    #[error(transparent)]
    UnknownHost(#[from] UnknownHost),
    /// The WIT path does not exist or cannot be read.
    #[error(
        "cannot read the host's WIT at {}: pass an existing `.wit` file, a directory of them \
         (with its dependencies under `deps/`), or a binary WIT package",
        path.display()
    )]
    Read {
        /// The path given.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The WIT does not parse or resolve.
    #[error(
        "{} is not valid WIT: fix it where the cause below points (a single `.wit` file may \
         use the WASI, messaging, config, key-value, blob-store and logging packages the \
         built-in profiles vendor; put any other dependency under `deps/` next to it)",
        path.display()
    )]
    InvalidWit {
        /// The path given.
        path: PathBuf,
        /// The parser's message, rendered with file, line and column.
        #[source]
        source: WitDiagnostic,
    },
    /// The world named is not in the WIT, or none was named and the WIT has several.
    #[error(
        "{}: {problem}; name one of these worlds with the world option: {}",
        path.display(),
        if available.is_empty() { "(none)".to_string() } else { available.join(", ") }
    )]
    World {
        /// The path given.
        path: PathBuf,
        /// What is wrong (`no world named ...`, `several worlds ...`).
        problem: String,
        /// The worlds the main package defines.
        available: Vec<String>,
        /// The resolver's message.
        #[source]
        source: WitDiagnostic,
    },
    /// A built-in profile was given a world name.
    #[error("the built-in profile `{host}` has one world; a world name (`{world}`) applies only to a WIT file")]
    WorldOnBuiltin {
        /// The profile.
        host: HostKind,
        /// The world name given.
        world: String,
    },
    /// The world could not be encoded as a binary WIT package (a bug, or WIT that
    /// wit-component cannot encode).
    #[error("cannot encode the world `{world}` of {what} as a component type")]
    Encode {
        /// The profile or path.
        what: String,
        /// The world.
        world: String,
        /// The encoder's message.
        #[source]
        source: WitDiagnostic,
    },
    /// The WIT embedded in this crate does not parse (a bug in msgbridge-profiles).
    #[error("msgbridge-profiles' embedded WIT {what} does not parse (a bug; please report it)")]
    Embedded {
        /// Which embedded text.
        what: String,
        /// The parser's message.
        #[source]
        source: WitDiagnostic,
    },
}

/// A message from wit-parser or wit-component, with its whole cause chain rendered (for
/// WIT, with file, line, column and the offending line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WitDiagnostic(pub String);

impl From<wit::EmbeddedError> for ProfileError {
    fn from(e: wit::EmbeddedError) -> Self {
        ProfileError::Embedded {
            what: e.what,
            source: WitDiagnostic(e.message),
        }
    }
}

/// Where a profile comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileSource {
    /// A built-in profile.
    Builtin(HostKind),
    /// A user's WIT: the path given and the world selected in it.
    Wit {
        /// The `.wit` file, directory or binary WIT package.
        path: PathBuf,
        /// The world's name as given, if one was.
        world: Option<String>,
    },
}

/// A host profile: a WIT world whose imports are what the host provides to a component
/// and whose exports are the component's exports the host calls.
///
/// Load one with [`Profile::builtin`], [`Profile::from_wit`] or [`Profile::from_arg`];
/// check a component against it with [`crate::check`].
#[derive(Debug, Clone)]
pub struct Profile {
    name: String,
    description: String,
    source: ProfileSource,
    /// The world's package encoded as a binary WIT package.
    pub(crate) package: Vec<u8>,
    /// The world's name in that package.
    pub(crate) world: String,
    imports: Vec<String>,
    exports: Vec<String>,
}

impl Profile {
    /// A built-in profile.
    pub fn builtin(host: HostKind) -> Result<Profile, ProfileError> {
        let (resolve, package) = wit::profiles_resolve()?;
        let world = resolve.packages[package]
            .worlds
            .get(host.name())
            .copied()
            .ok_or_else(|| ProfileError::Embedded {
                what: "profiles.wit".to_string(),
                source: WitDiagnostic(format!("no world `{}`", host.name())),
            })?;
        Profile::new(
            host.name().to_string(),
            host.description(),
            ProfileSource::Builtin(host),
            &resolve,
            world,
        )
    }

    /// A profile from a user's WIT: a `.wit` file, a directory of `.wit` files (with its
    /// dependencies under `deps/`, as `wkg wit fetch` lays them out), or a binary WIT
    /// package (`.wasm`). `world` selects the world (a plain name of the main package, or
    /// a full `ns:pkg/world@version`); without it the package must define exactly one.
    ///
    /// A `.wit` file, or a directory without `deps/`, may use the packages the built-in
    /// profiles vendor (WASI 0.2.12, `wasi:http`, `wasi:config`, `wasi:keyvalue`,
    /// `wasi:blobstore`, `wasi:logging`, both messaging packages) without providing them;
    /// a package it defines itself (`package wasi:logging@0.1.0-draft { ... }`) replaces
    /// the vendored one.
    pub fn from_wit(path: &Path, world: Option<&str>) -> Result<Profile, ProfileError> {
        let metadata = std::fs::metadata(path).map_err(|source| ProfileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let is_binary = metadata.is_file() && path.extension().is_some_and(|e| e == "wasm");
        let brings_deps = metadata.is_dir() && path.join("deps").is_dir();
        let (resolve, package) = if is_binary || brings_deps {
            push_user_wit(Resolve::default(), path)?
        } else {
            push_with_vendored(path, metadata.is_dir())?
        };
        let available: Vec<String> = resolve.packages[package].worlds.keys().cloned().collect();
        let world_id =
            resolve
                .select_world(&[package], world)
                .map_err(|e| ProfileError::World {
                    path: path.to_path_buf(),
                    problem: match world {
                        Some(w) => format!(
                            "no world `{w}` in package {}",
                            resolve.packages[package].name
                        ),
                        None if available.is_empty() => format!(
                            "package {} defines no world",
                            resolve.packages[package].name
                        ),
                        None => format!(
                            "package {} defines several worlds",
                            resolve.packages[package].name
                        ),
                    },
                    available: available.clone(),
                    source: WitDiagnostic(format!("{e:#}")),
                })?;
        let world_name = resolve.worlds[world_id].name.clone();
        let name = format!("world `{world_name}` of {}", path.display());
        Profile::new(
            name.clone(),
            name,
            ProfileSource::Wit {
                path: path.to_path_buf(),
                world: world.map(str::to_string),
            },
            &resolve,
            world_id,
        )
    }

    /// A profile from a command-line argument: a built-in name (`wasmcloud-v2`, `wasi`,
    /// `reference`, matched first), or else a path handed to [`Profile::from_wit`] with
    /// `world`. Write `./wasi` for a file that has a built-in's name.
    pub fn from_arg(arg: &str, world: Option<&str>) -> Result<Profile, ProfileError> {
        if let Ok(host) = arg.parse::<HostKind>() {
            return match world {
                Some(world) => Err(ProfileError::WorldOnBuiltin {
                    host,
                    world: world.to_string(),
                }),
                None => Profile::builtin(host),
            };
        }
        let path = Path::new(arg);
        let looks_like_path = arg.contains(['/', '\\', '.']) || path.exists();
        if !looks_like_path {
            return Err(UnknownHost(arg.to_string()).into());
        }
        Profile::from_wit(path, world)
    }

    fn new(
        name: String,
        description: String,
        source: ProfileSource,
        resolve: &Resolve,
        world: WorldId,
    ) -> Result<Profile, ProfileError> {
        let w = &resolve.worlds[world];
        let world_name = w.name.clone();
        let encode_error = |message: String| ProfileError::Encode {
            what: name.clone(),
            world: world_name.clone(),
            source: WitDiagnostic(message),
        };
        let package_id = w
            .package
            .ok_or_else(|| encode_error("the world belongs to no package".to_string()))?;
        let package = wit_component::encode(resolve, package_id)
            .map_err(|e| encode_error(format!("{e:#}")))?;
        let imports = w
            .imports
            .keys()
            .map(|k| resolve.name_world_key(k))
            .collect();
        let exports = w
            .exports
            .keys()
            .map(|k| resolve.name_world_key(k))
            .collect();
        Ok(Profile {
            name,
            description,
            source,
            package,
            world: world_name,
            imports,
            exports,
        })
    }

    /// The profile's name: the built-in name, or `world `W` of PATH`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// One line saying what the profile stands for.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Where the profile comes from.
    pub fn source(&self) -> &ProfileSource {
        &self.source
    }

    /// The built-in profile this is, if it is one.
    pub fn host(&self) -> Option<HostKind> {
        match self.source {
            ProfileSource::Builtin(host) => Some(host),
            ProfileSource::Wit { .. } => None,
        }
    }

    /// The world's name.
    pub fn world(&self) -> &str {
        &self.world
    }

    /// What the host provides: the names of the world's imports (interfaces as
    /// `ns:pkg/iface@version`), in the world's order.
    pub fn imports(&self) -> &[String] {
        &self.imports
    }

    /// The component exports the host calls: the names of the world's exports.
    pub fn exports(&self) -> &[String] {
        &self.exports
    }

    /// The profile as a binary WIT package (the world's package, as `wit_component::encode`
    /// makes it), e.g. to write out for `wasm-tools component wit`.
    pub fn wit_package(&self) -> &[u8] {
        &self.package
    }

    /// Whether the host serves `world`'s messaging interfaces to a guest (provides every
    /// interface a guest of it imports, at a compatible version).
    pub fn serves(&self, world: World) -> bool {
        world
            .guest_imports()
            .iter()
            .all(|wanted| self.provides(wanted).is_some())
    }

    /// Whether the host calls `world`'s messaging handler.
    pub fn calls_handler_of(&self, world: World) -> bool {
        names::best_match(
            self.exports.iter().map(String::as_str),
            world.handler_interface(),
        )
        .is_some()
    }

    /// The name of the import the host provides for `wanted`, matched as wasmtime links
    /// (the same interface at a semver-compatible version; see [`crate::compatible`]).
    pub fn provides(&self, wanted: &str) -> Option<&str> {
        names::best_match(self.imports.iter().map(String::as_str), wanted)
    }
}

/// The built-in profiles' import names, for advice ("served by: wasmcloud-v2").
pub(crate) fn builtin_imports() -> &'static [(HostKind, Vec<String>)] {
    static CELL: OnceLock<Vec<(HostKind, Vec<String>)>> = OnceLock::new();
    CELL.get_or_init(|| {
        let Ok((resolve, package)) = wit::profiles_resolve() else {
            return Vec::new();
        };
        HostKind::ALL
            .into_iter()
            .filter_map(|host| {
                let world = *resolve.packages[package].worlds.get(host.name())?;
                let names = resolve.worlds[world]
                    .imports
                    .keys()
                    .map(|k| resolve.name_world_key(k))
                    .collect();
                Some((host, names))
            })
            .collect()
    })
}

/// Pushes the user's WIT at `path` into `resolve`; returns it with the main package.
fn push_user_wit(mut resolve: Resolve, path: &Path) -> Result<(Resolve, PackageId), ProfileError> {
    match resolve.push_path(path) {
        Ok((id, _)) => Ok((resolve, id)),
        Err(e) => {
            // An unreadable file inside a directory surfaces here too.
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                return Err(ProfileError::Read {
                    path: path.to_path_buf(),
                    source: std::io::Error::new(io.kind(), resolve.render_error(&e)),
                });
            }
            Err(ProfileError::InvalidWit {
                path: path.to_path_buf(),
                source: WitDiagnostic(resolve.render_error(&e)),
            })
        }
    }
}

/// Parses the user's `.wit` file or directory (without `deps/`) and resolves it together
/// with the vendored packages it does not define itself (wit-parser must not be given a
/// package twice).
fn push_with_vendored(path: &Path, is_dir: bool) -> Result<(Resolve, PackageId), ProfileError> {
    let mut map = SourceMap::new();
    let read = if is_dir {
        map.push_dir(path)
    } else {
        map.push_file(path)
    };
    read.map_err(|e| match e.downcast_ref::<std::io::Error>() {
        Some(io) => ProfileError::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(io.kind(), format!("{e:#}")),
        },
        None => ProfileError::InvalidWit {
            path: path.to_path_buf(),
            source: WitDiagnostic(format!("{e:#}")),
        },
    })?;
    let group = map.parse().map_err(|(map, e)| ProfileError::InvalidWit {
        path: path.to_path_buf(),
        source: WitDiagnostic(e.render(&map)),
    })?;
    let defined: HashSet<PackageName> = std::iter::once(&group.main)
        .chain(&group.nested)
        .map(|p| p.name.clone())
        .collect();
    let deps = wit::deps_groups()?
        .into_iter()
        .filter(|dep| !defined.contains(&dep.main.name))
        .collect();
    let mut resolve = Resolve::default();
    match resolve.push_groups(group, deps) {
        Ok(id) => Ok((resolve, id)),
        Err(e) => Err(ProfileError::InvalidWit {
            path: path.to_path_buf(),
            source: WitDiagnostic(e.render(&resolve.source_map)),
        }),
    }
}
