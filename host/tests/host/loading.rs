//! Which worlds a host serves, and what loading a component checks.

use std::sync::Arc;

use bytes::Bytes;
use msgbridge_examples::{HTTP_API, LEET_WORKER, REVERSE_WORKER};
use msgbridge_host::{
    BoxFuture, Broker, BrokerError, ComponentSpec, Host, HostConfig, Hosted, InProcessBroker,
    LoadError, Message, Runtime, Subscription, World,
};
use msgbridge_test_artifacts::{WASI_PROBE, WASMCLOUD_PROBE};
use msgbridge_test_support::within;

async fn load(hosted: Hosted, name: &str, wasm: &'static [u8]) -> Result<(), LoadError> {
    let host = Host::start(
        HostConfig::in_process()
            .expect("config")
            .with_hosted(hosted),
    )
    .await
    .expect("start");
    host.add_component(ComponentSpec::new(name, Bytes::from_static(wasm)).subscribe("x"))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wasi_component_on_a_wasmcloud_only_host_names_the_interface_and_the_fix() {
    let err = load(Hosted::only(World::Wasmcloud), "x", WASI_PROBE)
        .await
        .expect_err("the wasi probe must not load");
    let text = err.to_string();
    assert!(
        text.starts_with("component \"x\" imports wasi:messaging/"),
        "{text}"
    );
    assert!(
        text.ends_with(
            ", which this host does not serve (serving: wasmcloud:messaging@0.2.0); compose it \
             for this host with `msgbridge compose --target wasmcloud`"
        ),
        "{text}"
    );
    assert!(
        !text.contains("/types@"),
        "names a function interface: {text}"
    );
    // A wasi worker that only exports the handler and replies.
    let err = load(Hosted::only(World::Wasmcloud), "rev", REVERSE_WORKER)
        .await
        .expect_err("the reverse worker must not load");
    assert!(
        matches!(&err, LoadError::Unserved { interface, remedy: Some(World::Wasmcloud), .. } if interface.starts_with("wasi:messaging/")),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wasmcloud_component_on_a_wasi_only_host_names_the_interface_and_the_fix() {
    let err = load(Hosted::only(World::Wasi), "y", WASMCLOUD_PROBE)
        .await
        .expect_err("the wasmcloud probe must not load");
    assert_eq!(
        err.to_string(),
        "component \"y\" imports wasmcloud:messaging/consumer@0.2.0, which this host does not \
         serve (serving: wasi:messaging@0.2.0-draft); compose it for this host with \
         `msgbridge compose --target wasi`"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_world_loads_where_it_is_served() {
    load(Hosted::only(World::Wasi), "w", WASI_PROBE)
        .await
        .expect("wasi on wasi");
    load(Hosted::BOTH, "w", WASI_PROBE)
        .await
        .expect("wasi on both");
    load(Hosted::only(World::Wasmcloud), "c", WASMCLOUD_PROBE)
        .await
        .expect("wasmcloud on wasmcloud");
    load(Hosted::BOTH, "c", LEET_WORKER)
        .await
        .expect("leet on both");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_specs_are_refused() {
    let host = Host::start(HostConfig::in_process().expect("config"))
        .await
        .expect("start");
    // Subscriptions without a messaging handler.
    let err = host
        .add_component(ComponentSpec::new("api", Bytes::from_static(HTTP_API)).subscribe("x"))
        .await
        .expect_err("no handler");
    assert!(
        matches!(err, LoadError::SubscriptionsWithoutHandler(_)),
        "{err}"
    );
    // Not a component: the error keeps wasmtime's reason as its source.
    let err = host
        .add_component(ComponentSpec::new(
            "junk",
            Bytes::from_static(b"\0asm junk"),
        ))
        .await
        .expect_err("junk");
    assert!(matches!(err, LoadError::Compile { .. }), "{err}");
    let chain = format!("{:#}", anyhow::Error::new(err));
    assert!(chain.contains("cannot compile the component: "), "{chain}");
    // An empty name, duplicate names.
    let err = host
        .add_component(ComponentSpec::new(" ", Bytes::from_static(WASI_PROBE)))
        .await
        .expect_err("empty name");
    assert!(matches!(err, LoadError::EmptyName), "{err}");
    host.add_component(ComponentSpec::new("p", Bytes::from_static(WASI_PROBE)).subscribe("p"))
        .await
        .expect("first");
    let err = host
        .add_component(ComponentSpec::new("p", Bytes::from_static(WASI_PROBE)).subscribe("p"))
        .await
        .expect_err("duplicate");
    assert!(matches!(err, LoadError::Duplicate(_)), "{err}");
    // A bad subscription pattern, with the broker's reason as the source.
    let err = host
        .add_component(ComponentSpec::new("q", Bytes::from_static(WASI_PROBE)).subscribe("a.>.b"))
        .await
        .expect_err("bad pattern");
    assert!(matches!(err, LoadError::Subscribe { .. }), "{err}");
    let chain = format!("{:#}", anyhow::Error::new(err));
    assert!(
        chain.contains("invalid subject \"a.>.b\": a subject is tokens"),
        "{chain}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn components_are_compiled_once_per_runtime() {
    let runtime = Runtime::shared().expect("runtime");
    let first = runtime.compile(WASMCLOUD_PROBE).await.expect("compile");
    let count = runtime.cached_components();
    let again = runtime.compile(WASMCLOUD_PROBE).await.expect("compile");
    assert_eq!(runtime.cached_components(), count);
    // The same compiled code: wasmtime components are handles on shared data.
    assert_eq!(
        first.image_range(),
        again.image_range(),
        "the cache handed out a different compilation"
    );
}

/// An in-process broker whose `subscribe` yields once first, as a network broker's does, so
/// that two loads running at once interleave at that await.
struct YieldingBroker(InProcessBroker);

impl Broker for YieldingBroker {
    fn publish(&self, message: Message) -> BoxFuture<'_, Result<(), BrokerError>> {
        self.0.publish(message)
    }

    fn subscribe<'a>(
        &'a self,
        pattern: &'a str,
        queue_group: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Subscription, BrokerError>> {
        Box::pin(async move {
            tokio::task::yield_now().await;
            self.0.subscribe(pattern, queue_group).await
        })
    }
}

/// A host on a [`YieldingBroker`], and that broker's in-process half, to count its
/// subscriptions. The probe is compiled first, so that loads of it do not wait for the
/// compiler: they then all run up to their first subscription before any finishes.
async fn yielding_host() -> (Host, InProcessBroker) {
    let broker = InProcessBroker::new();
    let config = HostConfig::new(Arc::new(YieldingBroker(broker.clone()))).expect("config");
    config.runtime.compile(WASI_PROBE).await.expect("compile");
    (Host::start(config).await.expect("start"), broker)
}

fn probe(name: &str) -> ComponentSpec {
    ComponentSpec::new(name, Bytes::from_static(WASI_PROBE)).subscribe("race")
}

/// Waits until `broker` has `count` subscriptions (a stopped listener's subscription ends
/// when its aborted task is dropped, soon after).
async fn subscriptions_reach(broker: &InProcessBroker, count: usize) {
    within(&format!("{count} subscriptions"), async {
        while broker.subscription_count() != count {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_adds_of_one_name_at_once_load_it_once() {
    let (host, broker) = yielding_host().await;
    let (first, second) = tokio::join!(
        host.add_component(probe("p")),
        host.add_component(probe("p"))
    );
    let duplicates = [&first, &second]
        .into_iter()
        .filter(|r| matches!(r, Err(LoadError::Duplicate(name)) if name == "p"))
        .count();
    assert!(
        first.is_ok() != second.is_ok() && duplicates == 1,
        "one add loads, the other is a duplicate: {first:?}, {second:?}"
    );
    // One set of listeners, and removing the component ends it: none is left running
    // without a handle.
    assert_eq!(broker.subscription_count(), 1);
    assert!(host.remove_component("p"));
    subscriptions_reach(&broker, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replacements_of_one_name_at_once_leave_one_version_running() {
    let (host, broker) = yielding_host().await;
    let (first, second) = tokio::join!(
        host.replace_component(probe("p")),
        host.replace_component(probe("p"))
    );
    first.expect("first replacement");
    second.expect("second replacement");
    assert_eq!(host.component_names(), ["p"]);
    // The first version's listener ends when the second replaces it; the second's stays.
    subscriptions_reach(&broker, 1).await;
    assert!(host.remove_component("p"));
    subscriptions_reach(&broker, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_asked_to_serve_both_wasi_worlds_refuses_to_start_naming_them() {
    let hosted = Hosted::only(World::Wasi).with(World::WasiAsync);
    let err = Host::start(
        HostConfig::in_process()
            .expect("config")
            .with_hosted(hosted),
    )
    .await
    .expect_err("wasi and wasi-async share their names");
    assert!(
        matches!(
            err,
            msgbridge_host::StartError::SameNames {
                first: World::Wasi,
                second: World::WasiAsync
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "a host cannot serve both wasi and wasi-async: they share the interface names of \
         wasi:messaging@0.2.0-draft; run one host per world, or adapt the guests of one of \
         them (`msgbridge compose --target`)"
    );
    // Every other pair starts.
    for hosted in [
        Hosted::only(World::Wasmcloud).with(World::WasmcloudAsync),
        Hosted::only(World::Wasi).with(World::WasmcloudAsync),
        Hosted::only(World::WasiAsync).with(World::Wasmcloud),
    ] {
        let host = Host::start(
            HostConfig::in_process()
                .expect("config")
                .with_hosted(hosted),
        )
        .await
        .unwrap_or_else(|e| panic!("{hosted:?} starts: {e}"));
        assert_eq!(host.hosted(), hosted);
        host.stop();
    }
}
