//! HTTP before a component serves it, and a second HTTP component.

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use msgbridge_examples::HTTP_API;
use msgbridge_host::{ComponentSpec, Host, HostConfig, LoadError};

/// The status of `GET /task` on a fresh connection to `addr`.
async fn status(addr: SocketAddr) -> u16 {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .expect("handshake");
    tokio::spawn(connection);
    let request = hyper::Request::get("/task")
        .header(hyper::header::HOST, addr.to_string())
        .body(Empty::<Bytes>::new())
        .expect("request");
    let response = sender.send_request(request).await.expect("response");
    let status = response.status().as_u16();
    response.into_body().collect().await.expect("body");
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_answers_503_until_a_component_serves_it_and_only_one_may() {
    let config = HostConfig::in_process()
        .expect("config")
        .with_http("127.0.0.1:0".parse().expect("address"));
    let host = Host::start(config).await.expect("start");
    let addr = host.http_addr().expect("an HTTP address");
    assert!(addr.ip().is_loopback());
    assert_ne!(addr.port(), 0);
    assert_eq!(status(addr).await, 503);
    host.add_component(ComponentSpec::new("api", Bytes::from_static(HTTP_API)))
        .await
        .expect("load");
    assert_eq!(status(addr).await, 405, "the component answers now");
    let err = host
        .add_component(ComponentSpec::new("api-2", Bytes::from_static(HTTP_API)))
        .await
        .expect_err("a second HTTP component");
    assert!(
        matches!(&err, LoadError::HttpTaken { serving, .. } if serving == "api"),
        "{err}"
    );
}
