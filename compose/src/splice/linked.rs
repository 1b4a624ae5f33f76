//! Recognising a dynamically linked component, which the splice route does not take.
//!
//! componentize-py (and `wasm-tools component link`) make a component from a main module
//! and shared libraries (`libc.so`, `libpython3.14.so`, …), each a core module keeping its
//! `dylink.0` custom section, instantiated against one another by wit-component's linker.
//! Re-encoding such a component with the bridge would mean linking it again, so it gets the
//! portable form, with a reason that says what it is rather than naming a core module
//! the layout does not recognise.

use wasmparser::{Parser, Payload};

use super::error::{NotSpliceable, SpliceError};

/// The custom section a shared library of the dynamic-linking convention carries.
const DYLINK: &str = "dylink.0";

/// Fails with [`NotSpliceable::DynamicallyLinked`] when any top-level core module of
/// `component` is a shared library.
pub(crate) fn refuse_shared_libraries(component: &[u8]) -> Result<(), SpliceError> {
    let mut libraries = 0usize;
    // Depth of nested modules and components: only the component's own modules count.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(component) {
        match payload.map_err(SpliceError::Parse)? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::CustomSection(section) if depth == 1 && section.name() == DYLINK => {
                libraries += 1;
            }
            _ => {}
        }
    }
    if libraries > 0 {
        return Err(NotSpliceable::DynamicallyLinked { libraries }.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_component_without_shared_libraries_passes() {
        let component = wat::parse_str("(component (core module (func)))").unwrap();
        refuse_shared_libraries(&component).unwrap();
    }

    #[test]
    fn a_shared_library_is_refused() {
        let mut module = wasm_encoder::Module::new();
        module.section(&wasm_encoder::CustomSection {
            name: DYLINK.into(),
            data: std::borrow::Cow::Borrowed(&[]),
        });
        let mut component = wasm_encoder::Component::new();
        component.section(&wasm_encoder::ModuleSection(&module));
        let err = refuse_shared_libraries(&component.finish()).unwrap_err();
        assert_eq!(
            err.not_spliceable(),
            Some(&NotSpliceable::DynamicallyLinked { libraries: 1 })
        );
    }
}
