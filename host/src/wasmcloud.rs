//! `wasmcloud:messaging@0.2.0`: the host side of `consumer`, worded as wasmCloud v2 words
//! its errors.

use std::time::Duration;

use crate::bindings::wasmcloud::wasmcloud::messaging::{consumer, types::BrokerMessage};
use crate::state::HostState;
use crate::{BrokerError, Message};

impl consumer::Host for HostState {
    async fn request(
        &mut self,
        subject: String,
        body: Vec<u8>,
        timeout_ms: u32,
    ) -> wasmtime::Result<Result<BrokerMessage, String>> {
        let request = Message::new(subject, body);
        let timeout = Duration::from_millis(u64::from(timeout_ms));
        let result = self.broker.request(request, Some(timeout), Some(1)).await;
        Ok(match result {
            Ok(replies) => match replies.into_iter().next() {
                Some(reply) => Ok(BrokerMessage {
                    subject: reply.subject,
                    body: reply.body.to_vec(),
                    reply_to: reply.reply_to,
                }),
                None => Err(msgbridge_mapping::timeout_message(timeout_ms)),
            },
            Err(BrokerError::Timeout) => Err(msgbridge_mapping::timeout_message(timeout_ms)),
            Err(e) => Err(msgbridge_mapping::send_failed_message(e)),
        })
    }

    async fn publish(&mut self, msg: BrokerMessage) -> wasmtime::Result<Result<(), String>> {
        let message = Message {
            subject: msg.subject,
            body: msg.body.into(),
            reply_to: msg.reply_to,
            content_type: None,
            metadata: None,
        };
        Ok(self
            .broker
            .publish(message)
            .await
            .map_err(|e| e.to_string()))
    }
}

impl crate::bindings::wasmcloud::wasmcloud::messaging::types::Host for HostState {}

/// The `broker-message` a wasmcloud-world handler receives for `message`.
pub(crate) fn to_broker_message(message: &Message) -> BrokerMessage {
    BrokerMessage {
        subject: message.subject.clone(),
        body: message.body.to_vec(),
        reply_to: message.reply_to.clone(),
    }
}
