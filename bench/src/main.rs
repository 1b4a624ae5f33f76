//! `msgbridge-bench`: what msgbridge's adapters cost, in figures.
//!
//! Prints Markdown tables (pasted into `docs/performance.md`):
//! - composition: time to compose (portable halves) and to splice (bridge inside the guest)
//!   each probe, example and the JavaScript probe, and sizes before and after;
//! - request-reply: an `echo` probe answering requests through the in-process broker on the
//!   reference host, natively, adapted (portable) and spliced, sequentially and with several
//!   requests in flight.
//!
//! Every message gets a fresh instance (as on wasmCloud), so the adapted rows pay for the
//! halves' extra component and core instances on every message. Run it in release mode:
//! `cargo run --release -p msgbridge-bench`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bytes::Bytes;
use clap::Parser;
use msgbridge_compose::{compose, splice, ComposeOptions, Target};
use msgbridge_host::{
    Broker, ComponentSpec, Host, HostConfig, InProcessBroker, Message, Runtime, Worlds,
};
use msgbridge_test_artifacts as artifacts;
use msgbridge_test_js_artifacts as js_artifacts;

/// Measures msgbridge's overhead.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Requests per configuration and concurrency level.
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Requests kept in flight in the concurrent runs.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Payload size in bytes.
    #[arg(long, default_value_t = 64)]
    payload: usize,
    /// Use wasmtime's pooling instance allocator (with memory kept resident between
    /// instances) instead of the host's default on-demand allocator.
    #[arg(long)]
    pooling: bool,
}

