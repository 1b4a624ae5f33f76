//! Test helpers shared by msgbridge's test crates.
//!
//! - [`NatsServer`]: a `nats-server` on a free loopback port, started by the test itself and
//!   killed when dropped. Tests that need NATS fail (never skip) when the binary is absent.
//! - [`NatsCluster`]: several of them routed into one cluster on loopback.
//! - [`logs`]: the host's log lines, captured in memory for assertions.
//! - [`reliability`]: the rows of `docs/reliability.md` each fault test checks.
//! - [`within`] / [`WAIT`]: a generous timeout that turns a hang into a clear failure
//!   (not a timed assertion).

#![warn(missing_docs)]

pub mod logs;
pub mod reliability;

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long helpers wait before declaring a hang: long enough never to fire on a slow,
/// shared machine when things work.
pub const WAIT: Duration = Duration::from_secs(60);

/// Awaits `future`, panicking with `what` if it takes longer than [`WAIT`]. Use it to turn
/// a hang into a failure that says what hung, never to assert on timing.
pub async fn within<F: std::future::Future>(what: &str, future: F) -> F::Output {
    match tokio::time::timeout(WAIT, future).await {
        Ok(output) => output,
        Err(_) => panic!("{what}: still waiting after {WAIT:?}"),
    }
}

/// The largest message the test server accepts (nats-server's default is 1 MiB, which a
/// 1 MiB body plus its command line would exceed).
pub const MAX_PAYLOAD: &str = "8MB";

/// Finds `nats-server` on `PATH` (or in `/usr/sbin`, where Debian installs it).
///
/// # Panics
/// When it is nowhere, with "install nats-server (apt-get install nats-server)".
pub fn nats_server_binary() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    dirs.push(PathBuf::from("/usr/sbin"));
    dirs.push(PathBuf::from("/usr/local/sbin"));
    dirs.into_iter()
        .map(|dir| dir.join("nats-server"))
        .find(|candidate| is_executable(candidate))
        .unwrap_or_else(|| {
            panic!("nats-server was not found on PATH: install nats-server (apt-get install nats-server)")
        })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// A `nats-server` listening on `127.0.0.1:<free port>`, killed when dropped.
pub struct NatsServer {
    child: Child,
    addr: SocketAddr,
    config: PathBuf,
}

impl NatsServer {
    /// Starts `nats-server -a 127.0.0.1 -p <free port>` (with `max_payload` raised to
    /// [`MAX_PAYLOAD`]) and waits until it accepts connections.
    ///
    /// # Panics
    /// When `nats-server` is not installed ("install nats-server (apt-get install
    /// nats-server)"), or when it does not start after a few attempts.
    pub fn start() -> NatsServer {
        let binary = nats_server_binary();
        let mut last_error = String::new();
        for _attempt in 0..5 {
            match Self::try_start(&binary) {
                Ok(server) => return server,
                Err(e) => last_error = e,
            }
        }
        panic!("nats-server did not start: {last_error}");
    }

    fn try_start(binary: &Path) -> Result<NatsServer, String> {
        let port = free_port().map_err(|e| format!("no free port: {e}"))?;
        Self::try_start_on(binary, port, &[])
    }

    /// Starts `nats-server` on `port` with `extra` arguments after the usual ones.
    fn try_start_on(binary: &Path, port: u16, extra: &[String]) -> Result<NatsServer, String> {
        let config =
            std::env::temp_dir().join(format!("msgbridge-nats-{}-{port}.conf", std::process::id()));
        std::fs::write(&config, format!("max_payload: {MAX_PAYLOAD}\n"))
            .map_err(|e| format!("cannot write {}: {e}", config.display()))?;
        let mut child = Command::new(binary)
            .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-c"])
            .arg(&config)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let mut stderr = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    let _ = pipe.read_to_string(&mut stderr);
                }
                let _ = std::fs::remove_file(&config);
                return Err(format!("nats-server exited with {status}: {stderr}"));
            }
            if server_answers(addr) {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                let _ = std::fs::remove_file(&config);
                return Err(format!("nats-server did not accept connections on {addr}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Keep draining the server's log so it never blocks on a full pipe.
        if let Some(stderr) = child.stderr.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    if line.is_err() {
                        break;
                    }
                }
            });
        }
        Ok(NatsServer {
            child,
            addr,
            config,
        })
    }

    /// Kills the server (SIGKILL, as a crash would), keeping its port for [`Self::restart`].
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the server again on the same port, after [`Self::kill`].
    ///
    /// # Panics
    /// When it does not start after a few attempts.
    pub fn restart(&mut self) {
        self.kill();
        let binary = nats_server_binary();
        let port = self.addr.port();
        let mut last_error = String::new();
        for _attempt in 0..50 {
            match Self::try_start_on(&binary, port, &[]) {
                Ok(server) => {
                    // Dropping the old one removes its config file.
                    drop(std::mem::replace(self, server));
                    return;
                }
                Err(e) => {
                    last_error = e;
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
        panic!("nats-server did not restart on port {port}: {last_error}");
    }

    /// The server's URL, `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://{}", self.addr)
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.config);
    }
}

/// A cluster of `nats-server`s on loopback, each on a free client port and a free cluster
/// port, routed to all the others (`--cluster`, `--routes`); each node is killed when the
/// cluster is dropped.
pub struct NatsCluster {
    nodes: Vec<NatsServer>,
}

impl NatsCluster {
    /// Starts `size` nodes of one cluster (`--cluster_name msgbridge`). The routes between
    /// them form in the background: a test waits for them by what it observes (say, a
    /// subscriber on one node answering a requester on another).
    ///
    /// # Panics
    /// When `nats-server` is not installed, or a node does not start.
    pub fn start(size: usize) -> NatsCluster {
        let binary = nats_server_binary();
        let cluster_ports: Vec<u16> = (0..size)
            .map(|_| free_port().expect("a free port"))
            .collect();
        let nodes = (0..size)
            .map(|i| {
                let routes: Vec<String> = cluster_ports
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, port)| format!("nats://127.0.0.1:{port}"))
                    .collect();
                let extra = [
                    "--cluster_name".to_string(),
                    "msgbridge".to_string(),
                    "--cluster".to_string(),
                    format!("nats://127.0.0.1:{}", cluster_ports[i]),
                    "--routes".to_string(),
                    routes.join(","),
                ];
                let mut last_error = String::new();
                for _attempt in 0..5 {
                    let port = free_port().expect("a free port");
                    match NatsServer::try_start_on(&binary, port, &extra) {
                        Ok(node) => return node,
                        Err(e) => last_error = e,
                    }
                }
                panic!("cluster node {i} did not start: {last_error}");
            })
            .collect();
        NatsCluster { nodes }
    }

    /// Node `i`'s client URL.
    pub fn url(&self, i: usize) -> String {
        self.nodes[i].url()
    }

    /// Every node's client URL as a comma-separated server list, node `i` first and the
    /// others after it in order: what a host given node `i` as its own would be given.
    pub fn servers_from(&self, i: usize) -> String {
        let mut urls = vec![self.url(i)];
        urls.extend(
            (0..self.nodes.len())
                .filter(|j| *j != i)
                .map(|j| self.url(j)),
        );
        urls.join(",")
    }

    /// Kills node `i` with SIGKILL, as a crash would.
    pub fn kill(&mut self, i: usize) {
        self.nodes[i].kill();
    }
}

/// Whether a NATS server at `addr` greets a new connection with its `INFO` line.
fn server_answers(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut greeting = [0u8; 4];
    stream.read_exact(&mut greeting).is_ok() && &greeting == b"INFO"
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}
