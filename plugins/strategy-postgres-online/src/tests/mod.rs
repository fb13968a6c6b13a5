//! Plans for the change kinds against a fixture schema. The SQL asserted here was run by hand on
//! PostgreSQL 15.20 (100k rows: every phase, then every rollback in reverse order back to the original
//! catalog state, with writes between phases).

mod add_column;
mod change_type;
mod constraints;
mod dispatch;
mod drop_column;
mod rename;

use ai_shell_strategy_sdk::{
    CapabilitySet, Change, Column, ColumnType, DatabaseSchema, Engine, Index, IndexKey,
    IndexMethod, IndexTarget, Phase, PrimaryKey, QualifiedName, Step, Strategy, Table, TableStats,
};

use crate::PostgresOnline;

pub fn name(n: &str) -> QualifiedName {
    QualifiedName {
        namespace: None,
        name: n.into(),
    }
}

pub fn column(n: &str, t: ColumnType, nullable: bool, default: Option<&str>) -> Column {
    Column {
        name: n.into(),
        data_type: t,
        nullable,
        default: default.map(Into::into),
        identity: None,
        generated: None,
        collation: None,
        comment: None,
    }
}

pub fn key(c: &str) -> IndexKey {
    IndexKey {
        target: IndexTarget::Column(c.into()),
        descending: false,
        nulls_first: None,
        opclass: None,
        collation: None,
        prefix_length: None,
    }
}

pub fn index(n: &str, keys: Vec<IndexKey>) -> Index {
    Index {
        name: n.into(),
        unique: false,
        method: IndexMethod::Btree,
        keys,
        included_columns: vec![],
        predicate: None,
        comment: None,
    }
}

/// `orders (id integer PK, customer_id integer, qty integer NOT NULL DEFAULT 1 indexed, note text)`,
/// `customers (id bigint PK)`, `events (a, b)` without a primary key.
pub fn schema() -> DatabaseSchema {
    let orders = Table {
        name: name("orders"),
        columns: vec![
            column("id", ColumnType::Integer, false, None),
            column("customer_id", ColumnType::Integer, true, None),
            column("qty", ColumnType::Integer, false, Some("1")),
            column("note", ColumnType::Text, true, None),
        ],
        primary_key: Some(PrimaryKey {
            name: Some("orders_pkey".into()),
            columns: vec!["id".into()],
        }),
        uniques: vec![],
        indexes: vec![index("orders_qty_idx", vec![key("qty"), key("id")])],
        foreign_keys: vec![],
        checks: vec![],
        comment: None,
        options: vec![],
    };
    let customers = Table {
        name: name("customers"),
        columns: vec![column("id", ColumnType::Bigint, false, None)],
        primary_key: Some(PrimaryKey {
            name: None,
            columns: vec!["id".into()],
        }),
        uniques: vec![],
        indexes: vec![],
        foreign_keys: vec![],
        checks: vec![],
        comment: None,
        options: vec![],
    };
    let events = Table {
        name: name("events"),
        columns: vec![
            column("a", ColumnType::Integer, true, None),
            column("b", ColumnType::Text, true, None),
        ],
        primary_key: None,
        uniques: vec![],
        indexes: vec![],
        foreign_keys: vec![],
        checks: vec![],
        comment: None,
        options: vec![],
    };
    DatabaseSchema {
        namespaces: vec![],
        extensions: vec![],
        enums: vec![],
        sequences: vec![],
        tables: vec![orders, customers, events],
        views: vec![],
        objects: vec![],
    }
}

pub fn engine(dialect: &str, version: &str) -> Engine {
    Engine {
        dialect: dialect.into(),
        server_version: version.into(),
        capabilities: CapabilitySet {
            transactional_ddl: true,
            concurrent_index: true,
            instant_add_column: true,
            alter_table_in_place: true,
            namespaces: true,
            enum_types: true,
            sequences: true,
            partial_indexes: true,
            expression_indexes: true,
            check_constraints: true,
            advisory_locks: true,
        },
    }
}

pub fn stats(rows: u64) -> Vec<TableStats> {
    ["orders", "customers", "events"]
        .iter()
        .map(|t| TableStats {
            table: name(t),
            rows,
            bytes: rows * 100,
        })
        .collect()
}

pub fn plan_with(
    change: Change,
    schema: DatabaseSchema,
    version: &str,
    rows: u64,
) -> Option<Vec<Phase>> {
    PostgresOnline::plan(
        vec![change],
        schema,
        stats(rows),
        engine("postgres", version),
    )
    .unwrap()
}

pub fn plan(change: Change) -> Option<Vec<Phase>> {
    plan_with(change, schema(), "15.19", 100_000)
}

/// The SQL texts of steps (render steps as `<render ...>`).
pub fn texts(steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .map(|s| match s {
            Step::Sql(s) => s.clone(),
            Step::Render(c) => format!("<render {}>", kinds(c)),
            Step::RenderInverse(c) => format!("<render-inverse {}>", kinds(c)),
        })
        .collect()
}

fn kinds(changes: &[Change]) -> String {
    changes
        .iter()
        .map(|c| match c {
            Change::AddColumn(a) => format!(
                "add-column {} nullable={} default={:?}",
                a.column.name, a.column.nullable, a.column.default
            ),
            Change::SetDefault(d) => format!("set-default {} {}", d.column, d.default),
            Change::SetNotNull(c) => format!("set-not-null {}", c.column),
            Change::DropColumn(c) => format!("drop-column {}", c.column),
            Change::RenameColumn(r) => format!("rename-column {} {}", r.column, r.new_name),
            Change::RenameTable(r) => format!("rename-table {} {}", r.table.name, r.new_name),
            _ => "other".into(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn names(phases: &[Phase]) -> Vec<&str> {
    phases.iter().map(|p| p.name.as_str()).collect()
}

/// The phase called `name`.
pub fn phase<'a>(phases: &'a [Phase], name: &str) -> &'a Phase {
    phases
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no phase {name} in {:?}", names(phases)))
}

/// The SQL texts of the phase's steps.
pub fn steps(phases: &[Phase], name: &str) -> Vec<String> {
    texts(&phase(phases, name).steps)
}

/// The SQL texts of the phase's rollback.
pub fn rollback(phases: &[Phase], name: &str) -> Vec<String> {
    texts(&phase(phases, name).rollback)
}

/// `orders`, mutated by `f`.
pub fn with_orders(f: impl FnOnce(&mut Table)) -> DatabaseSchema {
    let mut s = schema();
    f(&mut s.tables[0]);
    s
}
