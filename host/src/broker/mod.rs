//! Brokers: where components' messages go. One trait, two implementations:
//! [`InProcessBroker`] (the default, like `wash dev`'s in-memory messaging) and
//! [`NatsBroker`] (a NATS server, through `async-nats`).

mod memory;
mod nats;

pub use memory::InProcessBroker;
pub use nats::{server_list, NatsBroker, MAX_RECONNECT_DELAY};

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::stream::{BoxStream, Stream, StreamExt};

use crate::Message;

/// A boxed, sendable future, as the methods of [`Broker`] return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How many messages one subscriber's in-memory inbox holds before publishing to it fails
/// with `message queue full` (wasmCloud v2's in-memory limit).
pub const INBOX_CAPACITY: usize = 10_000;

/// What went wrong in a broker operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrokerError {
    /// A subscriber's inbox is full (in-process broker); the text is wasmCloud's.
    #[error("{}", msgbridge_mapping::QUEUE_FULL)]
    QueueFull,
    /// A request got no reply before its timeout.
    #[error("timed out")]
    Timeout,
    /// NATS answered a request with "no responders"; the text is `async-nats`'s.
    #[error("{0}")]
    NoResponders(String),
    /// The subject or subscription pattern is not a valid NATS subject.
    #[error(
        "invalid subject {0:?}: a subject is tokens separated by `.`, none empty and none with \
         whitespace; a subscription may use `*` for a token and `>` as its last token"
    )]
    InvalidSubject(String),
    /// A metadata key or value cannot travel as a NATS header; the text says why.
    #[error("{0}")]
    InvalidHeader(String),
    /// The connection to the broker failed; the text says how.
    #[error("{0}")]
    Connection(String),
    /// The broker was shut down, or a subscription ended, while waiting.
    #[error("broker closed")]
    Closed,
}

/// A stream of the messages delivered to one subscription. Dropping it unsubscribes.
pub struct Subscription {
    inner: BoxStream<'static, Message>,
}

impl Subscription {
    /// Wraps a stream of messages; dropping the stream must end the subscription.
    pub fn from_stream(stream: impl Stream<Item = Message> + Send + 'static) -> Self {
        Subscription {
            inner: stream.boxed(),
        }
    }

    /// The next message, or `None` once the subscription has ended.
    pub async fn next(&mut self) -> Option<Message> {
        self.inner.next().await
    }
}

impl Stream for Subscription {
    type Item = Message;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription").finish_non_exhaustive()
    }
}

/// A message broker with NATS semantics: subjects are dot-separated tokens, subscription
/// patterns may use `*` (one token) and `>` (one or more trailing tokens), and subscribers
/// sharing a queue group get one delivery per group.
///
/// The trait is dyn-compatible; hosts hold an `Arc<dyn Broker>`.
pub trait Broker: Send + Sync {
    /// Publishes `message` on `message.subject`. A subject nobody subscribes to drops the
    /// message (and succeeds).
    fn publish(&self, message: Message) -> BoxFuture<'_, Result<(), BrokerError>>;

    /// Subscribes to `pattern`; with `queue_group`, joins that queue group, so each message
    /// goes to one member of the group.
    fn subscribe<'a>(
        &'a self,
        pattern: &'a str,
        queue_group: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Subscription, BrokerError>>;

    /// A fresh, unique reply subject: `_INBOX.<uuid>`.
    fn new_inbox(&self) -> String {
        format!("_INBOX.{}", uuid::Uuid::new_v4().simple())
    }

    /// Publishes `message` with a fresh inbox as its reply subject and collects replies.
    ///
    /// - no `timeout` and no `max_replies`: waits without bound for one reply;
    /// - `max_replies` (0 counts as unset): returns once that many replies arrived;
    /// - `timeout`: returns when it elapses with what arrived, or [`BrokerError::Timeout`]
    ///   when nothing did; with `max_replies` too, whichever comes first.
    fn request(
        &self,
        message: Message,
        timeout: Option<Duration>,
        max_replies: Option<usize>,
    ) -> BoxFuture<'_, Result<Vec<Message>, BrokerError>> {
        Box::pin(async move {
            let inbox = self.new_inbox();
            let mut replies = self.subscribe(&inbox, None).await?;
            self.publish(Message {
                reply_to: Some(inbox.clone()),
                ..message
            })
            .await?;
            collect_replies(&mut replies, timeout, max_replies).await
        })
    }
}

