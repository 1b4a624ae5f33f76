//! The JavaScript `wasmcloud-probe` on the reference host answers byte-for-byte as the Rust
//! `wasmcloud-probe` does.
//!
//! Two hosts, each with its own in-process broker and serving the wasmcloud world: one runs
//! the Rust probe, the other the JS probe, both subscribed to `probe.>`, and each beside a
//! Rust probe on `svc.>` to answer requests. Every case goes to the same subject on both
//! sides, and everything observable is compared: the answers, what was published, and (from
//! the host's warn logs) handler errors and traps.

use std::sync::Arc;

use bytes::Bytes;
use msgbridge_host::{
    Broker, ComponentSpec, Host, HostConfig, InProcessBroker, Message, Runtime, Subscription,
    Worlds,
};
use msgbridge_test_artifacts::WASMCLOUD_PROBE;
use msgbridge_test_js_artifacts::JS_WASMCLOUD_PROBE;
use msgbridge_test_support::logs::log_line;
use msgbridge_test_support::{within, WAIT};

/// One host running one probe (plus a Rust responder), and the test's broker handle.
struct Side {
    /// `rust` or `js`, the prefix of its component names.
    label: &'static str,
    host: Host,
    client: Arc<dyn Broker>,
    /// Where the test watches what the probe publishes.
    out: Subscription,
    /// Subscribed, never answering: requests to `quiet.x` time out.
    _quiet: Subscription,
}

impl Side {
    async fn start(label: &'static str, probe: &'static [u8]) -> Side {
        let broker = Arc::new(InProcessBroker::new());
        let config = HostConfig::new(broker.clone())
            .expect("host config")
            .with_worlds(Worlds::Wasmcloud)
            .with_runtime(Runtime::shared().expect("runtime"));
        let host = within("starting the host", Host::start(config))
            .await
            .expect("start the host");
        let client: Arc<dyn Broker> = broker;
        for (role, wasm, pattern) in [
            ("probe", probe, "probe.>"),
            ("svc", WASMCLOUD_PROBE, "svc.>"),
        ] {
            let spec = ComponentSpec::new(format!("{label}-{role}"), Bytes::from_static(wasm))
                .subscribe(pattern);
            within("loading a component", host.add_component(spec))
                .await
                .unwrap_or_else(|e| panic!("loading {label}-{role}: {e}"));
        }
        let out = within("subscribing", client.subscribe("out.>", None))
            .await
            .expect("subscribe");
        let quiet = within("subscribing", client.subscribe("quiet.>", None))
            .await
            .expect("subscribe");
        Side {
            label,
            host,
            client,
            out,
            _quiet: quiet,
        }
    }

    /// Sends `body` on `subject` and returns the bodies of the first `n` answers.
    async fn ask(&self, subject: &str, body: &[u8], n: usize) -> Vec<Bytes> {
        let what = format!("{n} answers from {} on {subject}", self.label);
        let message = Message::new(subject, Bytes::copy_from_slice(body));
        within(&what, self.client.request(message, Some(WAIT), Some(n)))
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"))
            .into_iter()
            .map(|m| m.body)
            .collect()
    }

    /// Publishes `body` on `subject` without waiting for anything.
    async fn tell(&self, subject: &str, body: &[u8]) {
        let message = Message::new(subject, Bytes::copy_from_slice(body));
        within("publishing", self.client.publish(message))
            .await
            .expect("publish");
    }

    /// The next message the probe published on `out.>`.
    async fn published(&mut self) -> Message {
        within("a message on out.>", self.out.next())
            .await
            .expect("the subscription ended")
    }

    /// The `error=` field of the host's warn line `what` for the probe and `subject`.
    async fn logged(&self, subject: &str, what: &str) -> String {
        let component = format!("component={}-probe ", self.label);
        let subject = format!("subject={subject} ");
        let line = log_line(&[what, &component, &subject]).await;
        let (_, error) = line
            .split_once(" error=")
            .unwrap_or_else(|| panic!("no error field: {line}"));
        error.to_string()
    }
}

/// A probe message: `command`, `\n`, `payload`.
fn cmd(command: &str, payload: &[u8]) -> Vec<u8> {
    let mut body = command.as_bytes().to_vec();
    body.push(b'\n');
    body.extend_from_slice(payload);
    body
}

/// `n` bytes that are not UTF-8 (every 256-byte run holds all byte values).
fn binary(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 131 % 256) as u8).collect()
}

/// Lossy text, for failure messages.
fn show(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
    format!("{text:?} ({} bytes)", bytes.len())
}

