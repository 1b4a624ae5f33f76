//! A relocatable wasm object (the input `wasm-ld` takes) that defines wasm globals and
//! their accessor functions, the way wasmtime's preview1 adapter defines its state
//! pointer: Rust on `wasm32` cannot declare a wasm global itself.
//!
//! For a global `NAME` the object defines `NAME` and the functions `NAME_get() -> i32` and,
//! for a mutable global, `NAME_set(i32)`. The object format is the one of
//! WebAssembly/tool-conventions `Linking.md`: a `linking` section with a symbol table and a
//! `reloc.CODE` section for the global indices used by the accessors.

use msgbridge_worlds::{bridge, client_name};
use wasm_encoder::{
    ConstExpr, CustomSection, Encode, FunctionSection, GlobalSection, GlobalType, Module,
    RawSection, SectionId, TypeSection, ValType,
};

/// One global to define.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Global {
    /// Its symbol name, which wasm-ld also writes to the `name` section.
    pub name: String,
    /// Whether it can be set (a setter is defined) or is immutable.
    pub mutable: bool,
    /// Its initial value.
    pub init: i32,
}

/// The globals every bridge has: its state pointer and wit-component's `allocation_state`.
pub fn common_globals() -> Vec<Global> {
    vec![
        Global {
            name: bridge::STATE_GLOBAL.to_string(),
            mutable: true,
            init: 0,
        },
        Global {
            name: bridge::ALLOCATION_STATE_GLOBAL.to_string(),
            mutable: true,
            init: 0,
        },
    ]
}

/// The immutable globals holding the client name, with [`client_name::DEFAULT`].
pub fn client_name_globals() -> Vec<Global> {
    let packed = match client_name::pack(client_name::DEFAULT.as_bytes()) {
        Ok(p) => p,
        Err(_) => unreachable!("the default client name packs"),
    };
    let mut globals = vec![Global {
        name: client_name::LEN_GLOBAL.to_string(),
        mutable: false,
        init: packed.len,
    }];
    for (i, word) in packed.words.iter().enumerate() {
        globals.push(Global {
            name: format!("{}{i}", client_name::WORD_GLOBAL_PREFIX),
            mutable: false,
            init: *word,
        });
    }
    globals
}

const GLOBAL_GET: u8 = 0x23;
const GLOBAL_SET: u8 = 0x24;
const LOCAL_GET: u8 = 0x20;
const END: u8 = 0x0b;
/// `R_WASM_GLOBAL_INDEX_LEB`.
const R_WASM_GLOBAL_INDEX_LEB: u8 = 7;
const SYMTAB_FUNCTION: u8 = 0;
const SYMTAB_GLOBAL: u8 = 2;
const WASM_SYMBOL_TABLE: u8 = 8;

/// Builds the object for `globals`. Fails if there are too many globals for the one-byte
/// padded index encoding used here.
pub fn object(globals: &[Global]) -> Result<Vec<u8>, String> {
    if globals.len() >= 0x7f {
        return Err(format!("{} globals are too many", globals.len()));
    }
    let mut module = Module::new();

    let mut types = TypeSection::new();
    types.ty().function([], [ValType::I32]); // 0: getter
    types.ty().function([ValType::I32], []); // 1: setter
    module.section(&types);

    // Functions: for each global its getter, then its setter when mutable.
    let mut functions: Vec<(String, u8, u32)> = Vec::new(); // (symbol, instruction, global)
    for (index, global) in globals.iter().enumerate() {
        functions.push((format!("{}_get", global.name), GLOBAL_GET, index as u32));
        if global.mutable {
            functions.push((format!("{}_set", global.name), GLOBAL_SET, index as u32));
        }
    }
    let mut funcs = FunctionSection::new();
    for (_, instruction, _) in &functions {
        funcs.function(if *instruction == GLOBAL_GET { 0 } else { 1 });
    }
    module.section(&funcs);

    let mut global_section = GlobalSection::new();
    for global in globals {
        global_section.global(
            GlobalType {
                val_type: ValType::I32,
                mutable: global.mutable,
                shared: false,
            },
            &ConstExpr::i32_const(global.init),
        );
    }
    module.section(&global_section);

    // The code section by hand: relocations need the offset of each global index, which
    // is written with a padded five-byte LEB so that wasm-ld can patch it in place.
    let mut code = Vec::new();
    (functions.len() as u32).encode(&mut code);
    let mut relocations = Vec::new(); // (offset, symbol index of the global)
    for (_, instruction, global) in &functions {
        let mut body = vec![0u8]; // no locals
        if *instruction == GLOBAL_SET {
            body.extend_from_slice(&[LOCAL_GET, 0]);
        }
        body.push(*instruction);
        let index_at = body.len();
        body.extend_from_slice(&[0x80 | *global as u8, 0x80, 0x80, 0x80, 0x00]);
        body.push(END);
        (body.len() as u32).encode(&mut code);
        relocations.push((
            (code.len() + index_at) as u32,
            functions.len() as u32 + global,
        ));
        code.extend_from_slice(&body);
    }
    module.section(&RawSection {
        id: SectionId::Code as u8,
        data: &code,
    });

    let mut symbols = Vec::new();
    ((functions.len() + globals.len()) as u32).encode(&mut symbols);
    for (index, (name, _, _)) in functions.iter().enumerate() {
        symbols.push(SYMTAB_FUNCTION);
        0u32.encode(&mut symbols); // flags: global binding, default visibility
        (index as u32).encode(&mut symbols);
        name.as_str().encode(&mut symbols);
    }
    for (index, global) in globals.iter().enumerate() {
        symbols.push(SYMTAB_GLOBAL);
        0u32.encode(&mut symbols);
        (index as u32).encode(&mut symbols);
        global.name.as_str().encode(&mut symbols);
    }
    let mut linking = vec![2u8]; // version
    linking.push(WASM_SYMBOL_TABLE);
    symbols.encode(&mut linking);
    module.section(&CustomSection {
        name: "linking".into(),
        data: linking.into(),
    });

    let mut reloc = Vec::new();
    3u32.encode(&mut reloc); // the code section is the fourth section (index 3)
    (relocations.len() as u32).encode(&mut reloc);
    for (offset, symbol) in relocations {
        reloc.push(R_WASM_GLOBAL_INDEX_LEB);
        offset.encode(&mut reloc);
        symbol.encode(&mut reloc);
    }
    module.section(&CustomSection {
        name: "reloc.CODE".into(),
        data: reloc.into(),
    });

    Ok(module.finish())
}

/// Rust declarations of the accessors of `globals`, for `include!` in a bridge.
pub fn declarations(globals: &[Global]) -> String {
    let mut out = String::from("#[allow(dead_code)]\nunsafe extern \"C\" {\n");
    for global in globals {
        out.push_str(&format!("    pub fn {}_get() -> i32;\n", global.name));
        if global.mutable {
            out.push_str(&format!("    pub fn {}_set(value: i32);\n", global.name));
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_object_parses_as_a_module_with_its_globals() {
        let mut globals = common_globals();
        globals.extend(client_name_globals());
        let bytes = object(&globals).unwrap();
        assert!(bytes.starts_with(b"\0asm\x01\0\0\0"));
        assert!(bytes.windows(7).any(|w| w == b"linking"));
        assert_eq!(globals.len(), 2 + 1 + client_name::WORDS);
        let decl = declarations(&globals);
        assert!(decl.contains("pub fn msgbridge_state_set(value: i32);"));
        assert!(decl.contains("pub fn msgbridge_client_name_23_get() -> i32;"));
        assert!(!decl.contains("msgbridge_client_name_len_set"));
    }
}
