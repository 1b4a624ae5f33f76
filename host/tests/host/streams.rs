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
