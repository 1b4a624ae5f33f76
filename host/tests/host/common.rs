//! Shared test scaffolding: a host on either broker, the probes, log capture.

use std::sync::Arc;

use bytes::Bytes;
use msgbridge_host::{
    Broker, ComponentSpec, Host, HostConfig, InProcessBroker, Message, NatsBroker, Runtime,
    Subscription, Worlds,
};
use msgbridge_test_support::{within, NatsServer, WAIT};

/// Which broker a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The in-process broker.
    InProcess,
    /// A `nats-server` started by the test.
    Nats,
}

/// Which probe (messaging world) a test drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum World {
    /// `wasi-probe`, `wasi:messaging@0.2.0-draft`.
    Wasi,
    /// `wasmcloud-probe`, `wasmcloud:messaging@0.2.0`.
    Wasmcloud,
}

impl World {
    /// The probe's bytes.
    pub fn probe(self) -> &'static [u8] {
        match self {
            World::Wasi => msgbridge_test_artifacts::WASI_PROBE,
            World::Wasmcloud => msgbridge_test_artifacts::WASMCLOUD_PROBE,
        }
    }

    /// The report text of a request that timed out after `ms`.
    pub fn timeout_report(self, ms: u32) -> String {
        match self {
            World::Wasi => "err timeout".to_string(),
            World::Wasmcloud => format!("err request timed out after {ms}ms"),
        }
    }
}

/// A host (plus the NATS server it may need) and a client connection for the test.
pub struct Env {
    /// What the host's components use.
    pub host: Host,
    /// The test's own connection (a second connection on NATS).
    pub client: Arc<dyn Broker>,
    /// A label unique to the test, to find its log lines.
    pub label: String,
    _nats: Option<NatsServer>,
}

impl Env {
    /// A host serving both worlds on `backend`, without HTTP.
    pub async fn new(backend: Backend, label: &str) -> Env {
        Env::with(backend, label, Worlds::Both, false).await
    }

    /// A host serving `worlds` on `backend`, with HTTP on a free loopback port if `http`.
    pub async fn with(backend: Backend, label: &str, worlds: Worlds, http: bool) -> Env {
        init_logs();
        let (nats, broker, client): (Option<NatsServer>, Arc<dyn Broker>, Arc<dyn Broker>) =
            match backend {
                Backend::InProcess => {
                    let broker = Arc::new(InProcessBroker::new());
                    (None, broker.clone(), broker)
                }
                Backend::Nats => {
                    let server = NatsServer::start();
                    let host_side =
                        within("connecting to NATS", NatsBroker::connect(&server.url()))
                            .await
                            .expect("connect the host to NATS");
                    let test_side =
                        within("connecting to NATS", NatsBroker::connect(&server.url()))
                            .await
                            .expect("connect the test to NATS");
                    (Some(server), Arc::new(host_side), Arc::new(test_side))
                }
            };
        let mut config = HostConfig::new(broker)
            .expect("host config")
            .with_worlds(worlds)
            .with_runtime(Runtime::shared().expect("runtime"));
        if http {
            config = config.with_http("127.0.0.1:0".parse().expect("loopback address"));
        }
        let host = within("starting the host", Host::start(config))
            .await
            .expect("start the host");
        Env {
            host,
            client,
            label: label.to_string(),
            _nats: nats,
        }
    }

    /// A component name unique to this test.
    pub fn name(&self, role: &str) -> String {
        format!("{}-{role}", self.label)
    }

    /// Loads `wasm` as `role`, subscribed to `subjects`.
    pub async fn load(&self, role: &str, wasm: &'static [u8], subjects: &[&str]) -> String {
        let mut spec = ComponentSpec::new(self.name(role), Bytes::from_static(wasm));
        for s in subjects {
            spec = spec.subscribe(*s);
        }
        self.load_spec(spec).await
    }

    /// Loads `spec`.
    pub async fn load_spec(&self, spec: ComponentSpec) -> String {
        let name = spec.name.clone();
        within("loading a component", self.host.add_component(spec))
            .await
            .unwrap_or_else(|e| panic!("loading {name}: {e}"));
        name
    }

    /// Sends `body` on `subject` and returns the first reply.
    pub async fn ask(&self, subject: &str, body: impl Into<Bytes>) -> Message {
        self.ask_message(Message::new(subject, body)).await
    }

    /// Sends `message` and returns the first reply.
    pub async fn ask_message(&self, message: Message) -> Message {
        let what = format!("a reply on {}", message.subject);
        let mut replies = within(&what, self.client.request(message, Some(WAIT), Some(1)))
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        replies.remove(0)
    }

    /// Sends `body` on `subject` and returns the first `n` replies.
    pub async fn ask_n(&self, subject: &str, body: impl Into<Bytes>, n: usize) -> Vec<Message> {
        let what = format!("{n} replies on {subject}");
        within(
            &what,
            self.client
                .request(Message::new(subject, body), Some(WAIT), Some(n)),
        )
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
    }

    /// Publishes `body` on `subject` without waiting for anything.
    pub async fn tell(&self, subject: &str, body: impl Into<Bytes>) {
        within(
            "publishing",
            self.client.publish(Message::new(subject, body)),
        )
        .await
        .expect("publish");
    }

    /// Subscribes the test to `pattern`.
    pub async fn watch(&self, pattern: &str) -> Subscription {
        within("subscribing", self.client.subscribe(pattern, None))
            .await
            .expect("subscribe")
    }
}

/// The next message of `sub`, failing after a long wait.
pub async fn next(sub: &mut Subscription) -> Message {
    within("the next message", sub.next())
        .await
        .expect("the subscription ended")
}

/// A probe message: `command`, `\n`, `payload`.
pub fn cmd(command: &str, payload: &[u8]) -> Bytes {
    let mut body = command.as_bytes().to_vec();
    body.push(b'\n');
    body.extend_from_slice(payload);
    body.into()
}

/// `body` as text, for assertions.
pub fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}

/// Parses a request report: `ok K` then K times `\nLEN\n` and LEN bytes; `Err(text)` for
/// `err TEXT`.
pub fn request_report(body: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if let Some(rest) = body.strip_prefix(b"err ") {
        return Err(text(rest));
    }
    let rest = body
        .strip_prefix(b"ok ")
        .unwrap_or_else(|| panic!("not a request report: {:?}", text(body)));
    let (count, mut rest) = split_line(rest);
    let count: usize = count.parse().expect("reply count");
    let mut replies = Vec::new();
    for _ in 0..count {
        rest = rest.strip_prefix(b"\n").expect("newline before a length");
        let (len, after) = split_line(rest);
        let len: usize = len.parse().expect("reply length");
        let after = after.strip_prefix(b"\n").expect("newline after a length");
        replies.push(after[..len].to_vec());
        rest = &after[len..];
    }
    assert!(rest.is_empty(), "trailing bytes in a request report");
    Ok(replies)
}

fn split_line(bytes: &[u8]) -> (String, &[u8]) {
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    (text(&bytes[..end]), &bytes[end..])
}

/// `n` bytes that are not UTF-8 (every 256-byte run holds all byte values).
pub fn binary(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 131 % 256) as u8).collect()
}

pub use msgbridge_test_support::logs::log_line;

/// Captures the host's logs (debug and up) for the whole test binary.
pub fn init_logs() {
    msgbridge_test_support::logs::capture_logs("msgbridge_host=debug");
}
