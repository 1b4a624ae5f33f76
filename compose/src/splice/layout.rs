//! Finding the parts of a guest component that wit-component made: its main core module,
//! the adapters the main module imports, and the string encoding of its canonical options.

use std::collections::{BTreeMap, BTreeSet};

use wasmparser::{CanonicalFunction, CanonicalOption, ExternalKind, Parser, Payload, TypeRef};

use super::error::{NotSpliceable, SpliceError};

/// A core module of the component.
#[derive(Debug, Clone)]
pub(crate) struct CoreModule<'a> {
    /// Its bytes, as embedded in the component.
    pub bytes: &'a [u8],
    /// Its imports: (module, name, is a function).
    pub imports: Vec<(String, String, bool)>,
    /// Names of its function exports.
    pub func_exports: BTreeSet<String>,
    /// Whether it exports a memory it defines.
    pub defines_exported_memory: bool,
    /// Whether it defines a table and exports it as `$imports` (wit-component's shim).
    pub is_shim: bool,
    /// Whether it imports the shim's `$imports` table (wit-component's fixup).
    pub is_fixup: bool,
}

/// The parts of the component.
#[derive(Debug)]
pub(crate) struct Layout<'a> {
    /// The main module.
    pub main: CoreModule<'a>,
    /// Adapters the main module imports, by import module name.
    pub adapters: BTreeMap<String, CoreModule<'a>>,
    /// The string encoding of the component's canonical options.
    pub encoding: wit_component::StringEncoding,
}

/// Names wit-component gives the main module's realloc.
const REALLOCS: &[&str] = &["cabi_realloc", "canonical_abi_realloc"];

