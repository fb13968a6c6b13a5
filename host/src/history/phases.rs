//! Progress of phased (zero-downtime) migrations: one row per migration phase in `<table>_phases`, with the
//! backfill checkpoint, the executing connection (so `migrate cancel` can interrupt it), a cancel request
//! and gate confirmations. Written in the same transaction as the work it records wherever the engine allows.

use serde::Serialize;

use super::{History, HistoryError, int_at, placeholder, text_at};
use crate::connection::{Engine, Session};
use crate::model::SqlValue;

/// Where one phase stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseStatus {
    Running,
    Done,
    Failed,
    /// A gate waiting for `migrate confirm`.
    Waiting,
    /// A gate the operator confirmed.
    Confirmed,
    RolledBack,
}

impl PhaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PhaseStatus::Running => "running",
            PhaseStatus::Done => "done",
            PhaseStatus::Failed => "failed",
            PhaseStatus::Waiting => "waiting",
            PhaseStatus::Confirmed => "confirmed",
            PhaseStatus::RolledBack => "rolled_back",
        }
    }

    fn parse(s: &str) -> Result<PhaseStatus, HistoryError> {
        Ok(match s {
            "running" => PhaseStatus::Running,
            "done" => PhaseStatus::Done,
            "failed" => PhaseStatus::Failed,
            "waiting" => PhaseStatus::Waiting,
            "confirmed" => PhaseStatus::Confirmed,
            "rolled_back" => PhaseStatus::RolledBack,
            other => {
                return Err(HistoryError::Corrupt(format!(
                    "unknown phase status `{other}`"
                )));
            }
        })
    }
}

/// One phase's row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhaseRecord {
    pub version: u64,
    /// 1-based phase number.
    pub phase: usize,
    pub name: String,
    pub status: PhaseStatus,
    /// Backfill: the next key to process (every key below it is done).
    pub checkpoint: Option<i64>,
    pub rows_done: u64,
    /// Backfill: the estimated rows to process.
    pub rows_total: Option<u64>,
    pub started_at: Option<String>,
    pub updated_at: Option<String>,
    /// The error, the gate's question, or who confirmed it.
    pub detail: Option<String>,
    /// The database connection executing the phase (PostgreSQL backend pid, MySQL connection id).
    pub connection_id: Option<i64>,
}

const COLUMNS: &str = "version, phase, name, status, checkpoint, rows_done, rows_total, started_at, \
                       updated_at, detail, connection_id";

impl History {
    /// The table of phase progress.
    pub fn phases_table(&self) -> String {
        format!("{}_phases", self.table)
    }

