//! wasmcloud-async-on-wasi-async **receiver** half.
//!
//! Exports the asynchronous `wasi:messaging/incoming-handler` (Omnia's variant) to a host
//! of that world and hands every message to a `wasmcloud:messaging@0.3.0` guest's `handler`
//! as a `broker-message` whose body is a stream written from the message's data. The message
//! itself is lent to the sender half (through the private
//! `msgbridge:bridge/wasmcloud-async-inbound`) for the duration of the call; the guest sees
//! a reply subject that the sender turns back into wasi `reply` calls.

use msgbridge_mapping as mapping;

wit_bindgen::generate!({
    path: [
        "../../wit/async/wasmcloud-messaging-0.3.0",
        "../../wit/async/omnia-wasi-messaging",
        "../../wit/async-bridge",
    ],
    world: "msgbridge:bridge/wasmcloud-async-on-wasi-async-receiver",
    generate_all,
});

use exports::wasi::messaging::incoming_handler;
use msgbridge::bridge::wasmcloud_async_inbound;
use wasi::messaging::types::{Error, Message};
use wasmcloud::messaging::handler;
use wasmcloud::messaging::types::{BrokerMessage, HandleMessageError};

/// The component.
struct Receiver;

export!(Receiver);

/// A handler's disposition as the wasi `error::other` it becomes (wasi has no disposition:
/// `reject` and `retry` arrive as their names, see docs/mapping.md).
fn describe(error: HandleMessageError) -> Error {
    let plain = match error {
        HandleMessageError::Reject => mapping::HandleMessageError::Reject,
        HandleMessageError::Retry => mapping::HandleMessageError::Retry,
        HandleMessageError::Other(s) => mapping::HandleMessageError::Other(s),
    };
    Error::Other(plain.to_string())
}

impl incoming_handler::Guest for Receiver {
    async fn handle(message: Message) -> Result<(), Error> {
        let subject = message.topic().unwrap_or_default();
        let body = message.data();
        let reply_to = wasmcloud_async_inbound::begin(message);
        let (writer, reader) = wit_stream::new::<u8>();
        let call = handler::handle_message(BrokerMessage {
            subject,
            body: reader,
            reply_to: Some(reply_to.clone()),
        });
        let (outcome, ()) =
            futures::future::join(call, msgbridge_async_body::write(writer, body)).await;
        wasmcloud_async_inbound::finish(&reply_to);
        outcome.map_err(describe)
    }
}
