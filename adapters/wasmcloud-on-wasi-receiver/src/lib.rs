//! wasmcloud-on-wasi **receiver** half.
//!
//! Exports `wasi:messaging/incoming-handler` to a wasi:messaging host and hands every
//! message to a `wasmcloud:messaging@0.2.0` guest's `handler` as a `broker-message`. The
//! message itself is lent to the sender half (through the private
//! `msgbridge:bridge/wasmcloud-inbound`) for the duration of the call; the guest sees a
//! reply subject that the sender turns back into wasi `reply` calls.

wit_bindgen::generate!({
    path: "../../wit",
    world: "msgbridge:bridge/wasmcloud-on-wasi-receiver",
    generate_all,
});

use exports::wasi::messaging::incoming_handler;
use msgbridge::bridge::wasmcloud_inbound;
use wasi::messaging::types::{Error, Message};
use wasmcloud::messaging::handler;
use wasmcloud::messaging::types::BrokerMessage;

/// The component.
struct Receiver;

export!(Receiver);

impl incoming_handler::Guest for Receiver {
    fn handle(message: Message) -> Result<(), Error> {
        let subject = message.topic().unwrap_or_default();
        let body = message.data();
        let reply_to = wasmcloud_inbound::begin(message);
        let outcome = handler::handle_message(&BrokerMessage {
            subject,
            body,
            reply_to: Some(reply_to),
        });
        wasmcloud_inbound::finish();
        outcome.map_err(Error::Other)
    }
}
