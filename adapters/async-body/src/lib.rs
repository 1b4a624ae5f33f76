//! What msgbridge's asynchronous adapter halves share: the asynchronous worlds' message bodies
//! are `stream<u8>`s, and the other world's are whole messages, so a half reads a stream to
//! its end into one message (bounded by [`msgbridge_mapping::MAX_STREAMED_BODY`]) and writes
//! a message into a stream it then ends.

use wit_bindgen::{StreamReader, StreamResult, StreamWriter};

/// A streamed body that is longer than the bound: the read stopped there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge {
    /// The bound, in bytes.
    pub limit: usize,
}

impl core::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&msgbridge_mapping::body_too_large_message(self.limit))
    }
}

/// How many bytes one read asks for at most.
const CHUNK: usize = 64 << 10;

/// Reads `body` to its end (the writer dropping its end), failing once more than `limit`
/// bytes arrived; the reader is dropped either way.
pub async fn read(mut body: StreamReader<u8>, limit: usize) -> Result<Vec<u8>, TooLarge> {
    let mut data: Vec<u8> = Vec::new();
    loop {
        // Ask for at most one byte past the bound, so that a body of exactly `limit` bytes
        // is read whole and a longer one is noticed without reading all of it.
        let room = (limit + 1).saturating_sub(data.len()).min(CHUNK);
        if room == 0 {
            return Err(TooLarge { limit });
        }
        data.reserve(room);
        let (status, buf) = body.read(data).await;
        data = buf;
        match status {
            StreamResult::Complete(_) => {
                if data.len() > limit {
                    return Err(TooLarge { limit });
                }
            }
            StreamResult::Dropped | StreamResult::Cancelled => return Ok(data),
        }
    }
}

/// Writes `body` into `writer` and then drops it, which ends the stream. An empty body is
/// no write at all, only the end. Bytes the reader did not take (it dropped its end) are
/// the concern of the call that carried the stream: its result says why.
pub async fn write(mut writer: StreamWriter<u8>, body: Vec<u8>) {
    if !body.is_empty() {
        let _unsent = writer.write_all(body).await;
    }
    drop(writer);
}
