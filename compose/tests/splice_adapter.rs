//! A guest whose component carries another adapter (`wasi_snapshot_preview1`, as C, TinyGo
//! or older Rust toolchains and jco with WASI enabled produce) keeps that adapter when the
//! bridge is spliced in: the copy inside the component (trimmed by wit-component, without
//! its WIT) gets the guest's imports as its world, and the result imports what the guest
//! imported, no more.
//!
//! The guest is built here: a small core module (WAT) that writes to stdout through
//! `fd_write` and publishes with `wasmcloud:messaging/consumer`, made a component with
//! wasmtime's reactor adapter, or its command adapter (the module then exports `_start`),
//! and in the shape componentize-js's preview1 builds have (issue 20): the main module also
//! exports `cabi_realloc_adapter`, which wit-component binds the adapter's realloc to.

use std::collections::BTreeSet;

use msgbridge_compose::{memory_definitions, splice, top_level_names, ComposeOptions, World};
use wit_parser::{Resolve, SourceMap};

const GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasmcloud:messaging/consumer@0.2.0" "publish"
    (func $publish (param i32 i32 i32 i32 i32 i32 i32 i32)))
  (memory (export "memory") 2)
  (global $next (mut i32) (i32.const 4096))
  (func $realloc (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    global.get $next
    local.get 2
    i32.add
    i32.const 1
    i32.sub
    i32.const 0
    local.get 2
    i32.sub
    i32.and
    local.tee $p
    local.get 3
    i32.add
    global.set $next
    local.get $p)
  ;; handle-message: write the body to stdout, publish it back on the subject.
  (func (export "wasmcloud:messaging/handler@0.2.0#handle-message")
    (param $sp i32) (param $sl i32) (param $bp i32) (param $bl i32)
    (param i32 i32 i32) (result i32)
    (i32.store (i32.const 16) (local.get $bp))
    (i32.store (i32.const 20) (local.get $bl))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
    (call $publish (local.get $sp) (local.get $sl) (local.get $bp) (local.get $bl)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 32))
    (i32.store (i32.const 48) (i32.const 0))
    i32.const 48)
  (func (export "cabi_post_wasmcloud:messaging/handler@0.2.0#handle-message") (param i32))
  ;; EXTRA
)
"#;

/// The main module's extra exports of each shape, replacing `;; EXTRA` in [`GUEST`].
const REALLOC_ADAPTER: &str = r#"(func (export "cabi_realloc_adapter") (param i32 i32 i32 i32) (result i32)
    (call $realloc (local.get 0) (local.get 1) (local.get 2) (local.get 3)))"#;
const START: &str = r#"(func (export "_start"))"#;

const WORLD: &str = r#"
package test:guest;

world guest {
  import wasmcloud:messaging/consumer@0.2.0;
  export wasmcloud:messaging/handler@0.2.0;
}
"#;

/// The guest component, made as wit-component makes a wasip1 program's component: the
/// main module with `extra` exports, and the preview1 `adapter`.
fn guest_component(extra: &str, adapter: &[u8]) -> Vec<u8> {
    let mut module = wat::parse_str(GUEST.replace(";; EXTRA", extra)).unwrap();
    let mut resolve = Resolve::default();
    let package = msgbridge_wit::BRIDGED
        .iter()
        .find(|p| p.dir == "wasmcloud-messaging-0.2.0")
        .unwrap();
    let mut map = SourceMap::new();
    for (path, text) in package.files {
        map.push(std::path::Path::new(path), *text);
    }
    resolve
        .push_group(map.parse().map_err(|(_, e)| e).unwrap())
        .unwrap();
    let id = resolve.push_str("guest.wit", WORLD).unwrap();
    let world = resolve.select_world(&[id], Some("guest")).unwrap();
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .unwrap();
    wit_component::ComponentEncoder::default()
        .module(&module)
        .unwrap()
        .adapter(
            wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
            adapter,
        )
        .unwrap()
        .validate(true)
        .encode()
        .unwrap()
}

use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER as COMMAND,
    WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER as REACTOR,
};

/// Splices `guest` for a wasi host and checks that its adapter is kept: one memory, the
/// guest's other imports and no more, the wasi handler and `other_exports` exported.
fn assert_spliced_keeping_the_adapter(guest: &[u8], other_exports: &[&str]) {
    let before = top_level_names(guest).unwrap();
    assert!(
        before
            .imports
            .iter()
            .any(|i| i.starts_with("wasi:cli/stdout@")),
        "the fixture should use the adapter: {:?}",
        before.imports
    );
    let out = splice(guest, &ComposeOptions::new(World::Wasi)).unwrap();
    assert_eq!(memory_definitions(&out).unwrap(), 1);
    let after = top_level_names(&out).unwrap();
    let other = |names: &BTreeSet<String>| -> BTreeSet<String> {
        names
            .iter()
            .filter(|n| !n.contains(":messaging/"))
            .cloned()
            .collect()
    };
    assert_eq!(other(&after.imports), other(&before.imports));
    assert!(after
        .imports
        .contains("wasi:messaging/producer@0.2.0-draft"));
    let mut exports = BTreeSet::from(["wasi:messaging/incoming-handler@0.2.0-draft".to_string()]);
    exports.extend(other_exports.iter().map(|e| e.to_string()));
    assert_eq!(
        after
            .exports
            .iter()
            .map(|e| e.split('@').next().unwrap_or(e).to_string())
            .collect::<BTreeSet<_>>(),
        exports
            .iter()
            .map(|e| e.split('@').next().unwrap_or(e).to_string())
            .collect::<BTreeSet<_>>(),
    );
}

#[test]
fn a_preview1_adapter_is_kept_and_adds_no_import() {
    assert_spliced_keeping_the_adapter(&guest_component("", REACTOR), &[]);
}

#[test]
fn the_command_adapter_is_kept_with_its_run_export() {
    assert_spliced_keeping_the_adapter(&guest_component(START, COMMAND), &["wasi:cli/run"]);
}

/// Issue 20: a main module exporting `cabi_realloc_adapter` (StarlingMonkey, so jco's
/// componentize-js fallback for a worker importing WASI 0.2.6) gets an adapter importing
/// `__main_module__` `cabi_realloc_adapter`; re-encoding it failed with `module has
/// duplicate import for __main_module__::cabi_realloc_adapter`.
#[test]
fn an_adapter_bound_to_cabi_realloc_adapter_splices() {
    let guest = guest_component(REALLOC_ADAPTER, REACTOR);
    let needle = b"cabi_realloc_adapter";
    assert!(
        guest.windows(needle.len()).filter(|w| w == needle).count() >= 2,
        "the adapter inside the fixture should import the main module's cabi_realloc_adapter"
    );
    assert_spliced_keeping_the_adapter(&guest, &[]);
    // And the default form is the spliced one, as the prediction says.
    let options = ComposeOptions::new(World::Wasi);
    let composed = msgbridge_compose::compose_with(&guest, &options).unwrap();
    assert_eq!(composed.form, msgbridge_compose::Form::Spliced);
    assert_eq!(
        msgbridge_compose::default_form(&guest, &options).unwrap(),
        (msgbridge_compose::Form::Spliced, None)
    );
}