fn parse_module(bytes: &[u8]) -> Result<CoreModule<'_>, SpliceError> {
    let mut module = CoreModule {
        bytes,
        imports: Vec::new(),
        func_exports: BTreeSet::new(),
        defines_exported_memory: false,
        is_shim: false,
        is_fixup: false,
    };
    let mut imported_memories = 0u32;
    let mut defined_memories = 0u32;
    let mut defines_table = false;
    let mut exported_memories = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(SpliceError::Parse)? {
            Payload::ImportSection(section) => {
                for import in section.into_imports() {
                    let import = import.map_err(SpliceError::Parse)?;
                    match import.ty {
                        TypeRef::Memory(_) => imported_memories += 1,
                        TypeRef::Table(_) if import.name == "$imports" => module.is_fixup = true,
                        _ => {}
                    }
                    module.imports.push((
                        import.module.to_string(),
                        import.name.to_string(),
                        matches!(import.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)),
                    ));
                }
            }
            Payload::MemorySection(section) => defined_memories += section.count(),
            Payload::TableSection(section) => defines_table |= section.count() > 0,
            Payload::ExportSection(section) => {
                for export in section {
                    let export = export.map_err(SpliceError::Parse)?;
                    match export.kind {
                        ExternalKind::Func => {
                            module.func_exports.insert(export.name.to_string());
                        }
                        ExternalKind::Memory => exported_memories.push(export.index),
                        ExternalKind::Table if export.name == "$imports" && defines_table => {
                            module.is_shim = true
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    module.defines_exported_memory = exported_memories
        .iter()
        .any(|index| *index >= imported_memories && *index < imported_memories + defined_memories);
    Ok(module)
}

/// Finds the main module, its adapters and the string encoding, or says why the component
/// is not one wit-component made from a main module and adapters.
pub(crate) fn find(component: &[u8]) -> Result<Layout<'_>, SpliceError> {
    let (modules, encoding) = scan(component)?;
    let main = main_index(&modules)?;
    let adapters = adapters(&modules, main)?;
    Ok(Layout {
        main: modules[main].clone(),
        adapters,
        encoding: encoding.unwrap_or(wit_component::StringEncoding::UTF8),
    })
}

/// The component's top-level core modules and the string encoding of its first canonical
/// function that has one; refuses nested components with code.
///
/// A nested component is allowed only as one of wit-component's type-only shims (it
/// re-exports an interface whose types use an imported resource): no core modules, core
/// instances, component instances or components of its own.
fn scan(
    component: &[u8],
) -> Result<(Vec<CoreModule<'_>>, Option<wit_component::StringEncoding>), SpliceError> {
    let mut modules = Vec::new();
    let mut encoding = None;
    let mut nested_with_code = 0usize;
    // An entry per open nested module (`None`) or component (`Some(has code)`).
    let mut stack: Vec<Option<bool>> = Vec::new();
    for payload in Parser::new(0).parse_all(component) {
        let payload = payload.map_err(SpliceError::Parse)?;
        let depth = stack.len();
        let is_code = matches!(
            payload,
            Payload::ModuleSection { .. }
                | Payload::InstanceSection(_)
                | Payload::ComponentSection { .. }
                | Payload::ComponentInstanceSection(_)
        );
        if is_code && depth >= 1 {
            if let Some(Some(has_code)) = stack.get_mut(0) {
                *has_code = true;
            }
        }
        match &payload {
            Payload::ModuleSection {
                unchecked_range, ..
            } => {
                if depth == 0 {
                    let range = unchecked_range.start as usize..unchecked_range.end as usize;
                    let bytes = component.get(range).ok_or_else(|| {
                        NotSpliceable::Wit("a core module lies outside the component".into())
                    })?;
                    modules.push(parse_module(bytes)?);
                }
                stack.push(None);
            }
            Payload::ComponentSection { .. } => stack.push(Some(false)),
            Payload::End(_) => {
                if let Some(Some(true)) = stack.pop() {
                    if depth == 1 {
                        nested_with_code += 1;
                    }
                }
            }
            Payload::ComponentCanonicalSection(section) if depth == 0 => {
                if let Some(found) = string_encoding(section.clone())? {
                    encoding.get_or_insert(found);
                }
            }
            _ => {}
        }
    }
    if nested_with_code > 0 {
        return Err(NotSpliceable::NestedComponents {
            count: nested_with_code,
        }
        .into());
    }
    Ok((modules, encoding))
}

/// The string encoding of the first lift or lower in `section` that names one (every
/// function is read, so a malformed one is an error wherever it is).
fn string_encoding(
    section: wasmparser::ComponentCanonicalSectionReader<'_>,
) -> Result<Option<wit_component::StringEncoding>, SpliceError> {
    let mut first = None;
    for function in section {
        let options = match function.map_err(SpliceError::Parse)? {
            CanonicalFunction::Lift { options, .. } | CanonicalFunction::Lower { options, .. } => {
                options
            }
            _ => continue,
        };
        for option in options.iter() {
            let found = match option {
                CanonicalOption::UTF8 => wit_component::StringEncoding::UTF8,
                CanonicalOption::UTF16 => wit_component::StringEncoding::UTF16,
                CanonicalOption::CompactUTF16 => wit_component::StringEncoding::CompactUTF16,
                _ => continue,
            };
            first.get_or_insert(found);
        }
    }
    Ok(first)
}

/// The index of the one main module: the one defining and exporting a memory and
/// exporting a realloc.
fn main_index(modules: &[CoreModule<'_>]) -> Result<usize, SpliceError> {
    let is_main = |m: &CoreModule<'_>| {
        m.defines_exported_memory && REALLOCS.iter().any(|r| m.func_exports.contains(*r))
    };
    let mains: Vec<usize> = (0..modules.len())
        .filter(|i| is_main(&modules[*i]))
        .collect();
    match mains.as_slice() {
        [] => Err(NotSpliceable::NoMainModule.into()),
        [one] => Ok(*one),
        several => Err(NotSpliceable::SeveralMainModules {
            count: several.len(),
        }
        .into()),
    }
}

/// The adapters of the main module `main`: the import modules of the main module that are
/// not WIT names, each served by the one other module exporting every function imported
/// from it. Refuses a module that is none of main, adapter, shim or fixup.
fn adapters<'a>(
    modules: &[CoreModule<'a>],
    main: usize,
) -> Result<BTreeMap<String, CoreModule<'a>>, SpliceError> {
    let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, name, is_func) in &modules[main].imports {
        if *is_func && is_adapter_name(module) {
            wanted
                .entry(module.clone())
                .or_default()
                .insert(name.clone());
        }
    }
    let mut used = BTreeSet::from([main]);
    let mut adapters = BTreeMap::new();
    for (name, functions) in wanted {
        let found = (0..modules.len()).find(|i| {
            !used.contains(i)
                && !modules[*i].is_shim
                && !modules[*i].is_fixup
                && functions.is_subset(&modules[*i].func_exports)
        });
        let Some(index) = found else {
            return Err(NotSpliceable::MissingAdapter { name }.into());
        };
        used.insert(index);
        adapters.insert(name, modules[index].clone());
    }
    if let Some(index) = (0..modules.len())
        .find(|i| !used.contains(i) && !modules[*i].is_shim && !modules[*i].is_fixup)
    {
        return Err(NotSpliceable::UnknownModule { index }.into());
    }
    Ok(adapters)
}

/// Whether an import module name is an adapter's (like `wasi_snapshot_preview1`) rather than
/// a WIT interface (`ns:pkg/iface@v`), the world (`$root`), an exported interface's
/// intrinsics (`[export]…`) or the shim's table.
pub(crate) fn is_adapter_name(module: &str) -> bool {
    !module.contains(':')
        && !module.starts_with('$')
        && !module.starts_with('[')
        && !module.contains('|')
        && module != "env"
}
