//! What msgbridge's adapters cost, in figures: the probes (Rust wasi and wasmcloud, and the
//! JavaScript wasmcloud probe) run natively, spliced and portable on the reference host
//! (in-process broker), measured side by side.
//!
//! Every scenario runs in rounds; a round runs each form once, in turn, on a fresh host, so
//! that noise on a shared machine hits all forms alike; the report gives each form's median
//! round, and ratios are adapted over native of the same guest:
//!
//! - fresh-instance request-reply, sequential (with p50/p99 latency) and `concurrency` in
//!   flight: `echo` answered by a new instance per message, as on wasmCloud;
//! - warm-instance request-reply: the same with `InstancePolicy::Warm`;
//! - publish of 16 B, 1 KiB and 64 KiB: the probe publishes, then reports;
//! - instantiate+handle: messages published without a reply subject, counted as the
//!   host reports their deliveries handled;
//! - composition time and size of each form, with its memories and core instances;
//! - the toolchain matrix's probes (Rust `wasm32-wasip1` with the preview1 adapter,
//!   JavaScript with jco's default features and its componentize-js 0.19.3 fallback,
//!   Python by componentize-py): fresh-instance request-reply, native against the form
//!   `msgbridge compose` gives each by default.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use bytes::Bytes;
use msgbridge_compose::{compose_with, ComposeOptions, Form};
use msgbridge_host::{
    Allocation, Broker, ComponentSpec, Host, HostConfig, Hosted, InProcessBroker, InstancePolicy,
    Message, Outcome, Pool, Runtime,
};
use msgbridge_worlds::World;

/// What to measure, and how much.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Messages per guest, form and scenario, split across the rounds.
    pub requests: usize,
    /// Rounds per scenario.
    pub rounds: usize,
    /// Requests in flight in the concurrent scenario (and warm instances kept).
    pub concurrency: usize,
    /// Request payload in bytes.
    pub payload: usize,
    /// Use wasmtime's pooling allocator (the host's default).
    pub pooling: bool,
    /// Bytes of each linear memory the pool keeps resident (`None`: the host's default).
    pub keep_resident: Option<usize>,
    /// Whether the pool resets only dirtied pages (`None`: the host's default).
    pub pagemap_scan: Option<bool>,
    /// Only these `GUEST/SCENARIO` rows of the main tables (either part may be `*`), and
    /// none of the other sections; empty: everything.
    pub cases: Vec<String>,
    /// The command line, for the report.
    pub command: String,
}

impl Default for Settings {
    /// The command line's defaults: 4000 messages in 5 rounds, 8 in flight, 64 B requests,
    /// the host's pooling allocator as it is configured by default, everything measured.
    fn default() -> Self {
        Settings {
            requests: 4000,
            rounds: 5,
            concurrency: 8,
            payload: 64,
            pooling: true,
            keep_resident: None,
            pagemap_scan: None,
            cases: Vec::new(),
            command: "msgbridge-bench".into(),
        }
    }
}

impl Settings {
    /// Whether the main tables' row of `guest` in `scenario` is measured.
    fn selected(&self, guest: &str, scenario: &str) -> bool {
        self.cases.is_empty()
            || self.cases.iter().any(|case| {
                let (g, s) = case.split_once('/').unwrap_or((case, "*"));
                (g == "*" || g == guest) && (s == "*" || s == scenario)
            })
    }
}

/// The report: Markdown, and the headline ratios.
#[derive(Debug, Clone)]
pub struct Report {
    /// `docs/performance.md`.
    pub markdown: String,
    /// `(name, adapted / native)`: each headline ratio, the worst guest's (headline names)
    /// and every guest's (`NAME/GUEST`).
    pub ratios: Vec<(String, f64)>,
}

/// A guest the benchmark runs.
struct Guest {
    name: &'static str,
    bytes: &'static [u8],
    world: World,
}

const GUESTS: [Guest; 3] = [
    Guest {
        name: "wasi-probe",
        bytes: msgbridge_test_artifacts::WASI_PROBE,
        world: World::Wasi,
    },
    Guest {
        name: "wasmcloud-probe",
        bytes: msgbridge_test_artifacts::WASMCLOUD_PROBE,
        world: World::Wasmcloud,
    },
    Guest {
        name: "js-wasmcloud-probe",
        bytes: msgbridge_test_js_artifacts::JS_WASMCLOUD_PROBE,
        world: World::Wasmcloud,
    },
];

