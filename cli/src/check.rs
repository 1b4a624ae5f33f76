//! `msgbridge check GUEST.wasm --host PROFILE`: does this component run on that host?
//!
//! The check is by type, without running anything: the component's imports and exports
//! are compared with a host profile (`wasmcloud-v2`, `wasi`, `reference`, or a world of a
//! WIT file; see `msgbridge_profiles`). A component speaking a messaging world the host
//! does not serve is first composed for the world it does serve, as
//! `msgbridge compose --target ...` would, and the composed component is checked. The exit
//! status is non-zero when the component does not pass, so the command fits a CI pipeline;
//! `--json` prints the report as JSON (schema `msgbridge.check/1`, see `docs/cli.md`).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use msgbridge_compose::{compose_with, inspect, ComposeOptions, InspectError, World};
use msgbridge_profiles::{HostKind, Profile};
use serde::Serialize;

use crate::output::read_input;

/// The schema name `--json` output carries.
pub const JSON_SCHEMA: &str = "msgbridge.check/1";

/// Arguments of `msgbridge check`.
#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("profile").required(true).args(["host", "target"])))]
pub struct CheckArgs {
    /// The component to check (`-` reads standard input).
    pub guest: PathBuf,
    /// The host to check against: `wasmcloud-v2`, `wasi`, `reference`, or a WIT world (a
    /// `.wit` file, a directory of them, or a binary WIT package) standing for a host.
    #[arg(long, value_name = "NAME|PATH")]
    pub host: Option<String>,
    /// Shorthand for the built-in profile of a messaging world's host: `wasmcloud` is
    /// `--host wasmcloud-v2`, `wasi` is `--host wasi`.
    #[arg(long, value_name = "WORLD")]
    pub target: Option<World>,
    /// The world of a WIT `--host` to use, when its package defines several.
    #[arg(long, value_name = "NAME", requires = "host")]
    pub world: Option<String>,
    /// Print the report as JSON (schema `msgbridge.check/1`).
    #[arg(long)]
    pub json: bool,
}

impl CheckArgs {
    /// The profile the arguments name.
    pub fn profile(&self) -> Result<Profile> {
        let profile = match (&self.host, self.target) {
            (Some(host), _) => Profile::from_arg(host, self.world.as_deref())
                .with_context(|| format!("cannot load the host profile {host:?}"))?,
            (None, Some(world)) => {
                let Some(kind) = builtin_for(world) else {
                    bail!(
                        "there is no built-in profile of a {} host yet: check against a WIT \
                         description of the host's world with --host PATH",
                        world.name()
                    )
                };
                Profile::builtin(kind).context("cannot load a built-in host profile")?
            }
            (None, None) => bail!("give the host to check against: --host NAME|PATH or --target"),
        };
        Ok(profile)
    }
}

/// The built-in profile of the host a messaging world's components run on, if there is
/// one (none of Omnia's yet: its package has the synchronous draft's name, which the
/// built-in profiles' one WIT resolve already holds).
pub fn builtin_for(world: World) -> Option<HostKind> {
    match world {
        World::Wasmcloud => Some(HostKind::WasmcloudV2),
        World::WasmcloudAsync => Some(HostKind::WasmcloudV28),
        World::Wasi => Some(HostKind::Wasi),
        World::WasiAsync => None,
    }
}

/// How the checked component was composed before the check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Composed {
    /// The messaging world it was composed for (`wasmcloud` or `wasi`).
    pub target: String,
    /// The form: `spliced` or `portable`.
    pub form: String,
    /// The command that makes the same component.
    pub command: String,
}

/// What `msgbridge check` found (and prints as JSON, schema `msgbridge.check/1`).
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// Always [`JSON_SCHEMA`].
    pub schema: &'static str,
    /// The component as given (a path, or `-`).
    pub guest: String,
    /// The profile's name.
    pub host: String,
    /// Whether it runs on the host.
    pub passes: bool,
    /// The messaging world the component speaks (`wasi:messaging@0.2.0-draft` or
    /// `wasmcloud:messaging@0.2.0`), if it speaks one msgbridge bridges.
    pub guest_world: Option<String>,
    /// Whether msgbridge had already adapted it.
    pub already_adapted: bool,
    /// How it was composed for the host before the check, if it was.
    pub composed: Option<Composed>,
    /// Why msgbridge could not adapt its messaging, if that was tried and failed.
    pub not_adaptable: Option<String>,
    /// The component's imports, each with what the host provides.
    pub imports: Vec<msgbridge_profiles::ImportCheck>,
    /// The component's exports and the host's calls.
    pub exports: Vec<msgbridge_profiles::ExportCheck>,
    /// One line per problem.
    pub problems: Vec<String>,
    /// The profile's report, for the text form.
    #[serde(skip)]
    report: msgbridge_profiles::Report,
}

