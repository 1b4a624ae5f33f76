//! The scenario catalogue: the TOML files of `tests/cases`, parsed and checked. The format
//! is described in `tests/cases/README.md`.

use std::collections::BTreeMap;

use bytes::Bytes;
use msgbridge_worlds::World;
use serde::Deserialize;

use probe_command::Command;

use crate::observe::{Loss, Msg};

/// Every case file of `tests/cases`, as `(file stem, text)`, embedded at build time.
pub const CASE_FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/cases.rs"));

/// A case file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// The TOML does not parse or has unknown keys.
    #[error("tests/cases/{case}.toml does not parse")]
    Parse {
        /// The case's file stem.
        case: String,
        /// What the TOML parser said.
        #[source]
        source: toml::de::Error,
    },
    /// The case parses but is inconsistent.
    #[error("tests/cases/{case}.toml: {reason}")]
    Invalid {
        /// The case's file stem.
        case: String,
        /// What is wrong.
        reason: String,
    },
}

/// How a step's message reaches the components.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    /// Published with a reply subject (the harness waits for answers on it).
    Request,
    /// Published without a reply subject.
    Publish,
    /// An HTTP request to the host's HTTP address.
    Http,
}

/// What a harness replier does with each request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Behaviour {
    /// Answers as a probe answers `echo`: with the request body after its first `\n`.
    Echo,
    /// Never answers.
    Silent,
}

/// A harness replier (in the cross-world pair configurations, a native probe of the other
/// world instead).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replier {
    /// The subject it subscribes to.
    pub subject: String,
    /// How many such repliers there are.
    #[serde(default = "one")]
    pub count: usize,
    /// What each does.
    pub behaviour: Behaviour,
}

/// The default count: one.
fn one() -> usize {
    1
}

/// Which component a `[[component]]` of a case runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Artifact {
    /// The probe of the configuration's guest, in the configuration's form.
    Probe,
    /// `examples/http-api` (wasmcloud world; serves `POST /task`).
    HttpApi,
    /// `examples/leet-worker` (wasmcloud world; reads `leet.mode` from its config).
    LeetWorker,
    /// `examples/reverse-worker` (wasi world).
    ReverseWorker,
    /// `examples/counter-worker` (wasmcloud world; wasi:keyvalue and wasi:logging).
    CounterWorker,
}

impl Artifact {
    /// The world an example speaks; `None` for the probe, whose world the configuration
    /// chooses.
    pub fn world(self) -> Option<World> {
        match self {
            Artifact::Probe => None,
            Artifact::HttpApi | Artifact::LeetWorker | Artifact::CounterWorker => {
                Some(World::Wasmcloud)
            }
            Artifact::ReverseWorker => Some(World::Wasi),
        }
    }
}

/// A component a case loads on the host.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Its name within the case (the host gets a name unique to the run).
    pub name: String,
    /// What it runs.
    pub artifact: Artifact,
    /// Its subscriptions.
    #[serde(default)]
    pub subscriptions: Vec<String>,
    /// Its config (answered by `wasi:config/store`; `subscriptions` and `consumer_group`
    /// work as on wasmCloud).
    #[serde(default)]
    pub config: BTreeMap<String, String>,
    /// On how many hosts it runs, under the same name (like one workload on several
    /// wasmCloud hosts sharing a broker).
    #[serde(default = "one")]
    pub hosts: usize,
    /// Its deadline per delivery, in milliseconds (default: the host's).
    pub deadline_ms: Option<u64>,
    /// How far each of its linear memories may grow, in MiB (default: the host's).
    pub max_memory_mib: Option<usize>,
}

/// A `[[step]]` as the file states it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    via: Via,
    subject: Option<String>,
    path: Option<String>,
    method: Option<String>,
    command: Option<String>,
    inner: Option<String>,
    raw: Option<String>,
    raw_hex: Option<String>,
    payload: Option<String>,
    payload_hex: Option<String>,
    payload_size: Option<usize>,
    content_type: Option<String>,
    #[serde(default)]
    metadata: Vec<(String, String)>,
    answers: usize,
    listen_ms: Option<u64>,
}

