//! Plugins: the sandboxed runtime, the built-in and installed plugins, and typed handles to call them.

pub mod bindings;
pub mod cache;
pub mod embedded;
pub mod error;
pub mod runtime;
pub mod untrusted;
pub mod wit_version;

mod dialect;
mod policy;
mod registry;
mod sink;
mod strategy;

pub use dialect::DialectPlugin;
pub use error::{PluginCallError, PluginLoadError};
pub use policy::PolicyPlugin;
pub use registry::{LoadedPlugin, PluginRegistry, PluginSource};
pub use runtime::{Limits, Runtime};
pub use sink::SinkPlugin;
pub use strategy::StrategyPlugin;
pub use wit_version::PluginKind;

/// What is known about a loaded plugin.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PluginMeta {
    pub name: String,
    pub kind: PluginKind,
    pub version: String,
    pub wit_version: String,
    pub description: String,
    /// URL schemes a dialect serves.
    pub url_schemes: Vec<String>,
    /// Dialects a strategy plans for (empty: any).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dialects: Vec<String>,
    pub source: PluginSource,
    /// The sha256 of the component file, hex (what `plugin install --sha256` and `[[policy.plugins]]` pin).
    pub sha256: String,
}

/// The sha256 of a component's bytes, hex.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
