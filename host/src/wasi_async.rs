//! Omnia's async `wasi:messaging@0.2.0-draft`: the host side of its `types`, `producer` and
//! `request-reply`. The resources and their synchronous methods are the synchronous world's
//! ([`crate::wasi`]); `connect`, `send`, `request` and `reply` are `async func`s here, so the
//! guest keeps running while the broker answers.

use std::sync::Arc;

use msgbridge_mapping::WasiError;
use wasmtime::component::{Accessor, HasSelf, Resource};

use crate::bindings::wasi::wasi::messaging as sync;
use crate::bindings::wasi_async::wasi::messaging::{producer, request_reply, types};
use crate::state::HostState;
use crate::wasi::{plain_error, Client, RequestOptions, WasiMessage};
use crate::Broker;

use types::{Error, Metadata};

crate::wasi::wasi_error_conversions!(Error);

/// An async wasi `error` in words, as the host logs a failed handler (the synchronous
/// world's wording).
pub(crate) fn describe_error(error: Error) -> String {
    WasiError::from(error).to_string()
}

/// Runs `take` on the store's state (taking what a call sends out of the guest's
/// resources) and returns its outcome with the store's broker, which the call then awaits
/// outside the store.
fn take<T, R>(
    accessor: &Accessor<T, HasSelf<HostState>>,
    take: impl FnOnce(&mut HostState) -> wasmtime::Result<R>,
) -> wasmtime::Result<(Arc<dyn Broker>, R)> {
    accessor.with(|mut access| {
        let state = access.get();
        Ok((state.broker.clone(), take(state)?))
    })
}

impl types::Host for HostState {}

impl<T> types::HostClientWithStore<T> for HasSelf<HostState> {
    async fn connect(
        accessor: &Accessor<T, Self>,
        name: String,
    ) -> wasmtime::Result<Result<Resource<Client>, Error>> {
        accessor.with(|mut access| Ok(Ok(access.get().connect_client(name)?)))
    }
}

impl types::HostClient for HostState {
    fn disconnect(&mut self, client: Resource<Client>) -> wasmtime::Result<Result<(), Error>> {
        Ok(sync::types::HostClient::disconnect(self, client)?
            .map_err(|e| WasiError::from(e).into()))
    }

    fn drop(&mut self, client: Resource<Client>) -> wasmtime::Result<()> {
        sync::types::HostClient::drop(self, client)
    }
}

impl types::HostMessage for HostState {
    fn new(&mut self, data: Vec<u8>) -> wasmtime::Result<Resource<WasiMessage>> {
        sync::types::HostMessage::new(self, data)
    }

    fn topic(&mut self, message: Resource<WasiMessage>) -> wasmtime::Result<Option<String>> {
        sync::types::HostMessage::topic(self, message)
    }

    fn content_type(&mut self, message: Resource<WasiMessage>) -> wasmtime::Result<Option<String>> {
        sync::types::HostMessage::content_type(self, message)
    }

    fn set_content_type(
        &mut self,
        message: Resource<WasiMessage>,
        content_type: String,
    ) -> wasmtime::Result<()> {
        sync::types::HostMessage::set_content_type(self, message, content_type)
    }

    fn data(&mut self, message: Resource<WasiMessage>) -> wasmtime::Result<Vec<u8>> {
        sync::types::HostMessage::data(self, message)
    }

    fn set_data(&mut self, message: Resource<WasiMessage>, data: Vec<u8>) -> wasmtime::Result<()> {
        sync::types::HostMessage::set_data(self, message, data)
    }

    fn metadata(&mut self, message: Resource<WasiMessage>) -> wasmtime::Result<Option<Metadata>> {
        sync::types::HostMessage::metadata(self, message)
    }

    fn add_metadata(
        &mut self,
        message: Resource<WasiMessage>,
        key: String,
        value: String,
    ) -> wasmtime::Result<()> {
        sync::types::HostMessage::add_metadata(self, message, key, value)
    }

    fn set_metadata(
        &mut self,
        message: Resource<WasiMessage>,
        meta: Metadata,
    ) -> wasmtime::Result<()> {
        sync::types::HostMessage::set_metadata(self, message, meta)
    }

    fn remove_metadata(
        &mut self,
        message: Resource<WasiMessage>,
        key: String,
    ) -> wasmtime::Result<()> {
        sync::types::HostMessage::remove_metadata(self, message, key)
    }

    fn drop(&mut self, message: Resource<WasiMessage>) -> wasmtime::Result<()> {
        sync::types::HostMessage::drop(self, message)
    }
}

impl producer::Host for HostState {}

impl<T> producer::HostWithStore<T> for HasSelf<HostState> {
    async fn send(
        accessor: &Accessor<T, Self>,
        client: Resource<Client>,
        topic: String,
        message: Resource<WasiMessage>,
    ) -> wasmtime::Result<Result<(), Error>> {
        let (broker, outgoing) = take(accessor, |s| s.take_send(&client, topic, message))?;
        let outgoing = match outgoing {
            Ok(outgoing) => outgoing,
            Err(e) => return Ok(Err(e.into())),
        };
        Ok(broker
            .publish(outgoing)
            .await
            .map_err(|e| plain_error(e).into()))
    }
}

impl request_reply::Host for HostState {}

impl request_reply::HostRequestOptions for HostState {
    fn new(&mut self) -> wasmtime::Result<Resource<RequestOptions>> {
        sync::request_reply::HostRequestOptions::new(self)
    }

    fn set_timeout_ms(
        &mut self,
        options: Resource<RequestOptions>,
        timeout_ms: u32,
    ) -> wasmtime::Result<()> {
        sync::request_reply::HostRequestOptions::set_timeout_ms(self, options, timeout_ms)
    }

    fn set_expected_replies(
        &mut self,
        options: Resource<RequestOptions>,
        expected_replies: u32,
    ) -> wasmtime::Result<()> {
        sync::request_reply::HostRequestOptions::set_expected_replies(
            self,
            options,
            expected_replies,
        )
    }

    fn drop(&mut self, options: Resource<RequestOptions>) -> wasmtime::Result<()> {
        sync::request_reply::HostRequestOptions::drop(self, options)
    }
}

impl<T> request_reply::HostWithStore<T> for HasSelf<HostState> {
    async fn request(
        accessor: &Accessor<T, Self>,
        client: Resource<Client>,
        topic: String,
        message: Resource<WasiMessage>,
        options: Option<Resource<RequestOptions>>,
    ) -> wasmtime::Result<Result<Vec<Resource<WasiMessage>>, Error>> {
        let (broker, outgoing) = take(accessor, |s| {
            s.take_request(&client, topic, &message, options)
        })?;
        let outgoing = match outgoing {
            Ok(outgoing) => outgoing,
            Err(e) => return Ok(Err(e.into())),
        };
        let replies = match broker
            .request(outgoing.message, outgoing.timeout, outgoing.expected)
            .await
        {
            Ok(replies) => replies,
            Err(e) => return Ok(Err(plain_error(e).into())),
        };
        accessor.with(|mut access| Ok(Ok(access.get().push_replies(replies)?)))
    }

    async fn reply(
        accessor: &Accessor<T, Self>,
        reply_to: Resource<WasiMessage>,
        message: Resource<WasiMessage>,
    ) -> wasmtime::Result<Result<(), Error>> {
        let (broker, outgoing) = take(accessor, |s| s.take_reply(&reply_to, message))?;
        let Some(outgoing) = outgoing else {
            return Ok(Ok(()));
        };
        Ok(broker
            .publish(outgoing)
            .await
            .map_err(|e| plain_error(e).into()))
    }
}
