//! Which worlds a host serves, and what loading a component checks.

use bytes::Bytes;
use msgbridge_examples::{HTTP_API, LEET_WORKER, REVERSE_WORKER};
use msgbridge_host::{ComponentSpec, Host, HostConfig, Hosted, LoadError, Runtime, World};
use msgbridge_test_artifacts::{WASI_PROBE, WASMCLOUD_PROBE};

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
    let err = load(Hosted::Only(World::Wasmcloud), "x", WASI_PROBE)
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
    let err = load(Hosted::Only(World::Wasmcloud), "rev", REVERSE_WORKER)
        .await
        .expect_err("the reverse worker must not load");
    assert!(
        matches!(&err, LoadError::Unserved { interface, remedy: Some(World::Wasmcloud), .. } if interface.starts_with("wasi:messaging/")),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wasmcloud_component_on_a_wasi_only_host_names_the_interface_and_the_fix() {
    let err = load(Hosted::Only(World::Wasi), "y", WASMCLOUD_PROBE)
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
    load(Hosted::Only(World::Wasi), "w", WASI_PROBE)
        .await
        .expect("wasi on wasi");
    load(Hosted::Both, "w", WASI_PROBE)
        .await
        .expect("wasi on both");
    load(Hosted::Only(World::Wasmcloud), "c", WASMCLOUD_PROBE)
        .await
        .expect("wasmcloud on wasmcloud");
    load(Hosted::Both, "c", LEET_WORKER)
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
