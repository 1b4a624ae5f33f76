//! Running one case in one configuration on one broker, and recording what happens.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{BodyExt, Full};
use msgbridge_host::{
    subject_matches, Broker, ComponentSpec, Delivery, Host, HostConfig, Hosted, InProcessBroker,
    InstancePolicy, Message, NatsBroker, Outcome, Runtime, Subscription,
};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use crate::case::{Artifact, Behaviour, Case, Component, Step, Via};
use crate::config::Configuration;
use crate::observe::{sorted, InboxNames, Msg, Observation, Recorded};
use crate::RunError;

/// How long the harness listens for answers that must not come (no timed assertion: a late
/// answer is only missed, never a false failure).
pub const NO_ANSWER_WAIT: Duration = Duration::from_millis(300);
/// How long the harness keeps listening after the expected answers, for extra ones.
pub const GRACE: Duration = Duration::from_millis(100);
/// How long the broker must stay quiet before a run ends.
pub const QUIET: Duration = Duration::from_millis(150);
/// The hang guard for anything the harness waits for.
pub const HANG: Duration = Duration::from_secs(60);

/// Which broker a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BrokerKind {
    /// [`InProcessBroker`].
    InProcess,
    /// [`NatsBroker`] on a `nats-server` started by the suite.
    Nats,
}

impl BrokerKind {
    /// Both brokers.
    pub const ALL: [BrokerKind; 2] = [BrokerKind::InProcess, BrokerKind::Nats];

    /// A short name, for component names.
    pub fn short_name(self) -> &'static str {
        match self {
            BrokerKind::InProcess => "mem",
            BrokerKind::Nats => "nats",
        }
    }

    /// Its name in the matrix.
    pub fn name(self) -> &'static str {
        match self {
            BrokerKind::InProcess => "in-process broker",
            BrokerKind::Nats => "NATS",
        }
    }
}

/// Where a run's brokers come from: nothing for the in-process broker (each run gets a new
/// one), a NATS server's URL otherwise.
#[derive(Debug, Clone)]
pub enum BrokerSource {
    /// A new [`InProcessBroker`] per run.
    InProcess,
    /// New connections to this NATS server per run.
    Nats(String),
}

impl BrokerSource {
    /// A short name, for component names.
    pub fn short_name(&self) -> &'static str {
        match self {
            BrokerSource::InProcess => BrokerKind::InProcess.short_name(),
            BrokerSource::Nats(_) => BrokerKind::Nats.short_name(),
        }
    }
}

/// What the harness published itself, to tell it apart in the record.
type Sent = Arc<Mutex<BTreeSet<(String, Vec<u8>)>>>;

/// Locks `m`, also when a panicking holder poisoned it.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Awaits `f`, or fails with [`RunError::Hang`] naming `what` after [`HANG`].
async fn guarded<F: std::future::Future>(what: &str, f: F) -> Result<F::Output, RunError> {
    tokio::time::timeout(HANG, f)
        .await
        .map_err(|_| RunError::Hang(what.to_string()))
}

/// A host's error, with its sources.
pub(crate) fn host_error(error: impl std::error::Error + Send + Sync + 'static) -> RunError {
    RunError::Host(crate::error_chain(error))
}

/// A broker's error.
fn broker_error(error: impl std::fmt::Display) -> RunError {
    RunError::Broker(error.to_string())
}

/// Runs `case` in `config`; the caller has checked that it applies.
///
/// The run goes through its phases in order, each on one run state: set up the
/// brokers and hosts, load the case's components (and, in a cross-world pair, the native
/// peers), start the recorder and the harness repliers, drive the steps, settle (wait for
/// the watched messages and for the broker to go quiet), then collect the observation.
pub async fn run_case(
    case: &Case,
    config: &Configuration,
    source: &BrokerSource,
) -> Result<Observation, RunError> {
    let mut run = Run::set_up(case, config, source).await?;
    run.load_components().await?;
    run.load_peers().await?;
    run.start_recorder().await?;
    run.start_repliers().await?;
    let driven = run.drive().await?;
    run.settle(&driven).await?;
    Ok(run.collect(driven))
}

