//! The portable form of the fixture guests (which halves get plugged, what the result
//! imports and exports), and the refusals common to both forms. The spliced form is tested
//! in `splice.rs`.

use std::collections::BTreeSet;

use msgbridge_compose::{
    compose, compose_with, inspect, plan, top_level_names, ComposeError, ComposeOptions, Form,
    InspectError, PlanError, SpliceError, World,
};
use msgbridge_examples as examples;
use msgbridge_test_artifacts as artifacts;

fn messaging(names: &BTreeSet<String>) -> BTreeSet<String> {
    names
        .iter()
        .filter(|n| n.contains(":messaging/") || n.starts_with("msgbridge:"))
        .cloned()
        .collect()
}

fn non_messaging(names: &BTreeSet<String>) -> BTreeSet<String> {
    names
        .iter()
        .filter(|n| !n.contains(":messaging/") && !n.starts_with("msgbridge:"))
        .cloned()
        .collect()
}

/// `guest` in the portable form for `target`.
fn portable(guest: &[u8], target: World) -> Vec<u8> {
    let options = ComposeOptions {
        form: Some(Form::Portable),
        ..ComposeOptions::new(target)
    };
    let composed = compose_with(guest, &options).unwrap();
    assert_eq!(composed.form, Form::Portable);
    composed.bytes
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn inspect_finds_each_probes_world() {
    let wasi = inspect(artifacts::WASI_PROBE).unwrap();
    assert_eq!(wasi.world, World::Wasi);
    let imported: Vec<&str> = wasi
        .messaging_imports
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert!(
        imported.contains(&"wasi:messaging/producer@0.2.0-draft"),
        "{imported:?}"
    );
    assert!(imported.contains(&"wasi:messaging/request-reply@0.2.0-draft"));
    let producer = wasi
        .messaging_imports
        .iter()
        .find(|i| i.name == "wasi:messaging/producer@0.2.0-draft")
        .unwrap();
    assert_eq!(producer.functions, ["send"]);
    assert_eq!(
        wasi.messaging_exports
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>(),
        ["wasi:messaging/incoming-handler@0.2.0-draft"]
    );

    let wasmcloud = inspect(artifacts::WASMCLOUD_PROBE).unwrap();
    assert_eq!(wasmcloud.world, World::Wasmcloud);
    assert!(wasmcloud
        .other_imports
        .iter()
        .all(|i| !i.contains("messaging")));
}

#[test]
fn a_probe_gets_both_halves_and_a_sender_only_guest_only_the_sender() {
    let wasi = inspect(artifacts::WASI_PROBE).unwrap();
    let p = plan(&wasi, World::Wasmcloud).unwrap();
    assert_eq!(
        p.halves(),
        ["wasi-on-wasmcloud-sender", "wasi-on-wasmcloud-receiver"]
    );
    let http = inspect(examples::HTTP_API).unwrap();
    let p = plan(&http, World::Wasi).unwrap();
    assert_eq!(p.halves(), ["wasmcloud-on-wasi-sender"]);
}

/// The composed wasi probe imports exactly wasmCloud's messaging interfaces and the probe's
/// own other imports, and exports wasmCloud's handler; the private interface is gone.
#[test]
fn wasi_probe_for_wasmcloud_imports_only_wasmcloud_messaging() {
    let composed = portable(artifacts::WASI_PROBE, World::Wasmcloud);
    let guest = top_level_names(artifacts::WASI_PROBE).unwrap();
    let names = top_level_names(&composed).unwrap();
    assert_eq!(
        messaging(&names.imports),
        set(&[
            "wasmcloud:messaging/types@0.2.0",
            "wasmcloud:messaging/consumer@0.2.0"
        ])
    );
    assert_eq!(non_messaging(&names.imports), non_messaging(&guest.imports));
    assert_eq!(
        messaging(&names.exports),
        set(&["wasmcloud:messaging/handler@0.2.0"])
    );
    // And it now reads as a wasmcloud guest.
    assert_eq!(inspect(&composed).unwrap().world, World::Wasmcloud);
}

#[test]
fn wasmcloud_probe_for_wasi_imports_only_wasi_messaging() {
    let composed = portable(artifacts::WASMCLOUD_PROBE, World::Wasi);
    let guest = top_level_names(artifacts::WASMCLOUD_PROBE).unwrap();
    let names = top_level_names(&composed).unwrap();
    assert_eq!(
        messaging(&names.imports),
        set(&[
            "wasi:messaging/types@0.2.0-draft",
            "wasi:messaging/producer@0.2.0-draft",
            "wasi:messaging/request-reply@0.2.0-draft"
        ])
    );
    assert_eq!(non_messaging(&names.imports), non_messaging(&guest.imports));
    assert_eq!(
        messaging(&names.exports),
        set(&["wasi:messaging/incoming-handler@0.2.0-draft"])
    );
    assert_eq!(inspect(&composed).unwrap().world, World::Wasi);
}

#[test]
fn http_api_keeps_its_http_export_and_config_free_imports() {
    let composed = portable(examples::HTTP_API, World::Wasi);
    let names = top_level_names(&composed).unwrap();
    let guest = top_level_names(examples::HTTP_API).unwrap();
    assert_eq!(non_messaging(&names.exports), non_messaging(&guest.exports));
    assert!(names
        .exports
        .iter()
        .any(|e| e.starts_with("wasi:http/incoming-handler@0.2")));
    assert!(messaging(&names.exports).is_empty());
}

#[test]
fn leet_worker_keeps_its_config_import() {
    let composed = portable(examples::LEET_WORKER, World::Wasi);
    let names = top_level_names(&composed).unwrap();
    assert!(names.imports.contains("wasi:config/store@0.2.0-rc.1"));
}

#[test]
fn a_chosen_client_name_changes_only_the_sender() {
    let mut options = ComposeOptions {
        form: Some(Form::Portable),
        ..ComposeOptions::new(World::Wasi)
    };
    let default = compose_with(artifacts::WASMCLOUD_PROBE, &options)
        .unwrap()
        .bytes;
    options.client_name = "orders".into();
    let named = compose_with(artifacts::WASMCLOUD_PROBE, &options)
        .unwrap()
        .bytes;
    assert_eq!(default.len(), named.len());
    assert_ne!(default, named);
    assert_eq!(
        top_level_names(&default).unwrap(),
        top_level_names(&named).unwrap()
    );
}

#[test]
fn refusals_name_the_problem() {
    let err = compose(b"hello", World::Wasi).unwrap_err();
    assert!(
        matches!(err, ComposeError::Inspect(InspectError::NotWasm)),
        "{err}"
    );

    let core = b"\0asm\x01\x00\x00\x00";
    let err = compose(core, World::Wasi).unwrap_err();
    assert!(
        matches!(err, ComposeError::Inspect(InspectError::CoreModule)),
        "{err}"
    );
    assert!(err.to_string().contains("wasm-tools component new"));

    let err = compose(artifacts::WASI_PROBE, World::Wasi).unwrap_err();
    assert!(
        matches!(err, ComposeError::Plan(PlanError::AlreadyTargets { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("--target wasmcloud"), "{err}");

    let mut truncated = artifacts::WASI_PROBE.to_vec();
    truncated.truncate(truncated.len() / 2);
    let err = compose(&truncated, World::Wasmcloud).unwrap_err();
    assert!(
        matches!(err, ComposeError::Inspect(InspectError::Invalid { .. })),
        "{err}"
    );
    // The parser's own words come through as the source.
    let chain = format!("{:#}", anyhow::Error::new(err));
    assert!(
        chain.starts_with("the input is not a valid component: "),
        "{chain}"
    );
}

#[test]
fn look_alike_texts_are_refused_by_name() {
    use msgbridge_compose::Shape;
    use msgbridge_test_shapes as shapes;

    for (shape, expected) in [
        (shapes::FEBRUARY_2024, Shape::February2024),
        (shapes::OCTOBER_2024, Shape::October2024),
    ] {
        let err = compose(&shape.component(), World::Wasmcloud).unwrap_err();
        match &err {
            ComposeError::Inspect(InspectError::UnsupportedShape { shape: found, .. }) => {
                assert_eq!(*found, expected, "{}: {err}", shape.name)
            }
            other => panic!("{}: unexpected {other}", shape.name),
        }
    }
    let err = compose(&shapes::WASMCLOUD_0_3_0.component(), World::Wasi).unwrap_err();
    assert!(
        matches!(
            err,
            ComposeError::Inspect(InspectError::UnsupportedVersion { .. })
        ),
        "{err}"
    );
    assert!(err.to_string().contains("wasmCloud v1"), "{err}");

    let err = compose(&shapes::NO_MESSAGING.component(), World::Wasi).unwrap_err();
    assert!(
        matches!(err, ComposeError::Inspect(InspectError::NoMessaging { .. })),
        "{err}"
    );
}

/// A guest whose messaging interface has the bridged names but another type cannot be
/// wired to the adapter: the error names the interface, and its source chain says how the
/// types differ (wac-graph's `ArgumentTypeMismatch` and its cause).
#[test]
fn a_type_mismatch_names_the_interface_and_keeps_wacs_reason() {
    let guest = msgbridge_test_shapes::TYPE_MISMATCH.component();
    // Spliced (the default): the bridge's core type of the function is not the guest's.
    let err = compose(&guest, World::Wasmcloud).unwrap_err();
    assert!(
        matches!(&err, ComposeError::Splice(SpliceError::ImportType { function, .. }) if function == "send"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("wasi:messaging/producer@0.2.0-draft"),
        "{err}"
    );
    // Portable: wac-graph refuses the argument, and says why.
    let options = ComposeOptions {
        form: Some(Form::Portable),
        ..ComposeOptions::new(World::Wasmcloud)
    };
    let err = compose_with(&guest, &options).unwrap_err();
    assert!(matches!(err, ComposeError::Graph { .. }), "{err}");
    let chain = format!("{:#}", anyhow::Error::new(err));
    assert!(
        chain.contains("wasi:messaging/producer@0.2.0-draft"),
        "the message names the interface: {chain}"
    );
    assert!(
        chain.contains("mismatched type for function result: expected u32, found result"),
        "wac's reason and its cause are kept: {chain}"
    );
}

/// wasmCloud has two `wasmcloud:messaging@0.3.0`s: v1's synchronous rename of the wasi draft,
/// refused with its advice, and v2.8's async interface, which is the `wasmcloud-async` world.
#[test]
fn both_wasmcloud_0_3_0_shapes_are_told_apart() {
    use msgbridge_test_shapes as shapes;
    let v1 = compose(&shapes::WASMCLOUD_0_3_0.component(), World::Wasi)
        .unwrap_err()
        .to_string();
    assert!(v1.contains("wasmCloud v1's experimental rename"), "{v1}");
    assert!(v1.contains("--target wasmcloud"), "{v1}");
    let v2_8 = inspect(&shapes::WASMCLOUD_0_3_0_ASYNC.component()).expect("recognised");
    assert_eq!(v2_8.world, World::WasmcloudAsync);
}

/// The two async worlds are recognised, imports and exports alike: wasmCloud v2.8's
/// `wasmcloud:messaging@0.3.0` by its version, Omnia's `wasi:messaging@0.2.0-draft` by its
/// `async func`s. Each composes for the other async world, in the portable form only (the
/// default form says why), and composing for a synchronous world is the typed refusal of a
/// pair not built yet.
#[test]
fn async_guests_compose_for_the_other_async_world_and_not_across_kinds() {
    use msgbridge_test_shapes as shapes;
    for (shape, world, import, export) in [
        (
            shapes::WASMCLOUD_0_3_0_ASYNC,
            World::WasmcloudAsync,
            "wasmcloud:messaging/consumer@0.3.0",
            "wasmcloud:messaging/handler@0.3.0",
        ),
        (
            shapes::OMNIA_ASYNC,
            World::WasiAsync,
            "wasi:messaging/producer@0.2.0-draft",
            "wasi:messaging/incoming-handler@0.2.0-draft",
        ),
    ] {
        let guest = shape.component();
        let inspection = inspect(&guest).unwrap_or_else(|e| panic!("{}: {e}", shape.name));
        assert_eq!(inspection.world, world, "{}", shape.name);
        let imports: Vec<&str> = inspection
            .messaging_imports
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        assert!(imports.contains(&import), "{}: {imports:?}", shape.name);
        let exports: Vec<&str> = inspection
            .messaging_exports
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        assert_eq!(exports, [export], "{}", shape.name);
        for target in World::SYNC {
            let err = compose(&guest, target).unwrap_err();
            let ComposeError::Plan(PlanError::NotBuilt(not_built)) = &err else {
                panic!("{} for {target:?}: {err:?}", shape.name);
            };
            assert_eq!((not_built.guest, not_built.host), (world, target));
            assert!(err.to_string().contains("is not built yet"), "{err}");
        }
        let target = world.other();
        let composed = compose_with(&guest, &ComposeOptions::new(target))
            .unwrap_or_else(|e| panic!("{} for {target:?}: {e:?}", shape.name));
        assert_eq!(composed.form, Form::Portable, "{}", shape.name);
        let reason = composed
            .portable_because
            .expect("the default form says why");
        assert!(
            reason
                .to_string()
                .contains("no spliced bridge is built for"),
            "{reason}"
        );
        let names = top_level_names(&composed.bytes).unwrap();
        assert!(
            names.exports.contains(target.handler_interface()),
            "{}: {:?}",
            shape.name,
            names.exports
        );
        assert!(
            names
                .imports
                .iter()
                .all(|i| !world.owns(i) || target.owns(i)),
            "{}: {:?}",
            shape.name,
            names.imports
        );
        assert_eq!(inspect(&composed.bytes).unwrap().world, target);
        let spliced = compose_with(
            &guest,
            &ComposeOptions {
                form: Some(Form::Spliced),
                ..ComposeOptions::new(target)
            },
        )
        .unwrap_err();
        assert!(
            matches!(
                &spliced,
                ComposeError::Splice(SpliceError::NotSpliceable(
                    msgbridge_compose::NotSpliceable::NoBridge { .. }
                ))
            ),
            "{spliced:?}"
        );
        assert!(matches!(
            compose(&guest, world).unwrap_err(),
            ComposeError::Plan(PlanError::AlreadyTargets { .. })
        ));
    }
}

/// Omnia's async functions beside the synchronous draft's are neither wasi world.
#[test]
fn mixing_the_sync_and_the_async_wasi_world_is_refused() {
    let guest = msgbridge_test_shapes::MIXED_WASI_ASYNC.component();
    let err = inspect(&guest).unwrap_err();
    let InspectError::MixedKinds {
        sync,
        asynchronous,
        world,
    } = &err
    else {
        panic!("{err:?}");
    };
    // `types` fits only the draft: its `connect` is synchronous there.
    assert_eq!(sync, "wasi:messaging/types@0.2.0-draft");
    assert_eq!(asynchronous, "wasi:messaging/producer@0.2.0-draft");
    assert_eq!(*world, World::WasiAsync);
    assert!(
        err.to_string().contains("build it against one world"),
        "{err}"
    );
}

/// A component built against a semver-compatible patch release of a bridged interface is
/// bridged as the release it is compatible with (wasmtime links it the same way).
#[test]
fn a_semver_compatible_patch_release_is_bridged() {
    let guest = msgbridge_test_shapes::WASMCLOUD_0_2_1.component();
    let inspection = inspect(&guest).unwrap();
    assert_eq!(inspection.world, World::Wasmcloud);
    let composed = compose_with(&guest, &ComposeOptions::new(World::Wasi)).unwrap();
    let names = top_level_names(&composed.bytes).unwrap();
    assert!(
        names
            .exports
            .contains("wasi:messaging/incoming-handler@0.2.0-draft"),
        "{names:?}"
    );
    assert!(
        names.imports.iter().all(|i| !i.starts_with("wasmcloud:")),
        "{names:?}"
    );
}

/// A guest's plain-named exports (componentize-py's instance `exports`, a world-level
/// function) are kept in both forms, and the output check accepts them.
#[test]
fn plain_named_exports_are_kept_in_both_forms() {
    let guest = msgbridge_test_shapes::PLAIN_NAMED_EXPORTS.component();
    let inspection = inspect(&guest).unwrap();
    assert_eq!(inspection.world, World::Wasmcloud);
    assert!(
        inspection.other_exports.iter().any(|e| e == "exports"),
        "{inspection:?}"
    );
    for composed in [
        compose_with(&guest, &ComposeOptions::new(World::Wasi))
            .unwrap()
            .bytes,
        portable(&guest, World::Wasi),
    ] {
        let names = msgbridge_compose::top_level_world_names(&composed).unwrap();
        let exports: Vec<&str> = names.exports.iter().map(String::as_str).collect();
        assert_eq!(
            exports,
            [
                "exports",
                "version",
                "wasi:messaging/incoming-handler@0.2.0-draft"
            ],
            "{names:?}"
        );
    }
}

/// What msgbridge made says so: `inspect` finds msgbridge in its producers, with its form.
#[test]
fn msgbridge_output_is_recognised_with_its_form() {
    assert_eq!(inspect(artifacts::WASI_PROBE).unwrap().adapted, None);
    for form in [Form::Spliced, Form::Portable] {
        let options = ComposeOptions {
            form: Some(form),
            ..ComposeOptions::new(World::Wasmcloud)
        };
        let composed = compose_with(artifacts::WASI_PROBE, &options).unwrap();
        let adapted = inspect(&composed.bytes)
            .unwrap()
            .adapted
            .expect("recognised");
        assert_eq!(adapted.form, form);
        assert_eq!(adapted.version, env!("CARGO_PKG_VERSION"));
    }
}

/// Composing msgbridge's own output again is refused, for both forms and both directions,
/// with the advice `inspect` gives: compose the original instead.
#[test]
fn msgbridge_output_is_not_adapted_twice() {
    for (guest, first) in [
        (artifacts::WASI_PROBE, World::Wasmcloud),
        (artifacts::WASMCLOUD_PROBE, World::Wasi),
    ] {
        for form in [Form::Spliced, Form::Portable] {
            let options = ComposeOptions {
                form: Some(form),
                ..ComposeOptions::new(first)
            };
            let adapted = compose_with(guest, &options).unwrap().bytes;
            // Back to the guest's own world, in any form asked for.
            for again in [None, Some(Form::Spliced), Some(Form::Portable)] {
                let options = ComposeOptions {
                    form: again,
                    ..ComposeOptions::new(first.other())
                };
                let err = compose_with(&adapted, &options).unwrap_err();
                let case = format!("{first} {form:?}, again as {again:?}");
                match &err {
                    ComposeError::AlreadyAdapted { adapted, world } => {
                        assert_eq!(adapted.form, form, "{case}");
                        assert_eq!(*world, first, "{case}");
                    }
                    other => panic!("{case}: {other}"),
                }
                let text = err.to_string();
                assert!(
                    text.contains(&format!(
                        "already adapted by msgbridge {} ({} form) to run on a {} host",
                        env!("CARGO_PKG_VERSION"),
                        form.name(),
                        first.name()
                    )) && text.contains("compose the original component instead"),
                    "{case}: {text}"
                );
            }
            // For the world it now speaks it needs nothing, as before.
            assert!(matches!(
                compose(&adapted, first).unwrap_err(),
                ComposeError::Plan(PlanError::AlreadyTargets { .. })
            ));
        }
    }
}

/// An async guest on a synchronous host is the typed refusal of a pair not built yet,
/// naming both worlds.
#[test]
fn composing_an_async_guest_for_a_sync_world_is_a_typed_refusal_naming_both_worlds() {
    for (guest, world) in [
        (artifacts::WASI_ASYNC_PROBE, World::WasiAsync),
        (artifacts::WASMCLOUD_ASYNC_PROBE, World::WasmcloudAsync),
    ] {
        for target in World::SYNC {
            let err = compose(guest, target).unwrap_err();
            let ComposeError::Plan(PlanError::NotBuilt(not_built)) = &err else {
                panic!("{err:?}");
            };
            assert_eq!((not_built.guest, not_built.host), (world, target));
            let text = err.to_string();
            assert!(
                text.starts_with(&format!(
                    "adapting between {} ({world}) and {} ({target}) is not built yet",
                    world.name(),
                    target.name()
                )),
                "{text}"
            );
        }
    }
}

/// A synchronous guest composes for either async host in the spliced form only: the result
/// imports exactly the async host's messaging interfaces and exports its handler, and
/// `--portable` is the typed refusal saying why.
#[test]
fn sync_guests_compose_for_async_hosts_spliced_and_refuse_the_portable_form() {
    for (guest, world) in [
        (msgbridge_test_artifacts::WASI_PROBE, World::Wasi),
        (msgbridge_test_artifacts::WASMCLOUD_PROBE, World::Wasmcloud),
    ] {
        for target in World::ASYNC {
            let composed = compose_with(guest, &ComposeOptions::new(target))
                .unwrap_or_else(|e| panic!("{world:?} for {target:?}: {e:?}"));
            assert_eq!(composed.form, Form::Spliced, "{world:?} for {target:?}");
            let adapted = inspect(&composed.bytes).expect("the result inspects");
            assert_eq!(adapted.world, target, "{world:?} for {target:?}");
            let names = top_level_names(&composed.bytes).unwrap();
            assert!(
                names.exports.contains(target.handler_interface()),
                "{world:?} for {target:?}: {:?}",
                names.exports
            );
            for import in names.imports.iter().filter(|i| i.contains(":messaging/")) {
                assert!(target.owns(import), "{world:?} for {target:?}: {import}");
            }
            let portable = ComposeOptions {
                form: Some(Form::Portable),
                ..ComposeOptions::new(target)
            };
            let err = compose_with(guest, &portable).unwrap_err();
            assert!(
                matches!(err, ComposeError::NoPortableForm { direction, .. }
                    if direction.guest() == world && direction.host() == target),
                "{err:?}"
            );
            assert!(err.to_string().contains("has no portable form"), "{err}");
        }
    }
}
