//! The check: a component's imports and exports against a profile's world, by
//! component-model subtyping (wac-types' [`SubtypeChecker`]).

use std::collections::HashSet;
use std::fmt;

use msgbridge_worlds::{NotAComponent, World};
use serde::Serialize;
use wac_types::{ItemKind, Package, SubtypeChecker, Type, Types, WorldId};

use crate::names::{self, InterfaceName};
use crate::profile::{builtin_imports, Profile};

/// A failure to check: the input is not a component, or the profile cannot be typed.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The input is not WebAssembly at all.
    #[error(
        "the input is not WebAssembly (it does not start with `\\0asm`): pass the component's \
         `.wasm` file"
    )]
    NotWasm,
    /// The input is a core module, not a component.
    #[error(
        "the input is a core WebAssembly module, not a component: build for `wasm32-wasip2`, or \
         make a component of it with `wasm-tools component new` (with the WASI adapter for a \
         `wasm32-wasip1` module), then check that"
    )]
    CoreModule,
    /// The input is a WIT package (a binary `.wasm` of types), not a component.
    #[error(
        "the input is a WIT package, not a component: pass the built component; to check against \
         this WIT, pass it as the host profile instead"
    )]
    WitPackage,
    /// The component does not parse or validate.
    #[error(
        "the component is not valid (it does not parse or validate): rebuild it, or see what is \
         wrong with `wasm-tools validate`"
    )]
    InvalidComponent {
        /// The parser's or validator's error, with its chain.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// The profile's world could not be loaded as a component type.
    #[error(
        "the host profile {profile} could not be loaded as a component type (for a built-in \
         profile this is a bug; for a WIT file, check it with `wasm-tools component wit`)"
    )]
    Profile {
        /// The profile's name.
        profile: String,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

/// What a check found, per import and per export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The profile's name (`wasmcloud-v2`, or `world `W` of PATH`).
    pub host: String,
    /// Every import of the component, in its order.
    pub imports: Vec<ImportCheck>,
    /// Every export of the component, then every export the host calls that the component
    /// does not have.
    pub exports: Vec<ExportCheck>,
}

/// One import of the component and whether the host provides it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportCheck {
    /// The import's name, e.g. `wasi:keyvalue/store@0.2.0-draft`.
    pub name: String,
    /// What the check found.
    #[serde(flatten)]
    pub status: ImportStatus,
}

/// Whether the host provides an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum ImportStatus {
    /// The host provides it (its item is a subtype of the import's).
    Provided {
        /// The host's name for it (a semver-compatible version, e.g.
        /// `wasi:io/streams@0.2.12` for `wasi:io/streams@0.2.0`).
        by: String,
    },
    /// The host provides nothing of that name at a compatible version.
    Missing {
        /// What to do about it.
        advice: String,
    },
    /// The host provides it, with another type.
    TypeMismatch {
        /// The host's name for it.
        provided: String,
        /// Why it does not fit: the subtype checker's explanation, naming the item
        /// (`mismatched type for export `get``) and the types.
        reason: String,
        /// What to do about it.
        advice: String,
    },
}

/// One export: of the component, or one the host calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportCheck {
    /// The component's export name, or, for [`ExportStatus::NotExported`], the host's.
    pub name: String,
    /// What the check found.
    #[serde(flatten)]
    pub status: ExportStatus,
}

/// Whether the host calls an export, and whether its type fits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum ExportStatus {
    /// The host calls it, and its type is a subtype of what the host calls.
    Called {
        /// The host's name for it.
        by: String,
    },
    /// The host would call this export, but the component does not have it (not a
    /// problem: the host calls what there is).
    NotExported,
    /// The host calls it, expecting another type.
    TypeMismatch {
        /// The host's name for it.
        expected: String,
        /// Why it does not fit (the subtype checker's explanation).
        reason: String,
        /// What to do about it.
        advice: String,
    },
    /// A messaging handler (or other messaging interface) this host never calls: the
    /// component would never receive a message.
    Unserved {
        /// What to do about it.
        advice: String,
    },
    /// An export the host does not call itself (other components linked to this one may).
    NotCalled,
}

impl ImportStatus {
    /// Whether the import is satisfied.
    pub fn is_ok(&self) -> bool {
        matches!(self, ImportStatus::Provided { .. })
    }

    /// `provided`, `missing` or `type mismatch`.
    pub fn label(&self) -> &'static str {
        match self {
            ImportStatus::Provided { .. } => "provided",
            ImportStatus::Missing { .. } => "missing",
            ImportStatus::TypeMismatch { .. } => "type mismatch",
        }
    }
}

