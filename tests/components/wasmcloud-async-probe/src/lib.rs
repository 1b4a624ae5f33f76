//! `wasmcloud-async-probe`: the `wasmcloud:messaging@0.3.0` fixture guest of `../PROTOCOL.md`
//! (imports `consumer`, exports `handler`; `async func`s, `stream<u8>` bodies). It behaves as
//! `wasmcloud-probe` does.
//!
//! Choices PROTOCOL.md leaves open:
//! - The incoming body is read to its end before the command is parsed; a reply's body is read
//!   to its end before it is reported.
//! - A body sent with `publish` or `request` is written while the call is awaited (the two
//!   joined, no spawned task); the writer is dropped once all bytes are written, which ends
//!   the stream.
//! - Error TEXT (reports, handler errors) is the `error` case name in kebab-case
//!   (`subject-invalid`, `access-denied`, `timeout`, `broker-unavailable`,
//!   `message-too-large`, `quota-exceeded`) or `other: MSG`.
//! - The handler errors are all `handle-message-error::other`: a bad command and `fail TEXT`
//!   return `other(TEXT)`; a failed *answer* (`publish` to `reply-to`) returns `other` with
//!   that error's TEXT, except in `answer-status`, whose whole point is to publish it.
//! - `request` with TIMEOUT `-` passes `none` (the host's default); EXPECTED must still be a
//!   count or `-` but is otherwise ignored, and a successful request reports exactly one reply
//!   (`ok 1`).
//! - `describe` prints the subject as `topic=`, or `-` when the subject is empty.
//! - Parsing and answer formats come from the `probe-command` crate: a bad command returns
//!   `bad command: LINE (REASON)`, `fail TEXT` takes the rest of the line (spaces included),
//!   and `describe` answers four `\n`-separated lines without a trailing `\n`.

wit_bindgen::generate!({
    path: "../../../wit/async/wasmcloud-messaging-0.3.0",
    inline: "
        package msgbridge:probes;

        world wasmcloud-async-probe {
            import wasmcloud:messaging/consumer@0.3.0;
            export wasmcloud:messaging/handler@0.3.0;
        }
    ",
    world: "msgbridge:probes/wasmcloud-async-probe",
    generate_all,
});

use exports::wasmcloud::messaging::handler::Guest;
use probe_command::Command;
use wasmcloud::messaging::consumer;
use wasmcloud::messaging::types::{BrokerMessage, Error, HandleMessageError};
use wit_bindgen::StreamReader;

/// The exported `handler`.
struct Probe;

impl Guest for Probe {
    async fn handle_message(msg: BrokerMessage) -> Result<(), HandleMessageError> {
        let body = msg.body.collect().await;
        let (command, payload) = probe_command::parse(&body).map_err(HandleMessageError::Other)?;
        let reply_to = msg.reply_to.as_deref();
        let result = match command {
            Command::Echo => answer(reply_to, payload.to_vec()).await,
            Command::Reply(n) => answer_numbered(reply_to, n, payload).await,
            // wasmcloud has no client: `disconnect` and `set-data` are plain publishes.
            Command::Publish(subject)
            | Command::Disconnect(subject)
            | Command::SetData(subject) => {
                let result = publish(subject, payload.to_vec()).await;
                answer(reply_to, report(result)).await
            }
            Command::Request {
                subject,
                timeout_ms,
                expected: _,
            } => {
                let body = match request(subject, payload.to_vec(), timeout_ms).await {
                    Ok(reply) => probe_command::request_report(&[reply]),
                    Err(e) => report(Err(e)),
                };
                answer(reply_to, body).await
            }
            Command::AnswerStatus(subject) => {
                let status = answer(reply_to, payload.to_vec()).await;
                publish(subject, report(status)).await
            }
            Command::Describe => {
                let subject = Some(msg.subject.as_str()).filter(|s| !s.is_empty());
                let text = probe_command::describe(subject, None, None, payload.len());
                answer(reply_to, text.into_bytes()).await
            }
            Command::Fail(text) => return Err(HandleMessageError::Other(text.to_string())),
            Command::Trap => panic!("wasmcloud-async-probe: trap command"),
            Command::Spin => probe_command::spin(),
            Command::Grow(mib) => {
                let held = probe_command::grow(mib);
                answer(reply_to, format!("ok {held}").into_bytes()).await
            }
        };
        result.map_err(|e| HandleMessageError::Other(error_text(&e)))
    }
}

