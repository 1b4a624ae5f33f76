//! Spliced components on the reference host, end to end: the client name chosen at
//! compose time is the one the wasmcloud-on-wasi bridge passes to `client.connect`, and the
//! examples (http-api, leet and reverse workers) answer over HTTP when spliced.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use msgbridge_compose::{splice, ComposeOptions, Target};
use msgbridge_host::{Broker, ComponentSpec, Host, HostConfig, InProcessBroker, Message, Worlds};
use msgbridge_test_artifacts as artifacts;
use msgbridge_test_support::logs::{capture_logs, log_line};
use msgbridge_test_support::within;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_compose_time_client_name_reaches_client_connect() {
    capture_logs("msgbridge_host=trace");
    let mut options = ComposeOptions::new(Target::Wasi);
    options.client_name = "orders-eu-1".into();
    let spliced = splice(artifacts::WASMCLOUD_PROBE, &options).expect("splices");

    let broker: Arc<dyn Broker> = Arc::new(InProcessBroker::new());
    let host = Host::start(
        HostConfig::new(broker.clone())
            .expect("host config")
            .with_worlds(Worlds::Wasi),
    )
    .await
    .expect("host starts");
    within(
        "loading the spliced probe",
        host.add_component(
            ComponentSpec::new("named-probe", Bytes::from(spliced)).subscribe("named.cmd"),
        ),
    )
    .await
    .expect("loads");

    // `publish` makes the bridge connect its client, then report.
    let replies = within(
        "the probe's report",
        broker.request(
            Message::new("named.cmd", Bytes::from_static(b"publish named.out\nhi")),
            Some(Duration::from_secs(20)),
            Some(1),
        ),
    )
    .await
    .expect("answered");
    assert_eq!(&replies[0].body[..], b"ok");
    let line = log_line(&["client connected", "named-probe", "orders-eu-1"]).await;
    assert!(!line.contains("\"default\""), "{line}");
}

fn spliced(guest: &[u8], target: Target) -> Bytes {
    Bytes::from(splice(guest, &ComposeOptions::new(target)).expect("splices"))
}

async fn post_task(host: &Host, worker: &str, payload: &str) -> (u16, String) {
    let addr = host.http_addr().expect("serving HTTP");
    let body = format!(r#"{{"worker":"{worker}","payload":"{payload}"}}"#);
    tokio::task::spawn_blocking(move || msgbridge_demo::http_post(addr, "/task", &body))
        .await
        .expect("the request task")
        .expect("an HTTP response")
}

/// The wasmCloud docs' scenario (http-api, leet and reverse workers) on a host serving only
/// `worlds`, with `components` as (name, bytes, subscription).
async fn task_workers(worlds: Worlds, components: [(&str, Bytes, Option<&str>); 3]) {
    let config = HostConfig::new(Arc::new(InProcessBroker::new()))
        .expect("host config")
        .with_worlds(worlds)
        .with_http("127.0.0.1:0".parse().expect("an address"));
    let host = Host::start(config).await.expect("host starts");
    for (name, wasm, subscription) in components {
        let mut spec = ComponentSpec::new(name, wasm);
        if let Some(subject) = subscription {
            spec = spec.subscribe(subject);
        }
        host.add_component(spec)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert_eq!(
        post_task(&host, "leet", "Hello World").await,
        (200, "H3110 W0r1d".to_string())
    );
    assert_eq!(
        post_task(&host, "reverse", "Hello World").await,
        (200, "dlroW olleH".to_string())
    );
    host.stop();
}

/// On a host serving only wasi:messaging, the wasmcloud http-api (sender only, with a
/// `wasi:http` export) and leet worker (with `wasi:config`) run spliced.
#[tokio::test(flavor = "multi_thread")]
async fn http_example_with_spliced_wasmcloud_components_on_a_wasi_host() {
    task_workers(
        Worlds::Wasi,
        [
            ("http-api", spliced(artifacts::HTTP_API, Target::Wasi), None),
            (
                "leet",
                spliced(artifacts::LEET_WORKER, Target::Wasi),
                Some("tasks.leet"),
            ),
            (
                "reverse",
                Bytes::from_static(artifacts::REVERSE_WORKER),
                Some("tasks.reverse"),
            ),
        ],
    )
    .await;
}

/// On a host serving only wasmcloud:messaging, the wasi reverse worker runs spliced.
#[tokio::test(flavor = "multi_thread")]
async fn http_example_with_a_spliced_wasi_worker_on_a_wasmcloud_host() {
    task_workers(
        Worlds::Wasmcloud,
        [
            ("http-api", Bytes::from_static(artifacts::HTTP_API), None),
            (
                "leet",
                Bytes::from_static(artifacts::LEET_WORKER),
                Some("tasks.leet"),
            ),
            (
                "reverse",
                spliced(artifacts::REVERSE_WORKER, Target::Wasmcloud),
                Some("tasks.reverse"),
            ),
        ],
    )
    .await;
}
