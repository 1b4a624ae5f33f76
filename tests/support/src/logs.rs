//! Capturing the host's `tracing` output inside a test binary, to assert on log lines.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::within;

static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

/// Installs, once per test binary, a subscriber that keeps every log line matching
/// `filter` (an `EnvFilter` directive such as `msgbridge_host=debug`) in memory. Later
/// calls keep the first filter.
pub fn capture_logs(filter: &str) {
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_ansi(false)
            .with_writer(move || LogWriter(writer.clone()))
            .try_init();
        buffer
    });
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Waits until a captured log line contains every one of `parts`, and returns it; panics
/// (via [`within`]) if none appears. Needs [`capture_logs`] first.
pub async fn log_line(parts: &[&str]) -> String {
    let find = || {
        let logs = LOGS.get().expect("capture_logs was called");
        let logs = logs.lock().unwrap_or_else(|p| p.into_inner());
        String::from_utf8_lossy(&logs)
            .lines()
            .find(|line| parts.iter().all(|p| line.contains(p)))
            .map(str::to_string)
    };
    within(&format!("a log line with {parts:?}"), async {
        loop {
            if let Some(line) = find() {
                return line;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
}
