//! The control socket of `msgbridge run`: a Unix socket through which `msgbridge request`
//! and `msgbridge publish` put messages on a running host's broker, the in-process one
//! included. One JSON object per line each way: a [`ControlRequest`], then a
//! [`ControlResponse`]. The socket is the user's own (mode 0600, in a 0700 directory).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use msgbridge_host::{Broker, Message};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

/// The default control socket: `$XDG_RUNTIME_DIR/msgbridge/control.sock`, or
/// `/tmp/msgbridge-<uid>/control.sock`.
pub fn default_path() -> PathBuf {
    let dir = match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir).join("msgbridge"),
        _ => {
            let uid = std::fs::metadata("/proc/self")
                .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
                .unwrap_or(0);
            std::env::temp_dir().join(format!("msgbridge-{uid}"))
        }
    };
    dir.join("control.sock")
}

/// What a client asks.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum ControlRequest {
    /// Publish `body` on `subject` with a fresh reply subject and wait for the first reply.
    Request {
        /// The subject.
        subject: String,
        /// The body.
        body: Vec<u8>,
        /// How long to wait, in milliseconds.
        timeout_ms: u64,
    },
    /// Publish `body` on `subject`.
    Publish {
        /// The subject.
        subject: String,
        /// The body.
        body: Vec<u8>,
    },
}

/// What the host answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ControlResponse {
    /// The reply's body (for a request that got one).
    pub reply: Option<Vec<u8>>,
    /// What went wrong, in words.
    pub error: Option<String>,
}

/// Listens on `path` (replacing a stale socket) and serves clients with `broker`, until the
/// returned task is aborted.
pub fn serve(path: &Path, broker: Arc<dyn Broker>) -> Result<tokio::task::JoinHandle<()>> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            bail!(
                "another msgbridge host already listens on {}: stop it, or give this one \
                 `--control OTHER_PATH`",
                path.display()
            );
        }
        std::fs::remove_file(path)
            .with_context(|| format!("cannot remove the stale socket {}", path.display()))?;
    }
    let listener =
        UnixListener::bind(path).with_context(|| format!("cannot listen on {}", path.display()))?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("cannot restrict {}", path.display()))?;
    Ok(tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(client(stream, broker.clone()));
        }
    }))
}

async fn client(stream: UnixStream, broker: Arc<dyn Broker>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let response = match serde_json::from_str::<ControlRequest>(&line) {
            Ok(request) => answer(&broker, request).await,
            Err(e) => ControlResponse {
                reply: None,
                error: Some(format!("not a control request: {e}")),
            },
        };
        let Ok(mut text) = serde_json::to_string(&response) else {
            return;
        };
        text.push('\n');
        if write.write_all(text.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn answer(broker: &Arc<dyn Broker>, request: ControlRequest) -> ControlResponse {
    let failed = |e: msgbridge_host::BrokerError| ControlResponse {
        reply: None,
        error: Some(e.to_string()),
    };
    match request {
        ControlRequest::Request {
            subject,
            body,
            timeout_ms,
        } => match broker
            .request(
                Message::new(subject, Bytes::from(body)),
                Some(Duration::from_millis(timeout_ms)),
                Some(1),
            )
            .await
        {
            Ok(replies) => ControlResponse {
                reply: replies.into_iter().next().map(|m| m.body.to_vec()),
                error: None,
            },
            Err(e) => failed(e),
        },
        ControlRequest::Publish { subject, body } => {
            match broker
                .publish(Message::new(subject, Bytes::from(body)))
                .await
            {
                Ok(()) => ControlResponse {
                    reply: None,
                    error: None,
                },
                Err(e) => failed(e),
            }
        }
    }
}

/// Sends `request` to the host listening on `path` and returns its response.
pub async fn send(path: &Path, request: &ControlRequest) -> Result<ControlResponse> {
    let stream = UnixStream::connect(path).await.with_context(|| {
        format!(
            "no msgbridge host listens on {}: start one with `msgbridge run`, or give \
             `--nats URL` to talk to NATS directly",
            path.display()
        )
    })?;
    let (read, mut write) = stream.into_split();
    let mut line = serde_json::to_string(request)?;
    line.push('\n');
    write.write_all(line.as_bytes()).await?;
    let mut lines = BufReader::new(read).lines();
    let answer = lines
        .next_line()
        .await?
        .context("the host closed the control socket without answering")?;
    Ok(serde_json::from_str(&answer)?)
}
