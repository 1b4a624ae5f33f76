//! Reading a wash project's `.wash/config.yaml` (wash 2.7, `crates/wash/src/config.rs` of
//! github.com/wasmCloud/wasmCloud) as `wash dev` does: the project's own component
//! (`build.component_path`), the `dev.components` beside it with their config
//! (`subscriptions` included) and pooling keys, and the HTTP address (`dev.address`); and,
//! with `--build`, running `build.command` first as wash does (`sh -c` in the project's
//! directory, `WASH_COMPONENT_PATH` set). Paths are relative to the project's directory
//! (the one holding `.wash/`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use msgbridge_host::{default_name, ComponentSpec, InstancePolicy};
use serde::Deserialize;

/// The parts of `.wash/config.yaml` msgbridge uses; other keys are accepted and ignored,
/// as wash itself has many msgbridge has no use for.
#[derive(Debug, Default, Deserialize)]
struct WashConfig {
    #[serde(default)]
    build: Build,
    #[serde(default)]
    dev: Dev,
}

#[derive(Debug, Default, Deserialize)]
struct Build {
    command: Option<String>,
    component_path: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
struct Dev {
    address: Option<String>,
    #[serde(default)]
    components: Vec<DevComponent>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DevComponent {
    name: Option<String>,
    file: Option<PathBuf>,
    image: Option<String>,
    #[serde(default)]
    config: BTreeMap<String, serde_yaml_ng::Value>,
    pool_size: Option<usize>,
    max_invocations: Option<u64>,
}

/// A wash project, as `msgbridge run` runs it.
#[derive(Debug)]
pub struct WashProject {
    /// Its components: the project's own first, then `dev.components`.
    pub specs: Vec<ComponentSpec>,
    /// `dev.address`, the HTTP listen address.
    pub http: Option<SocketAddr>,
    /// Each component's file, by name.
    pub files: BTreeMap<String, PathBuf>,
}

/// A config value as the string wash hands the component.
fn config_value(key: &str, value: &serde_yaml_ng::Value) -> Result<String> {
    use serde_yaml_ng::Value;
    Ok(match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        _ => bail!("config value of {key:?} is not a string, number or boolean"),
    })
}

/// Reads the component file at `path`, saying what to do when the project was not built.
fn read_component(path: &Path, name: Option<String>, from: &str) -> Result<ComponentSpec> {
    if !path.exists() {
        bail!(
            "{} (from {from}) does not exist: build the project first (`wash build`), or \
             run with --build to run its build.command",
            path.display()
        );
    }
    Ok(msgbridge_host::read_spec(path, name)?)
}

/// The wash config at `path`, and the project's directory.
fn read_config(path: &Path) -> Result<(WashConfig, &Path)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read wash config {}", path.display()))?;
    let config: WashConfig = serde_yaml_ng::from_str(&text)
        .with_context(|| format!("wash config {} is not valid", path.display()))?;
    // `.wash/config.yaml` lives in the project's `.wash` directory.
    let project = path
        .parent()
        .and_then(|wash| (wash.file_name() == Some(".wash".as_ref())).then(|| wash.parent())?)
        .or_else(|| path.parent())
        .unwrap_or(Path::new("."));
    Ok((config, project))
}

/// Runs the `build.command` of the project whose wash config is at `path`, as `wash dev`
/// does before it loads the project: `sh -c COMMAND` in the project's directory, with
/// `WASH_COMPONENT_PATH` set to `build.component_path` (absolute) when there is one. Its
/// output goes to stderr. Fails naming the command when it fails or there is none.
pub fn build(path: &Path) -> Result<()> {
    let (config, project) = read_config(path)?;
    let Some(command) = &config.build.command else {
        bail!(
            "{} has no build.command to run: drop --build, or add the command that builds \
             the project",
            path.display()
        );
    };
    eprintln!("msgbridge: building: {command}");
    // `.wash/config.yaml` given relatively: the project is the current directory.
    let dir = if project.as_os_str().is_empty() {
        Path::new(".")
    } else {
        project
    };
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c").arg(command).current_dir(dir);
    if let Some(component) = &config.build.component_path {
        let component = if component.is_absolute() {
            component.clone()
        } else {
            project.join(component)
        };
        let component = std::path::absolute(&component).unwrap_or(component);
        sh.env("WASH_COMPONENT_PATH", component);
    }
    // The command's stdout would mix with the host's: send both to stderr.
    sh.stdout(std::io::stderr());
    let status = sh
        .status()
        .with_context(|| format!("cannot run build.command `{command}` with sh"))?;
    if !status.success() {
        bail!(
            "build.command `{command}` failed ({status}) in {}: fix the build, or run without \
             --build to load what was built last",
            dir.display()
        );
    }
    Ok(())
}

