//! `wasi:messaging@0.2.0-draft`: the host side of `types`, `producer` and `request-reply`,
//! with real `client`, `message` and `request-options` resources.

use std::time::Duration;

use bytes::Bytes;
use wasmtime::component::Resource;

use crate::bindings::wasi::wasi::messaging::{producer, request_reply, types};
use crate::state::HostState;
use crate::{BrokerError, Message};

use msgbridge_mapping::WasiError;
use types::{Error, Metadata};

/// The host's side of a `client` resource.
#[derive(Debug)]
pub struct Client {
    /// The name given to `connect`.
    name: String,
    /// Cleared by `disconnect`.
    connected: bool,
}

/// The host's side of a `message` resource.
#[derive(Debug, Clone, Default)]
pub struct WasiMessage {
    /// The subject a received message arrived on; `None` for one made by the guest.
    topic: Option<String>,
    data: Bytes,
    content_type: Option<String>,
    metadata: Vec<(String, String)>,
    /// Where `reply` sends answers; `None` when the message offers no way to answer.
    reply_to: Option<String>,
}

impl WasiMessage {
    /// The resource contents for a message delivered by the broker.
    pub(crate) fn received(message: Message) -> Self {
        WasiMessage {
            topic: Some(message.subject),
            data: message.body,
            content_type: message.content_type,
            metadata: message.metadata.unwrap_or_default(),
            reply_to: message.reply_to,
        }
    }

    /// The broker message that sends this message's contents to `subject`.
    fn to_message(&self, subject: String, reply_to: Option<String>) -> Message {
        Message {
            subject,
            body: self.data.clone(),
            reply_to,
            content_type: self.content_type.clone(),
            metadata: if self.metadata.is_empty() {
                None
            } else {
                Some(self.metadata.clone())
            },
        }
    }
}

/// The host's side of a `request-options` resource.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestOptions {
    timeout_ms: Option<u32>,
    expected_replies: Option<u32>,
}

/// A wasi `error` in words, as msgbridge's adapters word it (`mapping::WasiError`'s text):
/// what the host logs when a wasi handler fails.
pub(crate) fn describe_error(error: Error) -> String {
    WasiError::from(error).to_string()
}

/// The error a broker failure is to a wasi guest, as plain Rust (each world's bindings
/// convert it into their `error` variant).
pub(crate) fn plain_error(e: BrokerError) -> WasiError {
    match e {
        BrokerError::Timeout => WasiError::Timeout,
        BrokerError::Connection(text) | BrokerError::NoResponders(text) => {
            WasiError::Connection(text)
        }
        BrokerError::Closed => WasiError::Connection(e.to_string()),
        BrokerError::QueueFull | BrokerError::InvalidSubject(_) | BrokerError::InvalidHeader(_) => {
            WasiError::Other(e.to_string())
        }
    }
}

/// Both conversions between `$error`, a wasi world's generated `error` variant (the
/// synchronous world's and the async one's are distinct Rust types of the same shape), and
/// [`WasiError`].
macro_rules! wasi_error_conversions {
    ($error:ty) => {
        impl From<msgbridge_mapping::WasiError> for $error {
            fn from(e: msgbridge_mapping::WasiError) -> Self {
                use msgbridge_mapping::WasiError as W;
                match e {
                    W::Timeout => Self::Timeout,
                    W::Connection(s) => Self::Connection(s),
                    W::PermissionDenied(s) => Self::PermissionDenied(s),
                    W::Other(s) => Self::Other(s),
                }
            }
        }

        impl From<$error> for msgbridge_mapping::WasiError {
            fn from(e: $error) -> Self {
                type E = $error;
                match e {
                    E::Timeout => Self::Timeout,
                    E::Connection(s) => Self::Connection(s),
                    E::PermissionDenied(s) => Self::PermissionDenied(s),
                    E::Other(s) => Self::Other(s),
                }
            }
        }
    };
}

pub(crate) use wasi_error_conversions;

wasi_error_conversions!(Error);

/// A request's broker message, timeout and expected reply count, once the host took it
/// from the guest's resources.
pub(crate) struct Outgoing {
    pub(crate) message: Message,
    pub(crate) timeout: Option<Duration>,
    pub(crate) expected: Option<usize>,
}

