//! Spliced components on the reference host, end to end: the client name chosen at
//! compose time is the one the wasmcloud-on-wasi bridge passes to `client.connect`.

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
