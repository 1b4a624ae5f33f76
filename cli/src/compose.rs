//! `msgbridge compose`, `msgbridge inspect` and `msgbridge adapters`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use msgbridge_compose::{
    compose_with, default_form, inspect, plan, ComposeError, ComposeOptions, Form, Inspection,
    InterfaceUse, World,
};
use serde::Serialize;

use crate::output::{print, read_input, write_atomically, write_output};

/// Arguments of `msgbridge compose`.
#[derive(clap::Args)]
pub struct ComposeArgs {
    /// The component to adapt (`-` reads standard input).
    pub guest: PathBuf,
    /// The messaging world of the host it must run on: `wasmcloud`, `wasi`,
    /// `wasmcloud-async` or `wasi-async` (adapters are built between `wasmcloud` and `wasi`).
    #[arg(long)]
    pub target: World,
    /// Where to write the adapted component, atomically (`-` or no `-o`: standard output,
    /// which must not be a terminal).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Name the wasmcloud-on-wasi adapter passes to `client.connect`.
    #[arg(long, default_value = msgbridge_compose::DEFAULT_CLIENT_NAME)]
    pub client_name: String,
    /// Produce the portable form (two adapter components around the guest, as `wac plug`
    /// makes) instead of splicing the bridge into the guest's own component.
    #[arg(long)]
    pub portable: bool,
}

/// Arguments of `msgbridge inspect`.
#[derive(clap::Args)]
pub struct InspectArgs {
    /// The component to inspect (`-` reads standard input).
    pub guest: PathBuf,
    /// Print the report as JSON (schema `msgbridge.inspect/1`, see docs/cli.md).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `msgbridge adapters`.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["out_dir", "list"])))]
pub struct AdaptersArgs {
    /// Directory to write the adapters into (created if missing): the four portable halves
    /// and the two bridges as `.wasm` files, and msgbridge's WIT packages as binary WIT
    /// packages under `wit/`.
    #[arg(short, long)]
    pub out_dir: Option<PathBuf>,
    /// Print the manifest of the prebuilt adapters (SHA-256, size, file) instead.
    #[arg(long)]
    pub list: bool,
}

/// How `path` reads in messages: the file, or `standard input`.
fn shown(path: &Path) -> String {
    if crate::output::is_stdio(path) {
        "standard input".into()
    } else {
        path.display().to_string()
    }
}

/// Runs `msgbridge compose`.
pub fn compose(args: ComposeArgs, quiet: bool) -> Result<()> {
    let guest = read_input(&args.guest)?;
    let options = ComposeOptions {
        target: args.target,
        client_name: args.client_name,
        form: args.portable.then_some(Form::Portable),
    };
    let composed = compose_named(&guest, &options, &shown(&args.guest))?;
    write_output(args.output.as_deref(), &composed.bytes)?;
    if !quiet {
        let why = composed
            .portable_because
            .as_ref()
            .map(|reason| format!(" (not spliceable: {reason})"))
            .unwrap_or_default();
        eprintln!(
            "{} ({} bytes, {} form{why}): {} for a {} host",
            args.output
                .as_deref()
                .filter(|p| !crate::output::is_stdio(p))
                .map_or("wrote standard output".to_string(), |p| format!(
                    "wrote {}",
                    p.display()
                )),
            composed.bytes.len(),
            composed.form.name(),
            shown(&args.guest),
            options.target.name()
        );
    }
    Ok(())
}

/// Composes `guest` as `msgbridge compose` does, its errors naming the input `shown` (`msgbridge
/// compose -` names it `standard input`).
pub fn compose_named(
    guest: &[u8],
    options: &ComposeOptions,
    shown: &str,
) -> Result<msgbridge_compose::Composed> {
    compose_with(guest, options).with_context(|| format!("cannot compose {shown}"))
}

/// Inspects `guest` as `msgbridge inspect` does, its errors naming the input `shown`.
pub fn inspect_named(guest: &[u8], shown: &str) -> Result<Report> {
    let inspection = inspect(guest).with_context(|| format!("cannot inspect {shown}"))?;
    Ok(Report::of(guest, &inspection))
}

/// What `msgbridge inspect --json` prints for a report (schema `msgbridge.inspect/1`),
/// without the final newline.
pub fn report_json(report: &Report) -> Result<String> {
    Ok(serde_json::to_string_pretty(report)?)
}

/// Runs `msgbridge inspect`.
pub fn inspect_command(args: InspectArgs) -> Result<()> {
    let guest = read_input(&args.guest)?;
    let report = inspect_named(&guest, &shown(&args.guest))?;
    if args.json {
        print(&format!("{}\n", report_json(&report)?))?;
    } else {
        print(&report.text())?;
    }
    Ok(())
}

/// What `msgbridge inspect` reports (and prints as JSON, schema `msgbridge.inspect/1`).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `msgbridge.inspect/1`.
    pub schema: &'static str,
    /// `wasi`, `wasmcloud`, `wasi-async` or `wasmcloud-async`.
    pub world: &'static str,
    /// The messaging package, e.g. `wasmcloud:messaging@0.2.0`.
    pub package: &'static str,
    /// Messaging interfaces imported, with the functions used.
    pub messaging_imports: Vec<Interface>,
    /// Messaging interfaces exported.
    pub messaging_exports: Vec<Interface>,
    /// Other imports, passed through to the host when adapted.
    pub other_imports: Vec<String>,
    /// Other exports, kept when adapted.
    pub other_exports: Vec<String>,
    /// Set when msgbridge already adapted this component.
    pub adapted_by_msgbridge: Option<Adapted>,
    /// What adapting it for a host of the other world gives.
    pub other_host: OtherHost,
}