/// One message (or HTTP request) from the harness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// How it is sent.
    pub via: Via,
    /// The subject (messages) or path (HTTP).
    pub target: String,
    /// The HTTP method (HTTP only).
    pub method: String,
    /// The probe command line, when the body is a checked one (`None` for raw bodies and
    /// HTTP).
    pub command_line: Option<String>,
    /// The whole body sent.
    pub body: Bytes,
    /// The payload after the command line (and after the inner command, if any), which a
    /// `payload = true` expectation stands for.
    pub payload: Bytes,
    /// The content-type it carries.
    pub content_type: Option<String>,
    /// The metadata it carries.
    pub metadata: Vec<(String, String)>,
    /// How many answers the harness waits for (0: it checks that none comes).
    pub answers: usize,
    /// How long the harness keeps listening for more answers than expected, when longer
    /// than the runner's default.
    pub listen_ms: Option<u64>,
}

/// An expected message: a text body, or a table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ExpectedMessage {
    /// A UTF-8 body, no content-type, no metadata.
    Text(String),
    /// Anything else.
    Full(ExpectedFull),
}

/// The table form of [`ExpectedMessage`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFull {
    /// The subject (for `published`).
    pub subject: Option<String>,
    /// A UTF-8 body.
    pub text: Option<String>,
    /// A body in hex.
    pub hex: Option<String>,
    /// The body is the payload of the step (for answers) or of the step whose command
    /// names the subject (for `published`).
    #[serde(default)]
    pub payload: bool,
    /// The content-type.
    pub content_type: Option<String>,
    /// The metadata.
    #[serde(default)]
    pub metadata: Vec<(String, String)>,
    /// The HTTP status (HTTP answers only).
    pub status: Option<u16>,
    /// The reply subject (for `published`; `_INBOX.N` numbered by first appearance).
    pub reply_to: Option<String>,
    /// Bytes before the body given by `text`, `hex` or `payload`.
    pub prefix: Option<String>,
}

/// The native observation of one guest world, as a case file states it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectationFile {
    /// One list of answers per step.
    pub answers: Vec<Vec<ExpectedMessage>>,
    /// Replaces `answers` on NATS.
    pub nats_answers: Option<Vec<Vec<ExpectedMessage>>>,
    /// Every message on the watched subjects, in order.
    #[serde(default)]
    pub published: Vec<ExpectedMessage>,
    /// How the probes' failed deliveries ended, in any order: the handler's error text, or
    /// `trap`.
    #[serde(default)]
    pub failures: Vec<String>,
}

/// The native observation of one guest world on one broker, resolved to messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// One list of answers per step (subjects are not compared).
    pub answers: Vec<Vec<Msg>>,
    /// Every message on the watched subjects, in order.
    pub published: Vec<Msg>,
    /// The probes' failed deliveries, sorted.
    pub failures: Vec<String>,
}

/// A case file as it states it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    title: String,
    about: String,
    #[serde(rename = "component")]
    components: Vec<Component>,
    #[serde(default)]
    watch: Vec<String>,
    #[serde(default)]
    no_subscriber: Vec<String>,
    #[serde(default, rename = "replier")]
    repliers: Vec<Replier>,
    #[serde(rename = "step")]
    steps: Vec<StepFile>,
    #[serde(default)]
    expect: BTreeMap<String, ExpectationFile>,
    #[serde(default)]
    not_applicable: BTreeMap<String, String>,
    #[serde(default)]
    losses: BTreeMap<String, Vec<String>>,
    nats_losses: Option<BTreeMap<String, Vec<String>>>,
}

