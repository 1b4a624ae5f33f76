//! What a run observes, how it is normalized, and the documented losses applied to a
//! native observation before it is compared with an adapted one.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use msgbridge_worlds::Direction;

use probe_command::Command;

use crate::case::{Case, Expectation};

/// One message, as compared: subject (with `_INBOX.…` subjects numbered by first
/// appearance), body, reply subject, content-type and metadata (sorted).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Msg {
    /// The subject.
    pub subject: String,
    /// The body.
    pub body: Vec<u8>,
    /// The reply subject.
    pub reply_to: Option<String>,
    /// The content-type.
    pub content_type: Option<String>,
    /// The metadata, sorted.
    pub metadata: Vec<(String, String)>,
    /// The HTTP status of an HTTP answer.
    pub status: Option<u16>,
}

impl Msg {
    /// A message with `subject` and `body` only.
    pub fn new(subject: &str, body: &[u8]) -> Msg {
        Msg {
            subject: subject.to_string(),
            body: body.to_vec(),
            reply_to: None,
            content_type: None,
            metadata: Vec::new(),
            status: None,
        }
    }

    /// The same message without its subject (answers are compared without it).
    fn without_subject(&self) -> Msg {
        Msg {
            subject: String::new(),
            ..self.clone()
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = if self.body.len() > 80 {
            format!("<{} bytes>", self.body.len())
        } else {
            format!("{:?}", String::from_utf8_lossy(&self.body))
        };
        if let Some(status) = self.status {
            write!(f, "HTTP {status} ")?;
        }
        write!(f, "{} {body}", self.subject)?;
        if let Some(r) = &self.reply_to {
            write!(f, " reply-to={r}")?;
        }
        if let Some(c) = &self.content_type {
            write!(f, " content-type={c}")?;
        }
        if !self.metadata.is_empty() {
            write!(f, " metadata={:?}", self.metadata)?;
        }
        Ok(())
    }
}

/// Sorts metadata entries (stably, by key).
pub fn sorted(mut metadata: Vec<(String, String)>) -> Vec<(String, String)> {
    metadata.sort_by(|a, b| a.0.cmp(&b.0));
    metadata
}

/// A message recorded on the broker, with what the transforms need to know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The message.
    pub msg: Msg,
    /// The step whose answer it is (it went to that step's reply subject).
    pub answer_to: Option<usize>,
    /// The harness published it (a step, or a harness replier's answer).
    pub by_harness: bool,
}

/// Everything one run of a case observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// What the harness received, per step, in arrival order.
    pub answers: Vec<Vec<Msg>>,
    /// Everything the case put on the broker, in arrival order.
    pub traffic: Vec<Recorded>,
    /// How the probes' failed deliveries ended (the handler's error text, or `trap`),
    /// sorted.
    pub failures: Vec<String>,
}

impl Observation {
    /// The parts that are compared: answers (with subjects), traffic messages (sorted) and
    /// failures.
    fn key(&self) -> (Vec<Vec<Msg>>, Vec<Msg>, Vec<String>) {
        let mut traffic: Vec<Msg> = self.traffic.iter().map(|r| r.msg.clone()).collect();
        traffic.sort();
        (self.answers.clone(), traffic, self.failures.clone())
    }

    /// Whether two observations are the same.
    pub fn same_as(&self, other: &Observation) -> bool {
        self.key() == other.key()
    }

    /// The first difference from `expected`, in words.
    pub fn difference(&self, expected: &Observation) -> Option<String> {
        let (answers, traffic, failures) = self.key();
        let (want_answers, want_traffic, want_failures) = expected.key();
        if failures != want_failures {
            return Some(format!(
                "failed deliveries [{}], expected [{}]",
                failures.join("; "),
                want_failures.join("; ")
            ));
        }
        for (i, (got, want)) in answers.iter().zip(&want_answers).enumerate() {
            if got != want {
                return Some(format!(
                    "step {}: answers [{}], expected [{}]",
                    i + 1,
                    list(got),
                    list(want)
                ));
            }
        }
        if answers.len() != want_answers.len() {
            return Some("a different number of steps".into());
        }
        let got: BTreeSet<&Msg> = traffic.iter().collect();
        let want: BTreeSet<&Msg> = want_traffic.iter().collect();
        if let Some(extra) = got.difference(&want).next() {
            return Some(format!("on the broker but not expected: {extra}"));
        }
        if let Some(missing) = want.difference(&got).next() {
            return Some(format!("expected on the broker but missing: {missing}"));
        }
        if traffic != want_traffic {
            return Some(format!(
                "{} messages on the broker, expected {}",
                traffic.len(),
                want_traffic.len()
            ));
        }
        None
    }

