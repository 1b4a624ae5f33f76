//! # shout-worker
//!
//! A `wasmcloud:messaging@0.3.0` worker, the async world wasmCloud v2.8 serves: it exports
//! `handler` (an `async func` whose message body is a `stream<u8>`) and answers every message
//! that has a `reply-to` by publishing the payload in capitals there (`Hello World` answers
//! `HELLO WORLD`; bytes that are not ASCII letters stay as they are).
//!
//! On a host that serves only the async wasi world, compose it with msgbridge's
//! wasmcloud-async-on-wasi-async adapter (`msgbridge compose shout_worker.wasm --target
//! wasi-async`).

wit_bindgen::generate!({
    path: "../../wit/async/wasmcloud-messaging-0.3.0",
    inline: "
        package msgbridge:examples;

        world shout-worker {
            import wasmcloud:messaging/consumer@0.3.0;
            export wasmcloud:messaging/handler@0.3.0;
        }
    ",
    world: "msgbridge:examples/shout-worker",
    generate_all,
});

use exports::wasmcloud::messaging::handler::Guest;
use wasmcloud::messaging::consumer;
use wasmcloud::messaging::types::{BrokerMessage, HandleMessageError};

/// The exported `handler`.
struct ShoutWorker;

impl Guest for ShoutWorker {
    async fn handle_message(msg: BrokerMessage) -> Result<(), HandleMessageError> {
        let Some(reply_to) = msg.reply_to else {
            // Nobody to answer: the message is handled.
            return Ok(());
        };
        let answer = msg.body.collect().await.to_ascii_uppercase();
        let (mut writer, reader) = wit_stream::new::<u8>();
        let publish = consumer::publish(BrokerMessage {
            subject: reply_to,
            body: reader,
            reply_to: None,
        });
        // The answer is written while the host reads it; dropping the writer ends it.
        let write = async move {
            let _unsent = writer.write_all(answer).await;
        };
        let (published, ()) = futures::future::join(publish, write).await;
        published.map_err(|e| HandleMessageError::Other(format!("publishing the answer: {e:?}")))
    }
}

export!(ShoutWorker);
