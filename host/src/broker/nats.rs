//! The NATS broker.

use std::time::Duration;

use async_nats::header::{HeaderMap, HeaderName, HeaderValue};
use async_nats::{RequestError, RequestErrorKind, StatusCode};
use futures::StreamExt;

use super::{
    collect_replies, validate_pattern, validate_subject, BoxFuture, Broker, BrokerError,
    Subscription,
};
use crate::Message;

/// How long a subscription waits for the server's confirmation round trip.
const SYNC_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest wait between two attempts to reconnect to a NATS server.
pub const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(1);

/// The NATS header that carries a message's content-type.
pub const CONTENT_TYPE_HEADER: &str = "Content-Type";

/// A broker backed by a NATS server, through `async-nats`.
///
/// Content-type travels as the `Content-Type` header and each metadata entry as a header of
/// its own. Reply subjects are `_INBOX.<uuid>`. A request that NATS answers with "no
/// responders" fails with [`BrokerError::NoResponders`].
///
/// Cloning gives another handle on the same connection.
#[derive(Clone, Debug)]
pub struct NatsBroker {
    client: async_nats::Client,
}

impl NatsBroker {
    /// Connects to the NATS server at `url` (e.g. `nats://127.0.0.1:4222`), or to one of a
    /// cluster's servers given as a comma-separated list (`nats://a:4222,nats://b:4222`, as
    /// the `nats` CLI takes them; see [`server_list`]), tried in the order given. When the
    /// server it is connected to goes away, the client moves on to the others (and to the
    /// servers the cluster told it about).
    ///
    /// The connection outlives server restarts: it reconnects without end (at most
    /// [`MAX_RECONNECT_DELAY`] apart) and restores its subscriptions, and what is published
    /// while disconnected is buffered and sent on reconnection. Each subscription buffers at
    /// most [`INBOX_CAPACITY`](crate::INBOX_CAPACITY) messages; past that the server's
    /// messages are dropped, which is logged ("slow consumer") with the subscription.
    pub async fn connect(url: &str) -> Result<Self, BrokerError> {
        let servers = server_list(url)?;
        let logged_url = url.to_string();
        let client = async_nats::ConnectOptions::new()
            .retain_servers_order()
            .max_reconnects(None)
            .reconnect_delay_callback(|attempts| {
                let backoff = Duration::from_millis(50u64 << attempts.min(8));
                backoff.min(MAX_RECONNECT_DELAY)
            })
            .subscription_capacity(crate::INBOX_CAPACITY)
            .event_callback(move |event| {
                let url = logged_url.clone();
                async move {
                    match event {
                        async_nats::Event::Connected => tracing::info!(%url, "connected to NATS"),
                        async_nats::Event::Disconnected => {
                            tracing::warn!(%url, "disconnected from NATS; reconnecting")
                        }
                        async_nats::Event::SlowConsumer(sid) => tracing::error!(
                            %url,
                            subscription = sid,
                            "slow consumer: a subscription's inbox is full, so NATS messages for it are being dropped"
                        ),
                        // The connection's own end, when the client is dropped.
                        async_nats::Event::Closed => tracing::debug!(%url, "NATS connection closed"),
                        other => tracing::warn!(%url, event = %other, "NATS event"),
                    }
                }
            })
            .connect(servers)
            .await
            .map_err(|e| BrokerError::Connection(format!("cannot connect to NATS at {url}: {e}")))?;
        Ok(NatsBroker { client })
    }

    /// The underlying `async-nats` client.
    pub fn client(&self) -> &async_nats::Client {
        &self.client
    }

    async fn publish_message(&self, message: Message) -> Result<(), BrokerError> {
        validate_subject(&message.subject)?;
        let headers = to_headers(&message)?;
        let result = match (message.reply_to, headers) {
            (Some(reply), Some(headers)) => {
                self.client
                    .publish_with_reply_and_headers(message.subject, reply, headers, message.body)
                    .await
            }
            (Some(reply), None) => {
                self.client
                    .publish_with_reply(message.subject, reply, message.body)
                    .await
            }
            (None, Some(headers)) => {
                self.client
                    .publish_with_headers(message.subject, headers, message.body)
                    .await
            }
            (None, None) => self.client.publish(message.subject, message.body).await,
        };
        result.map_err(|e| BrokerError::Connection(e.to_string()))
    }

    async fn subscribe_raw(
        &self,
        pattern: &str,
        queue_group: Option<&str>,
    ) -> Result<async_nats::Subscriber, BrokerError> {
        validate_pattern(pattern)?;
        let subscriber = match queue_group {
            Some(group) => {
                self.client
                    .queue_subscribe(pattern.to_string(), group.to_string())
                    .await
            }
            None => self.client.subscribe(pattern.to_string()).await,
        }
        .map_err(|e| BrokerError::Connection(e.to_string()))?;
        self.sync_with_server().await?;
        Ok(subscriber)
    }

    /// Waits until the server has processed everything this connection sent so far, so a
    /// subscription is in place before a publish from another connection can arrive.
    /// `flush` only writes the buffer; a message sent to ourselves on a fresh inbox comes
    /// back only after the server has handled the earlier `SUB`s, on any server version.
    async fn sync_with_server(&self) -> Result<(), BrokerError> {
        let inbox = self.client.new_inbox();
        let mut echo = self
            .client
            .subscribe(inbox.clone())
            .await
            .map_err(|e| BrokerError::Connection(e.to_string()))?;
        self.client
            .publish(inbox, bytes::Bytes::new())
            .await
            .map_err(|e| BrokerError::Connection(e.to_string()))?;
        match tokio::time::timeout(SYNC_TIMEOUT, echo.next()).await {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(BrokerError::Closed),
            Err(_) => Err(BrokerError::Connection(format!(
                "the NATS server did not confirm a subscription within {SYNC_TIMEOUT:?}"
            ))),
        }
    }
}

