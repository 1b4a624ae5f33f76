//! Adapted components on the reference host, end to end.
//!
//! One test binary, so every component is composed once and compiled once (through the
//! host's shared `Runtime`) for all tests.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use msgbridge_compose::{compose, Target};
use msgbridge_host::{
    Broker, BrokerError, ComponentSpec, Host, HostConfig, HostError, InProcessBroker, Message,
    NatsBroker, Worlds,
};
use msgbridge_test_artifacts as artifacts;
use msgbridge_test_support::{within, NatsServer};

/// `guest` composed for `target`, once per process.
fn adapted(guest: &'static [u8], target: Target) -> Bytes {
    static CACHE: OnceLock<Mutex<HashMap<(usize, Target), Bytes>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
    cache
        .entry((guest.as_ptr() as usize, target))
        .or_insert_with(|| Bytes::from(compose(guest, target).expect("composes")))
        .clone()
}

#[derive(Clone, Copy, Debug)]
enum BrokerKind {
    InProcess,
    Nats,
}

/// A broker of `kind`; for NATS also the server, which must outlive the test.
async fn broker(kind: BrokerKind) -> (Arc<dyn Broker>, Option<NatsServer>) {
    match kind {
        BrokerKind::InProcess => (Arc::new(InProcessBroker::new()), None),
        BrokerKind::Nats => {
            let server = NatsServer::start();
            let broker = NatsBroker::connect(&server.url())
                .await
                .expect("connects to nats-server");
            (Arc::new(broker), Some(server))
        }
    }
}

async fn host(worlds: Worlds, broker: Arc<dyn Broker>) -> Host {
    Host::start(HostConfig::new(broker).unwrap().with_worlds(worlds))
        .await
        .expect("host starts")
}

/// Sends `command` (a probe command line, then `\n` and the payload) to `subject` and
/// returns the first answer's body.
async fn ask(broker: &Arc<dyn Broker>, subject: &str, command: &str) -> Result<Bytes, BrokerError> {
    let replies = within(
        command,
        broker.request(
            Message::new(subject, Bytes::copy_from_slice(command.as_bytes())),
            Some(Duration::from_secs(20)),
            Some(1),
        ),
    )
    .await?;
    Ok(replies.into_iter().next().expect("one reply").body)
}

async fn ask_text(broker: &Arc<dyn Broker>, subject: &str, command: &str) -> String {
    let body = ask(broker, subject, command)
        .await
        .unwrap_or_else(|e| panic!("{command}: {e}"));
    String::from_utf8(body.to_vec()).unwrap()
}

