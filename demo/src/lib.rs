//! The msgbridge demo: the wasmCloud docs' "task workers" scenario across messaging worlds.
//!
//! Three example components (built from `examples/` by `msgbridge-examples`):
//! `http-api` and `leet-worker` speak `wasmcloud:messaging@0.2.0`, `reverse-worker` speaks
//! `wasi:messaging@0.2.0-draft`. The demo runs them twice on the reference host: on a host
//! that serves only wasmCloud's world (as wasmCloud v2 does), with the wasi worker adapted,
//! and on a host that serves only the wasi world, with the two wasmCloud components adapted.
//! Each time it sends `POST /task` for both workers and prints request and reply.
//!
//! Then the two async worlds: `shout-worker` speaks wasmCloud v2.8's
//! `wasmcloud:messaging@0.3.0` and `rot13-worker` Omnia's async `wasi:messaging`. They run on a
//! host serving only one async world, then only the other, each adapted for the host whose
//! world it does not speak, and the demo requests a task of each through the host's broker
//! (the HTTP front end speaks a synchronous world, which no async host serves). The
//! synchronous `leet-worker` runs on the `wasmcloud-async` host and `reverse-worker` on the
//! `wasi-async` host too, spliced for them.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use msgbridge_compose::{compose_with, inspect, plan, ComposeOptions, Form, Inspection, World};
use msgbridge_examples as examples;
use msgbridge_host::{
    Broker, ComponentSpec, Host, HostConfig, Hosted, InProcessBroker, Message, NatsBroker,
};

/// One example component.
struct Example {
    name: &'static str,
    bytes: &'static [u8],
    subscription: Option<&'static str>,
}

const EXAMPLES: [Example; 3] = [
    Example {
        name: "http-api",
        bytes: examples::HTTP_API,
        subscription: None,
    },
    Example {
        name: "leet-worker",
        bytes: examples::LEET_WORKER,
        subscription: Some("tasks.leet"),
    },
    Example {
        name: "reverse-worker",
        bytes: examples::REVERSE_WORKER,
        subscription: Some("tasks.reverse"),
    },
];

/// The requests the demo sends: worker and payload.
pub const TASKS: [(&str, &str); 2] = [("leet", "Hello World"), ("reverse", "Hello World")];

/// The async worlds' examples.
const ASYNC_EXAMPLES: [Example; 2] = [
    Example {
        name: "shout-worker",
        bytes: examples::SHOUT_WORKER,
        subscription: Some("tasks.shout"),
    },
    Example {
        name: "rot13-worker",
        bytes: examples::ROT13_WORKER,
        subscription: Some("tasks.rot13"),
    },
];

/// The requests the demo sends to the async workers, through the host's broker: subject
/// and payload.
pub const ASYNC_TASKS: [(&str, &str); 2] = [
    ("tasks.shout", "Hello World"),
    ("tasks.rot13", "Hello World"),
];

/// How long the demo waits for an async worker's answer.
/// The synchronous workers' tasks on the async hosts they are spliced for (the only form
/// between a synchronous and an async world): `leet-worker` on `wasmcloud-async`,
/// `reverse-worker` on `wasi-async`.
pub const SYNC_ON_ASYNC_TASKS: [(&str, &str); 2] = [
    ("tasks.leet", "Hello World"),
    ("tasks.reverse", "Hello World"),
];

const ASYNC_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A fresh broker: NATS at `nats_url`, or in-process.
async fn broker(nats_url: Option<&str>) -> Result<Arc<dyn Broker>> {
    Ok(match nats_url {
        Some(url) => Arc::new(
            NatsBroker::connect(url)
                .await
                .with_context(|| format!("cannot connect to NATS at {url}"))?,
        ),
        None => Arc::new(InProcessBroker::new()),
    })
}

/// How the host's broker is named in the report.
fn broker_name(nats_url: Option<&str>) -> &'static str {
    if nats_url.is_some() {
        "NATS"
    } else {
        "in-process"
    }
}

