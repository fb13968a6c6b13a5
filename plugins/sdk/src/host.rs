//! What the host grants a plugin: read-only SQL and logging.

use crate::bindings::ai_shell::plugin::{log, sql};
use crate::{LogLevel, PluginError, SqlValue};

pub use sql::QueryResult;

/// Runs a read-only query on the host's connection.
pub fn query(statement: &str, params: &[SqlValue]) -> Result<QueryResult, PluginError> {
    sql::query(statement, params).map_err(PluginError::Database)
}

/// Runs a read-only query and returns its rows with named-column access.
pub fn rows(statement: &str, params: &[SqlValue]) -> Result<Vec<crate::rows::Row>, PluginError> {
    Ok(crate::rows::Row::all(query(statement, params)?))
}

/// Sends a message to the operator's log.
pub fn log(level: LogLevel, message: &str) {
    log::log(level, message)
}