/// Publishes `body` on `subject` with no reply subject.
async fn publish(subject: &str, body: Vec<u8>) -> Result<(), Error> {
    let (reader, send) = body_stream(body);
    let call = consumer::publish(BrokerMessage {
        subject: subject.to_string(),
        body: reader,
        reply_to: None,
    });
    futures::future::join(call, send).await.0
}

/// Requests on `subject` with `body`, waiting `timeout_ms` (`None`: the host's default), and
/// returns the reply's whole body.
async fn request(subject: &str, body: Vec<u8>, timeout_ms: Option<u32>) -> Result<Vec<u8>, Error> {
    let (reader, send) = body_stream(body);
    let call = consumer::request(subject.to_string(), reader, timeout_ms);
    let reply = futures::future::join(call, send).await.0?;
    Ok(reply.body.collect().await)
}

/// A new body stream: its readable end, for the call, and a future that writes `body` into
/// it and then drops the writable end, which ends the stream. Polled beside the call (after
/// it, so that the readable end is the host's before any byte is written).
fn body_stream(body: Vec<u8>) -> (StreamReader<u8>, impl std::future::Future<Output = ()>) {
    let (mut writer, reader) = wit_stream::new::<u8>();
    let send = async move {
        // An empty body is no write at all, only the end of the stream. Bytes the host did
        // not take (it dropped the stream) are the call's concern: its result says why.
        if !body.is_empty() {
            let _unsent = writer.write_all(body).await;
        }
        drop(writer);
    };
    (reader, send)
}

/// Answers the message being handled: publishes `body` to its `reply-to`, or does nothing
/// (successfully) when it has none.
async fn answer(reply_to: Option<&str>, body: Vec<u8>) -> Result<(), Error> {
    match reply_to {
        Some(subject) => publish(subject, body).await,
        None => Ok(()),
    }
}

/// The N answers of `reply N`, stopping at the first that fails.
async fn answer_numbered(reply_to: Option<&str>, n: u32, payload: &[u8]) -> Result<(), Error> {
    for i in 1..=n {
        answer(reply_to, probe_command::numbered(i, payload)).await?;
    }
    Ok(())
}

/// A report's body for `result`, the error as its [`error_text`].
fn report(result: Result<(), Error>) -> Vec<u8> {
    probe_command::report(result.map_err(|e| error_text(&e)))
}

/// The protocol's text for a wasmcloud 0.3 error: the case name in kebab-case, or
/// `other: MSG`.
fn error_text(error: &Error) -> String {
    match error {
        Error::SubjectInvalid => "subject-invalid".to_string(),
        Error::AccessDenied => "access-denied".to_string(),
        Error::Timeout => "timeout".to_string(),
        Error::BrokerUnavailable => "broker-unavailable".to_string(),
        Error::MessageTooLarge => "message-too-large".to_string(),
        Error::QuotaExceeded => "quota-exceeded".to_string(),
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
            (Error::SubjectInvalid, "subject-invalid"),
            (Error::AccessDenied, "access-denied"),
            (Error::Timeout, "timeout"),
            (Error::BrokerUnavailable, "broker-unavailable"),
            (Error::MessageTooLarge, "message-too-large"),
            (Error::QuotaExceeded, "quota-exceeded"),
            (Error::Other("no route".into()), "other: no route"),
        ];
        for (error, text) in cases {
            assert_eq!(error_text(&error), text);
        }
        assert_eq!(report(Err(Error::Timeout)), b"err timeout");
        assert_eq!(report(Ok(())), b"ok");
    }
}