/// The runtime to measure with: the host's default, or one with the pooling allocator.
fn runtime(pooling: bool) -> Result<Runtime> {
    if !pooling {
        return Ok(Runtime::shared()?);
    }
    let mut pool = wasmtime::PoolingAllocationConfig::default();
    pool.total_component_instances(1_000)
        .total_core_instances(10_000)
        .total_memories(2_000)
        .total_tables(4_000)
        .max_memory_size(256 << 20)
        .linear_memory_keep_resident(1 << 20)
        .table_keep_resident(1 << 16);
    let mut config = wasmtime::Config::new();
    config
        .wasm_component_model(true)
        .allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
    Ok(Runtime::with_config(&config)?)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    println!("## Composition\n");
    println!(
        "| guest | target | guest bytes | portable bytes | portable compose (median of 20) | spliced bytes | splice (median of 20) |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for (name, guest, target) in [
        ("wasi-probe", artifacts::WASI_PROBE, Target::Wasmcloud),
        ("wasmcloud-probe", artifacts::WASMCLOUD_PROBE, Target::Wasi),
        ("http-api", artifacts::HTTP_API, Target::Wasi),
        ("leet-worker", artifacts::LEET_WORKER, Target::Wasi),
        (
            "reverse-worker",
            artifacts::REVERSE_WORKER,
            Target::Wasmcloud,
        ),
        (
            "wasmcloud-probe (JS)",
            js_artifacts::JS_WASMCLOUD_PROBE,
            Target::Wasi,
        ),
    ] {
        let mut times = Vec::new();
        let mut spliced_times = Vec::new();
        let mut size = 0;
        let mut spliced_size = 0;
        let options = ComposeOptions::new(target);
        for _ in 0..20 {
            let start = Instant::now();
            size = compose(guest, target)?.len();
            times.push(start.elapsed());
            let start = Instant::now();
            spliced_size = splice(guest, &options)?.len();
            spliced_times.push(start.elapsed());
        }
        times.sort();
        spliced_times.sort();
        println!(
            "| {name} | {target} | {} | {size} | {:.2} ms | {spliced_size} | {:.2} ms |",
            guest.len(),
            ms(times[times.len() / 2]),
            ms(spliced_times[spliced_times.len() / 2])
        );
    }

    println!(
        "\n## Request-reply (`echo`, {} B payload, {} requests, in-process broker)\n",
        args.payload, args.requests
    );
    println!(
        "allocator: {}\n",
        if args.pooling {
            "pooling (memory kept resident)"
        } else {
            "on-demand (host default)"
        }
    );
    let runtime = runtime(args.pooling)?;
    println!("| guest | host | in flight | req/s | p50 | p99 |");
    println!("|---|---|---:|---:|---:|---:|");
    let configs = [
        (
            "wasi-probe, native",
            Bytes::from_static(artifacts::WASI_PROBE),
            Worlds::Wasi,
        ),
        (
            "wasi-probe, adapted",
            Bytes::from(compose(artifacts::WASI_PROBE, Target::Wasmcloud)?),
            Worlds::Wasmcloud,
        ),
        (
            "wasi-probe, spliced",
            Bytes::from(splice(
                artifacts::WASI_PROBE,
                &ComposeOptions::new(Target::Wasmcloud),
            )?),
            Worlds::Wasmcloud,
        ),
        (
            "wasmcloud-probe, native",
            Bytes::from_static(artifacts::WASMCLOUD_PROBE),
            Worlds::Wasmcloud,
        ),
        (
            "wasmcloud-probe, adapted",
            Bytes::from(compose(artifacts::WASMCLOUD_PROBE, Target::Wasi)?),
            Worlds::Wasi,
        ),
        (
            "wasmcloud-probe, spliced",
            Bytes::from(splice(
                artifacts::WASMCLOUD_PROBE,
                &ComposeOptions::new(Target::Wasi),
            )?),
            Worlds::Wasi,
        ),
        (
            "wasmcloud-probe (JS), native",
            Bytes::from_static(js_artifacts::JS_WASMCLOUD_PROBE),
            Worlds::Wasmcloud,
        ),
        (
            "wasmcloud-probe (JS), adapted",
            Bytes::from(compose(js_artifacts::JS_WASMCLOUD_PROBE, Target::Wasi)?),
            Worlds::Wasi,
        ),
        (
            "wasmcloud-probe (JS), spliced",
            Bytes::from(splice(
                js_artifacts::JS_WASMCLOUD_PROBE,
                &ComposeOptions::new(Target::Wasi),
            )?),
            Worlds::Wasi,
        ),
    ];
    for (label, wasm, worlds) in configs {
        for in_flight in [1, args.concurrency] {
            let (rate, p50, p99) =
                measure(&runtime, wasm.clone(), worlds, &args, in_flight).await?;
            println!(
                "| {label} | {worlds} | {in_flight} | {rate:.0} | {:.3} ms | {:.3} ms |",
                ms(p50),
                ms(p99)
            );
        }
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `args.requests` echo requests with `in_flight` at a time; returns requests per
/// second, median and 99th-percentile latency.
async fn measure(
    runtime: &Runtime,
    wasm: Bytes,
    worlds: Worlds,
    args: &Args,
    in_flight: usize,
) -> Result<(f64, Duration, Duration)> {
    let broker: Arc<dyn Broker> = Arc::new(InProcessBroker::new());
    let config = HostConfig::new(broker.clone())?
        .with_worlds(worlds)
        .with_runtime(runtime.clone());
    let host = Host::start(config).await?;
    host.add_component(ComponentSpec::new("probe", wasm).subscribe("bench.echo"))
        .await?;
    let mut body = b"echo\n".to_vec();
    body.extend(std::iter::repeat_n(b'x', args.payload));
    let body = Bytes::from(body);
    let one = |broker: Arc<dyn Broker>, body: Bytes| async move {
        let start = Instant::now();
        let replies = broker
            .request(
                Message::new("bench.echo", body),
                Some(Duration::from_secs(30)),
                Some(1),
            )
            .await?;
        anyhow::ensure!(replies.len() == 1, "expected one reply");
        Ok::<_, anyhow::Error>(start.elapsed())
    };
    // Warm up: compile caches, first instances.
    for _ in 0..50 {
        one(broker.clone(), body.clone()).await?;
    }
    let started = Instant::now();
    let mut latencies = Vec::with_capacity(args.requests);
    let per_worker = args.requests / in_flight;
    let workers: Vec<_> = (0..in_flight)
        .map(|_| {
            let broker = broker.clone();
            let body = body.clone();
            tokio::spawn(async move {
                let mut mine = Vec::with_capacity(per_worker);
                for _ in 0..per_worker {
                    mine.push(one(broker.clone(), body.clone()).await?);
                }
                Ok::<_, anyhow::Error>(mine)
            })
        })
        .collect();
    for worker in futures::future::join_all(workers).await {
        latencies.extend(worker.context("worker panicked")??);
    }
    let elapsed = started.elapsed();
    host.stop();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Ok((
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.5),
        at(0.99),
    ))
}