    /// Checks the observation against a case file's native expectation: the answers of
    /// each step (subjects aside) and every message on the watched subjects, in order.
    pub fn check(&self, case: &Case, expected: &Expectation) -> Result<(), String> {
        if self.failures != expected.failures {
            return Err(format!(
                "failed deliveries [{}], the case expects [{}]",
                self.failures.join("; "),
                expected.failures.join("; ")
            ));
        }
        for (i, (got, want)) in self.answers.iter().zip(&expected.answers).enumerate() {
            let got: Vec<Msg> = got.iter().map(Msg::without_subject).collect();
            if &got != want {
                return Err(format!(
                    "step {}: answers [{}], the case expects [{}]",
                    i + 1,
                    list(&got),
                    list(want)
                ));
            }
        }
        let published: Vec<Msg> = self
            .traffic_in_order()
            .filter(|m| case.watch.contains(&m.subject))
            .cloned()
            .collect();
        if published != expected.published {
            return Err(format!(
                "published [{}], the case expects [{}]",
                list(&published),
                list(&expected.published)
            ));
        }
        Ok(())
    }

    /// Traffic messages in arrival order.
    pub fn traffic_in_order(&self) -> impl Iterator<Item = &Msg> {
        self.traffic.iter().map(|r| &r.msg)
    }
}

fn list(msgs: &[Msg]) -> String {
    msgs.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Numbers `_INBOX.…` subjects by first appearance: `_INBOX.1`, `_INBOX.2`, ...
#[derive(Debug, Default)]
pub struct InboxNames {
    names: BTreeMap<String, String>,
}

impl InboxNames {
    /// The normalized form of `subject`.
    pub fn name(&mut self, subject: &str) -> String {
        if !subject.starts_with("_INBOX.") {
            return subject.to_string();
        }
        let next = self.names.len() + 1;
        self.names
            .entry(subject.to_string())
            .or_insert_with(|| format!("_INBOX.{next}"))
            .clone()
    }
}

/// A difference between native and adapted runs that `docs/mapping.md` documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Loss {
    /// `content-type` and `metadata` do not cross `wasmcloud:messaging@0.2.0`.
    Headers,
    /// A wasi request through wasmCloud returns the first reply only.
    FirstReply,
    /// A request that the broker refuses carries the other world's error wording.
    SendFailedText,
}

impl Loss {
    /// Every loss.
    pub const ALL: [Loss; 3] = [Loss::Headers, Loss::FirstReply, Loss::SendFailedText];

