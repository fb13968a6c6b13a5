//! One history row and one log event.

use serde::Serialize;

use super::{HistoryError, int_at, text_at};
use crate::model::{QueryResult, SqlValue};

/// Where a migration stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every statement ran and is recorded.
    Applied,
    /// A statement failed; `statements_done` ran before it.
    Failed,
    /// Undone by `migrate rollback`.
    RolledBack,
    /// A run is executing it statement by statement (or died doing so).
    Running,
    /// A phased migration stopped at a gate, waiting for `migrate confirm`.
    Waiting,
    /// A rollback runs its down statements one by one, or stopped part-way (failed, or its run died):
    /// `statements_done` is then the position in the down section from which it continues, and `error` why
    /// it stopped. `migrate rollback` continues it.
    RollingBack,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Applied => "applied",
            Status::Failed => "failed",
            Status::RolledBack => "rolled_back",
            Status::Running => "running",
            Status::Waiting => "waiting",
            Status::RollingBack => "rolling_back",
        }
    }

    fn parse(s: &str) -> Result<Status, HistoryError> {
        Ok(match s {
            "applied" => Status::Applied,
            "failed" => Status::Failed,
            "rolled_back" => Status::RolledBack,
            "running" => Status::Running,
            "waiting" => Status::Waiting,
            "rolling_back" => Status::RollingBack,
            other => return Err(HistoryError::Corrupt(format!("unknown status `{other}`"))),
        })
    }
}

/// One migration's row in the history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Record {
    pub version: u64,
    /// The migration id, e.g. `002_add_email_to_users`.
    pub name: String,
    /// Checksum of the up section as applied.
    pub checksum: String,
    pub status: Status,
    pub statements_total: usize,
    pub statements_done: usize,
    /// The database's error when the status is `failed`.
    pub error: Option<String>,
    /// RFC 3339, UTC.
    pub applied_at: Option<String>,
    pub applied_by: Option<String>,
    pub duration_ms: Option<u64>,
    /// The SQL as applied, so a rollback works even when the file is gone.
    pub up_sql: String,
    pub down_sql: Option<String>,
    /// Ran inside one transaction with its history row.
    pub transactional: bool,
    pub notes: Option<String>,
}

impl Record {
    pub(super) fn from_row(r: &QueryResult, i: usize) -> Result<Record, HistoryError> {
        let text = |c| text_at(r, i, c);
        let int = |c| int_at(r, i, c);
        Ok(Record {
            version: int(0)? as u64,
            name: text(1)?.unwrap_or_default(),
            checksum: text(2)?.unwrap_or_default(),
            status: Status::parse(&text(3)?.unwrap_or_default())?,
            statements_total: int(4)? as usize,
            statements_done: int(5)? as usize,
            error: text(6)?,
            applied_at: text(7)?,
            applied_by: text(8)?,
            duration_ms: text(9)?.and_then(|d| d.parse().ok()),
            up_sql: text(10)?.unwrap_or_default(),
            down_sql: text(11)?,
            transactional: int(12)? != 0,
            notes: text(13)?,
        })
    }

    pub(super) fn to_params(&self) -> Vec<SqlValue> {
        let opt = |v: &Option<String>| match v {
            Some(s) => SqlValue::Text(s.clone()),
            None => SqlValue::Null,
        };
        vec![
            SqlValue::Integer(self.version as i64),
            SqlValue::Text(self.name.clone()),
            SqlValue::Text(self.checksum.clone()),
            SqlValue::Text(self.status.as_str().into()),
            SqlValue::Integer(self.statements_total as i64),
            SqlValue::Integer(self.statements_done as i64),
            opt(&self.error),
            opt(&self.applied_at),
            opt(&self.applied_by),
            match self.duration_ms {
                Some(d) => SqlValue::Integer(d as i64),
                None => SqlValue::Null,
            },
            SqlValue::Text(self.up_sql.clone()),
            opt(&self.down_sql),
            SqlValue::Integer(self.transactional as i64),
            opt(&self.notes),
        ]
    }

    /// Whether a rollback can undo this migration, and if not, why.
    pub fn rollback_availability(&self) -> Result<(), String> {
        match self.status {
            Status::RolledBack => return Err("it is already rolled back".into()),
            Status::Running => {
                return Err("a run is applying it right now (or died doing so: run `migrate apply` to recover)".into());
            }
            Status::Applied | Status::Failed | Status::Waiting | Status::RollingBack => {}
        }
        match self.down_sql.as_deref().map(str::trim) {
            None => Err("it has no down section: nothing says how to undo it".into()),
            Some("") => Err("its down section is empty: it was declared irreversible".into()),
            Some(_) => Ok(()),
        }
    }
}

/// One entry of the event log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    pub version: u64,
    pub at: String,
    pub event: String,
    pub detail: Option<String>,
}

impl Event {
    pub(super) fn from_row(r: &QueryResult, i: usize) -> Result<Event, HistoryError> {
        Ok(Event {
            version: int_at(r, i, 0)? as u64,
            at: text_at(r, i, 1)?.unwrap_or_default(),
            event: text_at(r, i, 2)?.unwrap_or_default(),
            detail: text_at(r, i, 3)?,
        })
    }
}

/// The current time, RFC 3339 in UTC with milliseconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The current time, RFC 3339 in UTC to the second (for file headers).
pub fn now_seconds() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Who is applying: `AI_SHELL_USER`, else the login name.
pub fn current_user() -> String {
    ["AI_SHELL_USER", "USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}
