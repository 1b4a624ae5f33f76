//! `wasi-async-probe`: the Omnia-style asynchronous `wasi:messaging@0.2.0-draft` fixture guest
//! of `../PROTOCOL.md` (world `messaging-request-reply`; `client.connect`, `producer.send`,
//! `request-reply.request`/`reply` and `incoming-handler.handle` are `async func`s). It behaves
//! as `wasi-probe` does.
//!
//! Choices PROTOCOL.md leaves open:
//! - The client is connected with `client::connect("default")` exactly once at the start of
//!   every message, whatever the command (even a bad one). A failed connect only matters to
//!   commands that use the client: they report (or, for `answer-status`, return) the connect
//!   error.
//! - A failed *answer* (`reply`) makes the handler return that error, except in
//!   `answer-status`, whose whole point is to publish it.
//! - Only `echo` and `publish` copy the incoming content-type and metadata; `request`,
//!   `reply N` and reports send plain messages.
//! - `disconnect` reports the first failure among connecting the second client, disconnecting
//!   it and sending through it.
//! - Each asynchronous call is awaited before the next one starts.
//! - Parsing and answer formats come from the `probe-command` crate: a bad command returns
//!   `bad command: LINE (REASON)`, `fail TEXT` takes the rest of the line (spaces included),
//!   and `describe` answers four `\n`-separated lines without a trailing `\n`.

wit_bindgen::generate!({
    path: "../../../wit/async/omnia-wasi-messaging",
    world: "wasi:messaging/messaging-request-reply@0.2.0-draft",
});

use exports::wasi::messaging::incoming_handler::Guest;
use probe_command::Command;
use wasi::messaging::producer;
use wasi::messaging::request_reply::{self, RequestOptions};
use wasi::messaging::types::{Client, Error, Message};

/// The exported `incoming-handler`.
struct Probe;

impl Guest for Probe {
    async fn handle(incoming: Message) -> Result<(), Error> {
        // Connected first, so that every message connects exactly once, commands that do
        // not use the client (and bad commands) included.
        let client = Client::connect("default".to_string()).await;
        let data = incoming.data();
        let (command, payload) = probe_command::parse(&data).map_err(Error::Other)?;
        match command {
            Command::Echo => {
                let message = Message::new(payload);
                copy_headers(&incoming, &message);
                answer(&incoming, message).await
            }
            Command::Reply(n) => {
                for i in 1..=n {
                    answer(
                        &incoming,
                        Message::new(&probe_command::numbered(i, payload)),
                    )
                    .await?;
                }
                Ok(())
            }
            Command::Publish(subject) => {
                let result = match client {
                    Ok(client) => {
                        let message = Message::new(payload);
                        copy_headers(&incoming, &message);
                        producer::send(&client, subject.to_string(), message).await
                    }
                    Err(e) => Err(e),
                };
                answer_report(&incoming, result).await
            }
            Command::Request {
                subject,
                timeout_ms,
                expected,
            } => {
                let result = match client {
                    Ok(client) => {
                        let options = (timeout_ms.is_some() || expected.is_some()).then(|| {
                            let options = RequestOptions::new();
                            if let Some(ms) = timeout_ms {
                                options.set_timeout_ms(ms);
                            }
                            if let Some(count) = expected {
                                options.set_expected_replies(count);
                            }
                            options
                        });
                        let message = Message::new(payload);
                        request_reply::request(&client, subject.to_string(), &message, options)
                            .await
                    }
                    Err(e) => Err(e),
                };
                let body = match result {
                    Ok(replies) => {
                        let bodies: Vec<Vec<u8>> = replies.iter().map(Message::data).collect();
                        probe_command::request_report(&bodies)
                    }
                    Err(e) => probe_command::report(Err(error_text(&e))),
                };
                answer(&incoming, Message::new(&body)).await
            }
            Command::AnswerStatus(subject) => {
                let status = request_reply::reply(&incoming, Message::new(payload))
                    .await
                    .map_err(|e| error_text(&e));
                let client = client?;
                producer::send(
                    &client,
                    subject.to_string(),
                    Message::new(&probe_command::report(status)),
                )
                .await
            }
            Command::Describe => {
                let metadata = incoming.metadata();
                let text = probe_command::describe(
                    incoming.topic().as_deref(),
                    incoming.content_type().as_deref(),
                    metadata.as_deref(),
                    payload.len(),
                );
                answer(&incoming, Message::new(text.as_bytes())).await
            }
            Command::Disconnect(subject) => {
                // The probe's own client is not used; it stays connected.
                let result = send_disconnected(subject, payload).await;
                answer_report(&incoming, result).await
            }
            Command::SetData(subject) => {
                let result = match client {
                    Ok(client) => {
                        let message = Message::new(b"stale");
                        message.set_content_type("text/stale");
                        message.set_data(payload);
                        producer::send(&client, subject.to_string(), message).await
                    }
                    Err(e) => Err(e),
                };
                answer_report(&incoming, result).await
            }
            Command::Fail(text) => Err(Error::Other(text.to_string())),
            Command::Trap => panic!("wasi-async-probe: trap command"),
            Command::Spin => probe_command::spin(),
            Command::Grow(mib) => {
                let held = probe_command::grow(mib);
                answer(&incoming, Message::new(format!("ok {held}").as_bytes())).await
            }
        }
    }
}

/// `disconnect`: connects a second client, disconnects it, then sends `payload` on `subject`
/// through it; the first failure is the result.
async fn send_disconnected(subject: &str, payload: &[u8]) -> Result<(), Error> {
    let second = Client::connect("default".to_string()).await?;
    second.disconnect()?;
    producer::send(&second, subject.to_string(), Message::new(payload)).await
}

/// Copies the incoming message's content-type and metadata (when set) onto `message`.
fn copy_headers(incoming: &Message, message: &Message) {
    if let Some(content_type) = incoming.content_type() {
        message.set_content_type(&content_type);
    }
    if let Some(metadata) = incoming.metadata() {
        message.set_metadata(&metadata);
    }
}

/// Answers `incoming` with `message`.
async fn answer(incoming: &Message, message: Message) -> Result<(), Error> {
    request_reply::reply(incoming, message).await
}

/// Answers `incoming` with the report of `result`.
async fn answer_report(incoming: &Message, result: Result<(), Error>) -> Result<(), Error> {
    let body = probe_command::report(result.map_err(|e| error_text(&e)));
    answer(incoming, Message::new(&body)).await
}

/// The protocol's text for a wasi error: `timeout`, `connection: MSG`,
/// `permission-denied: MSG` or `other: MSG`.
fn error_text(error: &Error) -> String {
    match error {
        Error::Timeout => "timeout".to_string(),
        Error::Connection(msg) => format!("connection: {msg}"),
        Error::PermissionDenied(msg) => format!("permission-denied: {msg}"),
        Error::Other(msg) => format!("other: {msg}"),
    }
}

export!(Probe);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_texts() {
        let cases = [
            (Error::Timeout, "timeout"),
            (Error::Connection("down".into()), "connection: down"),
            (
                Error::PermissionDenied("no".into()),
                "permission-denied: no",
            ),
            (Error::Other("x y".into()), "other: x y"),
        ];
        for (error, text) in cases {
            assert_eq!(error_text(&error), text);
        }
    }
}