    /// Its name in case files.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Headers => "headers",
            Loss::FirstReply => "first-reply",
            Loss::SendFailedText => "send-failed-text",
        }
    }

    /// Short name for the matrix.
    pub fn label(self) -> &'static str {
        match self {
            Loss::Headers => "no headers",
            Loss::FirstReply => "first reply only",
            Loss::SendFailedText => "error text",
        }
    }

    /// The mapping table row, as a link relative to `docs/`.
    pub fn link(self, direction: Direction) -> &'static str {
        match (self, direction.translates_as()) {
            (Loss::Headers | Loss::FirstReply, _) => "mapping.md#what-cannot-cross-in-one-place",
            (Loss::SendFailedText, Direction::WasiOnWasmcloud) => {
                "mapping.md#wasi-guest-on-a-wasmcloud-host-wasi-on-wasmcloud-"
            }
            (Loss::SendFailedText, _) => {
                "mapping.md#wasmcloud-guest-on-a-wasi-host-wasmcloud-on-wasi-"
            }
        }
    }

    /// The documented rule, in words.
    pub fn rule(self, direction: Direction) -> &'static str {
        match (self, direction.translates_as()) {
            (Loss::Headers, _) => {
                "`content-type` and `metadata` are dropped: `wasmcloud:messaging` (`@0.2.0` and \
                 `@0.3.0`) has no headers, so the guest neither sees nor sends them (`describe` \
                 shows `-`)"
            }
            (Loss::FirstReply, _) => {
                "a wasi request through wasmCloud returns a list of the first reply only"
            }
            (Loss::SendFailedText, Direction::WasiOnWasmcloud) => {
                "host error `failed to send request: …` (NATS \"no responders\") becomes \
                 `error::connection(text)` with wasmCloud's text kept"
            }
            (Loss::SendFailedText, _) => {
                "host `error::connection(s)` on `request` becomes \
                 `Err(\"failed to send request: connection error: s\")`"
            }
        }
    }

    /// The losses that can happen in a direction (`docs/mapping.md`).
    pub fn of(direction: Direction) -> &'static [Loss] {
        match direction.translates_as() {
            Direction::WasiOnWasmcloud => &[Loss::Headers, Loss::FirstReply, Loss::SendFailedText],
            Direction::WasmcloudOnWasi => &[Loss::SendFailedText],
            // The asynchronous worlds' errors are variants on both sides: no wording to lose.
            Direction::WasiAsyncOnWasmcloudAsync => &[Loss::Headers, Loss::FirstReply],
            Direction::WasmcloudAsyncOnWasiAsync => &[],
            // `@0.3.0`'s errors are worded as `@0.2.0`'s strings (`docs/mapping.md`); the
            // broker detail of a named case is what could differ, and no case shows it.
            Direction::WasmcloudOnWasmcloudAsync => &[],
            // The same world but for `async`: nothing to lose.
            Direction::WasiOnWasiAsync => &[],
            // `translates_as` maps these two to the synchronous pair's.
            Direction::WasiOnWasmcloudAsync | Direction::WasmcloudOnWasiAsync => &[],
        }
    }

    /// Applies the loss to one message: `step` is the command of the step it answers (if it
    /// is an answer), `by_harness` whether the harness sent it.
    fn apply(
        self,
        direction: Direction,
        msg: &mut Msg,
        step: Option<Command<'_>>,
        by_harness: bool,
    ) {
        let request = matches!(step, Some(Command::Request { .. }));
        match self {
            Loss::Headers => {
                if !by_harness {
                    msg.content_type = None;
                    msg.metadata.clear();
                }
                if step == Some(Command::Describe) {
                    msg.body = blank_describe_headers(&msg.body);
                }
            }
            Loss::FirstReply => {
                if request {
                    if let Some(first) = first_reply_only(&msg.body) {
                        msg.body = first;
                    }
                }
            }
            Loss::SendFailedText => {
                if !request {
                    return;
                }
                let (from, to) = match direction.translates_as() {
                    Direction::WasiOnWasmcloud => (
                        "err connection: ",
                        "err connection: failed to send request: ",
                    ),
                    Direction::WasmcloudOnWasi
                    | Direction::WasiAsyncOnWasmcloudAsync
                    | Direction::WasmcloudAsyncOnWasiAsync
                    | Direction::WasmcloudOnWasmcloudAsync
                    | Direction::WasiOnWasiAsync
                    | Direction::WasiOnWasmcloudAsync
                    | Direction::WasmcloudOnWasiAsync => (
                        "err failed to send request: ",
                        "err failed to send request: connection error: ",
                    ),
                };
                if msg.body.starts_with(from.as_bytes()) && !msg.body.starts_with(to.as_bytes()) {
                    let mut body = to.as_bytes().to_vec();
                    body.extend_from_slice(&msg.body[from.len()..]);
                    msg.body = body;
                }
            }
        }
    }
}

