//! `wasmcloud:messaging@0.3.0`: the host side of the async `consumer`, as wasmCloud v2.8
//! serves it (bodies read whole, bounded by [`msgbridge_mapping::MAX_STREAMED_BODY`], before
//! they are sent; delivered bodies handed over as a stream).

use std::time::Duration;

use bytes::Bytes;
use wasmtime::component::{Accessor, HasSelf, StreamReader};

use crate::bindings::wasmcloud_async::wasmcloud::messaging::{consumer, types};
use crate::state::HostState;
use crate::streams::{self, BodyError};
use crate::{BrokerError, Message};

use types::{BrokerMessage, Error, HandleMessageError};

/// How long a `request` without `timeout-ms` waits: async-nats' default request timeout,
/// which wasmCloud v2.8's NATS backend applies then.
pub(crate) const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The `error` case for a broker failure: the named cases where one fits, the broker's
/// text in `other` otherwise.
fn consumer_error(e: BrokerError) -> Error {
    match e {
        BrokerError::Timeout => Error::Timeout,
        BrokerError::QueueFull => Error::QuotaExceeded,
        BrokerError::InvalidSubject(_) => Error::SubjectInvalid,
        BrokerError::Connection(_) | BrokerError::Closed => Error::BrokerUnavailable,
        BrokerError::NoResponders(_) | BrokerError::InvalidHeader(_) => Error::Other(e.to_string()),
    }
}

impl From<BodyError> for Error {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::TooLarge(_) => Error::MessageTooLarge,
        }
    }
}

/// A handler's `handle-message-error` in words, as the host logs it.
pub(crate) fn describe_handle_error(error: HandleMessageError) -> String {
    let plain = match error {
        HandleMessageError::Reject => msgbridge_mapping::HandleMessageError::Reject,
        HandleMessageError::Retry => msgbridge_mapping::HandleMessageError::Retry,
        HandleMessageError::Other(text) => msgbridge_mapping::HandleMessageError::Other(text),
    };
    plain.to_string()
}

impl<T> consumer::HostWithStore<T> for HasSelf<HostState> {
    async fn request(
        accessor: &Accessor<T, Self>,
        subject: String,
        body: StreamReader<u8>,
        timeout_ms: Option<u32>,
    ) -> wasmtime::Result<Result<BrokerMessage, Error>> {
        let body =
            match streams::collect(accessor, body, msgbridge_mapping::MAX_STREAMED_BODY).await? {
                Ok(body) => body,
                Err(e) => return Ok(Err(e.into())),
            };
        let broker = accessor.with(|mut access| access.get().broker.clone());
        let timeout = timeout_ms.map_or(DEFAULT_REQUEST_TIMEOUT, |ms| {
            Duration::from_millis(u64::from(ms))
        });
        let reply = match broker
            .request(Message::new(subject, body), Some(timeout), Some(1))
            .await
        {
            Ok(replies) => match replies.into_iter().next() {
                Some(reply) => reply,
                None => return Ok(Err(Error::Timeout)),
            },
            Err(e) => return Ok(Err(consumer_error(e))),
        };
        Ok(Ok(BrokerMessage {
            subject: reply.subject,
            body: streams::reader(accessor, reply.body)?,
            reply_to: reply.reply_to,
        }))
    }

    async fn publish(
        accessor: &Accessor<T, Self>,
        msg: BrokerMessage,
    ) -> wasmtime::Result<Result<(), Error>> {
        let BrokerMessage {
            subject,
            body,
            reply_to,
        } = msg;
        let body =
            match streams::collect(accessor, body, msgbridge_mapping::MAX_STREAMED_BODY).await? {
                Ok(body) => body,
                Err(e) => return Ok(Err(e.into())),
            };
        let broker = accessor.with(|mut access| access.get().broker.clone());
        let message = Message {
            subject,
            body,
            reply_to,
            content_type: None,
            metadata: None,
        };
        Ok(broker.publish(message).await.map_err(consumer_error))
    }
}

impl consumer::Host for HostState {}

impl types::Host for HostState {}

/// The `broker-message` an async wasmcloud-world handler receives for `message`: its body
/// as a stream the guest reads.
pub(crate) fn to_broker_message<T: 'static>(
    accessor: &Accessor<T>,
    message: Message,
) -> wasmtime::Result<BrokerMessage> {
    let body: Bytes = message.body;
    Ok(BrokerMessage {
        subject: message.subject,
        body: streams::reader(accessor, body)?,
        reply_to: message.reply_to,
    })
}
