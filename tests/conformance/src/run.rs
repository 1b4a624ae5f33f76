//! Running one case in one configuration on one broker, and recording what happens.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{BodyExt, Full};
use msgbridge_host::{
    subject_matches, Broker, ComponentSpec, Host, HostConfig, Hosted, InProcessBroker,
    InstancePolicy, Message, NatsBroker, Outcome, Runtime,
};

use crate::case::{Artifact, Behaviour, Case, Step, Via};
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn guarded<F: std::future::Future>(what: &str, f: F) -> Result<F::Output, RunError> {
    tokio::time::timeout(HANG, f)
        .await
        .map_err(|_| RunError::Hang(what.to_string()))
}

/// Runs `case` in `config`; the caller has checked that it applies.
pub async fn run_case(
    case: &Case,
    config: &Configuration,
    source: &BrokerSource,
) -> Result<Observation, RunError> {
    let (host_broker, harness): (Arc<dyn Broker>, Arc<dyn Broker>) = match source {
        BrokerSource::InProcess => {
            let broker = Arc::new(InProcessBroker::new());
            (broker.clone(), broker)
        }
        BrokerSource::Nats(url) => {
            let connect = |url: String| async move {
                guarded("connecting to NATS", NatsBroker::connect(&url))
                    .await?
                    .map_err(|e| RunError::Broker(e.to_string()))
            };
            (
                Arc::new(connect(url.clone()).await?),
                Arc::new(connect(url.clone()).await?),
            )
        }
    };
    let expected_watch = case
        .expect
        .get(&expectation_world(case, config))
        .map(|e| e.published.len())
        .unwrap_or(0);

    let runtime = Runtime::shared().map_err(|e| RunError::Host(crate::error_chain(e)))?;
    let host_count = case.components.iter().map(|c| c.hosts).max().unwrap_or(1);
    let mut hosts = Vec::new();
    let mut deliveries = Vec::new();
    for i in 0..host_count {
        let mut host_config = HostConfig::new(host_broker.clone())
            .map_err(|e| RunError::Host(crate::error_chain(e)))?
            .with_hosted(Hosted::Only(config.host_world()))
            .with_runtime(runtime.clone());
        if i == 0 && case.uses_http() {
            host_config = host_config.with_http(SocketAddr::from(([127, 0, 0, 1], 0)));
        }
        let host = guarded("starting a host", Host::start(host_config))
            .await?
            .map_err(|e| RunError::Host(crate::error_chain(e)))?;
        deliveries.push(host.deliveries());
        hosts.push(host);
    }
    let host = &hosts[0];
    // Names unique to the run, so that concurrent runs are told apart in the logs.
    let run_name = format!("{}.{}.{}", case.id, config.id, source.short_name());
    let mut probes = BTreeSet::new();
    for component in &case.components {
        let bytes = config.bytes(component.artifact)?;
        let name = format!("{run_name}.{}", component.name);
        for host in hosts.iter().take(component.hosts) {
            let mut spec = ComponentSpec::new(name.clone(), bytes.clone());
            spec.subscriptions = component.subscriptions.clone();
            spec.config = component.config.clone();
            if let Some(ms) = component.deadline_ms {
                spec.limits.deadline = Duration::from_millis(ms);
            }
            if let Some(mib) = component.max_memory_mib {
                spec.limits.max_memory = mib << 20;
            }
            if config.warm && component.artifact == Artifact::Probe {
                spec = spec.instances(InstancePolicy::Warm {
                    pool_size: 4,
                    max_invocations: u64::MAX,
                });
            }
            guarded("loading a component", host.add_component(spec))
                .await?
                .map_err(|e| RunError::Host(crate::error_chain(e)))?;
        }
        if component.artifact == Artifact::Probe {
            probes.insert(name);
        }
    }

    // In a cross-world pair, native probes of the host's world play the repliers.
    if let Some(peer) = config.peer {
        let mut index = 0;
        for replier in &case.repliers {
            for _ in 0..replier.count {
                index += 1;
                let spec = ComponentSpec::new(
                    format!("{run_name}.peer-{index}"),
                    Bytes::from_static(peer.bytes()),
                )
                .subscribe(replier.subject.clone());
                guarded("loading a peer", host.add_component(spec))
                    .await?
                    .map_err(|e| RunError::Host(crate::error_chain(e)))?;
            }
        }
    }

    // Record everything on the broker (but the subjects that must have no subscriber).
    let patterns: Vec<String> = if case.no_subscriber.is_empty() {
        vec![">".to_string()]
    } else {
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
    };
    let mut subscriptions = Vec::new();
    for pattern in &patterns {
        subscriptions.push(
            guarded("subscribing the recorder", harness.subscribe(pattern, None))
                .await?
                .map_err(|e| RunError::Broker(e.to_string()))?,
        );
    }
    let mut all = futures::stream::select_all(subscriptions);
    let record: Arc<Mutex<Vec<Message>>> = Arc::default();
    let recorder = {
        let record = record.clone();
        tokio::spawn(async move {
            while let Some(message) = all.next().await {
                lock(&record).push(message);
            }
        })
    };
    let sent: Sent = Arc::default();
    let mut tasks = vec![recorder];

    // Harness repliers (in a cross-world pair, native peers play them: loaded above).
    for replier in case.repliers.iter().filter(|_| config.peer.is_none()) {
        for _ in 0..replier.count {
            let mut sub = guarded(
                "subscribing a replier",
                harness.subscribe(&replier.subject, None),
            )
            .await?
            .map_err(|e| RunError::Broker(e.to_string()))?;
            let broker = harness.clone();
            let sent = sent.clone();
            let behaviour = replier.behaviour;
            tasks.push(tokio::spawn(async move {
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
            }));
        }
    }

    // The steps.
    let mut answers = Vec::new();
    let mut step_inboxes = Vec::new();
    for step in &case.steps {
        let (got, inbox) = match step.via {
            Via::Http => {
                let addr = host
                    .http_addr()
                    .ok_or_else(|| RunError::Host("the host serves no HTTP".into()))?;
                let answer = guarded("an HTTP response", http(addr, step))
                    .await?
                    .map_err(RunError::Http)?;
                (vec![answer], None)
            }
            Via::Publish => {
                lock(&sent).insert((step.target.clone(), step.body.to_vec()));
                guarded("publishing a step", harness.publish(step_message(step)))
                    .await?
                    .map_err(|e| RunError::Broker(e.to_string()))?;
                (Vec::new(), None)
            }
            Via::Request => {
                lock(&sent).insert((step.target.clone(), step.body.to_vec()));
                let inbox = harness.new_inbox();
                let mut replies =
                    guarded("subscribing to an inbox", harness.subscribe(&inbox, None))
                        .await?
                        .map_err(|e| RunError::Broker(e.to_string()))?;
                let mut message = step_message(step);
                message.reply_to = Some(inbox.clone());
                guarded("publishing a step", harness.publish(message))
                    .await?
                    .map_err(|e| RunError::Broker(e.to_string()))?;
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
                (got, Some(inbox))
            }
        };
        step_inboxes.push(inbox);
        answers.push(got);
    }

    // Wait for the watched messages, then for the broker to go quiet.
    let watched = || {
        lock(&record)
            .iter()
            .filter(|m| case.watch.contains(&m.subject))
            .count()
    };
    guarded("the watched messages", async {
        while watched() < expected_watch {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await?;
    guarded("the broker to go quiet", async {
        let mut seen = lock(&record).len();
        loop {
            tokio::time::sleep(QUIET).await;
            let now = lock(&record).len();
            if now == seen {
                break;
            }
            seen = now;
        }
    })
    .await?;
    drop(hosts);
    for task in tasks {
        task.abort();
    }
    let mut failures = Vec::new();
    for mut events in deliveries {
        while let Ok(delivery) = events.try_recv() {
            if !probes.contains(delivery.component.as_ref()) {
                continue;
            }
            match delivery.outcome {
                Outcome::Handled => {}
                Outcome::Failed(error) => failures.push(error),
                Outcome::Trapped(_) => failures.push("trap".to_string()),
                Outcome::DeadlineExceeded(_) => failures.push("deadline".to_string()),
            }
        }
    }
    failures.sort();

    // Keep what belongs to this case: its subjects (and the examples') and the inboxes
    // they named.
    let prefix = format!("{}.", case.id);
    let example_patterns: Vec<&String> = case
        .components
        .iter()
        .filter(|c| c.artifact != Artifact::Probe)
        .flat_map(|c| &c.subscriptions)
        .collect();
    let mut inboxes: BTreeSet<String> = step_inboxes.iter().flatten().cloned().collect();
    let mut names = InboxNames::default();
    let sent = lock(&sent).clone();
    let mut traffic = Vec::new();
    for m in lock(&record).iter() {
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
            msg: normalize(m, &mut names),
        });
    }
    let answers = answers
        .iter()
        .map(|list| list.iter().map(|m| normalize(m, &mut names)).collect())
        .collect();
    Ok(Observation {
        answers,
        traffic,
        failures,
    })
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