/// The toolchain matrix's probes besides [`GUESTS`] (whose Rust `wasm32-wasip2` and
/// JavaScript `--disable all` builds are the matrix's other rows), each measured in its
/// default form.
const TOOLCHAIN_GUESTS: [Guest; 6] = [
    Guest {
        name: "rust-wasip1-wasi-probe",
        bytes: msgbridge_test_toolchain_artifacts::RUST_WASIP1_WASI_PROBE,
        world: World::Wasi,
    },
    Guest {
        name: "rust-wasip1-wasmcloud-probe",
        bytes: msgbridge_test_toolchain_artifacts::RUST_WASIP1_WASMCLOUD_PROBE,
        world: World::Wasmcloud,
    },
    Guest {
        name: "js-wasmcloud-probe-wasi",
        bytes: msgbridge_test_js_artifacts::JS_WASMCLOUD_PROBE_WASI,
        world: World::Wasmcloud,
    },
    Guest {
        name: "js-wasmcloud-probe-wasi026",
        bytes: msgbridge_test_js_artifacts::JS_WASMCLOUD_PROBE_WASI026,
        world: World::Wasmcloud,
    },
    Guest {
        name: "py-wasi-probe",
        bytes: msgbridge_test_toolchain_artifacts::PY_WASI_PROBE,
        world: World::Wasi,
    },
    Guest {
        name: "py-wasmcloud-probe",
        bytes: msgbridge_test_toolchain_artifacts::PY_WASMCLOUD_PROBE,
        world: World::Wasmcloud,
    },
];

/// The async worlds' probes, each measured native and in its default form for the other
/// async world (the portable form: the async pair has no spliced bridge).
const ASYNC_GUESTS: [Guest; 2] = [
    Guest {
        name: "wasi-async-probe",
        bytes: msgbridge_test_artifacts::WASI_ASYNC_PROBE,
        world: World::WasiAsync,
    },
    Guest {
        name: "wasmcloud-async-probe",
        bytes: msgbridge_test_artifacts::WASMCLOUD_ASYNC_PROBE,
        world: World::WasmcloudAsync,
    },
];

/// The synchronous probes, each measured native and spliced for each async host (the only
/// form between a synchronous and an async world).
const SYNC_ON_ASYNC: [(&Guest, World); 4] = [
    (&GUESTS[0], World::WasiAsync),
    (&GUESTS[0], World::WasmcloudAsync),
    (&GUESTS[1], World::WasmcloudAsync),
    (&GUESTS[1], World::WasiAsync),
];

/// `guest` native and in the form `msgbridge compose` gives it by default for a `target`
/// host (labelled with that form's name).
fn prepare_default(guest: &Guest, target: World) -> Result<[Prepared; 2]> {
    let composed = compose_with(guest.bytes, &ComposeOptions::new(target))
        .with_context(|| format!("composing {} by default", guest.name))?;
    Ok([
        Prepared {
            label: "native",
            bytes: Bytes::from_static(guest.bytes),
            host: guest.world,
        },
        Prepared {
            label: composed.form.name(),
            bytes: Bytes::from(composed.bytes),
            host: target,
        },
    ])
}

/// Each of `guests` paired with the other world of its kind, the target of its default
/// form.
fn for_the_other_world(guests: &[Guest]) -> Vec<(&Guest, World)> {
    guests.iter().map(|g| (g, g.world.other())).collect()
}

/// The toolchain section: each of [`TOOLCHAIN_GUESTS`] runs `fresh-request-reply` native
/// and in its default form, in alternating rounds; returns the table and the ratios
/// (`toolchain-fresh-FORM/GUEST`, `toolchain-p99-fresh-FORM/GUEST`).
async fn toolchains(
    runtime: &Runtime,
    settings: &Settings,
) -> Result<(String, Vec<(String, f64)>)> {
    default_form_section(
        runtime,
        settings,
        &for_the_other_world(&TOOLCHAIN_GUESTS),
        "toolchain",
        "\n## Toolchains: `fresh-request-reply` in the default form\n\n\
         The toolchain matrix's other probes (the Rust `wasm32-wasip2` and JavaScript \
         `--disable all` probes are the rows above), each native and in the form `msgbridge \
         compose` gives it by default, in alternating rounds as above.\n\n",
    )
    .await
}

