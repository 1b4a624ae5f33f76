//! The demo prints both hosts' answers, as the README promises.

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_answers_through_adapted_components_on_both_hosts() {
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
    assert!(!report.contains("-sender"), "{report}");
    assert!(!report.contains("-receiver"), "{report}");
}
