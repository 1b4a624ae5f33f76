//! wasi-async-on-wasmcloud-async **sender** half.
//!
//! Serves an asynchronous `wasi:messaging@0.2.0-draft` guest's imports (`types`, `producer`,
//! `request-reply`, as Omnia's variant has them) on a host that offers only
//! `wasmcloud:messaging@0.3.0`'s `consumer` (wasmCloud v2.8). It owns the `message`,
//! `client` and `request-options` resources, and exports the private
//! `msgbridge:bridge/wasi-async-inbound` through which the receiver half makes the messages
//! it hands the guest, so that `reply` knows each one's reply subject.
//!
//! Bodies cross as whole messages: each send writes the message's data into a new
//! `stream<u8>`, and a reply's stream is read whole (bounded by
//! `msgbridge_mapping::MAX_STREAMED_BODY`). What cannot cross into wasmCloud's world
//! (content-type, metadata, more than one reply) is listed in `docs/mapping.md`.

use std::cell::{Cell, RefCell};

use msgbridge_mapping as mapping;

wit_bindgen::generate!({
    path: [
        "../../wit/async/wasmcloud-messaging-0.3.0",
        "../../wit/async/omnia-wasi-messaging",
        "../../wit/async-bridge",
    ],
    world: "msgbridge:bridge/wasi-async-on-wasmcloud-async-sender",
    generate_all,
});

use exports::msgbridge::bridge::wasi_async_inbound;
use exports::wasi::messaging::producer;
use exports::wasi::messaging::request_reply::{self, RequestOptions};
use exports::wasi::messaging::types::{
    self, Client, ClientBorrow, Error, Message, MessageBorrow, Metadata, Topic,
};
use wasmcloud::messaging::consumer;
use wasmcloud::messaging::types::{BrokerMessage, Error as HostError};

/// The component.
struct Sender;

export!(Sender);

/// A `client`: wasmCloud has no notion of named connections, so it only tracks whether the
/// guest has disconnected it.
struct ClientRep {
    connected: Cell<bool>,
}

impl ClientRep {
    fn check(&self) -> Result<(), Error> {
        if self.connected.get() {
            Ok(())
        } else {
            Err(Error::Connection(mapping::CLIENT_DISCONNECTED.into()))
        }
    }
}

/// A `message`. `reply_to` is set only for messages the receiver made from a delivery.
struct MessageRep {
    topic: Option<String>,
    reply_to: Option<String>,
    data: RefCell<Vec<u8>>,
    content_type: RefCell<Option<String>>,
    metadata: RefCell<Option<Metadata>>,
}

impl MessageRep {
    fn new(data: Vec<u8>, topic: Option<String>, reply_to: Option<String>) -> Self {
        MessageRep {
            topic,
            reply_to,
            data: RefCell::new(data),
            content_type: RefCell::new(None),
            metadata: RefCell::new(None),
        }
    }
}

/// A `request-options`. Only the timeout crosses: wasmCloud's `request` returns exactly one
/// reply, which satisfies any `expected-replies` of one or more (see docs/mapping.md).
#[derive(Default)]
struct OptionsRep {
    timeout_ms: Cell<Option<u32>>,
}

/// The host's `error` as the guest's, by `mapping::WasmcloudAsyncError::to_wasi`.
fn to_wasi_error(error: HostError) -> Error {
    let plain = match error {
        HostError::SubjectInvalid => mapping::WasmcloudAsyncError::SubjectInvalid,
        HostError::AccessDenied => mapping::WasmcloudAsyncError::AccessDenied,
        HostError::Timeout => mapping::WasmcloudAsyncError::Timeout,
        HostError::BrokerUnavailable => mapping::WasmcloudAsyncError::BrokerUnavailable,
        HostError::MessageTooLarge => mapping::WasmcloudAsyncError::MessageTooLarge,
        HostError::QuotaExceeded => mapping::WasmcloudAsyncError::QuotaExceeded,
        HostError::Other(s) => mapping::WasmcloudAsyncError::Other(s),
    };
    match plain.to_wasi() {
        mapping::WasiError::Timeout => Error::Timeout,
        mapping::WasiError::Connection(s) => Error::Connection(s),
        mapping::WasiError::PermissionDenied(s) => Error::PermissionDenied(s),
        mapping::WasiError::Other(s) => Error::Other(s),
    }
}

/// Publishes `body` on `subject` (no reply subject), writing the body stream beside the call.
async fn publish(subject: String, body: Vec<u8>) -> Result<(), Error> {
    let (writer, reader) = wit_stream::new::<u8>();
    let call = consumer::publish(BrokerMessage {
        subject,
        body: reader,
        reply_to: None,
    });
    let (result, ()) = futures::future::join(call, msgbridge_async_body::write(writer, body)).await;
    result.map_err(to_wasi_error)
}

