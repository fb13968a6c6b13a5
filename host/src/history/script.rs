//! History writes as SQL text with the values inlined as literals, so that a migration's statements, its
//! history row, its log event and the commit reach the database in one call (one round trip to a server, one
//! crossing to sqlx's SQLite worker thread) instead of one per statement.

use super::{COLUMNS, History, Record, record};
use crate::connection::Engine;
use crate::model::SqlValue;

impl History {
    /// The upsert of `record`. With `started` (RFC 3339, PostgreSQL and SQLite), `duration_ms` is computed by
    /// the database when the row is written: the time since `started`, that is the migration's body when the
    /// row follows it in the same script.
    pub fn put_sql(&self, engine: Engine, record: &Record, started: Option<&str>) -> String {
        let mut values: Vec<String> = record
            .to_params()
            .iter()
            .map(|v| literal(engine, v))
            .collect();
        if let Some(started) = started {
            let since = literal(engine, &SqlValue::Text(started.into()));
            // duration_ms (see `Record::to_params`).
            values[COLUMNS
                .split(',')
                .position(|c| c.trim() == "duration_ms")
                .unwrap()] = match engine {
                Engine::Sqlite => format!(
                    "CAST(ROUND((julianday('now') - julianday({since})) * 86400000) AS INTEGER)"
                ),
                Engine::Postgres => format!(
                    "CAST(round(EXTRACT(EPOCH FROM clock_timestamp() - CAST({since} AS timestamptz)) * 1000) AS bigint)"
                ),
                Engine::MySql => literal(engine, &SqlValue::Integer(0)),
            };
        }
        self.upsert(engine, &values.join(", "))
    }

    /// The insert of one log event.
    pub fn log_sql(&self, engine: Engine, version: u64, event: &str, detail: &str) -> String {
        format!(
            "INSERT INTO {} (version, at, event, detail) VALUES ({version}, {}, {}, {})",
            self.log_table,
            literal(engine, &SqlValue::Text(record::now())),
            literal(engine, &SqlValue::Text(event.into())),
            literal(engine, &SqlValue::Text(detail.into())),
        )
    }

    /// The update recording that statements `1..=done` of a version have run.
    pub fn progress_sql(&self, version: u64, done: usize) -> String {
        format!(
            "UPDATE {} SET statements_done = {done} WHERE version = {version}",
            self.table
        )
    }
}

/// `v` as an SQL literal of `engine`, read back unchanged whatever the session's settings: PostgreSQL text as
/// an escape string (`E'...'`, right with or without `standard_conforming_strings`), MySQL text holding a
/// backslash as hex converted to utf8mb4 (a backslash means something else under `NO_BACKSLASH_ESCAPES`).
pub(super) fn literal(engine: Engine, v: &SqlValue) -> String {
    match v {
        SqlValue::Null => "NULL".to_string(),
        SqlValue::Integer(n) => n.to_string(),
        SqlValue::Boolean(b) => (*b as i64).to_string(),
        SqlValue::Float(f) => f.to_string(),
        SqlValue::Text(t) => match engine {
            Engine::Postgres => format!("E'{}'", t.replace('\\', "\\\\").replace('\'', "''")),
            Engine::MySql if t.contains('\\') => {
                format!("CONVERT(X'{}' USING utf8mb4)", hex(t.as_bytes()))
            }
            _ => format!("'{}'", t.replace('\'', "''")),
        },
        SqlValue::Bytes(b) => match engine {
            Engine::Postgres => format!("E'\\\\x{}'::bytea", hex(b)),
            _ => format!("X'{}'", hex(b)),
        },
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|x| format!("{x:02x}")).collect()
}