impl ExportStatus {
    /// Whether the export is fine on this host.
    pub fn is_ok(&self) -> bool {
        !matches!(
            self,
            ExportStatus::TypeMismatch { .. } | ExportStatus::Unserved { .. }
        )
    }

    /// `called`, `not exported`, `type mismatch`, `never called` or `not called`.
    pub fn label(&self) -> &'static str {
        match self {
            ExportStatus::Called { .. } => "called",
            ExportStatus::NotExported => "not exported",
            ExportStatus::TypeMismatch { .. } => "type mismatch",
            ExportStatus::Unserved { .. } => "never called",
            ExportStatus::NotCalled => "not called",
        }
    }
}

impl Report {
    /// Whether the component runs on the host: every import provided with a fitting
    /// type, every export the host calls of a fitting type, and no messaging handler the
    /// host never calls.
    pub fn passes(&self) -> bool {
        self.imports.iter().all(|i| i.status.is_ok())
            && self.exports.iter().all(|e| e.status.is_ok())
    }

    /// One line per problem: the name, what is wrong and what to do.
    pub fn problems(&self) -> Vec<String> {
        let imports = self.imports.iter().filter_map(|i| match &i.status {
            ImportStatus::Provided { .. } => None,
            ImportStatus::Missing { advice } => {
                Some(format!("import {} is missing: {advice}", i.name))
            }
            ImportStatus::TypeMismatch { reason, advice, .. } => Some(format!(
                "import {} has another type on this host: {reason}; {advice}",
                i.name
            )),
        });
        let exports = self.exports.iter().filter_map(|e| match &e.status {
            ExportStatus::TypeMismatch { reason, advice, .. } => Some(format!(
                "export {} has another type than the host calls: {reason}; {advice}",
                e.name
            )),
            ExportStatus::Unserved { advice } => {
                Some(format!("export {} is never called: {advice}", e.name))
            }
            _ => None,
        });
        imports.chain(exports).collect()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "host: {}", self.host)?;
        writeln!(f, "imports:")?;
        if self.imports.is_empty() {
            writeln!(f, "  (none)")?;
        }
        for import in &self.imports {
            write!(f, "  {:<14} {}", import.status.label(), import.name)?;
            match &import.status {
                ImportStatus::Provided { by } if *by != import.name => writeln!(f, " (as {by})")?,
                ImportStatus::Provided { .. } => writeln!(f)?,
                ImportStatus::Missing { advice } => writeln!(f, "\n                 {advice}")?,
                ImportStatus::TypeMismatch { reason, advice, .. } => {
                    writeln!(f, "\n                 {reason}\n                 {advice}")?
                }
            }
        }
        writeln!(f, "exports:")?;
        if self.exports.is_empty() {
            writeln!(f, "  (none)")?;
        }
        for export in &self.exports {
            write!(f, "  {:<14} {}", export.status.label(), export.name)?;
            match &export.status {
                ExportStatus::Called { by } if *by != export.name => writeln!(f, " (as {by})")?,
                ExportStatus::TypeMismatch { reason, advice, .. } => {
                    writeln!(f, "\n                 {reason}\n                 {advice}")?
                }
                ExportStatus::Unserved { advice } => writeln!(f, "\n                 {advice}")?,
                _ => writeln!(f)?,
            }
        }
        let problems = self.problems().len();
        match problems {
            0 => write!(f, "result: pass"),
            1 => write!(f, "result: fail (1 problem)"),
            n => write!(f, "result: fail ({n} problems)"),
        }
    }
}

/// Checks, by type and without running it, whether `component` runs on the host
/// `profile` describes.
///
/// For every import of the component, the profile's world must import an item of the
/// same name at a semver-compatible version (as wasmtime links; `-draft`/`-rc` versions
/// only match themselves) whose type is a subtype of the component's (an instance may
/// offer more functions; a function must have the same type). For every export of the
/// component that the world exports (a handler the host calls), the component's export
/// must be a subtype of the host's. Types are compared by wac-types' [`SubtypeChecker`]
/// on the component and on the world encoded as a binary WIT package.
pub fn check(component: &[u8], profile: &Profile) -> Result<Report, CheckError> {
    match msgbridge_worlds::require_component(component) {
        Err(NotAComponent::NotWasm) => return Err(CheckError::NotWasm),
        Err(NotAComponent::CoreModule) => return Err(CheckError::CoreModule),
        // WebAssembly of another layer: the parser says what is wrong with it.
        Err(NotAComponent::UnknownLayer) | Ok(()) => {}
    }
    let mut types = Types::default();
    let host = HostItems::load(profile, &mut types)?;
    let guest = load_component(component, &mut types)?;
    let mut cache = HashSet::new();
    let mut checker = SubtypeChecker::new(&mut cache);
    Ok(Report {
        host: profile.name().to_string(),
        imports: check_imports(&mut checker, &types, guest, &host.provided, profile),
        exports: check_exports(&mut checker, &types, guest, &host.called, profile),
    })
}

