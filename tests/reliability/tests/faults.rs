//! Broker faults: a NATS server killed and restarted under a running host, and subscribers
//! slower than their publishers, each checked against its row of docs/reliability.md.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use msgbridge_host::{
    Broker, BrokerError, ComponentSpec, Host, HostConfig, InProcessBroker, Message, NatsBroker,
};
use msgbridge_test_artifacts::WASMCLOUD_PROBE;
use msgbridge_test_support::logs::{capture_logs, log_line};
use msgbridge_test_support::reliability::documented;
use msgbridge_test_support::{within, NatsServer};

/// [`msgbridge_reliability::echo`] on this test's subject.
async fn echo(client: &NatsBroker, i: usize, timeout: Duration) -> Result<Bytes, BrokerError> {
    msgbridge_reliability::echo(client, "restart.cmd", i, timeout).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nats_restart_under_a_running_host_loses_only_what_was_refused() {
    let mut server = NatsServer::start();
    let host_side = NatsBroker::connect(&server.url()).await.expect("connects");
    let client = NatsBroker::connect(&server.url()).await.expect("connects");
    let host = Host::start(HostConfig::new(Arc::new(host_side)).expect("config"))
        .await
        .expect("starts");
    host.add_component(
        ComponentSpec::new("restarted", Bytes::from_static(WASMCLOUD_PROBE))
            .subscribe("restart.cmd"),
    )
    .await
    .expect("loads");

    // Before: every request answered.
    for i in 0..20 {
        let body = echo(&client, i, Duration::from_secs(20))
            .await
            .expect("answered");
        assert_eq!(body, i.to_string().as_bytes());
    }

    // The server dies: requests fail with an error, none gets a wrong answer.
    server.kill();
    let mut refused = 0;
    for i in 20..30 {
        match echo(&client, i, Duration::from_millis(300)).await {
            Err(_) => refused += 1,
            Ok(body) => assert_eq!(body, i.to_string().as_bytes(), "a wrong answer"),
        }
    }
    assert_eq!(
        refused, 10,
        "every request sent while the server was down failed"
    );

    // It comes back on the same port: both connections reconnect, the host's subscription
    // is restored, and delivery resumes without restarting the host.
    server.restart();
    within("the host answering again", async {
        let mut i = 30;
        loop {
            if echo(&client, i, Duration::from_millis(500)).await.is_ok() {
                break;
            }
            i += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    for i in 1000..1020 {
        let body = echo(&client, i, Duration::from_secs(20))
            .await
            .expect("answered");
        assert_eq!(body, i.to_string().as_bytes());
    }
    host.stop();
    documented(
        "NATS server killed under a running host, then restarted on its port",
        "requests sent while it was down fail with an error at the requester; both connections reconnect, the subscription is restored and delivery resumes without a host restart",
        "the requests sent while it was down (each refused with an error, none answered wrongly)",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_subscriber_in_process_fills_its_inbox_then_publishers_get_an_error() {
    let broker = Arc::new(InProcessBroker::new());
    let host = Host::start(HostConfig::new(broker.clone()).expect("config"))
        .await
        .expect("starts");
    let mut spec =
        ComponentSpec::new("slow", Bytes::from_static(WASMCLOUD_PROBE)).subscribe("slow.cmd");
    // One delivery at a time, each spinning until a long deadline: the inbox fills.
    spec.limits.max_in_flight = 1;
    spec.limits.deadline = Duration::from_secs(60);
    host.add_component(spec).await.expect("loads");
    let mut accepted = 0;
    let error = loop {
        match broker
            .publish(Message::new("slow.cmd", Bytes::from_static(b"spin")))
            .await
        {
            Ok(()) => accepted += 1,
            Err(e) => break e,
        }
        assert!(
            accepted <= msgbridge_host::INBOX_CAPACITY + 1,
            "the inbox is unbounded"
        );
    };
    assert_eq!(error, BrokerError::QueueFull);
    assert_eq!(error.to_string(), "message queue full");
    // One taken by the delivery in flight, the rest in the inbox.
    assert_eq!(accepted, msgbridge_host::INBOX_CAPACITY + 1);
    host.stop();
    documented(
        "subscriber slower than its publisher (in-process broker)",
        "deliveries run up to the component's max_in_flight; then its inbox holds 10,000 messages; then publish fails with `message queue full`",
        "nothing silently: every message past the bound is refused to its publisher",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_subscriber_on_nats_is_bounded_and_reported() {
    capture_logs("msgbridge_host=debug");
    let server = NatsServer::start();
    let host_side = NatsBroker::connect(&server.url()).await.expect("connects");
    let client = NatsBroker::connect(&server.url()).await.expect("connects");
    let host = Host::start(HostConfig::new(Arc::new(host_side)).expect("config"))
        .await
        .expect("starts");
    let mut spec = ComponentSpec::new("slow-nats", Bytes::from_static(WASMCLOUD_PROBE))
        .subscribe("slownats.cmd");
    spec.limits.max_in_flight = 1;
    spec.limits.deadline = Duration::from_secs(60);
    host.add_component(spec).await.expect("loads");
    // Far more than the subscription may buffer.
    for _ in 0..(3 * msgbridge_host::INBOX_CAPACITY) {
        client
            .publish(Message::new("slownats.cmd", Bytes::from_static(b"spin")))
            .await
            .expect("published");
    }
    let line = log_line(&["slow consumer", "inbox is full"]).await;
    assert!(line.contains("ERROR"), "{line}");
    host.stop();
    documented(
        "subscriber slower than its publisher (NATS)",
        "deliveries run up to the component's max_in_flight; the subscription buffers 10,000 messages; past that NATS drops messages for it and the host logs `slow consumer` at error",
        "the messages NATS dropped past the bound (core NATS is at-most-once), each drop reported in the log",
    );
}
