//! # counter-worker
//!
//! A `wasmcloud:messaging@0.2.0` worker that uses two more interfaces wasmCloud v2 serves:
//! `wasi:keyvalue@0.2.0-draft` and `wasi:logging@0.1.0-draft`. For every message it
//! increments the counter named by the body (UTF-8; an empty body counts `total`) in the
//! bucket `counts`, logs the new value at `info` with the context `counter-worker`, and,
//! when the message has a `reply-to`, publishes the new value there as decimal text.
//!
//! The count outlives the instance: wasmCloud (and msgbridge's reference host) give every
//! message a fresh instance, but the bucket belongs to the host.

wit_bindgen::generate!({
    path: ["../../wit", "../../host/wit-services/deps/keyvalue", "../../host/wit-services/deps/logging"],
    inline: "
        package msgbridge:examples;

        world counter-worker {
            import wasmcloud:messaging/consumer@0.2.0;
            import wasi:keyvalue/store@0.2.0-draft;
            import wasi:keyvalue/atomics@0.2.0-draft;
            import wasi:logging/logging@0.1.0-draft;
            export wasmcloud:messaging/handler@0.2.0;
        }
    ",
    world: "msgbridge:examples/counter-worker",
    generate_all,
});

use exports::wasmcloud::messaging::handler::Guest;
use wasi::keyvalue::{atomics, store};
use wasi::logging::logging::{log, Level};
use wasmcloud::messaging::consumer;
use wasmcloud::messaging::types::BrokerMessage;

/// The bucket holding the counters.
const BUCKET: &str = "counts";

/// The exported `handler`.
struct CounterWorker;

impl Guest for CounterWorker {
    fn handle_message(msg: BrokerMessage) -> Result<(), String> {
        let name = match std::str::from_utf8(&msg.body) {
            Ok("") => "total",
            Ok(name) => name,
            Err(_) => return Err("the counter's name must be UTF-8".to_string()),
        };
        let bucket = store::open(BUCKET).map_err(|e| describe(&e))?;
        let count = atomics::increment(&bucket, name, 1).map_err(|e| describe(&e))?;
        log(Level::Info, "counter-worker", &format!("{name} = {count}"));
        match msg.reply_to {
            Some(reply_to) => consumer::publish(&BrokerMessage {
                subject: reply_to,
                body: count.to_string().into_bytes(),
                reply_to: None,
            }),
            None => Ok(()),
        }
    }
}

/// A keyvalue error in words.
fn describe(error: &store::Error) -> String {
    match error {
        store::Error::NoSuchStore => "no such store".to_string(),
        store::Error::AccessDenied => "access denied".to_string(),
        store::Error::Other(text) => text.clone(),
    }
}

export!(CounterWorker);
