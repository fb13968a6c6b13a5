//! Read-only sessions: one connection inside a read-only transaction, for the queries plugins make.
//! The engine itself refuses writes, so a plugin cannot change the database through this path.

use sqlx::pool::PoolConnection;
use sqlx::{Column, Connection, MySql, Postgres, Row, Sqlite, TypeInfo, ValueRef};

use super::{ConnectionError, Database, Pool};
use crate::model::{QueryResult, SqlValue};

/// A connection held in a read-only transaction until [`ReadOnlySession::finish`] or drop.
pub struct ReadOnlySession {
    db: Database,
    conn: Conn,
}

enum Conn {
    Postgres(PoolConnection<Postgres>),
    MySql(PoolConnection<MySql>),
    Sqlite(PoolConnection<Sqlite>),
}

impl ReadOnlySession {
    pub(super) async fn begin(db: &Database) -> Result<ReadOnlySession, ConnectionError> {
        let acquire = |e| db.error("opening a read-only session", e);
        let conn = match &db.pool {
            Pool::Postgres(p) => {
                let mut c = p.acquire().await.map_err(acquire)?;
                sqlx::raw_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .execute(&mut *c)
                    .await
                    .map_err(acquire)?;
                Conn::Postgres(c)
            }
            Pool::MySql(p) => {
                let mut c = p.acquire().await.map_err(acquire)?;
                sqlx::raw_sql("START TRANSACTION READ ONLY")
                    .execute(&mut *c)
                    .await
                    .map_err(acquire)?;
                Conn::MySql(c)
            }
            Pool::Sqlite(p) => {
                let mut c = p.acquire().await.map_err(acquire)?;
                sqlx::raw_sql("PRAGMA query_only = ON; BEGIN")
                    .execute(&mut *c)
                    .await
                    .map_err(acquire)?;
                Conn::Sqlite(c)
            }
        };
        Ok(ReadOnlySession {
            db: db.clone(),
            conn,
        })
    }

    /// Runs one statement with positional parameters and returns every row.
    pub async fn query(
        &mut self,
        statement: &str,
        params: &[SqlValue],
    ) -> Result<QueryResult, ConnectionError> {
        let result = match &mut self.conn {
            Conn::Postgres(c) => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(statement.to_string()));
                for p in params {
                    q = match p {
                        SqlValue::Null => q.bind(None::<String>),
                        SqlValue::Boolean(b) => q.bind(*b),
                        SqlValue::Integer(i) => q.bind(*i),
                        SqlValue::Float(f) => q.bind(*f),
                        SqlValue::Text(s) => q.bind(s.clone()),
                        SqlValue::Bytes(b) => q.bind(b.clone()),
                    };
                }
                q.fetch_all(&mut **c)
                    .await
                    .map(|rows| decode_rows(&rows, pg_value))
            }
            Conn::MySql(c) => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(statement.to_string()));
                for p in params {
                    q = match p {
                        SqlValue::Null => q.bind(None::<String>),
                        SqlValue::Boolean(b) => q.bind(*b),
                        SqlValue::Integer(i) => q.bind(*i),
                        SqlValue::Float(f) => q.bind(*f),
                        SqlValue::Text(s) => q.bind(s.clone()),
                        SqlValue::Bytes(b) => q.bind(b.clone()),
                    };
                }
                q.fetch_all(&mut **c)
                    .await
                    .map(|rows| decode_rows(&rows, mysql_value))
            }
            Conn::Sqlite(c) => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(statement.to_string()));
                for p in params {
                    q = match p {
                        SqlValue::Null => q.bind(None::<String>),
                        SqlValue::Boolean(b) => q.bind(*b),
                        SqlValue::Integer(i) => q.bind(*i),
                        SqlValue::Float(f) => q.bind(*f),
                        SqlValue::Text(s) => q.bind(s.clone()),
                        SqlValue::Bytes(b) => q.bind(b.clone()),
                    };
                }
                q.fetch_all(&mut **c)
                    .await
                    .map(|rows| decode_rows(&rows, sqlite_value))
            }
        };
        result
            .map_err(|e| self.db.error("running a plugin's query", e))
            .and_then(|r| r)
    }

    /// Ends the transaction (nothing was written) and returns the connection to the pool.
    pub async fn finish(self) -> Result<(), ConnectionError> {
        let end = |e| self.db.error("closing a read-only session", e);
        match self.conn {
            Conn::Postgres(mut c) => sqlx::raw_sql("ROLLBACK").execute(&mut *c).await.map(drop),
            Conn::MySql(mut c) => sqlx::raw_sql("ROLLBACK").execute(&mut *c).await.map(drop),
            Conn::Sqlite(mut c) => {
                let r = sqlx::raw_sql("ROLLBACK; PRAGMA query_only = OFF")
                    .execute(&mut *c)
                    .await
                    .map(drop);
                if r.is_err() {
                    // A connection stuck in query-only mode must not go back to the pool.
                    let _ = c.detach().close().await;
                }
                r
            }
        }
        .map_err(end)
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
