//! Serving components that export `wasi:http/incoming-handler` on a loopback address, a
//! fresh instance per request.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use tokio::net::TcpListener;
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::WasiHttpView;

use crate::component::Loaded;
use crate::state::HostState;
use crate::Broker;

/// The component that answers HTTP requests, once one is loaded.
pub(crate) struct HttpRoute {
    /// The component.
    pub(crate) component: Arc<Loaded>,
    /// Its HTTP handler.
    pub(crate) pre: ProxyPre<HostState>,
    /// The broker its instances use.
    pub(crate) broker: Arc<dyn Broker>,
}

/// Where HTTP requests go: empty until a component exporting `wasi:http/incoming-handler`
/// is added.
pub(crate) type RouteSlot = Arc<RwLock<Option<Arc<HttpRoute>>>>;

/// Binds `addr` and serves HTTP/1.1 there until the returned task is aborted.
pub(crate) async fn serve(
    addr: SocketAddr,
    route: RouteSlot,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "failed to accept an HTTP connection");
                    continue;
                }
            };
            let route = route.clone();
            // Connections live in the set, so aborting the server aborts them too.
            connections.spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let route = route.clone();
                    async move { Ok::<_, Infallible>(handle(route, request).await) }
                });
                if let Err(e) = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service)
                    .await
                {
                    tracing::debug!(%peer, error = %e, "HTTP connection ended with an error");
                }
            });
            while connections.try_join_next().is_some() {}
        }
    });
    Ok((bound, task))
}

/// A plain-text response with `status`.
fn text_response(status: hyper::StatusCode, text: &str) -> hyper::Response<HyperOutgoingBody> {
    let body = Full::new(Bytes::from(text.to_string()))
        .map_err(|never: Infallible| match never {})
        .boxed_unsync();
    let mut response = hyper::Response::new(body);
    *response.status_mut() = status;
    response
}

/// Answers one request with a fresh instance of the HTTP component.
async fn handle(
    route: RouteSlot,
    request: hyper::Request<hyper::body::Incoming>,
) -> hyper::Response<HyperOutgoingBody> {
    let route = route.read().ok().and_then(|slot| slot.clone());
    let Some(route) = route else {
        return text_response(
            hyper::StatusCode::SERVICE_UNAVAILABLE,
            "no component serving HTTP is loaded\n",
        );
    };
    let name = route.component.name.clone();
    tracing::debug!(component = %name, method = %request.method(), uri = %request.uri(), "HTTP request");
    match invoke(&route, request).await {
        Ok(response) => response,
        Err(e) => {
            tracing::warn!(component = %name, error = %format!("{e:#}"), "HTTP handler failed");
            text_response(
                hyper::StatusCode::INTERNAL_SERVER_ERROR,
                "the component failed to handle the request\n",
            )
        }
    }
}

async fn invoke(
    route: &HttpRoute,
    request: hyper::Request<hyper::body::Incoming>,
) -> wasmtime::Result<hyper::Response<HyperOutgoingBody>> {
    let mut store = route.component.new_store(route.broker.clone());
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let incoming = store
        .data_mut()
        .http()
        .new_incoming_request(Scheme::Http, request)?;
    let out = store.data_mut().http().new_response_outparam(sender)?;
    let pre = route.pre.clone();
    // The guest may keep running (streaming the body) after it has sent the headers.
    let task = tokio::spawn(async move {
        let proxy = pre.instantiate_async(&mut store).await?;
        proxy
            .wasi_http_incoming_handler()
            .call_handle(&mut store, incoming, out)
            .await
    });
    match receiver.await {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(code)) => Err(wasmtime::format_err!(
            "the component answered with error code {code:?}"
        )),
        Err(_) => {
            let cause = match task.await {
                Ok(Ok(())) => wasmtime::format_err!("the component never set a response"),
                Ok(Err(e)) => e,
                Err(e) => wasmtime::format_err!("the handler task failed: {e}"),
            };
            Err(cause.context("the component never set a response"))
        }
    }
}