/// A profile's world as items: what the host provides, and the exports it calls.
struct HostItems {
    /// Every interface the world imports, its implicit imports included, by name, once.
    provided: Vec<(String, ItemKind)>,
    /// What the world exports: the component exports the host calls.
    called: Vec<(String, ItemKind)>,
}

impl HostItems {
    /// Loads `profile`'s encoded package into `types` and lists its world's items.
    fn load(profile: &Profile, types: &mut Types) -> Result<HostItems, CheckError> {
        let profile_error = |e: anyhow::Error| CheckError::Profile {
            profile: profile.name().to_string(),
            source: e.into(),
        };
        let host = Package::from_bytes("host-profile", None, profile.package.clone(), types)
            .map_err(profile_error)?;
        let world = match host.definitions().get(&profile.world) {
            Some(ItemKind::Type(Type::World(id))) => *id,
            _ => {
                return Err(profile_error(anyhow::anyhow!(
                    "the encoded package defines no world `{}`",
                    profile.world
                )))
            }
        };
        let host_world = &types[world];
        let mut provided: Vec<(String, ItemKind)> = Vec::new();
        for (name, kind) in host_world
            .implicit_imported_interfaces(types)
            .into_iter()
            .map(|(n, k)| (n.to_string(), k))
            .chain(host_world.imports.iter().map(|(n, k)| (n.clone(), *k)))
        {
            if !provided.iter().any(|(n, _)| *n == name) {
                provided.push((name, kind));
            }
        }
        let called = host_world
            .exports
            .iter()
            .map(|(n, k)| (n.clone(), *k))
            .collect();
        Ok(HostItems { provided, called })
    }
}

/// Loads `component` into `types`: its world, or why it is not a component to check.
fn load_component(component: &[u8], types: &mut Types) -> Result<WorldId, CheckError> {
    let package = Package::from_bytes("component", None, component.to_vec(), types)
        .map_err(|e| CheckError::InvalidComponent { source: e.into() })?;
    if types[package.ty()].imports.is_empty() && !package.definitions().is_empty() {
        return Err(CheckError::WitPackage);
    }
    Ok(package.ty())
}

/// Each import of the `guest` world, and whether (and as what) the host provides it.
fn check_imports(
    checker: &mut SubtypeChecker<'_>,
    types: &Types,
    guest: WorldId,
    provided: &[(String, ItemKind)],
    profile: &Profile,
) -> Vec<ImportCheck> {
    let mut imports = Vec::new();
    for (name, wanted) in &types[guest].imports {
        let found = names::best_match(provided.iter().map(|(n, _)| n.as_str()), name)
            .and_then(|by| provided.iter().find(|(n, _)| n == by));
        let status = match found {
            None => ImportStatus::Missing {
                advice: missing_import_advice(name, profile),
            },
            Some((by, offered)) => {
                match checker.is_subtype(offered.promote(), types, *wanted, types) {
                    Ok(()) => ImportStatus::Provided { by: by.clone() },
                    Err(e) => ImportStatus::TypeMismatch {
                        provided: by.clone(),
                        reason: format!(
                            "{by} as the host provides it does not fit what the component \
                             imports: {e:#} (expected: the component's, found: the host's)"
                        ),
                        advice: mismatched_import_advice(name, by),
                    },
                }
            }
        };
        imports.push(ImportCheck {
            name: name.clone(),
            status,
        });
    }
    imports
}

