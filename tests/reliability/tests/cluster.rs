//! Scaling out on a NATS cluster: two hosts serving one adapted worker, each connected to
//! its own node of a 3-node `nats-server` cluster on loopback, and a client on the third.
//! One host dies, then the surviving host's node dies; each fault is checked against its
//! row of docs/reliability.md.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use msgbridge_compose::{compose_with, ComposeOptions, Form};
use msgbridge_host::{BrokerError, ComponentSpec, Host, HostConfig, Hosted, NatsBroker, World};
use msgbridge_test_artifacts::WASI_PROBE;
use msgbridge_test_support::reliability::documented;
use msgbridge_test_support::{within, NatsCluster};

/// Requests per round.
const ROUND: usize = 100;

/// How soon the host whose node died must answer again (it retries at most
/// `MAX_RECONNECT_DELAY`, 1 s, apart; the rest is slack for a loaded machine).
const FAILOVER_BOUND: Duration = Duration::from_secs(10);

/// A host in a tokio runtime of its own, so that it can die abruptly: its runtime is shut
/// down at once, no subscription ended, nothing drained, its sockets closed as a killed
/// process's are.
struct Replica {
    host: Option<Host>,
    runtime: Option<tokio::runtime::Runtime>,
    served: Arc<AtomicUsize>,
}

impl Replica {
    /// Starts a host on NATS `servers` serving `wasm` as `worker` on `cluster.>`, in the
    /// worker's default queue group (its name).
    async fn start(servers: String, wasm: Bytes) -> Replica {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let served = Arc::new(AtomicUsize::new(0));
        let counter = served.clone();
        let host = runtime
            .spawn(async move {
                let broker = NatsBroker::connect(&servers).await.expect("connects");
                let host = Host::start(
                    HostConfig::new(Arc::new(broker))
                        .expect("config")
                        .with_hosted(Hosted::only(World::Wasmcloud)),
                )
                .await
                .expect("starts");
                let mut deliveries = host.deliveries();
                tokio::spawn(async move {
                    while deliveries.recv().await.is_ok() {
                        counter.fetch_add(1, Ordering::SeqCst);
                    }
                });
                host.add_component(ComponentSpec::new("worker", wasm).subscribe("cluster.>"))
                    .await
                    .expect("loads");
                host
            })
            .await
            .expect("the host starts");
        Replica {
            host: Some(host),
            runtime: Some(runtime),
            served,
        }
    }

    /// How many deliveries it has handled.
    fn served(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }

    /// Dies at once: its runtime's threads are stopped and joined, so its NATS connection
    /// is closed without an unsubscribe, as the kernel closes a killed process's sockets.
    async fn kill(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            tokio::task::spawn_blocking(move || runtime.shutdown_timeout(Duration::from_secs(5)))
                .await
                .expect("shut down");
        }
        drop(self.host.take());
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// [`msgbridge_reliability::echo`] on this test's subject.
async fn echo(client: &NatsBroker, i: usize, timeout: Duration) -> Result<Bytes, BrokerError> {
    msgbridge_reliability::echo(client, "cluster.echo", i, timeout).await
}

/// Sends requests `from..from + ROUND` one after another; how many timed out (none may get
/// another error or a wrong answer).
async fn round(client: &NatsBroker, from: usize) -> usize {
    let mut lost = 0;
    for i in from..from + ROUND {
        match echo(client, i, Duration::from_secs(2)).await {
            Ok(body) => assert_eq!(body, i.to_string().as_bytes(), "a wrong answer"),
            Err(BrokerError::Timeout) => lost += 1,
            Err(e) => panic!("request {i}: {e}"),
        }
    }
    lost
}

/// Waits until `replicas` together have served `expected` deliveries, then checks they
/// served no more (each request was delivered once, to one host of the queue group).
async fn served_exactly(replicas: &[&Replica], expected: usize) -> Vec<usize> {
    let total = || replicas.iter().map(|r| r.served()).sum::<usize>();
    within("the delivery counts", async {
        while total() < expected {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        total(),
        expected,
        "a request was delivered to more than one host"
    );
    replicas.iter().map(|r| r.served()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hosts_on_a_nats_cluster_survive_a_host_and_then_its_node_dying() {
    let mut cluster = NatsCluster::start(3);
    let options = ComposeOptions {
        form: Some(Form::Spliced),
        ..ComposeOptions::new(World::Wasmcloud)
    };
    let wasm = Bytes::from(compose_with(WASI_PROBE, &options).expect("adapts").bytes);
    let mut first = Replica::start(cluster.servers_from(0), wasm.clone()).await;
    let second = Replica::start(cluster.servers_from(1), wasm).await;
    let client = NatsBroker::connect(&cluster.url(2))
        .await
        .expect("connects");

    // The routes carry both hosts' interest to the client's node: both serve it.
    within("both hosts serving the client's node", async {
        let mut i = 0;
        while first.served() == 0 || second.served() == 0 {
            let _ = echo(&client, i, Duration::from_millis(500)).await;
            i += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let warmed_up = first.served() + second.served();

    // Both up: every request answered, once, and the queue group spreads them.
    assert_eq!(
        round(&client, 1_000).await,
        0,
        "requests lost with both hosts up"
    );
    let shares = served_exactly(&[&first, &second], warmed_up + ROUND).await;
    assert!(
        shares.iter().all(|&n| n > 1),
        "one host served them all: {shares:?}"
    );
    eprintln!("both hosts up: {ROUND} requests answered, served {shares:?} (with the warm-up)");

    // The first host dies: the second answers every request.
    first.kill().await;
    let before = second.served();
    let lost = round(&client, 2_000).await;
    eprintln!("first host killed: {lost} of {ROUND} requests lost");
    assert!(lost <= 1, "{lost} requests lost after the host died");
    served_exactly(&[&second], before + ROUND - lost).await;

    // The second host's node dies: its connection moves to the next server of its list,
    // its subscription is restored there, and it answers again within the bound.
    cluster.kill(1);
    let killed = Instant::now();
    let mut refused = 0;
    let mut i = 3_000;
    within("the host answering after its node died", async {
        loop {
            match echo(&client, i, Duration::from_millis(500)).await {
                Ok(body) => {
                    assert_eq!(body, i.to_string().as_bytes(), "a wrong answer");
                    break;
                }
                Err(_) => refused += 1,
            }
            i += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let failover = killed.elapsed();
    eprintln!(
        "its node killed: answering again after {failover:?}, {refused} requests refused meanwhile"
    );
    assert!(
        failover < FAILOVER_BOUND,
        "the host answered again only after {failover:?}"
    );
    assert_eq!(
        round(&client, 4_000).await,
        0,
        "requests lost after the failover"
    );
    drop(first);
    drop(second);

    documented(
        "one of two hosts serving a worker in one queue group on a 3-node NATS cluster (each host on its own node, the requester on the third) dropped abruptly, as by `kill -9`",
        "the other host answers every request from then on; before, each request was delivered once, to one of the two",
        "at most the first request sent as the host died (routed to it before the cluster noticed; a timeout at the requester, never a wrong answer)",
    );
    documented(
        "the NATS node of the surviving host killed (SIGKILL)",
        "requests fail with an error at the requester until the host has reconnected to the next server of its `--nats` list and restored its subscription, within 10 s; then every request is answered",
        "the requests sent during the failover (each refused with an error, none answered wrongly)",
    );
}
