//! A bounded soak: a few thousand messages through every adapted configuration (both
//! directions, spliced and portable, fresh and warm instances), each answered correctly,
//! with the instances' linear memory not growing after warm-up and the host's resident
//! memory staying within a small slack. The full run is `msgbridge-soak` (see
//! docs/reliability.md).

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_stays_flat_over_thousands_of_adapted_messages() {
    let rows = msgbridge_reliability::soak(2_000)
        .await
        .expect("the soak runs");
    assert_eq!(rows.len(), 8);
    for row in &rows {
        assert!(
            row.instance_memory.1 <= row.instance_memory.0,
            "{} {} {}: instance memory grew from {} to {} bytes",
            row.guest,
            row.form,
            row.instances,
            row.instance_memory.0,
            row.instance_memory.1
        );
        assert!(
            row.flat(msgbridge_reliability::RSS_SLACK),
            "{} {} {}: the host's RSS grew from {} to {} bytes",
            row.guest,
            row.form,
            row.instances,
            row.rss.0,
            row.rss.1
        );
    }
    msgbridge_test_support::reliability::documented(
        "1,000,000 messages per adapted configuration (bounded: 2,000 in the test command)",
        "every message answered; instance memory flat after warm-up; host RSS flat (see the soak table)",
        "nothing",
    );
}