/// Asserts the answers of both sides are the same bytes.
fn same(case: &str, rust: &[Bytes], js: &[Bytes]) {
    assert_eq!(rust.len(), js.len(), "{case}: answer counts");
    for (i, (r, j)) in rust.iter().zip(js).enumerate() {
        assert!(
            r == j,
            "{case}: answer {i} differs\n rust: {}\n   js: {}",
            show(r),
            show(j)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn js_probe_answers_like_the_rust_probe() {
    init_logs();
    let mut rust = Side::start("rust", WASMCLOUD_PROBE).await;
    let mut js = Side::start("js", JS_WASMCLOUD_PROBE).await;
    let mib4 = binary(4 << 20);
    let mib1 = binary(1 << 20);

    // Commands with answers: (subject, body, how many answers).
    let answered: Vec<(&str, Vec<u8>, usize)> = vec![
        ("probe.echo", b"echo".to_vec(), 1),
        ("probe.echo", cmd("echo", b""), 1),
        ("probe.echo", cmd("echo", b"hello\nworld"), 1),
        (
            "probe.echo",
            cmd("echo", &[0xff, 0xfe, 0x00, 0x80, b'\n', 0xc3]),
            1,
        ),
        ("probe.echo", cmd("echo", &mib4), 1),
        ("probe.reply", cmd("reply 3", b"x\xffy"), 3),
        ("probe.reply", cmd("reply 0001", b"one"), 1),
        ("probe.describe", b"describe".to_vec(), 1),
        ("probe.describe", cmd("describe", &mib1), 1),
        ("probe.describe.\u{e9}\u{2603}", cmd("describe", b"abc"), 1),
        (
            "probe.request",
            cmd("request svc.echo 30000 1", &cmd("echo", b"hi")),
            1,
        ),
        (
            "probe.request",
            cmd("request svc.echo - -", &cmd("echo", &mib1)),
            1,
        ),
        (
            "probe.request",
            cmd("request svc.reply 30000 -", &cmd("reply 2", b"r")),
            1,
        ),
        (
            "probe.request",
            cmd("request quiet.x 200 7", b"nobody answers"),
            1,
        ),
        ("probe.request", cmd("request nobody.x 200 -", b""), 1),
        (
            "probe.request",
            cmd("request svc.fail 200 -", &cmd("fail no", b"")),
            1,
        ),
    ];
    for (subject, body, n) in &answered {
        let case = format!("{subject} {}", show(body));
        let (r, j) = tokio::join!(rust.ask(subject, body, *n), js.ask(subject, body, *n));
        same(&case, &r, &j);
    }

    // Commands that publish, then answer with a report (or the answer's status).
    let publishing: Vec<Vec<u8>> = vec![
        cmd("publish out.pub", &mib1),
        cmd("disconnect out.disconnect", b"d"),
        cmd("set-data out.set-data", b""),
        cmd("answer-status out.status", b"\x00\x01answer"),
    ];
    for body in &publishing {
        let case = show(body);
        let (r, j) = tokio::join!(rust.ask("probe.pub", body, 1), js.ask("probe.pub", body, 1));
        same(&case, &r, &j);
        let (r, j) = (rust.published().await, js.published().await);
        assert_eq!(r.subject, j.subject, "{case}: published subject");
        assert_eq!(r.reply_to, j.reply_to, "{case}: published reply-to");
        assert!(
            r.body == j.body,
            "{case}: published bodies differ\n rust: {}\n   js: {}",
            show(&r.body),
            show(&j.body)
        );
    }
    // Without a reply path, `answer-status` publishes `ok` (answering is a no-op).
    rust.tell("probe.pub", &cmd("answer-status out.status", b"p"))
        .await;
    js.tell("probe.pub", &cmd("answer-status out.status", b"p"))
        .await;
    let (r, j) = (rust.published().await, js.published().await);
    assert_eq!(
        (r.subject, r.body),
        (j.subject, j.body),
        "answer-status, no reply path"
    );

    // Handler errors: `fail TEXT` and bad commands, compared as the host logs them.
    let mut failing: Vec<Vec<u8>> = [
        "fail it broke",
        "fail  two  spaces ",
        "fail caf\u{e9} \u{2603} \u{1f600}",
        "",
        "nope",
        " echo",
        "echo ",
        "echo\r",
        "reply",
        "reply x",
        "reply -1",
        "reply +1",
        "reply 4294967296",
        "reply 99999999999",
        "publish",
        "publish  a",
        "publish a b",
        "request s 1",
        "request s x -",
        "request s - x",
        "request s -1 -",
        "fail",
        "fail ",
        "trap now",
        "describe me",
        "\u{feff}echo",
        "\u{1f600}",
    ]
    .iter()
    .map(|line| cmd(line, b"payload"))
    .collect();
    // Command lines that are not UTF-8: each invalid subpart becomes one U+FFFD.
    for line in [
        &b"ech\xffo"[..],
        b"\xc0\xaf",
        b"\xed\xa0\x80",
        b"\xe2\x82",
        b"\xe2\x82\xac\xe2\x82",
        b"\xf4\x90\x80\x80",
        b"\xf0\x9f\x98",
        b"\x80\xbf\xfe\xf8\x88\x80\x80\x80",
        b"ok \xf0\x9f\x98\x80 \xf1\x80",
    ] {
        failing.push(cmd_bytes(line, b"\xff"));
    }
    // A long command line without a `\n`.
    failing.push(binary(64 << 10));
    for (i, body) in failing.iter().enumerate() {
        let subject = format!("probe.fail.{i}");
        rust.tell(&subject, body).await;
        js.tell(&subject, body).await;
        let (r, j) = tokio::join!(
            rust.logged(&subject, "handler returned an error"),
            js.logged(&subject, "handler returned an error")
        );
        assert_eq!(r, j, "handler error for {}", show(body));
    }

    // `trap` traps on both (the host logs it), and both hosts keep serving.
    rust.tell("probe.trap", b"trap").await;
    js.tell("probe.trap", b"trap").await;
    let (r, j) = tokio::join!(
        rust.logged("probe.trap", "handler trapped"),
        js.logged("probe.trap", "handler trapped")
    );
    println!("rust trap: {r}\njs trap: {j}");
    let body = cmd("echo", b"still here");
    let (r, j) = tokio::join!(
        rust.ask("probe.after", &body, 1),
        js.ask("probe.after", &body, 1)
    );
    same("echo after a trap", &r, &j);
    assert_eq!(&j[0][..], b"still here");

    rust.host.stop();
    js.host.stop();
}

/// A probe message from raw command-line bytes.
fn cmd_bytes(line: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut body = line.to_vec();
    body.push(b'\n');
    body.extend_from_slice(payload);
    body
}

/// Captures the host's logs (warn and up) for the whole test binary.
fn init_logs() {
    msgbridge_test_support::logs::capture_logs("msgbridge_host=warn");
}
