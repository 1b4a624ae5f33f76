//! `msgbridge-wit-check REFERENCE_DIR ASYNC_REFERENCE_DIR`: fails (exit 1) when the bridged
//! packages in the repository's `wit/deps/` are not structurally identical to the upstream
//! texts in `REFERENCE_DIR` (one directory per package, as `wkg wit fetch` lays them out),
//! when the async packages in `wit/async/` are not structurally identical to those in
//! `ASYNC_REFERENCE_DIR`, or when a doc comment of either tree was copied from its
//! reference instead of written in msgbridge's own words.
//!
//! CI runs it against `../shared/wit-reference` and `../shared/wit-async`:
//! `cargo run -p msgbridge-wit --bin msgbridge-wit-check -- ../shared/wit-reference ../shared/wit-async`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use msgbridge_wit::{copied_doc_lines, structural_differences, WitError};

/// Checks `ours` against `reference`, printing every finding; `Ok(true)` when clean.
fn check(ours: &Path, reference: &Path, name: &str) -> Result<bool, WitError> {
    let differences = structural_differences(ours, reference)?;
    let copied = copied_doc_lines(ours, reference)?;
    for difference in &differences {
        eprintln!("{name}: {difference}\n");
    }
    for line in &copied {
        eprintln!("{name}: doc line copied from the reference: {line}");
    }
    let clean = differences.is_empty() && copied.is_empty();
    if clean {
        println!(
            "{name} is structurally identical to {}, in msgbridge's own words",
            reference.display()
        );
    }
    Ok(clean)
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(reference), Some(async_reference), None) = (args.next(), args.next(), args.next())
    else {
        eprintln!("usage: msgbridge-wit-check REFERENCE_DIR ASYNC_REFERENCE_DIR");
        return ExitCode::from(2);
    };
    let wit = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../wit");
    let trees = [
        (wit.join("deps"), PathBuf::from(reference), "wit/deps"),
        (
            wit.join("async"),
            PathBuf::from(async_reference),
            "wit/async",
        ),
    ];
    let mut clean = true;
    for (ours, reference, name) in &trees {
        match check(ours, reference, name) {
            Ok(ok) => clean &= ok,
            Err(e) => {
                eprintln!("error: {name}: {e}");
                clean = false;
            }
        }
    }
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
