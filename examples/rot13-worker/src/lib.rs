//! # rot13-worker
//!
//! A worker of Omnia's async `wasi:messaging@0.2.0-draft` (world `messaging-request-reply`,
//! its `handle` and `reply` `async func`s): it answers every message with the ROT13 of its
//! payload (`Hello World` answers `Uryyb Jbeyq`), by `request-reply.reply`.
//!
//! On a wasmCloud v2.8 host (`wasmcloud:messaging@0.3.0`), compose it with msgbridge's
//! wasi-async-on-wasmcloud-async adapter (`msgbridge compose rot13_worker.wasm --target
//! wasmcloud-async`).

wit_bindgen::generate!({
    path: "../../wit/async/omnia-wasi-messaging",
    world: "wasi:messaging/messaging-request-reply@0.2.0-draft",
});

use exports::wasi::messaging::incoming_handler::Guest;
use wasi::messaging::request_reply;
use wasi::messaging::types::{Error, Message};

/// The exported `incoming-handler`.
struct Rot13Worker;

impl Guest for Rot13Worker {
    async fn handle(message: Message) -> Result<(), Error> {
        let answer = Message::new(&rot13(&message.data()));
        request_reply::reply(&message, answer).await
    }
}

/// `data` with each ASCII letter moved 13 places along the alphabet.
fn rot13(data: &[u8]) -> Vec<u8> {
    data.iter()
        .map(|&b| match b {
            b'a'..=b'z' => b'a' + (b - b'a' + 13) % 26,
            b'A'..=b'Z' => b'A' + (b - b'A' + 13) % 26,
            other => other,
        })
        .collect()
}

export!(Rot13Worker);

#[cfg(test)]
mod tests {
    use super::rot13;

    #[test]
    fn rotates_letters_only() {
        assert_eq!(rot13(b"Hello World"), b"Uryyb Jbeyq");
        assert_eq!(rot13(&rot13(b"a-Z 9")), b"a-Z 9");
    }
}
