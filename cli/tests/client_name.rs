//! The client name chosen at compose time (`--client-name`) is the name the adapted
//! wasmcloud guest's bridge passes to `client.connect` on a wasi host, in both forms.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use msgbridge_compose::{compose_with, ComposeOptions, Form, World};
use msgbridge_host::{Broker, ComponentSpec, Host, HostConfig, Hosted, InProcessBroker, Message};
use msgbridge_test_artifacts as artifacts;
use msgbridge_test_support::logs::{capture_logs, log_line};
use msgbridge_test_support::within;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_compose_time_client_name_reaches_client_connect() {
    capture_logs("msgbridge_host=trace");
    for (form, name) in [
        (Form::Spliced, "orders-eu-1"),
        (Form::Portable, "orders-us-2"),
    ] {
        let options = ComposeOptions {
            client_name: name.into(),
            form: Some(form),
            ..ComposeOptions::new(World::Wasi)
        };
        let adapted = compose_with(artifacts::WASMCLOUD_PROBE, &options).expect("composes");
        assert_eq!(adapted.form, form);
        let broker: Arc<dyn Broker> = Arc::new(InProcessBroker::new());
        let host = Host::start(
            HostConfig::new(broker.clone())
                .expect("host config")
                .with_hosted(Hosted::only(World::Wasi)),
        )
        .await
        .expect("host starts");
        let component = format!("named-{}", form.name());
        within(
            "loading the adapted probe",
            host.add_component(
                ComponentSpec::new(component.clone(), Bytes::from(adapted.bytes))
                    .subscribe("named.cmd"),
            ),
        )
        .await
        .expect("loads");
        // `publish` makes the adapter connect its client, then report.
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
        let line = log_line(&["client connected", &component, name]).await;
        assert!(!line.contains("\"default\""), "{line}");
    }
}
