//! Sessions: one pooled connection used for a sequence of statements. A read-only session holds a
//! read-only transaction, so the engine itself refuses writes: that is what plugins query through.
//! A plain session runs in autocommit mode and is what the migration executor uses (locks, history, DDL).

use sqlx::pool::PoolConnection;
use sqlx::{Column, Connection, MySql, Postgres, Row, Sqlite, TypeInfo, ValueRef};

use super::{ConnectionError, Database, Engine, Pool};
use crate::model::{QueryResult, SqlValue};

/// A session that can only read (see [`Session::begin_read_only`]).
pub type ReadOnlySession = Session;

/// One connection taken from the pool until [`Session::finish`] (or drop).
pub struct Session {
    db: Database,
    conn: Conn,
    read_only: bool,
}

enum Conn {
    Postgres(PoolConnection<Postgres>),
    MySql(PoolConnection<MySql>),
    Sqlite(PoolConnection<Sqlite>),
}

/// PostgreSQL statements are not cached as prepared statements: the same SQL may be bound with a NULL one time
/// and a value the next, and PostgreSQL would keep the parameter types of the first preparation. (MySQL sends
/// parameter types with every execution, and closing an uncached statement there costs a round trip.)
const POSTGRES_CACHE: bool = false;

/// Binds `SqlValue`s to a sqlx query, whatever the engine.
macro_rules! bind_all {
    ($statement:expr, $params:expr) => {{
        let mut q = sqlx::query(sqlx::AssertSqlSafe($statement.to_string()));
        for p in $params {
            q = match p {
                // A NULL typed as bigint: PostgreSQL assigns it to text columns too (through its I/O
                // conversion), while a text-typed NULL cannot go into a number column.
                SqlValue::Null => q.bind(None::<i64>),
                SqlValue::Boolean(b) => q.bind(*b),
                SqlValue::Integer(i) => q.bind(*i),
                SqlValue::Float(f) => q.bind(*f),
                SqlValue::Text(s) => q.bind(s.clone()),
                SqlValue::Bytes(b) => q.bind(b.clone()),
            };
        }
        q
    }};
}

impl Session {
    /// A connection in autocommit mode.
    pub(super) async fn open(db: &Database) -> Result<Session, ConnectionError> {
        let acquire = |e| db.error("taking a connection from the pool", e);
        let conn = match &db.pool {
            Pool::Postgres(p) => Conn::Postgres(p.acquire().await.map_err(acquire)?),
            Pool::MySql(p) => Conn::MySql(p.acquire().await.map_err(acquire)?),
            Pool::Sqlite(p) => Conn::Sqlite(p.acquire().await.map_err(acquire)?),
        };
        Ok(Session {
            db: db.clone(),
            conn,
            read_only: false,
        })
    }

    /// A connection inside a read-only transaction: PostgreSQL `READ ONLY` (repeatable read, so one
    /// consistent snapshot), MySQL `START TRANSACTION READ ONLY`, SQLite `PRAGMA query_only`.
    pub(super) async fn begin_read_only(db: &Database) -> Result<Session, ConnectionError> {
        let mut session = Session::open(db).await?;
        let begin = match db.engine() {
            Engine::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            Engine::MySql => "START TRANSACTION READ ONLY",
            Engine::Sqlite => "PRAGMA query_only = ON; BEGIN",
        };
        session
            .execute_script(begin)
            .await
            .map_err(|e| rename_context(e, "opening a read-only session"))?;
        session.read_only = true;
        Ok(session)
    }

    /// The engine this session talks to.
    pub fn engine(&self) -> Engine {
        self.db.engine()
    }

    /// The database this session belongs to.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// SQLite: interrupts whatever runs on this connection once `deadline` has passed (`None` removes the
    /// deadline). Other engines are cancelled from another session (see [`Session::backend_id`]).
    pub async fn set_deadline(
        &mut self,
        deadline: Option<std::time::Instant>,
    ) -> Result<(), ConnectionError> {
        let db = self.db.clone();
        if let Conn::Sqlite(c) = &mut self.conn {
            let mut handle = c
                .lock_handle()
                .await
                .map_err(|e| db.error("setting a time limit", e))?;
            match deadline {
                Some(d) => {
                    handle.set_progress_handler(10_000, move || std::time::Instant::now() < d)
                }
                None => handle.remove_progress_handler(),
            }
        }
        Ok(())
    }

    /// The server's id of this connection: PostgreSQL's backend pid, MySQL's connection id (0 on SQLite).
    pub async fn backend_id(&mut self) -> Result<i64, ConnectionError> {
        let sql = match self.engine() {
            Engine::Postgres => "SELECT CAST(pg_backend_pid() AS BIGINT)",
            Engine::MySql => "SELECT CAST(CONNECTION_ID() AS SIGNED)",
            Engine::Sqlite => return Ok(0),
        };
        let r = self.query(sql, &[]).await?;
        Ok(match r.rows.first().and_then(|r| r.first()) {
            Some(SqlValue::Integer(i)) => *i,
            Some(SqlValue::Text(t)) => t.parse().unwrap_or(0),
            _ => 0,
        })
    }