/// Loads the project whose wash config is at `path`.
pub fn load(path: &Path) -> Result<WashProject> {
    let (config, project) = read_config(path)?;
    let resolve = |p: &Path| {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            project.join(p)
        }
    };
    let mut specs = Vec::new();
    let mut files = BTreeMap::new();
    if let Some(main) = &config.build.component_path {
        let path = resolve(main);
        let spec = read_component(&path, None, "build.component_path")?;
        files.insert(spec.name.clone(), path);
        specs.push(spec);
    }
    for (i, component) in config.dev.components.iter().enumerate() {
        let Some(file) = &component.file else {
            bail!(
                "dev.components[{i}]{} has no `file`{}: msgbridge runs local files only",
                component
                    .name
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default(),
                component
                    .image
                    .as_ref()
                    .map(|i| format!(" (it names the image {i})"))
                    .unwrap_or_default()
            );
        };
        let path = resolve(file);
        let name = match &component.name {
            Some(name) => name.clone(),
            None => default_name(&path)?,
        };
        let mut spec = read_component(&path, Some(name), &format!("dev.components[{i}].file"))?;
        for (key, value) in &component.config {
            spec.config.insert(key.clone(), config_value(key, value)?);
        }
        files.insert(spec.name.clone(), path.clone());
        if let Some(pool_size) = component.pool_size.filter(|n| *n > 0) {
            spec.instances = InstancePolicy::Warm {
                pool_size,
                max_invocations: component.max_invocations.unwrap_or(u64::MAX),
            };
        }
        specs.push(spec);
    }
    let http = match &config.dev.address {
        Some(address) => Some(
            address
                .parse()
                .with_context(|| format!("dev.address {address:?} is not an address"))?,
        ),
        None => None,
    };
    Ok(WashProject { specs, http, files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_reads_its_components_config_and_address() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".wash")).unwrap();
        std::fs::create_dir_all(dir.path().join("build")).unwrap();
        std::fs::write(dir.path().join("build/api.wasm"), b"\0asm").unwrap();
        std::fs::write(dir.path().join("leet.wasm"), b"\0asm").unwrap();
        let config = dir.path().join(".wash/config.yaml");
        std::fs::write(
            &config,
            "build:\n  command: cargo build\n  component_path: build/api.wasm\n\
             dev:\n  address: 127.0.0.1:8000\n  components:\n\
             \x20   - name: task-leet\n      file: leet.wasm\n      poolSize: 4\n\
             \x20     config:\n        subscriptions: tasks.leet\n        leet.mode: upper\n\
             \x20       retries: 3\n",
        )
        .unwrap();
        let project = load(&config).unwrap();
        assert_eq!(project.http, Some("127.0.0.1:8000".parse().unwrap()));
        assert_eq!(project.specs.len(), 2);
        assert_eq!(project.specs[0].name, "api");
        let leet = &project.specs[1];
        assert_eq!(leet.name, "task-leet");
        assert_eq!(leet.all_subscriptions(), ["tasks.leet"]);
        assert_eq!(leet.config["leet.mode"], "upper");
        assert_eq!(leet.config["retries"], "3");
        assert_eq!(
            leet.instances,
            InstancePolicy::Warm {
                pool_size: 4,
                max_invocations: u64::MAX
            }
        );
    }

    #[test]
    fn a_project_that_was_not_built_says_so() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".wash")).unwrap();
        let config = dir.path().join(".wash/config.yaml");
        std::fs::write(&config, "build:\n  component_path: build/api.wasm\n").unwrap();
        let err = load(&config).unwrap_err().to_string();
        assert!(err.contains("build/api.wasm"), "{err}");
        assert!(err.contains("wash build"), "{err}");
        std::fs::write(
            &config,
            "dev:\n  components:\n    - name: x\n      image: ghcr.io/x:1\n",
        )
        .unwrap();
        let err = load(&config).unwrap_err().to_string();
        assert!(err.contains("ghcr.io/x:1"), "{err}");
        std::fs::write(&config, "dev: [").unwrap();
        let err = format!("{:#}", load(&config).unwrap_err());
        assert!(err.contains("is not valid"), "{err}");
    }
}
