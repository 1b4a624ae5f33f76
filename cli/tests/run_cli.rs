//! `msgbridge run` as a user runs it: a wash project as it is (with `--adapt`, and the
//! refusal without it), `request` and `publish` through the control socket and over NATS,
//! SIGTERM draining, bad inputs, and a host that stays responsive and bounded while
//! handlers spin forever or try to fill a GiB each.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use msgbridge_test_artifacts as artifacts;
use msgbridge_test_js_artifacts as js_artifacts;
use msgbridge_test_support::reliability::documented;
use msgbridge_test_support::NatsServer;

/// A `msgbridge run` in the background, its log collected line by line.
struct Running {
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
    ready: String,
}

impl Running {
    /// Starts `msgbridge ARGS` in `dir` and waits for its readiness line.
    fn start(dir: &Path, args: &[&str]) -> Running {
        Self::start_with(dir, args, &[])
    }

    /// [`Running::start`] with the environment variables `env` set.
    fn start_with(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Running {
        Self::start_within(dir, args, env, Duration::from_secs(120))
    }

    /// [`Running::start_with`], waiting up to `bound` for readiness (a debug build compiles
    /// a 12 MB JavaScript component in about a minute when wasmtime's cache is cold).
    fn start_within(dir: &Path, args: &[&str], env: &[(&str, &Path)], bound: Duration) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_msgbridge"))
            .args(args)
            .current_dir(dir)
            .envs(env.iter().copied())
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("msgbridge runs");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if line.starts_with("msgbridge: ready: ") {
                    let _ = ready_tx.send(line.clone());
                }
                lines.lock().unwrap().push(line);
            }
        });
        let ready = match ready_rx.recv_timeout(bound) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let status = child.wait();
                panic!(
                    "msgbridge {args:?} never got ready ({status:?}):\n{}",
                    log.lock().unwrap().join("\n")
                );
            }
        };
        Running { child, log, ready }
    }

    /// The HTTP address the readiness line names.
    fn http(&self) -> SocketAddr {
        let rest = self
            .ready
            .split("HTTP on http://")
            .nth(1)
            .unwrap_or_else(|| panic!("no HTTP address in {:?}", self.ready));
        let addr = rest.split([' ', ';']).next().unwrap();
        addr.parse().expect("an address")
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// Sends SIGTERM and waits (up to `bound`) for the exit.
    fn terminate(mut self, bound: Duration) -> (std::process::ExitStatus, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let deadline = Instant::now() + bound;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                // Let the reader thread take the last lines.
                std::thread::sleep(Duration::from_millis(100));
                return (status, self.log());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("no exit within {bound:?} of SIGTERM:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Peak resident memory of the host process (`VmHWM`), in bytes.
    fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc status");
        let line = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .expect("VmHWM");
        let kib: u64 = line
            .split_whitespace()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .expect("a number");
        kib * 1024
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `msgbridge ARGS` to completion.
fn msgbridge(dir: &Path, args: &[&str]) -> Output {
    msgbridge_with(dir, args, &[])
}

/// [`msgbridge`] with the environment variables `env` set.
fn msgbridge_with(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_msgbridge"))
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("msgbridge runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A minimal HTTP/1.1 exchange: returns the status code and body.
fn http(addr: SocketAddr, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(request).expect("write");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = text(&response);
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    (
        status,
        if chunked {
            dechunk(body)
        } else {
            body.to_string()
        },
    )
}

/// The body of a chunked HTTP/1.1 response.
fn dechunk(mut rest: &str) -> String {
    let mut body = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).expect("a chunk size");
        if size == 0 {
            break;
        }
        body.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
    body
}

fn post_task(addr: SocketAddr, body: &str) -> (u16, String) {
    http(
        addr,
        format!(
            "POST /task HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
}

/// A wash project in a temporary directory: the http-api example as the project's own
/// component, the leet worker (wasmcloud world) and the reverse worker (wasi world) as
/// `dev.components`, with their config, as a wasmCloud template lays it out.
fn wash_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for sub in [".wash", "build", "workers"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    std::fs::copy(
        msgbridge_examples::HTTP_API_PATH,
        root.join("build/http_api.wasm"),
    )
    .unwrap();
    std::fs::copy(
        msgbridge_examples::LEET_WORKER_PATH,
        root.join("workers/leet.wasm"),
    )
    .unwrap();
    std::fs::copy(
        msgbridge_examples::REVERSE_WORKER_PATH,
        root.join("workers/reverse.wasm"),
    )
    .unwrap();
    std::fs::write(
        root.join(".wash/config.yaml"),
        "build:\n  command: cargo build --target wasm32-wasip2 --release\n  component_path: build/http_api.wasm\n\
         dev:\n  address: 127.0.0.1:0\n  components:\n\
         \x20   - name: task-leet\n      file: workers/leet.wasm\n      config:\n        subscriptions: tasks.leet\n        leet.mode: upper\n\
         \x20   - name: task-reverse\n      file: workers/reverse.wasm\n      config:\n        subscriptions: tasks.reverse\n",
    )
    .unwrap();
    dir
}

#[test]
fn a_wash_project_runs_as_it_is_with_adapt() {
    let project = wash_project();
    let host = Running::start(
        project.path(),
        &[
            "run",
            "--wash-config",
            ".wash/config.yaml",
            "--worlds",
            "wasi",
            "--adapt",
            "--no-control",
        ],
    );
    assert!(
        host.ready.contains("serving wasi:messaging@0.2.0-draft")
            && host.ready.contains("task-leet [tasks.leet]")
            && host.ready.contains("task-reverse [tasks.reverse]")
            && host.ready.contains("(http_api)"),
        "{}",
        host.ready
    );
    let addr = host.http();
    assert_eq!(
        post_task(addr, r#"{"worker":"leet","payload":"Hello World"}"#),
        (200, "H3110 W0R1D".to_string())
    );
    assert_eq!(
        post_task(addr, r#"{"worker":"reverse","payload":"Hello World"}"#),
        (200, "dlroW olleH".to_string())
    );
    // A malformed HTTP request gets an error status; the host keeps serving.
    let (status, _) = http(
        addr,
        b"BREW /task HTTP/1.1\r\nHost: x\r\nContent-Length: -3\r\n\r\n",
    );
    assert!((400..500).contains(&status), "status {status}");
    let (status, body) = post_task(addr, "not json");
    assert_eq!(status, 400, "{body}");
    documented(
        "malformed HTTP requests to the served component (bad method and length, a body that is not the JSON it expects)",
        "a 4xx answer; the host goes on serving",
        "nothing",
    );
    assert_eq!(
        post_task(addr, r#"{"worker":"leet","payload":"tea"}"#),
        (200, "734".to_string())
    );
    let log = host.log();
    // The wasmcloud-world components were adapted on load, and the log says how.
    for component in ["task-leet", "http_api"] {
        assert!(
            log.lines()
                .any(|l| l.contains("adapted for a wasi host: spliced form")
                    && l.contains(component)),
            "{component} not adapted:\n{log}"
        );
    }
    assert!(
        !log.lines()
            .any(|l| l.contains("adapted") && l.contains("task-reverse")),
        "the wasi worker runs as it is:\n{log}"
    );
    let (status, log) = host.terminate(Duration::from_secs(20));
    assert!(status.success(), "{log}");
    assert!(log.contains("stopped: every delivery finished"), "{log}");
}

/// A wash project of JavaScript workers built the way wasmCloud's TypeScript templates
/// build them (`npm run build`: `jco componentize` with WASI 0.2.6 imports, which the pinned
/// jco builds with its componentize-js 0.19.3 fallback), plus one built with jco's current
/// componentize-js and its default features: both carry the preview1 adapter.
fn js_wash_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for sub in [".wash", "dist"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    std::fs::copy(
        js_artifacts::JS_WASMCLOUD_PROBE_WASI026_PATH,
        root.join("dist/worker.wasm"),
    )
    .unwrap();
    std::fs::copy(
        js_artifacts::JS_WASMCLOUD_PROBE_WASI_PATH,
        root.join("dist/worker-current.wasm"),
    )
    .unwrap();
    std::fs::write(
        root.join(".wash/config.yaml"),
        "build:\n  command: npm run build\n  component_path: dist/worker.wasm\n\
         dev:\n  address: 127.0.0.1:0\n  components:\n\
         \x20   - name: js-template\n      file: dist/worker.wasm\n      config:\n        subscriptions: jsdev.template\n\
         \x20   - name: js-current\n      file: dist/worker-current.wasm\n      config:\n        subscriptions: jsdev.current\n",
    )
    .unwrap();
    dir
}

#[test]
fn a_wash_project_of_template_built_js_workers_runs_on_a_wasi_host_with_adapt() {
    let project = js_wash_project();
    let socket = project.path().join("control.sock");
    let socket = socket.to_str().unwrap();
    let host = Running::start_within(
        project.path(),
        &["dev", "--worlds", "wasi", "--adapt", "--control", socket],
        &[],
        Duration::from_secs(600),
    );
    assert!(
        host.ready.contains("serving wasi:messaging@0.2.0-draft")
            && host.ready.contains("js-template [jsdev.template]")
            && host.ready.contains("js-current [jsdev.current]"),
        "{}",
        host.ready
    );
    for (subject, payload) in [
        ("jsdev.template", "from the template"),
        ("jsdev.current", "from jco"),
    ] {
        let reply = msgbridge(
            project.path(),
            &[
                "request",
                subject,
                &format!("echo\n{payload}"),
                "--control",
                socket,
            ],
        );
        assert!(reply.status.success(), "{subject}: {}", text(&reply.stderr));
        assert_eq!(text(&reply.stdout), format!("{payload}\n"), "{subject}");
        // A request through the bridge to the other worker, answered by it.
        let other = if subject == "jsdev.template" {
            "jsdev.current"
        } else {
            "jsdev.template"
        };
        let reply = msgbridge(
            project.path(),
            &[
                "request",
                subject,
                &format!("request {other} 5000 -\necho\nrelayed"),
                "--control",
                socket,
            ],
        );
        assert!(reply.status.success(), "{subject}: {}", text(&reply.stderr));
        assert_eq!(text(&reply.stdout), "ok 1\n7\nrelayed\n", "{subject}");
    }
    // Every component was adapted on load by default, in the spliced form, and says so.
    let log = host.log();
    for component in ["js-template", "js-current", "worker"] {
        assert!(
            log.lines()
                .any(|l| l.contains("adapted for a wasi host: spliced form")
                    && l.contains(component)),
            "{component} not adapted:\n{log}"
        );
    }
    let (status, log) = host.terminate(Duration::from_secs(20));
    assert!(status.success(), "{log}");
}

/// A wash project whose `build.command` adapts its JavaScript worker (built the template's
/// way) for a wasi host, as the recipe in docs/cli.md does, and checks the
/// `WASH_COMPONENT_PATH` wash sets; `fail_build` makes the command fail instead.
fn adapting_wash_project(fail_build: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for sub in [".wash", "dist", "build"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    std::fs::copy(
        js_artifacts::JS_WASMCLOUD_PROBE_WASI026_PATH,
        root.join("dist/worker.wasm"),
    )
    .unwrap();
    let command = if fail_build {
        "echo the bundler failed >&2 && exit 3".to_string()
    } else {
        format!(
            "test \"$WASH_COMPONENT_PATH\" = \"$PWD/build/worker.wasm\" && \
             '{}' compose dist/worker.wasm --target wasi -o build/worker.wasm",
            env!("CARGO_BIN_EXE_msgbridge")
        )
    };
    std::fs::write(
        root.join(".wash/config.yaml"),
        format!(
            "build:\n  command: {}\n  component_path: build/worker.wasm\n\
             dev:\n  address: 127.0.0.1:0\n  components:\n\
             \x20   - name: js-built\n      file: build/worker.wasm\n      config:\n        subscriptions: jsbuild.worker\n",
            serde_json::to_string(&command).unwrap()
        ),
    )
    .unwrap();
    dir
}

#[test]
fn a_wash_project_adapting_in_its_build_command_runs_with_build() {
    let project = adapting_wash_project(false);
    let socket = project.path().join("control.sock");
    let socket = socket.to_str().unwrap();
    let host = Running::start_within(
        project.path(),
        &["dev", "--worlds", "wasi", "--build", "--control", socket],
        &[],
        Duration::from_secs(600),
    );
    assert!(
        host.ready.contains("serving wasi:messaging@0.2.0-draft")
            && host.ready.contains("js-built [jsbuild.worker]"),
        "{}",
        host.ready
    );
    let reply = msgbridge(
        project.path(),
        &[
            "request",
            "jsbuild.worker",
            "echo\nbuilt and adapted",
            "--control",
            socket,
        ],
    );
    assert!(reply.status.success(), "{}", text(&reply.stderr));
    assert_eq!(text(&reply.stdout), "built and adapted\n");
    // The build ran and composed it: nothing was adapted on load.
    let log = host.log();
    assert!(log.contains("msgbridge: building: "), "{log}");
    assert!(!log.contains("adapted for a wasi host"), "{log}");
    let (status, log) = host.terminate(Duration::from_secs(20));
    assert!(status.success(), "{log}");

    // A failing build stops the start, naming the command.
    let project = adapting_wash_project(true);
    let out = msgbridge(project.path(), &["dev", "--build", "--no-control"]);
    assert!(!out.status.success());
    let message = text(&out.stderr);
    assert!(message.contains("the bundler failed"), "{message}");
    assert!(
        message.contains("build.command `echo the bundler failed >&2 && exit 3` failed"),
        "{message}"
    );
    // --build without a wash project says what it needs.
    let out = msgbridge(
        project.path(),
        &["run", artifacts::WASI_PROBE_PATH, "--build", "--no-control"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--build runs a wash project's build.command"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn without_adapt_a_single_world_host_refuses_with_both_fixes() {
    let project = wash_project();
    let out = msgbridge(project.path(), &["run", "--worlds", "wasi", "--no-control"]);
    assert!(!out.status.success());
    let message = text(&out.stderr);
    assert!(
        message.contains("error: component \"http_api\"")
            && message
                .contains("which this host does not serve (serving: wasi:messaging@0.2.0-draft)"),
        "{message}"
    );
    assert!(
        message.contains("`msgbridge compose build/http_api.wasm --target wasi -o OUT.wasm`"),
        "{message}"
    );
    assert!(message.contains("`--adapt`"), "{message}");
}

#[test]
fn request_and_publish_reach_a_running_host_through_its_control_socket() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("control.sock");
    let socket = socket.to_str().unwrap();
    let host = Running::start(
        dir.path(),
        &[
            "run",
            artifacts::WASI_PROBE_PATH,
            "--worlds",
            "wasmcloud",
            "--adapt",
            "-s",
            "probe.>",
            "--control",
            socket,
        ],
    );
    assert!(
        host.ready.contains(&format!("control socket {socket}")),
        "{}",
        host.ready
    );
    let reply = msgbridge(
        dir.path(),
        &["request", "probe.echo", "echo\nhello", "--control", socket],
    );
    assert!(reply.status.success(), "{}", text(&reply.stderr));
    // The reply as a line, and nothing else on stderr (no library log lines).
    assert_eq!(text(&reply.stdout), "hello\n");
    assert_eq!(text(&reply.stderr), "");
    // publish: delivered without a reply subject, so nothing comes back.
    let publish = msgbridge(
        dir.path(),
        &[
            "publish",
            "probe.fire",
            "publish probe.none\nx",
            "--control",
            socket,
        ],
    );
    assert!(publish.status.success(), "{}", text(&publish.stderr));
    assert!(publish.stdout.is_empty());
    // A subject nobody answers: a clear error and a non-zero exit.
    let none = msgbridge(
        dir.path(),
        &[
            "request",
            "nobody.here",
            "x",
            "--control",
            socket,
            "--timeout-ms",
            "300",
        ],
    );
    assert!(!none.status.success());
    assert!(
        text(&none.stderr).contains("request on nobody.here failed"),
        "{}",
        text(&none.stderr)
    );
    drop(host);
    // No host: the error says how to start one.
    let gone = msgbridge(
        dir.path(),
        &["request", "probe.echo", "echo", "--control", socket],
    );
    assert!(!gone.status.success());
    assert!(
        text(&gone.stderr).contains("start one with `msgbridge run`"),
        "{}",
        text(&gone.stderr)
    );
}

#[test]
fn the_async_worlds_are_served_and_what_cannot_run_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("control.sock");
    let socket = socket.to_str().unwrap();
    // What wasmCloud v2.8 serves: both wasmcloud revisions, here with the async probe.
    let host = Running::start(
        dir.path(),
        &[
            "run",
            artifacts::WASMCLOUD_ASYNC_PROBE_PATH,
            "--worlds",
            "wasmcloud,wasmcloud-async",
            "-s",
            "probe.>",
            "--control",
            socket,
        ],
    );
    assert!(
        host.ready.contains("wasmcloud:messaging@0.3.0"),
        "{}",
        host.ready
    );
    let reply = msgbridge(
        dir.path(),
        &["request", "probe.echo", "echo\nhello", "--control", socket],
    );
    assert!(reply.status.success(), "{}", text(&reply.stderr));
    assert_eq!(text(&reply.stdout), "hello\n");
    drop(host);

    // A synchronous wasi guest on Omnia's async world: spliced on load (the only form
    // between a synchronous and an async world), it answers.
    let host = Running::start(
        dir.path(),
        &[
            "run",
            artifacts::WASI_PROBE_PATH,
            "--worlds",
            "wasi-async",
            "--adapt",
            "-s",
            "probe.>",
            "--control",
            socket,
        ],
    );
    let reply = msgbridge(
        dir.path(),
        &["request", "probe.echo", "echo\nhello", "--control", socket],
    );
    assert!(reply.status.success(), "{}", text(&reply.stderr));
    assert_eq!(text(&reply.stdout), "hello\n");
    drop(host);

    // An async guest on a synchronous host: no adapter for that yet, and it says so.
    let out = msgbridge(
        dir.path(),
        &[
            "run",
            artifacts::WASMCLOUD_ASYNC_PROBE_PATH,
            "--worlds",
            "wasmcloud",
            "--adapt",
            "--no-control",
        ],
    );
    assert!(!out.status.success());
    let message = text(&out.stderr);
    assert!(
        message.contains(
            "which this host does not serve (serving: wasmcloud:messaging@0.2.0): adapting \
             between wasmcloud-async"
        ) && message.contains("is not built yet"),
        "{message}"
    );
    // The two wasi worlds share their names: one host cannot serve both.
    let out = msgbridge(
        dir.path(),
        &[
            "run",
            artifacts::WASI_ASYNC_PROBE_PATH,
            "--worlds",
            "wasi,wasi-async",
            "--no-control",
        ],
    );
    assert!(!out.status.success());
    let message = text(&out.stderr);
    assert!(
        message.contains("a host cannot serve both wasi and wasi-async"),
        "{message}"
    );
}

/// Each async probe, adapted on load (`--adapt`, the portable halves), answers a request on a
/// host serving only the other async world, and its `request` reaches a subject served on
/// the same host.
#[test]
fn async_guests_are_adapted_on_load_for_a_host_of_the_other_async_world() {
    for (probe, world, served, package) in [
        (
            artifacts::WASI_ASYNC_PROBE_PATH,
            "wasi-async",
            "wasmcloud-async",
            "wasmcloud:messaging@0.3.0",
        ),
        (
            artifacts::WASMCLOUD_ASYNC_PROBE_PATH,
            "wasmcloud-async",
            "wasi-async",
            "wasi:messaging@0.2.0-draft (async, Omnia)",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("control.sock");
        let socket = socket.to_str().unwrap();
        let host = Running::start(
            dir.path(),
            &[
                "run",
                probe,
                "--worlds",
                served,
                "--adapt",
                "-s",
                "probe.>",
                "--control",
                socket,
            ],
        );
        assert!(host.ready.contains(package), "{world}: {}", host.ready);
        let reply = msgbridge(
            dir.path(),
            &["request", "probe.echo", "echo\nhello", "--control", socket],
        );
        assert!(reply.status.success(), "{world}: {}", text(&reply.stderr));
        assert_eq!(text(&reply.stdout), "hello\n", "{world}");
        // The probe requests from itself: its request goes out through the host's world and
        // the answer comes back through its handler.
        let nested = msgbridge(
            dir.path(),
            &[
                "request",
                "probe.ask",
                "request probe.echo 2000 -\necho\nnested",
                "--control",
                socket,
            ],
        );
        assert!(nested.status.success(), "{world}: {}", text(&nested.stderr));
        assert_eq!(text(&nested.stdout), "ok 1\n6\nnested\n", "{world}");
        drop(host);
    }
}

/// Runs the wasmcloud probe with `flags`, sends it a delivery that spins, then SIGTERMs
/// the host: its exit status, its log, and how long the stop took.
fn spin_then_terminate(
    dir: &Path,
    socket: &str,
    flags: &[&str],
) -> (std::process::ExitStatus, String, Duration) {
    let mut args = vec!["run", artifacts::WASMCLOUD_PROBE_PATH, "-s", "probe.>"];
    args.extend_from_slice(flags);
    args.extend_from_slice(&["--control", socket]);
    let host = Running::start(dir, &args);
    let publish = msgbridge(dir, &["publish", "probe.spin", "spin", "--control", socket]);
    assert!(publish.status.success(), "{}", text(&publish.stderr));
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let (status, log) = host.terminate(Duration::from_secs(20));
    (status, log, started.elapsed())
}

#[test]
fn sigterm_drains_the_deliveries_in_flight_within_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("control.sock");
    let socket = socket.to_str().unwrap();
    // A delivery that spins until its 1.5 s deadline ends it: the drain waits for it.
    let (status, log, took) = spin_then_terminate(dir.path(), socket, &["--deadline-ms", "1500"]);
    assert!(status.success(), "{log}");
    assert!(
        log.contains("stopping: draining the deliveries in flight"),
        "{log}"
    );
    assert!(log.contains("in_flight=1"), "{log}");
    assert!(log.contains("stopped: every delivery finished"), "{log}");
    assert!(
        log.contains("deadline"),
        "the spinning delivery hit its deadline: {log}"
    );
    assert!(took < Duration::from_secs(10));

    // A delivery that outlives the drain bound: the host stops anyway, saying so.
    let (status, log, took) = spin_then_terminate(
        dir.path(),
        socket,
        &["--deadline-ms", "60000", "--drain-timeout-ms", "500"],
    );
    assert!(status.success(), "{log}");
    assert!(
        log.contains("stopped: some deliveries were still running after the drain bound"),
        "{log}"
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
    documented(
        "SIGTERM with deliveries in flight",
        "the host stops taking messages and waits for the deliveries in flight (up to `--drain-timeout-ms`, 10 s by default), then exits 0; past the bound it says how many were still running",
        "nothing that finished within the bound",
    );
}

#[test]
fn bad_inputs_get_errors_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("bad.toml"), "[[component]\nname = 1\n").unwrap();
    std::fs::write(
        root.join("missing.toml"),
        "[[component]]\nname = \"x\"\npath = \"nope.wasm\"\n",
    )
    .unwrap();
    std::fs::write(root.join("notwasm.wasm"), "hello").unwrap();
    let probe = artifacts::WASMCLOUD_PROBE_PATH;
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["run", "--manifest", "bad.toml", "--no-control"],
            "bad.toml",
        ),
        (
            vec!["run", "--manifest", "missing.toml", "--no-control"],
            "nope.wasm",
        ),
        (
            vec!["run", "--manifest", "absent.toml", "--no-control"],
            "absent.toml",
        ),
        (vec!["run", "notwasm.wasm", "--no-control"], "notwasm"),
        (
            vec!["run", probe, "-s", "a..b", "--no-control"],
            "invalid subject \"a..b\": a subject is tokens",
        ),
        (
            vec!["run", probe, "-s", "a.>.b", "--no-control"],
            "`>` as its last token",
        ),
        (
            vec!["run", probe, "--nats", "nats://127.0.0.1:1", "--no-control"],
            "cannot connect to NATS at nats://127.0.0.1:1",
        ),
        (vec!["run", "--no-control"], "nothing to run"),
        (
            vec!["run", "--wash-config", "absent.yaml", "--no-control"],
            "cannot read wash config absent.yaml",
        ),
    ];
    for (args, needle) in cases {
        let out = msgbridge(root, &args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let message = text(&out.stderr);
        assert!(
            message.contains(needle),
            "{args:?}: `{needle}` not in {message}"
        );
    }
    // Argument errors are usage errors (exit 2) naming the argument.
    let out = msgbridge(root, &["run", probe, "--config", "novalue"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("expected KEY=VALUE, got \"novalue\""),
        "{}",
        text(&out.stderr)
    );
    documented(
        "bad input to `msgbridge run`: unparsable or missing manifest, a file that is not a component, invalid subscription patterns, an unreachable NATS URL, a missing wash config, `--config` without `=`",
        "exit status 1 (2 for a malformed argument) with an error naming the file, pattern, URL or argument and what to do",
        "nothing: no host starts",
    );
}

#[test]
fn spinning_and_greedy_handlers_leave_the_host_responsive_and_bounded() {
    let nats = NatsServer::start();
    let url = nats.url();
    let dir = tempfile::tempdir().unwrap();
    let host = Running::start(
        dir.path(),
        &[
            "run",
            artifacts::WASMCLOUD_PROBE_PATH,
            "--worlds",
            "wasmcloud",
            "--nats",
            &url,
            "-s",
            "work.>",
            "--no-control",
        ],
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let answered = runtime.block_on(async {
        let client = async_nats::connect(&url)
            .await
            .expect("a plain NATS client");
        for _ in 0..4 {
            client.publish("work.spin", "spin".into()).await.unwrap();
        }
        for _ in 0..12 {
            client
                .publish("work.grow", "grow 1024".into())
                .await
                .unwrap();
        }
        client.flush().await.unwrap();
        let sent = Instant::now();
        let reply = tokio::time::timeout(
            Duration::from_secs(10),
            client.request("work.echo", "echo\nstill here".into()),
        )
        .await
        .expect("an answer within 10 s")
        .expect("a reply");
        (reply.payload.to_vec(), sent.elapsed())
    });
    assert_eq!(answered.0, b"still here");
    let peak = host.peak_rss();
    println!(
        "answered after {:?}; host peak RSS {} MiB",
        answered.1,
        peak >> 20
    );
    assert!(peak < 3 << 30, "peak RSS {} MiB", peak >> 20);
    let log = host.log();
    assert!(
        log.contains("work.grow") && log.to_lowercase().contains("memory"),
        "the greedy deliveries are trapped and logged with their subject:\n{log}"
    );
    assert!(log.contains("memory limit reached"), "{log}");
    documented(
        "4 deliveries that spin forever and 12 that each try to fill 1 GiB, then a normal request, from a plain NATS client (`msgbridge run --worlds wasmcloud --nats`)",
        "the normal request is answered well within 10 s; each greedy instance traps at the 128 MiB limit (logged with its subject); host peak RSS stays far under 3 GiB",
        "nothing but the spinning and greedy deliveries themselves, each logged",
    );
}

/// Waits up to 60 s for a log line containing `needle`.
fn wait_for_log(host: &Running, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !host.log().contains(needle) {
        assert!(
            Instant::now() < deadline,
            "no `{needle}` in:\n{}",
            host.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn watch_reloads_a_changed_component_and_keeps_a_broken_change_out() {
    let dir = tempfile::tempdir().unwrap();
    let worker = dir.path().join("worker.wasm");
    std::fs::copy(artifacts::WASMCLOUD_PROBE_PATH, &worker).unwrap();
    let socket = dir.path().join("control.sock");
    let socket = socket.to_str().unwrap();
    let host = Running::start(
        dir.path(),
        &[
            "run",
            "worker.wasm",
            "-s",
            "tasks.leet",
            "--watch",
            "--control",
            socket,
        ],
    );
    let request = |body: &str| {
        let out = msgbridge(
            dir.path(),
            &["request", "tasks.leet", body, "--control", socket],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let reply = text(&out.stdout);
        reply.strip_suffix('\n').expect("a line").to_string()
    };
    assert_eq!(request("echo\nHello"), "Hello");

    // A file that is not a component: logged, and the running version stays.
    std::fs::write(&worker, b"not a component").unwrap();
    wait_for_log(&host, "keeping the running version");
    assert_eq!(request("echo\nstill"), "still");

    // The leet worker in its place: reloaded, and it answers from then on.
    std::fs::copy(msgbridge_examples::LEET_WORKER_PATH, &worker).unwrap();
    wait_for_log(&host, "reloaded");
    assert_eq!(request("Hello World"), "H3110 W0r1d");
}

/// Ten `msgbridge run` with default flags start side by side, each on a control socket of
/// its own; `request` without `--control` lists them when several run, finds the one when
/// one does, and sweeps the sockets of hosts that died without removing theirs.
#[test]
fn ten_default_hosts_run_side_by_side_and_request_finds_the_one_left() {
    let dir = tempfile::tempdir().unwrap();
    let runtime_dir = dir.path().join("run");
    std::fs::create_dir(&runtime_dir).unwrap();
    let env: [(&str, &Path); 1] = [("XDG_RUNTIME_DIR", &runtime_dir)];
    let sockets = runtime_dir.join("msgbridge");
    // A host that died (its socket left, nobody listening).
    std::fs::create_dir_all(&sockets).unwrap();
    let stale = sockets.join("host-999999999.sock");
    drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());

    let args = ["run", artifacts::WASMCLOUD_PROBE_PATH, "-s", "side.>"];
    let mut hosts: Vec<Running> = std::thread::scope(|scope| {
        let started: Vec<_> = (0..10)
            .map(|_| scope.spawn(|| Running::start_with(dir.path(), &args, &env)))
            .collect();
        started.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for host in &hosts {
        let socket = sockets.join(format!("host-{}.sock", host.child.id()));
        assert!(
            host.ready
                .ends_with(&format!("; control socket {}", socket.display())),
            "{}",
            host.ready
        );
    }
    assert!(!stale.exists(), "the dead host's socket was not swept");

    let several = msgbridge_with(dir.path(), &["request", "side.echo", "echo\nx"], &env);
    assert_eq!(several.status.code(), Some(1));
    let message = text(&several.stderr);
    assert!(
        message.contains(
            "10 msgbridge hosts are running; name the one to talk to with `--control PATH`"
        ),
        "{message}"
    );
    for host in &hosts {
        let socket = sockets.join(format!("host-{}.sock", host.child.id()));
        assert!(
            message.contains(&format!(
                "--control {} (pid {}): serving ",
                socket.display(),
                host.child.id()
            )),
            "{message}"
        );
    }
    let third = sockets.join(format!("host-{}.sock", hosts[3].child.id()));
    let reply = msgbridge_with(
        dir.path(),
        &[
            "request",
            "side.echo",
            "echo\nthird",
            "--control",
            third.to_str().unwrap(),
        ],
        &env,
    );
    assert_eq!(text(&reply.stdout), "third\n", "{}", text(&reply.stderr));

    // Nine killed with SIGKILL, their sockets left behind: the one left is found.
    let last = hosts.pop().unwrap();
    drop(hosts);
    let reply = msgbridge_with(dir.path(), &["request", "side.echo", "echo\nlast"], &env);
    assert_eq!(text(&reply.stdout), "last\n", "{}", text(&reply.stderr));
    let left: Vec<_> = std::fs::read_dir(&sockets).unwrap().collect();
    assert_eq!(left.len(), 1, "{left:?}");

    drop(last);
    let none = msgbridge_with(dir.path(), &["request", "side.echo", "echo"], &env);
    assert_eq!(none.status.code(), Some(1));
    assert!(
        text(&none.stderr).contains("no msgbridge host is running"),
        "{}",
        text(&none.stderr)
    );
}

/// `--nats` takes a server list: a host whose first server is down uses the next, and
/// `request --nats LIST` prints the reply as a line with no log lines.
#[test]
fn nats_takes_a_server_list() {
    let nats = NatsServer::start();
    let dead = format!(
        "nats://127.0.0.1:{}",
        msgbridge_test_support::free_port().unwrap()
    );
    let servers = format!("{dead},{}", nats.url());
    let dir = tempfile::tempdir().unwrap();
    let _host = Running::start(
        dir.path(),
        &[
            "run",
            artifacts::WASMCLOUD_PROBE_PATH,
            "--nats",
            &servers,
            "-s",
            "list.>",
            "--no-control",
        ],
    );
    let reply = msgbridge(
        dir.path(),
        &["request", "list.echo", "echo\nlisted", "--nats", &servers],
    );
    assert!(reply.status.success(), "{}", text(&reply.stderr));
    assert_eq!(text(&reply.stdout), "listed\n");
    assert_eq!(text(&reply.stderr), "", "log lines without -v");
    let bad = msgbridge(
        dir.path(),
        &[
            "request",
            "list.echo",
            "x",
            "--nats",
            "nats://a:4222,nats://b:x",
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("invalid NATS server URL \"nats://b:x\""),
        "{}",
        text(&bad.stderr)
    );
}

/// Runs `program ARGS` in `dir` with `path` as `PATH`; panics with its output on failure.
fn npm_step(dir: &Path, path: &str, program: &str, args: &[&str]) -> Output {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("RUST_LOG")
        .env_remove("CARGO_TARGET_DIR")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{program} {args:?} does not run: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} in {}: {}\n{}",
        dir.display(),
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

/// `PATH` without the directories holding `cargo` or `rustc`: a JavaScript user's machine.
fn path_without_rust() -> String {
    let path = std::env::var("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .filter(|dir| !dir.join("cargo").exists() && !dir.join("rustc").exists())
        .map(|dir| dir.display().to_string())
        .collect::<Vec<_>>()
        .join(":")
}

/// The npm package as a user gets it: `npm run build` in `npm/` (the one build step, which
/// needs Rust), `npm pack`, then a project with no Rust on its `PATH` that installs the
/// tarball, adapts the template-built JavaScript worker and the Rust wasi probe from npm
/// scripts (both forms, both directions) and through the ESM API. The package's output must
/// be byte for byte what the Rust CLI writes, its `inspect` and errors what the Rust CLI
/// prints, and the adapted workers must answer on reference hosts of the other world.
#[test]
fn the_npm_package_adapts_from_npm_scripts_and_its_api_as_the_rust_cli_does() {
    let npm_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../npm");
    let full_path = std::env::var("PATH").unwrap_or_default();
    npm_step(&npm_dir, &full_path, "npm", &["run", "build"]);
    let packed = tempfile::tempdir().unwrap();
    let out = npm_step(
        &npm_dir,
        &full_path,
        "npm",
        &[
            "pack",
            "--pack-destination",
            packed.path().to_str().unwrap(),
        ],
    );
    let tarball = packed
        .path()
        .join(text(&out.stdout).trim().lines().last().unwrap());
    assert!(tarball.is_file(), "npm pack wrote no {}", tarball.display());

    let project = tempfile::tempdir().unwrap();
    let root = project.path();
    std::fs::create_dir_all(root.join("dist")).unwrap();
    std::fs::copy(
        js_artifacts::JS_WASMCLOUD_PROBE_WASI026_PATH,
        root.join("dist/worker.wasm"),
    )
    .unwrap();
    std::fs::copy(artifacts::WASI_PROBE_PATH, root.join("dist/probe.wasm")).unwrap();
    std::fs::write(root.join("garbage.wasm"), b"\0asm not a component").unwrap();
    let package = serde_json::json!({
        "name": "worker-project",
        "private": true,
        "type": "module",
        "scripts": {
            "adapt": "msgbridge compose dist/worker.wasm --target wasi -o dist/worker-wasi.wasm \
                      && msgbridge compose dist/worker.wasm --target wasi --portable -o dist/worker-wasi-portable.wasm",
            "adapt-probe": "msgbridge compose - --target wasmcloud < dist/probe.wasm > dist/probe-wasmcloud.wasm \
                            && msgbridge compose dist/probe.wasm --target wasmcloud --portable -o dist/probe-wasmcloud-portable.wasm",
            "inspect": "msgbridge inspect --json dist/worker.wasm",
            "refuse": "msgbridge compose garbage.wasm --target wasi -o dist/never.wasm",
        },
        "dependencies": { "msgbridge": format!("file:{}", tarball.display()) },
    });
    std::fs::write(root.join("package.json"), package.to_string()).unwrap();
    std::fs::write(
        root.join("api.mjs"),
        r#"import { readFileSync, writeFileSync } from "node:fs";
import { compose, inspect } from "msgbridge";
const probe = readFileSync("dist/probe.wasm");
writeFileSync("dist/api-probe-wasmcloud.wasm", compose(probe, { target: "wasmcloud" }));
writeFileSync("dist/api-probe-wasmcloud-portable.wasm", compose(probe, { target: "wasmcloud", portable: true }));
const worker = readFileSync("dist/worker.wasm");
writeFileSync("dist/api-worker-wasi.wasm", compose(worker, { target: "wasi", clientName: "api" }));
let refused = null;
try { compose(readFileSync("garbage.wasm"), { target: "wasi" }); } catch (e) { refused = e.message; }
console.log(JSON.stringify({ inspect: inspect(worker), refused }));
"#,
    )
    .unwrap();

    let path = path_without_rust();
    npm_step(
        root,
        &path,
        "npm",
        &["install", "--prefer-offline", "--no-audit", "--no-fund"],
    );
    npm_step(root, &path, "npm", &["run", "adapt"]);
    npm_step(root, &path, "npm", &["run", "adapt-probe"]);
    let inspected = npm_step(root, &path, "npm", &["run", "--silent", "inspect"]);
    // A refusal: the Rust CLI's exit code and message, and no output file.
    let refused = Command::new("npm")
        .args(["run", "--silent", "refuse"])
        .current_dir(root)
        .env("PATH", &path)
        .output()
        .unwrap();
    let rust_refused = msgbridge(
        root,
        &[
            "compose",
            "garbage.wasm",
            "--target",
            "wasi",
            "-o",
            "dist/never.wasm",
        ],
    );
    assert_eq!(refused.status.code(), rust_refused.status.code());
    assert_eq!(text(&refused.stderr), text(&rust_refused.stderr));
    assert!(!root.join("dist/never.wasm").exists());
    let api = npm_step(root, &path, "node", &["api.mjs"]);
    let api: serde_json::Value = serde_json::from_slice(&api.stdout).expect("api.mjs prints JSON");

    // What the Rust CLI writes and prints for the same inputs.
    let rust = tempfile::tempdir().unwrap();
    let expected = |guest: &str, target: &str, extra: &[&str], name: &str| {
        let output = rust.path().join(name);
        let mut args = vec![
            "compose",
            guest,
            "--target",
            target,
            "-o",
            output.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let out = msgbridge(root, &args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        std::fs::read(output).unwrap()
    };
    for (file, guest, target, extra) in [
        ("worker-wasi.wasm", "dist/worker.wasm", "wasi", &[][..]),
        (
            "worker-wasi-portable.wasm",
            "dist/worker.wasm",
            "wasi",
            &["--portable"][..],
        ),
        (
            "probe-wasmcloud.wasm",
            "dist/probe.wasm",
            "wasmcloud",
            &[][..],
        ),
        (
            "probe-wasmcloud-portable.wasm",
            "dist/probe.wasm",
            "wasmcloud",
            &["--portable"][..],
        ),
        (
            "api-probe-wasmcloud.wasm",
            "dist/probe.wasm",
            "wasmcloud",
            &[][..],
        ),
        (
            "api-probe-wasmcloud-portable.wasm",
            "dist/probe.wasm",
            "wasmcloud",
            &["--portable"][..],
        ),
        (
            "api-worker-wasi.wasm",
            "dist/worker.wasm",
            "wasi",
            &["--client-name", "api"][..],
        ),
    ] {
        let written = std::fs::read(root.join("dist").join(file)).unwrap();
        assert!(
            written == expected(guest, target, extra, file),
            "{file}: the npm package wrote other bytes than the Rust CLI"
        );
        let form = if file.ends_with("portable.wasm") {
            "portable"
        } else {
            "spliced"
        };
        let report = msgbridge(root, &["inspect", "--json", &format!("dist/{file}")]);
        let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
        assert_eq!(report["world"], target, "{file}");
        assert_eq!(report["adapted_by_msgbridge"]["form"], form, "{file}");
    }
    let rust_inspect = msgbridge(root, &["inspect", "--json", "dist/worker.wasm"]);
    assert_eq!(text(&inspected.stdout), text(&rust_inspect.stdout));
    let rust_inspect: serde_json::Value = serde_json::from_slice(&rust_inspect.stdout).unwrap();
    assert_eq!(api["inspect"], rust_inspect);
    let garbage = std::fs::read(root.join("garbage.wasm")).unwrap();
    let rust_stdin = Command::new(env!("CARGO_BIN_EXE_msgbridge"))
        .args(["compose", "-", "--target", "wasi"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(&garbage)?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(
        api["refused"].as_str().map(|m| format!("error: {m}\n")),
        Some(text(&rust_stdin.stderr)),
        "the API's error is not the CLI's message"
    );

    // The adapted workers answer on hosts of the other world, which do not adapt on load.
    for (world, components, subject) in [
        (
            "wasi",
            ["worker-wasi.wasm", "worker-wasi-portable.wasm"],
            "npmjs",
        ),
        (
            "wasmcloud",
            ["probe-wasmcloud.wasm", "probe-wasmcloud-portable.wasm"],
            "npmprobe",
        ),
    ] {
        let wash = root.join(".wash");
        std::fs::create_dir_all(&wash).unwrap();
        let mut config = "dev:\n  address: 127.0.0.1:0\n  components:\n".to_string();
        for (i, file) in components.iter().enumerate() {
            config.push_str(&format!(
                "    - name: c{i}\n      file: dist/{file}\n      config:\n        subscriptions: {subject}.c{i}.>\n"
            ));
        }
        std::fs::write(wash.join("config.yaml"), config).unwrap();
        let socket = root.join("control.sock");
        let socket = socket.to_str().unwrap();
        let host = Running::start_within(
            root,
            &["dev", "--worlds", world, "--control", socket],
            &[],
            Duration::from_secs(600),
        );
        for i in 0..components.len() {
            let reply = msgbridge(
                root,
                &[
                    "request",
                    &format!("{subject}.c{i}.echo"),
                    "echo\nfrom npm",
                    "--control",
                    socket,
                ],
            );
            assert!(
                reply.status.success(),
                "{world} c{i}: {}",
                text(&reply.stderr)
            );
            assert_eq!(text(&reply.stdout), "from npm\n", "{world} c{i}");
        }
        let (status, log) = host.terminate(Duration::from_secs(20));
        assert!(status.success(), "{log}");
    }
}
