//! The message type every broker carries.

use bytes::Bytes;

/// One message as a broker carries it: a subject, a byte body, an optional reply subject,
/// and the wasi world's optional content-type and metadata.
///
/// On the in-process broker the fields travel as they are; on NATS the content-type is the
/// `Content-Type` header and each metadata entry is one more header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// Subject the message is (or was) published on.
    pub subject: String,
    /// Opaque payload.
    pub body: Bytes,
    /// Subject a reply should be published to, if the sender awaits one.
    pub reply_to: Option<String>,
    /// The payload's format (a MIME type, for example), if one was given.
    pub content_type: Option<String>,
    /// Key-value pairs carried beside the payload; `None` when there are none.
    pub metadata: Option<Vec<(String, String)>>,
}

impl Message {
    /// A message with `subject` and `body` and nothing else.
    pub fn new(subject: impl Into<String>, body: impl Into<Bytes>) -> Self {
        Message {
            subject: subject.into(),
            body: body.into(),
            ..Message::default()
        }
    }

    /// The same message with `reply_to` set.
    pub fn with_reply_to(mut self, reply_to: impl Into<String>) -> Self {
        self.reply_to = Some(reply_to.into());
        self
    }

    /// The same message with `content_type` set.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The same message with `metadata` set (an empty list means none).
    pub fn with_metadata(mut self, metadata: Vec<(String, String)>) -> Self {
        self.metadata = if metadata.is_empty() {
            None
        } else {
            Some(metadata)
        };
        self
    }
}
