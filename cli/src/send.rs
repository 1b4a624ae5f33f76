//! `msgbridge request SUBJECT BODY` and `msgbridge publish SUBJECT BODY`: put a message on a
//! running host's broker, through its control socket (the in-process broker) or straight
//! to NATS, as a developer would with `nats request`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use msgbridge_host::{Broker, Message, NatsBroker};

use crate::control::{self, ControlRequest};

/// Arguments of `msgbridge request` and `msgbridge publish`.
#[derive(clap::Args, Debug)]
pub struct SendArgs {
    /// The subject.
    pub subject: String,
    /// The body (`-` reads it from standard input).
    pub body: String,
    /// Send through this NATS server instead of a running host's control socket.
    #[arg(long, value_name = "URL")]
    pub nats: Option<String>,
    /// The running host's control socket [default: that of the one `msgbridge run` on this
    /// machine started without `--control`; with several, name one].
    #[arg(long, value_name = "PATH", conflicts_with = "nats")]
    pub control: Option<PathBuf>,
    /// How long a request waits for its reply, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    pub timeout_ms: u64,
}

fn body(arg: &str) -> Result<Vec<u8>> {
    if arg == "-" {
        crate::output::read_input(std::path::Path::new("-"))
    } else {
        Ok(arg.as_bytes().to_vec())
    }
}

/// Runs `msgbridge request` (with `request`) or `msgbridge publish`; a reply's body goes
/// to standard output as a line (the body as it is, then a newline).
pub async fn send(args: SendArgs, request: bool) -> Result<()> {
    let body = body(&args.body)?;
    let reply = match &args.nats {
        Some(url) => {
            let broker = NatsBroker::connect(url).await?;
            let message = Message::new(args.subject.clone(), Bytes::from(body));
            if request {
                let replies = broker
                    .request(
                        message,
                        Some(std::time::Duration::from_millis(args.timeout_ms)),
                        Some(1),
                    )
                    .await
                    .with_context(|| format!("request on {} failed", args.subject))?;
                replies.into_iter().next().map(|m| m.body.to_vec())
            } else {
                broker
                    .publish(message)
                    .await
                    .with_context(|| format!("publish on {} failed", args.subject))?;
                broker
                    .client()
                    .flush()
                    .await
                    .context("cannot flush to NATS")?;
                None
            }
        }
        None => {
            let path = match &args.control {
                Some(path) => path.clone(),
                None => control::find_host().await?,
            };
            let op = if request {
                ControlRequest::Request {
                    subject: args.subject.clone(),
                    body,
                    timeout_ms: args.timeout_ms,
                }
            } else {
                ControlRequest::Publish {
                    subject: args.subject.clone(),
                    body,
                }
            };
            let response = control::send(&path, &op).await?;
            if let Some(error) = response.error {
                bail!(
                    "{} on {} failed: {error}",
                    if request { "request" } else { "publish" },
                    args.subject
                );
            }
            response.reply
        }
    };
    if let Some(mut reply) = reply {
        // A line, as `nats request --raw` prints it: the body, then a newline.
        reply.push(b'\n');
        let mut stdout = std::io::stdout();
        stdout
            .write_all(&reply)
            .and_then(|()| stdout.flush())
            .context("cannot write standard output")?;
    }
    Ok(())
}
