//! # reverse-worker
//!
//! A `wasi:messaging@0.2.0-draft` worker (world `messaging-request-reply`): it exports
//! `incoming-handler` and answers every message with `request-reply.reply`.
//!
//! The answer is the payload reversed: by characters when the payload is UTF-8
//! (`Hello World` answers `dlroW olleH`, `añb` answers `bña`), by bytes otherwise. The
//! incoming content-type, if any, is copied onto the answer. Answering a message that offers
//! no way to reply is a no-op (the spec's `reply` semantics).
//!
//! No released wasmCloud host serves `wasi:messaging`; compose this component with
//! msgbridge's wasi-on-wasmcloud adapter to run it there, e.g. subscribed to `tasks.reverse`
//! so the `http-api` example's `{"worker":"reverse",...}` reaches it.

wit_bindgen::generate!({
    path: "../../wit",
    world: "wasi:messaging/messaging-request-reply@0.2.0-draft",
});

use exports::wasi::messaging::incoming_handler::Guest;
use wasi::messaging::request_reply;
use wasi::messaging::types::{Error, Message};

/// The exported `incoming-handler`.
struct ReverseWorker;

impl Guest for ReverseWorker {
    fn handle(message: Message) -> Result<(), Error> {
        let answer = Message::new(&reverse(message.data()));
        if let Some(content_type) = message.content_type() {
            answer.set_content_type(&content_type);
        }
        request_reply::reply(&message, answer)
    }
}

/// `data` reversed by characters when it is UTF-8, by bytes otherwise.
fn reverse(data: Vec<u8>) -> Vec<u8> {
    match String::from_utf8(data) {
        Ok(text) => text.chars().rev().collect::<String>().into_bytes(),
        Err(e) => {
            let mut bytes = e.into_bytes();
            bytes.reverse();
            bytes
        }
    }
}

export!(ReverseWorker);

#[cfg(test)]
mod tests {
    use super::reverse;

    #[test]
    fn reverses() {
        assert_eq!(reverse(b"Hello World".to_vec()), b"dlroW olleH");
        assert_eq!(
            reverse("a\u{f1}b".as_bytes().to_vec()),
            "b\u{f1}a".as_bytes()
        );
        assert_eq!(reverse(b"a\xffb".to_vec()), b"b\xffa");
        assert_eq!(reverse(Vec::new()), b"");
    }
}
