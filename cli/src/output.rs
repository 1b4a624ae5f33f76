//! How the command talks to its user: log level (`-v`, `-q`), colour only on a terminal
//! (`--color`, `NO_COLOR`), `-` for stdin and stdout as `wac` and `wasm-tools` accept it,
//! and output files written atomically.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Only when writing to a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (`terminal`) or is not a terminal.
    pub fn enabled(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// Sends the host's and msgbridge's logs to stderr: warnings and up with `-q`, info by
/// default, debug with `-v`, trace with `-vv`; `RUST_LOG` overrides. ANSI colours only
/// as `color` allows for stderr.
pub fn init_logging(verbose: u8, quiet: bool, color: ColorChoice) {
    let default = match (quiet, verbose) {
        (true, _) => "warn",
        (false, 0) => "info",
        (false, 1) => "info,msgbridge_host=debug,msgbridge_cli=debug,msgbridge_compose=debug",
        (false, _) => "debug,msgbridge_host=trace,msgbridge_cli=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(color.enabled(std::io::stderr().is_terminal()))
        .with_writer(std::io::stderr)
        .try_init();
}

/// Writes `text` to standard output. A reader that went away (`msgbridge inspect X | head`)
/// is not an error, as for other command-line tools: the rest is dropped.
pub fn print(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write standard output"),
    }
}

/// Whether `path` means standard input or output.
pub fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Reads `path`, or standard input for `-`.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    if is_stdio(path) {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        return Ok(bytes);
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Writes binary `bytes` to `path` (atomically), or to standard output for `None` or `-`,
/// which must not be a terminal.
pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match path {
        Some(path) if !is_stdio(path) => write_atomically(path, bytes),
        _ => {
            let mut stdout = std::io::stdout();
            if stdout.is_terminal() {
                bail!(
                    "refusing to write a WebAssembly binary to a terminal: give `-o FILE`, or \
                     redirect standard output"
                );
            }
            stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .context("cannot write standard output")
        }
    }
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
    let mut builder = tempfile::Builder::new();
    builder.prefix(".msgbridge-");
    // Mode 0666 before the umask, as `File::create` would give a new file (WASI, the npm
    // package's build, has no modes).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_the_choice_and_the_terminal() {
        assert!(ColorChoice::Always.enabled(false));
        assert!(!ColorChoice::Never.enabled(true));
        assert!(!ColorChoice::Auto.enabled(false));
    }
}
