//! Schema snapshots: after every apply run and rollback, the live schema (the schema model as compact JSON,
//! ai-shell's own tables left out) is kept in `<table>_snapshots`, one row per history version, so
//! `schema detect-drift` finds changes made outside the migrations without replaying them. Version 0 is the
//! schema with no migration applied.

use super::{History, HistoryError, int_at, placeholder, text_at};
use crate::connection::{Engine, Session};
use crate::model::{DatabaseSchema, SqlValue};

/// One stored snapshot.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub version: u64,
    pub taken_at: String,
    /// What took it: `apply`, `rollback`, `capture-drift`, `reset-to-migrations`.
    pub event: String,
    pub schema: DatabaseSchema,
}

impl History {
    /// The snapshots table, `<table>_snapshots`.
    pub fn snapshots_table(&self) -> String {
        format!("{}_snapshots", self.table)
    }

    fn create_snapshots_statement(&self, engine: Engine) -> String {
        let (text, big_int) = match engine {
            Engine::MySql => ("LONGTEXT", "BIGINT"),
            Engine::Postgres => ("TEXT", "BIGINT"),
            Engine::Sqlite => ("TEXT", "INTEGER"),
        };
        format!(
            "CREATE TABLE IF NOT EXISTS {} (
    version {big_int} NOT NULL PRIMARY KEY,
    taken_at VARCHAR(40) NOT NULL,
    event VARCHAR(32) NOT NULL,
    schema_json {text} NOT NULL
)",
            self.snapshots_table()
        )
    }

    async fn snapshots_exist(&self, s: &mut Session) -> Result<bool, HistoryError> {
        let sql = match s.engine() {
            Engine::Postgres => {
                "SELECT count(*)::int8 AS n FROM information_schema.tables \
                                 WHERE table_schema = current_schema() AND table_name = $1"
            }
            Engine::MySql => {
                "SELECT count(*) AS n FROM information_schema.tables \
                              WHERE table_schema = DATABASE() AND table_name = ?"
            }
            Engine::Sqlite => {
                "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?"
            }
        };
        let r = s
            .query(sql, &[SqlValue::Text(self.snapshots_table())])
            .await?;
        Ok(int_at(&r, 0, 0)? > 0)
    }

    /// Stores `schema` as the snapshot of `version` (0: nothing applied), replacing an earlier one; the table
    /// is created when it is missing.
    pub async fn put_snapshot(
        &self,
        s: &mut Session,
        version: u64,
        event: &str,
        schema: &DatabaseSchema,
    ) -> Result<(), HistoryError> {
        let engine = s.engine();
        if !self.snapshots_exist(s).await? {
            s.execute(&self.create_snapshots_statement(engine), &[])
                .await?;
        }
        let json = serde_json::to_string(schema)
            .map_err(|e| HistoryError::Corrupt(format!("a schema snapshot: {e}")))?;
        let p = |n| placeholder(engine, n);
        let conflict = match engine {
            Engine::MySql => {
                "ON DUPLICATE KEY UPDATE taken_at = VALUES(taken_at), event = VALUES(event), \
                              schema_json = VALUES(schema_json)"
                    .to_string()
            }
            _ => "ON CONFLICT (version) DO UPDATE SET taken_at = excluded.taken_at, \
                  event = excluded.event, schema_json = excluded.schema_json"
                .to_string(),
        };
        let sql = format!(
            "INSERT INTO {} (version, taken_at, event, schema_json) VALUES ({}, {}, {}, {}) {conflict}",
            self.snapshots_table(),
            p(1),
            p(2),
            p(3),
            p(4)
        );
        s.execute(
            &sql,
            &[
                SqlValue::Integer(version as i64),
                SqlValue::Text(super::record::now()),
                SqlValue::Text(event.to_string()),
                SqlValue::Text(json),
            ],
        )
        .await?;
        Ok(())
    }

    /// The snapshot of `version`, if one was taken (none before snapshots existed).
    pub async fn snapshot(
        &self,
        s: &mut Session,
        version: u64,
    ) -> Result<Option<Snapshot>, HistoryError> {
        if !self.snapshots_exist(s).await? {
            return Ok(None);
        }
        let sql = format!(
            "SELECT version, taken_at, event, schema_json FROM {} WHERE version = {}",
            self.snapshots_table(),
            placeholder(s.engine(), 1)
        );
        let r = s.query(&sql, &[SqlValue::Integer(version as i64)]).await?;
        if r.rows.is_empty() {
            return Ok(None);
        }
        let json = text_at(&r, 0, 3)?.unwrap_or_default();
        let schema = serde_json::from_str(&json)
            .and_then(|mut v| {
                crate::model::upgrade_json(&mut v);
                serde_json::from_value(v)
            })
            .map_err(|e| {
                HistoryError::Corrupt(format!("the schema snapshot of version {version}: {e}"))
            })?;
        Ok(Some(Snapshot {
            version: int_at(&r, 0, 0)? as u64,
            taken_at: text_at(&r, 0, 1)?.unwrap_or_default(),
            event: text_at(&r, 0, 2)?.unwrap_or_default(),
            schema,
        }))
    }

    /// Whether any snapshot was taken (snapshots are in use for this history).
    pub async fn any_snapshot(&self, s: &mut Session) -> Result<bool, HistoryError> {
        if !self.snapshots_exist(s).await? {
            return Ok(false);
        }
        let sql = format!("SELECT COUNT(*) FROM {}", self.snapshots_table());
        let r = s.query(&sql, &[]).await?;
        Ok(crate::model::number_at(&r, 0, 0).unwrap_or(0) > 0)
    }

    /// Removes every snapshot (tests of the replay path, and histories written before a format change).
    pub async fn clear_snapshots(&self, s: &mut Session) -> Result<(), HistoryError> {
        if self.snapshots_exist(s).await? {
            s.execute(&format!("DELETE FROM {}", self.snapshots_table()), &[])
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::History;

    /// A snapshot written before views had options still reads.
    #[test]
    fn an_older_snapshot_reads_with_the_fields_added_since() {
        let old = r#"{"namespaces": [], "extensions": [], "enums": [], "sequences": [], "tables": [],
            "views": [{"name": {"namespace": null, "name": "v"}, "definition": "select 1",
                       "materialized": false, "comment": null}], "objects": []}"#;
        let mut v: serde_json::Value = serde_json::from_str(old).unwrap();
        assert!(serde_json::from_value::<crate::model::DatabaseSchema>(v.clone()).is_err());
        crate::model::upgrade_json(&mut v);
        let s: crate::model::DatabaseSchema = serde_json::from_value(v).unwrap();
        assert!(s.views[0].options.is_empty());
    }

    #[test]
    fn the_snapshots_table_is_bookkeeping() {
        let h = History::new("ai_shell_migrations").unwrap();
        assert_eq!(h.snapshots_table(), "ai_shell_migrations_snapshots");
        assert!(h.owns("ai_shell_migrations_snapshots"));
        assert!(!h.owns("ai_shell_migrations_snapshots2"));
    }
}
