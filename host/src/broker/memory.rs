//! The in-process broker.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use tokio::sync::mpsc;

use super::{
    subject_matches, validate_pattern, validate_subject, BoxFuture, Broker, BrokerError,
    Subscription, INBOX_CAPACITY,
};
use crate::Message;

/// A broker inside the process, like `wash dev`'s in-memory messaging: NATS subject
/// matching (`*`, `>`), queue groups with one delivery per group (round robin), and a
/// bounded inbox of [`INBOX_CAPACITY`] messages per subscriber, past which `publish` fails
/// with `message queue full`. Publishing where nobody listens drops the message.
///
/// Cloning gives another handle on the same broker.
#[derive(Clone, Default)]
pub struct InProcessBroker {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    subscribers: Mutex<Vec<Subscriber>>,
    next_id: AtomicU64,
    round_robin: AtomicUsize,
}

struct Subscriber {
    id: u64,
    pattern: String,
    queue_group: Option<String>,
    sender: mpsc::Sender<Message>,
}

/// Removes a subscriber when its [`Subscription`] is dropped.
struct Unsubscribe {
    inner: Weak<Inner>,
    id: u64,
}

impl Drop for Unsubscribe {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.upgrade() {
            inner.lock().retain(|s| s.id != self.id);
        }
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Vec<Subscriber>> {
        // A panic while holding the lock leaves the list itself consistent.
        self.subscribers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl InProcessBroker {
    /// A new, empty broker.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many subscriptions are currently open.
    pub fn subscription_count(&self) -> usize {
        self.inner.lock().len()
    }

    fn publish_now(&self, message: Message) -> Result<(), BrokerError> {
        validate_subject(&message.subject)?;
        let subscribers = self.inner.lock();
        let mut plain = Vec::new();
        let mut groups: HashMap<(&str, &str), Vec<&Subscriber>> = HashMap::new();
        for s in subscribers.iter() {
            if s.sender.is_closed() || !subject_matches(&s.pattern, &message.subject) {
                continue;
            }
            match &s.queue_group {
                None => plain.push(s),
                Some(group) => groups.entry((&s.pattern, group)).or_default().push(s),
            }
        }
        let turn = self.inner.round_robin.fetch_add(1, Ordering::Relaxed);
        let chosen = groups
            .into_values()
            .map(|members| members[turn % members.len()]);
        let mut result = Ok(());
        for s in plain.into_iter().chain(chosen) {
            match s.sender.try_send(message.clone()) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => result = Err(BrokerError::QueueFull),
                // The subscription was dropped meanwhile; its guard removes it.
                Err(mpsc::error::TrySendError::Closed(_)) => {}
            }
        }
        result
    }
}

impl std::fmt::Debug for InProcessBroker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcessBroker")
            .field("subscriptions", &self.subscription_count())
            .finish()
    }
}

impl Broker for InProcessBroker {
    fn publish(&self, message: Message) -> BoxFuture<'_, Result<(), BrokerError>> {
        let result = self.publish_now(message);
        Box::pin(async move { result })
    }

    fn subscribe<'a>(
        &'a self,
        pattern: &'a str,
        queue_group: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Subscription, BrokerError>> {
        let result = validate_pattern(pattern).map(|()| {
            let (sender, mut receiver) = mpsc::channel(INBOX_CAPACITY);
            let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
            self.inner.lock().push(Subscriber {
                id,
                pattern: pattern.to_string(),
                queue_group: queue_group.map(str::to_string),
                sender,
            });
            let guard = Unsubscribe {
                inner: Arc::downgrade(&self.inner),
                id,
            };
            Subscription::from_stream(futures::stream::poll_fn(move |cx| {
                let _keep = &guard;
                receiver.poll_recv(cx)
            }))
        });
        Box::pin(async move { result })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn queue_groups_get_one_delivery_each() {
        let broker = InProcessBroker::new();
        let mut a = broker.subscribe("x.*", Some("g")).await.unwrap();
        let mut b = broker.subscribe("x.*", Some("g")).await.unwrap();
        let mut plain = broker.subscribe("x.>", None).await.unwrap();
        for i in 0..10u8 {
            broker.publish(Message::new("x.y", vec![i])).await.unwrap();
        }
        let mut group_total = 0;
        for sub in [&mut a, &mut b] {
            while let Ok(Some(_)) =
                tokio::time::timeout(Duration::from_millis(10), sub.next()).await
            {
                group_total += 1;
            }
        }
        assert_eq!(group_total, 10);
        for i in 0..10u8 {
            assert_eq!(plain.next().await.unwrap().body.as_ref(), &[i]);
        }
    }

    #[tokio::test]
    async fn a_full_inbox_fails_with_wasmclouds_text() {
        let broker = InProcessBroker::new();
        let _sub = broker.subscribe("full", None).await.unwrap();
        for _ in 0..INBOX_CAPACITY {
            broker.publish(Message::new("full", "x")).await.unwrap();
        }
        let err = broker.publish(Message::new("full", "x")).await.unwrap_err();
        assert_eq!(err.to_string(), "message queue full");
    }

    #[tokio::test]
    async fn dropping_a_subscription_unsubscribes() {
        let broker = InProcessBroker::new();
        let sub = broker.subscribe("a", None).await.unwrap();
        assert_eq!(broker.subscription_count(), 1);
        drop(sub);
        assert_eq!(broker.subscription_count(), 0);
        broker.publish(Message::new("a", "dropped")).await.unwrap();
    }

    #[tokio::test]
    async fn requests_collect_up_to_the_expected_count() {
        let broker = InProcessBroker::new();
        let mut server = broker.subscribe("svc", None).await.unwrap();
        let responder = broker.clone();
        tokio::spawn(async move {
            while let Some(m) = server.next().await {
                let reply = m.reply_to.clone().unwrap();
                for i in 0..3u8 {
                    responder
                        .publish(Message::new(reply.clone(), vec![i]))
                        .await
                        .unwrap();
                }
            }
        });
        let got = broker
            .request(Message::new("svc", "q"), None, Some(2))
            .await
            .unwrap();
        assert_eq!(got.len(), 2);
        assert!(got[0].subject.starts_with("_INBOX."));
        let got = broker
            .request(
                Message::new("svc", "q"),
                Some(Duration::from_millis(100)),
                None,
            )
            .await
            .unwrap();
        assert_eq!(got.len(), 3);
        let err = broker
            .request(
                Message::new("nobody", "q"),
                Some(Duration::from_millis(20)),
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(err, BrokerError::Timeout);
    }
}
