//! Omnia's async `wasi:messaging@0.2.0-draft`: the host side of its `types`, `producer` and
//! `request-reply`. The resources and their synchronous methods are the synchronous world's
//! ([`crate::wasi`]); `connect`, `send`, `request` and `reply` are `async func`s here, so the
//! guest keeps running while the broker answers.

use msgbridge_mapping::WasiError;
use wasmtime::component::{Accessor, HasSelf, Resource};

use crate::bindings::wasi::wasi::messaging as sync;
use crate::bindings::wasi_async::wasi::messaging::{producer, request_reply, types};
use crate::state::HostState;
use crate::wasi::{plain_error, Client, RequestOptions, WasiMessage};

use types::{Error, Metadata};

impl From<WasiError> for Error {
    fn from(e: WasiError) -> Self {
        match e {
            WasiError::Timeout => Error::Timeout,
            WasiError::Connection(s) => Error::Connection(s),
            WasiError::PermissionDenied(s) => Error::PermissionDenied(s),
            WasiError::Other(s) => Error::Other(s),
        }
    }
}

/// An async wasi `error` in words, as the host logs a failed handler (the synchronous
/// world's wording).
pub(crate) fn describe_error(error: Error) -> String {
    let plain = match error {
        Error::Timeout => WasiError::Timeout,
        Error::Connection(s) => WasiError::Connection(s),
        Error::PermissionDenied(s) => WasiError::PermissionDenied(s),
        Error::Other(s) => WasiError::Other(s),
    };
    plain.to_string()
}

/// The synchronous world's `error` as the async world's.
fn from_sync(error: sync::types::Error) -> Error {
    match error {
        sync::types::Error::Timeout => Error::Timeout,
        sync::types::Error::Connection(s) => Error::Connection(s),
        sync::types::Error::PermissionDenied(s) => Error::PermissionDenied(s),
        sync::types::Error::Other(s) => Error::Other(s),
    }
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
    async fn disconnect(
        &mut self,
        client: Resource<Client>,
    ) -> wasmtime::Result<Result<(), Error>> {
        Ok(sync::types::HostClient::disconnect(self, client)
            .await?
            .map_err(from_sync))
    }

    async fn drop(&mut self, client: Resource<Client>) -> wasmtime::Result<()> {
        sync::types::HostClient::drop(self, client).await
    }
}

impl types::HostMessage for HostState {
    async fn new(&mut self, data: Vec<u8>) -> wasmtime::Result<Resource<WasiMessage>> {
        sync::types::HostMessage::new(self, data).await
    }

    async fn topic(&mut self, message: Resource<WasiMessage>) -> wasmtime::Result<Option<String>> {
        sync::types::HostMessage::topic(self, message).await
    }

    async fn content_type(
        &mut self,
        message: Resource<WasiMessage>,
    ) -> wasmtime::Result<Option<String>> {
        sync::types::HostMessage::content_type(self, message).await
    }

    async fn set_content_type(
        &mut self,
        message: Resource<WasiMessage>,
        content_type: String,
    ) -> wasmtime::Result<()> {
        sync::types::HostMessage::set_content_type(self, message, content_type).await
    }

    async fn data(&mut self, message: Resource<WasiMessage>) -> wasmtime::Result<Vec<u8>> {
        sync::types::HostMessage::data(self, message).await
    }

    async fn set_data(
        &mut self,
        message: Resource<WasiMessage>,
        data: Vec<u8>,
    ) -> wasmtime::Result<()> {
        sync::types::HostMessage::set_data(self, message, data).await
    }

    async fn metadata(
        &mut self,
        message: Resource<WasiMessage>,
    ) -> wasmtime::Result<Option<Metadata>> {
        sync::types::HostMessage::metadata(self, message).await
    }

    async fn add_metadata(
        &mut self,
        message: Resource<WasiMessage>,
        key: String,
        value: String,
    ) -> wasmtime::Result<()> {
        sync::types::HostMessage::add_metadata(self, message, key, value).await
    }

    async fn set_metadata(
        &mut self,
        message: Resource<WasiMessage>,
        meta: Metadata,
    ) -> wasmtime::Result<()> {
        sync::types::HostMessage::set_metadata(self, message, meta).await
    }

    async fn remove_metadata(
        &mut self,
        message: Resource<WasiMessage>,
        key: String,
    ) -> wasmtime::Result<()> {
        sync::types::HostMessage::remove_metadata(self, message, key).await
    }

    async fn drop(&mut self, message: Resource<WasiMessage>) -> wasmtime::Result<()> {
        sync::types::HostMessage::drop(self, message).await
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
        let taken = accessor.with(|mut access| {
            let state = access.get();
            Ok::<_, wasmtime::Error>(
                state
                    .take_send(&client, topic, message)?
                    .map(|outgoing| (state.broker.clone(), outgoing)),
            )
        })?;
        let (broker, outgoing) = match taken {
            Ok(taken) => taken,
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
    async fn new(&mut self) -> wasmtime::Result<Resource<RequestOptions>> {
        sync::request_reply::HostRequestOptions::new(self).await
    }

    async fn set_timeout_ms(
        &mut self,
        options: Resource<RequestOptions>,
        timeout_ms: u32,
    ) -> wasmtime::Result<()> {
        sync::request_reply::HostRequestOptions::set_timeout_ms(self, options, timeout_ms).await
    }

    async fn set_expected_replies(
        &mut self,
        options: Resource<RequestOptions>,
        expected_replies: u32,
    ) -> wasmtime::Result<()> {
        sync::request_reply::HostRequestOptions::set_expected_replies(
            self,
            options,
            expected_replies,
        )
        .await
    }

    async fn drop(&mut self, options: Resource<RequestOptions>) -> wasmtime::Result<()> {
        sync::request_reply::HostRequestOptions::drop(self, options).await
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
        let taken = accessor.with(|mut access| {
            let state = access.get();
            Ok::<_, wasmtime::Error>(
                state
                    .take_request(&client, topic, &message, options)?
                    .map(|outgoing| (state.broker.clone(), outgoing)),
            )
        })?;
        let (broker, outgoing) = match taken {
            Ok(taken) => taken,
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
        let taken = accessor.with(|mut access| {
            let state = access.get();
            Ok::<_, wasmtime::Error>(
                state
                    .take_reply(&reply_to, message)?
                    .map(|outgoing| (state.broker.clone(), outgoing)),
            )
        })?;
        let Some((broker, outgoing)) = taken else {
            return Ok(Ok(()));
        };
        Ok(broker
            .publish(outgoing)
            .await
            .map_err(|e| plain_error(e).into()))
    }
}
