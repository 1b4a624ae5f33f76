//! Translation rules shared by msgbridge's adapter halves and its reference host.
//!
//! The adapters are built for `wasm32-unknown-unknown` and the host for the machine it runs
//! on; both depend on this crate so that an error string, a timeout or a reply subject is
//! translated the same way everywhere, and so the rules can be unit-tested natively.
//! Nothing here depends on generated bindings: the adapters convert between these plain
//! types and their WIT types.
//!
//! The behaviour of wasmCloud v2 that these rules match is described in `docs/mapping.md`.

#![forbid(unsafe_code)]

use std::fmt;

/// A `wasi:messaging/types.error`, as plain Rust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WasiError {
    /// `error::timeout`.
    Timeout,
    /// `error::connection(text)`.
    Connection(String),
    /// `error::permission-denied(text)`.
    PermissionDenied(String),
    /// `error::other(text)`.
    Other(String),
}

/// How [`WasiError::Timeout`] reads as text.
pub const TIMED_OUT: &str = "timed out";
/// What precedes the text of [`WasiError::Connection`] when it is written as one string.
pub const CONNECTION_ERROR_PREFIX: &str = "connection error: ";
/// What precedes the text of [`WasiError::PermissionDenied`] when it is written as one string.
pub const PERMISSION_DENIED_PREFIX: &str = "permission denied: ";

impl fmt::Display for WasiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WasiError::Timeout => f.write_str(TIMED_OUT),
            WasiError::Connection(s) => write!(f, "{CONNECTION_ERROR_PREFIX}{s}"),
            WasiError::PermissionDenied(s) => write!(f, "{PERMISSION_DENIED_PREFIX}{s}"),
            WasiError::Other(s) => f.write_str(s),
        }
    }
}

/// The most bytes a `stream<u8>` message body (the async worlds') is read into one message:
/// past it the read stops and the operation fails with [`body_too_large_message`]. It is
/// wasmCloud v2.8's bound on a body it collects.
pub const MAX_STREAMED_BODY: usize = 16 << 20;

/// What precedes the bound in [`body_too_large_message`].
pub const BODY_TOO_LARGE_PREFIX: &str = "message body exceeds the ";
/// What follows the bound in [`body_too_large_message`].
pub const BODY_TOO_LARGE_SUFFIX: &str = "-byte limit on a streamed body";

/// The error text for a streamed body longer than `limit` bytes.
pub fn body_too_large_message(limit: usize) -> String {
    format!("{BODY_TOO_LARGE_PREFIX}{limit}{BODY_TOO_LARGE_SUFFIX}")
}

/// Prefix of wasmCloud's error string for a request that got no reply in time.
pub const TIMEOUT_PREFIX: &str = "request timed out after ";
/// Prefix of wasmCloud's error string for a request the broker did not accept.
pub const SEND_FAILED_PREFIX: &str = "failed to send request: ";
/// wasmCloud's error string when a component's in-memory inbox is full.
pub const QUEUE_FULL: &str = "message queue full";

/// What follows the number of milliseconds in [`timeout_message`].
pub const TIMEOUT_SUFFIX: &str = "ms";

/// wasmCloud's error string for a request that timed out after `timeout_ms`.
pub fn timeout_message(timeout_ms: u32) -> String {
    format!("{TIMEOUT_PREFIX}{timeout_ms}{TIMEOUT_SUFFIX}")
}

/// wasmCloud's error string for a request that could not be sent.
pub fn send_failed_message(cause: impl fmt::Display) -> String {
    format!("{SEND_FAILED_PREFIX}{cause}")
}

/// Which `wasi:messaging` error variant a wasmCloud error string becomes; the text is kept
/// for every variant but [`ErrorKind::Timeout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// `error::timeout`.
    Timeout,
    /// `error::connection(text)`.
    Connection,
    /// `error::permission-denied(text)`.
    PermissionDenied,
    /// `error::other(text)`.
    Other,
}

