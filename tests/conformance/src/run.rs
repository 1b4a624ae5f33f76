//! Running one case in one configuration on one broker, and recording what happens.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use msgbridge_host::{
    Broker, ComponentSpec, Host, HostConfig, InProcessBroker, Message, NatsBroker, Runtime,
};

use futures::StreamExt;

use crate::case::{Behaviour, Case, Via};
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
        .get(&config.guest.world())
        .map(|e| e.published.len())
        .unwrap_or(0);

    let host = Host::start(
        HostConfig::new(host_broker)
            .map_err(|e| RunError::Host(e.to_string()))?
            .with_worlds(config.host_world().only())
            .with_runtime(Runtime::shared().map_err(|e| RunError::Host(e.to_string()))?),
    )
    .await
    .map_err(|e| RunError::Host(e.to_string()))?;
    let mut probe = ComponentSpec::new("probe", Bytes::from_static(config.guest_bytes()?));
    for s in &case.subscriptions {
        probe = probe.subscribe(s.clone());
    }
    guarded("loading the probe", host.add_component(probe))
        .await?
        .map_err(|e| RunError::Host(e.to_string()))?;

    // In a cross-world pair, native probes of the host's world play the repliers.
    if let Some(peer) = config.peer {
        let mut index = 0;
        for replier in &case.repliers {
            for _ in 0..replier.count {
                index += 1;
                let spec = ComponentSpec::new(
                    format!("peer-{index}"),
                    Bytes::from_static(peer.native_bytes()),
                )
                .subscribe(replier.subject.clone());
                guarded("loading a peer", host.add_component(spec))
                    .await?
                    .map_err(|e| RunError::Host(e.to_string()))?;
            }
        }
    }

    // Record everything on the broker (but the subjects that must have no subscriber).
    let patterns: Vec<String> = if case.no_subscriber.is_empty() {
        vec![">".to_string()]
    } else {
        let mut patterns = vec!["_INBOX.>".to_string()];
        for p in case
            .subscriptions
            .iter()
            .chain(&case.watch)
            .chain(case.repliers.iter().map(|r| &r.subject))
            .chain(case.steps.iter().map(|s| &s.subject))
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
        let mut message = Message::new(step.subject.clone(), step.body());
        message.content_type = step.content_type.clone();
        message.metadata = (!step.metadata.is_empty()).then(|| step.metadata.clone());
        lock(&sent).insert((step.subject.clone(), step.body().to_vec()));
        match step.via {
            Via::Publish => {
                guarded("publishing a step", harness.publish(message))
                    .await?
                    .map_err(|e| RunError::Broker(e.to_string()))?;
                step_inboxes.push(None);
                answers.push(Vec::new());
            }
            Via::Request => {
                let inbox = harness.new_inbox();
                let mut replies =
                    guarded("subscribing to an inbox", harness.subscribe(&inbox, None))
                        .await?
                        .map_err(|e| RunError::Broker(e.to_string()))?;
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
                let extra = if step.answers == 0 {
                    NO_ANSWER_WAIT
                } else {
                    GRACE
                };
                while let Ok(Some(m)) = tokio::time::timeout(extra, replies.next()).await {
                    got.push(m);
                }
                step_inboxes.push(Some(inbox));
                answers.push(got);
            }
        }
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
    drop(host);
    for task in tasks {
        task.abort();
    }

    // Keep what belongs to this case: its subjects and the inboxes they named.
    let prefix = format!("{}.", case.id);
    let mut inboxes: BTreeSet<String> = step_inboxes.iter().flatten().cloned().collect();
    let mut names = InboxNames::default();
    let sent = lock(&sent).clone();
    let mut traffic = Vec::new();
    for m in lock(&record).iter() {
        if !(m.subject.starts_with(&prefix) || inboxes.contains(&m.subject)) {
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
    Ok(Observation { answers, traffic })
}

/// A round trip on `nats`'s connection: a request to a subject nobody subscribes to.
fn normalize(m: &Message, names: &mut InboxNames) -> Msg {
    Msg {
        subject: names.name(&m.subject),
        body: m.body.to_vec(),
        reply_to: m.reply_to.as_deref().map(|r| names.name(r)),
        content_type: m.content_type.clone(),
        metadata: sorted(m.metadata.clone().unwrap_or_default()),
    }
}