impl types::Guest for Sender {
    type Client = ClientRep;
    type Message = MessageRep;
}

impl types::GuestClient for ClientRep {
    async fn connect(_name: String) -> Result<Client, Error> {
        Ok(Client::new(ClientRep {
            connected: Cell::new(true),
        }))
    }

    fn disconnect(&self) -> Result<(), Error> {
        self.connected.set(false);
        Ok(())
    }
}

impl types::GuestMessage for MessageRep {
    fn new(data: Vec<u8>) -> Self {
        MessageRep::new(data, None, None)
    }

    fn topic(&self) -> Option<Topic> {
        self.topic.clone()
    }

    fn content_type(&self) -> Option<String> {
        self.content_type.borrow().clone()
    }

    fn set_content_type(&self, content_type: String) {
        *self.content_type.borrow_mut() = Some(content_type);
    }

    fn data(&self) -> Vec<u8> {
        self.data.borrow().clone()
    }

    fn set_data(&self, data: Vec<u8>) {
        *self.data.borrow_mut() = data;
    }

    fn metadata(&self) -> Option<Metadata> {
        self.metadata.borrow().clone()
    }

    fn add_metadata(&self, key: String, value: String) {
        let mut meta = self.metadata.borrow_mut();
        let entries = meta.get_or_insert_with(Vec::new);
        match entries.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => entries.push((key, value)),
        }
    }

    fn set_metadata(&self, meta: Metadata) {
        *self.metadata.borrow_mut() = Some(meta);
    }

    fn remove_metadata(&self, key: String) {
        if let Some(entries) = self.metadata.borrow_mut().as_mut() {
            entries.retain(|(k, _)| *k != key);
        }
    }
}

impl producer::Guest for Sender {
    async fn send(c: ClientBorrow<'_>, topic: Topic, message: Message) -> Result<(), Error> {
        c.get::<ClientRep>().check()?;
        let message = message.into_inner::<MessageRep>();
        publish(topic, message.data.into_inner()).await
    }
}

impl request_reply::Guest for Sender {
    type RequestOptions = OptionsRep;

    async fn request(
        c: ClientBorrow<'_>,
        topic: Topic,
        message: MessageBorrow<'_>,
        options: Option<RequestOptions>,
    ) -> Result<Vec<Message>, Error> {
        c.get::<ClientRep>().check()?;
        // `none` is the host's default timeout, as for a wasmcloud guest; wasmCloud's
        // `request` returns exactly one reply, which satisfies any `expected-replies` of one
        // or more (docs/mapping.md).
        let timeout_ms = options
            .as_ref()
            .and_then(|o| o.get::<OptionsRep>().timeout_ms.get());
        let body = message.get::<MessageRep>().data.borrow().clone();
        let (writer, reader) = wit_stream::new::<u8>();
        let call = consumer::request(topic, reader, timeout_ms);
        let (reply, ()) =
            futures::future::join(call, msgbridge_async_body::write(writer, body)).await;
        let reply = reply.map_err(to_wasi_error)?;
        let data = msgbridge_async_body::read(reply.body, mapping::MAX_STREAMED_BODY)
            .await
            .map_err(|e| Error::Other(e.to_string()))?;
        Ok(vec![Message::new(MessageRep::new(
            data,
            Some(reply.subject),
            reply.reply_to,
        ))])
    }

    async fn reply(reply_to: MessageBorrow<'_>, message: Message) -> Result<(), Error> {
        let Some(subject) = reply_to.get::<MessageRep>().reply_to.clone() else {
            // The message offers no way to answer: `reply` is a no-op, as the spec says.
            return Ok(());
        };
        let message = message.into_inner::<MessageRep>();
        publish(subject, message.data.into_inner()).await
    }
}

impl request_reply::GuestRequestOptions for OptionsRep {
    fn new() -> Self {
        OptionsRep::default()
    }

    fn set_timeout_ms(&self, timeout_ms: u32) {
        self.timeout_ms.set(Some(timeout_ms));
    }

    fn set_expected_replies(&self, _expected_replies: u32) {
        // Nothing to keep: see `OptionsRep`.
    }
}

impl wasi_async_inbound::Guest for Sender {
    fn incoming(subject: String, body: Vec<u8>, reply_to: Option<String>) -> Message {
        Message::new(MessageRep::new(body, Some(subject), reply_to))
    }
}