/// The servers of `urls`, a comma-separated list of NATS URLs (`nats://a:4222,b:4222`;
/// blanks around commas are ignored, a missing scheme is `nats://`, a missing port 4222).
pub fn server_list(urls: &str) -> Result<Vec<async_nats::ServerAddr>, BrokerError> {
    let servers = urls
        .split(',')
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .map(|url| {
            url.parse::<async_nats::ServerAddr>().map_err(|e| {
                BrokerError::Connection(format!("invalid NATS server URL {url:?}: {e}"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if servers.is_empty() {
        return Err(BrokerError::Connection(format!(
            "no NATS server URL in {urls:?}"
        )));
    }
    Ok(servers)
}

/// Turns a message's content-type and metadata into NATS headers.
fn to_headers(message: &Message) -> Result<Option<HeaderMap>, BrokerError> {
    if message.content_type.is_none() && message.metadata.is_none() {
        return Ok(None);
    }
    let mut headers = HeaderMap::new();
    let entries = message
        .content_type
        .iter()
        .map(|c| (CONTENT_TYPE_HEADER, c.as_str()))
        .chain(
            message
                .metadata
                .iter()
                .flatten()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
    for (key, value) in entries {
        let name = HeaderName::try_from(key)
            .map_err(|_| BrokerError::InvalidHeader(format!("invalid header name {key:?}")))?;
        if value.contains(['\r', '\n']) {
            return Err(BrokerError::InvalidHeader(format!(
                "invalid value for header {key:?}: it contains a line break"
            )));
        }
        headers.append(name, HeaderValue::from(value));
    }
    Ok(Some(headers))
}

/// Turns a NATS message into a [`Message`], reading content-type and metadata from headers.
fn from_nats(message: async_nats::Message) -> Message {
    let mut content_type = None;
    let mut metadata = Vec::new();
    if let Some(headers) = &message.headers {
        for (name, values) in headers.iter() {
            let name: &str = name.as_ref();
            for value in values {
                let value: &str = value.as_ref();
                if name == CONTENT_TYPE_HEADER && content_type.is_none() {
                    content_type = Some(value.to_string());
                } else {
                    metadata.push((name.to_string(), value.to_string()));
                }
            }
        }
    }
    metadata.sort();
    Message {
        subject: message.subject.to_string(),
        body: message.payload,
        reply_to: message.reply.map(|r| r.to_string()),
        content_type,
        metadata: if metadata.is_empty() {
            None
        } else {
            Some(metadata)
        },
    }
}

impl Broker for NatsBroker {
    fn publish(&self, message: Message) -> BoxFuture<'_, Result<(), BrokerError>> {
        Box::pin(self.publish_message(message))
    }

    fn subscribe<'a>(
        &'a self,
        pattern: &'a str,
        queue_group: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Subscription, BrokerError>> {
        Box::pin(async move {
            let subscriber = self.subscribe_raw(pattern, queue_group).await?;
            Ok(Subscription::from_stream(
                subscriber
                    .filter(|m| std::future::ready(m.status.is_none()))
                    .map(from_nats),
            ))
        })
    }

    fn request(
        &self,
        message: Message,
        timeout: Option<Duration>,
        max_replies: Option<usize>,
    ) -> BoxFuture<'_, Result<Vec<Message>, BrokerError>> {
        Box::pin(async move {
            let inbox = self.new_inbox();
            // No round trip to confirm this subscription: the server handles this
            // connection's `SUB` before its `PUB` of the request, so any reply finds it.
            // (A round trip would also wait for a server that is down, past the timeout.)
            let raw = self
                .client
                .subscribe(inbox.clone())
                .await
                .map_err(|e| BrokerError::Connection(e.to_string()))?;
            let mut no_responders = false;
            // The server answers a request nobody listens to with a status message; notice
            // it, then end the stream.
            let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let seen = flag.clone();
            let stream = raw
                .take_while(move |m| {
                    let status = m.status;
                    if status == Some(StatusCode::NO_RESPONDERS) {
                        seen.store(true, std::sync::atomic::Ordering::SeqCst);
                    }
                    std::future::ready(status.is_none())
                })
                .map(from_nats);
            let mut replies = Subscription::from_stream(stream);
            self.publish_message(Message {
                reply_to: Some(inbox),
                ..message
            })
            .await?;
            let result = collect_replies(&mut replies, timeout, max_replies).await;
            if flag.load(std::sync::atomic::Ordering::SeqCst) {
                no_responders = true;
            }
            match result {
                Err(BrokerError::Closed) if no_responders => Err(BrokerError::NoResponders(
                    // The text async-nats' own `request` gives, which wasmCloud reports.
                    RequestError::with_source(RequestErrorKind::NoResponders, "no responders")
                        .to_string(),
                )),
                other => other,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_list_is_split_at_commas() {
        let servers = server_list("nats://127.0.0.1:4222, nats://127.0.0.1:4223,127.0.0.1")
            .expect("three servers");
        let ports: Vec<u16> = servers.iter().map(|s| s.port()).collect();
        assert_eq!(ports, [4222, 4223, 4222]);
        let err = server_list("nats://a:4222,nats://b:x").expect_err("a bad port");
        assert!(err.to_string().contains("\"nats://b:x\""), "{err}");
        assert!(server_list(" , ").is_err());
    }
}
