//! Generated bindings for the two messaging worlds the host serves.

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
        imports: { default: async | trappable },
        exports: { default: async },
        with: {
            "wasi:messaging/types.client": crate::wasi::Client,
            "wasi:messaging/types.message": crate::wasi::WasiMessage,
            "wasi:messaging/request-reply.request-options": crate::wasi::RequestOptions,
        },
    });
}
