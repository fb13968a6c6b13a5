//! Planning stays linear in the size of the schema and of the request: a 500-table schema, requests
//! naming thousands of columns, and the engines' limits on them.
//! (Latency is measured by the benchmark in `bench/`; the one time bound here is generous enough
//! never to flake and only catches a return to quadratic work.)

use super::fixture::*;
use crate::connection::Engine;
use crate::model::ColumnType;
use crate::planner::RefusalKind;
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

/// `c1, c2, ..., cn`.
fn names(prefix: &str, n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("{prefix}{i}")).collect()
}

/// The fixture schema with a table `wide` of `id` and `c1..cn`.
fn with_wide(n: usize) -> crate::model::DatabaseSchema {
    let mut s = schema();
    let mut cols = vec![col("id", ColumnType::Bigint)];
    cols.extend(names("c", n).iter().map(|c| col(c, ColumnType::Text)));
    s.tables.push(table("wide", cols));
    s
}

/// Requests naming as many columns as an engine allows plan in a few milliseconds: every name is
/// one hash probe ([`crate::planner::resolve::Names`]), never a pass over the request or the
/// schema. Planning used to grow with the square of the columns named (seconds at 1,000 names
/// against a wide table). The bound is far above the ~20 ms a debug build takes, so it cannot
/// flake; it catches a return to quadratic work, which takes seconds here.
#[test]
fn requests_naming_thousands_of_columns_plan_quickly() {
    let bound = std::time::Duration::from_secs(5);
    let s = with_wide(1_999);
    let c = names("c", 1_999).join(", ");
    let requests = [
        // 1,997 + id + created_at + updated_at: SQLite's 2,000 exactly.
        format!("create table wide2 with {}", names("c", 1_997).join(", ")),
        format!("make {c} required in wide"),
        format!("make {c} unique in wide"),
        format!("add index on wide({})", names("c", 1_000).join(", ")),
        format!("drop {c} from wide"),
        format!("add {} to users", names("d", 1_900).join(", ")),
    ];
    for r in &requests {
        let started = std::time::Instant::now();
        let p = plan(r, &s, Engine::Sqlite);
        let took = started.elapsed();
        assert!(p.is_ok(), "{}: {:?}", &r[..40], p.err());
        assert!(took < bound, "{} took {took:?}", &r[..40]);
    }
    let p = plan(&requests[0], &s, Engine::Sqlite).unwrap();
    assert_eq!(created(&p).columns.len(), 2_000);
}

/// A table wider than the engine allows is refused, naming the limit, before any column is
/// inferred; so is a table that existing columns plus added ones would make too wide.
#[test]
fn tables_wider_than_the_engine_allows_are_refused() {
    let s = schema();
    for (engine, limit, name) in [
        (Engine::Postgres, 1_600, "PostgreSQL"),
        (Engine::MySql, 1_017, "MySQL/MariaDB"),
        (Engine::Sqlite, 2_000, "SQLite"),
    ] {
        let n = limit + 1;
        let started = std::time::Instant::now();
        let r = plan(
            &format!("create table wide with {}", names("c", n).join(", ")),
            &s,
            engine,
        )
        .unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(r.kind, RefusalKind::Unsupported, "{engine:?}");
        assert!(
            r.message.contains(&format!("names {n} columns"))
                && r.message
                    .contains(&format!("{name} allows at most {limit} columns")),
            "{}",
            r.message
        );
        // The id and timestamps count too.
        let r = plan(
            &format!(
                "create table wide with {}",
                names("c", limit - 2).join(", ")
            ),
            &s,
            engine,
        )
        .unwrap_err();
        assert!(
            r.message
                .contains(&format!("table `wide` would have {} columns", limit + 1)),
            "{}",
            r.message
        );
        assert!(
            plan(
                &format!(
                    "create table wide with {}",
                    names("c", limit - 3).join(", ")
                ),
                &s,
                engine,
            )
            .is_ok()
        );
    }
    // Existing columns count: `wide` has 1,000.
    let s = with_wide(999);
    let r = plan(
        &format!("add {} to wide", names("d", 601).join(", ")),
        &s,
        Engine::Postgres,
    )
    .unwrap_err();
    assert!(
        r.message.contains("table `wide` would have 1601 columns"),
        "{}",
        r.message
    );
    assert!(
        plan(
            &format!("add {} to wide", names("d", 600).join(", ")),
            &s,
            Engine::Postgres
        )
        .is_ok()
    );
}

/// Correcting a misspelled name visits every name of the table; a request gets a few hundred such
/// searches, not one per name of a list of thousands.
#[test]
fn a_list_of_misspelled_names_is_refused_not_searched_one_by_one() {
    let s = with_wide(1_500);
    let typos: Vec<String> = names("c", 1_500).iter().map(|c| format!("{c}x")).collect();
    let r = plan(
        &format!("make {} required in wide", typos.join(", ")),
        &s,
        Engine::Postgres,
    )
    .unwrap_err();
    assert_eq!(r.kind, RefusalKind::NotFound);
    assert!(
        r.message.contains("more than 200") && r.message.contains("`c1x`"),
        "{}",
        r.message
    );
    // A misspelling is still corrected.
    let p = plan("make emial unique in accounts", &s, Engine::Postgres).unwrap();
    assert_eq!(p.changes.len(), 1);
}

#[test]
fn requests_beyond_256_kib_are_refused() {
    let r = plan(
        &format!("add {} to users", "word ".repeat(60_000)),
        &schema(),
        Engine::Postgres,
    )
    .unwrap_err();
    assert!(r.message.contains("256 KiB"), "{}", r.message);
}
