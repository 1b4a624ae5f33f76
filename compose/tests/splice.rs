//! The spliced form of every fixture: one linear memory, exactly the guest's other imports
//! plus the host world's messaging interfaces, the host world's handler where the guest
//! had one, the client name in the bridge's globals, and the refusal (with its reason) of
//! a guest that is a composition of components.

use std::collections::BTreeSet;

use msgbridge_compose::{
    compose_with, inspect, memory_definitions, splice, spliceability, top_level_names,
    ComposeError, ComposeOptions, Form, InspectError, NotSpliceable, SpliceError, World,
};
use msgbridge_examples as examples;
use msgbridge_test_artifacts as artifacts;
use msgbridge_worlds::{
    WASI_INCOMING_HANDLER as WASI_HANDLER, WASI_PRODUCER, WASI_REQUEST_REPLY as WASI_RR,
    WASI_TYPES, WASMCLOUD_CONSUMER as WC_CONSUMER, WASMCLOUD_HANDLER as WC_HANDLER,
    WASMCLOUD_TYPES as WC_TYPES,
};
use wasmparser::{KnownCustom, Name, Parser, Payload};

/// `guest` for `target` in `form`.
fn in_form(guest: &[u8], target: World, form: Option<Form>) -> msgbridge_compose::Composed {
    let options = ComposeOptions {
        form,
        ..ComposeOptions::new(target)
    };
    compose_with(guest, &options).unwrap()
}

/// `component` with every `msgbridge` producer entry renamed (same length, in custom
/// sections only, so it still validates): no longer recognised as msgbridge's output.
fn without_msgbridge_mark(mut component: Vec<u8>) -> Vec<u8> {
    let mark = b"\x09msgbridge";
    let mut at = 0;
    while let Some(found) = component[at..].windows(mark.len()).position(|w| w == mark) {
        at += found + mark.len();
        component[at - 1] = b'X';
    }
    component
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn messaging(names: &BTreeSet<String>) -> BTreeSet<String> {
    names
        .iter()
        .filter(|n| n.contains(":messaging/"))
        .cloned()
        .collect()
}

fn non_messaging(names: &BTreeSet<String>) -> BTreeSet<String> {
    names
        .iter()
        .filter(|n| !n.contains(":messaging/"))
        .cloned()
        .collect()
}

/// Splices `guest` for `target` and checks the shape common to every fixture; returns the
/// spliced bytes.
fn spliced(name: &str, guest: &[u8], target: World, imports: &[&str], exports: &[&str]) -> Vec<u8> {
    let out = splice(guest, &ComposeOptions::new(target))
        .unwrap_or_else(|e| panic!("{name}: {e}: {:?}", std::error::Error::source(&e)));
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&out)
        .unwrap_or_else(|e| panic!("{name} does not validate: {e}"));
    assert_eq!(
        memory_definitions(&out).unwrap(),
        1,
        "{name}: linear memories"
    );
    let before = top_level_names(guest).unwrap();
    let after = top_level_names(&out).unwrap();
    assert_eq!(
        messaging(&after.imports),
        set(imports),
        "{name}: messaging imports"
    );
    assert_eq!(
        non_messaging(&after.imports),
        non_messaging(&before.imports),
        "{name}: other imports"
    );
    assert_eq!(
        messaging(&after.exports),
        set(exports),
        "{name}: messaging exports"
    );
    assert_eq!(
        non_messaging(&after.exports),
        non_messaging(&before.exports),
        "{name}: other exports"
    );
    for n in after.imports.iter().chain(&after.exports) {
        assert!(!n.starts_with("msgbridge"), "{name} exposes {n}");
    }
    assert!(
        !out.windows(b"msgbridge:bridge".len())
            .any(|w| w == b"msgbridge:bridge"),
        "{name} mentions msgbridge's private package"
    );
    out
}