/// One test of [`CLASSIFICATION`] on a wasmCloud error string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextTest {
    /// The text begins with this (case-sensitive).
    StartsWith(&'static str),
    /// The text, lower-cased (ASCII), contains this lower-case needle.
    ContainsIgnoringCase(&'static str),
}

impl TextTest {
    /// Whether `text` passes the test.
    pub fn matches(self, text: &str) -> bool {
        match self {
            TextTest::StartsWith(prefix) => text.starts_with(prefix),
            TextTest::ContainsIgnoringCase(needle) => text.to_ascii_lowercase().contains(needle),
        }
    }
}

/// The rules of [`classify_wasmcloud_error`], in order: the first test that matches decides;
/// text no test matches is [`ErrorKind::Other`]. Kept as data so that the spliced bridges,
/// which cannot link this crate's `std` code, generate their matcher from the same table.
pub const CLASSIFICATION: &[(TextTest, ErrorKind)] = &[
    (TextTest::StartsWith(TIMEOUT_PREFIX), ErrorKind::Timeout),
    (
        TextTest::ContainsIgnoringCase("timed out"),
        ErrorKind::Timeout,
    ),
    (
        TextTest::ContainsIgnoringCase("permission"),
        ErrorKind::PermissionDenied,
    ),
    (
        TextTest::ContainsIgnoringCase("authoriz"),
        ErrorKind::PermissionDenied,
    ),
    (
        TextTest::StartsWith(SEND_FAILED_PREFIX),
        ErrorKind::Connection,
    ),
    (
        TextTest::ContainsIgnoringCase("connection"),
        ErrorKind::Connection,
    ),
    (
        TextTest::ContainsIgnoringCase("disconnected"),
        ErrorKind::Connection,
    ),
    // wasmCloud v2.8 words a request nobody serves as `other("no responders: ...")`.
    (
        TextTest::ContainsIgnoringCase("no responders"),
        ErrorKind::Connection,
    ),
];

/// The [`ErrorKind`] of a wasmCloud error string, by [`CLASSIFICATION`].
pub fn classify_kind(text: &str) -> ErrorKind {
    CLASSIFICATION
        .iter()
        .find(|(test, _)| test.matches(text))
        .map_or(ErrorKind::Other, |(_, kind)| *kind)
}

/// Classifies an error string returned by a wasmCloud host's `consumer` into the closest
/// `wasi:messaging` error variant.
///
/// - `request timed out after …` becomes `timeout`;
/// - `failed to send request: …` (including NATS "no responders") and connection failures
///   become `connection`, keeping the text;
/// - texts that speak of permissions or authorization become `permission-denied`;
/// - everything else (e.g. `message queue full`) becomes `other`, keeping the text.
pub fn classify_wasmcloud_error(text: &str) -> WasiError {
    match classify_kind(text) {
        ErrorKind::Timeout => WasiError::Timeout,
        ErrorKind::PermissionDenied => WasiError::PermissionDenied(text.to_string()),
        ErrorKind::Connection => WasiError::Connection(text.to_string()),
        ErrorKind::Other => WasiError::Other(text.to_string()),
    }
}

/// The string a wasmcloud-world guest sees when a wasi `request` made on its behalf fails,
/// worded as a wasmCloud host words it.
pub fn wasmcloud_request_error(error: &WasiError, timeout_ms: u32) -> String {
    match error {
        WasiError::Timeout => timeout_message(timeout_ms),
        other => send_failed_message(other),
    }
}

/// The string a wasmcloud-world guest sees when a wasi `send` or `reply` made on its behalf
/// fails.
pub fn wasmcloud_publish_error(error: &WasiError) -> String {
    error.to_string()
}

/// The `timeout-ms` a wasmCloud `request` gets for a wasi request with `timeout_ms` set or
/// not. A wasi request without a timeout waits without bound; wasmCloud's `request` takes a
/// `u32`, so the longest one (about 49 days) stands in for "no bound".
pub fn wasmcloud_timeout(timeout_ms: Option<u32>) -> u32 {
    timeout_ms.unwrap_or(u32::MAX)
}

/// Prefix of the reply subjects the wasmcloud-on-wasi receiver hands its guest. A publish
/// to such a subject is turned into a wasi `reply` on the message being handled.
pub const REPLY_SUBJECT_PREFIX: &str = "_INBOX.msgbridge.reply.";

/// The reply subject for the `sequence`-th message a wasmcloud-on-wasi receiver handles.
pub fn reply_subject(sequence: u64) -> String {
    format!("{REPLY_SUBJECT_PREFIX}{sequence}")
}

/// Whether `subject` is a reply subject made by [`reply_subject`].
pub fn is_reply_subject(subject: &str) -> bool {
    subject
        .strip_prefix(REPLY_SUBJECT_PREFIX)
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// The error a wasmcloud-world guest gets when it publishes with `reply-to` set other than
/// to answer the message it is handling: `wasi:messaging`'s `producer.send` has no way to
/// carry a reply subject, and dropping it silently would leave the receiver unable to answer.
pub const REPLY_TO_UNSUPPORTED: &str = "msgbridge: publish with reply-to cannot be expressed in wasi:messaging (producer.send has no reply subject); use request instead";

/// The error for a publish to a reply subject whose message has already been handled.
pub const REPLY_SUBJECT_EXPIRED: &str =
    "msgbridge: reply subject no longer valid: the message it answers has been handled";

/// The error for use of a `client` after `disconnect`.
pub const CLIENT_DISCONNECTED: &str = "client is disconnected";

/// A `wasmcloud:messaging@0.3.0` `types.error` (wasmCloud v2.8's async world), as plain Rust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WasmcloudAsyncError {
    /// `error::subject-invalid`.
    SubjectInvalid,
    /// `error::access-denied`.
    AccessDenied,
    /// `error::timeout`.
    Timeout,
    /// `error::broker-unavailable`.
    BrokerUnavailable,
    /// `error::message-too-large`.
    MessageTooLarge,
    /// `error::quota-exceeded`.
    QuotaExceeded,
    /// `error::other(text)`.
    Other(String),
}

/// The names of `wasmcloud:messaging@0.3.0`'s `error` cases without a payload, in the WIT's
/// order (its discriminants 0 to 5); `other(string)` is case 6.
pub const WASMCLOUD_ASYNC_ERROR_NAMES: [&str; 6] = [
    "subject-invalid",
    "access-denied",
    "timeout",
    "broker-unavailable",
    "message-too-large",
    "quota-exceeded",
];

impl WasmcloudAsyncError {
    /// The case's name in the WIT (`subject-invalid`, ...), or the text of `other`.
    pub fn text(&self) -> &str {
        let named = |case: usize| WASMCLOUD_ASYNC_ERROR_NAMES[case];
        match self {
            WasmcloudAsyncError::SubjectInvalid => named(0),
            WasmcloudAsyncError::AccessDenied => named(1),
            WasmcloudAsyncError::Timeout => named(2),
            WasmcloudAsyncError::BrokerUnavailable => named(3),
            WasmcloudAsyncError::MessageTooLarge => named(4),
            WasmcloudAsyncError::QuotaExceeded => named(5),
            WasmcloudAsyncError::Other(text) => text,
        }
    }

    /// The `@0.2.0` error string a synchronous wasmcloud guest on a `@0.3.0` host gets from
    /// `request` (with the guest's `timeout_ms`), worded as a `@0.2.0` host words it:
    /// `timeout` is [`timeout_message`], every other case [`send_failed_message`] of its
    /// text (the case's name, or `other`'s text). **Loss**: the named cases carry no
    /// broker detail.
    pub fn to_wasmcloud_request_error(&self, timeout_ms: u32) -> String {
        match self {
            WasmcloudAsyncError::Timeout => timeout_message(timeout_ms),
            other => send_failed_message(other.text()),
        }
    }

    /// The `@0.2.0` error string a synchronous wasmcloud guest on a `@0.3.0` host gets from
    /// `publish`: the case's name, or `other`'s text.
    pub fn to_wasmcloud_publish_error(&self) -> String {
        self.text().to_string()
    }

    /// The asynchronous wasi world's `error` for this one, as an async wasi guest on a
    /// wasmCloud v2.8 host sees it: `timeout` stays `timeout`, `access-denied` becomes
    /// `permission-denied` and `broker-unavailable` `connection` (each with the case's name as
    /// text), the other named cases `other` with their name, and `other`'s text is classified
    /// as [`classify_wasmcloud_error`] classifies `@0.2.0`'s strings.
    pub fn to_wasi(&self) -> WasiError {
        match self {
            WasmcloudAsyncError::Timeout => WasiError::Timeout,
            WasmcloudAsyncError::AccessDenied => WasiError::PermissionDenied(self.text().into()),
            WasmcloudAsyncError::BrokerUnavailable => WasiError::Connection(self.text().into()),
            WasmcloudAsyncError::Other(text) => classify_wasmcloud_error(text),
            named => WasiError::Other(named.text().into()),
        }
    }

    /// The `error` a `wasmcloud:messaging@0.3.0` guest on an asynchronous wasi host sees for
    /// the host's `error`: `timeout` stays `timeout`, `permission-denied` becomes
    /// `access-denied` (its text is lost), and `connection` and `other` become `other` with
    /// their text (wasi cannot tell a broken connection from a subject nobody serves, so
    /// `broker-unavailable` is never claimed).
    pub fn from_wasi(error: &WasiError) -> WasmcloudAsyncError {
        match error {
            WasiError::Timeout => WasmcloudAsyncError::Timeout,
            WasiError::PermissionDenied(_) => WasmcloudAsyncError::AccessDenied,
            WasiError::Connection(text) | WasiError::Other(text) => {
                WasmcloudAsyncError::Other(text.clone())
            }
        }
    }
}

/// A `wasmcloud:messaging@0.3.0` `handle-message-error`, as plain Rust: how a handler
/// disposes of a message it did not handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandleMessageError {
    /// `handle-message-error::reject`.
    Reject,
    /// `handle-message-error::retry`.
    Retry,
    /// `handle-message-error::other(text)`.
    Other(String),
}