/// One scenario.
#[derive(Debug, Clone)]
pub struct Case {
    /// The file stem; every subject of the case starts with it and a dot (but those of
    /// example components, which the examples fix).
    pub id: String,
    /// Its name in the matrix.
    pub title: String,
    /// What it shows.
    pub about: String,
    /// The components loaded on the host.
    pub components: Vec<Component>,
    /// Subjects whose messages are checked.
    pub watch: Vec<String>,
    /// Subjects nothing may subscribe to, the recorder included (on NATS a subscriber
    /// turns "no responders" into a timeout); the recorder then subscribes to the case's
    /// own subjects and `_INBOX.>` instead of `>`.
    pub no_subscriber: Vec<String>,
    /// Harness repliers.
    pub repliers: Vec<Replier>,
    /// The harness's messages, in order.
    pub steps: Vec<Step>,
    /// The native observation per guest world (for a case without a probe: what a host
    /// serving only that world observes).
    pub expect: BTreeMap<World, ExpectationFile>,
    /// Configurations (by id) or guest worlds (`wasi`, `wasmcloud`) it does not apply to,
    /// with the reason.
    pub not_applicable: BTreeMap<String, String>,
    /// The documented losses an adapted run shows, by direction (`wasi-on-wasmcloud`,
    /// `wasmcloud-on-wasi`) or configuration id (which wins).
    pub losses: BTreeMap<String, Vec<Loss>>,
    /// Replaces `losses` on NATS, when the brokers differ.
    pub nats_losses: Option<BTreeMap<String, Vec<Loss>>>,
}

/// Declared losses, by direction or configuration id.
type LossTable = BTreeMap<String, Vec<Loss>>;