/// Each export of the `guest` world, and whether (and as what) the host calls it; then
/// each export the host calls that the guest does not have.
fn check_exports(
    checker: &mut SubtypeChecker<'_>,
    types: &Types,
    guest: WorldId,
    called: &[(String, ItemKind)],
    profile: &Profile,
) -> Vec<ExportCheck> {
    let mut exports = Vec::new();
    let mut matched = HashSet::new();
    for (name, offered) in &types[guest].exports {
        let found = names::best_match(called.iter().map(|(n, _)| n.as_str()), name)
            .and_then(|by| called.iter().find(|(n, _)| n == by));
        let status = match found {
            Some((by, expected)) => {
                matched.insert(by.clone());
                match checker.is_subtype(*offered, types, expected.promote(), types) {
                    Ok(()) => ExportStatus::Called { by: by.clone() },
                    Err(e) => ExportStatus::TypeMismatch {
                        expected: by.clone(),
                        reason: format!(
                            "the host calls {by} with another type than the component exports: \
                             {e:#} (expected: the host's, found: the component's)"
                        ),
                        advice: format!(
                            "rebuild the component's export against the WIT of {by} the host \
                             calls"
                        ),
                    },
                }
            }
            None => match World::owning(name) {
                Some(world) => ExportStatus::Unserved {
                    advice: unserved_export_advice(world, profile),
                },
                None => ExportStatus::NotCalled,
            },
        };
        exports.push(ExportCheck {
            name: name.clone(),
            status,
        });
    }
    for (name, _) in called {
        if !matched.contains(name) {
            exports.push(ExportCheck {
                name: name.clone(),
                status: ExportStatus::NotExported,
            });
        }
    }
    exports
}

/// What to do about an import the host does not provide.
fn missing_import_advice(name: &str, profile: &Profile) -> String {
    let host = profile.name();
    if let Some(world) = World::owning(name) {
        let other = world.other();
        if !profile.serves(world) && profile.serves(other) {
            return format!(
                "{host} serves {}, not {}: compose it with `msgbridge compose --target {}`",
                other.package(),
                world.package(),
                other.name()
            );
        }
        if !profile.serves(world) {
            return format!(
                "{host} serves no messaging world: run it on a host serving {} (check with \
                 `--host {}`), or compose it for the messaging world your host serves",
                world.package(),
                if world == World::Wasi {
                    "wasi"
                } else {
                    "wasmcloud-v2"
                }
            );
        }
    }
    let imports = profile.imports().iter().map(String::as_str);
    let same_interface = names::same_interface(imports.clone(), name);
    if let Some(first) = same_interface.first() {
        return format!(
            "{host} serves {}, which does not link with this version (only semver-compatible \
             versions link: 0.2.x with 0.2.y, a pre-release such as -draft or -rc.1 only with \
             itself): rebuild the component against {first}",
            same_interface.join(", ")
        );
    }
    let Some(parsed) = InterfaceName::parse(name) else {
        return format!(
            "{host} provides nothing named `{name}`: remove the import, or plug it by composing \
             the component with one that exports it (e.g. `wac plug`)"
        );
    };
    let same_package = names::same_package(imports, name);
    if !same_package.is_empty() {
        return format!(
            "{host} serves {} but not the interface `{}`: remove the import, or rebuild against \
             the interfaces the host serves",
            same_package.join(", "),
            parsed.interface
        );
    }
    let elsewhere: Vec<&str> = builtin_imports()
        .iter()
        .filter(|(h, _)| Some(*h) != profile.host())
        .filter(|(_, names)| names::best_match(names.iter().map(String::as_str), name).is_some())
        .map(|(h, _)| h.name())
        .collect();
    let package = parsed.package_with_version();
    if elsewhere.is_empty() {
        format!(
            "{host} does not serve {package}, and no built-in profile does: remove the import, \
             plug it with a component that exports it (e.g. `wac plug`), or, if your host serves \
             it, describe the host's world in WIT and check against that file"
        )
    } else {
        format!(
            "{host} does not serve {package}; built-in profiles serving it: {} (check with \
             `--host {}`): run the component on such a host, or remove the import",
            elsewhere.join(", "),
            elsewhere[0]
        )
    }
}

/// What to do about an import the host provides with another type.
fn mismatched_import_advice(name: &str, provided: &str) -> String {
    match World::owning(name) {
        Some(world) => format!(
            "the component was built against another text of {} (an older draft or a \
             look-alike; `msgbridge inspect` tells which): rebuild it against the published {}",
            world.package(),
            world.package()
        ),
        None => format!(
            "the component was built against another text of this interface: rebuild it against \
             the WIT of {provided} the host serves"
        ),
    }
}

/// What to do about a messaging export the host never calls.
fn unserved_export_advice(world: World, profile: &Profile) -> String {
    let host = profile.name();
    let other = world.other();
    if profile.calls_handler_of(other) {
        format!(
            "{host} calls {} handlers, not {}: compose it with `msgbridge compose --target {}`",
            other.package(),
            world.package(),
            other.name()
        )
    } else {
        format!(
            "{host} calls no messaging handler: run it on a host serving {}",
            world.package()
        )
    }
}