/// The async worlds' section: each of [`ASYNC_GUESTS`] runs `fresh-request-reply` native
/// (on a host of its world) and composed for a host of the other async world, in
/// alternating rounds; ratios `async-fresh-FORM/GUEST`, `async-p99-fresh-FORM/GUEST`.
async fn async_worlds(
    runtime: &Runtime,
    settings: &Settings,
) -> Result<(String, Vec<(String, f64)>)> {
    default_form_section(
        runtime,
        settings,
        &for_the_other_world(&ASYNC_GUESTS),
        "async",
        "\n## Async worlds: `fresh-request-reply` in the default form\n\n\
         The async probes, each native on a host of its world and composed for a host of the \
         other async world (`wasi-async` and `wasmcloud-async`), in the form `msgbridge \
         compose` gives it by default: the portable one, as no spliced bridge is built for \
         the async pair. Alternating rounds as above.\n\n",
    )
    .await
}

/// The synchronous guests on the async hosts: each of [`SYNC_ON_ASYNC`] runs
/// `fresh-request-reply` native (on a host of its world) and spliced for the async host, in
/// alternating rounds; ratios `sync-on-async-fresh-spliced/GUEST-on-HOST` and
/// `sync-on-async-p99-fresh-spliced/GUEST-on-HOST`.
async fn sync_on_async(
    runtime: &Runtime,
    settings: &Settings,
) -> Result<(String, Vec<(String, f64)>)> {
    default_form_section(
        runtime,
        settings,
        &SYNC_ON_ASYNC,
        "sync-on-async",
        "\n## Synchronous guests on async hosts: `fresh-request-reply`\n\n\
         The Rust probes of the synchronous worlds, each native on a host of its world and \
         spliced for each async host (the guest column names it, `GUEST-on-HOST`): the only \
         form between a synchronous and an async world, the bridge waiting for the host's \
         async calls inside the host's task. Alternating rounds as above.\n\n",
    )
    .await
}