/// Runs the demo, writing its report to `out`. With `nats_url`, both hosts use that NATS
/// server instead of an in-process broker.
pub async fn run(out: &mut (dyn Write + Send), nats_url: Option<&str>) -> Result<()> {
    writeln!(
        out,
        "msgbridge demo: the task-workers scenario across messaging worlds"
    )?;
    let mut inspections = Vec::with_capacity(EXAMPLES.len());
    for example in &EXAMPLES {
        let inspection = inspect(example.bytes)?;
        writeln!(out, "  {:<15} speaks {}", example.name, inspection.world)?;
        inspections.push(inspection);
    }
    for target in [World::Wasmcloud, World::Wasi] {
        writeln!(out)?;
        let broker = broker(nats_url).await?;
        let hosted = Hosted::only(target);
        writeln!(
            out,
            "host serving only {} ({} broker)",
            target,
            broker_name(nats_url)
        )?;
        let config = HostConfig::new(broker)?
            .with_hosted(hosted)
            .with_http("127.0.0.1:0".parse()?);
        let host = Host::start(config).await?;
        for (example, inspection) in EXAMPLES.iter().zip(&inspections) {
            let bytes = prepare(out, example, inspection, target)?;
            let mut spec = ComponentSpec::new(example.name, bytes);
            if let Some(subject) = example.subscription {
                spec = spec.subscribe(subject);
            }
            host.add_component(spec)
                .await
                .with_context(|| format!("loading {}", example.name))?;
        }
        let addr = host.http_addr().context("host serves no HTTP")?;
        for (worker, payload) in TASKS {
            let body = format!(r#"{{"worker":"{worker}","payload":"{payload}"}}"#);
            let (status, reply) = http_post(addr, "/task", &body).await?;
            writeln!(out, "  POST /task {body:<45} -> {status} {reply}")?;
        }
        host.stop();
    }
    run_async(out, nats_url).await
}

/// The async worlds' part of [`run`]: each async worker on a host of each async world.
async fn run_async(out: &mut (dyn Write + Send), nats_url: Option<&str>) -> Result<()> {
    writeln!(out)?;
    let mut inspections = Vec::with_capacity(ASYNC_EXAMPLES.len());
    for example in &ASYNC_EXAMPLES {
        let inspection = inspect(example.bytes)?;
        writeln!(out, "  {:<15} speaks {}", example.name, inspection.world)?;
        inspections.push(inspection);
    }
    for target in [World::WasmcloudAsync, World::WasiAsync] {
        writeln!(out)?;
        let broker = broker(nats_url).await?;
        writeln!(
            out,
            "host serving only {} ({} broker)",
            target,
            broker_name(nats_url)
        )?;
        let config = HostConfig::new(broker.clone())?.with_hosted(Hosted::only(target));
        let host = Host::start(config).await?;
        // The synchronous worker of the host's family too, spliced for the async host.
        let (sync_worker, sync_task) = match target {
            World::WasmcloudAsync => (&EXAMPLES[1], SYNC_ON_ASYNC_TASKS[0]),
            _ => (&EXAMPLES[2], SYNC_ON_ASYNC_TASKS[1]),
        };
        let sync_inspection = inspect(sync_worker.bytes)?;
        plan(&sync_inspection, target)?;
        let sync_examples = Some((sync_worker, &sync_inspection));
        for (example, inspection) in ASYNC_EXAMPLES.iter().zip(&inspections).chain(sync_examples) {
            let bytes = prepare(out, example, inspection, target)?;
            let mut spec = ComponentSpec::new(example.name, bytes);
            if let Some(subject) = example.subscription {
                spec = spec.subscribe(subject);
            }
            host.add_component(spec)
                .await
                .with_context(|| format!("loading {}", example.name))?;
        }
        for (subject, payload) in ASYNC_TASKS.into_iter().chain(Some(sync_task)) {
            let replies = broker
                .request(
                    Message::new(subject, payload.as_bytes().to_vec()),
                    Some(ASYNC_TIMEOUT),
                    Some(1),
                )
                .await
                .with_context(|| format!("requesting {subject}"))?;
            let answer = replies
                .first()
                .map(|reply| String::from_utf8_lossy(&reply.body).into_owned())
                .context("no reply")?;
            writeln!(out, "  request {subject:<12} {payload:<12} -> {answer}")?;
        }
        host.stop();
    }
    Ok(())
}

/// The example as the `target` host needs it: as it is, or composed.
fn prepare(
    out: &mut (dyn Write + Send),
    example: &Example,
    inspection: &Inspection,
    target: World,
) -> Result<Bytes> {
    if inspection.world == target {
        writeln!(out, "  {:<15} runs as it is", example.name)?;
        return Ok(Bytes::from_static(example.bytes));
    }
    let composed = compose_with(example.bytes, &ComposeOptions::new(target))?;
    // The form it got; the halves are named only where they were plugged (portable).
    let form = match (composed.form, &composed.portable_because) {
        (Form::Spliced, _) => "spliced form, the bridge fused into the component".to_string(),
        (Form::Portable, because) => format!(
            "portable form, {}{}",
            plan(inspection, target)?.halves().join(" + "),
            because
                .as_ref()
                .map(|reason| format!(" (not spliceable: {reason})"))
                .unwrap_or_default()
        ),
    };
    writeln!(
        out,
        "  {:<15} composed for {}: {form} ({} -> {} bytes)",
        example.name,
        target.name(),
        example.bytes.len(),
        composed.bytes.len()
    )?;
    Ok(Bytes::from(composed.bytes))
}

/// `POST path` with a JSON `body` to `addr`, over a fresh connection; returns the status
/// code and the body.
pub async fn http_post(addr: SocketAddr, path: &str, body: &str) -> Result<(u16, String)> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .with_context(|| format!("HTTP handshake with {addr}"))?;
    tokio::spawn(connection);
    let request = hyper::Request::post(path)
        .header(hyper::header::HOST, addr.to_string())
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body.to_string())))?;
    let response = sender
        .send_request(request)
        .await
        .with_context(|| format!("POST {path} to {addr}"))?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}
