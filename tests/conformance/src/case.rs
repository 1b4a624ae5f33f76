//! The scenario catalogue: the TOML files of `tests/cases`, parsed and checked.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde::Deserialize;

use crate::config::GuestWorld;
use crate::observe::Msg;

/// Every case file of `tests/cases`, as `(file stem, text)`, embedded at build time.
pub const CASE_FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/cases.rs"));

/// A case file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// The TOML does not parse or has unknown keys.
    #[error("tests/cases/{case}.toml: {source}")]
    Parse {
        /// The case's file stem.
        case: String,
        /// What the TOML parser said.
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

/// How a step's message reaches the probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    /// Published with a reply subject (the harness waits for answers on it).
    Request,
    /// Published without a reply subject.
    Publish,
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

fn one() -> usize {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    via: Via,
    subject: String,
    command: String,
    payload: Option<String>,
    payload_hex: Option<String>,
    payload_size: Option<usize>,
    content_type: Option<String>,
    #[serde(default)]
    metadata: Vec<(String, String)>,
    answers: usize,
}

/// One message from the harness to the probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// How it is sent.
    pub via: Via,
    /// Where it is sent.
    pub subject: String,
    /// The probe command line.
    pub command: String,
    /// The payload (after the command's `\n`).
    pub payload: Bytes,
    /// The content-type it carries.
    pub content_type: Option<String>,
    /// The metadata it carries.
    pub metadata: Vec<(String, String)>,
    /// How many answers the harness waits for (0: it checks that none comes).
    pub answers: usize,
}

impl Step {
    /// The message body: the command, `\n`, the payload.
    pub fn body(&self) -> Bytes {
        let mut body = self.command.as_bytes().to_vec();
        body.push(b'\n');
        body.extend_from_slice(&self.payload);
        body.into()
    }

    /// The command's first word (`echo`, `request`, ...).
    pub fn verb(&self) -> &str {
        self.command.split(' ').next().unwrap_or_default()
    }
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
}

/// The native observation of one guest world on one broker, resolved to messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// One list of answers per step (subjects are not compared).
    pub answers: Vec<Vec<Msg>>,
    /// Every message on the watched subjects, in order.
    pub published: Vec<Msg>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    title: String,
    about: String,
    subscriptions: Vec<String>,
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
}

/// One scenario.
#[derive(Debug, Clone)]
pub struct Case {
    /// The file stem; every subject of the case starts with it and a dot.
    pub id: String,
    /// Its name in the matrix.
    pub title: String,
    /// What it shows.
    pub about: String,
    /// The probe's subscriptions.
    pub subscriptions: Vec<String>,
    /// Subjects whose messages are checked.
    pub watch: Vec<String>,
    /// Subjects nothing may subscribe to, the recorder included (on NATS a subscriber
    /// turns "no responders" into a timeout); the recorder then subscribes to the case's
    /// own subjects and `_INBOX.>` instead of `>`.
    pub no_subscriber: Vec<String>,
    /// Harness repliers.
    pub repliers: Vec<Replier>,
    /// The harness's messages to the probe, in order.
    pub steps: Vec<Step>,
    /// The native observation per guest world.
    pub expect: BTreeMap<GuestWorld, ExpectationFile>,
    /// Configurations (by id) or guest worlds (`wasi`, `wasmcloud`) it does not apply to,
    /// with the reason.
    pub not_applicable: BTreeMap<String, String>,
}