    /// Runs one statement with positional parameters and returns every row.
    pub async fn query(
        &mut self,
        statement: &str,
        params: &[SqlValue],
    ) -> Result<QueryResult, ConnectionError> {
        let result = match &mut self.conn {
            Conn::Postgres(c) => bind_all!(statement, params)
                .persistent(POSTGRES_CACHE)
                .fetch_all(&mut **c)
                .await
                .map(|rows| decode_rows(&rows, pg_value)),
            Conn::MySql(c) => bind_all!(statement, params)
                .fetch_all(&mut **c)
                .await
                .map(|rows| decode_rows(&rows, mysql_value)),
            Conn::Sqlite(c) => bind_all!(statement, params)
                .fetch_all(&mut **c)
                .await
                .map(|rows| decode_rows(&rows, sqlite_value)),
        };
        result
            .map_err(|e| self.db.error("running a query", e))
            .and_then(|r| r)
    }

    /// Runs one statement with positional parameters and returns the number of rows it affected.
    pub async fn execute(
        &mut self,
        statement: &str,
        params: &[SqlValue],
    ) -> Result<u64, ConnectionError> {
        let result = match &mut self.conn {
            Conn::Postgres(c) => bind_all!(statement, params)
                .persistent(POSTGRES_CACHE)
                .execute(&mut **c)
                .await
                .map(|r| r.rows_affected()),
            Conn::MySql(c) => bind_all!(statement, params)
                .execute(&mut **c)
                .await
                .map(|r| r.rows_affected()),
            Conn::Sqlite(c) => bind_all!(statement, params)
                .execute(&mut **c)
                .await
                .map(|r| r.rows_affected()),
        };
        result.map_err(|e| self.db.error("executing SQL", e))
    }

    /// Runs SQL text without parameters through the simple protocol: several statements are allowed.
    pub async fn execute_script(&mut self, script: &str) -> Result<(), ConnectionError> {
        self.execute_text(script).await.map(drop)
    }

    /// Like `execute_script`, returning the number of rows the statements affected. For one-off statements
    /// with their values written in (backfill batches): nothing is prepared or cached on either side (MariaDB
    /// slowed to a tenth of its speed once the connection's statement cache was full of such statements).
    pub async fn execute_text(&mut self, script: &str) -> Result<u64, ConnectionError> {
        let sql = sqlx::raw_sql(sqlx::AssertSqlSafe(script.to_string()));
        let result = match &mut self.conn {
            Conn::Postgres(c) => sql.execute(&mut **c).await.map(|r| r.rows_affected()),
            Conn::MySql(c) => sql.execute(&mut **c).await.map(|r| r.rows_affected()),
            Conn::Sqlite(c) => sql.execute(&mut **c).await.map(|r| r.rows_affected()),
        };
        result.map_err(|e| self.db.error("executing SQL", e))
    }

    /// Ends the session. A read-only transaction is rolled back (nothing was written); a connection that cannot
    /// be reset is closed rather than returned to the pool.
    pub async fn finish(mut self) -> Result<(), ConnectionError> {
        if !self.read_only {
            return Ok(());
        }
        let end = match self.engine() {
            Engine::Sqlite => "ROLLBACK; PRAGMA query_only = OFF",
            _ => "ROLLBACK",
        };
        let result = self.execute_script(end).await;
        if result.is_err() {
            self.close().await;
        }
        result.map_err(|e| rename_context(e, "closing a read-only session"))
    }

    /// Closes the underlying connection instead of returning it to the pool; session-scoped state such as
    /// advisory locks dies with it.
    pub async fn close(self) {
        let _ = match self.conn {
            Conn::Postgres(c) => c.detach().close().await,
            Conn::MySql(c) => c.detach().close().await,
            Conn::Sqlite(c) => c.detach().close().await,
        };
    }
}

fn rename_context(e: ConnectionError, context: &str) -> ConnectionError {
    match e {
        ConnectionError::Database {
            url,
            message,
            sqlstate,
            ..
        } => ConnectionError::Database {
            url,
            context: context.to_string(),
            message,
            sqlstate,
        },
        other => other,
    }
}

type Decode<R> = fn(&R, usize) -> Result<SqlValue, String>;

fn decode_rows<R: Row>(rows: &[R], decode: Decode<R>) -> Result<QueryResult, ConnectionError> {
    let columns = rows
        .first()
        .map(|r| r.columns().iter().map(|c| c.name().to_string()).collect())
        .unwrap_or_default();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut values = Vec::with_capacity(row.len());
        for i in 0..row.len() {
            values.push(decode(row, i).map_err(|message| ConnectionError::Database {
                url: String::new(),
                context: "decoding a plugin's query result".into(),
                message,
                sqlstate: None,
            })?);
        }
        out.push(values);
    }
    Ok(QueryResult { columns, rows: out })
}

