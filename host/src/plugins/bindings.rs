//! Host-side bindings generated from `wit/`. The generated types are also the host's model types
//! (see `crate::model`), with serde derives so they are the JSON formats too.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "dialect",
    imports: { default: async | trappable },
    exports: { default: async },
    additional_derives: [serde::Serialize, serde::Deserialize, PartialEq, schemars::JsonSchema],
});

/// The `strategy` world. Its shared interfaces (types, schema, changes, log) are the dialect world's, so a
/// change or a schema passes between dialects and strategies without conversion.
pub mod strategy {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "strategy",
        imports: { default: async | trappable },
        exports: { default: async },
        additional_derives: [serde::Serialize, serde::Deserialize, PartialEq],
        with: {
            "ai-shell:plugin/types": crate::plugins::bindings::ai_shell::plugin::types,
            "ai-shell:plugin/schema": crate::plugins::bindings::ai_shell::plugin::schema,
            "ai-shell:plugin/changes": crate::plugins::bindings::ai_shell::plugin::changes,
            "ai-shell:plugin/log": crate::plugins::bindings::ai_shell::plugin::log,
        },
    });
}

/// The `policy` world, sharing the same interfaces as the dialect world. (Its `flags` type cannot derive
/// serde, so `policy::Reported` writes its own JSON.)
pub mod policy {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "policy",
        imports: { default: async | trappable },
        exports: { default: async },
        additional_derives: [PartialEq],
        with: {
            "ai-shell:plugin/types": crate::plugins::bindings::ai_shell::plugin::types,
            "ai-shell:plugin/schema": crate::plugins::bindings::ai_shell::plugin::schema,
            "ai-shell:plugin/changes": crate::plugins::bindings::ai_shell::plugin::changes,
            "ai-shell:plugin/log": crate::plugins::bindings::ai_shell::plugin::log,
        },
    });
}

/// The `notify` world: sinks only render events and judge answers; its log import is the dialect world's.
pub mod notify {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "notify",
        imports: { default: async | trappable },
        exports: { default: async },
        additional_derives: [PartialEq],
        with: {
            "ai-shell:plugin/types": crate::plugins::bindings::ai_shell::plugin::types,
            "ai-shell:plugin/log": crate::plugins::bindings::ai_shell::plugin::log,
        },
    });
}
