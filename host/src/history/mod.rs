//! The migration history: a table in the target database (`ai_shell_migrations` unless configured) with one
//! row per migration version (its state and the SQL as applied), and an event log beside it
//! (`<table>_log`) that keeps every apply, failure, rollback, retry and note.

pub mod phases;
pub mod record;
mod script;
pub mod snapshots;

pub use phases::{PhaseRecord, PhaseStatus};
pub use record::{Event, Record, Status};
pub use snapshots::Snapshot;

use crate::connection::{ConnectionError, Engine, Session};
use crate::model::{QueryResult, SqlValue};

/// Errors of the history store.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(
        "invalid history table name `{0}`: use letters, digits and underscores, starting with a letter"
    )]
    InvalidName(String),
    #[error(transparent)]
    Database(#[from] ConnectionError),
    #[error("unexpected content in the history table: {0}")]
    Corrupt(String),
}

/// Where the history lives.
#[derive(Clone, Debug)]
pub struct History {
    table: String,
    log_table: String,
}

const COLUMNS: &str = "version, name, checksum, status, statements_total, statements_done, error, applied_at, \
                       applied_by, duration_ms, up_sql, down_sql, transactional, notes";

/// The `n`-th (1-based) positional parameter in the engine's syntax.
pub fn placeholder(engine: Engine, n: usize) -> String {
    match engine {
        Engine::Postgres => format!("${n}"),
        _ => "?".to_string(),
    }
}