/// One messaging interface and its functions.
#[derive(Debug, Clone, Serialize)]
pub struct Interface {
    /// Its full name.
    pub name: String,
    /// Its functions the component uses.
    pub functions: Vec<String>,
}

/// msgbridge's own mark on a component it adapted.
#[derive(Debug, Clone, Serialize)]
pub struct Adapted {
    /// The msgbridge version.
    pub version: String,
    /// `spliced` or `portable`.
    pub form: &'static str,
}

/// What `msgbridge compose --target OTHER` would do.
#[derive(Debug, Clone, Serialize)]
pub struct OtherHost {
    /// The other world of the same kind: `wasi` and `wasmcloud`, `wasi-async` and
    /// `wasmcloud-async` for each other.
    pub world: &'static str,
    /// `spliced` or `portable`; `null` when it would be refused.
    pub form: Option<&'static str>,
    /// Why the guest would get the portable form.
    pub portable_because: Option<String>,
    /// The halves the portable form plugs (what `wac plug` needs; empty when refused).
    pub halves: Vec<&'static str>,
    /// Why composing would be refused (or is pointless).
    pub refused: Option<String>,
}

fn interfaces(uses: &[InterfaceUse]) -> Vec<Interface> {
    uses.iter()
        .map(|u| Interface {
            name: u.name.clone(),
            functions: u.functions.clone(),
        })
        .collect()
}

impl Report {
    /// The report on `guest`, which `inspection` describes.
    pub fn of(guest: &[u8], inspection: &Inspection) -> Report {
        let other = inspection.world.other();
        let other_host = match (&inspection.adapted, plan(inspection, other)) {
            (Some(adapted), _) => OtherHost {
                world: other.name(),
                form: None,
                portable_because: None,
                halves: Vec::new(),
                // The advice `compose` gives when it refuses the same component.
                refused: Some(
                    ComposeError::AlreadyAdapted {
                        adapted: adapted.clone(),
                        world: inspection.world,
                    }
                    .to_string(),
                ),
            },
            (None, Err(e)) => OtherHost {
                world: other.name(),
                form: None,
                portable_because: None,
                halves: Vec::new(),
                refused: Some(e.to_string()),
            },
            // The same splice attempt compose makes, so the prediction is what it writes.
            (None, Ok(plan)) => match default_form(guest, &ComposeOptions::new(other)) {
                Ok((form, because)) => OtherHost {
                    world: other.name(),
                    form: Some(form.name()),
                    halves: plan.halves(),
                    portable_because: because.map(|reason| reason.to_string()),
                    refused: None,
                },
                Err(e) => OtherHost {
                    world: other.name(),
                    form: None,
                    portable_because: None,
                    halves: Vec::new(),
                    refused: Some(format!("{:#}", anyhow::Error::new(e))),
                },
            },
        };
        Report {
            schema: "msgbridge.inspect/1",
            world: inspection.world.name(),
            package: inspection.world.package(),
            messaging_imports: interfaces(&inspection.messaging_imports),
            messaging_exports: interfaces(&inspection.messaging_exports),
            other_imports: inspection.other_imports.clone(),
            other_exports: inspection.other_exports.clone(),
            adapted_by_msgbridge: inspection.adapted.as_ref().map(|a| Adapted {
                version: a.version.clone(),
                form: a.form.name(),
            }),
            other_host,
        }
    }