/// The messaging behaviours issue #4 asks of an adapted guest, with a native guest of the
/// other world beside it on the same broker: replier, publisher, requester in both
/// directions, and a handler error that leaves the host serving.
async fn adapted_guest_runs(kind: BrokerKind, guest_world: Target) {
    let (broker, _server) = broker(kind).await;
    // The host serves only the world the adapted guest was composed for.
    let (adapted_guest, native_guest, worlds) = match guest_world {
        Target::Wasi => (
            adapted(artifacts::WASI_PROBE, Target::Wasmcloud),
            Bytes::from_static(artifacts::WASMCLOUD_PROBE),
            Worlds::Wasmcloud,
        ),
        Target::Wasmcloud => (
            adapted(artifacts::WASMCLOUD_PROBE, Target::Wasi),
            Bytes::from_static(artifacts::WASI_PROBE),
            Worlds::Wasi,
        ),
    };
    let host = host(worlds, broker.clone()).await;
    host.add_component(ComponentSpec::new("adapted", adapted_guest).subscribe("adapted.>"))
        .await
        .unwrap();
    host.add_component(ComponentSpec::new("native", native_guest).subscribe("native.>"))
        .await
        .unwrap();

    // Replier role.
    assert_eq!(
        ask_text(&broker, "adapted.in", "echo\nhello").await,
        "hello"
    );
    assert_eq!(
        ask_text(&broker, "adapted.in", "reply 2\nx").await,
        "1:x",
        "first of several replies"
    );

    // Publisher role.
    let mut out = broker.subscribe("out.>", None).await.unwrap();
    assert_eq!(
        ask_text(&broker, "adapted.in", "publish out.a\nbody").await,
        "ok"
    );
    let published = within("published message", out.next()).await.unwrap();
    assert_eq!(published.subject, "out.a");
    assert_eq!(&published.body[..], b"body");

    // Requester role: the adapted guest asks the native guest, and the other way round.
    assert_eq!(
        ask_text(
            &broker,
            "adapted.in",
            "request native.in 10000 1\necho\nping"
        )
        .await,
        "ok 1\n4\nping"
    );
    assert_eq!(
        ask_text(
            &broker,
            "native.in",
            "request adapted.in 10000 1\necho\npong"
        )
        .await,
        "ok 1\n4\npong"
    );

    // A request nobody answers: the adapted guest sees its own world's timeout error.
    let mut silent = broker.subscribe("silent.x", None).await.unwrap();
    let expected = match guest_world {
        Target::Wasi => "err timeout",
        Target::Wasmcloud => "err request timed out after 300ms",
    };
    assert_eq!(
        ask_text(&broker, "adapted.in", "request silent.x 300 1\nhello?").await,
        expected
    );
    assert!(within("silent request", silent.next()).await.is_some());

    // A handler error: no answer, and the next message is served.
    let err = broker
        .request(
            Message::new("adapted.in", Bytes::from_static(b"fail boom")),
            Some(Duration::from_millis(500)),
            Some(1),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, BrokerError::Timeout), "{err}");
    assert_eq!(
        ask_text(&broker, "adapted.in", "echo\nstill here").await,
        "still here"
    );
    host.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn wasi_guest_on_a_wasmcloud_host_in_process() {
    adapted_guest_runs(BrokerKind::InProcess, Target::Wasi).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wasmcloud_guest_on_a_wasi_host_in_process() {
    adapted_guest_runs(BrokerKind::InProcess, Target::Wasmcloud).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wasi_guest_on_a_wasmcloud_host_over_nats() {
    adapted_guest_runs(BrokerKind::Nats, Target::Wasi).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wasmcloud_guest_on_a_wasi_host_over_nats() {
    adapted_guest_runs(BrokerKind::Nats, Target::Wasmcloud).await;
}

/// Without the adapters, each probe is refused by the host of the other world, naming the
/// interface: the gap msgbridge closes.
#[tokio::test(flavor = "multi_thread")]
async fn unadapted_guests_are_refused_by_the_other_host() {
    for (guest, worlds, interface) in [
        (artifacts::WASI_PROBE, Worlds::Wasmcloud, "wasi:messaging/"),
        (
            artifacts::WASMCLOUD_PROBE,
            Worlds::Wasi,
            "wasmcloud:messaging/",
        ),
    ] {
        let host = host(worlds, Arc::new(InProcessBroker::new())).await;
        let err = host
            .add_component(ComponentSpec::new("guest", Bytes::from_static(guest)).subscribe("x"))
            .await
            .unwrap_err();
        match &err {
            HostError::UnservedInterface { interface: i, .. } => {
                assert!(i.starts_with(interface), "{err}")
            }
            other => panic!("unexpected {other}"),
        }
        host.stop();
    }
}

async fn post_task(host: &Host, worker: &str, payload: &str) -> (u16, String) {
    let addr = host.http_addr().expect("serving HTTP");
    let body = format!(r#"{{"worker":"{worker}","payload":"{payload}"}}"#);
    tokio::task::spawn_blocking(move || msgbridge_demo::http_post(addr, "/task", &body))
        .await
        .unwrap()
        .expect("an HTTP response")
}

async fn http_host(worlds: Worlds) -> Host {
    let config = HostConfig::new(Arc::new(InProcessBroker::new()))
        .unwrap()
        .with_worlds(worlds)
        .with_http("127.0.0.1:0".parse().unwrap());
    Host::start(config).await.expect("host starts")
}

/// Runs the task-workers scenario on a host serving only `worlds`, with `components` given
/// as (name, bytes, subscription), and checks both workers' answers over real HTTP.
async fn task_workers(worlds: Worlds, components: [(&str, Bytes, Option<&str>); 3]) {
    let host = http_host(worlds).await;
    for (name, wasm, subscription) in components {
        let mut spec = ComponentSpec::new(name, wasm);
        if let Some(subject) = subscription {
            spec = spec.subscribe(subject);
        }
        host.add_component(spec)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert_eq!(
        post_task(&host, "leet", "Hello World").await,
        (200, "H3110 W0r1d".to_string())
    );
    assert_eq!(
        post_task(&host, "reverse", "Hello World").await,
        (200, "dlroW olleH".to_string())
    );
    host.stop();
}

/// The wasmCloud docs' scenario on a host that serves only wasi:messaging: the wasmcloud
/// HTTP API and the wasmcloud leet worker both run through the adapters.
#[tokio::test(flavor = "multi_thread")]
async fn http_example_through_adapted_components_on_a_wasi_host() {
    task_workers(
        Worlds::Wasi,
        [
            ("http-api", adapted(artifacts::HTTP_API, Target::Wasi), None),
            (
                "leet",
                adapted(artifacts::LEET_WORKER, Target::Wasi),
                Some("tasks.leet"),
            ),
            (
                "reverse",
                Bytes::from_static(artifacts::REVERSE_WORKER),
                Some("tasks.reverse"),
            ),
        ],
    )
    .await;
}

/// The same scenario on a host that serves only wasmcloud:messaging, with the wasi worker
/// adapted.
#[tokio::test(flavor = "multi_thread")]
async fn http_example_with_an_adapted_wasi_worker_on_a_wasmcloud_host() {
    task_workers(
        Worlds::Wasmcloud,
        [
            ("http-api", Bytes::from_static(artifacts::HTTP_API), None),
            (
                "leet",
                Bytes::from_static(artifacts::LEET_WORKER),
                Some("tasks.leet"),
            ),
            (
                "reverse",
                adapted(artifacts::REVERSE_WORKER, Target::Wasmcloud),
                Some("tasks.reverse"),
            ),
        ],
    )
    .await;
}

/// The `wac` CLI (wac-cli 0.12), from PATH or cargo's bin directory.
fn wac() -> PathBuf {
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin")));
    for dir in candidates {
        let path = dir.join("wac");
        if path.is_file() {
            return path;
        }
    }
    panic!(
        "the wac CLI is missing: install it with `cargo install wac-cli --locked --version 0.12.0`"
    );
}

fn run(command: &mut Command) {
    let output = command.output().expect("command runs");
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Writes the halves as files, as `msgbridge adapters -o DIR` does.
fn halves_in(dir: &Path) {
    for adapter in &msgbridge_adapters::ADAPTERS {
        std::fs::write(dir.join(format!("{}.wasm", adapter.name)), adapter.bytes).unwrap();
    }
}

/// The README's `wac plug` recipe: receiver around the guest, then the sender.
fn wac_plug(dir: &Path, guest: &[u8], direction: &str) -> Bytes {
    let guest_path = dir.join(format!("{direction}-guest.wasm"));
    std::fs::write(&guest_path, guest).unwrap();
    let step = dir.join(format!("{direction}-step.wasm"));
    let out = dir.join(format!("{direction}-plugged.wasm"));
    run(Command::new(wac())
        .arg("plug")
        .arg(dir.join(format!("{direction}-receiver.wasm")))
        .arg("--plug")
        .arg(&guest_path)
        .arg("-o")
        .arg(&step));
    run(Command::new(wac())
        .arg("plug")
        .arg(&step)
        .arg("--plug")
        .arg(dir.join(format!("{direction}-sender.wasm")))
        .arg("-o")
        .arg(&out));
    Bytes::from(std::fs::read(out).unwrap())
}

/// The README's `wac compose` recipe with the `.wac` files in `wac/`.
fn wac_compose(dir: &Path, guest: &[u8], direction: &str) -> Bytes {
    let guest_path = dir.join(format!("{direction}-guest.wasm"));
    std::fs::write(&guest_path, guest).unwrap();
    let out = dir.join(format!("{direction}-composed.wasm"));
    let wac_file = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../wac/{direction}.wac"));
    let dep = |half: &str| {
        format!(
            "msgbridge:{direction}-{half}={}",
            dir.join(format!("{direction}-{half}.wasm")).display()
        )
    };
    run(Command::new(wac())
        .arg("compose")
        .arg(wac_file)
        .arg("--dep")
        .arg(dep("sender"))
        .arg("--dep")
        .arg(dep("receiver"))
        .arg("--dep")
        .arg(format!("msgbridge:guest={}", guest_path.display()))
        .arg("-o")
        .arg(&out));
    Bytes::from(std::fs::read(out).unwrap())
}

/// Components made with the plain `wac` CLI from the halves' files behave like the ones
/// `msgbridge compose` makes: the same end-to-end checks pass.
#[tokio::test(flavor = "multi_thread")]
async fn wac_cli_compositions_run_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    halves_in(dir.path());
    for (guest, direction, worlds, native) in [
        (
            artifacts::WASI_PROBE,
            "wasi-on-wasmcloud",
            Worlds::Wasmcloud,
            artifacts::WASMCLOUD_PROBE,
        ),
        (
            artifacts::WASMCLOUD_PROBE,
            "wasmcloud-on-wasi",
            Worlds::Wasi,
            artifacts::WASI_PROBE,
        ),
    ] {
        for (how, composed) in [
            ("wac plug", wac_plug(dir.path(), guest, direction)),
            ("wac compose", wac_compose(dir.path(), guest, direction)),
        ] {
            let broker: Arc<dyn Broker> = Arc::new(InProcessBroker::new());
            let host = host(worlds, broker.clone()).await;
            host.add_component(ComponentSpec::new("adapted", composed).subscribe("adapted.>"))
                .await
                .unwrap_or_else(|e| panic!("{how} {direction}: {e}"));
            host.add_component(
                ComponentSpec::new("native", Bytes::from_static(native)).subscribe("native.>"),
            )
            .await
            .unwrap();
            assert_eq!(
                ask_text(&broker, "adapted.in", "echo\nhello").await,
                "hello",
                "{how} {direction}"
            );
            assert_eq!(
                ask_text(
                    &broker,
                    "adapted.in",
                    "request native.in 10000 1\necho\nping"
                )
                .await,
                "ok 1\n4\nping",
                "{how} {direction}"
            );
            host.stop();
        }
    }
}
