//! The check wasmtime's `verify` makes of its preview1 adapter, for msgbridge's prebuilt
//! adapters: each half imports exactly the interfaces it may and exports exactly its own
//! (nothing from `wasi:cli`, `wasi:io` or any other package a `wasm32-unknown-unknown` build
//! must not need), and each bridge keeps the shape of a wit-component adapter and imports
//! only its host world's interfaces.

use std::collections::BTreeSet;

use msgbridge_adapters::{Kind, ARTEFACTS};
use msgbridge_compose::top_level_names;
use msgbridge_worlds::{
    WASI_INCOMING_HANDLER as WASI_HANDLER, WASI_PRODUCER, WASI_REQUEST_REPLY as WASI_RR,
    WASI_TYPES, WASMCLOUD_ASYNC_CONSUMER as WCA_CONSUMER, WASMCLOUD_ASYNC_HANDLER as WCA_HANDLER,
    WASMCLOUD_ASYNC_TYPES as WCA_TYPES, WASMCLOUD_CONSUMER as WC_CONSUMER,
    WASMCLOUD_HANDLER as WC_HANDLER, WASMCLOUD_TYPES as WC_TYPES,
};

/// The private interfaces between the halves of a direction (`wit/msgbridge.wit` and
/// `wit/async-bridge`).
const WASI_INBOUND: &str = "msgbridge:bridge/wasi-inbound@0.1.0";
const WC_INBOUND: &str = "msgbridge:bridge/wasmcloud-inbound@0.1.0";
const WASI_ASYNC_INBOUND: &str = "msgbridge:bridge/wasi-async-inbound@0.1.0";
const WCA_INBOUND: &str = "msgbridge:bridge/wasmcloud-async-inbound@0.1.0";

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
        "wasi-async-on-wasmcloud-async-sender" => (
            set(&[WCA_TYPES, WCA_CONSUMER]),
            set(&[WASI_TYPES, WASI_PRODUCER, WASI_RR, WASI_ASYNC_INBOUND]),
        ),
        "wasi-async-on-wasmcloud-async-receiver" => (
            set(&[WCA_TYPES, WASI_TYPES, WASI_ASYNC_INBOUND, WASI_HANDLER]),
            set(&[WCA_HANDLER]),
        ),
        "wasmcloud-async-on-wasi-async-sender" => (
            set(&[WASI_TYPES, WASI_PRODUCER, WASI_RR]),
            set(&[WCA_TYPES, WCA_CONSUMER, WCA_INBOUND]),
        ),
        "wasmcloud-async-on-wasi-async-receiver" => (
            set(&[WCA_TYPES, WASI_TYPES, WCA_INBOUND, WCA_HANDLER]),
            set(&[WASI_HANDLER]),
        ),
        other => panic!("unknown adapter {other}"),
    }
}

#[test]
fn every_half_imports_and_exports_exactly_its_interfaces() {
    for adapter in ARTEFACTS.iter().filter(|a| a.kind == Kind::Half) {
        let names = top_level_names(adapter.bytes).unwrap();
        let (imports, exports) = expected(adapter.name);
        assert_eq!(names.imports, imports, "imports of {}", adapter.name);
        assert_eq!(names.exports, exports, "exports of {}", adapter.name);
    }
}

#[test]
fn halves_stay_small() {
    // Every message instantiates the halves afresh; a half past this size has linked in
    // something heavy (formatting machinery, a second allocator, ...). The asynchronous
    // halves carry wit-bindgen's async runtime (task, waitable and stream bookkeeping).
    for adapter in ARTEFACTS.iter().filter(|a| a.kind == Kind::Half) {
        assert!(
            adapter.bytes.len()
                < if adapter.direction.guest().is_async() {
                    128
                } else {
                    64
                } * 1024,
            "{} is {} bytes",
            adapter.name,
            adapter.bytes.len()
        );
    }
}

/// The spliced bridges keep the shape of a wit-component adapter, import only their host
/// world's interfaces (besides the guest's memory and main module), and stay small: each
/// is added to every guest. A module of the wrong shape is refused.
#[test]
fn bridges_are_lean_adapter_modules() {
    use wasmparser::{Parser, Payload, TypeRef};
    for bridge in ARTEFACTS.iter().filter(|a| a.kind == Kind::Bridge) {
        let name = bridge.name;
        msgbridge_adapters_build::bridge_shape(bridge.bytes)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            bridge.bytes.len() < 32 * 1024,
            "{name} is {} bytes",
            bridge.bytes.len()
        );
        let host = bridge.direction.host();
        for payload in Parser::new(0).parse_all(bridge.bytes) {
            if let Payload::ImportSection(imports) = payload.unwrap() {
                for import in imports.into_imports() {
                    let import = import.unwrap();
                    if let TypeRef::Func(_) = import.ty {
                        // An async host world's bridge also imports the canonical async
                        // built-ins: `$root`'s and its handler's `[task-return]`.
                        let builtin = host.is_async()
                            && (import.module == "$root"
                                || import
                                    .module
                                    .strip_prefix("[export]")
                                    .is_some_and(|m| host.owns(m)));
                        assert!(
                            import.module == "__main_module__"
                                || host.owns(import.module)
                                || builtin,
                            "{name} imports {} {}",
                            import.module,
                            import.name
                        );
                    }
                }
            }
        }
    }
    // A half is a component, not a core module.
    assert!(
        msgbridge_adapters_build::bridge_shape(msgbridge_adapters::WASI_ON_WASMCLOUD_SENDER)
            .is_err()
    );
    // A core module with a memory and a data segment.
    let with_data = b"\0asm\x01\0\0\0\x05\x03\x01\x00\x01\x0b\x07\x01\x00\x41\x00\x0b\x01\x2a";
    let err = msgbridge_adapters_build::bridge_shape(with_data).unwrap_err();
    assert!(err.contains("memory") || err.contains("data"), "{err}");
}
