//! The toolchain matrix (issue 20): every probe fixture, whatever toolchain built it,
//! composes by default for the other world's host, in the form `inspect` predicts, and the
//! composed component answers a request on the reference host.
//!
//! Fixtures: Rust `wasm32-wasip2` (`msgbridge-test-artifacts`), Rust `wasm32-wasip1` with the
//! preview1 reactor adapter and Python by componentize-py (this crate), JavaScript by the
//! pinned jco with every feature disabled, with its defaults (the preview1 adapter), and with
//! its componentize-js 0.19.3 fallback (`msgbridge-test-js-artifacts`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use msgbridge_compose::{
    compose_with, default_form, inspect, ComposeOptions, Composed, Form, NotSpliceable, World,
};
use msgbridge_host::{Broker, ComponentSpec, Host, HostConfig, Hosted, InProcessBroker, Message};
use msgbridge_test_artifacts as rust_wasip2;
use msgbridge_test_js_artifacts as js;
use msgbridge_test_support::within;
use msgbridge_test_toolchain_artifacts as toolchains;

/// A fixture of the matrix and the form its default composition must take.
struct Case {
    name: &'static str,
    bytes: &'static [u8],
    /// `None`: spliced. `Some(reason)`: portable, with a reason starting so.
    portable_because: Option<&'static str>,
}

/// The start of the reason a dynamically linked component gets the portable form.
const DYNAMICALLY_LINKED: &str = "the component is dynamically linked";

/// Every fixture of the matrix.
fn cases() -> Vec<Case> {
    let spliced = |name, bytes| Case {
        name,
        bytes,
        portable_because: None,
    };
    vec![
        spliced("rust-wasip2-wasi-probe", rust_wasip2::WASI_PROBE),
        spliced("rust-wasip2-wasmcloud-probe", rust_wasip2::WASMCLOUD_PROBE),
        spliced("rust-wasip1-wasi-probe", toolchains::RUST_WASIP1_WASI_PROBE),
        spliced(
            "rust-wasip1-wasmcloud-probe",
            toolchains::RUST_WASIP1_WASMCLOUD_PROBE,
        ),
        // componentize-py links CPython's shared libraries into the component.
        Case {
            name: "py-wasi-probe",
            bytes: toolchains::PY_WASI_PROBE,
            portable_because: Some(DYNAMICALLY_LINKED),
        },
        Case {
            name: "py-wasmcloud-probe",
            bytes: toolchains::PY_WASMCLOUD_PROBE,
            portable_because: Some(DYNAMICALLY_LINKED),
        },
        spliced("js-wasmcloud-probe", js::JS_WASMCLOUD_PROBE),
        spliced("js-wasmcloud-probe-wasi", js::JS_WASMCLOUD_PROBE_WASI),
        spliced("js-wasmcloud-probe-wasi026", js::JS_WASMCLOUD_PROBE_WASI026),
    ]
}

/// Composes `case` by default for the other world's host, and checks the form against the
/// expectation and against the prediction `inspect` makes (`default_form`).
fn compose_case(case: &Case) -> (World, Composed) {
    let guest = inspect(case.bytes).unwrap_or_else(|e| panic!("{}: inspect: {e}", case.name));
    let target = guest.world.other();
    let options = ComposeOptions::new(target);
    let started = Instant::now();
    let predicted =
        default_form(case.bytes, &options).unwrap_or_else(|e| panic!("{}: {e:#}", case.name));
    let predicting = started.elapsed();
    let composed = compose_with(case.bytes, &options)
        .unwrap_or_else(|e| panic!("{}: compose: {e:#}", case.name));
    eprintln!(
        "{}: {} bytes, {} for {} ({}), prediction took {predicting:.2?}",
        case.name,
        case.bytes.len(),
        composed.form.name(),
        target.name(),
        composed
            .portable_because
            .as_ref()
            .map_or("-".to_string(), NotSpliceable::to_string),
    );
    assert_eq!(
        predicted,
        (composed.form, composed.portable_because.clone()),
        "{}: inspect's prediction differs from what compose wrote",
        case.name
    );
    match case.portable_because {
        None => assert_eq!(
            composed.form,
            Form::Spliced,
            "{}: portable because {:?}",
            case.name,
            composed.portable_because.as_ref().map(|r| r.to_string())
        ),
        Some(reason) => {
            assert_eq!(composed.form, Form::Portable, "{}", case.name);
            let said = composed.portable_because.as_ref().map(|r| r.to_string());
            assert!(
                said.as_deref().is_some_and(|s| s.starts_with(reason)),
                "{}: {said:?}",
                case.name
            );
        }
    }
    (target, composed)
}

#[test]
fn every_fixture_composes_by_default_in_the_predicted_form() {
    for case in cases() {
        compose_case(&case);
    }
}

/// Starts a host serving only `world` and loads `wasm` subscribed to `subject`.
async fn host_with(
    world: World,
    name: &str,
    wasm: Vec<u8>,
    subject: &str,
) -> (Host, Arc<dyn Broker>) {
    let broker: Arc<dyn Broker> = Arc::new(InProcessBroker::new());
    let host = Host::start(
        HostConfig::new(broker.clone())
            .expect("host config")
            .with_hosted(Hosted::only(world)),
    )
    .await
    .expect("host starts");
    within(
        "loading the composed probe",
        host.add_component(ComponentSpec::new(name, Bytes::from(wasm)).subscribe(subject)),
    )
    .await
    .unwrap_or_else(|e| panic!("{name}: loads: {e:#}"));
    (host, broker)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_composed_fixture_answers_on_the_reference_host() {
    for case in cases() {
        let (target, composed) = compose_case(&case);
        let subject = format!("matrix.{}", case.name);
        let (host, broker) = host_with(target, case.name, composed.bytes, &subject).await;
        let replies = within(
            "the probe's echo",
            broker.request(
                Message::new(subject.clone(), Bytes::from_static(b"echo\nhello matrix")),
                Some(Duration::from_secs(60)),
                Some(1),
            ),
        )
        .await
        .unwrap_or_else(|e| panic!("{}: no answer: {e:#}", case.name));
        assert_eq!(
            &replies[0].body[..],
            b"hello matrix",
            "{} ({})",
            case.name,
            composed.form.name()
        );
        host.stop();
    }
}