impl HostState {
    /// Fails with `connection("client is disconnected")` for a disconnected client.
    fn check_connected(
        &self,
        client: &Resource<Client>,
    ) -> wasmtime::Result<Result<(), WasiError>> {
        let client = self.table.get(client)?;
        Ok(if client.connected {
            Ok(())
        } else {
            Err(WasiError::Connection(
                msgbridge_mapping::CLIENT_DISCONNECTED.to_string(),
            ))
        })
    }

    /// A new `client` resource named `name`.
    pub(crate) fn connect_client(&mut self, name: String) -> wasmtime::Result<Resource<Client>> {
        tracing::trace!(component = %self.component, name, "client connected");
        Ok(self.table.push(Client {
            name,
            connected: true,
        })?)
    }

    /// What `producer.send` publishes: `message` taken from the table, to `topic`, through
    /// a connected `client`.
    pub(crate) fn take_send(
        &mut self,
        client: &Resource<Client>,
        topic: String,
        message: Resource<WasiMessage>,
    ) -> wasmtime::Result<Result<Message, WasiError>> {
        let message = self.table.delete(message)?;
        if let Err(e) = self.check_connected(client)? {
            return Ok(Err(e));
        }
        Ok(Ok(message.to_message(topic, None)))
    }

    /// What `request-reply.request` sends, with its options taken from the table.
    pub(crate) fn take_request(
        &mut self,
        client: &Resource<Client>,
        topic: String,
        message: &Resource<WasiMessage>,
        options: Option<Resource<RequestOptions>>,
    ) -> wasmtime::Result<Result<Outgoing, WasiError>> {
        let options = match options {
            Some(options) => self.table.delete(options)?,
            None => RequestOptions::default(),
        };
        if let Err(e) = self.check_connected(client)? {
            return Ok(Err(e));
        }
        Ok(Ok(Outgoing {
            message: self.table.get(message)?.to_message(topic, None),
            timeout: options
                .timeout_ms
                .map(|ms| Duration::from_millis(u64::from(ms))),
            expected: options
                .expected_replies
                .and_then(|n| usize::try_from(n).ok()),
        }))
    }

    /// Resources for the replies a request got.
    pub(crate) fn push_replies(
        &mut self,
        replies: Vec<Message>,
    ) -> wasmtime::Result<Vec<Resource<WasiMessage>>> {
        let mut handles = Vec::with_capacity(replies.len());
        for reply in replies {
            handles.push(self.table.push(WasiMessage::received(reply))?);
        }
        Ok(handles)
    }

    /// What `request-reply.reply` publishes: `message` taken from the table, to the
    /// reply subject of `reply_to`; `None` when that message offers no way to answer (a
    /// no-op, as the spec says).
    pub(crate) fn take_reply(
        &mut self,
        reply_to: &Resource<WasiMessage>,
        message: Resource<WasiMessage>,
    ) -> wasmtime::Result<Option<Message>> {
        let message = self.table.delete(message)?;
        Ok(self
            .table
            .get(reply_to)?
            .reply_to
            .clone()
            .map(|subject| message.to_message(subject, None)))
    }
}

impl types::Host for HostState {}

impl types::HostClient for HostState {
    fn connect(&mut self, name: String) -> wasmtime::Result<Result<Resource<Client>, Error>> {
        Ok(Ok(self.connect_client(name)?))
    }

    fn disconnect(&mut self, client: Resource<Client>) -> wasmtime::Result<Result<(), Error>> {
        let client = self.table.get_mut(&client)?;
        client.connected = false;
        tracing::trace!(component = %self.component, name = client.name, "client disconnected");
        Ok(Ok(()))
    }

    fn drop(&mut self, client: Resource<Client>) -> wasmtime::Result<()> {
        self.table.delete(client)?;
        Ok(())
    }
}

impl types::HostMessage for HostState {
    fn new(&mut self, data: Vec<u8>) -> wasmtime::Result<Resource<WasiMessage>> {
        Ok(self.table.push(WasiMessage {
            data: data.into(),
            ..WasiMessage::default()
        })?)
    }

    fn topic(&mut self, message: Resource<WasiMessage>) -> wasmtime::Result<Option<String>> {
        Ok(self.table.get(&message)?.topic.clone())
    }

    fn content_type(&mut self, message: Resource<WasiMessage>) -> wasmtime::Result<Option<String>> {
        Ok(self.table.get(&message)?.content_type.clone())
    }

    fn set_content_type(
        &mut self,
        message: Resource<WasiMessage>,
        content_type: String,
    ) -> wasmtime::Result<()> {
        self.table.get_mut(&message)?.content_type = Some(content_type);
        Ok(())
    }