/// A `describe` answer with its content-type and metadata lines set to `-`.
fn blank_describe_headers(body: &[u8]) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(body) else {
        return body.to_vec();
    };
    text.split('\n')
        .map(|line| {
            if line.starts_with("content-type=") {
                "content-type=-"
            } else if line.starts_with("metadata=") {
                "metadata=-"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes()
}

/// A request report (`ok K` then K times `\nLEN\n` and LEN bytes) cut to its first reply;
/// `None` when `body` is not a report of more than one reply.
pub fn first_reply_only(body: &[u8]) -> Option<Vec<u8>> {
    let rest = body.strip_prefix(b"ok ")?;
    let newline = rest.iter().position(|&b| b == b'\n')?;
    let count: usize = std::str::from_utf8(&rest[..newline]).ok()?.parse().ok()?;
    if count < 2 {
        return None;
    }
    let after = &rest[newline + 1..];
    let len_end = after.iter().position(|&b| b == b'\n')?;
    let len: usize = std::str::from_utf8(&after[..len_end]).ok()?.parse().ok()?;
    let first = after.get(len_end + 1..len_end + 1 + len)?;
    let mut out = format!("ok 1\n{len}\n").into_bytes();
    out.extend_from_slice(first);
    Some(out)
}

/// `native` with `losses` (documented for `direction`) applied; fails naming a loss that
/// changes nothing (its declaration is wrong) or that the direction cannot have.
pub fn with_losses(
    case: &Case,
    direction: Direction,
    losses: &[Loss],
    native: &Observation,
) -> Result<Observation, String> {
    let mut out = native.clone();
    for &loss in losses {
        if !Loss::of(direction).contains(&loss) {
            return Err(format!(
                "loss `{}` is declared, but a {direction} adapter cannot have it",
                loss.name()
            ));
        }
        let before = out.clone();
        let command = |i: usize| case.steps.get(i).and_then(|s| s.command());
        for (i, answers) in out.answers.iter_mut().enumerate() {
            for msg in answers {
                loss.apply(direction, msg, command(i), false);
            }
        }
        for recorded in &mut out.traffic {
            let step = recorded.answer_to.and_then(command);
            loss.apply(direction, &mut recorded.msg, step, recorded.by_harness);
        }
        if out.same_as(&before) {
            return Err(format!(
                "loss `{}` is declared, but changes nothing in the native run",
                loss.name()
            ));
        }
    }
    Ok(out)
}

impl FromStr for Loss {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Loss::ALL
            .into_iter()
            .find(|l| l.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Loss::ALL.iter().map(|l| l.name()).collect();
                format!("unknown loss {s:?}; known: {}", names.join(", "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_of_several_replies_keeps_the_first() {
        assert_eq!(
            first_reply_only(b"ok 3\n1\nr\n2\nab\n0\n").as_deref(),
            Some(&b"ok 1\n1\nr"[..])
        );
        assert_eq!(first_reply_only(b"ok 1\n1\nr"), None);
        assert_eq!(first_reply_only(b"err timeout"), None);
        assert_eq!(first_reply_only(b"ok"), None);
    }

    #[test]
    fn describe_headers_are_blanked() {
        assert_eq!(
            blank_describe_headers(b"topic=t\ncontent-type=text/plain\nmetadata=a=1\nlen=5"),
            b"topic=t\ncontent-type=-\nmetadata=-\nlen=5"
        );
    }

    #[test]
    fn inboxes_are_numbered_by_first_appearance() {
        let mut names = InboxNames::default();
        assert_eq!(names.name("_INBOX.zz"), "_INBOX.1");
        assert_eq!(names.name("a.b"), "a.b");
        assert_eq!(names.name("_INBOX.aa"), "_INBOX.2");
        assert_eq!(names.name("_INBOX.zz"), "_INBOX.1");
    }

    #[test]
    fn send_failures_get_the_other_worlds_wording_only_in_request_reports() {
        let mut msg = Msg::new("_INBOX.1", b"err connection: no responders");
        Loss::SendFailedText.apply(
            Direction::WasiOnWasmcloud,
            &mut msg,
            Some(Command::Request {
                subject: "s",
                timeout_ms: None,
                expected: None,
            }),
            false,
        );
        assert_eq!(
            msg.body,
            b"err connection: failed to send request: no responders"
        );
        let mut msg = Msg::new("_INBOX.1", b"err connection: client is disconnected");
        Loss::SendFailedText.apply(
            Direction::WasiOnWasmcloud,
            &mut msg,
            Some(Command::Disconnect("s")),
            false,
        );
        assert_eq!(msg.body, b"err connection: client is disconnected");
        let mut msg = Msg::new("_INBOX.1", b"err failed to send request: no responders");
        Loss::SendFailedText.apply(
            Direction::WasmcloudOnWasi,
            &mut msg,
            Some(Command::Request {
                subject: "s",
                timeout_ms: None,
                expected: None,
            }),
            false,
        );
        assert_eq!(
            msg.body,
            b"err failed to send request: connection error: no responders"
        );
    }

    #[test]
    fn headers_are_kept_on_what_the_harness_sent() {
        let mut msg = Msg::new("c.cmd", b"echo\nx");
        msg.content_type = Some("text/plain".into());
        Loss::Headers.apply(Direction::WasiOnWasmcloud, &mut msg, None, true);
        assert_eq!(msg.content_type.as_deref(), Some("text/plain"));
        Loss::Headers.apply(Direction::WasiOnWasmcloud, &mut msg, None, false);
        assert_eq!(msg.content_type, None);
    }
}