#[test]
fn wasi_probe_spliced_for_wasmcloud() {
    spliced(
        "wasi-probe",
        artifacts::WASI_PROBE,
        World::Wasmcloud,
        &[WC_TYPES, WC_CONSUMER],
        &[WC_HANDLER],
    );
}

#[test]
fn wasmcloud_probe_spliced_for_wasi() {
    spliced(
        "wasmcloud-probe",
        artifacts::WASMCLOUD_PROBE,
        World::Wasi,
        &[WASI_TYPES, WASI_PRODUCER, WASI_RR],
        &[WASI_HANDLER],
    );
}

#[test]
fn http_api_spliced_keeps_its_http_export_and_exports_no_handler() {
    spliced(
        "http-api",
        examples::HTTP_API,
        World::Wasi,
        // It only requests (`consumer.request`), so it needs no `producer`.
        &[WASI_TYPES, WASI_RR],
        &[],
    );
}

#[test]
fn leet_worker_spliced_keeps_its_config_import() {
    let out = spliced(
        "leet-worker",
        examples::LEET_WORKER,
        World::Wasi,
        &[WASI_TYPES, WASI_PRODUCER, WASI_RR],
        &[WASI_HANDLER],
    );
    assert!(top_level_names(&out)
        .unwrap()
        .imports
        .contains("wasi:config/store@0.2.0-rc.1"));
}

#[test]
fn reverse_worker_spliced_for_wasmcloud() {
    spliced(
        "reverse-worker",
        examples::REVERSE_WORKER,
        World::Wasmcloud,
        &[WC_TYPES, WC_CONSUMER],
        &[WC_HANDLER],
    );
}

#[test]
fn js_probe_spliced_for_wasi() {
    spliced(
        "js wasmcloud-probe",
        msgbridge_test_js_artifacts::JS_WASMCLOUD_PROBE,
        World::Wasi,
        &[WASI_TYPES, WASI_PRODUCER, WASI_RR],
        &[WASI_HANDLER],
    );
}

#[test]
fn splicing_adds_little_to_a_guest() {
    for (name, guest, target) in [
        ("wasi-probe", artifacts::WASI_PROBE, World::Wasmcloud),
        ("wasmcloud-probe", artifacts::WASMCLOUD_PROBE, World::Wasi),
    ] {
        let out = splice(guest, &ComposeOptions::new(target)).unwrap();
        let added = out.len() as i64 - guest.len() as i64;
        assert!(added < 48 * 1024, "{name}: {added} bytes added");
    }
}

