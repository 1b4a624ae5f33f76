//! msgbridge's example components, built from source in `examples/` for `wasm32-wasip2` by
//! this crate's build script: the wasmCloud docs' task-workers scenario (which the demo,
//! the benchmark and the scenario runner run), a worker using wasi:keyvalue and
//! wasi:logging, and a worker of each async world (which the demo runs on async hosts).
//!
//! Each component is available as bytes (`NAME`) and as the absolute path of the built file
//! (`NAME_PATH`), for tools that pass files to the `msgbridge` command. Building needs the
//! `wasm32-wasip2` target (`rustup target add wasm32-wasip2`).

#![warn(missing_docs)]

/// `http-api`: exports `wasi:http/incoming-handler@0.2.x`, imports
/// `wasmcloud:messaging/consumer@0.2.0`; `POST /task` requests `tasks.<worker>`.
pub const HTTP_API: &[u8] = include_bytes!(env!("MSGBRIDGE_ARTIFACT_HTTP_API"));
/// Absolute path of the file holding [`HTTP_API`].
pub const HTTP_API_PATH: &str = env!("MSGBRIDGE_ARTIFACT_HTTP_API");

/// `leet-worker`: a `wasmcloud:messaging@0.2.0` worker (also importing
/// `wasi:config/store@0.2.0-rc.1`) answering `Hello World` with `H3110 W0r1d`.
pub const LEET_WORKER: &[u8] = include_bytes!(env!("MSGBRIDGE_ARTIFACT_LEET_WORKER"));
/// Absolute path of the file holding [`LEET_WORKER`].
pub const LEET_WORKER_PATH: &str = env!("MSGBRIDGE_ARTIFACT_LEET_WORKER");

/// `reverse-worker`: a `wasi:messaging@0.2.0-draft` worker answering with the payload
/// reversed.
pub const REVERSE_WORKER: &[u8] = include_bytes!(env!("MSGBRIDGE_ARTIFACT_REVERSE_WORKER"));
/// Absolute path of the file holding [`REVERSE_WORKER`].
pub const REVERSE_WORKER_PATH: &str = env!("MSGBRIDGE_ARTIFACT_REVERSE_WORKER");

/// `counter-worker`: a `wasmcloud:messaging@0.2.0` worker that also imports
/// `wasi:keyvalue@0.2.0-draft` (counts per name) and `wasi:logging@0.1.0-draft`.
pub const COUNTER_WORKER: &[u8] = include_bytes!(env!("MSGBRIDGE_ARTIFACT_COUNTER_WORKER"));
/// Absolute path of the file holding [`COUNTER_WORKER`].
pub const COUNTER_WORKER_PATH: &str = env!("MSGBRIDGE_ARTIFACT_COUNTER_WORKER");

/// `shout-worker`: a `wasmcloud:messaging@0.3.0` (wasmCloud v2.8, async) worker answering
/// `Hello World` with `HELLO WORLD`.
pub const SHOUT_WORKER: &[u8] = include_bytes!(env!("MSGBRIDGE_ARTIFACT_SHOUT_WORKER"));
/// Absolute path of the file holding [`SHOUT_WORKER`].
pub const SHOUT_WORKER_PATH: &str = env!("MSGBRIDGE_ARTIFACT_SHOUT_WORKER");

/// `rot13-worker`: a worker of Omnia's async `wasi:messaging@0.2.0-draft` answering
/// `Hello World` with `Uryyb Jbeyq`.
pub const ROT13_WORKER: &[u8] = include_bytes!(env!("MSGBRIDGE_ARTIFACT_ROT13_WORKER"));
/// Absolute path of the file holding [`ROT13_WORKER`].
pub const ROT13_WORKER_PATH: &str = env!("MSGBRIDGE_ARTIFACT_ROT13_WORKER");

