//! Delivering messages: each one to a fresh instance of the subscribed component, in its
//! own task, as wasmCloud v2 does.

use std::sync::Arc;

use wasmtime::component::Resource;
use wasmtime::Store;

use crate::component::{Handler, Loaded};
use crate::events::{Delivery, Events, Outcome};
use crate::wasi::{describe_error, WasiMessage};
use crate::{Broker, Message, Subscription};

/// Reads `sub` until it ends, delivering each message in its own task.
pub(crate) async fn listen(
    component: Arc<Loaded>,
    broker: Arc<dyn Broker>,
    events: Events,
    mut sub: Subscription,
) {
    while let Some(message) = sub.next().await {
        tokio::spawn(deliver(
            component.clone(),
            broker.clone(),
            events.clone(),
            message,
        ));
    }
    tracing::debug!(component = %component.name, "subscription ended");
}

/// Delivers `message` to a fresh instance of `component`, logging handler errors and traps
/// and reporting the outcome to `events`.
async fn deliver(
    component: Arc<Loaded>,
    broker: Arc<dyn Broker>,
    events: Events,
    message: Message,
) {
    let name = component.name.clone();
    tracing::debug!(
        component = %name,
        subject = %message.subject,
        reply_to = ?message.reply_to,
        len = message.body.len(),
        "delivering message"
    );
    let Some(handler) = component.handler.clone() else {
        return;
    };
    let subject = message.subject.clone();
    let mut store = Store::new(handler.engine(), component.new_state(broker));
    let outcome: wasmtime::Result<Result<(), String>> = match handler {
        Handler::Wasmcloud(pre) => {
            async {
                let guest = pre.instantiate_async(&mut store).await?;
                guest
                    .wasmcloud_messaging_handler()
                    .call_handle_message(&mut store, &crate::wasmcloud::to_broker_message(&message))
                    .await
            }
            .await
        }
        Handler::Wasi(pre) => {
            async {
                let guest = pre.instantiate_async(&mut store).await?;
                let incoming: Resource<WasiMessage> = store
                    .data_mut()
                    .table
                    .push(WasiMessage::received(message))?;
                let result = guest
                    .wasi_messaging_incoming_handler()
                    .call_handle(&mut store, incoming)
                    .await?;
                Ok(result.map_err(describe_error))
            }
            .await
        }
    };
    let outcome = match outcome {
        Ok(Ok(())) => Outcome::Handled,
        Ok(Err(error)) => {
            tracing::warn!(component = %name, subject = %subject, error = %error, "handler returned an error");
            Outcome::Failed(error)
        }
        Err(trap) => {
            let trap = format!("{trap:#}");
            tracing::warn!(component = %name, subject = %subject, error = %trap, "handler trapped");
            Outcome::Trapped(trap)
        }
    };
    events.send(Delivery {
        component: name,
        subject,
        outcome,
    });
}
