//! wasmcloud-on-wasi **sender** half.
//!
//! Serves a `wasmcloud:messaging@0.2.0` guest's imports (`types`, `consumer`) on a host
//! that offers only `wasi:messaging@0.2.0-draft`. It also exports the private
//! `msgbridge:bridge/wasmcloud-inbound`, through which the receiver half lends it the
//! message being handled: a guest's publish to the reply subject it was handed becomes a
//! wasi `reply` on that message.
//!
//! The client name it connects with is kept in `CLIENT_NAME_SLOT`, which
//! `msgbridge-compose` rewrites at compose time; this adds no import the host may lack.

use std::cell::{Cell, RefCell};

use msgbridge_mapping as mapping;
use msgbridge_worlds::client_name;

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

/// Where the `client.connect` name lives, laid out as `msgbridge_worlds::client_name`
/// says: `msgbridge-compose` finds the marker in the built component and rewrites the name;
/// the default is `default`.
#[used]
static CLIENT_NAME_SLOT: [u8; client_name::SLOT_LEN] =
    client_name::slot(client_name::DEFAULT.as_bytes());

/// Reads the client name from [`CLIENT_NAME_SLOT`]. Volatile reads keep the compiler from
/// folding the default name into the code, so that rewriting the data takes effect.
fn client_name() -> String {
    let base = CLIENT_NAME_SLOT.as_ptr();
    let mut name = [0u8; client_name::MAX_LEN];
    // SAFETY: `read` asks only for offsets inside the slot.
    let read = |i: usize| unsafe { core::ptr::read_volatile(base.add(i)) };
    match client_name::read(read, &mut name) {
        Some(len) => String::from_utf8_lossy(&name[..len]).into_owned(),
        None => client_name::DEFAULT.to_string(),
    }
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