fn unsupported(column: &str, type_name: &str, hint: &str) -> String {
    format!("column `{column}` has type {type_name}, which the host does not decode; {hint}")
}

fn pg_value(row: &sqlx::postgres::PgRow, i: usize) -> Result<SqlValue, String> {
    let raw = row.try_get_raw(i).map_err(|e| e.to_string())?;
    if raw.is_null() {
        return Ok(SqlValue::Null);
    }
    let type_name = raw.type_info().name().to_string();
    let e = |e: sqlx::Error| e.to_string();
    Ok(match type_name.as_str() {
        "BOOL" => SqlValue::Boolean(row.try_get(i).map_err(e)?),
        "INT2" => SqlValue::Integer(row.try_get::<i16, _>(i).map_err(e)?.into()),
        "INT4" => SqlValue::Integer(row.try_get::<i32, _>(i).map_err(e)?.into()),
        "INT8" => SqlValue::Integer(row.try_get(i).map_err(e)?),
        "FLOAT4" => SqlValue::Float(row.try_get::<f32, _>(i).map_err(e)?.into()),
        "FLOAT8" => SqlValue::Float(row.try_get(i).map_err(e)?),
        "TEXT" | "VARCHAR" | "NAME" | "BPCHAR" | "CHAR" | "UNKNOWN" | "CITEXT" => {
            SqlValue::Text(row.try_get(i).map_err(e)?)
        }
        "BYTEA" => SqlValue::Bytes(row.try_get(i).map_err(e)?),
        other => {
            return Err(unsupported(
                row.column(i).name(),
                other,
                "cast it in the query (for example `::text` or `::int8`)",
            ));
        }
    })
}

fn mysql_value(row: &sqlx::mysql::MySqlRow, i: usize) -> Result<SqlValue, String> {
    let raw = row.try_get_raw(i).map_err(|e| e.to_string())?;
    if raw.is_null() {
        return Ok(SqlValue::Null);
    }
    let type_name = raw.type_info().name().to_string();
    let e = |e: sqlx::Error| e.to_string();
    Ok(match type_name.as_str() {
        "BOOLEAN" => SqlValue::Boolean(row.try_get(i).map_err(e)?),
        "TINYINT" | "SMALLINT" | "MEDIUMINT" | "INT" | "BIGINT" | "YEAR" => {
            SqlValue::Integer(row.try_get(i).map_err(e)?)
        }
        t if t.ends_with("UNSIGNED") => {
            let v: u64 = row.try_get(i).map_err(e)?;
            match i64::try_from(v) {
                Ok(v) => SqlValue::Integer(v),
                Err(_) => SqlValue::Text(v.to_string()),
            }
        }
        "FLOAT" => SqlValue::Float(row.try_get::<f32, _>(i).map_err(e)?.into()),
        "DOUBLE" => SqlValue::Float(row.try_get(i).map_err(e)?),
        // Exact: the digits as the server sends them (`SUM` of integers is a DECIMAL too).
        "DECIMAL" | "NEWDECIMAL" => SqlValue::Text(row.try_get_unchecked(i).map_err(e)?),
        // As the server prints it (`2026-12-06 20:06:22.65`; `SHOW CREATE TRIGGER` has one).
        "DATETIME" if row.try_get::<chrono::NaiveDateTime, _>(i).is_ok() => SqlValue::Text(
            row.try_get::<chrono::NaiveDateTime, _>(i)
                .map_err(e)?
                .to_string(),
        ),
        "BINARY" | "VARBINARY" | "TINYBLOB" | "BLOB" | "MEDIUMBLOB" | "LONGBLOB" | "BIT"
        | "GEOMETRY" => SqlValue::Bytes(row.try_get(i).map_err(e)?),
        _ => match row.try_get::<String, _>(i) {
            Ok(s) => SqlValue::Text(s),
            Err(_) => match row.try_get::<Vec<u8>, _>(i) {
                Ok(b) => SqlValue::Bytes(b),
                Err(_) => {
                    return Err(unsupported(
                        row.column(i).name(),
                        &type_name,
                        "cast it in the query (for example `CAST(x AS CHAR)`)",
                    ));
                }
            },
        },
    })
}

fn sqlite_value(row: &sqlx::sqlite::SqliteRow, i: usize) -> Result<SqlValue, String> {
    let raw = row.try_get_raw(i).map_err(|e| e.to_string())?;
    if raw.is_null() {
        return Ok(SqlValue::Null);
    }
    let type_name = raw.type_info().name().to_string();
    let e = |e: sqlx::Error| e.to_string();
    // SQLite is dynamically typed: decode by the storage class of the value itself.
    Ok(match type_name.as_str() {
        "INTEGER" | "BOOLEAN" => SqlValue::Integer(row.try_get_unchecked(i).map_err(e)?),
        "REAL" => SqlValue::Float(row.try_get_unchecked(i).map_err(e)?),
        "BLOB" => SqlValue::Bytes(row.try_get_unchecked(i).map_err(e)?),
        _ => SqlValue::Text(row.try_get_unchecked(i).map_err(e)?),
    })
}
