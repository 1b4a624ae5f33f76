//! The demo prints every host's answers (the two synchronous worlds' and the two async
//! worlds'), as the README promises.

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_answers_through_adapted_components_on_all_four_worlds_hosts() {
    let mut out = Vec::new();
    msgbridge_demo::run(&mut out, None).await.unwrap();
    let report = String::from_utf8(out).unwrap();
    let answers: Vec<&str> = report
        .lines()
        .filter(|l| l.contains("POST /task"))
        .map(|l| l.rsplit("-> ").next().unwrap())
        .collect();
    assert_eq!(
        answers,
        [
            "200 H3110 W0r1d",
            "200 dlroW olleH",
            "200 H3110 W0r1d",
            "200 dlroW olleH"
        ],
        "{report}"
    );
    // The examples are spliceable: the report says so, and names no portable halves.
    for line in [
        "reverse-worker  composed for wasmcloud: spliced form, the bridge fused into the component (",
        "http-api        composed for wasi: spliced form, the bridge fused into the component (",
        "leet-worker     composed for wasi: spliced form, the bridge fused into the component (",
    ] {
        assert!(report.contains(line), "{line:?} not in:\n{report}");
    }
    // The async workers answer on a host of each async world, adapted (portable: the
    // async pair has no spliced bridge) where the host does not serve their world.
    let async_answers: Vec<&str> = report
        .lines()
        .filter(|l| l.trim_start().starts_with("request tasks."))
        .map(|l| l.rsplit("-> ").next().unwrap())
        .collect();
    assert_eq!(
        async_answers,
        [
            "HELLO WORLD",
            "Uryyb Jbeyq",
            "H3110 W0r1d",
            "HELLO WORLD",
            "Uryyb Jbeyq",
            "dlroW olleH"
        ],
        "{report}"
    );
    // The synchronous workers on their family's async host: spliced, the only form
    // between a synchronous and an async world.
    for line in [
        "leet-worker     composed for wasmcloud-async: spliced form, the bridge fused into the component (",
        "reverse-worker  composed for wasi-async: spliced form, the bridge fused into the component (",
    ] {
        assert!(report.contains(line), "{line:?} not in:\n{report}");
    }
    for line in [
        "rot13-worker    composed for wasmcloud-async: portable form, wasi-async-on-wasmcloud-async-sender + wasi-async-on-wasmcloud-async-receiver (not spliceable: no spliced bridge is built for",
        "shout-worker    composed for wasi-async: portable form, wasmcloud-async-on-wasi-async-sender + wasmcloud-async-on-wasi-async-receiver (not spliceable:",
    ] {
        assert!(report.contains(line), "{line:?} not in:\n{report}");
    }
    // The synchronous examples are spliced: no half of theirs is named.
    assert!(!report.contains("wasi-on-wasmcloud-"), "{report}");
    assert!(!report.contains("wasmcloud-on-wasi-"), "{report}");
}
