//! Offline planner latency on a schema of 500 tables: p50 and p99 over many requests of every family,
//! planning only (no database), as `migrate "<request>"` pays it before rendering.
//!
//! Run: `cargo bench -p ai-shell --bench planner_latency`

use std::time::{Duration, Instant};

use ai_shell::connection::Engine;
use ai_shell::model::{
    Column, ColumnType, DatabaseSchema, FkAction, ForeignKey, PrimaryKey, QualifiedName, Table,
};

fn column(name: &str, data_type: ColumnType, nullable: bool) -> Column {
    Column {
        name: name.into(),
        data_type,
        nullable,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
    }
}

fn name(n: &str) -> QualifiedName {
    QualifiedName {
        namespace: None,
        name: n.into(),
    }
}

/// 500 tables of 8 columns; every table after the first references the previous one.
fn schema() -> DatabaseSchema {
    let mut s = DatabaseSchema::empty();
    let mut names: Vec<String> = vec![
        "users".into(),
        "products".into(),
        "orders".into(),
        "customers".into(),
        "accounts".into(),
    ];
    for i in names.len()..500 {
        names.push(format!("entity_{i:03}"));
    }
    for (i, t) in names.iter().enumerate() {
        let mut columns = vec![
            column("id", ColumnType::Bigint, false),
            column("name", ColumnType::Varchar(Some(255)), false),
            column("description", ColumnType::Text, true),
            column("status", ColumnType::Varchar(Some(20)), false),
            column(
                "amount",
                ColumnType::Numeric(ai_shell::model::NumericParams {
                    precision: Some(12),
                    scale: Some(2),
                }),
                true,
            ),
            column("created_at", ColumnType::Timestamp(None), false),
            column("updated_at", ColumnType::Timestamp(None), true),
        ];
        let mut foreign_keys = vec![];
        if i > 0 {
            let parent = &names[i - 1];
            let c = format!("{}_id", parent.trim_end_matches('s'));
            columns.push(column(&c, ColumnType::Bigint, true));
            foreign_keys.push(ForeignKey {
                name: format!("fk_{t}_{c}"),
                columns: vec![c],
                referenced_table: name(parent),
                referenced_columns: vec!["id".into()],
                on_delete: FkAction::NoAction,
                on_update: FkAction::NoAction,
                deferrable: false,
                initially_deferred: false,
            });
        }
        s.tables.push(Table {
            name: name(t),
            columns,
            primary_key: Some(PrimaryKey {
                name: None,
                columns: vec!["id".into()],
            }),
            uniques: vec![],
            indexes: vec![],
            foreign_keys,
            checks: vec![],
            comment: None,
            options: vec![],
        });
    }
    s
}

const REQUESTS: &[&str] = &[
    "add email field to users table",
    "add phone to users",
    "add created_at and updated_at timestamps to products",
    "make name unique in customers",
    "add index on orders(status, created_at)",
    "create invoices table with customer_id foreign key, amount and due_date",
    "rename column description to details in entity_250",
    "change amount to decimal(14,4) in entity_499",
    "add is_active to entity_123",
    "add email to usres",
    "add foo to no_such_table",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let schema = schema();
    let rounds = 200;
    println!("| engine | requests | p50 | p99 | max |");
    println!("|---|---|---|---|---|");
    for engine in [Engine::Sqlite, Engine::Postgres, Engine::MySql] {
        let mut times = Vec::with_capacity(rounds * REQUESTS.len());
        for _ in 0..rounds {
            for r in REQUESTS {
                let started = Instant::now();
                let plan = ai_shell::planner::plan(r, &schema, engine);
                times.push(started.elapsed());
                std::hint::black_box(plan.is_ok());
            }
        }
        times.sort();
        let us = |d: Duration| format!("{:.0} µs", d.as_secs_f64() * 1e6);
        println!(
            "| {} | {} | {} | {} | {} |",
            engine.dialect_name(),
            times.len(),
            us(percentile(&times, 0.5)),
            us(percentile(&times, 0.99)),
            us(*times.last().unwrap())
        );
    }
}
