//! Errors from loading and calling plugins. Each names the plugin and, for calls, the function called.
//! Anything a plugin supplied (its name, messages, panic output) is escaped before it is shown.

use std::time::Duration;

use super::untrusted::{escape, escape_lines};
use crate::model::PluginError;

/// A plugin could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PluginLoadError {
    #[error(
        "{} is not a WebAssembly component: {}\n\nPlugins are components built for wasm32-wasip2, e.g. `cargo build --target wasm32-wasip2`.",
        escape(plugin),
        escape(reason)
    )]
    NotAComponent { plugin: String, reason: String },
    #[error(
        "{}: exports no ai-shell plugin interface (expected one of {expected})\n\nBuild it with ai-shell-plugin-sdk and register it with its export macro.",
        escape(plugin)
    )]
    NotAPlugin { plugin: String, expected: String },
    #[error(
        "{} was built against WIT ai-shell:plugin@{found}, but this ai-shell supports {supported}\n\nRebuild the plugin with the ai-shell-plugin-sdk matching WIT {supported}, or install an ai-shell release that supports {found}.",
        escape(plugin)
    )]
    IncompatibleWit {
        plugin: String,
        found: String,
        supported: String,
    },
    #[error(
        "{}: could not compile the component: {}",
        escape(plugin),
        escape_lines(reason)
    )]
    Compile { plugin: String, reason: String },
    #[error(
        "{}: imports something this host does not grant: {}\n\nPlugins may import only ai-shell:plugin/sql, ai-shell:plugin/log and WASI 0.2.",
        escape(plugin),
        escape_lines(reason)
    )]
    Link { plugin: String, reason: String },
    #[error("{}: {source}", escape(plugin))]
    Call {
        plugin: String,
        #[source]
        source: Box<PluginCallError>,
    },
    #[error("cannot read plugin file {}: {reason}", escape(path))]
    Read { path: String, reason: String },
    #[error(
        "{}: the plugin calls itself \"{}\", which is not a usable plugin name: {reason}\n\nA plugin name is 1 to 64 ASCII letters, digits, `-` or `_`, starting with a letter or digit, like `postgres-quirks`. Ask the plugin's author to change the name its `info` function returns.",
        escape(plugin),
        escape(name)
    )]
    InvalidName {
        plugin: String,
        name: String,
        reason: String,
    },
    #[error(
        "{}: plugin `{name}` reports the version \"{}\", which is not a usable version: {reason}\n\nA version is 1 to 64 printable characters without spaces, like `1.2.0`. Ask the plugin's author to change the version its `info` function returns.",
        escape(plugin),
        escape(version)
    )]
    InvalidVersion {
        plugin: String,
        name: String,
        version: String,
        reason: String,
    },
}

/// A call into a plugin failed. The host keeps running; the instance is discarded.
#[derive(Debug, thiserror::Error)]
pub enum PluginCallError {
    #[error(
        "plugin `{}` ran past its {limit:?} time limit in `{call}` and was stopped",
        escape(plugin)
    )]
    Timeout {
        plugin: String,
        call: &'static str,
        limit: Duration,
    },
    #[error("plugin `{}` exceeded its memory limit of {} MiB in `{call}` and was stopped", escape(plugin), limit_bytes >> 20)]
    MemoryLimit {
        plugin: String,
        call: &'static str,
        limit_bytes: usize,
    },
    #[error(
        "plugin `{}` panicked in `{call}`: {}",
        escape(plugin),
        escape_lines(message)
    )]
    Panic {
        plugin: String,
        call: &'static str,
        message: String,
    },
    #[error(
        "plugin `{}` trapped in `{call}`: {}",
        escape(plugin),
        escape_lines(reason)
    )]
    Trap {
        plugin: String,
        call: &'static str,
        reason: String,
    },
    #[error(
        "plugin `{}` {} failed in `{call}`: {}",
        escape(plugin),
        escape(version),
        describe(error)
    )]
    Failed {
        plugin: String,
        version: String,
        call: &'static str,
        error: PluginError,
    },
}

/// A readable sentence for a plugin's own error, with anything that could steer a terminal escaped.
pub fn describe(error: &PluginError) -> String {
    let text = match error {
        PluginError::UnsupportedChange(m) => format!("unsupported change: {m}"),
        PluginError::InvalidInput(m) => format!("invalid input: {m}"),
        PluginError::Denied(m) => format!("denied: {m}"),
        PluginError::Timeout(m) => format!("timed out: {m}"),
        PluginError::Database(d) => match &d.sqlstate {
            Some(code) => format!("database error {code}: {}", d.message),
            None => format!("database error: {}", d.message),
        },
        PluginError::Internal(m) => format!("internal error: {m}"),
    };
    escape_lines(&text).into_owned()
}