/// How many replies a request waits for, given its options.
pub(crate) fn reply_limit(timeout: Option<Duration>, max_replies: Option<usize>) -> usize {
    match (max_replies.filter(|n| *n > 0), timeout) {
        (Some(n), _) => n,
        (None, None) => 1,
        (None, Some(_)) => usize::MAX,
    }
}

/// Reads replies from `replies` following the rules of [`Broker::request`].
pub(crate) async fn collect_replies(
    replies: &mut Subscription,
    timeout: Option<Duration>,
    max_replies: Option<usize>,
) -> Result<Vec<Message>, BrokerError> {
    let limit = reply_limit(timeout, max_replies);
    let deadline = timeout.map(|t| tokio::time::Instant::now() + t);
    let mut got = Vec::new();
    while got.len() < limit {
        let next = match deadline {
            Some(deadline) => match tokio::time::timeout_at(deadline, replies.next()).await {
                Ok(next) => next,
                Err(_) => break,
            },
            None => replies.next().await,
        };
        match next {
            Some(message) => got.push(message),
            None if got.is_empty() => return Err(BrokerError::Closed),
            None => break,
        }
    }
    if got.is_empty() {
        Err(BrokerError::Timeout)
    } else {
        Ok(got)
    }
}

/// Checks that `subject` is a valid subject to publish on: non-empty tokens, no
/// whitespace, no wildcards.
pub(crate) fn validate_subject(subject: &str) -> Result<(), BrokerError> {
    let ok = !subject.is_empty()
        && subject.split('.').all(|token| {
            !token.is_empty()
                && token != "*"
                && token != ">"
                && !token.chars().any(char::is_whitespace)
        });
    if ok {
        Ok(())
    } else {
        Err(BrokerError::InvalidSubject(subject.to_string()))
    }
}

/// Checks that `pattern` is a valid subscription pattern: like a subject, but tokens may be
/// `*`, and the last token may be `>`.
pub(crate) fn validate_pattern(pattern: &str) -> Result<(), BrokerError> {
    let tokens: Vec<&str> = pattern.split('.').collect();
    let last = tokens.len().saturating_sub(1);
    let ok = !pattern.is_empty()
        && tokens.iter().enumerate().all(|(i, token)| {
            !token.is_empty()
                && !token.chars().any(char::is_whitespace)
                && (*token != ">" || i == last)
        });
    if ok {
        Ok(())
    } else {
        Err(BrokerError::InvalidSubject(pattern.to_string()))
    }
}

/// Whether `subject` matches the subscription `pattern` (`*` = one token, `>` = one or more
/// trailing tokens).
pub fn subject_matches(pattern: &str, subject: &str) -> bool {
    let mut pattern_tokens = pattern.split('.');
    let mut subject_tokens = subject.split('.');
    loop {
        match (pattern_tokens.next(), subject_tokens.next()) {
            (Some(">"), Some(_)) => return true,
            (Some("*"), Some(_)) => {}
            (Some(p), Some(s)) if p == s => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_like_nats() {
        assert!(subject_matches("a.b", "a.b"));
        assert!(!subject_matches("a.b", "a.b.c"));
        assert!(subject_matches("a.*", "a.b"));
        assert!(!subject_matches("a.*", "a.b.c"));
        assert!(!subject_matches("a.*", "a"));
        assert!(subject_matches("a.>", "a.b"));
        assert!(subject_matches("a.>", "a.b.c"));
        assert!(!subject_matches("a.>", "a"));
        assert!(subject_matches(">", "x.y"));
        assert!(subject_matches("*.b.>", "a.b.c.d"));
        assert!(!subject_matches("*.b.>", "a.c.d"));
    }

    #[test]
    fn subjects_and_patterns_are_validated() {
        assert!(validate_subject("a.b").is_ok());
        assert!(validate_subject("a.*").is_err());
        assert!(validate_subject("a..b").is_err());
        assert!(validate_subject("a b").is_err());
        assert!(validate_subject("").is_err());
        assert!(validate_pattern("a.*.>").is_ok());
        assert!(validate_pattern("a.>.b").is_err());
        assert!(validate_pattern("a.").is_err());
    }

    #[test]
    fn reply_limits_follow_the_wasi_rules() {
        let t = Some(Duration::from_millis(5));
        assert_eq!(reply_limit(None, None), 1);
        assert_eq!(reply_limit(t, None), usize::MAX);
        assert_eq!(reply_limit(t, Some(3)), 3);
        assert_eq!(reply_limit(None, Some(3)), 3);
        assert_eq!(reply_limit(None, Some(0)), 1);
    }
}
