//! The msgbridge demo: the wasmCloud docs' "task workers" scenario across messaging worlds.
//!
//! Three example components (built from `examples/` by `msgbridge-test-artifacts`):
//! `http-api` and `leet-worker` speak `wasmcloud:messaging@0.2.0`, `reverse-worker` speaks
//! `wasi:messaging@0.2.0-draft`. The demo runs them twice on the reference host: on a host
//! that serves only wasmCloud's world (as wasmCloud v2 does), with the wasi worker adapted,
//! and on a host that serves only the wasi world, with the two wasmCloud components adapted.
//! Each time it sends `POST /task` for both workers and prints request and reply.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use msgbridge_compose::{inspect, plan, Inspection, Target};
use msgbridge_host::{
    Broker, ComponentSpec, Host, HostConfig, InProcessBroker, NatsBroker, Worlds,
};
use msgbridge_test_artifacts as artifacts;

/// One example component.
struct Example {
    name: &'static str,
    bytes: &'static [u8],
    subscription: Option<&'static str>,
}

const EXAMPLES: [Example; 3] = [
    Example {
        name: "http-api",
        bytes: artifacts::HTTP_API,
        subscription: None,
    },
    Example {
        name: "leet-worker",
        bytes: artifacts::LEET_WORKER,
        subscription: Some("tasks.leet"),
    },
    Example {
        name: "reverse-worker",
        bytes: artifacts::REVERSE_WORKER,
        subscription: Some("tasks.reverse"),
    },
];

/// The requests the demo sends: worker and payload.
pub const TASKS: [(&str, &str); 2] = [("leet", "Hello World"), ("reverse", "Hello World")];

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
    for target in [Target::Wasmcloud, Target::Wasi] {
        writeln!(out)?;
        let broker: Arc<dyn Broker> = match nats_url {
            Some(url) => Arc::new(
                NatsBroker::connect(url)
                    .await
                    .with_context(|| format!("cannot connect to NATS at {url}"))?,
            ),
            None => Arc::new(InProcessBroker::new()),
        };
        let worlds = match target {
            Target::Wasmcloud => Worlds::Wasmcloud,
            Target::Wasi => Worlds::Wasi,
        };
        writeln!(
            out,
            "host serving only {} ({} broker)",
            target.world(),
            if nats_url.is_some() {
                "NATS"
            } else {
                "in-process"
            }
        )?;
        let config = HostConfig::new(broker)?
            .with_worlds(worlds)
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
            let request = body.clone();
            let (status, reply) =
                tokio::task::spawn_blocking(move || http_post(addr, "/task", &request)).await??;
            writeln!(out, "  POST /task {body:<45} -> {status} {reply}")?;
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
    target: Target,
) -> Result<Bytes> {
    if inspection.world == target.world() {
        writeln!(out, "  {:<15} runs as it is", example.name)?;
        return Ok(Bytes::from_static(example.bytes));
    }
    let halves = plan(inspection, target)?.halves().join(" + ");
    let composed = msgbridge_compose::compose(example.bytes, target)?;
    writeln!(
        out,
        "  {:<15} composed for {target}: {halves} ({} -> {} bytes)",
        example.name,
        example.bytes.len(),
        composed.len()
    )?;
    Ok(Bytes::from(composed))
}

/// A minimal HTTP/1.1 POST over loopback; returns the status code and body.
pub fn http_post(addr: SocketAddr, path: &str, body: &str) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr).with_context(|| format!("connecting to {addr}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response).into_owned();
    let Some((head, rest)) = response.split_once("\r\n\r\n") else {
        bail!("malformed HTTP response: {response:?}");
    };
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("no status in {head:?}"))?;
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(rest)?
    } else {
        rest.to_string()
    };
    Ok((status, body))
}

fn dechunk(mut rest: &str) -> Result<String> {
    let mut body = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).context("bad chunk size")?;
        if size == 0 {
            break;
        }
        let chunk = tail.get(..size).context("truncated chunk")?;
        body.push_str(chunk);
        rest = tail.get(size + 2..).unwrap_or_default();
    }
    Ok(body)
}
