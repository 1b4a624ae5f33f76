//! `wasmcloud-probe`: the `wasmcloud:messaging@0.2.0` fixture guest of `../PROTOCOL.md`
//! (imports `consumer`, exports `handler`).
//!
//! Choices PROTOCOL.md leaves open:
//! - A failed *answer* (`publish` to `reply-to`) makes the handler return that error, except
//!   in `answer-status`, whose whole point is to publish it.
//! - `request` with TIMEOUT `-` waits 5000 ms; EXPECTED must still be a count or `-` but is
//!   otherwise ignored, and a successful request reports exactly one reply (`ok 1`).
//! - `describe` prints the subject as `topic=`, or `-` when the subject is empty.
//! - Parsing and answer formats come from the `probe-command` crate: a bad command returns
//!   `bad command: LINE (REASON)`, `fail TEXT` takes the rest of the line (spaces included),
//!   and `describe` answers four `\n`-separated lines without a trailing `\n`.

wit_bindgen::generate!({
    path: "../../../wit",
    inline: "
        package msgbridge:probes;

        world wasmcloud-probe {
            import wasmcloud:messaging/consumer@0.2.0;
            export wasmcloud:messaging/handler@0.2.0;
        }
    ",
    world: "msgbridge:probes/wasmcloud-probe",
    generate_all,
});

use exports::wasmcloud::messaging::handler::Guest;
use probe_command::Command;
use wasmcloud::messaging::consumer;
use wasmcloud::messaging::types::BrokerMessage;

/// Timeout of a `request` whose TIMEOUT is `-`.
const DEFAULT_TIMEOUT_MS: u32 = 5000;

/// The exported `handler`.
struct Probe;

impl Guest for Probe {
    fn handle_message(msg: BrokerMessage) -> Result<(), String> {
        let (command, payload) = probe_command::parse(&msg.body)?;
        let reply_to = msg.reply_to.as_deref();
        match command {
            Command::Echo => answer(reply_to, payload.to_vec()),
            Command::Reply(n) => {
                for i in 1..=n {
                    answer(reply_to, probe_command::numbered(i, payload))?;
                }
                Ok(())
            }
            // wasmcloud has no client: `disconnect` and `set-data` are plain publishes.
            Command::Publish(subject)
            | Command::Disconnect(subject)
            | Command::SetData(subject) => {
                let result = publish(subject, payload.to_vec());
                answer(reply_to, probe_command::report(result))
            }
            Command::Request {
                subject,
                timeout_ms,
                expected: _,
            } => {
                let timeout_ms = timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
                let body = match consumer::request(subject, payload, timeout_ms) {
                    Ok(reply) => probe_command::request_report(&[reply.body]),
                    Err(e) => probe_command::report(Err(e)),
                };
                answer(reply_to, body)
            }
            Command::AnswerStatus(subject) => {
                let status = answer(reply_to, payload.to_vec());
                publish(subject, probe_command::report(status))
            }
            Command::Describe => {
                let subject = Some(msg.subject.as_str()).filter(|s| !s.is_empty());
                let text = probe_command::describe(subject, None, None, payload.len());
                answer(reply_to, text.into_bytes())
            }
            Command::Fail(text) => Err(text.to_string()),
            Command::Trap => panic!("wasmcloud-probe: trap command"),
            Command::Spin => probe_command::spin(),
            Command::Grow(mib) => {
                let held = probe_command::grow(mib);
                answer(reply_to, format!("ok {held}").into_bytes())
            }
        }
    }
}

/// Publishes `body` on `subject` with no reply subject.
fn publish(subject: &str, body: Vec<u8>) -> Result<(), String> {
    consumer::publish(&BrokerMessage {
        subject: subject.to_string(),
        body,
        reply_to: None,
    })
}

/// Answers the message being handled: publishes `body` to its `reply-to`, or does nothing
/// (successfully) when it has none.
fn answer(reply_to: Option<&str>, body: Vec<u8>) -> Result<(), String> {
    match reply_to {
        Some(subject) => publish(subject, body),
        None => Ok(()),
    }
}

export!(Probe);