fn placeholders(engine: Engine, count: usize) -> String {
    (1..=count)
        .map(|n| placeholder(engine, n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The name prefix of the tables in which a `fill-nulls` change keeps the keys of the rows it filled.
pub const FILL_PREFIX: &str = "ai_shell_fill_";

impl History {
    /// The history in table `table` (and its log in `<table>_log`).
    pub fn new(table: &str) -> Result<History, HistoryError> {
        let valid = table
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && table.len() <= 48
            && table.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(HistoryError::InvalidName(table.to_string()));
        }
        Ok(History {
            table: table.to_string(),
            log_table: format!("{table}_log"),
        })
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Whether `name` is one of ai-shell's own bookkeeping tables (history, log, phases, schema snapshots, the
    /// keys a `fill-nulls` change keeps for its rollback) or their sequences.
    pub fn owns(&self, name: &str) -> bool {
        name.starts_with(FILL_PREFIX)
            || name.strip_prefix(self.table.as_str()).is_some_and(|rest| {
                matches!(
                    rest,
                    "" | "_log" | "_phases" | "_log_id_seq" | "_snapshots" | "_outbox"
                )
            })
    }

    /// `schema` without ai-shell's own tables and sequences, as every reader of the user's schema wants it.
    pub fn leave_out(&self, schema: &mut crate::model::DatabaseSchema) {
        schema.tables.retain(|t| !self.owns(&t.name.name));
        schema.sequences.retain(|q| !self.owns(&q.name.name));
    }

    /// The statements that create the history tables when they are missing.
    pub fn create_statements(&self, engine: Engine) -> Vec<String> {
        let (text, big_int, id) = match engine {
            Engine::MySql => ("LONGTEXT", "BIGINT", "BIGINT AUTO_INCREMENT PRIMARY KEY"),
            Engine::Postgres => ("TEXT", "BIGINT", "BIGSERIAL PRIMARY KEY"),
            Engine::Sqlite => ("TEXT", "INTEGER", "INTEGER PRIMARY KEY AUTOINCREMENT"),
        };
        vec![
            format!(
                "CREATE TABLE IF NOT EXISTS {t} (
    version {big_int} NOT NULL PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    checksum VARCHAR(64) NOT NULL,
    status VARCHAR(20) NOT NULL,
    statements_total INTEGER NOT NULL,
    statements_done INTEGER NOT NULL,
    error {text},
    applied_at VARCHAR(40),
    applied_by VARCHAR(255),
    duration_ms {big_int},
    up_sql {text} NOT NULL,
    down_sql {text},
    transactional INTEGER NOT NULL,
    notes {text}
)",
                t = self.table
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS {t} (
    id {id},
    version {big_int} NOT NULL,
    at VARCHAR(40) NOT NULL,
    event VARCHAR(32) NOT NULL,
    detail {text}
)",
                t = self.log_table
            ),
            self.create_phases_statement(engine),
        ]
    }

    /// Creates the history tables if they do not exist.
    /// Only what is missing is created: a role without CREATE, or a read-only replica, can run once they exist.
    pub async fn ensure(&self, s: &mut Session) -> Result<(), HistoryError> {
        let names = [
            self.table.clone(),
            self.log_table.clone(),
            self.phases_table(),
        ];
        let list = (1..=names.len())
            .map(|i| placeholder(s.engine(), i))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = match s.engine() {
            Engine::Postgres => format!(
                "SELECT count(*)::int8 AS n FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name IN ({list})"
            ),
            Engine::MySql => format!(
                "SELECT count(*) AS n FROM information_schema.tables \
                 WHERE table_schema = DATABASE() AND table_name IN ({list})"
            ),
            Engine::Sqlite => format!(
                "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ({list})"
            ),
        };
        let params: Vec<SqlValue> = names.iter().cloned().map(SqlValue::Text).collect();
        let r = s.query(&sql, &params).await?;
        if int_at(&r, 0, 0)? == names.len() as i64 {
            return Ok(());
        }
        for statement in self.create_statements(s.engine()) {
            s.execute(&statement, &[]).await?;
        }
        Ok(())
    }

    /// Whether `migrate init` (or any apply) has created the history table.
    pub async fn exists(&self, s: &mut Session) -> Result<bool, HistoryError> {
        let sql = match s.engine() {
            Engine::Postgres => "SELECT count(*)::int8 AS n FROM information_schema.tables \
                                 WHERE table_schema = current_schema() AND table_name = $1"
                .to_string(),
            Engine::MySql => "SELECT count(*) AS n FROM information_schema.tables \
                              WHERE table_schema = DATABASE() AND table_name = ?"
                .to_string(),
            Engine::Sqlite => {
                "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?"
                    .to_string()
            }
        };
        let r = s.query(&sql, &[SqlValue::Text(self.table.clone())]).await?;
        Ok(int_at(&r, 0, 0)? > 0)
    }

    /// Every row, by version.
    pub async fn all(&self, s: &mut Session) -> Result<Vec<Record>, HistoryError> {
        let sql = format!("SELECT {COLUMNS} FROM {} ORDER BY version", self.table);
        let r = s.query(&sql, &[]).await?;
        (0..r.rows.len()).map(|i| Record::from_row(&r, i)).collect()
    }

    /// The row of one version.
    pub async fn get(&self, s: &mut Session, version: u64) -> Result<Option<Record>, HistoryError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM {} WHERE version = {}",
            self.table,
            placeholder(s.engine(), 1)
        );
        let r = s.query(&sql, &[SqlValue::Integer(version as i64)]).await?;
        if r.rows.is_empty() {
            return Ok(None);
        }
        Record::from_row(&r, 0).map(Some)
    }

    /// Writes a version's row, replacing any earlier one, in one atomic statement (an upsert), so a crash can
    /// never leave the version without its row.
    pub async fn put(&self, s: &mut Session, record: &Record) -> Result<(), HistoryError> {
        let engine = s.engine();
        let sql = self.upsert(engine, &placeholders(engine, 14));
        s.execute(&sql, &record.to_params()).await?;
        Ok(())
    }

    /// `INSERT ... VALUES (values) <upsert>` of one history row, in the engine's syntax.
    fn upsert(&self, engine: Engine, values: &str) -> String {
        let updates: Vec<String> = COLUMNS
            .split(',')
            .map(str::trim)
            .filter(|c| *c != "version")
            .map(|c| match engine {
                Engine::MySql => format!("{c} = VALUES({c})"),
                _ => format!("{c} = excluded.{c}"),
            })
            .collect();
        let conflict = match engine {
            Engine::MySql => "ON DUPLICATE KEY UPDATE",
            _ => "ON CONFLICT (version) DO UPDATE SET",
        };
        format!(
            "INSERT INTO {} ({COLUMNS}) VALUES ({values}) {conflict} {}",
            self.table,
            updates.join(", ")
        )
    }

    /// Records that statements `1..=done` of a version have run (engines without transactional DDL).
    pub async fn set_progress(
        &self,
        s: &mut Session,
        version: u64,
        done: usize,
    ) -> Result<(), HistoryError> {
        s.execute_script(&self.progress_sql(version, done)).await?;
        Ok(())
    }

    /// Changes a version's stored checksum (accepting an edited file deliberately).
    pub async fn set_checksum(
        &self,
        s: &mut Session,
        version: u64,
        checksum: &str,
    ) -> Result<(), HistoryError> {
        let e = s.engine();
        let sql = format!(
            "UPDATE {} SET checksum = {} WHERE version = {}",
            self.table,
            placeholder(e, 1),
            placeholder(e, 2)
        );
        s.execute(
            &sql,
            &[
                SqlValue::Text(checksum.into()),
                SqlValue::Integer(version as i64),
            ],
        )
        .await?;
        Ok(())
    }

    /// Appends to a version's notes.
    pub async fn add_note(
        &self,
        s: &mut Session,
        version: u64,
        note: &str,
    ) -> Result<bool, HistoryError> {
        let Some(record) = self.get(s, version).await? else {
            return Ok(false);
        };
        let notes = match record.notes {
            Some(old) if !old.is_empty() => format!("{old}\n{note}"),
            _ => note.to_string(),
        };
        let e = s.engine();
        let sql = format!(
            "UPDATE {} SET notes = {} WHERE version = {}",
            self.table,
            placeholder(e, 1),
            placeholder(e, 2)
        );
        s.execute(
            &sql,
            &[SqlValue::Text(notes), SqlValue::Integer(version as i64)],
        )
        .await?;
        Ok(true)
    }

    /// Appends an event to the log.
    pub async fn log(
        &self,
        s: &mut Session,
        version: u64,
        event: &str,
        detail: &str,
    ) -> Result<(), HistoryError> {
        let sql = self.log_sql(s.engine(), version, event, detail);
        s.execute_script(&sql).await?;
        Ok(())
    }

    /// The events of one version, oldest first.
    pub async fn events(&self, s: &mut Session, version: u64) -> Result<Vec<Event>, HistoryError> {
        let sql = format!(
            "SELECT version, at, event, detail FROM {} WHERE version = {} ORDER BY id",
            self.log_table,
            placeholder(s.engine(), 1)
        );
        let r = s.query(&sql, &[SqlValue::Integer(version as i64)]).await?;
        (0..r.rows.len()).map(|i| Event::from_row(&r, i)).collect()
    }
}

