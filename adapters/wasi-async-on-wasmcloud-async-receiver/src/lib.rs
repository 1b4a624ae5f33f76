//! wasi-async-on-wasmcloud-async **receiver** half.
//!
//! Exports `wasmcloud:messaging/handler@0.3.0` to a wasmCloud v2.8 host and hands every
//! delivery to an asynchronous `wasi:messaging@0.2.0-draft` guest's `incoming-handler`: the
//! delivery's body stream is read whole (bounded by `msgbridge_mapping::MAX_STREAMED_BODY`)
//! into a `message` made by the sender half (through the private
//! `msgbridge:bridge/wasi-async-inbound`), so that the guest's `reply` on it publishes to the
//! delivery's reply subject.

use msgbridge_mapping as mapping;

wit_bindgen::generate!({
    path: [
        "../../wit/async/wasmcloud-messaging-0.3.0",
        "../../wit/async/omnia-wasi-messaging",
        "../../wit/async-bridge",
    ],
    world: "msgbridge:bridge/wasi-async-on-wasmcloud-async-receiver",
    generate_all,
});

use exports::wasmcloud::messaging::handler;
use msgbridge::bridge::wasi_async_inbound;
use wasi::messaging::incoming_handler;
use wasi::messaging::types::Error;
use wasmcloud::messaging::types::{BrokerMessage, HandleMessageError};

/// The component.
struct Receiver;

export!(Receiver);

/// A wasi handler's error as `handle-message-error::other`, in the words of
/// `mapping::WasiError` (wasi has no disposition to carry across).
fn describe(error: Error) -> HandleMessageError {
    let plain = match error {
        Error::Timeout => mapping::WasiError::Timeout,
        Error::Connection(s) => mapping::WasiError::Connection(s),
        Error::PermissionDenied(s) => mapping::WasiError::PermissionDenied(s),
        Error::Other(s) => mapping::WasiError::Other(s),
    };
    HandleMessageError::Other(plain.to_string())
}

impl handler::Guest for Receiver {
    async fn handle_message(msg: BrokerMessage) -> Result<(), HandleMessageError> {
        let BrokerMessage {
            subject,
            body,
            reply_to,
        } = msg;
        let body = msgbridge_async_body::read(body, mapping::MAX_STREAMED_BODY)
            .await
            .map_err(|e| HandleMessageError::Other(e.to_string()))?;
        let message = wasi_async_inbound::incoming(&subject, &body, reply_to.as_deref());
        incoming_handler::handle(message).await.map_err(describe)
    }
}
