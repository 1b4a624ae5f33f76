//! wasi-on-wasmcloud **sender** half.
//!
//! Serves a `wasi:messaging@0.2.0-draft` guest's imports (`types`, `producer`,
//! `request-reply`) on a host that offers only `wasmcloud:messaging@0.2.0`'s `consumer`.
//! It owns the `message`, `client` and `request-options` resources, and exports the private
//! `msgbridge:bridge/wasi-inbound` interface through which the receiver half makes the
//! messages it hands the guest, so that `reply` knows each one's reply subject.
//!
//! What cannot cross into wasmCloud's world (content-type, metadata, more than one reply)
//! is listed in `docs/mapping.md`.

use std::cell::{Cell, RefCell};

use msgbridge_mapping as mapping;

wit_bindgen::generate!({
    path: "../../wit",
    world: "msgbridge:bridge/wasi-on-wasmcloud-sender",
    generate_all,
});

use exports::msgbridge::bridge::wasi_inbound;
use exports::wasi::messaging::producer;
use exports::wasi::messaging::request_reply::{self, RequestOptions};
use exports::wasi::messaging::types::{
    self, Client, ClientBorrow, Error, Message, MessageBorrow, Metadata, Topic,
};
use wasmcloud::messaging::consumer;
use wasmcloud::messaging::types::BrokerMessage;

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

fn to_wasi_error(text: String) -> Error {
    match mapping::classify_wasmcloud_error(&text) {
        mapping::WasiError::Timeout => Error::Timeout,
        mapping::WasiError::Connection(s) => Error::Connection(s),
        mapping::WasiError::PermissionDenied(s) => Error::PermissionDenied(s),
        mapping::WasiError::Other(s) => Error::Other(s),
    }
}

fn publish(subject: String, body: Vec<u8>) -> Result<(), Error> {
    consumer::publish(&BrokerMessage {
        subject,
        body,
        reply_to: None,
    })
    .map_err(to_wasi_error)
}

impl types::Guest for Sender {
    type Client = ClientRep;
    type Message = MessageRep;
}

impl types::GuestClient for ClientRep {
    fn connect(_name: String) -> Result<Client, Error> {
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
    fn send(c: ClientBorrow<'_>, topic: Topic, message: Message) -> Result<(), Error> {
        c.get::<ClientRep>().check()?;
        let message = message.into_inner::<MessageRep>();
        publish(topic, message.data.into_inner())
    }
}

impl request_reply::Guest for Sender {
    type RequestOptions = OptionsRep;

    fn request(
        c: ClientBorrow<'_>,
        topic: Topic,
        message: MessageBorrow<'_>,
        options: Option<RequestOptions>,
    ) -> Result<Vec<Message>, Error> {
        c.get::<ClientRep>().check()?;
        let timeout_ms = options
            .as_ref()
            .and_then(|o| o.get::<OptionsRep>().timeout_ms.get());
        // wasmCloud's `request` returns exactly one reply, which satisfies any
        // `expected-replies` of one or more; see docs/mapping.md.
        let body = message.get::<MessageRep>().data.borrow().clone();
        let reply = consumer::request(&topic, &body, mapping::wasmcloud_timeout(timeout_ms))
            .map_err(to_wasi_error)?;
        Ok(vec![Message::new(MessageRep::new(
            reply.body,
            Some(reply.subject),
            reply.reply_to,
        ))])
    }

    fn reply(reply_to: MessageBorrow<'_>, message: Message) -> Result<(), Error> {
        let Some(subject) = reply_to.get::<MessageRep>().reply_to.clone() else {
            // The message offers no way to answer: `reply` is a no-op, as the spec says.
            return Ok(());
        };
        let message = message.into_inner::<MessageRep>();
        publish(subject, message.data.into_inner())
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

impl wasi_inbound::Guest for Sender {
    fn incoming(subject: String, body: Vec<u8>, reply_to: Option<String>) -> Message {
        Message::new(MessageRep::new(body, Some(subject), reply_to))
    }
}
