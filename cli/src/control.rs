//! The control socket of `msgbridge run`: a Unix socket through which `msgbridge request`
//! and `msgbridge publish` put messages on a running host's broker, the in-process one
//! included. One JSON object per line each way: a [`ControlRequest`], then a
//! [`ControlResponse`]. The socket is the user's own (mode 0600, in a 0700 directory).
//!
//! Each host has its own socket, `host-<pid>.sock` in [`runtime_dir`] unless `--control`
//! names another, so any number of hosts run side by side; a client without `--control`
//! talks to the one host running ([`find_host`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use msgbridge_host::{Broker, Message};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

/// The directory the hosts' control sockets are in: `$XDG_RUNTIME_DIR/msgbridge`, or
/// `/tmp/msgbridge-<uid>`.
pub fn runtime_dir() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir).join("msgbridge"),
        _ => {
            let uid = std::fs::metadata("/proc/self")
                .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
                .unwrap_or(0);
            std::env::temp_dir().join(format!("msgbridge-{uid}"))
        }
    }
}

/// The default control socket of the host whose process id is `pid`:
/// `host-<pid>.sock` in [`runtime_dir`], so that any number of hosts run side by side.
pub fn socket_for(pid: u32) -> PathBuf {
    runtime_dir().join(format!("host-{pid}.sock"))
}

/// A host found through its default control socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundHost {
    /// Its control socket.
    pub path: PathBuf,
    /// Its process id, from the socket's name.
    pub pid: u32,
}

/// The hosts listening on a default control socket now, by process id. A socket nobody
/// listens on is skipped, and removed when its process is gone (it died without removing
/// it); one whose process lives may be a host between binding and listening.
pub fn running_hosts() -> Vec<FoundHost> {
    let Ok(entries) = std::fs::read_dir(runtime_dir()) else {
        return Vec::new();
    };
    let mut hosts: Vec<FoundHost> = entries
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_str()?;
            let pid = name
                .strip_prefix("host-")?
                .strip_suffix(".sock")?
                .parse()
                .ok()?;
            Some(FoundHost { path, pid })
        })
        .filter(
            |host| match std::os::unix::net::UnixStream::connect(&host.path) {
                Ok(_) => true,
                Err(e) => {
                    if e.kind() == std::io::ErrorKind::ConnectionRefused && !alive(host.pid) {
                        let _ = std::fs::remove_file(&host.path);
                    }
                    false
                }
            },
        )
        .collect();
    hosts.sort_by_key(|host| host.pid);
    hosts
}

/// Whether process `pid` exists (where `/proc` says; elsewhere it is taken to be gone).
fn alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    proc.join("self").exists() && proc.join(pid.to_string()).exists()
}

/// The control socket `msgbridge request` and `publish` use without `--control`: that of
/// the one host running. With none, or several, an error saying what to do (with several,
/// each one's socket and what it serves).
pub async fn find_host() -> Result<PathBuf> {
    let hosts = running_hosts();
    match hosts.as_slice() {
        [one] => Ok(one.path.clone()),
        [] => bail!(
            "no msgbridge host is running (no control socket in {}): start one with \
             `msgbridge run`, or give `--nats URL` to talk to NATS directly",
            runtime_dir().display()
        ),
        several => {
            let mut list = String::new();
            for host in several {
                let described = match tokio::time::timeout(
                    Duration::from_secs(2),
                    send(&host.path, &ControlRequest::Describe),
                )
                .await
                {
                    Ok(Ok(ControlResponse {
                        host: Some(what), ..
                    })) => what,
                    _ => "(did not say what it serves)".to_string(),
                };
                list.push_str(&format!(
                    "\n  --control {} (pid {}): {described}",
                    host.path.display(),
                    host.pid
                ));
            }
            bail!(
                "{} msgbridge hosts are running; name the one to talk to with `--control \
                 PATH`:{list}",
                several.len()
            )
        }
    }
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
    /// Say what the host serves (its readiness line's summary), in `host`.
    Describe,
}

/// What the host answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ControlResponse {
    /// The reply's body (for a request that got one).
    pub reply: Option<Vec<u8>>,
    /// What went wrong, in words.
    pub error: Option<String>,
    /// What the host serves, answering [`ControlRequest::Describe`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

impl ControlResponse {
    fn reply(reply: Option<Vec<u8>>) -> Self {
        ControlResponse {
            reply,
            error: None,
            host: None,
        }
    }

    fn failed(error: String) -> Self {
        ControlResponse {
            reply: None,
            error: Some(error),
            host: None,
        }
    }
}

/// Listens on `path` (replacing a stale socket) and serves clients with `broker`, until the
/// returned task is aborted; `described` is what the host says it serves.
pub fn serve(
    path: &Path,
    broker: Arc<dyn Broker>,
    described: String,
) -> Result<tokio::task::JoinHandle<()>> {
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
    let described: Arc<str> = described.into();
    Ok(tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(client(stream, broker.clone(), described.clone()));
        }
    }))
}

async fn client(stream: UnixStream, broker: Arc<dyn Broker>, described: Arc<str>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let response = match serde_json::from_str::<ControlRequest>(&line) {
            Ok(ControlRequest::Describe) => ControlResponse {
                host: Some(described.to_string()),
                ..ControlResponse::reply(None)
            },
            Ok(request) => answer(&broker, request).await,
            Err(e) => ControlResponse::failed(format!("not a control request: {e}")),
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
    let result = match request {
        ControlRequest::Request {
            subject,
            body,
            timeout_ms,
        } => broker
            .request(
                Message::new(subject, Bytes::from(body)),
                Some(Duration::from_millis(timeout_ms)),
                Some(1),
            )
            .await
            .map(|replies| replies.into_iter().next().map(|m| m.body.to_vec())),
        ControlRequest::Publish { subject, body } => broker
            .publish(Message::new(subject, Bytes::from(body)))
            .await
            .map(|()| None),
        ControlRequest::Describe => Ok(None),
    };
    match result {
        Ok(reply) => ControlResponse::reply(reply),
        Err(e) => ControlResponse::failed(e.to_string()),
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
