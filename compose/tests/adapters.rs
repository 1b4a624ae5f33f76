//! Each adapter half imports exactly the interfaces it may and exports exactly its own:
//! nothing from `wasi:cli`, `wasi:io` or any other package a `wasm32-unknown-unknown` build
//! must not need (the check wasmtime makes of its preview1 adapter).

use std::collections::BTreeSet;

use msgbridge_adapters::ADAPTERS;
use msgbridge_compose::top_level_names;
use msgbridge_worlds::{
    WASI_INCOMING_HANDLER as WASI_HANDLER, WASI_PRODUCER, WASI_REQUEST_REPLY as WASI_RR,
    WASI_TYPES, WASMCLOUD_CONSUMER as WC_CONSUMER, WASMCLOUD_HANDLER as WC_HANDLER,
    WASMCLOUD_TYPES as WC_TYPES,
};

/// The private interfaces between the halves of a direction (`wit/msgbridge.wit`).
const WASI_INBOUND: &str = "msgbridge:bridge/wasi-inbound@0.1.0";
const WC_INBOUND: &str = "msgbridge:bridge/wasmcloud-inbound@0.1.0";

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// (imports, exports) each half must have.
fn expected(name: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    match name {
        "wasi-on-wasmcloud-sender" => (
            set(&[WC_TYPES, WC_CONSUMER]),
            set(&[WASI_TYPES, WASI_PRODUCER, WASI_RR, WASI_INBOUND]),
        ),
        "wasi-on-wasmcloud-receiver" => (
            set(&[WC_TYPES, WASI_TYPES, WASI_INBOUND, WASI_HANDLER]),
            set(&[WC_HANDLER]),
        ),
        "wasmcloud-on-wasi-sender" => (
            set(&[WASI_TYPES, WASI_PRODUCER, WASI_RR]),
            set(&[WC_TYPES, WC_CONSUMER, WC_INBOUND]),
        ),
        "wasmcloud-on-wasi-receiver" => (
            set(&[WC_TYPES, WASI_TYPES, WC_INBOUND, WC_HANDLER]),
            set(&[WASI_HANDLER]),
        ),
        other => panic!("unknown adapter {other}"),
    }
}

#[test]
fn every_half_imports_and_exports_exactly_its_interfaces() {
    for adapter in &ADAPTERS {
        let names = top_level_names(adapter.bytes).unwrap();
        let (imports, exports) = expected(adapter.name);
        assert_eq!(names.imports, imports, "imports of {}", adapter.name);
        assert_eq!(names.exports, exports, "exports of {}", adapter.name);
    }
}

#[test]
fn halves_stay_small() {
    // Every message instantiates the halves afresh; a half past this size has linked in
    // something heavy (formatting machinery, a second allocator, ...).
    for adapter in &ADAPTERS {
        assert!(
            adapter.bytes.len() < 64 * 1024,
            "{} is {} bytes",
            adapter.name,
            adapter.bytes.len()
        );
    }
}

/// The spliced bridges keep the shape of a wit-component adapter (no data or element
/// segments, no memory or start function, imports only from the guest's main module, its
/// memory and the messaging interfaces) and stay small: each is added to every guest.
#[test]
fn bridges_are_lean_adapter_modules() {
    use msgbridge_adapters::{WASI_ON_WASMCLOUD_BRIDGE, WASMCLOUD_ON_WASI_BRIDGE};
    use wasmparser::{Parser, Payload, TypeRef};
    for (name, bytes, host_package) in [
        (
            "wasi-on-wasmcloud",
            WASI_ON_WASMCLOUD_BRIDGE,
            "wasmcloud:messaging/",
        ),
        (
            "wasmcloud-on-wasi",
            WASMCLOUD_ON_WASI_BRIDGE,
            "wasi:messaging/",
        ),
    ] {
        assert!(bytes.len() < 32 * 1024, "{name} is {} bytes", bytes.len());
        assert!(Parser::is_core_wasm(bytes), "{name} is not a core module");
        for payload in Parser::new(0).parse_all(bytes) {
            match payload.unwrap() {
                Payload::DataSection(_)
                | Payload::ElementSection(_)
                | Payload::MemorySection(_)
                | Payload::StartSection { .. } => panic!("{name} has a forbidden section"),
                Payload::ImportSection(imports) => {
                    for import in imports.into_imports() {
                        let import = import.unwrap();
                        let ok = match import.ty {
                            TypeRef::Memory(_) => (import.module, import.name) == ("env", "memory"),
                            TypeRef::Func(_) => {
                                import.module == "__main_module__"
                                    || import.module.starts_with(host_package)
                            }
                            _ => false,
                        };
                        assert!(ok, "{name} imports {} {}", import.module, import.name);
                    }
                }
                _ => {}
            }
        }
    }
}