/// The state of one run, which the phases of [`run_case`] build up.
struct Run<'a> {
    /// The case being run.
    case: &'a Case,
    /// The configuration it runs in.
    config: &'a Configuration,
    /// A name unique to the run, so that concurrent runs are told apart in the logs: the
    /// prefix of its components' names.
    name: String,
    /// The hosts' connection to the broker, kept until the run ends.
    _host_broker: Arc<dyn Broker>,
    /// The harness's connection: the recorder's, the repliers' and the steps'.
    harness: Arc<dyn Broker>,
    /// The hosts; the first serves HTTP (when a step needs it) and the peers.
    hosts: Vec<Host>,
    /// Each host's delivery events, subscribed to as it started.
    deliveries: Vec<broadcast::Receiver<Delivery>>,
    /// The names of the probe components, whose failed deliveries the run reports.
    probes: BTreeSet<String>,
    /// The probes' failed deliveries drained from `deliveries` so far.
    failed: Vec<String>,
    /// Every message the recorder received, in order.
    record: Arc<Mutex<Vec<Message>>>,
    /// What the harness published itself.
    sent: Sent,
    /// The recorder and the harness repliers, aborted when the run ends.
    tasks: Vec<JoinHandle<()>>,
}

/// What the steps got back.
#[derive(Default)]
struct Driven {
    /// Per step, the answers it received.
    answers: Vec<Vec<Message>>,
    /// Per step, the inbox its answers came to (requests only).
    inboxes: Vec<Option<String>>,
}

/// The brokers of a run: the hosts' connection and the harness's (one broker in process,
/// two connections to the server on NATS).
async fn connect(source: &BrokerSource) -> Result<(Arc<dyn Broker>, Arc<dyn Broker>), RunError> {
    Ok(match source {
        BrokerSource::InProcess => {
            let broker = Arc::new(InProcessBroker::new());
            (broker.clone(), broker)
        }
        BrokerSource::Nats(url) => {
            let connect = |url: String| async move {
                guarded("connecting to NATS", NatsBroker::connect(&url))
                    .await?
                    .map_err(broker_error)
            };
            (
                Arc::new(connect(url.clone()).await?),
                Arc::new(connect(url.clone()).await?),
            )
        }
    })
}

