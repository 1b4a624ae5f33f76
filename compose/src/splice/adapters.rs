//! Preparing the guest's own adapters (such as `wasi_snapshot_preview1`) for re-encoding.
//!
//! An adapter inside a component is not the adapter a toolchain started from: wit-component
//! *minimized* it for that component, and in doing so renamed its import of the main
//! module's realloc, `__main_module__` `cabi_realloc`, to the name of the export the main
//! module offers adapters. When the main module exports `cabi_realloc_adapter` (as
//! StarlingMonkey does, so componentize-js's preview1 builds), the adapter in the component
//! imports `__main_module__` `cabi_realloc_adapter`.
//!
//! Encoding the splice minimizes the adapter again, and wit-component only recognises the
//! original names: it keeps the renamed import as an ordinary one and, since the adapter
//! then seems not to import a realloc for its lazily allocated stack, adds a second import of
//! `cabi_realloc_adapter`, which fails validation (`module has duplicate import for
//! __main_module__::cabi_realloc_adapter`). A main module exporting only `cabi_realloc`
//! (Rust, C) gives an adapter importing `cabi_realloc`, which is unaffected.
//!
//! [`reopen`] undoes the rename, so that the adapter imports its realloc under the name
//! wit-component expects and the second minimization binds it to the same export again.

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{ImportSection, Module};
use wasmparser::{Parser, Payload};

use super::error::SpliceError;

/// The module name under which an adapter imports the main module's exports.
const MAIN_MODULE: &str = "__main_module__";

/// The realloc import name wit-component's minimization recognises (and renames).
const REALLOC: &str = "cabi_realloc";

/// Exports of a main module that wit-component may have bound an adapter's realloc import
/// to, renaming the import after them.
const RENAMED_REALLOCS: &[&str] = &["cabi_realloc_adapter"];

/// Returns `adapter` with its realloc import named as before wit-component minimized it
/// (see the [module docs](self)); an adapter that needs no change is returned as it is.
///
/// Only the import section is rebuilt: every other section is copied byte for byte, and
/// function indices (hence the name section) do not change.
pub(crate) fn reopen(adapter: &[u8]) -> Result<Vec<u8>, SpliceError> {
    let mut realloc_names = Vec::new();
    for payload in Parser::new(0).parse_all(adapter) {
        let Some(section) = imports(&payload.map_err(SpliceError::Parse)?) else {
            continue;
        };
        for import in section.into_imports() {
            let import = import.map_err(SpliceError::Parse)?;
            if import.module == MAIN_MODULE {
                realloc_names.push(import.name.to_string());
            }
        }
    }
    // Nothing renamed, or the original name is taken: leave it to wit-component.
    if realloc_names.iter().any(|n| n == REALLOC)
        || !realloc_names
            .iter()
            .any(|n| RENAMED_REALLOCS.contains(&n.as_str()))
    {
        return Ok(adapter.to_vec());
    }

    let rewrite = |source| SpliceError::Rewrite {
        what: "adapter",
        source,
    };
    let mut out = Module::new();
    for payload in Parser::new(0).parse_all(adapter) {
        let payload = payload.map_err(SpliceError::Parse)?;
        if let Some(section) = imports(&payload) {
            let mut renamed = ImportSection::new();
            for import in section.into_imports() {
                let import = import.map_err(SpliceError::Parse)?;
                let ty = RoundtripReencoder.entity_type(import.ty).map_err(rewrite)?;
                let name =
                    if import.module == MAIN_MODULE && RENAMED_REALLOCS.contains(&import.name) {
                        REALLOC
                    } else {
                        import.name
                    };
                renamed.import(import.module, name, ty);
            }
            out.section(&renamed);
            continue;
        }
        super::copy_section(&mut out, adapter, &payload, "its module")?;
    }
    Ok(out.finish())
}

/// The import section `payload` is, if it is one.
fn imports<'a>(payload: &Payload<'a>) -> Option<wasmparser::ImportSectionReader<'a>> {
    match payload {
        Payload::ImportSection(section) => Some(section.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The import names of `module` from [`MAIN_MODULE`].
    fn main_imports(module: &[u8]) -> Vec<String> {
        let mut names = Vec::new();
        for payload in Parser::new(0).parse_all(module) {
            if let Payload::ImportSection(section) = payload.unwrap() {
                for import in section.into_imports() {
                    let import = import.unwrap();
                    if import.module == MAIN_MODULE {
                        names.push(import.name.to_string());
                    }
                }
            }
        }
        names
    }

    #[test]
    fn the_renamed_realloc_import_gets_its_name_back() {
        let adapter = wat::parse_str(
            r#"(module
                (import "__main_module__" "cabi_realloc_adapter"
                  (func (param i32 i32 i32 i32) (result i32)))
                (import "env" "memory" (memory 0))
                (func (export "fd_write") (param i32 i32 i32 i32) (result i32) i32.const 0))"#,
        )
        .unwrap();
        let reopened = reopen(&adapter).unwrap();
        wasmparser::validate(&reopened).unwrap();
        assert_eq!(main_imports(&reopened), ["cabi_realloc"]);
    }

    #[test]
    fn an_adapter_importing_cabi_realloc_is_unchanged() {
        let adapter = wat::parse_str(
            r#"(module
                (import "__main_module__" "cabi_realloc"
                  (func (param i32 i32 i32 i32) (result i32))))"#,
        )
        .unwrap();
        assert_eq!(reopen(&adapter).unwrap(), adapter);
    }
}