/// A `losses` table, its keys and loss names checked.
fn parse_losses(
    table: BTreeMap<String, Vec<String>>,
    invalid: impl Fn(String) -> CaseError,
) -> Result<LossTable, CaseError> {
    let mut losses = BTreeMap::new();
    for (key, names) in table {
        let known = crate::config::configurations().iter().any(|c| c.id == key)
            || key.parse::<msgbridge_worlds::Direction>().is_ok();
        if !known {
            return Err(invalid(format!(
                "losses.{key}: neither a direction nor a configuration id"
            )));
        }
        let parsed = names
            .iter()
            .map(|n| {
                n.parse::<Loss>()
                    .map_err(|e| invalid(format!("losses.{key}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        losses.insert(key, parsed);
    }
    Ok(losses)
}

/// Generated payload bytes: not UTF-8 (every 256-byte run holds every byte value).
pub fn generated_payload(size: usize) -> Bytes {
    (0..size).map(|i| (i * 131 % 256) as u8).collect()
}

/// `hex` (two digits a byte) as bytes, if it is hex.
fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

impl Case {
    /// Parses and checks one case file: its steps, its components, its subjects, its
    /// expectations (one per guest world, or a reason why not) and its losses.
    pub fn parse(id: &str, text: &str) -> Result<Case, CaseError> {
        let invalid = |reason: String| CaseError::Invalid {
            case: id.to_string(),
            reason,
        };
        let mut file: CaseFile = toml::from_str(text).map_err(|source| CaseError::Parse {
            case: id.to_string(),
            source,
        })?;
        let steps = parse_steps(std::mem::take(&mut file.steps)).map_err(invalid)?;
        if file.components.is_empty() {
            return Err(invalid("a case needs at least one [[component]]".into()));
        }
        check_subjects(id, &file, &steps).map_err(invalid)?;
        let expect =
            parse_expectations(std::mem::take(&mut file.expect), &steps).map_err(invalid)?;
        check_worlds(&expect, &file.not_applicable).map_err(invalid)?;
        let losses = parse_losses(file.losses, invalid)?;
        let nats_losses = file
            .nats_losses
            .map(|table| parse_losses(table, invalid))
            .transpose()?;
        let case = Case {
            id: id.to_string(),
            title: file.title,
            about: file.about,
            components: file.components,
            watch: file.watch,
            no_subscriber: file.no_subscriber,
            repliers: file.repliers,
            steps,
            expect,
            not_applicable: file.not_applicable,
            losses,
            nats_losses,
        };
        for world in case.expect.keys() {
            for nats in [false, true] {
                case.expectation(*world, nats)?;
            }
        }
        Ok(case)
    }

    /// Whether the case loads the configuration's probe.
    pub fn has_probe(&self) -> bool {
        self.components
            .iter()
            .any(|c| c.artifact == Artifact::Probe)
    }

    /// Whether a step is an HTTP request.
    pub fn uses_http(&self) -> bool {
        self.steps.iter().any(|s| s.via == Via::Http)
    }

    /// The native observation of `world`'s guest, on NATS or in process. An async world
    /// without an `[expect.WORLD]` of its own observes what its synchronous counterpart does.
    pub fn expectation(&self, world: World, nats: bool) -> Result<Expectation, CaseError> {
        let invalid = |reason: String| CaseError::Invalid {
            case: self.id.clone(),
            reason,
        };
        let file = self
            .expect
            .get(&world)
            .or_else(|| self.expect.get(&world.sync_counterpart()))
            .ok_or_else(|| invalid(format!("no [expect.{}]", world.name())))?;
        let answers_file = match (&file.nats_answers, nats) {
            (Some(nats_answers), true) => nats_answers,
            _ => &file.answers,
        };
        let mut answers = Vec::new();
        for (step, list) in self.steps.iter().zip(answers_file) {
            let mut resolved = Vec::new();
            for expected in list {
                resolved.push(self.resolve(expected, Some(&step.payload), false)?);
            }
            answers.push(resolved);
        }
        let mut published = Vec::new();
        for expected in &file.published {
            let subject = match expected {
                ExpectedMessage::Full(ExpectedFull {
                    subject: Some(subject),
                    ..
                }) => subject,
                _ => return Err(invalid("a `published` entry needs a subject".into())),
            };
            if !self.watch.contains(subject) {
                return Err(invalid(format!(
                    "published on {subject:?}, which is not watched"
                )));
            }
            let payload = self
                .steps
                .iter()
                .find(|s| s.command().and_then(target) == Some(subject.as_str()))
                .map(|s| &s.payload);
            published.push(self.resolve(expected, payload, true)?);
        }
        let mut failures = file.failures.clone();
        failures.sort();
        Ok(Expectation {
            answers,
            published,
            failures,
        })
    }

    /// `expected` as a message: its body from text, hex or the step's `payload` (after any
    /// prefix), its subject only `with_subject`.
    fn resolve(
        &self,
        expected: &ExpectedMessage,
        payload: Option<&Bytes>,
        with_subject: bool,
    ) -> Result<Msg, CaseError> {
        let invalid = |reason: &str| CaseError::Invalid {
            case: self.id.clone(),
            reason: reason.to_string(),
        };
        Ok(match expected {
            ExpectedMessage::Text(text) => Msg::new("", text.as_bytes()),
            ExpectedMessage::Full(full) => {
                let mut body: Vec<u8> = full.prefix.clone().unwrap_or_default().into_bytes();
                body.extend(match (&full.text, &full.hex, full.payload) {
                    (Some(text), None, false) => text.as_bytes().to_vec(),
                    (None, Some(hex), false) => {
                        decode_hex(hex).ok_or_else(|| invalid("bad hex"))?
                    }
                    (None, None, true) => payload
                        .ok_or_else(|| invalid("`payload = true` but no step names the subject"))?
                        .to_vec(),
                    _ => return Err(invalid("give exactly one of text, hex, payload = true")),
                });
                let mut msg = Msg::new(
                    if with_subject {
                        full.subject.as_deref().unwrap_or_default()
                    } else {
                        ""
                    },
                    &body,
                );
                msg.content_type = full.content_type.clone();
                msg.metadata = crate::observe::sorted(full.metadata.clone());
                msg.status = full.status;
                msg.reply_to = full.reply_to.clone();
                msg
            }
        })
    }

    /// Why the case does not apply to `config`, if it does not.
    pub fn not_applicable_reason(&self, config: &crate::config::Configuration) -> Option<String> {
        if let Some(reason) = self
            .not_applicable
            .get(config.id)
            .or_else(|| self.not_applicable.get(config.guest.world().name()))
            .or_else(|| {
                self.not_applicable
                    .get(config.guest.world().sync_counterpart().name())
            })
        {
            return Some(reason.clone());
        }
        if !self.has_probe() {
            if let Some(reason) = config.skips_examples() {
                return Some(reason);
            }
        }
        if config.peer.is_some() && self.repliers.is_empty() {
            return Some(format!(
                "no second component in this scenario; the adapted guest alone is covered by `{}`",
                config.adapted_alone().unwrap_or("-")
            ));
        }
        None
    }

    /// The losses declared for `config` (adapted configurations only), on NATS or in
    /// process.
    pub fn declared_losses(&self, config: &crate::config::Configuration, nats: bool) -> Vec<Loss> {
        let Some(direction) = config.direction() else {
            return Vec::new();
        };
        let table = match (&self.nats_losses, nats) {
            (Some(table), true) => table,
            _ => &self.losses,
        };
        table
            .get(config.id)
            .or_else(|| table.get(direction.name()))
            .or_else(|| table.get(direction.translates_as().name()))
            .cloned()
            .unwrap_or_default()
    }
}

impl Step {
    /// The probe command the step sends, if its body is a checked command.
    pub fn command(&self) -> Option<Command<'_>> {
        let line = self.command_line.as_deref()?;
        probe_command::parse(line.as_bytes()).ok().map(|(c, _)| c)
    }
}

/// The subject a command makes the probe send to, if any.
pub fn target<'a>(command: Command<'a>) -> Option<&'a str> {
    match command {
        Command::Publish(s)
        | Command::AnswerStatus(s)
        | Command::Disconnect(s)
        | Command::SetData(s)
        | Command::Request { subject: s, .. } => Some(s),
        _ => None,
    }
}

/// The `[[step]]`s of a case file, checked (there must be one at least).
fn parse_steps(files: Vec<StepFile>) -> Result<Vec<Step>, String> {
    let steps = files
        .into_iter()
        .enumerate()
        .map(|(i, s)| parse_step(s).map_err(|e| format!("step {}: {e}", i + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    if steps.is_empty() {
        return Err("a case needs at least one [[step]]".into());
    }
    Ok(steps)
}

/// Checks that the case's own subjects (the probes' subscriptions, the watched and the
/// repliers' subjects, the message steps' subjects) start with its id and a dot.
fn check_subjects(id: &str, file: &CaseFile, steps: &[Step]) -> Result<(), String> {
    let prefix = format!("{id}.");
    let probe_subjects = file
        .components
        .iter()
        .filter(|c| c.artifact == Artifact::Probe)
        .flat_map(|c| &c.subscriptions);
    let subjects = probe_subjects
        .chain(&file.watch)
        .chain(file.repliers.iter().map(|r| &r.subject))
        .chain(
            steps
                .iter()
                .filter(|s| s.via != Via::Http)
                .map(|s| &s.target),
        );
    for subject in subjects {
        if !subject.starts_with(&prefix) {
            return Err(format!(
                "subject {subject:?} does not start with {prefix:?}"
            ));
        }
    }
    Ok(())
}

/// The `[expect.WORLD]` tables, by world, checked against the steps: one answer list per
/// step (in `answers` and `nats_answers`), each as long as its step waits for.
fn parse_expectations(
    tables: BTreeMap<String, ExpectationFile>,
    steps: &[Step],
) -> Result<BTreeMap<World, ExpectationFile>, String> {
    let mut expect = BTreeMap::new();
    for (key, expectation) in tables {
        let world: World = key
            .parse()
            .map_err(|_| format!("[expect.{key}]: not a world"))?;
        for answers in std::iter::once(&expectation.answers).chain(&expectation.nats_answers) {
            if answers.len() != steps.len() {
                return Err(format!(
                    "[expect.{key}]: {} answer lists for {} steps",
                    answers.len(),
                    steps.len()
                ));
            }
            for (step, list) in steps.iter().zip(answers) {
                if list.len() != step.answers {
                    return Err(format!(
                        "[expect.{key}]: {} answers listed for a step that waits for {}",
                        list.len(),
                        step.answers
                    ));
                }
            }
        }
        expect.insert(world, expectation);
    }
    Ok(expect)
}

/// Checks that each guest world has an expectation or a reason it does not apply.
fn check_worlds(
    expect: &BTreeMap<World, ExpectationFile>,
    not_applicable: &BTreeMap<String, String>,
) -> Result<(), String> {
    for world in World::SYNC {
        if !expect.contains_key(&world) && !not_applicable.contains_key(world.name()) {
            return Err(format!(
                "neither [expect.{0}] nor not_applicable.{0}",
                world.name()
            ));
        }
    }
    Ok(())
}

/// One `[[step]]`, checked: its target, its body and how many answers it waits for.
fn parse_step(s: StepFile) -> Result<Step, String> {
    let payload = match (s.payload, s.payload_hex, s.payload_size) {
        (Some(text), None, None) => Bytes::from(text),
        (None, Some(hex), None) => decode_hex(&hex).map(Bytes::from).ok_or("bad payload_hex")?,
        (None, None, Some(size)) => generated_payload(size),
        (None, None, None) => Bytes::new(),
        _ => return Err("give at most one of payload, payload_hex, payload_size".into()),
    };
    let (target, method) = match (s.via, s.subject, s.path, s.method) {
        (Via::Http, None, Some(path), method) => (path, method.unwrap_or_else(|| "POST".into())),
        (Via::Http, ..) => return Err("an HTTP step has a `path` (and no `subject`)".into()),
        (_, Some(subject), None, None) => (subject, String::new()),
        _ => return Err("a message step has a `subject` (and no `path` or `method`)".into()),
    };
    let inner = match s.inner {
        Some(inner) => {
            probe_command::parse(inner.as_bytes()).map_err(|e| format!("inner: {e}"))?;
            let mut bytes = inner.into_bytes();
            bytes.push(b'\n');
            bytes
        }
        None => Vec::new(),
    };
    let (command_line, body) = match (s.via, s.command, s.raw, s.raw_hex) {
        (Via::Http, None, None, None) => (None, payload.clone()),
        (Via::Http, ..) => return Err("an HTTP step has no command".into()),
        (_, Some(line), None, None) => {
            if line.contains('\n') {
                return Err("a command is one line".into());
            }
            probe_command::parse(line.as_bytes())?;
            let mut body = line.clone().into_bytes();
            body.push(b'\n');
            body.extend_from_slice(&inner);
            body.extend_from_slice(&payload);
            (Some(line), Bytes::from(body))
        }
        (_, None, Some(raw), None) if payload.is_empty() && inner.is_empty() => {
            (None, Bytes::from(raw))
        }
        (_, None, None, Some(hex)) if payload.is_empty() && inner.is_empty() => {
            (None, Bytes::from(decode_hex(&hex).ok_or("bad raw_hex")?))
        }
        (_, None, Some(_), None) | (_, None, None, Some(_)) => {
            return Err("a raw body has no payload or inner command".into())
        }
        _ => return Err("give exactly one of command, raw, raw_hex".into()),
    };
    if s.via == Via::Publish && s.answers != 0 {
        return Err("a published step has no reply subject, so `answers` must be 0".into());
    }
    if s.via == Via::Http && s.answers != 1 {
        return Err("an HTTP step has exactly one answer".into());
    }
    Ok(Step {
        via: s.via,
        target,
        method,
        command_line,
        body,
        payload,
        content_type: s.content_type,
        metadata: s.metadata,
        answers: s.answers,
        listen_ms: s.listen_ms,
    })
}

/// Every case of the catalogue, sorted by id.
pub fn catalogue() -> Result<Vec<Case>, CaseError> {
    CASE_FILES
        .iter()
        .map(|(id, text)| Case::parse(id, text))
        .collect()
}
