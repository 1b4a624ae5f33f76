//! The async worlds' `stream<u8>` bodies: the host reads a guest's body whole, up to
//! `msgbridge_mapping::MAX_STREAMED_BODY`, and refuses a longer one with the world's
//! `message-too-large` rather than buffering it; the guest keeps running and reports it.

use std::time::Duration;

use bytes::Bytes;
use msgbridge_host::{ComponentSpec, Host, HostConfig, Hosted, Message, World};
use msgbridge_mapping::MAX_STREAMED_BODY;
use msgbridge_test_artifacts::WASMCLOUD_ASYNC_PROBE;
use msgbridge_test_support::within;

/// What the async wasmcloud probe answers when asked to publish `size` bytes.
async fn publish_report(host: &Host, size: usize) -> String {
    let mut body = b"publish streams.sink\n".to_vec();
    body.resize(body.len() + size, b'x');
    let replies = within(
        "the probe's report",
        host.broker().request(
            Message::new("streams.cmd", body),
            Some(Duration::from_secs(30)),
            Some(1),
        ),
    )
    .await
    .expect("a report");
    String::from_utf8_lossy(&replies[0].body).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_body_past_the_bound_is_refused_as_too_large() {
    let host = Host::start(
        HostConfig::in_process()
            .expect("config")
            .with_hosted(Hosted::only(World::WasmcloudAsync)),
    )
    .await
    .expect("start");
    host.add_component(
        ComponentSpec::new("probe", Bytes::from_static(WASMCLOUD_ASYNC_PROBE))
            .subscribe("streams.cmd"),
    )
    .await
    .expect("load");
    let mut sink = host
        .broker()
        .subscribe("streams.sink", None)
        .await
        .expect("subscribe");

    // At the bound: sent whole.
    assert_eq!(publish_report(&host, MAX_STREAMED_BODY).await, "ok");
    let sent = within("the published body", sink.next())
        .await
        .expect("a message");
    assert_eq!(sent.body.len(), MAX_STREAMED_BODY);

    // One byte past it: refused, nothing sent, and the guest is told why.
    assert_eq!(
        publish_report(&host, MAX_STREAMED_BODY + 1).await,
        "err message-too-large"
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(300), sink.next())
            .await
            .is_err(),
        "a body past the bound must not be sent"
    );
    host.stop();
}

/// A synchronous wasmcloud guest spliced for a `wasmcloud:messaging@0.3.0` host: the bridge
/// reads each delivery's body stream whole into the guest's `list<u8>`, up to the same
/// bound, and fails a longer delivery with `handle-message-error::other` naming the bound,
/// without calling the guest; the instance's next delivery is served as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_guest_bridge_reads_a_delivery_up_to_the_bound_and_refuses_past_it() {
    let spliced = msgbridge_compose::compose(
        msgbridge_test_artifacts::WASMCLOUD_PROBE,
        World::WasmcloudAsync,
    )
    .expect("compose");
    let host = Host::start(
        HostConfig::in_process()
            .expect("config")
            .with_hosted(Hosted::only(World::WasmcloudAsync)),
    )
    .await
    .expect("start");
    let mut deliveries = host.deliveries();
    host.add_component(
        ComponentSpec::new("spliced", Bytes::from(spliced)).subscribe("streams.cmd"),
    )
    .await
    .expect("load");
    let mut sink = host
        .broker()
        .subscribe("streams.sink", None)
        .await
        .expect("subscribe");

    // A delivery of exactly the bound: the guest publishes its payload, which the host's
    // `publish` takes whole.
    let command = b"publish streams.sink\n";
    let payload = MAX_STREAMED_BODY - command.len();
    assert_eq!(publish_report(&host, payload).await, "ok");
    let sent = within("the published body", sink.next())
        .await
        .expect("a message");
    assert_eq!(sent.body.len(), payload);
    let handled = within("a delivery", deliveries.recv())
        .await
        .expect("event");
    assert_eq!(handled.outcome, msgbridge_host::Outcome::Handled);

    // One byte more: the guest never sees it, the host sees the bound.
    let mut body = command.to_vec();
    body.resize(MAX_STREAMED_BODY + 1, b'x');
    host.broker()
        .publish(Message::new("streams.cmd", body))
        .await
        .expect("publish");
    let refused = within("a delivery", deliveries.recv())
        .await
        .expect("event");
    assert_eq!(
        refused.outcome,
        msgbridge_host::Outcome::Failed(msgbridge_mapping::body_too_large_message(
            MAX_STREAMED_BODY
        ))
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(300), sink.next())
            .await
            .is_err(),
        "a delivery past the bound must not reach the guest"
    );
    assert_eq!(publish_report(&host, 3).await, "ok");
    host.stop();
}