impl CheckReport {
    /// The text `msgbridge check` prints.
    pub fn text(&self) -> String {
        let mut out = format!("check: {} against host {}\n", self.guest, self.host);
        match (&self.guest_world, &self.composed) {
            (Some(world), Some(composed)) => out.push_str(&format!(
                "guest: speaks {world}; checked as composed for a {} host ({} form, as `{}` makes it)\n",
                composed.target, composed.form, composed.command
            )),
            (Some(world), None) if self.already_adapted => out.push_str(&format!(
                "guest: speaks {world} (already adapted by msgbridge)\n"
            )),
            (Some(world), None) => out.push_str(&format!("guest: speaks {world}\n")),
            (None, _) => {}
        }
        if let Some(reason) = &self.not_adaptable {
            out.push_str(&format!(
                "note: msgbridge cannot adapt its messaging: {reason}\n"
            ));
        }
        out.push_str(&self.report.to_string());
        out.push('\n');
        out
    }
}

/// Checks `bytes` against `profile`: composes it first when it speaks a messaging world
/// the host does not serve and the host serves the other one. `guest` names it in the
/// report. Fails only when the component cannot be read as one or cannot be composed;
/// a component that does not fit the host is a report that does not pass.
pub fn check_bytes(bytes: &[u8], guest: &str, profile: &Profile) -> Result<CheckReport> {
    let (guest_world, already_adapted, not_adaptable) = match inspect(bytes) {
        // An async guest on a host that does not serve its world: no adapter is built yet.
        Ok(inspection)
            if inspection.world.is_async()
                && !(profile.serves(inspection.world)
                    && profile.calls_handler_of(inspection.world)) =>
        {
            let host = World::SYNC
                .into_iter()
                .find(|w| profile.serves(*w))
                .unwrap_or(inspection.world.sync_counterpart());
            let reason = msgbridge_worlds::NotBuilt {
                guest: inspection.world,
                host,
            };
            (
                Some(inspection.world),
                inspection.adapted.is_some(),
                Some(reason.to_string()),
            )
        }
        Ok(inspection) => (Some(inspection.world), inspection.adapted.is_some(), None),
        // Not a messaging component, or not one msgbridge can read: check it as it is
        // (the profile check says what is wrong with the bytes, if anything).
        Err(InspectError::NoMessaging { .. })
        | Err(InspectError::NotWasm)
        | Err(InspectError::CoreModule)
        | Err(InspectError::UnknownLayer)
        | Err(InspectError::WitPackage) => (None, false, None),
        Err(other) => (
            None,
            false,
            Some(format!("{:#}", anyhow::Error::new(other))),
        ),
    };
    let target = guest_world.and_then(|world| {
        let reached = profile.serves(world) && profile.calls_handler_of(world);
        let other = world.other();
        (!world.is_async() && !reached && profile.serves(other)).then_some(other)
    });
    let (checked, composed) = match target {
        Some(target) => {
            let composed =
                compose_with(bytes, &ComposeOptions::new(target)).with_context(|| {
                    format!(
                        "{guest} speaks {}, which host {} does not serve, and cannot be composed \
                     for the {} world it serves",
                        guest_world.map(|w| w.to_string()).unwrap_or_default(),
                        profile.name(),
                        target.name()
                    )
                })?;
            let form = composed.form.name();
            let command = format!("msgbridge compose {guest} --target {}", target.name());
            (
                composed.bytes,
                Some(Composed {
                    target: target.name().to_string(),
                    form: form.to_string(),
                    command,
                }),
            )
        }
        None => (bytes.to_vec(), None),
    };
    let report = msgbridge_profiles::check(&checked, profile)
        .with_context(|| format!("cannot check {guest}"))?;
    Ok(CheckReport {
        schema: JSON_SCHEMA,
        guest: guest.to_string(),
        host: report.host.clone(),
        passes: report.passes(),
        guest_world: guest_world.map(|w| w.to_string()),
        already_adapted,
        composed,
        not_adaptable,
        imports: report.imports.clone(),
        exports: report.exports.clone(),
        problems: report.problems(),
        report,
    })
}

/// How a path is named in the report: as given, `-` for standard input.
fn named(path: &Path) -> String {
    path.display().to_string()
}

/// Runs `msgbridge check`: prints the report (text or JSON) and fails (non-zero exit)
/// when the component does not pass.
pub fn check(args: CheckArgs) -> Result<()> {
    let profile = args.profile()?;
    let bytes = read_input(&args.guest)?;
    let guest = named(&args.guest);
    let report = check_bytes(&bytes, &guest, &profile)?;
    if args.json {
        crate::output::print(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        crate::output::print(&report.text())?;
    }
    if !report.passes {
        let n = report.problems.len();
        bail!(
            "{guest} does not run on host {}: {n} problem{} (listed above)",
            report.host,
            if n == 1 { "" } else { "s" }
        );
    }
    Ok(())
}
