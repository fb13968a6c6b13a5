//! The model types of `wit/` (`types`, `schema`, `changes`), generated once. The dialect and strategy
//! SDKs map these interfaces onto this crate, so a crate computing with the model (such as an engine's
//! SQL text helpers) serves dialects and strategies alike.

#[allow(missing_docs)]
mod generated {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "model",
        generate_all,
    });
}

pub use generated::ai_shell::plugin::{changes, schema, types};