    fn data(&mut self, message: Resource<WasiMessage>) -> wasmtime::Result<Vec<u8>> {
        Ok(self.table.get(&message)?.data.to_vec())
    }

    fn set_data(&mut self, message: Resource<WasiMessage>, data: Vec<u8>) -> wasmtime::Result<()> {
        self.table.get_mut(&message)?.data = data.into();
        Ok(())
    }

    fn metadata(&mut self, message: Resource<WasiMessage>) -> wasmtime::Result<Option<Metadata>> {
        let metadata = &self.table.get(&message)?.metadata;
        Ok(if metadata.is_empty() {
            None
        } else {
            Some(metadata.clone())
        })
    }

    fn add_metadata(
        &mut self,
        message: Resource<WasiMessage>,
        key: String,
        value: String,
    ) -> wasmtime::Result<()> {
        let metadata = &mut self.table.get_mut(&message)?.metadata;
        match metadata.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => metadata.push((key, value)),
        }
        Ok(())
    }

    fn set_metadata(
        &mut self,
        message: Resource<WasiMessage>,
        meta: Metadata,
    ) -> wasmtime::Result<()> {
        self.table.get_mut(&message)?.metadata = meta;
        Ok(())
    }

    fn remove_metadata(
        &mut self,
        message: Resource<WasiMessage>,
        key: String,
    ) -> wasmtime::Result<()> {
        self.table
            .get_mut(&message)?
            .metadata
            .retain(|(k, _)| *k != key);
        Ok(())
    }

    fn drop(&mut self, message: Resource<WasiMessage>) -> wasmtime::Result<()> {
        self.table.delete(message)?;
        Ok(())
    }
}

impl producer::Host for HostState {
    async fn send(
        &mut self,
        client: Resource<Client>,
        topic: String,
        message: Resource<WasiMessage>,
    ) -> wasmtime::Result<Result<(), Error>> {
        let outgoing = match self.take_send(&client, topic, message)? {
            Ok(outgoing) => outgoing,
            Err(e) => return Ok(Err(e.into())),
        };
        Ok(self
            .broker
            .publish(outgoing)
            .await
            .map_err(|e| plain_error(e).into()))
    }
}

impl request_reply::HostRequestOptions for HostState {
    fn new(&mut self) -> wasmtime::Result<Resource<RequestOptions>> {
        Ok(self.table.push(RequestOptions::default())?)
    }

    fn set_timeout_ms(
        &mut self,
        options: Resource<RequestOptions>,
        timeout_ms: u32,
    ) -> wasmtime::Result<()> {
        self.table.get_mut(&options)?.timeout_ms = Some(timeout_ms);
        Ok(())
    }

    fn set_expected_replies(
        &mut self,
        options: Resource<RequestOptions>,
        expected_replies: u32,
    ) -> wasmtime::Result<()> {
        self.table.get_mut(&options)?.expected_replies = Some(expected_replies);
        Ok(())
    }

    fn drop(&mut self, options: Resource<RequestOptions>) -> wasmtime::Result<()> {
        self.table.delete(options)?;
        Ok(())
    }
}

impl request_reply::Host for HostState {
    async fn request(
        &mut self,
        client: Resource<Client>,
        topic: String,
        message: Resource<WasiMessage>,
        options: Option<Resource<RequestOptions>>,
    ) -> wasmtime::Result<Result<Vec<Resource<WasiMessage>>, Error>> {
        let outgoing = match self.take_request(&client, topic, &message, options)? {
            Ok(outgoing) => outgoing,
            Err(e) => return Ok(Err(e.into())),
        };
        let replies = match self
            .broker
            .request(outgoing.message, outgoing.timeout, outgoing.expected)
            .await
        {
            Ok(replies) => replies,
            Err(e) => return Ok(Err(plain_error(e).into())),
        };
        Ok(Ok(self.push_replies(replies)?))
    }

    async fn reply(
        &mut self,
        reply_to: Resource<WasiMessage>,
        message: Resource<WasiMessage>,
    ) -> wasmtime::Result<Result<(), Error>> {
        let Some(outgoing) = self.take_reply(&reply_to, message)? else {
            return Ok(Ok(()));
        };
        Ok(self
            .broker
            .publish(outgoing)
            .await
            .map_err(|e| plain_error(e).into()))
    }
}