/// A section of `pairs` (a guest and its target host's world) measured native and in the
/// guest's default form for the target with `fresh-request-reply`: `intro` (its heading and
/// text), then the table; ratios `PREFIX-fresh-FORM/GUEST` and `PREFIX-p99-fresh-FORM/GUEST`,
/// GUEST being `NAME-on-HOST` when the target is not the other world of the guest's kind.
async fn default_form_section(
    runtime: &Runtime,
    settings: &Settings,
    pairs: &[(&Guest, World)],
    prefix: &str,
    intro: &str,
) -> Result<(String, Vec<(String, f64)>)> {
    let per_round = (settings.requests / settings.rounds).max(1);
    let scenario = Scenario::Fresh { in_flight: 1 };
    let mut table = String::new();
    let mut ratios = Vec::new();
    for &(guest, target) in pairs {
        let forms = prepare_default(guest, target)?;
        let name = if target == guest.world.other() {
            guest.name.to_string()
        } else {
            format!("{}-on-{}", guest.name, target.name())
        };
        let mut runs = [Runs::default(), Runs::default()];
        for _round in 0..settings.rounds {
            for (form, runs) in forms.iter().zip(&mut runs) {
                let (rate, latencies) =
                    measure(runtime, form, scenario, per_round, settings).await?;
                runs.rates.push(rate);
                runs.latencies.extend(latencies);
            }
        }
        let [native, adapted] = &runs;
        let label = forms[1].label;
        let rate = adapted.median_rate() / native.median_rate();
        let p99 = adapted.quantile(0.99).as_secs_f64() / native.quantile(0.99).as_secs_f64();
        let _ = writeln!(
            table,
            "| {name} | {label} | {:.0} | {:.0} | {rate:.2} | {:.3} / {:.3} | {:.3} / {:.3} | {p99:.2} |",
            native.median_rate(),
            adapted.median_rate(),
            ms(native.quantile(0.5)),
            ms(native.quantile(0.99)),
            ms(adapted.quantile(0.5)),
            ms(adapted.quantile(0.99)),
        );
        ratios.push((format!("{prefix}-fresh-{label}/{name}"), rate));
        ratios.push((format!("{prefix}-p99-fresh-{label}/{name}"), p99));
    }
    let mut out = String::from(intro);
    out.push_str(
        "| guest | default form | native msg/s | adapted msg/s | adapted / native | native p50 / p99 ms | adapted p50 / p99 ms | p99 adapted / native |\n\
         |---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    out.push_str(&table);
    Ok((out, ratios))
}

/// The pool section: the worst cases' guests, native and spliced, on the host's default
/// pool and on the pool msgbridge used before (64 KiB of each memory kept resident, the
/// whole resident part reset), in alternating rounds; ratios `pool-SCENARIO-FORM/GUEST`
/// (default pool / previous pool, the same form).
async fn pool_section(settings: &Settings) -> Result<(String, Vec<(String, f64)>)> {
    let default = Pool::for_this_machine();
    let previous = Pool {
        memory_keep_resident: 64 << 10,
        pagemap_scan: false,
        ..default
    };
    let runtimes = [
        Runtime::with_allocation(Allocation::Pooling(default))?,
        Runtime::with_allocation(Allocation::Pooling(previous))?,
    ];
    let per_round = (settings.requests / settings.rounds).max(1);
    let scenarios = [
        Scenario::Fresh { in_flight: 1 },
        Scenario::Publish(64 * 1024),
    ];
    let mut table = String::new();
    let mut ratios = Vec::new();
    for guest in &GUESTS[..2] {
        let forms = prepare(guest)?;
        let forms = &forms[..2];
        for scenario in scenarios {
            // runs[pool][form]
            let mut runs: [[Runs; 2]; 2] = Default::default();
            for _round in 0..settings.rounds {
                for (runtime, runs) in runtimes.iter().zip(&mut runs) {
                    for (form, runs) in forms.iter().zip(runs.iter_mut()) {
                        let (rate, _) =
                            measure(runtime, form, scenario, per_round, settings).await?;
                        runs.rates.push(rate);
                    }
                }
            }
            let rate = |pool: usize, form: usize| runs[pool][form].median_rate();
            let _ = writeln!(
                table,
                "| {} | {} | {:.0} | {:.0} | {:.2} | {:.0} | {:.0} | {:.2} |",
                guest.name,
                scenario.name(),
                rate(1, 0),
                rate(1, 1),
                rate(1, 1) / rate(1, 0),
                rate(0, 0),
                rate(0, 1),
                rate(0, 1) / rate(0, 0),
            );
            for (f, form) in forms.iter().enumerate() {
                ratios.push((
                    format!("pool-{}-{}/{}", scenario.name(), form.label, guest.name),
                    rate(0, f) / rate(1, f),
                ));
            }
        }
    }
    let mut out = format!(
        "\n## The pooling allocator: what stays resident\n\n\
         The host's default pool keeps the first {} MiB of a freed memory resident and resets \
         only the pages its instance dirtied (Linux `PAGEMAP_SCAN`, where the kernel has \
         it); the previous one kept {} KiB and reset all of it (`--keep-resident {} \
         --pagemap-scan false`). Native and spliced on each, in alternating rounds \
         (messages per second):\n\n",
        default.memory_keep_resident >> 20,
        previous.memory_keep_resident >> 10,
        previous.memory_keep_resident,
    );
    out.push_str(
        "| guest | scenario | previous: native | spliced | spliced / native | default: native | spliced | spliced / native |\n\
         |---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    out.push_str(&table);
    Ok((out, ratios))
}

/// A guest in one form, ready to load.
struct Prepared {
    label: &'static str,
    bytes: Bytes,
    host: World,
}

fn prepare(guest: &Guest) -> Result<Vec<Prepared>> {
    let mut forms = vec![Prepared {
        label: "native",
        bytes: Bytes::from_static(guest.bytes),
        host: guest.world,
    }];
    for (label, form) in [("spliced", Form::Spliced), ("portable", Form::Portable)] {
        let options = ComposeOptions {
            form: Some(form),
            ..ComposeOptions::new(guest.world.other())
        };
        let composed = compose_with(guest.bytes, &options)
            .with_context(|| format!("composing {} {label}", guest.name))?;
        forms.push(Prepared {
            label,
            bytes: Bytes::from(composed.bytes),
            host: guest.world.other(),
        });
    }
    Ok(forms)
}

/// The scenarios measured.
#[derive(Debug, Clone, Copy)]
enum Scenario {
    Fresh { in_flight: usize },
    Warm,
    Publish(usize),
    Handle,
}

impl Scenario {
    fn name(self) -> String {
        match self {
            Scenario::Fresh { in_flight: 1 } => "fresh-request-reply".into(),
            Scenario::Fresh { in_flight } => format!("fresh-request-reply-{in_flight}-in-flight"),
            Scenario::Warm => "warm-request-reply".into(),
            Scenario::Publish(size) => format!("publish-{}", size_name(size)),
            Scenario::Handle => "instantiate-and-handle".into(),
        }
    }
}

fn size_name(size: usize) -> String {
    if size >= 1 << 20 {
        format!("{}MiB", size >> 20)
    } else if size >= 1024 {
        format!("{}KiB", size / 1024)
    } else {
        format!("{size}B")
    }
}

/// One form's measurements in one scenario.
#[derive(Debug, Default, Clone)]
struct Runs {
    /// Messages per second, one per round.
    rates: Vec<f64>,
    /// Every latency, all rounds.
    latencies: Vec<Duration>,
}

impl Runs {
    fn median_rate(&self) -> f64 {
        let mut rates = self.rates.clone();
        rates.sort_by(f64::total_cmp);
        rates.get(rates.len() / 2).copied().unwrap_or(0.0)
    }

    fn quantile(&self, q: f64) -> Duration {
        let mut all = self.latencies.clone();
        all.sort();
        let at = ((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1));
        all.get(at).copied().unwrap_or_default()
    }
}

/// The scenarios measured, in report order.
fn scenarios(settings: &Settings) -> [Scenario; 8] {
    [
        Scenario::Fresh { in_flight: 1 },
        Scenario::Fresh {
            in_flight: settings.concurrency,
        },
        Scenario::Warm,
        Scenario::Publish(16),
        Scenario::Publish(1024),
        Scenario::Publish(64 * 1024),
        Scenario::Publish(1 << 20),
        Scenario::Handle,
    ]
}

fn runtime(settings: &Settings) -> Result<Runtime> {
    let allocation = if settings.pooling {
        let default = Pool::for_this_machine();
        Allocation::Pooling(Pool {
            memory_keep_resident: settings
                .keep_resident
                .unwrap_or(default.memory_keep_resident),
            pagemap_scan: settings.pagemap_scan.unwrap_or(default.pagemap_scan),
            ..default
        })
    } else {
        Allocation::OnDemand
    };
    Ok(Runtime::with_allocation(allocation)?)
}

/// Runs one case alone, `GUEST/SCENARIO/FORM` (e.g. `wasi-probe/publish-64KiB/spliced`),
/// for a profiler: `settings.rounds` rounds of `settings.requests / rounds` messages, and
/// returns each round's messages per second. Nothing else runs in the process, so a
/// profile of it is the profile of that case.
pub async fn run_one(settings: &Settings, case: &str) -> Result<Vec<f64>> {
    let mut parts = case.splitn(3, '/');
    let (Some(guest), Some(scenario), Some(form)) = (parts.next(), parts.next(), parts.next())
    else {
        anyhow::bail!(
            "`{case}` is not GUEST/SCENARIO/FORM (e.g. wasi-probe/publish-64KiB/spliced)"
        );
    };
    let names = |list: Vec<String>| list.join(", ");
    let guest = GUESTS.iter().find(|g| g.name == guest).with_context(|| {
        format!(
            "no guest `{guest}`; the guests are {}",
            names(GUESTS.iter().map(|g| g.name.to_string()).collect())
        )
    })?;
    let all = scenarios(settings);
    let scenario = all
        .iter()
        .copied()
        .find(|s| s.name() == scenario)
        .with_context(|| {
            format!(
                "no scenario `{scenario}`; the scenarios are {}",
                names(all.iter().map(|s| s.name()).collect())
            )
        })?;
    let forms = prepare(guest)?;
    let form = forms
        .iter()
        .find(|f| f.label == form)
        .with_context(|| format!("no form `{form}`; the forms are native, spliced, portable"))?;
    let runtime = runtime(settings)?;
    let per_round = (settings.requests / settings.rounds).max(1);
    let mut rates = Vec::with_capacity(settings.rounds);
    for _ in 0..settings.rounds {
        rates.push(
            measure(&runtime, form, scenario, per_round, settings)
                .await?
                .0,
        );
    }
    Ok(rates)
}

/// The report's last section: how to look inside one case.
const PROFILING: &str = "
## Profiling one case

`--only GUEST/SCENARIO/FORM` runs one case alone and prints its rate per round, so that a
profiler sees nothing else (build first with `cargo build --release -p msgbridge-bench`):

```sh
perf stat -e page-faults,task-clock target/release/msgbridge-bench --only wasi-probe/publish-64KiB/spliced --requests 8000 --rounds 1
perf record -g target/release/msgbridge-bench --only wasi-probe/publish-64KiB/spliced --requests 8000 --rounds 1
perf report --no-children --sort dso,sym
```

Compare the same case with `native` and `portable` as FORM.
";

/// Runs every measurement.
pub async fn run(settings: &Settings) -> Result<Report> {
    let runtime = runtime(settings)?;
    let scenarios = scenarios(settings);
    let per_round = (settings.requests / settings.rounds).max(1);
    let mut out = String::new();
    let mut ratios: Vec<(String, f64)> = Vec::new();
    let mut throughput = String::new();
    let mut latency = String::new();
    for guest in &GUESTS {
        if !scenarios
            .iter()
            .any(|s| settings.selected(guest.name, &s.name()))
        {
            continue;
        }
        let forms = prepare(guest)?;
        for &scenario in &scenarios {
            if !settings.selected(guest.name, &scenario.name()) {
                continue;
            }
            let mut runs = vec![Runs::default(); forms.len()];
            for _round in 0..settings.rounds {
                for (form, runs) in forms.iter().zip(&mut runs) {
                    let (rate, latencies) =
                        measure(&runtime, form, scenario, per_round, settings).await?;
                    runs.rates.push(rate);
                    runs.latencies.extend(latencies);
                }
            }
            let native = runs[0].median_rate();
            let _ = write!(throughput, "| {} | {} |", guest.name, scenario.name());
            for (form, runs) in forms.iter().zip(&runs) {
                let rate = runs.median_rate();
                let _ = write!(throughput, " {rate:.0} |");
                if form.label != "native" {
                    ratios.push((
                        format!("{}-{}/{}", scenario.name(), form.label, guest.name),
                        rate / native,
                    ));
                }
            }
            for runs in &runs[1..] {
                let _ = write!(throughput, " {:.2} |", runs.median_rate() / native);
            }
            throughput.push('\n');
            if let Scenario::Fresh { in_flight: 1 } = scenario {
                let _ = write!(latency, "| {} |", guest.name);
                for runs in &runs {
                    let _ = write!(
                        latency,
                        " {:.3} / {:.3} |",
                        ms(runs.quantile(0.5)),
                        ms(runs.quantile(0.99))
                    );
                }
                latency.push('\n');
                let native_p99 = runs[0].quantile(0.99).as_secs_f64();
                for (form, runs) in forms.iter().zip(&runs).skip(1) {
                    ratios.push((
                        format!("p99-fresh-{}/{}", form.label, guest.name),
                        runs.quantile(0.99).as_secs_f64() / native_p99,
                    ));
                }
            }
        }
    }
    let headline = headline(&ratios);

    let _ = writeln!(out, "# Performance: what the adapters cost\n");
    let _ = writeln!(
        out,
        "Written by `msgbridge-bench` (`bench/`), never by hand. Command: `{}`.\n",
        settings.command
    );
    let _ = writeln!(out, "{}\n", machine());
    let _ = writeln!(
        out,
        "Each probe runs in three forms: **native** on a host serving its own world, \
         **spliced** (`msgbridge compose`, the default: the bridge fused into the guest's \
         component) and **portable** (`msgbridge compose --portable`: two adapter \
         components around the guest) on a host serving only the other world. Every \
         scenario runs in {} rounds of {} messages; a round runs native, spliced and \
         portable in turn, each on a fresh host, and the tables give each form's median \
         round. The in-process broker is used, with wasmtime's {} allocator; instances are \
         fresh per message (as on wasmCloud) except in `warm-request-reply` (up to {} kept).\n",
        settings.rounds,
        per_round,
        if settings.pooling {
            "pooling"
        } else {
            "on-demand"
        },
        settings.concurrency
    );
    let _ = writeln!(
        out,
        "## Headline ratios (adapted / native; the worst guest)\n"
    );
    let _ = writeln!(out, "| ratio | value |\n|---|---:|");
    for (name, value) in &headline {
        let _ = writeln!(out, "| `{name}` | {value:.2} |");
    }
    let _ = writeln!(
        out,
        "\n## Throughput (messages per second; request payload {} B)\n",
        settings.payload
    );
    let _ = writeln!(
        out,
        "| guest | scenario | native | spliced | portable | spliced / native | portable / native |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|");
    out.push_str(&throughput);
    let _ = writeln!(
        out,
        "\n## Latency of `fresh-request-reply` (p50 / p99, ms)\n\n| guest | native | spliced | portable |\n|---|---:|---:|---:|"
    );
    out.push_str(&latency);
    let mut all = headline;
    all.extend(ratios);
    if settings.cases.is_empty() {
        out.push_str(&composition(settings)?);
        let (toolchain_table, toolchain_ratios) = toolchains(&runtime, settings).await?;
        out.push_str(&toolchain_table);
        let (async_table, async_ratios) = async_worlds(&runtime, settings).await?;
        out.push_str(&async_table);
        let (sync_on_async_table, sync_on_async_ratios) = sync_on_async(&runtime, settings).await?;
        out.push_str(&sync_on_async_table);
        let (pool_table, pool_ratios) = pool_section(settings).await?;
        out.push_str(&pool_table);
        out.push_str(PROFILING);
        all.extend(toolchain_ratios);
        all.extend(async_ratios);
        all.extend(sync_on_async_ratios);
        all.extend(pool_ratios);
    }
    Ok(Report {
        markdown: out,
        ratios: all,
    })
}

/// The headline ratios: for each measured name, the worst guest's value (lowest
/// throughput ratio, highest p99 ratio).
fn headline(ratios: &[(String, f64)]) -> Vec<(String, f64)> {
    let mut names: Vec<&str> = ratios
        .iter()
        .filter_map(|(n, _)| n.split_once('/').map(|(name, _)| name))
        .collect();
    names.dedup();
    let mut seen = std::collections::BTreeSet::new();
    names
        .into_iter()
        .filter(|n| seen.insert(*n))
        .map(|name| {
            let values = ratios
                .iter()
                .filter(|(n, _)| n.split_once('/').map(|(n, _)| n) == Some(name))
                .map(|(_, v)| *v);
            let worst = if name.starts_with("p99") {
                values.fold(f64::MIN, f64::max)
            } else {
                values.fold(f64::MAX, f64::min)
            };
            (name.to_string(), worst)
        })
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `n` messages of `scenario` against `form` on a fresh host; returns messages per
/// second and the latencies of request-reply scenarios.
async fn measure(
    runtime: &Runtime,
    form: &Prepared,
    scenario: Scenario,
    n: usize,
    settings: &Settings,
) -> Result<(f64, Vec<Duration>)> {
    let broker: Arc<dyn Broker> = Arc::new(InProcessBroker::new());
    let config = HostConfig::new(broker.clone())?
        .with_hosted(Hosted::only(form.host))
        .with_runtime(runtime.clone());
    let host = Host::start(config).await?;
    let mut spec = ComponentSpec::new("probe", form.bytes.clone()).subscribe("bench.in");
    spec.limits.max_in_flight = settings.concurrency.max(16);
    if let Scenario::Warm = scenario {
        spec = spec.instances(InstancePolicy::Warm {
            pool_size: settings.concurrency,
            max_invocations: u64::MAX,
        });
    }
    host.add_component(spec).await?;
    let payload = |size: usize| vec![b'x'; size];
    let (command, size) = match scenario {
        Scenario::Publish(size) => ("publish bench.out", size),
        _ => ("echo", settings.payload),
    };
    let mut body = format!("{command}\n").into_bytes();
    body.extend(payload(size));
    let body = Bytes::from(body);

    // Warm up: compiled code, first instances, the broker's paths.
    for _ in 0..10 {
        ask(&broker, body.clone()).await?;
    }
    let started = Instant::now();
    let mut latencies = Vec::new();
    match scenario {
        Scenario::Handle => {
            let mut deliveries = host.deliveries();
            for _ in 0..n {
                broker
                    .publish(Message::new("bench.in", body.clone()))
                    .await?;
            }
            let mut handled = 0;
            while handled < n {
                let delivery = tokio::time::timeout(Duration::from_secs(60), deliveries.recv())
                    .await
                    .context("deliveries stopped")??;
                ensure!(
                    delivery.outcome == Outcome::Handled,
                    "a delivery failed: {:?}",
                    delivery.outcome
                );
                handled += 1;
            }
        }
        Scenario::Fresh { in_flight } if in_flight > 1 => {
            let per_worker = n.div_ceil(in_flight);
            let workers: Vec<_> = (0..in_flight)
                .map(|_| {
                    let broker = broker.clone();
                    let body = body.clone();
                    tokio::spawn(async move {
                        for _ in 0..per_worker {
                            ask(&broker, body.clone()).await?;
                        }
                        Ok::<_, anyhow::Error>(per_worker)
                    })
                })
                .collect();
            let mut done = 0;
            for worker in futures::future::join_all(workers).await {
                done += worker.context("a worker panicked")??;
            }
            let rate = done as f64 / started.elapsed().as_secs_f64();
            host.stop();
            return Ok((rate, latencies));
        }
        _ => {
            for _ in 0..n {
                latencies.push(ask(&broker, body.clone()).await?);
            }
        }
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    host.stop();
    Ok((rate, latencies))
}

/// One request on `bench.in`; checks that exactly one answer came, and returns how long
/// it took.
async fn ask(broker: &Arc<dyn Broker>, body: Bytes) -> Result<Duration> {
    let start = Instant::now();
    let replies = broker
        .request(
            Message::new("bench.in", body),
            Some(Duration::from_secs(60)),
            Some(1),
        )
        .await?;
    ensure!(replies.len() == 1, "expected one answer");
    Ok(start.elapsed())
}

/// Composition time (median of several), sizes, memories and core instances of each form,
/// for the Rust probes and the ~12 MB JavaScript probe.
fn composition(settings: &Settings) -> Result<String> {
    let mut out = String::from(
        "\n## Composition\n\n| guest | form | bytes | added | memories | core instances | compose time (median of 5) |\n|---|---|---:|---:|---:|---:|---:|\n",
    );
    let _ = settings;
    for guest in &GUESTS {
        let (memories, instances) = shape(guest.bytes)?;
        let _ = writeln!(
            out,
            "| {} | native | {} | - | {memories} | {instances} | - |",
            guest.name,
            guest.bytes.len()
        );
        for (label, form) in [("spliced", Form::Spliced), ("portable", Form::Portable)] {
            let options = ComposeOptions {
                form: Some(form),
                ..ComposeOptions::new(guest.world.other())
            };
            let mut times = Vec::new();
            let mut bytes = Vec::new();
            for _ in 0..5 {
                let start = Instant::now();
                bytes = compose_with(guest.bytes, &options)?.bytes;
                times.push(start.elapsed());
            }
            times.sort();
            let (memories, instances) = shape(&bytes)?;
            let _ = writeln!(
                out,
                "| {} | {label} | {} | {} | {memories} | {instances} | {:.1} ms |",
                guest.name,
                bytes.len(),
                bytes.len() as i64 - guest.bytes.len() as i64,
                ms(times[times.len() / 2])
            );
        }
    }
    Ok(out)
}

/// How many linear memories a component defines and how many core instances it creates,
/// nested components included.
fn shape(component: &[u8]) -> Result<(usize, usize)> {
    let mut memories = 0;
    let mut instances = 0;
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        match payload? {
            wasmparser::Payload::MemorySection(section) => memories += section.count() as usize,
            wasmparser::Payload::InstanceSection(section) => instances += section.count() as usize,
            _ => {}
        }
    }
    Ok((memories, instances))
}

/// The machine and versions, for the report.
fn machine() -> String {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:").map(|v| v.trim().to_string()))
        .unwrap_or_else(|| "unknown".into());
    let os = read("/etc/os-release")
        .lines()
        .find_map(|l| {
            l.strip_prefix("PRETTY_NAME=")
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| std::env::consts::OS.into());
    format!(
        "Machine: {cpu}, {cores} cores, {memory} memory, {os}. Build: {}, {} profile; \
         wasmtime {}, wit-component {}, wac-graph {}.",
        env!("MSGBRIDGE_RUSTC_VERSION"),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        env!("MSGBRIDGE_VERSION_WASMTIME"),
        env!("MSGBRIDGE_VERSION_WIT_COMPONENT"),
        env!("MSGBRIDGE_VERSION_WAC_GRAPH"),
    )
}
