//! Long runs: many messages through adapted handlers (both directions, spliced and
//! portable, fresh and warm instances), watching the host's resident memory and the
//! instances' linear memory, which must stay flat once warmed up.
//!
//! `cargo run --release -p msgbridge-reliability --bin msgbridge-soak -- --messages 1000000
//! --write docs/reliability.md` is the full run, whose figures the soak section of
//! `docs/reliability.md` holds; the test command runs a bounded one.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use bytes::Bytes;
use msgbridge_compose::{compose_with, ComposeOptions, Form};
use msgbridge_host::{
    Broker, ComponentSpec, Host, HostConfig, Hosted, InProcessBroker, InstancePolicy, Message,
    Runtime,
};
use msgbridge_worlds::World;

/// One configuration's run.
#[derive(Debug, Clone)]
pub struct SoakRow {
    /// The guest and the host: e.g. `wasi-probe on wasmcloud`.
    pub guest: &'static str,
    /// `spliced` or `portable`.
    pub form: &'static str,
    /// `fresh` or `warm`.
    pub instances: &'static str,
    /// Messages sent (request-reply, each answered).
    pub messages: usize,
    /// Messages per second.
    pub rate: f64,
    /// The host's resident memory after the warm-up and at the end, in bytes.
    pub rss: (u64, u64),
    /// The largest linear memory of the instance handling the last warm-up message and
    /// the last message, in bytes.
    pub instance_memory: (usize, usize),
}

impl SoakRow {
    /// Whether memory stayed flat: the instances' linear memory did not grow after the
    /// warm-up, and the host's resident memory grew by less than `rss_slack` bytes.
    pub fn flat(&self, rss_slack: u64) -> bool {
        self.instance_memory.1 <= self.instance_memory.0
            && self.rss.1.saturating_sub(self.rss.0) < rss_slack
    }
}

/// The host's resident memory now (VmRSS), in bytes.
pub fn resident_memory() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

/// Runs `messages` echo requests (after `messages / 10` of warm-up) through each adapted
/// configuration, in turn.
pub async fn soak(messages: usize) -> Result<Vec<SoakRow>> {
    let runtime = Runtime::shared()?;
    let guests = [
        (
            "wasi-probe on wasmcloud",
            msgbridge_test_artifacts::WASI_PROBE,
            World::Wasmcloud,
        ),
        (
            "wasmcloud-probe on wasi",
            msgbridge_test_artifacts::WASMCLOUD_PROBE,
            World::Wasi,
        ),
    ];
    let mut rows = Vec::new();
    for (guest, bytes, target) in guests {
        for (form_name, form) in [("spliced", Form::Spliced), ("portable", Form::Portable)] {
            let options = ComposeOptions {
                form: Some(form),
                ..ComposeOptions::new(target)
            };
            let adapted = Bytes::from(compose_with(bytes, &options)?.bytes);
            for (instances, policy) in [
                ("fresh", InstancePolicy::Fresh),
                (
                    "warm",
                    InstancePolicy::Warm {
                        pool_size: 1,
                        max_invocations: u64::MAX,
                    },
                ),
            ] {
                let (rate, rss, instance_memory) =
                    run(&runtime, adapted.clone(), target, policy, messages).await?;
                rows.push(SoakRow {
                    guest,
                    form: form_name,
                    instances,
                    messages,
                    rate,
                    rss,
                    instance_memory,
                });
            }
        }
    }
    Ok(rows)
}

async fn run(
    runtime: &Runtime,
    wasm: Bytes,
    host_world: World,
    policy: InstancePolicy,
    messages: usize,
) -> Result<(f64, (u64, u64), (usize, usize))> {
    let broker: Arc<dyn Broker> = Arc::new(InProcessBroker::new());
    let host = Host::start(
        HostConfig::new(broker.clone())?
            .with_hosted(Hosted::only(host_world))
            .with_runtime(runtime.clone()),
    )
    .await?;
    let mut deliveries = host.deliveries();
    host.add_component(
        ComponentSpec::new("soak", wasm)
            .subscribe("soak.cmd")
            .instances(policy),
    )
    .await?;
    let warm_up = (messages / 10).max(1);
    let mut after_warm_up = (0, 0);
    let mut last_memory = 0;
    let started = Instant::now();
    for i in 0..warm_up + messages {
        if i == warm_up {
            after_warm_up = (resident_memory(), last_memory);
        }
        // Bodies of varying size, so that a leak proportional to them shows.
        let body = format!("echo\nsoak {i} {}", "x".repeat(i % 512));
        let replies = broker
            .request(
                Message::new("soak.cmd", Bytes::from(body.clone())),
                Some(Duration::from_secs(30)),
                Some(1),
            )
            .await
            .with_context(|| format!("message {i}"))?;
        ensure!(
            replies.len() == 1 && replies[0].body == body.as_bytes()[5..],
            "message {i} got a wrong answer"
        );
        let delivery = tokio::time::timeout(Duration::from_secs(30), deliveries.recv())
            .await
            .context("no delivery event")??;
        last_memory = delivery.instance_memory;
    }
    let rate = (warm_up + messages) as f64 / started.elapsed().as_secs_f64();
    host.stop();
    Ok((
        rate,
        (after_warm_up.0, resident_memory()),
        (after_warm_up.1, last_memory),
    ))
}

/// The soak section of `docs/reliability.md`, between its markers.
pub fn render(rows: &[SoakRow], command: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{SECTION_START}");
    let _ = writeln!(
        out,
        "Written by `{command}` (release build, in-process broker, one request-reply after \
         another, each answered and checked; a tenth more messages first, as warm-up).\n"
    );
    let _ = writeln!(
        out,
        "| guest | form | instances | messages | msg/s | host RSS after warm-up → end | instance memory after warm-up → end | flat |"
    );
    let _ = writeln!(out, "|---|---|---|---:|---:|---|---|---|");
    for row in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.0} | {:.1} → {:.1} MiB | {:.2} → {:.2} MiB | {} |",
            row.guest,
            row.form,
            row.instances,
            row.messages,
            row.rate,
            mib(row.rss.0),
            mib(row.rss.1),
            mib(row.instance_memory.0 as u64),
            mib(row.instance_memory.1 as u64),
            if row.flat(RSS_SLACK) { "yes" } else { "**no**" }
        );
    }
    let _ = write!(out, "{SECTION_END}");
    out
}

/// How much the host's resident memory may grow after warm-up and still count as flat.
pub const RSS_SLACK: u64 = 64 << 20;
/// Marks the start of the soak section in `docs/reliability.md`.
pub const SECTION_START: &str = "<!-- soak: written by msgbridge-soak -->";
/// Marks its end.
pub const SECTION_END: &str = "<!-- /soak -->";

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

/// One request of the probe protocol's `echo` command (`echo\n{i}`) to `subject`, waiting
/// `timeout` for the first answer: its body (empty if none came), or the broker's error.
/// The fault and cluster tests count answers and losses with it.
pub async fn echo(
    client: &msgbridge_host::NatsBroker,
    subject: &str,
    i: usize,
    timeout: Duration,
) -> Result<Bytes, msgbridge_host::BrokerError> {
    let body = Bytes::from(format!("echo\n{i}"));
    let replies = client
        .request(Message::new(subject, body), Some(timeout), Some(1))
        .await?;
    Ok(replies
        .into_iter()
        .next()
        .map(|m| m.body)
        .unwrap_or_default())
}
