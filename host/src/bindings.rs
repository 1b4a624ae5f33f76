//! Generated bindings for the four messaging worlds the host serves.

/// `wasmcloud:messaging@0.2.0`: the `consumer` import and the `handler` export.
pub(crate) mod wasmcloud {
    wasmtime::component::bindgen!({
        path: "wit",
        inline: "
            package msgbridge:host-wasmcloud;

            world guest {
                import wasmcloud:messaging/consumer@0.2.0;
                export wasmcloud:messaging/handler@0.2.0;
            }
        ",
        world: "guest",
        imports: { default: async | trappable },
        exports: { default: async },
    });
}

/// `wasi:messaging@0.2.0-draft`: `types`, `producer` and `request-reply` imports, and the
/// `incoming-handler` export.
pub(crate) mod wasi {
    wasmtime::component::bindgen!({
        path: "wit",
        inline: "
            package msgbridge:host-wasi;

            world guest {
                import wasi:messaging/producer@0.2.0-draft;
                import wasi:messaging/request-reply@0.2.0-draft;
                export wasi:messaging/incoming-handler@0.2.0-draft;
            }
        ",
        world: "guest",
        // Only what waits on the broker is async: the resources' constructors, accessors
        // and drops are plain calls, as cheap as a wasmcloud import.
        imports: {
            "wasi:messaging/producer.send": async | trappable,
            "wasi:messaging/request-reply.request": async | trappable,
            "wasi:messaging/request-reply.reply": async | trappable,
            default: trappable,
        },
        exports: { default: async },
        with: {
            "wasi:messaging/types.client": crate::wasi::Client,
            "wasi:messaging/types.message": crate::wasi::WasiMessage,
            "wasi:messaging/request-reply.request-options": crate::wasi::RequestOptions,
        },
    });
}

/// `wasmcloud:messaging@0.3.0` (wasmCloud v2.8's async package): the `consumer` import,
/// whose functions are `async func`s taking and giving `stream<u8>` bodies, and the async
/// `handler` export.
pub(crate) mod wasmcloud_async {
    wasmtime::component::bindgen!({
        path: "wit/async/wasmcloud-messaging-0.3.0",
        inline: "
            package msgbridge:host-wasmcloud-async;

            world guest {
                import wasmcloud:messaging/consumer@0.3.0;
                export wasmcloud:messaging/handler@0.3.0;
            }
        ",
        world: "guest",
        imports: { default: async | trappable },
        exports: { default: async },
    });
}

/// Omnia's async `wasi:messaging@0.2.0-draft`: the synchronous draft's resources, with
/// `client.connect`, `producer.send`, `request-reply.request` and `reply` async, and the
/// async `incoming-handler` export. The resources are the synchronous world's host types.
pub(crate) mod wasi_async {
    wasmtime::component::bindgen!({
        path: "wit/async/omnia-wasi-messaging",
        inline: "
            package msgbridge:host-wasi-async;

            world guest {
                import wasi:messaging/producer@0.2.0-draft;
                import wasi:messaging/request-reply@0.2.0-draft;
                export wasi:messaging/incoming-handler@0.2.0-draft;
            }
        ",
        world: "guest",
        // The draft's `async func`s are async (with the store); the resources' plain
        // methods are plain calls.
        imports: { default: trappable },
        exports: { default: async },
        with: {
            "wasi:messaging/types.client": crate::wasi::Client,
            "wasi:messaging/types.message": crate::wasi::WasiMessage,
            "wasi:messaging/request-reply.request-options": crate::wasi::RequestOptions,
        },
    });
}