    pub(super) fn create_phases_statement(&self, engine: Engine) -> String {
        let (text, big_int) = match engine {
            Engine::MySql => ("LONGTEXT", "BIGINT"),
            Engine::Postgres => ("TEXT", "BIGINT"),
            Engine::Sqlite => ("TEXT", "INTEGER"),
        };
        format!(
            "CREATE TABLE IF NOT EXISTS {t} (
    version {big_int} NOT NULL,
    phase INTEGER NOT NULL,
    name VARCHAR(255) NOT NULL,
    status VARCHAR(20) NOT NULL,
    checkpoint {big_int},
    rows_done {big_int} NOT NULL,
    rows_total {big_int},
    started_at VARCHAR(40),
    updated_at VARCHAR(40),
    detail {text},
    connection_id {big_int},
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (version, phase)
)",
            t = self.phases_table()
        )
    }

    /// Every phase row of `version`, by phase number.
    pub async fn phases(
        &self,
        s: &mut Session,
        version: u64,
    ) -> Result<Vec<PhaseRecord>, HistoryError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM {} WHERE version = {} ORDER BY phase",
            self.phases_table(),
            placeholder(s.engine(), 1)
        );
        let r = s.query(&sql, &[SqlValue::Integer(version as i64)]).await?;
        (0..r.rows.len())
            .map(|i| {
                let opt_int = |c| -> Result<Option<i64>, HistoryError> {
                    Ok(match r.rows[i].get(c) {
                        Some(SqlValue::Null) | None => None,
                        _ => Some(int_at(&r, i, c)?),
                    })
                };
                Ok(PhaseRecord {
                    version: int_at(&r, i, 0)? as u64,
                    phase: int_at(&r, i, 1)? as usize,
                    name: text_at(&r, i, 2)?.unwrap_or_default(),
                    status: PhaseStatus::parse(&text_at(&r, i, 3)?.unwrap_or_default())?,
                    checkpoint: opt_int(4)?,
                    rows_done: int_at(&r, i, 5)? as u64,
                    rows_total: opt_int(6)?.map(|n| n as u64),
                    started_at: text_at(&r, i, 7)?,
                    updated_at: text_at(&r, i, 8)?,
                    detail: text_at(&r, i, 9)?,
                    connection_id: opt_int(10)?,
                })
            })
            .collect()
    }

    /// Inserts or replaces a phase row (keeping a pending cancel request).
    pub async fn put_phase(&self, s: &mut Session, p: &PhaseRecord) -> Result<(), HistoryError> {
        let engine = s.engine();
        let updates: Vec<String> = COLUMNS
            .split(',')
            .map(str::trim)
            .filter(|c| *c != "version" && *c != "phase")
            .map(|c| match engine {
                Engine::MySql => format!("{c} = VALUES({c})"),
                _ => format!("{c} = excluded.{c}"),
            })
            .collect();
        let conflict = match engine {
            Engine::MySql => "ON DUPLICATE KEY UPDATE",
            _ => "ON CONFLICT (version, phase) DO UPDATE SET",
        };
        let params: Vec<String> = (1..=11).map(|n| placeholder(engine, n)).collect();
        let sql = format!(
            "INSERT INTO {} ({COLUMNS}) VALUES ({}) {conflict} {}",
            self.phases_table(),
            params.join(", "),
            updates.join(", ")
        );
        let opt_text = |v: &Option<String>| match v {
            Some(t) => SqlValue::Text(t.clone()),
            None => SqlValue::Null,
        };
        let opt_int = |v: Option<i64>| match v {
            Some(n) => SqlValue::Integer(n),
            None => SqlValue::Null,
        };
        s.execute(
            &sql,
            &[
                SqlValue::Integer(p.version as i64),
                SqlValue::Integer(p.phase as i64),
                SqlValue::Text(p.name.clone()),
                SqlValue::Text(p.status.as_str().into()),
                opt_int(p.checkpoint),
                SqlValue::Integer(p.rows_done as i64),
                opt_int(p.rows_total.map(|n| n as i64)),
                opt_text(&p.started_at),
                opt_text(&p.updated_at),
                opt_text(&p.detail),
                opt_int(p.connection_id),
            ],
        )
        .await?;
        Ok(())
    }

    /// The update recording a backfill batch: its checkpoint, rows done and time, as SQL text with literal
    /// values (sent with the batch's `COMMIT`).
    pub fn checkpoint_sql(&self, engine: Engine, p: &PhaseRecord) -> String {
        let text = |v: &Option<String>| {
            super::script::literal(engine, &v.clone().map_or(SqlValue::Null, SqlValue::Text))
        };
        format!(
            "UPDATE {} SET checkpoint = {}, rows_done = {}, updated_at = {} WHERE version = {} AND phase = {}",
            self.phases_table(),
            p.checkpoint.map_or("NULL".to_string(), |c| c.to_string()),
            p.rows_done,
            text(&p.updated_at),
            p.version,
            p.phase
        )
    }

    /// Forgets the phase rows of `version` (before a fresh run after a rollback).
    pub async fn clear_phases(&self, s: &mut Session, version: u64) -> Result<(), HistoryError> {
        let sql = format!(
            "DELETE FROM {} WHERE version = {}",
            self.phases_table(),
            placeholder(s.engine(), 1)
        );
        s.execute(&sql, &[SqlValue::Integer(version as i64)])
            .await?;
        Ok(())
    }

    /// Asks the run executing `version` to stop; returns whether a phase row was there to flag.
    pub async fn request_cancel(
        &self,
        s: &mut Session,
        version: u64,
    ) -> Result<bool, HistoryError> {
        let sql = format!(
            "UPDATE {} SET cancel_requested = 1 WHERE version = {}",
            self.phases_table(),
            placeholder(s.engine(), 1)
        );
        Ok(s.execute(&sql, &[SqlValue::Integer(version as i64)])
            .await?
            > 0)
    }

    /// Whether someone asked to cancel `version`.
    pub async fn cancel_requested(
        &self,
        s: &mut Session,
        version: u64,
    ) -> Result<bool, HistoryError> {
        let sql = format!(
            "SELECT count(*) FROM {} WHERE version = {} AND cancel_requested = 1",
            self.phases_table(),
            placeholder(s.engine(), 1)
        );
        let r = s.query(&sql, &[SqlValue::Integer(version as i64)]).await?;
        Ok(int_at(&r, 0, 0)? > 0)
    }

    /// Clears a cancel request (a new run starts).
    pub async fn clear_cancel(&self, s: &mut Session, version: u64) -> Result<(), HistoryError> {
        let sql = format!(
            "UPDATE {} SET cancel_requested = 0 WHERE version = {}",
            self.phases_table(),
            placeholder(s.engine(), 1)
        );
        s.execute(&sql, &[SqlValue::Integer(version as i64)])
            .await?;
        Ok(())
    }
}