/// Every example: name, bytes and path.
pub const ALL: [(&str, &[u8], &str); 6] = [
    ("http-api", HTTP_API, HTTP_API_PATH),
    ("leet-worker", LEET_WORKER, LEET_WORKER_PATH),
    ("reverse-worker", REVERSE_WORKER, REVERSE_WORKER_PATH),
    ("counter-worker", COUNTER_WORKER, COUNTER_WORKER_PATH),
    ("shout-worker", SHOUT_WORKER, SHOUT_WORKER_PATH),
    ("rot13-worker", ROT13_WORKER, ROT13_WORKER_PATH),
];

#[cfg(test)]
mod tests {
    use super::*;
    use msgbridge_compose::inspect;
    use msgbridge_worlds::{
        World, WASI_INCOMING_HANDLER, WASI_REQUEST_REPLY, WASI_TYPES, WASMCLOUD_ASYNC_HANDLER,
        WASMCLOUD_CONSUMER, WASMCLOUD_HANDLER, WASMCLOUD_TYPES,
    };

    fn names(uses: &[msgbridge_compose::InterfaceUse]) -> Vec<&str> {
        let mut names: Vec<&str> = uses.iter().map(|u| u.name.as_str()).collect();
        names.sort();
        names
    }

    #[test]
    fn each_example_speaks_its_world() {
        let api = inspect(HTTP_API).expect("http-api inspects");
        assert_eq!(api.world, World::Wasmcloud);
        assert_eq!(
            names(&api.messaging_imports),
            [WASMCLOUD_CONSUMER, WASMCLOUD_TYPES]
        );
        assert!(api.messaging_exports.is_empty());
        assert_eq!(api.other_exports.len(), 1, "{:?}", api.other_exports);
        assert!(api.other_exports[0].starts_with("wasi:http/incoming-handler@0.2."));

        let leet = inspect(LEET_WORKER).expect("leet-worker inspects");
        assert_eq!(leet.world, World::Wasmcloud);
        assert_eq!(
            names(&leet.messaging_imports),
            [WASMCLOUD_CONSUMER, WASMCLOUD_TYPES]
        );
        assert_eq!(names(&leet.messaging_exports), [WASMCLOUD_HANDLER]);
        assert!(leet
            .other_imports
            .contains(&"wasi:config/store@0.2.0-rc.1".to_string()));

        let reverse = inspect(REVERSE_WORKER).expect("reverse-worker inspects");
        assert_eq!(reverse.world, World::Wasi);
        assert_eq!(
            names(&reverse.messaging_imports),
            [WASI_REQUEST_REPLY, WASI_TYPES]
        );
        assert_eq!(names(&reverse.messaging_exports), [WASI_INCOMING_HANDLER]);

        let counter = inspect(COUNTER_WORKER).expect("counter-worker inspects");
        assert_eq!(counter.world, World::Wasmcloud);
        for import in [
            "wasi:keyvalue/store@0.2.0-draft",
            "wasi:keyvalue/atomics@0.2.0-draft",
            "wasi:logging/logging@0.1.0-draft",
        ] {
            assert!(
                counter.other_imports.iter().any(|i| i == import),
                "{:?}",
                counter.other_imports
            );
        }

        let shout = inspect(SHOUT_WORKER).expect("shout-worker inspects");
        assert_eq!(shout.world, World::WasmcloudAsync);
        assert_eq!(names(&shout.messaging_exports), [WASMCLOUD_ASYNC_HANDLER]);
        let rot13 = inspect(ROT13_WORKER).expect("rot13-worker inspects");
        assert_eq!(rot13.world, World::WasiAsync);
        assert_eq!(names(&rot13.messaging_exports), [WASI_INCOMING_HANDLER]);
    }

    #[test]
    fn paths_hold_the_bytes() {
        for (name, bytes, path) in ALL {
            let on_disk = std::fs::read(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
            assert_eq!(&on_disk[..], bytes, "{path} holds {name}");
        }
    }
}
