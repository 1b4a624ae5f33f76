//! wasmcloud-on-wasi **sender** half.
//!
//! Serves a `wasmcloud:messaging@0.2.0` guest's imports (`types`, `consumer`) on a host
//! that offers only `wasi:messaging@0.2.0-draft`. It also exports the private
//! `msgbridge:bridge/wasmcloud-inbound`, through which the receiver half lends it the
//! message being handled: a guest's publish to the reply subject it was handed becomes a
//! wasi `reply` on that message.
//!
//! The client name it connects with is kept in [`CLIENT_NAME_SLOT`], which
//! `msgbridge-compose` rewrites at compose time; this adds no import the host may lack.

use std::cell::{Cell, RefCell};

use msgbridge_mapping as mapping;

wit_bindgen::generate!({
    path: "../../wit",
    world: "msgbridge:bridge/wasmcloud-on-wasi-sender",
    generate_all,
});

use exports::msgbridge::bridge::wasmcloud_inbound;
use exports::wasmcloud::messaging::consumer;
use exports::wasmcloud::messaging::types::BrokerMessage;
use wasi::messaging::producer;
use wasi::messaging::request_reply::{self, RequestOptions};
use wasi::messaging::types::{Client, Error, Message};

/// The component.
struct Sender;

export!(Sender);

/// Where the `client.connect` name lives: a 32-byte marker, one length byte, then up to 95
/// bytes of UTF-8 name. `msgbridge-compose` finds the marker in the built component and
/// rewrites the length and name; the default is `default`.
#[used]
static CLIENT_NAME_SLOT: [u8; 128] = client_name_slot(b"default");

/// Marker that begins [`CLIENT_NAME_SLOT`]; `msgbridge-compose` has the same constant.
const CLIENT_NAME_MARKER: &[u8; 32] = b"msgbridge:client-name-slot:v1:\0\0";

const fn client_name_slot(name: &[u8]) -> [u8; 128] {
    let mut slot = [0u8; 128];
    let mut i = 0;
    while i < 32 {
        slot[i] = CLIENT_NAME_MARKER[i];
        i += 1;
    }
    slot[32] = name.len() as u8;
    let mut j = 0;
    while j < name.len() {
        slot[33 + j] = name[j];
        j += 1;
    }
    slot
}

/// Reads the client name from [`CLIENT_NAME_SLOT`]. Volatile reads keep the compiler from
/// folding the default name into the code, so that rewriting the data takes effect.
fn client_name() -> String {
    let base = CLIENT_NAME_SLOT.as_ptr();
    // SAFETY: every offset read is inside the 128-byte static.
    let read = |i: usize| unsafe { core::ptr::read_volatile(base.add(i)) };
    let len = usize::from(read(32)).min(95);
    let bytes: Vec<u8> = (0..len).map(|i| read(33 + i)).collect();
    String::from_utf8(bytes).unwrap_or_else(|_| "default".to_string())
}

/// The message being handled, lent by the receiver, and the reply subject it was given.
struct Incoming {
    reply_subject: String,
    message: Message,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
    static INCOMING: RefCell<Option<Incoming>> = const { RefCell::new(None) };
    static SEQUENCE: Cell<u64> = const { Cell::new(0) };
}

fn plain(error: Error) -> mapping::WasiError {
    match error {
        Error::Timeout => mapping::WasiError::Timeout,
        Error::Connection(s) => mapping::WasiError::Connection(s),
        Error::PermissionDenied(s) => mapping::WasiError::PermissionDenied(s),
        Error::Other(s) => mapping::WasiError::Other(s),
    }
}

/// Runs `f` with the client, connecting it on first use.
fn with_client<T>(f: impl FnOnce(&Client) -> Result<T, Error>) -> Result<T, Error> {
    CLIENT.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(Client::connect(&client_name())?);
        }
        match slot.as_ref() {
            Some(client) => f(client),
            None => Err(Error::Connection("no client".into())),
        }
    })
}

impl consumer::Guest for Sender {
    fn request(subject: String, body: Vec<u8>, timeout_ms: u32) -> Result<BrokerMessage, String> {
        let outcome = with_client(|client| {
            let options = RequestOptions::new();
            options.set_timeout_ms(timeout_ms);
            options.set_expected_replies(1);
            request_reply::request(client, &subject, &Message::new(&body), Some(options))
        });
        let replies =
            outcome.map_err(|e| mapping::wasmcloud_request_error(&plain(e), timeout_ms))?;
        let Some(reply) = replies.into_iter().next() else {
            return Err(mapping::timeout_message(timeout_ms));
        };
        Ok(BrokerMessage {
            subject: reply.topic().unwrap_or_default(),
            body: reply.data(),
            reply_to: None,
        })
    }

    fn publish(msg: BrokerMessage) -> Result<(), String> {
        if mapping::is_reply_subject(&msg.subject) {
            return INCOMING.with(|cell| match cell.borrow().as_ref() {
                Some(incoming) if incoming.reply_subject == msg.subject => {
                    request_reply::reply(&incoming.message, Message::new(&msg.body))
                        .map_err(|e| mapping::wasmcloud_publish_error(&plain(e)))
                }
                _ => Err(mapping::REPLY_SUBJECT_EXPIRED.to_string()),
            });
        }
        if msg.reply_to.is_some() {
            return Err(mapping::REPLY_TO_UNSUPPORTED.to_string());
        }
        with_client(|client| producer::send(client, &msg.subject, Message::new(&msg.body)))
            .map_err(|e| mapping::wasmcloud_publish_error(&plain(e)))
    }
}

impl wasmcloud_inbound::Guest for Sender {
    fn begin(message: Message) -> String {
        let sequence = SEQUENCE.with(|s| {
            let next = s.get() + 1;
            s.set(next);
            next
        });
        let reply_subject = mapping::reply_subject(sequence);
        INCOMING.with(|cell| {
            *cell.borrow_mut() = Some(Incoming {
                reply_subject: reply_subject.clone(),
                message,
            })
        });
        reply_subject
    }

    fn finish() {
        INCOMING.with(|cell| cell.borrow_mut().take());
    }
}
