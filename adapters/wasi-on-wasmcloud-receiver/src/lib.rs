//! wasi-on-wasmcloud **receiver** half.
//!
//! Exports `wasmcloud:messaging/handler` to a wasmCloud host and hands every delivery to a
//! `wasi:messaging@0.2.0-draft` guest's `incoming-handler`, as a `message` made by the
//! sender half (through the private `msgbridge:bridge/wasi-inbound`), so that the guest's
//! `reply` on it publishes to the delivery's reply subject.

use msgbridge_mapping as mapping;

wit_bindgen::generate!({
    path: "../../wit",
    world: "msgbridge:bridge/wasi-on-wasmcloud-receiver",
    generate_all,
});

use exports::wasmcloud::messaging::handler;
use msgbridge::bridge::wasi_inbound;
use wasi::messaging::incoming_handler;
use wasi::messaging::types::Error;
use wasmcloud::messaging::types::BrokerMessage;

/// The component.
struct Receiver;

export!(Receiver);

fn describe(error: Error) -> String {
    let plain = match error {
        Error::Timeout => mapping::WasiError::Timeout,
        Error::Connection(s) => mapping::WasiError::Connection(s),
        Error::PermissionDenied(s) => mapping::WasiError::PermissionDenied(s),
        Error::Other(s) => mapping::WasiError::Other(s),
    };
    plain.to_string()
}

impl handler::Guest for Receiver {
    fn handle_message(msg: BrokerMessage) -> Result<(), String> {
        let message = wasi_inbound::incoming(&msg.subject, &msg.body, msg.reply_to.as_deref());
        incoming_handler::handle(message).map_err(describe)
    }
}
