//! The npm package's WebAssembly component: `msgbridge-cli`'s command line (without the
//! reference host) and the composer's `compose` and `inspect`, exported through the
//! `msgbridge:npm` WIT package for jco to transpile.

wit_bindgen::generate!({ path: "wit", world: "msgbridge" });

use exports::msgbridge::npm::api::{ComposeOptions, Guest as Api};
use exports::msgbridge::npm::cli::Guest as Cli;
use msgbridge_compose::{Form, World};

/// The name the API's errors give the component, as `msgbridge compose -` does.
const SHOWN: &str = "standard input";

struct Component;

impl Api for Component {
    fn compose(component: Vec<u8>, options: ComposeOptions) -> Result<Vec<u8>, String> {
        let target: World = options.target.parse().map_err(|e| format!("{e}"))?;
        let options = msgbridge_compose::ComposeOptions {
            target,
            client_name: options
                .client_name
                .unwrap_or_else(|| msgbridge_compose::DEFAULT_CLIENT_NAME.to_string()),
            form: options.portable.then_some(Form::Portable),
        };
        msgbridge_cli::compose::compose_named(&component, &options, SHOWN)
            .map(|composed| composed.bytes)
            .map_err(|e| format!("{e:#}"))
    }

    fn inspect(component: Vec<u8>) -> Result<String, String> {
        msgbridge_cli::compose::inspect_named(&component, SHOWN)
            .and_then(|report| msgbridge_cli::compose::report_json(&report))
            .map_err(|e| format!("{e:#}"))
    }
}

impl Cli for Component {
    fn run(args: Vec<String>, cwd: String) -> u8 {
        // Relative paths resolve against the caller's directory (wasi-libc starts in `/`).
        if let Err(e) = std::env::set_current_dir(&cwd) {
            eprintln!("error: cannot enter the directory {cwd}: {e}");
            return 1;
        }
        msgbridge_cli::command::main_with(args)
    }
}

export!(Component);
