//! A small run of the benchmark (`--requests 200`), so that it cannot rot: every scenario
//! runs for every guest and form, and the report has its tables and headline ratios.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_run_reports_every_table_and_ratio() {
    let settings = msgbridge_bench::Settings {
        requests: 200,
        rounds: 2,
        concurrency: 4,
        payload: 64,
        pooling: true,
        command: "cargo test -p msgbridge-bench".into(),
    };
    let report = msgbridge_bench::run(&settings)
        .await
        .expect("the benchmark runs");
    for heading in [
        "## Headline ratios",
        "## Throughput",
        "## Latency of `fresh-request-reply`",
        "## Composition",
        "## Toolchains",
        "## Async worlds",
    ] {
        assert!(report.markdown.contains(heading), "missing {heading}");
    }
    for name in [
        "fresh-request-reply-spliced",
        "fresh-request-reply-portable",
        "warm-request-reply-spliced",
        "p99-fresh-spliced",
        "publish-64KiB-spliced",
        "instantiate-and-handle-spliced",
    ] {
        let value = report
            .ratios
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no ratio {name}: {:?}", report.ratios))
            .1;
        assert!(value.is_finite() && value > 0.0, "{name} = {value}");
    }
    for guest in ["wasi-probe", "wasmcloud-probe", "js-wasmcloud-probe"] {
        assert!(
            report
                .ratios
                .iter()
                .any(|(n, _)| n == &format!("fresh-request-reply-spliced/{guest}")),
            "no ratio for {guest}"
        );
    }
    // Every toolchain probe in the form compose gives it by default: spliced but Python's.
    for (guest, form) in [
        ("rust-wasip1-wasi-probe", "spliced"),
        ("rust-wasip1-wasmcloud-probe", "spliced"),
        ("js-wasmcloud-probe-wasi", "spliced"),
        ("js-wasmcloud-probe-wasi026", "spliced"),
        ("py-wasi-probe", "portable"),
        ("py-wasmcloud-probe", "portable"),
    ] {
        for prefix in ["toolchain-fresh", "toolchain-p99-fresh"] {
            let name = format!("{prefix}-{form}/{guest}");
            let value = report
                .ratios
                .iter()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("no ratio {name}: {:?}", report.ratios))
                .1;
            assert!(value.is_finite() && value > 0.0, "{name} = {value}");
        }
    }
    // The async probes, each in the portable form for the other async world.
    for guest in ["wasi-async-probe", "wasmcloud-async-probe"] {
        for prefix in ["async-fresh", "async-p99-fresh"] {
            let name = format!("{prefix}-portable/{guest}");
            let value = report
                .ratios
                .iter()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("no ratio {name}: {:?}", report.ratios))
                .1;
            assert!(value.is_finite() && value > 0.0, "{name} = {value}");
        }
    }
}

/// `--only` runs one case alone (for a profiler) and names what exists when asked for
/// what does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_case_runs_alone_and_a_wrong_name_lists_the_names() {
    let settings = msgbridge_bench::Settings {
        requests: 40,
        rounds: 2,
        concurrency: 4,
        payload: 64,
        pooling: true,
        command: "cargo test -p msgbridge-bench".into(),
    };
    let rates = msgbridge_bench::run_one(&settings, "wasi-probe/publish-64KiB/spliced")
        .await
        .expect("the case runs");
    assert_eq!(rates.len(), 2);
    assert!(rates.iter().all(|r| r.is_finite() && *r > 0.0), "{rates:?}");
    for (case, names) in [
        ("wasi-probe/publish-64KiB", "GUEST/SCENARIO/FORM"),
        ("nope/publish-64KiB/spliced", "wasmcloud-probe"),
        ("wasi-probe/nope/spliced", "warm-request-reply"),
        ("wasi-probe/warm-request-reply/nope", "portable"),
    ] {
        let error = msgbridge_bench::run_one(&settings, case)
            .await
            .expect_err("refused");
        assert!(format!("{error:#}").contains(names), "{case}: {error:#}");
    }
}
