//! Introspection: reads the live schema from `pg_catalog` through the host's read-only
//! connection. One bulk query per catalog (the SQL lives in `sql/`, runnable as-is with psql);
//! everything is ordered deterministically so that two databases built from the same script
//! introspect to equal models.

mod basics;
mod canon;
mod json;
mod objects;
mod order;
mod tables;
mod views;

use ai_shell_plugin_sdk::rows::Row;
use ai_shell_plugin_sdk::{DatabaseSchema, LogLevel, PluginError, host};

/// Reads the whole schema.
pub fn run() -> Result<DatabaseSchema, PluginError> {
    let namespaces = basics::namespaces()?;
    let extensions = basics::extensions()?;
    let (enums, enum_comments) = basics::enums()?;
    let sequences = basics::sequences()?;
    let mut built = tables::tables()?;
    let sequences = tables::absorb_serials(&mut built.tables, sequences);
    let views = views::views()?;
    let read = objects::read()?;
    let mut objects = enum_comments;
    objects.extend(read.before_tables);
    objects.extend(read.after_tables);
    objects.extend(built.objects);
    objects.extend(objects::triggers()?);
    Ok(DatabaseSchema {
        namespaces,
        extensions,
        enums,
        sequences,
        tables: built.tables.into_iter().map(|t| t.table).collect(),
        views,
        objects,
    })
}

/// Runs one catalog query (without parameters).
fn query(sql: &str) -> Result<Vec<Row>, PluginError> {
    host::rows(sql, &[])
}

fn warn(message: &str) {
    host::log(LogLevel::Warn, message);
}
