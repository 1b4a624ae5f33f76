//! wasmcloud-async-on-wasi-async **sender** half.
//!
//! Serves a `wasmcloud:messaging@0.3.0` guest's imports (`types`, `consumer`) on a host
//! that offers only the asynchronous `wasi:messaging@0.2.0-draft` (Omnia's variant). Bodies
//! cross as whole messages: each stream the guest passes is read whole (bounded by
//! `msgbridge_mapping::MAX_STREAMED_BODY`) into a wasi `message`, and a reply's data is
//! written into a new stream. It also exports the private
//! `msgbridge:bridge/wasmcloud-async-inbound`, through which the receiver half lends it each
//! message being handled: a guest's publish to the reply subject it was handed becomes a
//! wasi `reply` on that message.
//!
//! The client name it connects with is kept in `CLIENT_NAME_SLOT`, which
//! `msgbridge-compose` rewrites at compose time; this adds no import the host may lack.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use msgbridge_mapping as mapping;
use msgbridge_worlds::client_name;

wit_bindgen::generate!({
    path: [
        "../../wit/async/wasmcloud-messaging-0.3.0",
        "../../wit/async/omnia-wasi-messaging",
        "../../wit/async-bridge",
    ],
    world: "msgbridge:bridge/wasmcloud-async-on-wasi-async-sender",
    generate_all,
});

use exports::msgbridge::bridge::wasmcloud_async_inbound;
use exports::wasmcloud::messaging::consumer;
use exports::wasmcloud::messaging::types::{BrokerMessage, Error};
use wasi::messaging::producer;
use wasi::messaging::request_reply::{self, RequestOptions};
use wasi::messaging::types::{Client, Error as HostError, Message};

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

thread_local! {
    /// The client, connected on first use (handlers may run concurrently: they share it).
    static CLIENT: RefCell<Option<Rc<Client>>> = const { RefCell::new(None) };
    /// The messages being handled, lent by the receiver, by the reply subject each was given.
    static INCOMING: RefCell<HashMap<String, Rc<Message>>> = RefCell::new(HashMap::new());
    static SEQUENCE: Cell<u64> = const { Cell::new(0) };
}

/// The host's `error` as the guest's, by `mapping::WasmcloudAsyncError::from_wasi`.
fn to_wasmcloud_error(error: HostError) -> Error {
    let plain = match error {
        HostError::Timeout => mapping::WasiError::Timeout,
        HostError::Connection(s) => mapping::WasiError::Connection(s),
        HostError::PermissionDenied(s) => mapping::WasiError::PermissionDenied(s),
        HostError::Other(s) => mapping::WasiError::Other(s),
    };
    match mapping::WasmcloudAsyncError::from_wasi(&plain) {
        mapping::WasmcloudAsyncError::SubjectInvalid => Error::SubjectInvalid,
        mapping::WasmcloudAsyncError::AccessDenied => Error::AccessDenied,
        mapping::WasmcloudAsyncError::Timeout => Error::Timeout,
        mapping::WasmcloudAsyncError::BrokerUnavailable => Error::BrokerUnavailable,
        mapping::WasmcloudAsyncError::MessageTooLarge => Error::MessageTooLarge,
        mapping::WasmcloudAsyncError::QuotaExceeded => Error::QuotaExceeded,
        mapping::WasmcloudAsyncError::Other(s) => Error::Other(s),
    }
}

/// The client, connecting it on first use.
async fn client() -> Result<Rc<Client>, Error> {
    if let Some(client) = CLIENT.with(|cell| cell.borrow().clone()) {
        return Ok(client);
    }
    let client = Rc::new(
        Client::connect(client_name())
            .await
            .map_err(to_wasmcloud_error)?,
    );
    // Two handlers may have connected at once: the first one kept is everyone's.
    Ok(CLIENT.with(|cell| cell.borrow_mut().get_or_insert(client).clone()))
}

/// Reads a body stream the guest passed.
async fn body(stream: wit_bindgen::StreamReader<u8>) -> Result<Vec<u8>, Error> {
    msgbridge_async_body::read(stream, mapping::MAX_STREAMED_BODY)
        .await
        .map_err(|_| Error::MessageTooLarge)
}

impl consumer::Guest for Sender {
    async fn request(
        subject: String,
        body_stream: wit_bindgen::StreamReader<u8>,
        timeout_ms: Option<u32>,
    ) -> Result<BrokerMessage, Error> {
        let data = body(body_stream).await?;
        let client = client().await?;
        let options = RequestOptions::new();
        if let Some(ms) = timeout_ms {
            options.set_timeout_ms(ms);
        }
        options.set_expected_replies(1);
        let replies = request_reply::request(&client, subject, &Message::new(&data), Some(options))
            .await
            .map_err(to_wasmcloud_error)?;
        let Some(reply) = replies.into_iter().next() else {
            return Err(Error::Timeout);
        };
        let (writer, reader) = wit_stream::new::<u8>();
        let reply_body = reply.data();
        wit_bindgen::spawn_local(msgbridge_async_body::write(writer, reply_body));
        Ok(BrokerMessage {
            subject: reply.topic().unwrap_or_default(),
            body: reader,
            reply_to: None,
        })
    }

    async fn publish(msg: BrokerMessage) -> Result<(), Error> {
        let BrokerMessage {
            subject,
            body: body_stream,
            reply_to,
        } = msg;
        let data = body(body_stream).await?;
        if mapping::is_reply_subject(&subject) {
            let Some(incoming) = INCOMING.with(|cell| cell.borrow().get(&subject).cloned()) else {
                return Err(Error::Other(mapping::REPLY_SUBJECT_EXPIRED.to_string()));
            };
            return request_reply::reply(&incoming, Message::new(&data))
                .await
                .map_err(to_wasmcloud_error);
        }
        if reply_to.is_some() {
            return Err(Error::Other(mapping::REPLY_TO_UNSUPPORTED.to_string()));
        }
        let client = client().await?;
        producer::send(&client, subject, Message::new(&data))
            .await
            .map_err(to_wasmcloud_error)
    }
}

impl wasmcloud_async_inbound::Guest for Sender {
    fn begin(message: Message) -> String {
        let sequence = SEQUENCE.with(|s| {
            let next = s.get() + 1;
            s.set(next);
            next
        });
        let reply_subject = mapping::reply_subject(sequence);
        INCOMING.with(|cell| {
            cell.borrow_mut()
                .insert(reply_subject.clone(), Rc::new(message))
        });
        reply_subject
    }

    fn finish(reply_subject: String) {
        INCOMING.with(|cell| cell.borrow_mut().remove(&reply_subject));
    }
}