impl fmt::Display for HandleMessageError {
    /// `reject`, `retry`, or `other`'s text: what a host logs, and the text a wasi handler's
    /// `error::other` carries for it (worlds without a disposition lose it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandleMessageError::Reject => f.write_str("reject"),
            HandleMessageError::Retry => f.write_str("retry"),
            HandleMessageError::Other(text) => f.write_str(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasmcloud_timeouts_classify_as_timeout() {
        assert_eq!(
            classify_wasmcloud_error(&timeout_message(250)),
            WasiError::Timeout
        );
    }

    #[test]
    fn send_failures_classify_as_connection_and_keep_text() {
        let text = send_failed_message("no responders");
        assert_eq!(
            classify_wasmcloud_error(&text),
            WasiError::Connection(text.clone())
        );
    }

    #[test]
    fn permission_texts_classify_as_permission_denied() {
        let text = "Permissions Violation for Publish to \"secret\"";
        assert_eq!(
            classify_wasmcloud_error(text),
            WasiError::PermissionDenied(text.into())
        );
    }

    #[test]
    fn queue_full_is_other() {
        assert_eq!(
            classify_wasmcloud_error(QUEUE_FULL),
            WasiError::Other(QUEUE_FULL.into())
        );
    }

    #[test]
    fn wasi_errors_read_like_wasmcloud_errors() {
        assert_eq!(
            wasmcloud_request_error(&WasiError::Timeout, 100),
            "request timed out after 100ms"
        );
        assert_eq!(
            wasmcloud_request_error(&WasiError::Connection("refused".into()), 100),
            "failed to send request: connection error: refused"
        );
        assert_eq!(
            wasmcloud_publish_error(&WasiError::Other("full".into())),
            "full"
        );
    }

    #[test]
    fn round_trip_of_a_timeout_is_stable() {
        let text = wasmcloud_request_error(&WasiError::Timeout, 5);
        assert_eq!(classify_wasmcloud_error(&text), WasiError::Timeout);
    }

    #[test]
    fn reply_subjects_are_recognised_exactly() {
        let s = reply_subject(42);
        assert_eq!(s, "_INBOX.msgbridge.reply.42");
        assert!(is_reply_subject(&s));
        assert!(!is_reply_subject("_INBOX.msgbridge.reply."));
        assert!(!is_reply_subject("_INBOX.msgbridge.reply.4x"));
        assert!(!is_reply_subject("_INBOX.abc"));
    }

    #[test]
    fn classification_table_keeps_the_old_order() {
        // A text matching both a permission and a connection rule is a permission error.
        assert_eq!(
            classify_kind("connection refused: not authorized"),
            ErrorKind::PermissionDenied
        );
        assert_eq!(classify_kind("Client DISCONNECTED"), ErrorKind::Connection);
        assert_eq!(classify_kind("x timed out"), ErrorKind::Timeout);
        assert_eq!(classify_kind(QUEUE_FULL), ErrorKind::Other);
    }

    #[test]
    fn missing_timeout_means_longest_wait() {
        assert_eq!(wasmcloud_timeout(None), u32::MAX);
        assert_eq!(wasmcloud_timeout(Some(7)), 7);
    }
    #[test]
    fn wasmcloud_async_errors_read_as_wasmcloud_strings_for_a_sync_guest() {
        use WasmcloudAsyncError as W;
        assert_eq!(
            W::Timeout.to_wasmcloud_request_error(250),
            "request timed out after 250ms"
        );
        assert_eq!(
            W::Other("no responders: x".into()).to_wasmcloud_request_error(250),
            send_failed_message("no responders: x")
        );
        // The loss: a named case keeps only its name.
        assert_eq!(
            W::BrokerUnavailable.to_wasmcloud_request_error(1),
            "failed to send request: broker-unavailable"
        );
        assert_eq!(
            W::QuotaExceeded.to_wasmcloud_publish_error(),
            "quota-exceeded"
        );
        assert_eq!(W::Other("full".into()).to_wasmcloud_publish_error(), "full");
        assert_eq!(
            classify_wasmcloud_error(&W::Timeout.to_wasmcloud_request_error(9)),
            WasiError::Timeout
        );
        assert_eq!(
            body_too_large_message(MAX_STREAMED_BODY),
            "message body exceeds the 16777216-byte limit on a streamed body"
        );
    }

    #[test]
    fn wasmcloud_async_errors_map_to_wasi_and_back() {
        use WasmcloudAsyncError as W;
        assert_eq!(W::Timeout.to_wasi(), WasiError::Timeout);
        assert_eq!(
            W::AccessDenied.to_wasi(),
            WasiError::PermissionDenied("access-denied".into())
        );
        assert_eq!(
            W::BrokerUnavailable.to_wasi(),
            WasiError::Connection("broker-unavailable".into())
        );
        assert_eq!(
            W::QuotaExceeded.to_wasi(),
            WasiError::Other("quota-exceeded".into())
        );
        // wasmCloud v2.8's "no responders" is a send failure, as `@0.2.0`'s wording is.
        let none = "no responders: no responders";
        assert_eq!(
            W::Other(none.into()).to_wasi(),
            WasiError::Connection(none.into())
        );
        assert_eq!(W::Other("x".into()).to_wasi(), WasiError::Other("x".into()));
        assert_eq!(W::from_wasi(&WasiError::Timeout), W::Timeout);
        assert_eq!(
            W::from_wasi(&WasiError::PermissionDenied("no".into())),
            W::AccessDenied
        );
        assert_eq!(
            W::from_wasi(&WasiError::Connection(none.into())),
            W::Other(none.into())
        );
        assert_eq!(W::MessageTooLarge.text(), "message-too-large");
        assert_eq!(HandleMessageError::Retry.to_string(), "retry");
        assert_eq!(HandleMessageError::Other("t".into()).to_string(), "t");
    }
}