impl<'a> Run<'a> {
    /// Set-up: the brokers, and as many hosts (serving only the configuration's host
    /// world) as a component of the case runs on; the first serves HTTP if a step needs it.
    async fn set_up(
        case: &'a Case,
        config: &'a Configuration,
        source: &BrokerSource,
    ) -> Result<Run<'a>, RunError> {
        let (host_broker, harness) = connect(source).await?;
        let runtime = Runtime::shared().map_err(host_error)?;
        let host_count = case.components.iter().map(|c| c.hosts).max().unwrap_or(1);
        let mut hosts = Vec::new();
        let mut deliveries = Vec::new();
        for i in 0..host_count {
            let mut host_config = HostConfig::new(host_broker.clone())
                .map_err(host_error)?
                .with_hosted(Hosted::only(config.host_world()))
                .with_runtime(runtime.clone());
            if i == 0 && case.uses_http() {
                host_config = host_config.with_http(SocketAddr::from(([127, 0, 0, 1], 0)));
            }
            let host = guarded("starting a host", Host::start(host_config))
                .await?
                .map_err(host_error)?;
            deliveries.push(host.deliveries());
            hosts.push(host);
        }
        Ok(Run {
            case,
            config,
            name: format!("{}.{}.{}", case.id, config.id, source.short_name()),
            _host_broker: host_broker,
            harness,
            hosts,
            deliveries,
            probes: BTreeSet::new(),
            failed: Vec::new(),
            record: Arc::default(),
            sent: Arc::default(),
            tasks: Vec::new(),
        })
    }

    /// Loads each component of the case, in the configuration's form, on its hosts.
    async fn load_components(&mut self) -> Result<(), RunError> {
        for component in &self.case.components {
            let bytes = self.config.bytes(component.artifact)?;
            let name = format!("{}.{}", self.name, component.name);
            for host in self.hosts.iter().take(component.hosts) {
                let spec = self.spec(component, name.clone(), bytes.clone());
                guarded("loading a component", host.add_component(spec))
                    .await?
                    .map_err(host_error)?;
            }
            if component.artifact == Artifact::Probe {
                self.probes.insert(name);
            }
        }
        Ok(())
    }

    /// What the host is given for `component`: its subscriptions, config and limits, and
    /// for the probe of a warm configuration, warm instances.
    fn spec(&self, component: &Component, name: String, bytes: Bytes) -> ComponentSpec {
        let mut spec = ComponentSpec::new(name, bytes);
        spec.subscriptions = component.subscriptions.clone();
        spec.config = component.config.clone();
        if let Some(ms) = component.deadline_ms {
            spec.limits.deadline = Duration::from_millis(ms);
        }
        if let Some(mib) = component.max_memory_mib {
            spec.limits.max_memory = mib << 20;
        }
        if self.config.warm && component.artifact == Artifact::Probe {
            spec = spec.instances(InstancePolicy::Warm {
                pool_size: 4,
                max_invocations: u64::MAX,
            });
        }
        spec
    }

    /// In a cross-world pair, loads native probes of the host's world on the first host
    /// to play the repliers.
    async fn load_peers(&self) -> Result<(), RunError> {
        let Some(peer) = self.config.peer else {
            return Ok(());
        };
        let mut index = 0;
        for replier in &self.case.repliers {
            for _ in 0..replier.count {
                index += 1;
                let spec = ComponentSpec::new(
                    format!("{}.peer-{index}", self.name),
                    Bytes::from_static(peer.bytes()),
                )
                .subscribe(replier.subject.clone());
                guarded("loading a peer", self.hosts[0].add_component(spec))
                    .await?
                    .map_err(host_error)?;
            }
        }
        Ok(())
    }

    /// Starts recording everything on the broker (but the subjects that must have no
    /// subscriber).
    async fn start_recorder(&mut self) -> Result<(), RunError> {
        let mut subscriptions = Vec::new();
        for pattern in &recorder_patterns(self.case) {
            subscriptions.push(
                guarded(
                    "subscribing the recorder",
                    self.harness.subscribe(pattern, None),
                )
                .await?
                .map_err(broker_error)?,
            );
        }
        let mut all = futures::stream::select_all(subscriptions);
        let record = self.record.clone();
        self.tasks.push(tokio::spawn(async move {
            while let Some(message) = all.next().await {
                lock(&record).push(message);
            }
        }));
        Ok(())
    }

    /// Starts the harness repliers (in a cross-world pair, native peers play them: loaded
    /// by [`Run::load_peers`]).
    async fn start_repliers(&mut self) -> Result<(), RunError> {
        let case = self.case;
        for replier in case.repliers.iter().filter(|_| self.config.peer.is_none()) {
            for _ in 0..replier.count {
                let sub = guarded(
                    "subscribing a replier",
                    self.harness.subscribe(&replier.subject, None),
                )
                .await?
                .map_err(broker_error)?;
                let replying = reply(
                    sub,
                    replier.behaviour,
                    self.harness.clone(),
                    self.sent.clone(),
                );
                self.tasks.push(tokio::spawn(replying));
            }
        }
        Ok(())
    }

    /// Drives the steps, in order, and keeps what each got back.
    async fn drive(&self) -> Result<Driven, RunError> {
        let mut driven = Driven::default();
        for step in &self.case.steps {
            let (got, inbox) = match step.via {
                Via::Http => (vec![self.http_step(step).await?], None),
                Via::Publish => {
                    self.publish_step(step).await?;
                    (Vec::new(), None)
                }
                Via::Request => {
                    let (got, inbox) = self.request_step(step).await?;
                    (got, Some(inbox))
                }
            };
            driven.inboxes.push(inbox);
            driven.answers.push(got);
        }
        Ok(driven)
    }

    /// An HTTP step, to the first host: its response.
    async fn http_step(&self, step: &Step) -> Result<Message, RunError> {
        let addr = self.hosts[0]
            .http_addr()
            .ok_or_else(|| RunError::Host("the host serves no HTTP".into()))?;
        guarded("an HTTP response", http(addr, step))
            .await?
            .map_err(RunError::Http)
    }

    /// A published step (no reply subject).
    async fn publish_step(&self, step: &Step) -> Result<(), RunError> {
        lock(&self.sent).insert((step.target.clone(), step.body.to_vec()));
        guarded(
            "publishing a step",
            self.harness.publish(step_message(step)),
        )
        .await?
        .map_err(broker_error)
    }

    /// A request step: the answers that came to its inbox (the expected ones, then any
    /// more while the harness listens on), and the inbox.
    async fn request_step(&self, step: &Step) -> Result<(Vec<Message>, String), RunError> {
        lock(&self.sent).insert((step.target.clone(), step.body.to_vec()));
        let inbox = self.harness.new_inbox();
        let mut replies = guarded(
            "subscribing to an inbox",
            self.harness.subscribe(&inbox, None),
        )
        .await?
        .map_err(broker_error)?;
        let mut message = step_message(step);
        message.reply_to = Some(inbox.clone());
        guarded("publishing a step", self.harness.publish(message))
            .await?
            .map_err(broker_error)?;
        let mut got = Vec::new();
        while got.len() < step.answers {
            match tokio::time::timeout(HANG, replies.next()).await {
                Ok(Some(m)) => got.push(m),
                _ => break,
            }
        }
        let extra = match (step.listen_ms, step.answers) {
            (Some(ms), _) => Duration::from_millis(ms),
            (None, 0) => NO_ANSWER_WAIT,
            (None, _) => GRACE,
        };
        while let Ok(Some(m)) = tokio::time::timeout(extra, replies.next()).await {
            got.push(m);
        }
        Ok((got, inbox))
    }

    /// Settles: waits for the messages the expectation has on the watched subjects, for
    /// the recorder to have seen every answer the steps got, for the probes' failed
    /// deliveries the expectation has (bounded by [`HANG`]: fewer is a difference the
    /// comparison reports, not a hang), then for the broker to go quiet. Under load the
    /// recorder's copy of a message, and a failed delivery's event, can come well after
    /// the steps' own answers: waiting only for quiet would end the run too early.
    async fn settle(&mut self, driven: &Driven) -> Result<(), RunError> {
        let expectation = self
            .case
            .expect
            .get(&expectation_world(self.case, self.config));
        let expected_watch = expectation.map(|e| e.published.len()).unwrap_or(0);
        let expected_failures = expectation.map(|e| e.failures.len()).unwrap_or(0);
        let watched = || {
            lock(&self.record)
                .iter()
                .filter(|m| self.case.watch.contains(&m.subject))
                .count()
        };
        guarded("the watched messages", async {
            while watched() < expected_watch {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await?;
        let recorded_answers = || {
            let record = lock(&self.record);
            driven
                .inboxes
                .iter()
                .zip(&driven.answers)
                .all(|(inbox, got)| match inbox {
                    Some(inbox) => {
                        record.iter().filter(|m| &m.subject == inbox).count() >= got.len()
                    }
                    None => true,
                })
        };
        guarded("the recorder's copies of the answers", async {
            while !recorded_answers() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await?;
        let _ = tokio::time::timeout(HANG, async {
            loop {
                self.drain_failures();
                if self.failed.len() >= expected_failures {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        guarded("the broker to go quiet", async {
            let mut seen = lock(&self.record).len();
            loop {
                tokio::time::sleep(QUIET).await;
                let now = lock(&self.record).len();
                if now == seen {
                    break;
                }
                seen = now;
            }
        })
        .await?;
        Ok(())
    }

    /// Moves the probes' failed deliveries reported so far from the hosts' delivery
    /// events into `failed`.
    fn drain_failures(&mut self) {
        for events in &mut self.deliveries {
            while let Ok(delivery) = events.try_recv() {
                if let Some(failure) = probe_failure(&self.probes, delivery) {
                    self.failed.push(failure);
                }
            }
        }
    }

    /// Ends the run (stops the hosts, then the recorder and the repliers) and collects the
    /// observation: the answers, the case's traffic and the probes' failed deliveries.
    fn collect(mut self, driven: Driven) -> Observation {
        self.hosts.clear();
        for task in self.tasks.drain(..) {
            task.abort();
        }
        self.drain_failures();
        let Run {
            case,
            failed: mut failures,
            record,
            sent,
            ..
        } = self;
        failures.sort();
        let mut names = InboxNames::default();
        let traffic = traffic(
            case,
            &lock(&record),
            &lock(&sent),
            &driven.inboxes,
            &mut names,
        );
        let answers = driven
            .answers
            .iter()
            .map(|list| list.iter().map(|m| normalize(m, &mut names)).collect())
            .collect();
        Observation {
            answers,
            traffic,
            failures,
        }
    }
}

/// What the recorder subscribes to: everything, or for a case with subjects that must
/// have no subscriber, the case's own subjects and `_INBOX.>`.
fn recorder_patterns(case: &Case) -> Vec<String> {
    if case.no_subscriber.is_empty() {
        return vec![">".to_string()];
    }
    let mut patterns = vec!["_INBOX.>".to_string()];
    for p in case
        .components
        .iter()
        .flat_map(|c| &c.subscriptions)
        .chain(&case.watch)
        .chain(case.repliers.iter().map(|r| &r.subject))
        .chain(
            case.steps
                .iter()
                .filter(|s| s.via != Via::Http)
                .map(|s| &s.target),
        )
    {
        if !patterns.contains(p) {
            patterns.push(p.clone());
        }
    }
    patterns
}

/// A harness replier: answers each request on `sub` as `behaviour` says (an echo replies
/// with the request body after its first `\n`), recording its answers in `sent`.
async fn reply(mut sub: Subscription, behaviour: Behaviour, broker: Arc<dyn Broker>, sent: Sent) {
    while let Some(request) = sub.next().await {
        let (Behaviour::Echo, Some(reply_to)) = (behaviour, request.reply_to) else {
            continue;
        };
        let body = match request.body.iter().position(|&b| b == b'\n') {
            Some(at) => request.body.slice(at + 1..),
            None => Bytes::new(),
        };
        lock(&sent).insert((reply_to.clone(), body.to_vec()));
        let _ = broker.publish(Message::new(reply_to, body)).await;
    }
}

/// How a delivery of one of `probes` failed (the handler's error, `trap` or `deadline`),
/// or `None` for a handled delivery or another component's.
fn probe_failure(probes: &BTreeSet<String>, delivery: Delivery) -> Option<String> {
    if !probes.contains(delivery.component.as_ref()) {
        return None;
    }
    match delivery.outcome {
        Outcome::Handled => None,
        Outcome::Failed(error) => Some(error),
        Outcome::Trapped(_) => Some("trap".to_string()),
        Outcome::DeadlineExceeded(_) => Some("deadline".to_string()),
    }
}

/// What of `record` belongs to `case`, normalized: its subjects (and the examples') and the
/// inboxes they named, each marked as the harness's own or as the answer to a step.
fn traffic(
    case: &Case,
    record: &[Message],
    sent: &BTreeSet<(String, Vec<u8>)>,
    step_inboxes: &[Option<String>],
    names: &mut InboxNames,
) -> Vec<Recorded> {
    let prefix = format!("{}.", case.id);
    let example_patterns: Vec<&String> = case
        .components
        .iter()
        .filter(|c| c.artifact != Artifact::Probe)
        .flat_map(|c| &c.subscriptions)
        .collect();
    let mut inboxes: BTreeSet<String> = step_inboxes.iter().flatten().cloned().collect();
    let mut traffic = Vec::new();
    for m in record {
        let ours = m.subject.starts_with(&prefix)
            || inboxes.contains(&m.subject)
            || example_patterns
                .iter()
                .any(|p| subject_matches(p, &m.subject));
        if !ours {
            continue;
        }
        if let Some(r) = &m.reply_to {
            inboxes.insert(r.clone());
        }
        let answer_to = step_inboxes
            .iter()
            .position(|i| i.as_deref() == Some(m.subject.as_str()));
        traffic.push(Recorded {
            by_harness: sent.contains(&(m.subject.clone(), m.body.to_vec())),
            answer_to,
            msg: normalize(m, names),
        });
    }
    traffic
}

/// The world whose expectation a run of `case` in `config` is checked against: the
/// guest's, or for a case without a probe the host's.
pub fn expectation_world(case: &Case, config: &Configuration) -> msgbridge_worlds::World {
    if case.has_probe() {
        config.guest.world()
    } else {
        config.host_world()
    }
}

/// The message a step sends.
fn step_message(step: &Step) -> Message {
    let mut message = Message::new(step.target.clone(), step.body.clone());
    message.content_type = step.content_type.clone();
    message.metadata = (!step.metadata.is_empty()).then(|| step.metadata.clone());
    message
}

/// Sends an HTTP step to `addr` over a fresh connection; the answer carries the status
/// and the body.
async fn http(addr: SocketAddr, step: &Step) -> Result<Message, String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| format!("HTTP handshake with {addr}: {e}"))?;
    tokio::spawn(connection);
    let request = hyper::Request::builder()
        .method(step.method.as_str())
        .uri(&step.target)
        .header(hyper::header::HOST, addr.to_string())
        .body(Full::new(step.body.clone()))
        .map_err(|e| format!("bad HTTP request: {e}"))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("HTTP request to {addr}: {e}"))?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("HTTP response body from {addr}: {e}"))?
        .to_bytes();
    Ok(Message {
        subject: format!("HTTP {status}"),
        body,
        ..Message::default()
    })
}

/// `m` as the observation records it: inboxes named by first appearance, an HTTP answer's
/// status apart.
fn normalize(m: &Message, names: &mut InboxNames) -> Msg {
    let status = m.subject.strip_prefix("HTTP ").and_then(|s| s.parse().ok());
    Msg {
        subject: if status.is_some() {
            String::new()
        } else {
            names.name(&m.subject)
        },
        body: m.body.to_vec(),
        reply_to: m.reply_to.as_deref().map(|r| names.name(r)),
        content_type: m.content_type.clone(),
        metadata: sorted(m.metadata.clone().unwrap_or_default()),
        status,
    }
}
