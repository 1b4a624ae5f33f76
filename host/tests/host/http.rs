//! The wasmCloud seed scenario end to end: the `http-api` component (wasmcloud world,
//! `consumer.request` on `tasks.<worker>`) and task workers of both worlds in one host,
//! answering real HTTP requests on loopback.

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use msgbridge_host::{ComponentSpec, Worlds};
use msgbridge_test_artifacts::{HTTP_API, LEET_WORKER, REVERSE_WORKER};
use msgbridge_test_support::within;
use wasmtime_wasi_http::io::TokioIo;

use crate::common::*;

/// POSTs `body` to `http://addr/path` over a fresh connection; returns status and body.
async fn post(addr: SocketAddr, path: &str, body: &str) -> (u16, String) {
    within("an HTTP response", async {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .expect("connect to the host's HTTP address");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("HTTP handshake");
        tokio::spawn(connection);
        let request = hyper::Request::post(path)
            .header(hyper::header::HOST, addr.to_string())
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body.to_string())))
            .expect("a request");
        let response = sender.send_request(request).await.expect("a response");
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("the response body")
            .to_bytes();
        (status, text(&body))
    })
    .await
}

async fn seed_scenario(backend: Backend) {
    let env = Env::with(backend, &format!("seed-{backend:?}"), Worlds::Both, true).await;
    let addr = env.host.http_addr().expect("an HTTP address");
    assert!(addr.ip().is_loopback());
    assert_ne!(addr.port(), 0);

    // Before the HTTP component is loaded, the address answers 503.
    let (status, _) = post(addr, "/task", "{}").await;
    assert_eq!(status, 503);

    env.load("http-api", HTTP_API, &[]).await;
    // The worker gets its subscription from config, as on wasmCloud.
    env.load_spec(
        ComponentSpec::new(env.name("leet"), Bytes::from_static(LEET_WORKER))
            .config("subscriptions", "tasks.leet"),
    )
    .await;
    env.load_spec(
        ComponentSpec::new(env.name("leet-upper"), Bytes::from_static(LEET_WORKER))
            .config("subscriptions", "tasks.upper")
            .config("leet.mode", "upper"),
    )
    .await;
    // A wasi-world worker answers the wasmcloud-world caller natively.
    env.load("reverse", REVERSE_WORKER, &["tasks.reverse"])
        .await;

    let (status, body) = post(
        addr,
        "/task",
        r#"{"worker":"leet","payload":"Hello World"}"#,
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "H3110 W0r1d"));
    // wasi:config/store answers from the component's config.
    let (status, body) = post(
        addr,
        "/task",
        r#"{"worker":"upper","payload":"Hello World"}"#,
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "H3110 W0R1D"));
    let (status, body) = post(
        addr,
        "/task",
        r#"{"worker":"reverse","payload":"Hello World"}"#,
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "dlroW olleH"));
    // The component's own errors come through.
    let (status, _) = post(addr, "/nowhere", "").await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_scenario_in_process() {
    seed_scenario(Backend::InProcess).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_scenario_nats() {
    seed_scenario(Backend::Nats).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_responders_reaches_the_http_caller_on_nats() {
    let env = Env::with(Backend::Nats, "seed-noresp", Worlds::Wasmcloud, true).await;
    let addr = env.host.http_addr().expect("an HTTP address");
    env.load("http-api", HTTP_API, &[]).await;
    let (status, body) = post(addr, "/task", r#"{"worker":"nobody","payload":"x"}"#).await;
    assert_eq!(status, 502);
    assert_eq!(
        body,
        "request to tasks.nobody failed: failed to send request: no responders: no responders\n"
    );
}
