//! # leet-worker
//!
//! A `wasmcloud:messaging@0.2.0` worker (the "leet" task worker of the wasmCloud docs' seed
//! scenario): it exports `handler`, imports `consumer` and `wasi:config/store@0.2.0-rc.1`.
//!
//! For every message that has a `reply-to`, it publishes the leet speak of the body to that
//! subject: the lowercase ASCII letters `e l o a t s` become `3 1 0 4 7 5`; every other byte
//! (uppercase letters, non-ASCII UTF-8, even non-UTF-8 bytes) is kept, so `Hello World`
//! answers `H3110 W0r1d`. A message without `reply-to` is accepted and ignored.
//!
//! Configuration (`wasi:config/store`, read on every message):
//! - `leet.mode = upper`: the leet result is then ASCII upper-cased (`H3110 W0R1D`).
//!   Any other value, or no value, gives the default output above.
//!
//! A failing config lookup or publish makes the handler return an error (the host only logs
//! it; the requester times out).
//!
//! Run it on wasmCloud with a `subscriptions` config such as `tasks.leet`.

wit_bindgen::generate!({
    path: "../../wit",
    inline: "
        package msgbridge:examples;

        world leet-worker {
            import wasmcloud:messaging/consumer@0.2.0;
            import wasi:config/store@0.2.0-rc.1;
            export wasmcloud:messaging/handler@0.2.0;
        }
    ",
    world: "msgbridge:examples/leet-worker",
    generate_all,
});

use exports::wasmcloud::messaging::handler::Guest;
use wasi::config::store;
use wasmcloud::messaging::consumer;
use wasmcloud::messaging::types::BrokerMessage;

/// The config key selecting the output mode.
const MODE_KEY: &str = "leet.mode";

/// The exported `handler`.
struct LeetWorker;

impl Guest for LeetWorker {
    fn handle_message(msg: BrokerMessage) -> Result<(), String> {
        let Some(reply_to) = msg.reply_to else {
            return Ok(());
        };
        let mode = store::get(MODE_KEY).map_err(|e| {
            let (kind, text) = match e {
                store::Error::Upstream(text) => ("upstream", text),
                store::Error::Io(text) => ("io", text),
            };
            format!("reading config {MODE_KEY}: {kind}: {text}")
        })?;
        let upper = mode.as_deref() == Some("upper");
        consumer::publish(&BrokerMessage {
            subject: reply_to,
            body: leet(&msg.body, upper),
            reply_to: None,
        })
    }
}

/// The leet speak of `body`; ASCII upper-cased afterwards when `upper` is set.
fn leet(body: &[u8], upper: bool) -> Vec<u8> {
    body.iter()
        .map(|&b| {
            let b = match b {
                b'e' => b'3',
                b'l' => b'1',
                b'o' => b'0',
                b'a' => b'4',
                b't' => b'7',
                b's' => b'5',
                other => other,
            };
            if upper {
                b.to_ascii_uppercase()
            } else {
                b
            }
        })
        .collect()
}

export!(LeetWorker);

#[cfg(test)]
mod tests {
    use super::leet;

    #[test]
    fn speaks_leet() {
        assert_eq!(leet(b"Hello World", false), b"H3110 W0r1d");
        assert_eq!(leet(b"Hello World", true), b"H3110 W0R1D");
        assert_eq!(leet(b"TEST tasks \xff", false), b"TEST 745k5 \xff");
        assert_eq!(leet("caf\u{e9}".as_bytes(), false), "c4f\u{e9}".as_bytes());
    }
}
