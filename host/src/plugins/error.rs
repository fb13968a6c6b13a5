//! Errors from loading and calling plugins. Each names the plugin and, for calls, the function called.

use std::time::Duration;

use crate::model::PluginError;

/// A plugin could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PluginLoadError {
    #[error(
        "{plugin}: not a WebAssembly component ({reason})\n\nPlugins are components built for wasm32-wasip2, e.g. `cargo build --target wasm32-wasip2`."
    )]
    NotAComponent { plugin: String, reason: String },
    #[error(
        "{plugin}: exports no ai-shell plugin interface (expected one of {expected})\n\nBuild it with ai-shell-plugin-sdk and register it with its export macro."
    )]
    NotAPlugin { plugin: String, expected: String },
    #[error(
        "{plugin} was built against WIT ai-shell:plugin@{found}, but this ai-shell supports {supported}\n\nRebuild the plugin with the ai-shell-plugin-sdk matching WIT {supported}, or install an ai-shell release that supports {found}."
    )]
    IncompatibleWit {
        plugin: String,
        found: String,
        supported: String,
    },
    #[error("{plugin}: could not compile the component: {reason}")]
    Compile { plugin: String, reason: String },
    #[error(
        "{plugin}: imports something this host does not grant: {reason}\n\nPlugins may import only ai-shell:plugin/sql, ai-shell:plugin/log and WASI 0.2."
    )]
    Link { plugin: String, reason: String },
    #[error("{plugin}: {source}")]
    Call {
        plugin: String,
        #[source]
        source: Box<PluginCallError>,
    },
    #[error("cannot read plugin file {path}: {reason}")]
    Read { path: String, reason: String },
}

/// A call into a plugin failed. The host keeps running; the instance is discarded.
#[derive(Debug, thiserror::Error)]
pub enum PluginCallError {
    #[error("plugin `{plugin}` ran past its {limit:?} time limit in `{call}` and was stopped")]
    Timeout {
        plugin: String,
        call: &'static str,
        limit: Duration,
    },
    #[error("plugin `{plugin}` exceeded its memory limit of {} MiB in `{call}` and was stopped", limit_bytes >> 20)]
    MemoryLimit {
        plugin: String,
        call: &'static str,
        limit_bytes: usize,
    },
    #[error("plugin `{plugin}` panicked in `{call}`: {message}")]
    Panic {
        plugin: String,
        call: &'static str,
        message: String,
    },
    #[error("plugin `{plugin}` trapped in `{call}`: {reason}")]
    Trap {
        plugin: String,
        call: &'static str,
        reason: String,
    },
    #[error("plugin `{plugin}` {version} failed in `{call}`: {}", describe(error))]
    Failed {
        plugin: String,
        version: String,
        call: &'static str,
        error: PluginError,
    },
}

/// A readable sentence for a plugin's own error.
pub fn describe(error: &PluginError) -> String {
    match error {
        PluginError::UnsupportedChange(m) => format!("unsupported change: {m}"),
        PluginError::InvalidInput(m) => format!("invalid input: {m}"),
        PluginError::Denied(m) => format!("denied: {m}"),
        PluginError::Timeout(m) => format!("timed out: {m}"),
        PluginError::Database(d) => match &d.sqlstate {
            Some(code) => format!("database error {code}: {}", d.message),
            None => format!("database error: {}", d.message),
        },
        PluginError::Internal(m) => format!("internal error: {m}"),
    }
}
