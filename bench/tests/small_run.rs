//! A small run of the benchmark (`--requests 200`), so that it cannot rot: every scenario
//! runs for every guest and form, and the report has its tables and headline ratios.

/// Asserts that the report has the ratio `name` and that it is a measured, positive figure.
fn assert_measured(report: &msgbridge_bench::Report, name: &str) {
    let value = report
        .ratios
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no ratio {name}: {:?}", report.ratios))
        .1;
    assert!(value.is_finite() && value > 0.0, "{name} = {value}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_run_reports_every_table_and_ratio() {
    let settings = msgbridge_bench::Settings {
        requests: 200,
        rounds: 2,
        concurrency: 4,
        command: "cargo test -p msgbridge-bench".into(),
        ..Default::default()
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
        "## The pooling allocator",
    ] {
        assert!(report.markdown.contains(heading), "missing {heading}");
    }
    for name in [
        "fresh-request-reply-spliced",
        "fresh-request-reply-portable",
        "warm-request-reply-spliced",
        "p99-fresh-spliced",
        "publish-64KiB-spliced",
        "publish-1MiB-spliced",
        "publish-1MiB-portable",
        "instantiate-and-handle-spliced",
    ] {
        assert_measured(&report, name);
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
            assert_measured(&report, &name);
        }
    }
    // The pool comparison: the worst cases' guests, native and spliced.
    for guest in ["wasi-probe", "wasmcloud-probe"] {
        for case in ["fresh-request-reply", "publish-64KiB"] {
            for form in ["native", "spliced"] {
                let name = format!("pool-{case}-{form}/{guest}");
                assert_measured(&report, &name);
            }
        }
    }
    // The async probes, each in the portable form for the other async world.
    for guest in ["wasi-async-probe", "wasmcloud-async-probe"] {
        for prefix in ["async-fresh", "async-p99-fresh"] {
            let name = format!("{prefix}-portable/{guest}");
            assert_measured(&report, &name);
        }
    }
    // The synchronous probes, each spliced for both async hosts.
    for guest in ["wasi-probe", "wasmcloud-probe"] {
        for host in ["wasi-async", "wasmcloud-async"] {
            for prefix in ["sync-on-async-fresh", "sync-on-async-p99-fresh"] {
                let name = format!("{prefix}-spliced/{guest}-on-{host}");
                assert_measured(&report, &name);
            }
        }
    }
    assert!(
        report
            .markdown
            .contains("## Synchronous guests on async hosts"),
        "{}",
        report.markdown
    );
}

/// `--only` runs one case alone (for a profiler) and names what exists when asked for
/// what does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_case_runs_alone_and_a_wrong_name_lists_the_names() {
    let settings = msgbridge_bench::Settings {
        requests: 40,
        rounds: 2,
        concurrency: 4,
        command: "cargo test -p msgbridge-bench".into(),
        ..Default::default()
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

/// `--cases` measures only the rows asked for, every form side by side, and none of the
/// other sections.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_measure_only_their_rows() {
    let settings = msgbridge_bench::Settings {
        requests: 40,
        rounds: 2,
        concurrency: 4,
        cases: vec![
            "wasmcloud-probe/publish-1KiB".into(),
            "*/warm-request-reply".into(),
        ],
        command: "cargo test -p msgbridge-bench".into(),
        ..Default::default()
    };
    let report = msgbridge_bench::run(&settings)
        .await
        .expect("the cases run");
    let mut rows: Vec<&str> = report
        .ratios
        .iter()
        .filter(|(n, _)| n.contains('/'))
        .map(|(n, _)| n.as_str())
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            "publish-1KiB-portable/wasmcloud-probe",
            "publish-1KiB-spliced/wasmcloud-probe",
            "warm-request-reply-portable/js-wasmcloud-probe",
            "warm-request-reply-portable/wasi-probe",
            "warm-request-reply-portable/wasmcloud-probe",
            "warm-request-reply-spliced/js-wasmcloud-probe",
            "warm-request-reply-spliced/wasi-probe",
            "warm-request-reply-spliced/wasmcloud-probe",
        ]
    );
    assert!(!report.markdown.contains("## Composition"));
    assert!(!report.markdown.contains("## Async worlds"));
}