/// The values of the globals named `names` in the core modules of `component`.
fn named_globals(component: &[u8], names: &[String]) -> Vec<i32> {
    for payload in Parser::new(0).parse_all(component) {
        if let Payload::ModuleSection {
            unchecked_range, ..
        } = payload.unwrap()
        {
            let module = &component[unchecked_range.start as usize..unchecked_range.end as usize];
            let mut indices = std::collections::BTreeMap::new();
            let mut values = Vec::new();
            for payload in Parser::new(0).parse_all(module) {
                match payload.unwrap() {
                    Payload::GlobalSection(section) => {
                        for global in section {
                            let mut ops = global.unwrap().init_expr.get_operators_reader();
                            values.push(match ops.read().unwrap() {
                                wasmparser::Operator::I32Const { value } => value,
                                _ => i32::MIN,
                            });
                        }
                    }
                    Payload::CustomSection(section) => {
                        if let KnownCustom::Name(reader) = section.as_known() {
                            for subsection in reader {
                                if let Name::Global(map) = subsection.unwrap() {
                                    for naming in map {
                                        let naming = naming.unwrap();
                                        indices.insert(naming.name.to_string(), naming.index);
                                    }
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            if names.iter().all(|n| indices.contains_key(n)) {
                return names.iter().map(|n| values[indices[n] as usize]).collect();
            }
        }
    }
    panic!("no core module has the globals {names:?}");
}

#[test]
fn the_client_name_is_set_in_the_bridge_globals() {
    use msgbridge_worlds::client_name::{
        pack as pack_client_name, LEN_GLOBAL as CLIENT_NAME_LEN_GLOBAL,
        WORD_GLOBAL_PREFIX as CLIENT_NAME_WORD_GLOBAL_PREFIX,
    };
    let names: Vec<String> = std::iter::once(CLIENT_NAME_LEN_GLOBAL.to_string())
        .chain((0..3).map(|i| format!("{CLIENT_NAME_WORD_GLOBAL_PREFIX}{i}")))
        .collect();
    let mut options = ComposeOptions::new(World::Wasi);
    let default = splice(artifacts::WASMCLOUD_PROBE, &options).unwrap();
    options.client_name = "orders-eu".into();
    let named = splice(artifacts::WASMCLOUD_PROBE, &options).unwrap();
    assert_eq!(
        top_level_names(&default).unwrap(),
        top_level_names(&named).unwrap()
    );
    for (bytes, name) in [(&default, "default"), (&named, "orders-eu")] {
        let packed = pack_client_name(name.as_bytes()).unwrap();
        assert_eq!(
            named_globals(bytes, &names),
            [
                packed.len,
                packed.words[0],
                packed.words[1],
                packed.words[2]
            ],
            "{name}"
        );
    }
    options.client_name = "x".repeat(96);
    assert!(matches!(
        splice(artifacts::WASMCLOUD_PROBE, &options),
        Err(SpliceError::ClientName(_))
    ));
}

#[test]
fn a_composition_is_refused_with_its_reason_and_falls_back_to_portable() {
    // The portable form of the wasi probe is a composition of three components; without
    // msgbridge's mark in its producers section it stands for anyone's composition (with
    // the mark, composing it again is refused as double adaptation).
    let composition = without_msgbridge_mark(
        in_form(
            artifacts::WASI_PROBE,
            World::Wasmcloud,
            Some(Form::Portable),
        )
        .bytes,
    );
    assert_eq!(inspect(&composition).unwrap().adapted, None);
    let options = ComposeOptions::new(World::Wasi);
    let err = splice(&composition, &options).unwrap_err();
    assert!(
        matches!(
            err.not_spliceable(),
            Some(NotSpliceable::NestedComponents { .. })
        ),
        "{err}"
    );
    assert!(err.to_string().starts_with("not spliceable: "), "{err}");
    assert!(spliceability(&composition, &options).is_err());
    assert!(spliceability(artifacts::WASMCLOUD_PROBE, &options).is_ok());

    let composed = in_form(&composition, World::Wasi, None);
    assert_eq!(composed.form, Form::Portable);
    assert!(matches!(
        composed.portable_because,
        Some(NotSpliceable::NestedComponents { .. })
    ));
    assert!(memory_definitions(&composed.bytes).unwrap() > 1);

    let composed = in_form(artifacts::WASMCLOUD_PROBE, World::Wasi, None);
    assert_eq!(composed.form, Form::Spliced);
    assert!(composed.portable_because.is_none());
    // Asking for the spliced form of a composition fails with the reason, no fallback.
    let options = ComposeOptions {
        form: Some(Form::Spliced),
        ..options
    };
    let err = compose_with(&composition, &options).unwrap_err();
    assert!(
        matches!(&err, ComposeError::Splice(e) if e.not_spliceable().is_some()),
        "{err}"
    );
}

#[test]
fn input_errors_are_not_reported_as_unspliceable() {
    let options = ComposeOptions::new(World::Wasmcloud);
    let err = splice(b"hello", &options).unwrap_err();
    assert!(
        matches!(err, SpliceError::Inspect(InspectError::NotWasm)),
        "{err}"
    );
    let err = splice(artifacts::WASMCLOUD_PROBE, &options).unwrap_err();
    assert!(err.not_spliceable().is_none(), "{err}");
    assert!(matches!(
        compose_with(b"hello", &options).unwrap_err(),
        ComposeError::Inspect(InspectError::NotWasm)
    ));
}
