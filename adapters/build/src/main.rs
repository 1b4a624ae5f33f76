//! `msgbridge-adapters-build [--check]`: rebuilds `adapters/provider/artefacts/` from `adapters/`
//! (see the library docs); with `--check`, rebuilds into a temporary directory and exits
//! non-zero naming every file that differs from the committed one.

use std::process::ExitCode;

use msgbridge_adapters_build::{build, committed_dir, differences, repository};

fn main() -> ExitCode {
    let check = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--check") => true,
        Some(other) => {
            eprintln!("usage: msgbridge-adapters-build [--check] (unknown argument {other:?})");
            return ExitCode::from(2);
        }
    };
    if check {
        return match differences() {
            Ok(differ) if differ.is_empty() => {
                println!(
                    "adapters/provider/artefacts is reproducible: every file matches a fresh build"
                );
                ExitCode::SUCCESS
            }
            Ok(differ) => {
                for file in differ {
                    eprintln!("adapters/provider/artefacts/{file} differs from a fresh build");
                }
                eprintln!(
                    "regenerate with `cargo run -p msgbridge-adapters-build` and commit the result"
                );
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("error: {}", chain(&e));
                ExitCode::FAILURE
            }
        };
    }
    let scratch = repository().join("target/adapters-build");
    match build(&committed_dir(), &scratch) {
        Ok(built) => {
            for (artefact, bytes) in built {
                println!(
                    "adapters/provider/artefacts/{} ({} bytes)",
                    artefact.file_name(),
                    bytes.len()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", chain(&e));
            ExitCode::FAILURE
        }
    }
}

/// `error` and its sources, joined with `: `.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}
