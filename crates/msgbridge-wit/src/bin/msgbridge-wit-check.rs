//! `msgbridge-wit-check REFERENCE_DIR`: fails (exit 1) when the bridged packages in the
//! repository's `wit/deps/` are not structurally identical to the upstream texts in
//! `REFERENCE_DIR` (one directory per package, as `wkg wit fetch` lays them out), or when a
//! doc comment was copied from them instead of written in msgbridge's own words.
//!
//! CI runs it against `../shared/wit-reference`:
//! `cargo run -p msgbridge-wit --bin msgbridge-wit-check -- ../shared/wit-reference`.

use std::path::PathBuf;
use std::process::ExitCode;

use msgbridge_wit::{copied_doc_lines, structural_differences};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(reference), None) = (args.next(), args.next()) else {
        eprintln!("usage: msgbridge-wit-check REFERENCE_DIR");
        return ExitCode::from(2);
    };
    let reference = PathBuf::from(reference);
    let ours = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../wit/deps");
    let differences = match structural_differences(&ours, &reference) {
        Ok(differences) => differences,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let copied = match copied_doc_lines(&ours, &reference) {
        Ok(copied) => copied,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    for difference in &differences {
        eprintln!("{difference}\n");
    }
    for line in &copied {
        eprintln!("doc line copied from the reference: {line}");
    }
    if differences.is_empty() && copied.is_empty() {
        println!(
            "wit/deps is structurally identical to {}, in msgbridge's own words",
            reference.display()
        );
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