    /// The report as text.
    pub fn text(&self) -> String {
        // The world's own display: the package, and for Omnia's variant, which shares the
        // draft's package, that it is the async one.
        let world = self
            .world
            .parse::<World>()
            .map_or_else(|_| self.package.to_string(), |w| w.to_string());
        let mut out = format!("world: {world}\n");
        for (title, uses) in [
            ("imports", &self.messaging_imports),
            ("exports", &self.messaging_exports),
        ] {
            if uses.is_empty() {
                continue;
            }
            let _ = writeln!(out, "messaging {title}:");
            for interface in uses {
                let _ = write!(out, "  {}", interface.name);
                if !interface.functions.is_empty() {
                    let _ = write!(out, " ({})", interface.functions.join(", "));
                }
                out.push('\n');
            }
        }
        let _ = writeln!(
            out,
            "other imports (passed through to the host): {}",
            list(&self.other_imports)
        );
        let _ = writeln!(out, "other exports (kept): {}", list(&self.other_exports));
        let _ = writeln!(out, "runs natively on: a {} host", self.world);
        if let Some(adapted) = &self.adapted_by_msgbridge {
            let _ = writeln!(
                out,
                "adapted by: msgbridge {}, {} form",
                adapted.version, adapted.form
            );
        }
        let host = &self.other_host;
        match (&host.refused, host.form, &host.portable_because) {
            (Some(refused), ..) => {
                let _ = writeln!(out, "for a {} host: {refused}", host.world);
            }
            (None, Some(form), None) => {
                let _ = writeln!(
                    out,
                    "for a {} host, `msgbridge compose --target {0}` gives the {form} form: \
                     the bridge fused into this component, sharing its memory",
                    host.world
                );
            }
            (None, Some(form), Some(because)) => {
                let _ = writeln!(
                    out,
                    "for a {} host, `msgbridge compose --target {0}` gives the {form} form \
                     ({}), because it is not spliceable: {because}",
                    host.world,
                    host.halves.join(" + ")
                );
            }
            (None, None, _) => {}
        }
        if host.refused.is_none() && !host.halves.is_empty() {
            let _ = writeln!(
                out,
                "for `wac plug` (portable form): {} (files from `msgbridge adapters -o DIR`)",
                host.halves
                    .iter()
                    .map(|h| format!("{h}.wasm"))
                    .collect::<Vec<_>>()
                    .join(" + ")
            );
        }
        out
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// Runs `msgbridge adapters`.
pub fn adapters(args: AdaptersArgs) -> Result<()> {
    let Some(out_dir) = args.out_dir else {
        return print(msgbridge_adapters::MANIFEST);
    };
    let wit_dir = out_dir.join("wit");
    std::fs::create_dir_all(&wit_dir)
        .with_context(|| format!("cannot create {}", wit_dir.display()))?;
    for artefact in msgbridge_adapters::ARTEFACTS {
        let path = out_dir.join(artefact.file_name());
        write_atomically(&path, artefact.bytes)?;
        print(&format!("{}\n", path.display()))?;
    }
    let packages = msgbridge_wit::binary_packages().context("cannot encode the WIT packages")?;
    for package in packages {
        let path = wit_dir.join(&package.file_name);
        write_atomically(&path, &package.bytes)?;
        print(&format!("{}\n", path.display()))?;
    }
    Ok(())
}