/// Column `col` of row `row` as an integer.
pub(crate) fn int_at(r: &QueryResult, row: usize, col: usize) -> Result<i64, HistoryError> {
    match r.rows.get(row).and_then(|v| v.get(col)) {
        Some(SqlValue::Integer(i)) => Ok(*i),
        Some(SqlValue::Boolean(b)) => Ok(*b as i64),
        Some(SqlValue::Text(t)) => t
            .parse()
            .map_err(|_| HistoryError::Corrupt(format!("`{t}` is not a number"))),
        other => Err(HistoryError::Corrupt(format!(
            "expected a number, found {other:?}"
        ))),
    }
}

/// Column `col` of row `row` as optional text.
pub(crate) fn text_at(
    r: &QueryResult,
    row: usize,
    col: usize,
) -> Result<Option<String>, HistoryError> {
    match r.rows.get(row).and_then(|v| v.get(col)) {
        Some(SqlValue::Null) | None => Ok(None),
        Some(SqlValue::Text(t)) => Ok(Some(t.clone())),
        Some(SqlValue::Bytes(b)) => Ok(Some(String::from_utf8_lossy(b).into_owned())),
        Some(SqlValue::Integer(i)) => Ok(Some(i.to_string())),
        Some(other) => Err(HistoryError::Corrupt(format!(
            "expected text, found {other:?}"
        ))),
    }
}