/// Generated payload bytes: not UTF-8 (every 256-byte run holds every byte value).
pub fn generated_payload(size: usize) -> Bytes {
    (0..size).map(|i| (i * 131 % 256) as u8).collect()
}

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
    /// Parses and checks one case file.
    pub fn parse(id: &str, text: &str) -> Result<Case, CaseError> {
        let invalid = |reason: String| CaseError::Invalid {
            case: id.to_string(),
            reason,
        };
        let file: CaseFile = toml::from_str(text).map_err(|source| CaseError::Parse {
            case: id.to_string(),
            source,
        })?;
        let mut steps = Vec::new();
        for (i, s) in file.steps.into_iter().enumerate() {
            let payload = match (s.payload, s.payload_hex, s.payload_size) {
                (Some(text), None, None) => Bytes::from(text),
                (None, Some(hex), None) => decode_hex(&hex)
                    .map(Bytes::from)
                    .ok_or_else(|| invalid(format!("step {}: bad payload_hex", i + 1)))?,
                (None, None, Some(size)) => generated_payload(size),
                _ => {
                    return Err(invalid(format!(
                        "step {}: give exactly one of payload, payload_hex, payload_size",
                        i + 1
                    )))
                }
            };
            if s.via == Via::Publish && s.answers != 0 {
                return Err(invalid(format!(
                    "step {}: a published step has no reply subject, so `answers` must be 0",
                    i + 1
                )));
            }
            steps.push(Step {
                via: s.via,
                subject: s.subject,
                command: s.command,
                payload,
                content_type: s.content_type,
                metadata: s.metadata,
                answers: s.answers,
            });
        }
        if steps.is_empty() {
            return Err(invalid("a case needs at least one [[step]]".into()));
        }
        let prefix = format!("{id}.");
        let subjects = file
            .subscriptions
            .iter()
            .chain(&file.watch)
            .chain(&file.no_subscriber)
            .chain(file.repliers.iter().map(|r| &r.subject))
            .chain(steps.iter().map(|s| &s.subject));
        for subject in subjects {
            if !subject.starts_with(&prefix) {
                return Err(invalid(format!(
                    "subject {subject:?} does not start with {prefix:?}"
                )));
            }
        }
        let mut expect = BTreeMap::new();
        for (key, expectation) in file.expect {
            let world: GuestWorld = key
                .parse()
                .map_err(|_| invalid(format!("[expect.{key}]: not a guest world")))?;
            for answers in std::iter::once(&expectation.answers).chain(&expectation.nats_answers) {
                if answers.len() != steps.len() {
                    return Err(invalid(format!(
                        "[expect.{key}]: {} answer lists for {} steps",
                        answers.len(),
                        steps.len()
                    )));
                }
                for (step, list) in steps.iter().zip(answers) {
                    if list.len() != step.answers {
                        return Err(invalid(format!(
                            "[expect.{key}]: {} answers listed for a step that waits for {}",
                            list.len(),
                            step.answers
                        )));
                    }
                }
            }
            expect.insert(world, expectation);
        }
        for world in GuestWorld::ALL {
            if !expect.contains_key(&world) && !file.not_applicable.contains_key(world.name()) {
                return Err(invalid(format!(
                    "neither [expect.{0}] nor not_applicable.{0}",
                    world.name()
                )));
            }
        }
        let case = Case {
            id: id.to_string(),
            title: file.title,
            about: file.about,
            subscriptions: file.subscriptions,
            watch: file.watch,
            no_subscriber: file.no_subscriber,
            repliers: file.repliers,
            steps,
            expect,
            not_applicable: file.not_applicable,
        };
        for world in case.expect.keys() {
            for nats in [false, true] {
                case.expectation(*world, nats)?;
            }
        }
        Ok(case)
    }

    /// The native observation of `world`'s guest, on NATS or in process.
    pub fn expectation(&self, world: GuestWorld, nats: bool) -> Result<Expectation, CaseError> {
        let invalid = |reason: String| CaseError::Invalid {
            case: self.id.clone(),
            reason,
        };
        let file = self
            .expect
            .get(&world)
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
                .find(|s| s.command.split(' ').any(|w| w == subject))
                .map(|s| &s.payload);
            published.push(self.resolve(expected, payload, true)?);
        }
        Ok(Expectation { answers, published })
    }

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
                let body: Vec<u8> = match (&full.text, &full.hex, full.payload) {
                    (Some(text), None, false) => text.as_bytes().to_vec(),
                    (None, Some(hex), false) => {
                        decode_hex(hex).ok_or_else(|| invalid("bad hex"))?
                    }
                    (None, None, true) => payload
                        .ok_or_else(|| invalid("`payload = true` but no step names the subject"))?
                        .to_vec(),
                    _ => return Err(invalid("give exactly one of text, hex, payload = true")),
                };
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
        {
            return Some(reason.clone());
        }
        if config.peer.is_some() && self.repliers.is_empty() {
            return Some(format!(
                "no second component in this scenario; the adapted guest alone is covered by `{}`",
                config.adapted_alone().unwrap_or("-")
            ));
        }
        None
    }
}

/// Every case of the catalogue, sorted by id.
pub fn catalogue() -> Result<Vec<Case>, CaseError> {
    CASE_FILES
        .iter()
        .map(|(id, text)| Case::parse(id, text))
        .collect()
}
