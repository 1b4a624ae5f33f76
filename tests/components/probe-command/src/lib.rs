//! The probe protocol of `../PROTOCOL.md`, without any messaging API: parsing a message body
//! into a [`Command`] and its payload, and formatting the bodies the probes answer with.
//!
//! Both probes (`wasi-probe`, `wasmcloud-probe`) use it, so they cannot disagree about the
//! syntax. Everything here is plain Rust, so it is unit-tested on the host target.

#![warn(missing_docs)]

use std::fmt::Write as _;

/// One command of the protocol, borrowing its arguments from the message body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command<'a> {
    /// `echo`: answer with the payload.
    Echo,
    /// `reply N`: answer N times with `i:` and the payload.
    Reply(u32),
    /// `publish SUBJECT`: publish the payload on SUBJECT, then report.
    Publish(&'a str),
    /// `request SUBJECT TIMEOUT EXPECTED`: request on SUBJECT, then report the replies.
    Request {
        /// Where the request goes.
        subject: &'a str,
        /// TIMEOUT in milliseconds; `None` for `-`.
        timeout_ms: Option<u32>,
        /// EXPECTED reply count; `None` for `-`.
        expected: Option<u32>,
    },
    /// `answer-status SUBJECT`: answer with the payload, then publish that answer's result.
    AnswerStatus(&'a str),
    /// `describe`: answer with a description of the incoming message.
    Describe,
    /// `disconnect SUBJECT`: send through a disconnected client (wasi), then report.
    Disconnect(&'a str),
    /// `set-data SUBJECT`: send a message whose data was replaced (wasi), then report.
    SetData(&'a str),
    /// `fail TEXT`: return the handler error TEXT. TEXT is the rest of the line and may
    /// contain spaces.
    Fail(&'a str),
    /// `trap`: panic.
    Trap,
    /// `spin`: loop forever (until the host stops the instance).
    Spin,
    /// `grow MIB`: allocate and touch MIB mebibytes, then answer `ok`.
    Grow(u32),
}

/// Splits a message body into its command and payload.
///
/// The command is the bytes before the first `\n`; the payload is everything after it
/// (empty when there is no `\n`). On an unknown or malformed command, the error is the
/// complete handler error text: `bad command: LINE (REASON)`.
pub fn parse(body: &[u8]) -> Result<(Command<'_>, &[u8]), String> {
    let (line, payload) = match body.iter().position(|&b| b == b'\n') {
        Some(at) => (&body[..at], &body[at + 1..]),
        None => (body, &body[body.len()..]),
    };
    let line =
        std::str::from_utf8(line).map_err(|_| bad(&String::from_utf8_lossy(line), "not UTF-8"))?;
    Ok((parse_line(line)?, payload))
}

/// Parses the command line alone (no `\n`).
fn parse_line(line: &str) -> Result<Command<'_>, String> {
    // `fail` keeps the rest of the line verbatim, spaces included.
    if let Some(text) = line.strip_prefix("fail ") {
        if text.is_empty() {
            return Err(bad(line, "fail needs a TEXT"));
        }
        return Ok(Command::Fail(text));
    }
    let words: Vec<&str> = line.split(' ').collect();
    if words.iter().any(|w| w.is_empty()) {
        return Err(bad(line, "words must be separated by single spaces"));
    }
    let arity = |n: usize, usage: &str| {
        if words.len() == n + 1 {
            Ok(())
        } else {
            Err(bad(line, &format!("usage: {usage}")))
        }
    };
    let command = match words[0] {
        "echo" => {
            arity(0, "echo")?;
            Command::Echo
        }
        "reply" => {
            arity(1, "reply N")?;
            Command::Reply(number(words[1]).ok_or_else(|| bad(line, "N must be a count"))?)
        }
        "publish" => {
            arity(1, "publish SUBJECT")?;
            Command::Publish(words[1])
        }
        "request" => {
            arity(3, "request SUBJECT TIMEOUT EXPECTED")?;
            Command::Request {
                subject: words[1],
                timeout_ms: optional_number(words[2])
                    .ok_or_else(|| bad(line, "TIMEOUT must be milliseconds or -"))?,
                expected: optional_number(words[3])
                    .ok_or_else(|| bad(line, "EXPECTED must be a count or -"))?,
            }
        }
        "answer-status" => {
            arity(1, "answer-status SUBJECT")?;
            Command::AnswerStatus(words[1])
        }
        "describe" => {
            arity(0, "describe")?;
            Command::Describe
        }
        "disconnect" => {
            arity(1, "disconnect SUBJECT")?;
            Command::Disconnect(words[1])
        }
        "set-data" => {
            arity(1, "set-data SUBJECT")?;
            Command::SetData(words[1])
        }
        "fail" => return Err(bad(line, "fail needs a TEXT")),
        "trap" => {
            arity(0, "trap")?;
            Command::Trap
        }
        "spin" => {
            arity(0, "spin")?;
            Command::Spin
        }
        "grow" => {
            arity(1, "grow MIB")?;
            Command::Grow(number(words[1]).ok_or_else(|| bad(line, "MIB must be a count"))?)
        }
        _ => return Err(bad(line, "unknown command")),
    };
    Ok(command)
}

/// The handler error for a bad command line.
fn bad(line: &str, reason: &str) -> String {
    format!("bad command: {line} ({reason})")
}

/// A decimal `u32` made of ASCII digits only (no sign, no spaces).
fn number(word: &str) -> Option<u32> {
    if word.bytes().all(|b| b.is_ascii_digit()) {
        word.parse().ok()
    } else {
        None
    }
}

/// `-` (unset) or a [`number`]; the outer `None` means malformed.
fn optional_number(word: &str) -> Option<Option<u32>> {
    if word == "-" {
        Some(None)
    } else {
        number(word).map(Some)
    }
}

/// The body of the i-th answer of `reply N`: ASCII `i:` followed by the payload.
pub fn numbered(i: u32, payload: &[u8]) -> Vec<u8> {
    let mut body = format!("{i}:").into_bytes();
    body.extend_from_slice(payload);
    body
}

/// A report's body: `ok` on success, `err TEXT` on failure.
pub fn report(result: Result<(), String>) -> Vec<u8> {
    match result {
        Ok(()) => b"ok".to_vec(),
        Err(text) => format!("err {text}").into_bytes(),
    }
}

/// The report of a successful request: `ok K`, then `\nLEN\n` and the raw bytes of each
/// reply's body, in order.
pub fn request_report<B: AsRef<[u8]>>(replies: &[B]) -> Vec<u8> {
    let mut body = format!("ok {}", replies.len()).into_bytes();
    for reply in replies {
        let reply = reply.as_ref();
        body.extend_from_slice(format!("\n{}\n", reply.len()).as_bytes());
        body.extend_from_slice(reply);
    }
    body
}

/// The answer to `describe`: four `\n`-separated lines (no trailing `\n`):
/// `topic=T`, `content-type=C`, `metadata=K=V,K=V` (entries sorted by key, stably, so equal
/// keys keep their order) and `len=N`. A `None` (or metadata with no entry) prints as `-`.
pub fn describe(
    topic: Option<&str>,
    content_type: Option<&str>,
    metadata: Option<&[(String, String)]>,
    len: usize,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "topic={}", topic.unwrap_or("-"));
    let _ = writeln!(out, "content-type={}", content_type.unwrap_or("-"));
    match metadata {
        Some(entries) if !entries.is_empty() => {
            let mut sorted: Vec<&(String, String)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            let pairs: Vec<String> = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = writeln!(out, "metadata={}", pairs.join(","));
        }
        _ => out.push_str("metadata=-\n"),
    }
    let _ = write!(out, "len={len}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_command_and_payload() {
        assert_eq!(parse(b"echo").unwrap(), (Command::Echo, &b""[..]));
        assert_eq!(parse(b"echo\n").unwrap(), (Command::Echo, &b""[..]));
        assert_eq!(
            parse(b"echo\nab\ncd\xff").unwrap(),
            (Command::Echo, &b"ab\ncd\xff"[..])
        );
    }

    #[test]
    fn parses_every_command() {
        assert_eq!(parse(b"reply 3").unwrap().0, Command::Reply(3));
        assert_eq!(parse(b"publish a.b").unwrap().0, Command::Publish("a.b"));
        assert_eq!(
            parse(b"request s 250 -").unwrap().0,
            Command::Request {
                subject: "s",
                timeout_ms: Some(250),
                expected: None
            }
        );
        assert_eq!(
            parse(b"request s - 2").unwrap().0,
            Command::Request {
                subject: "s",
                timeout_ms: None,
                expected: Some(2)
            }
        );
        assert_eq!(
            parse(b"answer-status x").unwrap().0,
            Command::AnswerStatus("x")
        );
        assert_eq!(parse(b"describe").unwrap().0, Command::Describe);
        assert_eq!(parse(b"disconnect d").unwrap().0, Command::Disconnect("d"));
        assert_eq!(parse(b"set-data d").unwrap().0, Command::SetData("d"));
        assert_eq!(
            parse(b"fail no  way\nx").unwrap().0,
            Command::Fail("no  way")
        );
        assert_eq!(parse(b"trap").unwrap().0, Command::Trap);
        assert_eq!(parse(b"spin").unwrap().0, Command::Spin);
        assert_eq!(parse(b"grow 64").unwrap().0, Command::Grow(64));
        assert!(parse(b"grow").is_err());
        assert!(parse(b"grow x").is_err());
        assert!(parse(b"spin 1").is_err());
        assert_eq!(grow(2), 2 << 20);
    }

    #[test]
    fn rejects_bad_commands() {
        for body in [
            &b""[..],
            b"nope",
            b"echo ",
            b"reply",
            b"reply x",
            b"reply -1",
            b"reply +1",
            b"reply 99999999999",
            b"publish",
            b"publish  a",
            b"publish a b",
            b"request s 1",
            b"request s x -",
            b"request s - x",
            b"fail",
            b"fail ",
            b"trap now",
            b"ech\xffo",
        ] {
            let err = parse(body).unwrap_err();
            assert!(err.starts_with("bad command: "), "{err}");
        }
    }

    #[test]
    fn formats_answers() {
        assert_eq!(numbered(2, b"x"), b"2:x");
        assert_eq!(report(Ok(())), b"ok");
        assert_eq!(report(Err("timeout".into())), b"err timeout");
        assert_eq!(request_report::<&[u8]>(&[]), b"ok 0");
        assert_eq!(
            request_report(&[&b"ab"[..], b"", b"\n"]),
            b"ok 3\n2\nab\n0\n\n1\n\n"
        );
        assert_eq!(
            describe(None, None, None, 0),
            "topic=-\ncontent-type=-\nmetadata=-\nlen=0"
        );
        let meta = [("b".to_string(), "2".to_string()), ("a".into(), "1".into())];
        assert_eq!(
            describe(Some("t"), Some("text/plain"), Some(&meta), 5),
            "topic=t\ncontent-type=text/plain\nmetadata=a=1,b=2\nlen=5"
        );
        assert_eq!(
            describe(Some("t"), None, Some(&[]), 1),
            "topic=t\ncontent-type=-\nmetadata=-\nlen=1"
        );
    }
}

/// Loops forever, as `spin` asks: only the host can stop it.
pub fn spin() -> ! {
    let mut turns: u64 = 0;
    loop {
        turns = std::hint::black_box(turns.wrapping_add(1));
    }
}

/// Allocates `mib` mebibytes and writes every byte, as `grow MIB` asks; returns how many
/// bytes it holds (a host that bounds memory traps the instance first).
pub fn grow(mib: u32) -> usize {
    let held = vec![1u8; (mib as usize) << 20];
    std::hint::black_box(&held).len()
}
