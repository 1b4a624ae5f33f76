//! `msgbridge compose`, `msgbridge inspect` and `msgbridge adapters`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use msgbridge_compose::{inspect, plan, ComposeOptions, Inspection, World};

/// Arguments of `msgbridge compose`.
#[derive(clap::Args)]
pub struct ComposeArgs {
    /// The component to adapt.
    pub guest: PathBuf,
    /// The messaging world of the host it must run on: `wasmcloud` or `wasi`.
    #[arg(long)]
    pub target: World,
    /// Where to write the composed component (written atomically).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Name the wasmcloud-on-wasi adapter passes to `client.connect`.
    #[arg(long, default_value = msgbridge_compose::DEFAULT_CLIENT_NAME)]
    pub client_name: String,
    /// Produce the portable form (two adapter components around the guest) instead of
    /// splicing the bridge into the guest's own component.
    #[arg(long)]
    pub portable: bool,
}

/// Arguments of `msgbridge inspect`.
#[derive(clap::Args)]
pub struct InspectArgs {
    /// The component to inspect.
    pub guest: PathBuf,
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

fn read_component(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Writes `bytes` to `path` through a temporary file in the same directory, so that `path`
/// either keeps its old content or gets all of the new one; a new file gets the usual mode
/// (0666 less the umask).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        bail!(
            "cannot write {}: directory {} does not exist",
            path.display(),
            dir.display()
        );
    }
    // Mode 0666 before the umask, as `File::create` would give a new file.
    let mut file = tempfile::Builder::new()
        .prefix(".msgbridge-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Runs `msgbridge compose`.
pub fn compose(args: ComposeArgs) -> Result<()> {
    let guest = read_component(&args.guest)?;
    let options = ComposeOptions {
        target: args.target,
        client_name: args.client_name,
        form: args.portable.then_some(msgbridge_compose::Form::Portable),
    };
    let composed = msgbridge_compose::compose_with(&guest, &options)
        .with_context(|| format!("cannot compose {}", args.guest.display()))?;
    write_atomically(&args.output, &composed.bytes)?;
    eprintln!(
        "wrote {} ({} bytes, {}): {} for a {} host",
        args.output.display(),
        composed.bytes.len(),
        composed.form.name(),
        args.guest.display(),
        options.target.name()
    );
    Ok(())
}

/// Runs `msgbridge inspect`.
pub fn inspect_command(args: InspectArgs) -> Result<()> {
    let guest = read_component(&args.guest)?;
    let inspection =
        inspect(&guest).with_context(|| format!("cannot inspect {}", args.guest.display()))?;
    print!("{}", describe(&inspection));
    Ok(())
}

/// The report `msgbridge inspect` prints.
pub fn describe(inspection: &Inspection) -> String {
    let mut out = format!("world: {}\n", inspection.world);
    for (title, uses) in [
        ("imports", &inspection.messaging_imports),
        ("exports", &inspection.messaging_exports),
    ] {
        out.push_str(&format!("messaging {title}:\n"));
        for interface in uses {
            out.push_str(&format!("  {}", interface.name));
            if !interface.functions.is_empty() {
                out.push_str(&format!(" ({})", interface.functions.join(", ")));
            }
            out.push('\n');
        }
    }
    out.push_str(&format!(
        "other imports (passed through to the host): {}\n",
        list(&inspection.other_imports)
    ));
    out.push_str(&format!(
        "other exports (kept): {}\n",
        list(&inspection.other_exports)
    ));
    let native = inspection.world;
    out.push_str(&format!("runs natively on: a {} host\n", native.name()));
    let other = native.other();
    match plan(inspection, other) {
        Ok(plan) => out.push_str(&format!(
            "for a {} host, msgbridge would plug: {}\n",
            other.name(),
            plan.halves().join(" + ")
        )),
        Err(e) => out.push_str(&format!("for a {} host: {e}\n", other.name())),
    }
    out
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
        print!("{}", msgbridge_adapters::MANIFEST);
        return Ok(());
    };
    let wit_dir = out_dir.join("wit");
    std::fs::create_dir_all(&wit_dir)
        .with_context(|| format!("cannot create {}", wit_dir.display()))?;
    for artefact in msgbridge_adapters::ARTEFACTS {
        let path = out_dir.join(artefact.file_name());
        write_atomically(&path, artefact.bytes)?;
        println!("{}", path.display());
    }
    let packages = msgbridge_wit::binary_packages().context("cannot encode the WIT packages")?;
    for package in packages {
        let path = wit_dir.join(&package.file_name);
        write_atomically(&path, &package.bytes)?;
        println!("{}", path.display());
    }
    Ok(())
}
