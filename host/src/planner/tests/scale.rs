//! Planning on a 500-table schema stays linear: every lookup is one pass over the tables.
//! (No timing assertions: the benchmark in `bench/` measures latency.)

use super::fixture::*;
use crate::connection::Engine;
use crate::model::ColumnType;
use crate::planner::plan;

pub fn wide_schema(n: usize) -> crate::model::DatabaseSchema {
    let mut s = schema();
    for i in 0..n {
        s.tables.push(table(
            &format!("table_{i:03}"),
            vec![col("id", ColumnType::Bigint), col("name", ColumnType::Text)],
        ));
    }
    s
}

#[test]
fn plans_on_500_tables() {
    let s = wide_schema(500);
    for r in [
        "add email field to users table",
        "add updated_at timestamp to all tables",
        "make name required in table_499",
        "add index on table_250(name)",
        "add email to tabel_123",
    ] {
        assert!(plan(r, &s, Engine::Postgres).is_ok(), "{r}");
    }
    let p = plan(
        "add updated_at timestamp to all tables",
        &s,
        Engine::Postgres,
    )
    .unwrap();
    assert_eq!(p.changes.len(), s.tables.len());
}
