//! Host-side bindings generated from `wit/`. The generated types are also the host's model types
//! (see `crate::model`), with serde derives so they are the JSON formats too.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "dialect",
    imports: { default: async | trappable },
    exports: { default: async },
    additional_derives: [serde::Serialize, serde::Deserialize, PartialEq, schemars::JsonSchema],
});
