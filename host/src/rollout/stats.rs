//! Table sizes and the server's version, read from the engine's statistics, for strategy selection,
//! estimates and the impact report.

use crate::connection::{Engine, Session};
use crate::model::{QualifiedName, SqlValue};
use crate::plugins::bindings::strategy::exports::ai_shell::plugin::strategy_api::TableStats;

/// Rows and bytes of each table in `tables` (tables the engine does not know are left out).
pub async fn table_stats(
    s: &mut Session,
    engine: Engine,
    tables: &[QualifiedName],
) -> Vec<TableStats> {
    let mut out = vec![];
    for t in tables {
        if let Some(rows) = row_count(s, engine, t).await {
            let bytes = byte_size(s, engine, t).await.unwrap_or(0);
            out.push(TableStats {
                table: t.clone(),
                rows,
                bytes,
            });
        }
    }
    out
}

/// The server's version as it reports it.
pub async fn server_version(s: &mut Session, engine: Engine) -> String {
    let sql = match engine {
        Engine::Postgres => "SHOW server_version",
        Engine::MySql => "SELECT VERSION()",
        Engine::Sqlite => "SELECT sqlite_version()",
    };
    match s.query(sql, &[]).await {
        Ok(r) => match r.rows.first().and_then(|row| row.first()) {
            Some(SqlValue::Text(v)) => v.clone(),
            _ => String::new(),
        },
        Err(_) => String::new(),
    }
}

async fn byte_size(s: &mut Session, engine: Engine, table: &QualifiedName) -> Option<u64> {
    let ns = table.namespace.clone().unwrap_or_else(|| "public".into());
    let (sql, params): (&str, Vec<SqlValue>) = match engine {
        Engine::Postgres => (
            "SELECT pg_total_relation_size(c.oid)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
            vec![SqlValue::Text(ns), SqlValue::Text(table.name.clone())],
        ),
        Engine::MySql => (
            "SELECT DATA_LENGTH + INDEX_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
            vec![SqlValue::Text(table.name.clone())],
        ),
        Engine::Sqlite => (
            "SELECT SUM(pgsize) FROM dbstat WHERE name = ?",
            vec![SqlValue::Text(table.name.clone())],
        ),
    };
    first_integer(s.query(sql, &params).await.ok()?)
}

/// Rows in `table`: the engine's estimate, counted exactly when the estimate is small or missing.
pub async fn row_count(s: &mut Session, engine: Engine, table: &QualifiedName) -> Option<u64> {
    let ns = table.namespace.clone().unwrap_or_else(|| "public".into());
    let (sql, params): (String, Vec<SqlValue>) = match engine {
        Engine::Postgres => (
            "SELECT GREATEST(c.reltuples, 0)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2".into(),
            vec![SqlValue::Text(ns), SqlValue::Text(table.name.clone())],
        ),
        Engine::MySql => (
            "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?".into(),
            vec![SqlValue::Text(table.name.clone())],
        ),
        Engine::Sqlite => (
            format!("SELECT COUNT(*) FROM \"{}\"", table.name.replace('"', "\"\"")),
            vec![],
        ),
    };
    let estimate = first_integer(s.query(&sql, &params).await.ok()?);
    // Statistics of a small or never-analysed table can say 0: count those exactly.
    if engine != Engine::Sqlite && estimate.is_none_or(|n| n < 100_000) {
        let quoted = match engine {
            Engine::MySql => format!("`{}`", table.name.replace('`', "``")),
            _ => format!(
                "\"{}\".\"{}\"",
                table
                    .namespace
                    .clone()
                    .unwrap_or_else(|| "public".into())
                    .replace('"', "\"\""),
                table.name.replace('"', "\"\"")
            ),
        };
        let exact = s
            .query(&format!("SELECT COUNT(*) FROM {quoted}"), &[])
            .await
            .ok();
        return exact.and_then(first_integer).or(estimate);
    }
    estimate
}

/// The first value of `r` as a count (negative estimates read as 0).
fn first_integer(r: crate::model::QueryResult) -> Option<u64> {
    crate::model::number_at(&r, 0, 0).map(|n| n.max(0) as u64)
}
