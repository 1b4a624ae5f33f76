//! What the host logs about deliveries: a debug line per delivery and a warn line per
//! failed one, each naming the component and the subject; and the same outcome on
//! `Host::deliveries`.

use bytes::Bytes;
use msgbridge_host::{ComponentSpec, Host, HostConfig, Message, Outcome};
use msgbridge_test_artifacts::WASMCLOUD_PROBE;
use msgbridge_test_support::logs::{capture_logs, log_line};
use msgbridge_test_support::within;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_logged_and_reported_with_component_and_subject() {
    capture_logs("msgbridge_host=debug");
    let host = Host::start(HostConfig::in_process().expect("config"))
        .await
        .expect("start");
    let mut deliveries = host.deliveries();
    host.add_component(
        ComponentSpec::new("logged-probe", Bytes::from_static(WASMCLOUD_PROBE)).subscribe("logs.>"),
    )
    .await
    .expect("load");
    for (subject, body) in [
        ("logs.ok", "echo\nx"),
        ("logs.fail", "fail it broke"),
        ("logs.trap", "trap"),
    ] {
        host.broker()
            .publish(Message::new(subject, Bytes::from_static(body.as_bytes())))
            .await
            .expect("publish");
        let delivery = within("a delivery", deliveries.recv())
            .await
            .expect("an event");
        assert_eq!(&*delivery.component, "logged-probe");
        assert_eq!(delivery.subject, subject);
        match subject {
            "logs.ok" => assert_eq!(delivery.outcome, Outcome::Handled),
            "logs.fail" => assert_eq!(delivery.outcome, Outcome::Failed("it broke".into())),
            _ => assert!(
                matches!(delivery.outcome, Outcome::Trapped(_)),
                "{delivery:?}"
            ),
        }
    }
    log_line(&[
        "DEBUG",
        "delivering message",
        "component=logged-probe",
        "subject=logs.ok",
    ])
    .await;
    let line = log_line(&["WARN", "handler returned an error", "subject=logs.fail"]).await;
    assert!(
        line.contains("component=logged-probe") && line.contains("it broke"),
        "{line}"
    );
    let line = log_line(&["WARN", "handler trapped", "subject=logs.trap"]).await;
    assert!(line.contains("component=logged-probe"), "{line}");
}
