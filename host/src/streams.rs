//! The async worlds' `stream<u8>` bodies: read whole into a message (bounded by
//! [`msgbridge_mapping::MAX_STREAMED_BODY`]) and written from one.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use tokio::sync::oneshot;
use wasmtime::component::{Accessor, HasData, Source, StreamConsumer, StreamReader, StreamResult};
use wasmtime::StoreContextMut;

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BodyError {
    /// The writer sent more than the bound.
    #[error("{}", msgbridge_mapping::body_too_large_message(*.0))]
    TooLarge(usize),
}

/// Reads `body` to its end. The guest keeps running meanwhile; the bytes past `limit` are
/// refused, not buffered.
pub(crate) async fn collect<T: 'static, D: HasData + ?Sized>(
    accessor: &Accessor<T, D>,
    body: StreamReader<u8>,
    limit: usize,
) -> wasmtime::Result<Result<Bytes, BodyError>> {
    let (done, outcome) = oneshot::channel();
    accessor.with(|mut access| {
        body.pipe(
            &mut access,
            Collector {
                buffer: BytesMut::new(),
                limit,
                done: Some(done),
            },
        )
    })?;
    // The collector sends before it is dropped, so a closed channel cannot happen; treat
    // it as an empty body rather than as a trap.
    Ok(outcome.await.unwrap_or_else(|_| Ok(Bytes::new())))
}

/// A `stream<u8>` that gives the guest `bytes` and then ends. (The body becomes a `Vec`
/// without a copy when the host holds the only reference to it, as for a delivered
/// message.)
pub(crate) fn reader<T: 'static, D: HasData + ?Sized>(
    accessor: &Accessor<T, D>,
    bytes: Bytes,
) -> wasmtime::Result<StreamReader<u8>> {
    accessor.with(|mut access| StreamReader::new(&mut access, Vec::from(bytes)))
}

/// Accumulates what the guest writes; the runtime drops it when the writer closes the
/// stream, which hands the bytes over.
struct Collector {
    buffer: BytesMut,
    limit: usize,
    done: Option<oneshot::Sender<Result<Bytes, BodyError>>>,
}

impl Drop for Collector {
    fn drop(&mut self) {
        if let Some(done) = self.done.take() {
            let _ = done.send(Ok(std::mem::take(&mut self.buffer).freeze()));
        }
    }
}

impl<D> StreamConsumer<D> for Collector {
    type Item = u8;

    fn poll_consume(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        store: StoreContextMut<D>,
        source: Source<Self::Item>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let this = self.get_mut();
        let mut source = source.as_direct(store);
        let offered = source.remaining();
        if offered.is_empty() {
            // A zero-length write asks whether the reader is ready: it always is.
            return Poll::Ready(Ok(if finish {
                StreamResult::Cancelled
            } else {
                StreamResult::Completed
            }));
        }
        let n = offered.len();
        if this.buffer.len().saturating_add(n) > this.limit {
            if let Some(done) = this.done.take() {
                let _ = done.send(Err(BodyError::TooLarge(this.limit)));
            }
            return Poll::Ready(Ok(StreamResult::Dropped));
        }
        this.buffer.extend_from_slice(offered);
        source.mark_read(n);
        Poll::Ready(Ok(StreamResult::Completed))
    }
}
